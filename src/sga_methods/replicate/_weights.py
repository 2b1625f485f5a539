"""Replicate weights in factored form and the numerics on them: totals, variance, rank."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray
from scipy import sparse, special

_Floats = NDArray[np.float64]
_Codes = NDArray[np.int64]
# R's degf() for replicate designs: qr(weights, tol = 1e-5)$rank - 1
_RANK_TOLERANCE = 1e-5
# replicate totals go through a dense (estimates x patterns) matrix up to this many cells
_DENSE_CELLS = 4_000_000


def _qr_rank(grams: _Floats, limits: NDArray[np.int64]) -> NDArray[np.int64]:
    """R's ``qr(X, tol = 1e-5)$rank`` from Gram matrices ``X^T X``, for a batch of matrices.

    LINPACK's ``dqrdc2`` takes the columns in order and sets aside a column whose norm, after
    projecting out the columns kept so far, falls below ``tol`` times its original norm. The
    same greedy rule on the Gram matrix is a Cholesky factorisation that skips such columns.
    ``limits`` bounds each rank (distinct rows): the search stops once a matrix reaches it.
    """
    batch, n_col, _ = grams.shape
    factor = np.zeros_like(grams)
    diag = np.einsum("bii->bi", grams)
    rank = np.zeros(batch, dtype=np.int64)
    residual = diag.copy()  # squared norm of each column after projecting out kept ones
    for j in range(n_col):
        active = rank < limits
        if not active.any():
            break
        keep = active & (diag[:, j] > 0) & (residual[:, j] >= _RANK_TOLERANCE**2 * diag[:, j])
        if keep.any():
            pivot = np.sqrt(np.where(keep, residual[:, j], 1.0))
            below = (
                grams[:, j + 1 :, j]
                - np.matmul(factor[:, j + 1 :, :j], factor[:, j, :j, None])[..., 0]
            )
            column = np.where(keep[:, None], below / pivot[:, None], 0.0)
            factor[:, j + 1 :, j] = column
            residual[:, j + 1 :] -= column**2
        rank += keep
    return rank


def _compress_rows(matrix: _Floats, chunk: int = 8192) -> tuple[_Codes, _Floats, _Floats]:
    """Write each row of ``matrix`` as a non-negative multiple of one of a few distinct rows.

    Returns ``(index, units, size)`` with ``matrix[i] = size[i] * units[index[i]]`` (to 1e-13
    relative) and ``size[i]`` the row's largest entry. Shipped replicate weights are
    proportional within a PSU, so they collapse to one unit row per PSU and estimation then
    costs as little as for designs converted by :func:`from_design`. Rows are hashed by a
    random projection and checked against their group's first row, in chunks, so that rows
    that differ never share a unit row.
    """
    n, n_rep = matrix.shape
    if n_rep == 0:
        return np.zeros(n, dtype=np.int64), np.zeros((1, 0)), np.zeros(n)
    probe = np.random.default_rng(0).uniform(0.5, 1.5, n_rep)
    size, key = np.empty(n), np.empty(n)
    for lo in range(0, n, chunk):
        block = matrix[lo : lo + chunk]
        size[lo : lo + chunk] = block.max(axis=1)  # weights are non-negative
        key[lo : lo + chunk] = (
            block @ probe / np.where(size[lo : lo + chunk] > 0, size[lo : lo + chunk], 1.0)
        )
    _, first, index = np.unique(np.round(key, 9), return_index=True, return_inverse=True)
    index = index.reshape(-1).astype(np.int64)
    scale = np.where(size > 0, size, 1.0)
    units = matrix[first] / scale[first, None]
    same = np.empty(n, dtype=bool)
    for lo in range(0, n, chunk):
        block = matrix[lo : lo + chunk] / scale[lo : lo + chunk, None]
        same[lo : lo + chunk] = np.abs(block - units[index[lo : lo + chunk]]).max(axis=1) <= 1e-13
    odd = np.flatnonzero(~same)  # hash collisions: rows of their own
    if odd.size:
        index[odd] = len(first) + np.arange(odd.size)
        units = np.vstack([units, matrix[odd] / scale[odd, None]])
    return index, units, size


def _logit_fits(p: _Floats, start: _Floats, *, epsilon: float = 1e-8, maxit: int = 25) -> _Floats:
    """Intercepts of R's ``glm.fit`` for a quasi-binomial ``y ~ 1`` in each replicate.

    ``p`` holds replicate proportions (last axis: replicates) and ``start`` the full-sample
    logit, R's ``start = beta0``. IRLS for an intercept is Newton's method on the logit,
    ``b <- b + (p - mu) / (mu (1 - mu))``, stopped as ``glm.control()``: when the binomial
    deviance ``-2 (p log mu + (1 - p) log(1 - mu))`` changes by less than ``epsilon (|dev| +
    0.1)``, or after ``maxit`` steps. This is ``logit(p)`` to about 1e-8, and for a replicate
    with ``p`` of 0 or 1 (no finite logit) the large finite value R reaches before stopping.
    """
    beta = np.broadcast_to(np.asarray(start, dtype=float)[..., None], p.shape).copy()

    def deviance(mu: _Floats) -> _Floats:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(
                -2.0 * (special.xlogy(p, mu) + special.xlogy(1.0 - p, 1.0 - mu)), dtype=float
            )

    mu = special.expit(beta)
    dev_old = deviance(mu)
    done = np.isnan(p) | ~np.isfinite(beta)
    for _ in range(maxit):
        if done.all():
            break
        with np.errstate(divide="ignore", invalid="ignore"):
            beta = np.where(done, beta, beta + (p - mu) / (mu * (1.0 - mu)))
        mu = special.expit(beta)
        dev = deviance(mu)
        done |= np.abs(dev - dev_old) / (np.abs(dev) + 0.1) < epsilon
        dev_old = dev
    return np.where(np.isnan(p), np.nan, beta)


@dataclass(frozen=True, eq=False)
class ReplicateWeights:
    """Full-sample and replicate weights of a design, and R's replicate variance.

    Replicate ``r``'s weight of row ``i`` is ``row_scale[i] * factors[index[i], r]``: one row
    of ``factors`` per PSU for designs converted by ``from_design``, one per distinct row
    pattern for shipped weights. Rows of ``factors`` with the same ``groups`` value are
    equal. Domains are passed as integer codes per row (``-1``: outside every domain), so a
    domain zeroes full-sample and replicate weights alike.
    """

    base: _Floats  # full-sample weights
    row_scale: _Floats
    factors: _Floats
    index: _Codes
    groups: _Codes
    scale: float
    rscales: _Floats
    mse: bool

    @property
    def n_replicates(self) -> int:
        return int(self.factors.shape[1])

    def matrix(self, domain: NDArray[np.bool_]) -> _Floats:
        """The ``n x R`` replicate weights, zero outside ``domain``."""
        out: _Floats = (self.row_scale * domain)[:, None] * self.factors[self.index]
        return out

    def totals(self, columns: list[tuple[_Floats, _Codes]], n_dom: int) -> tuple[_Floats, _Floats]:
        """Full-sample and replicate totals of each (values, codes) column in each domain.

        All replicates in one matrix product. Returns arrays of shape (columns, domains) and
        (columns, domains, replicates).
        """
        n_cells, n_pat = len(columns) * n_dom, self.factors.shape[0]
        keys, pats, vals, full = [], [], [], np.zeros(n_cells)
        for j, (v, codes) in enumerate(columns):
            sel = np.flatnonzero(codes >= 0)
            key = j * n_dom + codes[sel]
            full += np.bincount(key, weights=self.base[sel] * v[sel], minlength=n_cells)
            keys.append(key)
            pats.append(self.index[sel])
            vals.append(self.row_scale[sel] * v[sel])
        key, pat, val = np.concatenate(keys), np.concatenate(pats), np.concatenate(vals)
        if n_cells * n_pat <= _DENSE_CELLS:
            flat = np.bincount(key * n_pat + pat, weights=val, minlength=n_cells * n_pat)
            reps = flat.reshape(n_cells, n_pat) @ self.factors
        else:
            s = sparse.csr_matrix((val, (key, pat)), shape=(n_cells, n_pat))
            reps = np.asarray(s @ self.factors)
        shape = (len(columns), n_dom)
        return full.reshape(shape), reps.reshape(*shape, self.n_replicates)

    def variance(self, estimate: _Floats, replicates: _Floats) -> _Floats:
        """R's ``svrVar`` for each estimate (last axis of ``replicates``: the replicates).

        ``scale * sum_r rscales_r (theta_r - centre)^2``, centred at the mean of the replicates
        with ``rscales_r > 0`` or, with ``mse``, at the full-sample estimate. Replicates without
        an estimate (NaN) are dropped, as R's ``na.omit``; NaN when none is left.
        """
        keep = ~np.isnan(replicates)
        rs = np.where(keep, self.rscales, 0.0)
        if self.mse:
            centre = estimate
        else:
            use = keep & (self.rscales > 0)
            with np.errstate(invalid="ignore", divide="ignore"):
                centre = np.where(use, replicates, 0.0).sum(axis=-1) / use.sum(axis=-1)
        with np.errstate(invalid="ignore"):
            dev = np.where(keep, replicates - centre[..., None], 0.0)
            var = self.scale * (rs * dev**2).sum(axis=-1)
        none_left = (~keep).all(axis=-1) & (replicates.shape[-1] > 0)
        out: _Floats = np.where(none_left, np.nan, var)
        return out

    @cached_property
    def _units(self) -> _Floats:
        """One row of ``factors`` per group, in group order."""
        _, first = np.unique(self.groups, return_index=True)
        units: _Floats = self.factors[first]
        return units

    def ranks(self, codes: _Codes, n_dom: int) -> _Codes:
        """Rank of the replicate weight matrix of each domain's rows (R's qr rank, tol 1e-5).

        Rows of one group are multiples of one unit row, so each domain's Gram matrix is a
        weighted sum over groups; the greedy rank of :func:`_qr_rank` is taken on it.
        """
        units = self._units
        n_groups, n_rep = units.shape
        group = self.groups[self.index]
        sel = (codes >= 0) & (self.row_scale != 0)
        cell, inverse = np.unique(codes[sel] * n_groups + group[sel], return_inverse=True)
        mass = np.sqrt(np.bincount(inverse.reshape(-1), weights=self.row_scale[sel] ** 2))
        cell_dom, cell_group = np.divmod(cell, n_groups)
        bounds = np.searchsorted(cell_dom, np.arange(n_dom + 1))
        ranks = np.zeros(n_dom, dtype=np.int64)
        chunk = max(1, 20_000_000 // max(n_rep * n_rep, 1))
        for start in range(0, n_dom, chunk):
            doms = range(start, min(start + chunk, n_dom))
            grams = np.empty((len(doms), n_rep, n_rep))
            for b, d in enumerate(doms):
                lo, hi = bounds[d], bounds[d + 1]
                x = units[cell_group[lo:hi]] * mass[lo:hi, None]
                grams[b] = x.T @ x
            limits = np.minimum(np.diff(bounds)[start : start + len(doms)], n_rep)
            ranks[start : start + len(doms)] = _qr_rank(grams, limits)
        return ranks
