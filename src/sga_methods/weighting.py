"""Survey weighting: design weights, nonresponse, post-stratification, raking, calibration.

The weighting functions take a :class:`~sga_methods.design.SurveyDesign` and return a new
one, as R's ``postStratify``, ``rake``, ``calibrate`` and ``trimWeights`` do; they are also
the methods of the design (``d.rake(...)`` calls :func:`rake`). The new design remembers how
its weights were calibrated, so its standard errors use the residuals of the calibration
(:mod:`sga_methods.calibration` holds the numerical core). The diagnostics (Kish design
effect, effective sample size, margins, response rates) describe any set of weights.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from ._design_input import SurveyDesignError, _check_choice, _names, _rows
from .calibration import (
    CALIBRATION_METHODS,
    CalibrationError,
    CalibrationStep,
    CellRegressionStep,
    Margin,
    RakingStep,
    calibrate_weights,
    check_population_sizes,
    code_margin,
    greg_step,
    rake_weights,
)
from .calibration import trim_weights as _trim
from .design import SurveyDesign

__all__ = [
    "RAKE_VARIANCES",
    "calibrate",
    "compare_margins",
    "design_weights",
    "effective_sample_size",
    "kish_deff",
    "nonresponse_adjustment",
    "poststratify",
    "rake",
    "response_rates",
    "trim_weights",
]

RAKE_VARIANCES: tuple[str, ...] = ("survey", "regression")


def _weights(w: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    arr = np.asarray(w, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError("weights must be a non-empty one-dimensional array")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0) or arr.sum() <= 0:
        raise ValueError("weights must be finite, non-negative and not all zero")
    return arr


def kish_deff(w: Sequence[float] | np.ndarray | pd.Series) -> float:
    """Kish's design effect due to unequal weighting.

    Parameters
    ----------
    w : array-like
        Non-negative weights.

    Returns
    -------
    float
        ``deff_w = 1 + CV²(w) = n Σw² / (Σw)²``.

    Notes
    -----
    CV is the coefficient of variation of the weights with the population (divide-by-n)
    variance, so that equal weights give exactly 1.

    References
    ----------
    Kish, L. (1965). *Survey Sampling*. Wiley, section 11.7.
    """
    arr = _weights(w)
    return float(arr.size * np.sum(arr**2) / np.sum(arr) ** 2)


def effective_sample_size(w: Sequence[float] | np.ndarray | pd.Series) -> float:
    """Kish's effective sample size ``(Σw)² / Σw² = n / deff_w``."""
    arr = _weights(w)
    return float(np.sum(arr) ** 2 / np.sum(arr**2))


def compare_margins(
    data: pd.DataFrame,
    weights: str,
    targets: pd.DataFrame,
    variables: Sequence[str],
) -> pd.DataFrame:
    """Achieved sample distribution against population targets, one row per level.

    Parameters
    ----------
    data : DataFrame
        The survey respondents.
    weights : str
        Column of ``data`` holding the weights to diagnose.
    targets : DataFrame
        Population counts with columns ``variable``, ``level`` and ``population``.
    variables : sequence of str
        The margins to compare (columns of ``data`` and values of ``targets.variable``).

    Returns
    -------
    DataFrame
        Columns ``variable, level, n, sample_pct, weighted_pct, population_pct,
        difference_pp`` (weighted minus population, in percentage points).
    """
    for col in [weights, *variables]:
        if col not in data.columns:
            raise ValueError(f"compare_margins: column {col!r} is not in the data")
    w = _weights(data[weights])
    rows = []
    for var in variables:
        target = targets.loc[targets["variable"] == var, ["level", "population"]]
        if target.empty:
            raise ValueError(f"compare_margins: no population targets for variable {var!r}")
        levels = data[var].astype(str)
        sample = pd.DataFrame({"level": levels, "w": w}).groupby("level")["w"].agg(["size", "sum"])
        frame = target.assign(level=target["level"].astype(str)).set_index("level")
        frame = frame.join(sample, how="outer").fillna(0.0)
        rows.append(
            pd.DataFrame(
                {
                    "variable": var,
                    "level": frame.index,
                    "n": frame["size"].astype(int).to_numpy(),
                    "sample_pct": 100 * frame["size"].to_numpy() / frame["size"].sum(),
                    "weighted_pct": 100 * frame["sum"].to_numpy() / frame["sum"].sum(),
                    "population_pct": 100
                    * frame["population"].to_numpy()
                    / frame["population"].sum(),
                }
            )
        )
    out = pd.concat(rows, ignore_index=True)
    out["difference_pp"] = out["weighted_pct"] - out["population_pct"]
    return out


