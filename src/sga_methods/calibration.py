"""Numerical core of weighting: margins, raking, calibration, trimming and calibrated variance.

:class:`~sga_methods.design.SurveyDesign` exposes ``poststratify``, ``rake``, ``calibrate`` and
``trim_weights`` as thin methods over these functions. Each weighting method returns new
weights and a *calibration step* that remembers how the weights were calibrated; the design
keeps the steps in order, and :func:`calibrated_variance` replaces the linearized scores by
the residuals of each step before the Taylor variance, as R's ``survey`` does in
``svyrecvar`` (``postStrata``). Everything works on integer-coded arrays with
``np.bincount``; raking and the raking variance run on the cells of the cross-classification
of the margins, so their cost is one pass over the rows.

References
----------
Deville, J.-C. and Särndal, C.-E. (1992). Calibration estimators in survey sampling. *JASA*
87, 376-382.
Deville, J.-C., Särndal, C.-E. and Sautory, O. (1993). Generalized raking procedures in
survey sampling. *JASA* 88, 1013-1020.
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley. Ch. 7.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.special import expit

from .variance import PsuStructure, taylor_variance

__all__ = [
    "CALIBRATION_METHODS",
    "CalibrationError",
    "CalibrationStep",
    "CellRegressionStep",
    "GregStep",
    "Margin",
    "RakingStep",
    "calibrate_weights",
    "calibrated_variance",
    "check_population_sizes",
    "code_margin",
    "greg_step",
    "rake_weights",
    "trim_weights",
]

CALIBRATION_METHODS: tuple[str, ...] = ("linear", "raking", "logit")
# R's survey repeats its raking residualization (svyrecvar, class "raking") 10 times.
RAKE_VARIANCE_SWEEPS = 10
_Floats = NDArray[np.float64]
_Codes = NDArray[np.int64]


class CalibrationError(ValueError):
    """Invalid margins or totals, or weights that cannot be calibrated (reported by the design)."""


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value.item() if isinstance(value, np.generic) else value


def _shown(values: Sequence[Any], limit: int = 8) -> str:
    items = ", ".join(repr(_plain(v)) for v in list(values)[:limit])
    return items + (f", ... ({len(values)} in all)" if len(values) > limit else "")


# ---------------------------------------------------------------------------- margins
@dataclass(frozen=True)
class Margin:
    """A categorical margin coded on the rows: level of each row and population totals.

    Attributes
    ----------
    label : str
        The column (``'stype'``) or cross-classification (``('stype', 'sch.wide')``).
    codes : ndarray of int64, shape (n,)
        Index into ``levels`` of each weighted row; ``-1`` for rows not weighted.
    levels : list
        Levels (tuples for a cross-classification), in the order the totals were given.
    totals : ndarray of float64
        Population total of each level.
    """

    label: str
    codes: _Codes
    levels: list[Any]
    totals: _Floats


def _totals_table(owner: str, label: str, columns: list[str], totals: Any) -> dict[Any, float]:
    if isinstance(totals, pd.DataFrame):
        absent = [c for c in [*columns, "population"] if c not in totals.columns]
        if absent:
            raise CalibrationError(
                f"The totals DataFrame of {label} passed to {owner} lacks the columns "
                f"{_shown(absent)}. Expected the level columns {_shown(columns)} and "
                "'population'."
            )
        keys: list[Any] = (
            list(totals[columns].itertuples(index=False, name=None))
            if len(columns) > 1
            else totals[columns[0]].tolist()
        )
        values = totals["population"].tolist()
    elif isinstance(totals, pd.Series):
        keys, values = list(totals.index), totals.tolist()
    elif isinstance(totals, Mapping):
        keys, values = list(totals.keys()), list(totals.values())
    else:
        raise CalibrationError(
            f"The totals of {label} passed to {owner} must be a dict (level -> population "
            f"total), a Series or a DataFrame with 'population'. Got {type(totals).__name__}."
        )
    table: dict[Any, float] = {}
    for key, value in zip(keys, values, strict=True):
        key = _plain(key)
        if len(columns) > 1 and not (isinstance(key, tuple) and len(key) == len(columns)):
            raise CalibrationError(
                f"The totals of {label} passed to {owner} must be keyed by tuples of "
                f"{len(columns)} levels (one per column). Got key {key!r}."
            )
        ok = isinstance(value, Real) and not isinstance(value, bool)
        if not ok or not 0 < float(value) < np.inf:
            raise CalibrationError(
                f"The population total of level {key!r} of {label} passed to {owner} must be "
                f"a finite number > 0. Got {value!r} instead."
            )
        if key in table:
            raise CalibrationError(f"Level {key!r} of {label} has two totals in {owner}.")
        table[key] = float(value)
    if not table:
        raise CalibrationError(f"The totals of {label} passed to {owner} are empty.")
    return table


def code_margin(
    data: pd.DataFrame, columns: list[str], totals: Any, rows: NDArray[np.bool_], owner: str
) -> Margin:
    """Code a categorical margin on the weighted ``rows`` and match its population totals.

    ``columns``: one column, or several for a cross-classification; ``totals``: ``{level:
    total}`` (tuple keys for a cross-classification), a Series, or a DataFrame with the
    columns and ``population``; ``owner`` names the caller in messages. Raises
    :class:`CalibrationError` for an unknown column, missing values in a weighted row, a
    total that is not a finite positive number, a total for a level absent from the
    weighted rows, or a level of the weighted rows without a total.
    """
    label = repr(columns[0]) if len(columns) == 1 else repr(tuple(columns))
    table = _totals_table(owner, label, columns, totals)
    per_column: list[tuple[_Codes, list[Any]]] = []
    for name in columns:
        if name not in data.columns:
            raise CalibrationError(f"The margin column {name!r} of {owner} is not in the data.")
        col = data[name]
        missing = rows & col.isna().to_numpy()
        if missing.any():
            first = ", ".join(str(i) for i in data.index[missing][:5])
            raise CalibrationError(
                f"The margin column {name!r} of {owner} has missing values in "
                f"{int(missing.sum())} weighted rows (rows {first}). Expected a level in every "
                "row being weighted."
            )
        raw, found_levels = pd.factorize(col[rows])
        per_column.append((raw.astype(np.int64), [_plain(u) for u in list(found_levels)]))
    inverse, levels = per_column[0]
    if len(per_column) > 1:  # number the observed combinations (hash-based, no sort)
        key = per_column[0][0]
        for codes, uniques in per_column[1:]:
            key = key * len(uniques) + codes
        combo, combos = pd.factorize(key)
        inverse = combo.astype(np.int64)
        first_row = np.zeros(combos.size, dtype=np.int64)
        first_row[inverse[::-1]] = np.arange(inverse.size)[::-1]
        levels = [tuple(u[c[i]] for c, u in per_column) for i in first_row.tolist()]
    order = {level: i for i, level in enumerate(table)}
    unmatched = [lvl for lvl in levels if lvl not in order]
    if unmatched:
        raise CalibrationError(
            f"The levels {_shown(unmatched)} of {label} occur among the weighted rows of "
            f"{owner} but have no population total. Expected a total for every level present "
            f"(totals were given for {_shown(list(table))})."
        )
    absent = [lvl for lvl in table if lvl not in set(levels)]
    if absent:
        raise CalibrationError(
            f"{owner} got population totals for levels {_shown(absent)} of {label} that do "
            f"not occur among the weighted rows (rows in the domain with a positive weight). "
            f"Expected only levels present: {_shown(levels)}."
        )
    mapping = np.array([order[lvl] for lvl in levels], dtype=np.int64)
    full = np.full(len(data), -1, dtype=np.int64)
    full[rows] = mapping[inverse]
    return Margin(label, full, list(table), np.array(list(table.values())))


def check_population_sizes(margins: Sequence[Margin], tolerance: float, owner: str) -> None:
    """Raise if categorical margins imply population sizes differing by more than tolerance."""
    sizes = [float(m.totals.sum()) for m in margins]
    if len(sizes) > 1 and (max(sizes) - min(sizes)) > tolerance * max(sizes):
        shown = ", ".join(
            f"{m.label} sums to {s:.10g}" for m, s in zip(margins, sizes, strict=True)
        )
        raise CalibrationError(
            f"The margins of {owner} imply different population sizes ({shown}). Expected "
            "every categorical margin to sum to the same total; rescale the totals."
        )


def _cells(margins: Sequence[Margin]) -> tuple[_Codes, list[_Codes]]:
    """Cross-classification of margins: cell of each row (-1 unweighted), level per cell."""
    rows = margins[0].codes >= 0
    sizes = [len(m.levels) for m in margins]
    codes = [m.codes[rows] for m in margins]
    if float(np.prod(np.array(sizes, dtype=float))) <= max(int(rows.sum()), 1 << 16):
        inverse = np.ravel_multi_index(tuple(codes), tuple(sizes))
        levels = [
            lev.astype(np.int64) for lev in np.unravel_index(np.arange(np.prod(sizes)), sizes)
        ]
    else:  # many cells: number the observed combinations only
        inverse = codes[0]
        for code, size in zip(codes[1:], sizes[1:], strict=True):
            _, inverse = np.unique(inverse * size + code, return_inverse=True)
        first = np.zeros(int(inverse.max()) + 1, dtype=np.int64)
        first[inverse] = np.arange(inverse.size)
        levels = [code[first] for code in codes]
    cell = np.full(rows.size, -1, dtype=np.int64)
    cell[rows] = inverse
    return cell, levels


def _worst(margins: Sequence[Margin], achieved: Sequence[_Floats]) -> tuple[float, str]:
    worst, where = -1.0, ""
    for m, got in zip(margins, achieved, strict=True):
        rel = np.abs(got - m.totals) / m.totals
        i = int(np.argmax(rel))
        if rel[i] > worst:
            worst, where = float(rel[i]), f"margin {m.label}, level {m.levels[i]!r}"
    return worst, where


def rake_weights(
    weights: _Floats, margins: Sequence[Margin], *, epsilon: float, max_iter: int, owner: str
) -> tuple[_Floats, _Codes, list[_Codes]]:
    """Iterative proportional fitting of the weights to categorical margins.

    Stops when every level total is within ``epsilon`` relative of its population total;
    returns the raked weights (rows not weighted unchanged), the cell of each row and the
    level of each margin per cell (for :class:`RakingStep`). Raises
    :class:`CalibrationError` after ``max_iter`` sweeps, giving the largest relative margin
    discrepancy and where it is.

    Notes
    -----
    Each sweep multiplies the weights of level ``l`` of margin ``m`` by
    ``N_ml / sum_{i in l} w_i``, in turn for every margin (Deming and Stephan 1940). All
    factors are constant within a cell of the cross-classification of the margins, so the
    sweeps run on the cell totals ``W_c = sum_{i in c} w_i`` and the rows are touched once.
    """
    rows = margins[0].codes >= 0
    cell, levels = _cells(margins)
    n_cells = levels[0].size
    base = np.bincount(cell[rows], weights=weights[rows], minlength=n_cells)
    factor = np.ones(n_cells)
    sizes = [len(m.levels) for m in margins]
    worst, where = np.inf, ""
    for _ in range(max_iter):
        for m, lev, size in zip(margins, levels, sizes, strict=True):
            achieved = np.bincount(lev, weights=base * factor, minlength=size)
            factor *= (m.totals / achieved)[lev]
        sums = [
            np.asarray(np.bincount(lev, weights=base * factor, minlength=size), dtype=np.float64)
            for lev, size in zip(levels, sizes, strict=True)
        ]
        worst, where = _worst(margins, sums)
        if worst < epsilon:
            out = weights.copy()
            out[rows] = weights[rows] * factor[cell[rows]]
            return out, cell, levels
    raise CalibrationError(
        f"{owner} did not converge in {max_iter} iterations: the largest relative difference "
        f"between a weighted and a population margin is {worst:.3g} ({where}), above "
        f"epsilon={epsilon:g}. Check that the margins are consistent, or raise max_iter."
    )


# ---------------------------------------------------------------------------- calibration
_Distance = tuple[Callable[[_Floats], _Floats], Callable[[_Floats], _Floats]]


def _distance(method: str, lower: float, upper: float) -> _Distance:
    """Calibration function ``g = F(u)`` and its derivative, for ``u = x' lambda``."""
    if method == "linear":
        return (
            lambda u: np.clip(1.0 + u, lower, upper),
            lambda u: ((1.0 + u > lower) & (1.0 + u < upper)).astype(float),
        )
    if method == "raking":
        return (
            lambda u: np.clip(np.exp(u), lower, upper),
            lambda u: np.where((np.exp(u) > lower) & (np.exp(u) < upper), np.exp(u), 0.0),
        )
    a = (upper - lower) / ((upper - 1.0) * (1.0 - lower))
    shift = np.log((1.0 - lower) / (upper - 1.0))

    def logit_f(u: _Floats) -> _Floats:
        return np.asarray(lower + (upper - lower) * expit(a * u + shift), dtype=np.float64)

    def logit_df(u: _Floats) -> _Floats:
        s = expit(a * u + shift)
        return np.asarray((upper - lower) * a * s * (1.0 - s), dtype=np.float64)

    return logit_f, logit_df


