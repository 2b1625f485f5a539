"""Grid search and choice of the number of joinpoints (the engine behind ``trends.joinpoint``).

Everything here works on the *weighted* problem: with ``sw = sqrt(weights)`` the response is
``z = sw * log(y)`` and every design matrix is ``sw * X``, so ordinary least squares on
``(sw X, z)`` is the weighted least-squares fit of ``log(y)`` on ``X``.

Grid search (Lerman 1980; NCI Joinpoint's default): joinpoints sit on observed time points,
observation indices ``i_1 < ... < i_k`` (0-based, time sorted) with

- ``i_1 >= min_obs_end`` and ``n - 1 - i_k >= min_obs_end`` (observations strictly between
  each end of the data and the nearest joinpoint, the end point counted, the joinpoint not);
- ``i_{j+1} - i_j - 1 >= min_obs_between`` (observations strictly between two joinpoints).

This is NCI's rule ("excluding the joinpoint if it falls on an observation"), and gives NCI's
minimum series length ``2 min_obs_end + (k - 1) min_obs_between + k``. The design matrices
do not depend on the data, so the residual sum of squares of every admissible set is
``||z||^2 - ||Q'z||^2`` with ``Q`` an orthonormal basis of ``sw X``: one batched QR per
block of candidate sets serves the observed series and all permuted series at once.
"""

from __future__ import annotations

import itertools
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__: list[str] = []

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]

#: Memory budget (bytes) of one block of candidate designs and their projections.
_BLOCK_BYTES = 1 << 25


def min_obs_required(k: int, min_obs_end: int, min_obs_between: int) -> int:
    """NCI's minimum number of observations for ``k`` joinpoints (0 for ``k = 0``)."""
    if k == 0:
        return 0
    return 2 * min_obs_end + (k - 1) * min_obs_between + k


def candidate_sets(n: int, k: int, min_obs_end: int, min_obs_between: int) -> Ints:
    """All admissible joinpoint index sets, one per row (shape ``(m, k)``), in lexical order."""
    if k == 0:
        return np.zeros((1, 0), dtype=np.int64)
    lo, hi = min_obs_end, n - 1 - min_obs_end
    # Index i_j = lo + c_j + j * min_obs_between with c a strictly increasing combination.
    span = hi - lo - (k - 1) * min_obs_between + 1
    if span < k:
        return np.zeros((0, k), dtype=np.int64)
    combos = np.array(list(itertools.combinations(range(span), k)), dtype=np.int64)
    return lo + combos + np.arange(k, dtype=np.int64) * min_obs_between


def design(x: Floats, taus: Floats) -> Floats:
    """Columns ``1, x - x_0, (x - tau_1)+, ..., (x - tau_k)+`` (the standard parameterization)."""
    cols = [np.ones_like(x), x - x[0], *(np.maximum(x - t, 0.0) for t in taus)]
    return np.column_stack(cols)


def _designs(x: Floats, sets: Ints) -> Floats:
    """Stacked design matrices, shape ``(m, n, k + 2)``, for the index sets ``sets``."""
    m, k = sets.shape
    out = np.empty((m, len(x), k + 2))
    out[:, :, 0] = 1.0
    out[:, :, 1] = x - x[0]
    if k:
        out[:, :, 2:] = np.maximum(x[None, :, None] - x[sets][:, None, :], 0.0)
    return out