def response_rates(
    fieldwork: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    *,
    outcome: str = "outcome",
    complete: str = "complete",
) -> pd.DataFrame:
    """Household response by fieldwork outcome, overall or by group.

    Parameters
    ----------
    fieldwork : DataFrame
        One row per sampled unit with its final outcome.
    by : str or list of str, optional
        Grouping columns (e.g. ``"stratum"``).
    outcome : str, default "outcome"
        Column with the final disposition code.
    complete : str, default "complete"
        The code of a completed interview.

    Returns
    -------
    DataFrame
        ``sampled``, one count column per outcome code, and ``response_rate`` (%).

    Notes
    -----
    Every sampled household is treated as eligible, so the rate is AAPOR's RR1:
    completes / (completes + refusals + non-contacts + other). Frames with ineligible
    units (vacant dwellings) must drop them first.
    """
    keys = [by] if isinstance(by, str) else list(by or [])
    for col in [*keys, outcome]:
        if col not in fieldwork.columns:
            raise ValueError(f"response_rates: column {col!r} is not in the fieldwork data")
    grouped = fieldwork.assign(_all="all").groupby([*keys] or ["_all"])[outcome]
    counts = grouped.value_counts().unstack(fill_value=0)
    counts.columns = [str(c) for c in counts.columns]
    if complete not in counts.columns:
        counts[complete] = 0
    counts.insert(0, "sampled", counts.sum(axis=1))
    counts["response_rate"] = 100 * counts[complete] / counts["sampled"]
    counts = counts.reset_index()
    return counts.drop(columns="_all", errors="ignore")


# ---------------------------------------------------------------------------- validation
def _number(owner: str, name: str, value: Any, *, positive: bool = False) -> float:
    ok = isinstance(value, Real) and not isinstance(value, bool) and not np.isnan(float(value))
    if not ok or (positive and not 0 < float(value) < np.inf):
        what = "a positive finite number" if positive else "a number"
        raise SurveyDesignError(
            f"The {name!r} parameter of {owner} must be {what}. Got {value!r} instead."
        )
    return float(value)


@contextmanager
def _reported() -> Iterator[None]:
    """Re-raise errors of the numerical core as :class:`SurveyDesignError`."""
    try:
        yield
    except CalibrationError as err:
        raise SurveyDesignError(str(err)) from None


def _margins(
    design: SurveyDesign, owner: str, margins: Any, rows: np.ndarray
) -> list[Margin | tuple[str, float]]:
    """Code each margin: categorical (a :class:`Margin`) or numeric (column, total)."""
    if not isinstance(margins, Mapping) or not margins:
        raise SurveyDesignError(
            f"The 'margins' parameter of {owner} must be a non-empty dict of column -> "
            f"totals. Got {margins!r} instead."
        )
    out: list[Margin | tuple[str, float]] = []
    for key, totals in margins.items():
        cols = _names(owner, "margins", list(key) if isinstance(key, tuple) else key)
        if isinstance(totals, Real) and not isinstance(totals, bool):
            total = _number(owner, f"margins[{cols[0]!r}]", totals)
            if not np.isfinite(total) or len(cols) > 1:
                raise SurveyDesignError(
                    f"The total of the numeric column {key!r} of {owner} must be a finite "
                    f"number for one column. Got {totals!r} instead."
                )
            out.append((cols[0], total))
        else:
            with _reported():
                out.append(code_margin(design._data, cols, totals, rows, owner))
    return out


def _bounds(owner: str, method: str, bounds: Any) -> tuple[float, float]:
    if bounds is None and method != "logit":
        return -np.inf, np.inf
    try:
        lower, upper = (float(b) for b in bounds)
    except (TypeError, ValueError):
        lower, upper = np.nan, np.nan
    finite = bool(np.isfinite([lower, upper]).all()) or method != "logit"
    if not (lower < 1.0 < upper and finite):
        need = "finite numbers " if method == "logit" else ""
        raise SurveyDesignError(
            f"The 'bounds' parameter of {owner} with method={method!r} must be a pair of "
            f"{need}(L, U) with L < 1 < U. Got {bounds!r} instead."
        )
    return lower, upper