def calibrate_weights(
    weights: _Floats,
    x: _Floats,
    totals: _Floats,
    labels: Sequence[str],
    *,
    method: str,
    bounds: tuple[float, float],
    epsilon: float,
    max_iter: int,
    owner: str,
) -> _Floats:
    """g-weights of generalized calibration (Deville & Särndal 1992), by Newton's method.

    Parameters
    ----------
    weights : ndarray of float64, shape (m,)
        Weights ``d_i`` of the rows being calibrated (all positive).
    x : ndarray of float64, shape (m, p)
        Calibration variables (indicator columns of categorical levels, numeric columns).
    totals : ndarray of float64, shape (p,)
        Population totals ``t_x``.
    labels : sequence of str
        Name of each column, for messages.
    method : {"linear", "raking", "logit"}
        Distance function.
    bounds : (float, float)
        ``(L, U)`` with ``L < 1 < U``; ``(-inf, inf)`` for no bounds (not for logit).
    epsilon : float
        Convergence: every ``|t_x - sum_i d_i g_i x_i|`` below ``epsilon`` times ``|t_x|``.
    max_iter : int
        Maximum Newton iterations.
    owner : str
        For messages.

    Returns
    -------
    ndarray of float64, shape (m,)
        ``g_i``: the calibrated weights are ``w_i = d_i g_i``.

    Raises
    ------
    CalibrationError
        A total out of reach within the bounds (checked first on non-negative columns), or no
        convergence (message: iterations and largest relative discrepancy).

    Notes
    -----
    Calibration minimizes ``sum_i d_i G(w_i / d_i)`` subject to ``sum_i w_i x_i = t_x``; the
    solution is ``g_i = F(x_i' lambda)`` with ``F`` the inverse of ``G'``:

    - linear (GREG, chi-square distance): ``F(u) = 1 + u``, truncated to ``[L, U]``;
    - raking (multiplicative, ``G(g) = g log g - g + 1``): ``F(u) = exp(u)``, truncated;
    - logit: ``F(u) = (L (U-1) + U (1-L) e^{A u}) / (U - 1 + (1-L) e^{A u})`` with
      ``A = (U - L) / ((1 - L)(U - 1))``, so ``L < g < U`` (Deville, Särndal & Sautory 1993).

    Newton steps ``lambda += T^+ (t_x - sum_i d_i g_i x_i)``, ``T = sum_i d_i F'(x_i'
    lambda) x_i x_i'`` (a pseudo-inverse as R's ``grake``, so redundant columns are allowed),
    halving a step that gives non-finite weights. The calibrated weights solve the same
    equations as R's ``calibrate()``; R's ``grake`` rescales the weights first when every
    population total exceeds 20 times its sample total (then its bounds apply to the rescaled
    weights); here the bounds always apply to ``g = w / d``.
    """
    lower, upper = bounds
    sample = x.T @ weights
    for k in range(x.shape[1]):
        if (x[:, k] >= 0).all() and sample[k] > 0:
            ratio = totals[k] / sample[k]
            if not lower * (1 - 1e-12) <= ratio <= upper * (1 + 1e-12):
                raise CalibrationError(
                    f"The bounds ({lower:g}, {upper:g}) of {owner} are infeasible: the "
                    f"population total of {labels[k]} is {ratio:.6g} times its weighted sample "
                    "total, so no weights within the bounds can reach it. Widen the bounds."
                )
    scale = np.abs(x).max(axis=0)
    scale[scale == 0] = 1.0
    xs, target = x / scale, totals / scale
    spread = np.abs(xs).T @ weights
    denominator = np.where(target != 0, np.abs(target), np.maximum(spread, 1e-300))
    f, df = _distance(method, lower, upper)
    lam = np.zeros(x.shape[1])
    g = f(xs @ lam)
    for _ in range(max_iter + 1):
        misfit = target - xs.T @ (weights * g)
        worst = np.abs(misfit) / denominator
        if worst.max() < epsilon:
            return g
        tmat = (xs * (weights * df(xs @ lam))[:, None]).T @ xs
        step = np.linalg.pinv(tmat, rtol=256 * np.finfo(float).eps, hermitian=True) @ misfit
        for _ in range(60):
            g = f(xs @ (lam + step))
            if np.isfinite(g).all():
                break
            step = step / 2
        lam = lam + step
    k = int(np.argmax(worst))
    raise CalibrationError(
        f"{owner} (method={method!r}, bounds=({lower:g}, {upper:g})) did not converge in "
        f"{max_iter} iterations: the largest relative difference between a calibrated and a "
        f"population total is {worst[k]:.3g} ({labels[k]}). The bounds may be infeasible; "
        "widen them, or raise max_iter."
    )