def best_fits(x: Floats, sw: Floats, z: Floats, sets: Ints) -> tuple[Floats, Ints]:
    """Smallest weighted SSE over ``sets`` for each column of ``z`` (shape ``(n, B)``).

    Returns the minimum SSE per column and the row of ``sets`` attaining it (the first
    in lexical order on ties).
    """
    n, b = z.shape
    # The weighted intercept sw lies in every design's column space: removing it from z
    # changes no residual and avoids cancellation in ||z||^2 - ||Q'z||^2.
    u = sw / np.linalg.norm(sw)
    zc = z - np.outer(u, u @ z)
    total = np.einsum("ij,ij->j", zc, zc)
    best = np.full(b, np.inf)
    arg = np.zeros(b, dtype=np.int64)
    p = sets.shape[1] + 2
    block = max(1, _BLOCK_BYTES // (8 * p * max(n, b)))
    for start in range(0, len(sets), block):
        q, _ = np.linalg.qr(_designs(x, sets[start : start + block]) * sw[None, :, None])
        proj = np.swapaxes(q, 1, 2) @ zc
        sse = total - np.einsum("cpb,cpb->cb", proj, proj)
        i = sse.argmin(axis=0)
        value = sse[i, np.arange(b)]
        better = value < best
        best[better] = value[better]
        arg[better] = i[better] + start
    return np.maximum(best, 0.0), arg


def weighted_fit(x: Floats, sw: Floats, z: Floats, taus: Floats) -> Floats:
    """Weighted fitted values ``sw * X beta`` of the model with joinpoints ``taus``."""
    xw = design(x, taus) * sw[:, None]
    beta, *_ = np.linalg.lstsq(xw, z, rcond=None)
    return np.asarray(xw @ beta)


def partial_r2_max(x: Floats, sw: Floats, z: Floats, idx: Ints) -> float:
    """Largest partial R-squared of a joinpoint in the model with joinpoints at ``idx``.

    For joinpoint ``i`` the window holds the observations of its two adjacent segments,
    from just after the previous joinpoint (or the first observation) up to and including
    the next joinpoint (or the last observation); there

    ``R2_i = {z'(I - H0) c}^2 / ({z'(I - H0) z} {c'(I - H0) c})``,

    with ``H0`` the (weighted) hat matrix of a straight line on the window and
    ``c = sw (x - tau_i)+`` (NCI Joinpoint help, "Weighted BIC"; Kim et al. 2023).
    """
    if len(idx) == 0:
        return float("nan")
    bounds = [-1, *(int(i) for i in idx), len(x) - 1]
    r2 = []
    for j in range(1, len(idx) + 1):
        window = slice(bounds[j - 1] + 1, bounds[j + 1] + 1)
        xs, ws, zs = x[window], sw[window], z[window]
        line = np.column_stack([ws, ws * xs])
        hinge = ws * np.maximum(xs - x[bounds[j]], 0.0)
        both = np.column_stack([zs, hinge])
        resid = both - line @ np.linalg.lstsq(line, both, rcond=None)[0]
        ry, rc = resid[:, 0], resid[:, 1]
        r2.append(float((ry @ rc) ** 2 / ((ry @ ry) * (rc @ rc))))
    return max(r2)


def information_criteria(sse: float, n: int, k: int, r2_max: float) -> dict[str, float]:
    """BIC, BIC3 and WBIC of a k-joinpoint fit with (weighted) SSE ``sse``.

    ``BIC(k)  = ln(SSE/n) + (2k + 2) ln(n) / n``;
    ``BIC3(k) = ln(SSE/n) + (3k + 2) ln(n) / n``;
    ``WBIC(k) = ln(SSE/n) + ((2 + R2max) k + 2) ln(n) / n = (1 - R2max) BIC + R2max BIC3``.
    """
    fit = np.log(sse / n)
    step = np.log(n) / n
    weight = 0.0 if k == 0 else r2_max
    return {
        "bic": float(fit + (2 * k + 2) * step),
        "bic3": float(fit + (3 * k + 2) * step),
        "wbic": float(fit + ((2 + weight) * k + 2) * step),
        "r2_max": float(r2_max),
    }


def permutation_test(
    x: Floats,
    sw: Floats,
    z: Floats,
    sets_null: Ints,
    sets_alt: Ints,
    n_permutations: int,
    rng: np.random.Generator,
) -> tuple[float, float]:
    """Permutation test of ``k_null`` against ``k_alt`` joinpoints (Kim et al. 2000).

    Statistic ``T = SSE_null / SSE_alt`` (both minimised over their grids). Under the null
    the (weighted, i.e. standardised) residuals of the null fit are exchangeable: each
    permuted series is the null fit plus permuted residuals, both grids are searched
    again, and ``p = (1 + #{T* >= T}) / (1 + N)``.
    """
    z1 = z[:, None]
    sse0, arg0 = best_fits(x, sw, z1, sets_null)
    sse1, _ = best_fits(x, sw, z1, sets_alt)
    stat = float(sse0[0] / sse1[0])
    fitted = weighted_fit(x, sw, z, x[sets_null[arg0[0]]])
    resid = z - fitted
    order = rng.permuted(np.tile(np.arange(len(z)), (n_permutations, 1)), axis=1)
    z_star = fitted[:, None] + resid[order.T]
    null_star, _ = best_fits(x, sw, z_star, sets_null)
    alt_star, _ = best_fits(x, sw, z_star, sets_alt)
    # A relative tolerance so that permutations reproducing the data count as ties.
    exceed = int(np.sum(null_star / alt_star >= stat * (1.0 - 1e-10)))
    return stat, (1.0 + exceed) / (1.0 + n_permutations)


def sequential_permutation(
    x: Floats,
    sw: Floats,
    z: Floats,
    sets: dict[int, Ints],
    *,
    alpha: float,
    adjustment: Literal["nci", "bonferroni"],
    n_permutations: int,
    rng: np.random.Generator,
) -> tuple[int, pd.DataFrame]:
    """The sequential procedure of Kim et al. (2000) between 0 and ``max(sets)`` joinpoints.

    Start with ``k_a = 0, k_b = K``; test ``k_a`` against ``k_b``; on rejection raise
    ``k_a`` by one, otherwise lower ``k_b`` by one; stop when they meet. Each test is
    carried out at level ``alpha / (K - k_a)`` (``adjustment="nci"``, NCI Joinpoint since
    version 3.0, which bounds every over-fitting probability by ``alpha``) or at the
    Bonferroni level ``alpha / K`` of the original paper (``"bonferroni"``).
    """
    top = max(sets)
    k_a, k_b = 0, top
    rows = []
    while k_a < k_b:
        level = alpha / (top - k_a) if adjustment == "nci" else alpha / top
        stat, p = permutation_test(x, sw, z, sets[k_a], sets[k_b], n_permutations, rng)
        reject = p < level
        rows.append(
            {
                "k_null": k_a,
                "k_alt": k_b,
                "statistic": stat,
                "p_value": p,
                "level": level,
                "reject": reject,
            }
        )
        if reject:
            k_a += 1
        else:
            k_b -= 1
    columns = ["k_null", "k_alt", "statistic", "p_value", "level", "reject"]
    return k_a, pd.DataFrame(rows, columns=columns)