# ---------------------------------------------------------------------------- weighting
def design_weights(probabilities: Sequence[float] | np.ndarray | pd.Series) -> pd.Series:
    """Design (base) weights ``d_i = 1 / pi_i`` from inclusion probabilities.

    Parameters
    ----------
    probabilities : array-like or Series
        Inclusion probability of each sampled unit, in (0, 1].

    Returns
    -------
    pandas.Series
        ``1 / pi``, named ``"weight"``, with the index of ``probabilities`` if a Series.

    Raises
    ------
    SurveyDesignError
        Empty, missing, non-finite or out-of-range probabilities (names the first rows).

    References
    ----------
    Horvitz, D. G. and Thompson, D. J. (1952). A generalization of sampling without
    replacement from a finite universe. *JASA* 47, 663-685.

    Examples
    --------
    >>> design_weights([0.5, 0.25, 1.0]).tolist()
    [2.0, 4.0, 1.0]
    """
    p = probabilities if isinstance(probabilities, pd.Series) else pd.Series(probabilities)
    if p.size == 0 or not (pd.api.types.is_numeric_dtype(p) and not pd.api.types.is_bool_dtype(p)):
        raise SurveyDesignError(
            "The 'probabilities' parameter of design_weights must be non-empty and numeric. "
            f"Got {p.size} values of dtype {p.dtype} instead."
        )
    values = p.to_numpy(dtype=float, na_value=np.nan)
    bad = ~((values > 0) & (values <= 1))
    if bad.any():
        raise SurveyDesignError(
            f"The 'probabilities' parameter of design_weights has values outside (0, 1] or "
            f"missing ({_rows(p.index, bad)}: {_shown(values[bad])}). Expected inclusion "
            "probabilities in (0, 1]."
        )
    return pd.Series(1.0 / values, index=p.index, name="weight")


def _shown(values: np.ndarray, limit: int = 5) -> str:
    return ", ".join(f"{v:g}" for v in values[:limit]) + (" ..." if values.size > limit else "")