def trim_weights(
    weights: _Floats, lower: float, upper: float, *, strict: bool, max_passes: int = 10_000
) -> _Floats:
    """Cap the weights to ``[lower, upper]`` and share the trimmed amount equally (R 4.1.1).

    ``strict`` repeats the pass until no weight is outside the bounds (at most
    ``max_passes``); :class:`CalibrationError` if every weight is outside the bounds or
    ``strict`` does not settle.

    Notes
    -----
    One pass: ``w_i' = min(max(w_i, lower), upper)``; the ``m`` rows strictly inside the
    bounds each get ``sum_i (w_i - w_i') / m`` added (equal, additive shares), so the total
    weight is kept. This is ``trimWeights`` of R's survey 4.1.1.
    """
    pw = weights.copy()
    for _ in range(max_passes):
        outside = (pw < lower) | (pw > upper)
        if not outside.any():
            return pw
        if outside.all():
            raise CalibrationError(
                f"Every weight is outside the bounds ({lower:g}, {upper:g}); there is no weight "
                "left to receive the trimmed amount."
            )
        new = np.clip(pw, lower, upper)
        new[~outside] += (pw - new).sum() / int((~outside).sum())
        pw = new
        if not strict:
            return pw
    raise CalibrationError(
        f"Trimming to ({lower:g}, {upper:g}) with strict=True did not settle in {max_passes} "
        "passes; the bounds are too close to the mean weight."
    )


# ---------------------------------------------------------------------------- variance steps
class CalibrationStep:
    """How one weighting step changes the linearized scores (R's ``design$postStrata``)."""

    def residualize(self, x: _Floats) -> _Floats:  # pragma: no cover - interface
        """Scores ``x`` (shape (n, k)) replaced by the residuals of this calibration."""
        raise NotImplementedError


def _cell_sums(cell: _Codes, values: _Floats, n_cells: int) -> _Floats:
    return np.stack(
        [
            np.bincount(cell, weights=values[:, j], minlength=n_cells)
            for j in range(values.shape[1])
        ],
        axis=1,
    )


@dataclass(frozen=True)
class CellRegressionStep(CalibrationStep):
    """Residuals of a weighted regression on cell-constant variables (post-stratification).

    With ``u_i = x_i / w_i`` (``w``: weights after this step), the scores become
    ``w_i (u_i - z_c' b)`` where ``z_c`` are the variables of cell ``c`` and ``b`` the
    regression of ``u`` on ``z`` weighted by the weights before the step ``d_i``. For
    post-stratification ``z_c`` is the cell indicator and ``z_c' b`` the ``d``-weighted mean
    of ``u`` in the post-stratum, exactly R's ``svyrecvar`` for ``postStratify``.
    """

    cell: _Codes
    n_cells: int
    design: _Floats | None  # (n_cells, p) variables per cell; None: cell indicators
    old_weights: _Floats
    weights: _Floats

    def residualize(self, x: _Floats) -> _Floats:
        rows = self.cell >= 0
        c, w, n_cells = self.cell[rows], self.weights[rows][:, None], self.n_cells
        u = x[rows] / w
        d = self.old_weights[rows]
        wc = np.bincount(c, weights=d, minlength=n_cells)
        sums = _cell_sums(c, u * d[:, None], n_cells)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.design is None:
                fitted = np.where(wc[:, None] > 0, sums / wc[:, None], 0.0)
            else:
                root = np.sqrt(wc)[:, None]
                rhs = np.where(root > 0, sums / root, 0.0)
                coef = np.linalg.lstsq(root * self.design, rhs, rcond=None)[0]
                fitted = self.design @ coef
        out = x.copy()
        out[rows] = (u - fitted[c]) * w
        return out