def nonresponse_adjustment(
    data: pd.DataFrame,
    *,
    weights: str,
    responded: str,
    cells: str | Sequence[str] | None = None,
) -> pd.Series:
    """Weighting-class nonresponse adjustment: respondents carry their cell's nonrespondents.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per eligible sampled unit, respondents and nonrespondents.
    weights : str
        Column of design weights (finite, non-negative).
    responded : str
        Boolean (or 0/1) column: ``True`` for respondents. No missing values.
    cells : str or list of str, optional
        Adjustment cell columns (their cross-classification); ``None``: one cell.

    Returns
    -------
    pandas.Series
        Adjusted weights of the respondents (indexed like their rows), named ``"weight"``.

    Raises
    ------
    SurveyDesignError
        Unknown columns, invalid weights, a non-boolean or missing ``responded``, missing
        cell values, or a cell with sampled weight but no responding weight (names it).

    Notes
    -----
    In cell ``c``, ``w_i = d_i * sum_{j in c} d_j / sum_{j in c, resp} d_j`` for respondents
    ``i``: the inverse of the weighted response rate of the cell. The respondents' total
    weight in each cell equals the cell's sampled total weight.

    References
    ----------
    Valliant, R., Dever, J. A. and Kreuter, F. (2018). *Practical Tools for Designing and
    Weighting Survey Samples*, 2nd ed., section 13.5. Kalton, G. and Flores-Cervantes, I.
    (2003). Weighting methods. *J. Official Statistics* 19, 81-97.

    Examples
    --------
    >>> df = pd.DataFrame({"d": [10.0, 10.0, 20.0, 20.0], "r": [True, False, True, True],
    ...                    "area": ["a", "a", "b", "b"]})
    >>> nonresponse_adjustment(df, weights="d", responded="r", cells="area").tolist()
    [20.0, 20.0, 20.0]
    """
    owner = "nonresponse_adjustment"
    keys = [] if cells is None else _names(owner, "cells", cells)
    for role, col in [("weights", weights), ("responded", responded)] + [
        ("cells", c) for c in keys
    ]:
        if not isinstance(col, str) or col not in data.columns:
            raise SurveyDesignError(f"The {role!r} column {col!r} of {owner} is not in the data.")
    d = design_weight_values(data, weights, owner)
    resp = data[responded]
    if resp.isna().any() or not (
        pd.api.types.is_bool_dtype(resp) or set(pd.unique(resp)) <= {0, 1}
    ):
        raise SurveyDesignError(
            f"The 'responded' column {responded!r} of {owner} must be boolean (or 0/1) without "
            f"missing values. Got dtype {resp.dtype} with values {list(pd.unique(resp))[:5]}."
        )
    r = resp.to_numpy().astype(bool)
    for col in keys:
        missing = data[col].isna().to_numpy()
        if missing.any():
            raise SurveyDesignError(
                f"The 'cells' column {col!r} of {owner} has missing values "
                f"({_rows(data.index, missing)}). Expected a cell for every unit."
            )
    cell = (
        data.groupby(keys, sort=True).ngroup().to_numpy()
        if keys
        else np.zeros(len(data), dtype=np.int64)
    )
    sampled = np.bincount(cell, weights=d)
    responding = np.bincount(cell, weights=d * r, minlength=sampled.size)
    empty = (sampled > 0) & (responding <= 0)
    if empty.any():
        first = [
            data[keys].iloc[int(np.flatnonzero(cell == c)[0])].tolist()
            for c in np.flatnonzero(empty)
        ]
        raise SurveyDesignError(
            f"{owner} has {int(empty.sum())} cells with sampled units but no responding weight "
            f"(cells {first[:5]} of {keys}). Expected at least one respondent with a positive "
            "weight in every cell; collapse cells."
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(responding > 0, sampled / responding, 0.0)
    return pd.Series((d * factor[cell])[r], index=data.index[r], name="weight")


def design_weight_values(data: pd.DataFrame, column: str, owner: str) -> np.ndarray:
    """Validated weights of ``column``: numeric, finite, non-negative, not all zero."""
    col = data[column]
    values = (
        col.to_numpy(dtype=float, na_value=np.nan)
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
        else np.full(len(col), np.nan)
    )
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any() or not (values > 0).any():
        where = f" ({_rows(data.index, bad)})" if bad.any() else ""
        raise SurveyDesignError(
            f"The 'weights' column {column!r} of {owner} must hold finite non-negative numbers, "
            f"not all zero{where}."
        )
    return values


def poststratify(design: SurveyDesign, columns: str | Sequence[str], totals: Any) -> SurveyDesign:
    """Post-stratify: scale the weights of each cell to its population count.

    Parameters
    ----------
    design : SurveyDesign
        The design to weight (``d.poststratify(columns, totals)`` calls this function).
    columns : str or list of str
        Post-stratification column, or columns whose cross-classification are the cells.
    totals : dict, Series or DataFrame
        Population count of each level: ``{level: N}``, ``{(level1, level2): N}`` for a
        cross-classification, a Series indexed by level, or a DataFrame with the columns
        and ``population``. Every level of the weighted rows (domain rows with a positive
        weight) needs a count, and every count a level among them.

    Returns
    -------
    SurveyDesign
        A new design (``design`` is unchanged) with weights ``w_i N_c / sum_{j in c} w_j``
        in cell ``c`` and a variance that uses the post-stratification residuals.

    Raises
    ------
    SurveyDesignError
        Unknown column, missing values, non-positive counts, unknown or missing levels;
        a subset of an already calibrated design.

    Notes
    -----
    As R's ``postStratify``: the scores ``z_i = w_i u_i`` of every estimator become
    ``w_i (u_i - ubar_c)``, ``ubar_c = sum_{j in c} d_j u_j / sum_{j in c} d_j`` with ``d``
    the weights before post-stratification, before the Taylor variance
    (:class:`~sga_methods.calibration.CellRegressionStep`). Weighting a subset of an
    uncalibrated design weights the domain alone, as R (which drops the other rows).

    References
    ----------
    Holt, D. and Smith, T. M. F. (1979). Post stratification. *JRSS A* 142, 33-46.
    Lumley, T. (2010). *Complex Surveys*, section 7.2.

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "a", "b"], "y": [1.0, 3.0, 5.0]})
    >>> SurveyDesign(df).poststratify("g", {"a": 10, "b": 30}).weights.tolist()
    [5.0, 5.0, 30.0]
    """
    owner = "SurveyDesign.poststratify"
    rows = design._weighted_rows(owner)
    with _reported():
        margin = code_margin(design._data, _names(owner, "columns", columns), totals, rows, owner)
    w, codes, size = design._w, margin.codes[rows], len(margin.levels)
    new = w.copy()
    new[rows] = w[rows] * (margin.totals / np.bincount(codes, w[rows], size))[codes]
    return design._reweighted(rows, new, CellRegressionStep(margin.codes, size, None, w, new))


def rake(
    design: SurveyDesign,
    margins: Mapping[str | tuple[str, ...], Any],
    *,
    epsilon: float = 1e-10,
    max_iter: int = 1000,
    variance: str = "survey",
) -> SurveyDesign:
    """Rake (iterative proportional fitting) the weights to several categorical margins.

    Parameters
    ----------
    design : SurveyDesign
        The design to weight (``d.rake(...)`` calls this function).
    margins : dict
        ``{column: totals}`` per margin, totals as in :func:`poststratify`; a key may be a
        tuple of columns for a cross-classified margin. The margins must sum to the same
        population size.
    epsilon : float, default 1e-10
        Stop when every weighted level total is within ``epsilon`` relative of its
        population total. (R's ``rake`` stops when the cross table changes by less than
        ``epsilon`` times the total weight between sweeps, default ``epsilon = 1``.)
    max_iter : int, default 1000
        Maximum sweeps over the margins.
    variance : {"survey", "regression"}, default "survey"
        ``"survey"``: R's ``rake`` variance (Notes). ``"regression"``: residuals of the
        ``d``-weighted regression on all margins' level indicators, the linearization of
        the raking estimator, as :func:`calibrate` with ``method="raking"``; with one margin
        it equals :func:`poststratify`.

    Returns
    -------
    SurveyDesign
        A new design; ``design`` is unchanged.

    Raises
    ------
    SurveyDesignError
        As :func:`poststratify`; a numeric total; margins implying different population
        sizes; no convergence (the message gives the iterations and the largest
        relative margin discrepancy, with its margin and level).

    Notes
    -----
    Each sweep post-stratifies on each margin in turn. The factors are constant within the
    cells of the cross-classification of the margins, so the sweeps run on cell totals
    (:func:`~sga_methods.calibration.rake_weights`) and the rows are read twice.

    Variance (``"survey"``): R's ``rake`` is repeated ``postStratify``; ``svyrecvar`` then
    takes ``u_i = z_i / w_i`` and 10 times, for each margin ``m`` in turn, subtracts the
    *unweighted* mean of ``u`` over the rows of each level, ``u_i <- u_i - mean_{j: l_m(j)
    = l_m(i)} u_j``; the scores are ``w_i u_i``
    (:class:`~sga_methods.calibration.RakingStep`). With weights that vary within the
    margins' levels this differs from the post-stratification / GREG residual
    (``"regression"``): ``svymean(~api00)`` on apiclus2 raked on ``stype`` alone has SE
    35.3 this way and 28.6 post-stratified.

    References
    ----------
    Deming, W. E. and Stephan, F. F. (1940). On a least squares adjustment of a sampled
    frequency table when the expected marginal totals are known. *Ann. Math. Stat.* 11,
    427-444. Lumley, T. (2010). *Complex Surveys*, section 7.3.

    Examples
    --------
    >>> df = pd.DataFrame({"a": ["x", "x", "y", "y"], "b": ["u", "v", "u", "v"]})
    >>> d = SurveyDesign(df).rake({"a": {"x": 6, "y": 4}, "b": {"u": 5, "v": 5}})
    >>> d.weights.round(6).tolist()
    [3.0, 3.0, 2.0, 2.0]
    """
    owner = "SurveyDesign.rake"
    epsilon = _number(owner, "epsilon", epsilon, positive=True)
    max_iter = int(_number(owner, "max_iter", max_iter, positive=True))
    _check_choice(owner, "variance", variance, RAKE_VARIANCES)
    rows = design._weighted_rows(owner)
    coded = [m for m in _margins(design, owner, margins, rows) if isinstance(m, Margin)]
    if len(coded) < len(margins):
        raise SurveyDesignError(
            f"The margins of {owner} must be categorical (a total per level); use "
            "SurveyDesign.calibrate for a numeric total."
        )
    with _reported():
        check_population_sizes(coded, epsilon, owner)
        new, cell, levels = rake_weights(
            design._w, coded, epsilon=epsilon, max_iter=max_iter, owner=owner
        )
    sizes = tuple(len(m.levels) for m in coded)
    step: CalibrationStep = RakingStep(cell, tuple(levels), sizes, new)
    if variance == "regression":
        z = np.hstack([np.eye(k)[lev] for lev, k in zip(levels, sizes, strict=True)])
        step = CellRegressionStep(cell, levels[0].size, z, design._w, new)
    return design._reweighted(rows, new, step)


def calibrate(
    design: SurveyDesign,
    margins: Mapping[str | tuple[str, ...], Any],
    *,
    method: str = "linear",
    bounds: tuple[float, float] | None = None,
    epsilon: float = 1e-10,
    max_iter: int = 100,
) -> SurveyDesign:
    """Calibrate the weights to categorical and numeric population totals.

    Parameters
    ----------
    design : SurveyDesign
        The design to weight (``d.calibrate(...)`` calls this function).
    margins : dict
        ``{column: totals}``: a categorical margin has level totals (as in
        :func:`poststratify`; a tuple key for a cross-classification), a numeric column a
        scalar total, e.g. ``{"stype": {"E": 4421, "H": 755, "M": 1018}, "api99": 3914069}``.
        A full set of levels of a categorical margin fixes the population size (the
        intercept of R's ``calibrate(design, ~stype + api99, ...)``); with numeric columns
        alone there is no intercept unless a column of ones with the population size as its
        total is added.
    method : {"linear", "raking", "logit"}, default "linear"
        Distance function (Deville & Särndal 1992): GREG, multiplicative, logit.
    bounds : (float, float), optional
        ``(L, U)`` with ``L < 1 < U`` for the g-weights ``w_i / d_i``; required and finite
        for ``"logit"``; truncation for ``"linear"`` and ``"raking"``.
    epsilon : float, default 1e-10
        Convergence: every calibrated total within ``epsilon`` relative of its target.
    max_iter : int, default 100
        Maximum Newton iterations.

    Returns
    -------
    SurveyDesign
        A new design; ``design`` is unchanged.

    Raises
    ------
    SurveyDesignError
        As :func:`poststratify`; a numeric column with missing values or a non-finite total;
        bounds not ``L < 1 < U`` (or infinite for logit); infeasible bounds; no convergence
        (iterations and largest discrepancy); negative calibrated weights.

    Notes
    -----
    ``w_i = d_i g_i`` with ``g_i = F(x_i' lambda)`` solving ``sum_i d_i g_i x_i = t_x``;
    ``F`` for each method is given in :func:`~sga_methods.calibration.calibrate_weights`.
    Variance as R's ``calibrate``: the scores ``z_i = w_i u_i`` become ``w_i (u_i - x_i'
    B)`` with ``B = (sum_i d_i x_i x_i')^- sum_i d_i x_i u_i``, the residuals of the
    ``d``-weighted regression of ``u`` on the calibration variables, for every method and
    bounds (:class:`~sga_methods.calibration.GregStep`). On one categorical margin, linear
    calibration equals :func:`poststratify` (weights and standard errors).

    References
    ----------
    Deville, J.-C. and Särndal, C.-E. (1992). Calibration estimators in survey sampling.
    *JASA* 87, 376-382. Deville, J.-C., Särndal, C.-E. and Sautory, O. (1993). Generalized
    raking procedures in survey sampling. *JASA* 88, 1013-1020.

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "a", "b", "b"], "x": [1.0, 3.0, 2.0, 2.0]})
    >>> d = SurveyDesign(df).calibrate({"g": {"a": 4, "b": 2}, "x": 11.0})
    >>> d.weights.round(6).tolist()  # a: 2.5 + 1.5 = 4; x: 2.5 * 1 + 1.5 * 3 + 2 + 2 = 11
    [2.5, 1.5, 1.0, 1.0]
    """
    owner = "SurveyDesign.calibrate"
    _check_choice(owner, "method", method, CALIBRATION_METHODS)
    lower, upper = _bounds(owner, method, bounds)
    epsilon = _number(owner, "epsilon", epsilon, positive=True)
    max_iter = int(_number(owner, "max_iter", max_iter, positive=True))
    rows = design._weighted_rows(owner)
    idx = np.flatnonzero(rows)
    parts: list[np.ndarray] = []
    totals: list[float] = []
    labels: list[str] = []
    coded = _margins(design, owner, margins, rows)
    for margin in coded:
        if isinstance(margin, Margin):
            parts.append(np.eye(len(margin.levels))[margin.codes[idx]])
            totals.extend(margin.totals.tolist())
            labels.extend(f"{margin.label} level {lvl!r}" for lvl in margin.levels)
            continue
        name, total = margin
        values = design._float_values(owner, "margins", name)
        bad = rows & ~np.isfinite(values)
        if bad.any():
            raise SurveyDesignError(
                f"The calibration column {name!r} of {owner} has missing or non-finite values "
                f"in weighted rows ({_rows(design._data.index, bad)})."
            )
        parts.append(values[idx, None])
        totals.append(total)
        labels.append(f"column {name!r}")
    x, d = np.hstack(parts), design._w[idx]
    with _reported():
        check_population_sizes([m for m in coded if isinstance(m, Margin)], epsilon, owner)
        g = calibrate_weights(
            d, x, np.array(totals), labels, method=method, bounds=(lower, upper),
            epsilon=epsilon, max_iter=max_iter, owner=owner,
        )  # fmt: skip
    if (g < 0).any():
        raise SurveyDesignError(
            f"{owner} with method={method!r} gives {int((g < 0).sum())} negative weights "
            f"(smallest g-weight {g.min():.4g}). Expected non-negative weights; use bounds, or "
            "method='raking' or 'logit'."
        )
    new = design._w.copy()
    new[idx] = d * g
    return design._reweighted(rows, new, greg_step(idx, x, d, g))


def trim_weights(
    design: SurveyDesign,
    lower: float | None = None,
    upper: float | None = None,
    *,
    strict: bool = False,
) -> SurveyDesign:
    """Trim the weights to ``[lower, upper]``, sharing the trimmed amount among the rest.

    Parameters
    ----------
    design : SurveyDesign
        The design (``d.trim_weights(...)`` calls this function).
    lower, upper : float, optional
        Bounds on the weights (at least one).
    strict : bool, default False
        Repeat until every weight is within the bounds (the shared amount can push weights
        past a bound).

    Returns
    -------
    SurveyDesign
        A new design with the same total weight. It keeps the calibration steps of
        ``design`` for the variance, as R's ``trimWeights`` keeps ``postStrata``; the
        calibrated totals are then no longer exact.

    Raises
    ------
    SurveyDesignError
        No bound, bounds that are not numbers or ``lower >= upper``; with ``strict``, a mean
        weight outside the bounds (no solution).

    Notes
    -----
    R's ``trimWeights`` (survey 4.1.1): weights outside the bounds are set to the bound
    and ``sum_i (w_i - w_i') / m`` is added to each of the ``m`` weights strictly inside
    (:func:`~sga_methods.calibration.trim_weights`). Only rows of the domain with a positive
    weight are trimmed; R would also raise zero weights (rows outside the domain of a
    calibrated subset) to ``lower``.

    References
    ----------
    Potter, F. J. (1990). A study of procedures to identify and trim extreme sampling
    weights. *Proc. Survey Research Methods Section, ASA*, 225-230.

    Examples
    --------
    >>> d = SurveyDesign(pd.DataFrame({"w": [1.0, 1.0, 1.0, 9.0]}), weights="w")
    >>> d.trim_weights(upper=6).weights.tolist()
    [2.0, 2.0, 2.0, 6.0]
    """
    owner = "SurveyDesign.trim_weights"
    if lower is None and upper is None:
        raise SurveyDesignError(f"{owner} needs a 'lower' or an 'upper' bound. Got neither.")
    lo = -np.inf if lower is None else _number(owner, "lower", lower)
    hi = np.inf if upper is None else _number(owner, "upper", upper)
    if not lo < hi:
        raise SurveyDesignError(
            f"The bounds of {owner} are inverted: lower={lower!r} must be below upper={upper!r}."
        )
    rows = design._domain & (design._base_weights > 0)
    w = design._w[rows]
    if strict and not lo * w.size <= w.sum() <= hi * w.size:
        raise SurveyDesignError(
            f"{owner} with strict=True cannot keep the total weight within ({lo:g}, {hi:g}): "
            f"the mean weight {w.mean():.6g} is outside the bounds."
        )
    new = design._w.copy()
    with _reported():
        new[rows] = _trim(w, lo, hi, strict=strict)
    return design._reweighted(rows, new, None)