@dataclass(frozen=True)
class RakingStep(CalibrationStep):
    """R's variance step for ``rake()``: repeated unweighted centring within each margin.

    With ``u_i = x_i / w_i``, ``RAKE_VARIANCE_SWEEPS`` (10) times for each margin in turn
    ``u_i <- u_i - mean_{j in l(i)} u_j`` (unweighted mean over the rows of the level),
    then ``x_i = w_i u_i`` (R's ``svyrecvar``, class ``"raking"``). Run on cells.
    """

    cell: _Codes
    cell_levels: tuple[_Codes, ...]
    sizes: tuple[int, ...]
    weights: _Floats

    def residualize(self, x: _Floats) -> _Floats:
        rows = self.cell >= 0
        c, w = self.cell[rows], self.weights[rows][:, None]
        n_cells = self.cell_levels[0].size
        count = np.bincount(c, minlength=n_cells).astype(float)
        level_count = [
            np.bincount(lev, weights=count, minlength=size)
            for lev, size in zip(self.cell_levels, self.sizes, strict=True)
        ]
        u = x[rows] / w
        sums = _cell_sums(c, u, n_cells)
        shift = np.zeros_like(sums)
        for _ in range(RAKE_VARIANCE_SWEEPS):
            for lev, size, n_l in zip(self.cell_levels, self.sizes, level_count, strict=True):
                rest = sums - count[:, None] * shift
                level_sum = _cell_sums(lev, rest, size)
                shift += (level_sum / n_l[:, None])[lev]
        out = x.copy()
        out[rows] = (u - shift[c]) * w
        return out


@dataclass(frozen=True)
class GregStep(CalibrationStep):
    """R's variance step for ``calibrate()``: residuals of the GREG regression.

    ``basis`` is an orthonormal basis of the columns of ``diag(sqrt(d)) X`` on the calibrated
    rows and ``scale = g sqrt(d)`` (R's ``caldata$w``); the scores become
    ``scale * (I - Q Q') (x / scale)``, i.e. ``w_i (u_i - x_i' B)`` with ``u = x / w`` and
    ``B`` the ``d``-weighted least-squares regression of ``u`` on the calibration variables.
    """

    rows: NDArray[np.intp]
    basis: _Floats
    scale: _Floats

    def residualize(self, x: _Floats) -> _Floats:
        s = self.scale[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            y = np.where(s != 0, x[self.rows] / s, 0.0)
        y = y - self.basis @ (self.basis.T @ y)
        out = x.copy()
        out[self.rows] = y * s
        return out


def greg_step(rows: NDArray[np.intp], x: _Floats, old: _Floats, g: _Floats) -> GregStep:
    """The :class:`GregStep` of a calibration with variables ``x`` and g-weights ``g``."""
    root = np.sqrt(old)
    xs = x / np.where(np.abs(x).max(axis=0) > 0, np.abs(x).max(axis=0), 1.0)
    basis, sing, _ = np.linalg.svd(xs * root[:, None], full_matrices=False)
    keep = sing > sing.max() * max(xs.shape) * np.finfo(float).eps
    return GregStep(rows, np.ascontiguousarray(basis[:, keep]), g * root)


def calibrated_variance(
    scores: _Floats,
    steps: Sequence[CalibrationStep],
    structure: PsuStructure,
    support: NDArray[np.bool_],
    lonely_psu: str,
) -> _Floats:
    """Taylor variance of calibrated estimators: residualize the scores, then ``svyrecvar``.

    Parameters
    ----------
    scores : ndarray of float64, shape (n, k)
        One column of weighted linearized scores per domain (zero outside the domain).
    steps : sequence of CalibrationStep
        The design's weighting steps, applied in order (R applies ``postStrata`` in order).
    structure : PsuStructure
        Strata, PSUs and fpc.
    support : ndarray of bool, shape (n,)
        Rows of the calibrated design (all rows, or the domain it was calibrated on): the
        variance counts PSUs and strata of these rows for every domain, as R keeps every
        row of a calibrated design in its domains (weight zero outside).
    lonely_psu : str
        Lonely-PSU rule.

    Returns
    -------
    ndarray of float64, shape (k,)

    Notes
    -----
    :func:`~sga_methods.variance.taylor_variance` of the residualized scores for one domain
    holding the whole support (PSUs without support rows count as zero totals), every stage
    of a multistage design included: ``V = sum_h (1 - f_h) n_h / (n_h - 1) sum_i (e_hi -
    ebar_h)^2 + ...`` over the strata with support rows, with the same lonely-PSU rules
    (``"adjust"``: ``(1 - f_h) e_h1^2``; ``"average"``: times ``H / H_ok``). R's
    ``svyrecvar`` likewise residualizes first, then runs its ``multistage`` recursion.
    """
    x = scores
    for step in steps:
        x = step.residualize(x)
    codes = np.where(support, 0, -1)
    try:
        variance = taylor_variance(x, structure, domain=codes, n_domains=1, lonely_psu=lonely_psu)
    except ValueError as err:
        raise CalibrationError(str(err)) from None
    return np.asarray(variance[0], dtype=np.float64)
