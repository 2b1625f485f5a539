"""Joinpoint regression: piecewise log-linear trends with APC per segment and AAPC.

The model (Kim, Fay, Feuer & Midthune 2000, equation 1) for a positive series ``y_t``:

``log(y_t) = b0 + b1 t + d_1 (t - tau_1)+ + ... + d_k (t - tau_k)+ + e_t``,

continuous at the joinpoints ``tau_1 < ... < tau_k``, fitted by least squares (weighted when
``weights`` are given) with the joinpoints found by grid search over the observed time points
(Lerman 1980; the NCI Joinpoint Regression Program's default). Segment ``s`` has slope
``b1 + d_1 + ... + d_{s-1}`` and annual percent change ``APC = 100 (exp(slope) - 1)`` per
unit of time. The number of joinpoints is forced or chosen by the sequential permutation
test of Kim et al. (2000), BIC or the weighted BIC of the NCI program. The grid search and
the selection rules live in :mod:`._joinpoint_select`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from ..intervals import critical_value
from . import _joinpoint_select as grid

__all__ = ["JoinpointFit", "JoinpointSelection", "joinpoint"]

Selection = Literal["permutation", "bic", "wbic"]
SELECTIONS: tuple[str, ...] = ("permutation", "bic", "wbic")
_OWNER = "joinpoint"


@dataclass(frozen=True)
class JoinpointSelection:
    """How the number of joinpoints was chosen.

    Attributes
    ----------
    method : str
        ``"fixed"`` (``n_joinpoints`` given), ``"permutation"``, ``"bic"`` or ``"wbic"``.
    n_joinpoints : int
        The number chosen.
    table : DataFrame
        For ``"permutation"`` one row per test: ``k_null, k_alt, statistic`` (SSE ratio),
        ``p_value, level`` (the adjusted significance level) and ``reject``; for
        ``"bic"`` / ``"wbic"`` the criterion by number of joinpoints ``k``; empty for
        ``"fixed"``.
    settings : dict
        The options that drove the choice (alpha, adjustment, permutations, seed, ...).
    """

    method: str
    n_joinpoints: int
    table: pd.DataFrame
    settings: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class JoinpointFit:
    """A fitted joinpoint model (returned by :func:`joinpoint`).

    Attributes
    ----------
    time, y, weights : ndarray
        The series as fitted, sorted by time (``weights`` all ones for OLS).
    joinpoints : list of float
        Joinpoint locations (observed time values).
    params : ndarray
        ``b0, b1, d_1, ..., d_k`` of the standard parameterization, with time measured from
        the first observation (``b0`` is the fitted log value there).
    cov_params : ndarray
        Their covariance, ``s^2 (X'WX)^{-1}`` with ``s^2 = SSE / df``.
    df : int
        Residual degrees of freedom of the intervals.
    ci_level : float
    selection : JoinpointSelection
    summary : DataFrame
        One row per number of joinpoints fitted (index ``k``): ``joinpoints, sse, df,
        bic, bic3, wbic, r2_max``.
    """

    time: NDArray[np.float64]
    y: NDArray[np.float64]
    weights: NDArray[np.float64]
    joinpoints: list[float]
    params: NDArray[np.float64]
    cov_params: NDArray[np.float64]
    df: int
    ci_level: float
    selection: JoinpointSelection
    summary: pd.DataFrame

    @property
    def n_joinpoints(self) -> int:
        """Number of joinpoints of the model."""
        return len(self.joinpoints)

    @property
    def fitted(self) -> pd.Series:
        """Fitted values on the scale of ``y`` (``exp`` of the fitted log), indexed by time."""
        return pd.Series(self.predict(self.time), index=pd.Index(self.time, name="time"))

    def predict(self, time: ArrayLike) -> NDArray[np.float64]:
        """Fitted values ``exp(X(time) b)`` at any time values (no intervals)."""
        t = np.atleast_1d(np.asarray(time, dtype=float))
        x = grid.design(np.concatenate([self.time[:1], t]), np.asarray(self.joinpoints))
        return np.asarray(np.exp(x[1:] @ self.params))

    def _slopes(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Segment slopes ``L b`` and their covariance ``L Cov(b) L'``."""
        k = self.n_joinpoints
        contrast = np.zeros((k + 1, k + 2))
        contrast[:, 1] = 1.0
        for s in range(1, k + 1):
            contrast[s, 2 : 2 + s] = 1.0
        return contrast @ self.params, contrast @ self.cov_params @ contrast.T

    @property
    def segments(self) -> pd.DataFrame:
        """One row per segment: ``start, end, apc, ci_low, ci_high, slope, se, p_value``.

        ``apc`` and its bounds are in per cent per unit of time; ``slope`` and ``se`` are on
        the log scale; ``p_value`` tests slope = 0 with ``df`` degrees of freedom.
        """
        slope, cov = self._slopes()
        se = np.sqrt(np.diag(cov))
        bounds = [float(self.time[0]), *self.joinpoints, float(self.time[-1])]
        return _change_table(bounds[:-1], bounds[1:], slope, se, self.df, self.ci_level, "apc")

    def aapc(self, start: float | None = None, end: float | None = None) -> pd.DataFrame:
        """Average annual percent change over ``[start, end]`` (default: the whole series).

        Parameters
        ----------
        start, end : float, optional
            Interval within the observed time range, ``start < end``.

        Returns
        -------
        DataFrame
            One row: ``start, end, aapc, ci_low, ci_high, slope, se, p_value``.

        Notes
        -----
        Clegg et al. (2009): with ``w_s`` the length of segment ``s`` inside the interval,
        ``AAPC = 100 (exp(sum_s w_s b_s / sum_s w_s) - 1)``; the weighted slope has variance
        ``w' Cov(b) w / (sum_s w_s)^2`` from the covariance of the segment slopes, and the
        interval ``exp(slope -/+ t_df se)`` is transformed like the estimate. Over a single
        segment the AAPC is that segment's APC.
        """
        lo, hi = float(self.time[0]), float(self.time[-1])
        a = lo if start is None else float(start)
        b = hi if end is None else float(end)
        if not (lo <= a < b <= hi):
            raise ValueError(
                f"The AAPC interval must satisfy {lo:g} <= start < end <= {hi:g} (the observed "
                f"time range). Got start={start!r}, end={end!r} instead."
            )
        edges = np.array([lo, *self.joinpoints, hi])
        w = np.clip(np.minimum(edges[1:], b) - np.maximum(edges[:-1], a), 0.0, None)
        slope, cov = self._slopes()
        mean = float(w @ slope / w.sum())
        se = float(np.sqrt(w @ cov @ w) / w.sum())
        return _change_table(
            [a], [b], np.array([mean]), np.array([se]), self.df, self.ci_level, "aapc"
        )


def _change_table(
    start: Sequence[float],
    end: Sequence[float],
    slope: NDArray[np.float64],
    se: NDArray[np.float64],
    df: int,
    level: float,
    name: str,
) -> pd.DataFrame:
    half = critical_value(level, df) * se
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 2.0 * stats.t.sf(np.abs(slope / se), df)
    return pd.DataFrame(
        {
            "start": start,
            "end": end,
            name: 100.0 * np.expm1(slope),
            "ci_low": 100.0 * np.expm1(slope - half),
            "ci_high": 100.0 * np.expm1(slope + half),
            "slope": slope,
            "se": se,
            "p_value": p,
        }
    )


def _check_int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(
            f"The {name!r} parameter of {_OWNER} must be an integer >= {minimum}. "
            f"Got {value!r} instead."
        )
    return int(value)


def _check_fraction(name: str, value: object) -> float:
    if not isinstance(value, float | int) or isinstance(value, bool) or not 0 < value < 1:
        raise ValueError(
            f"The {name!r} parameter of {_OWNER} must be a float in (0, 1). Got {value!r} instead."
        )
    return float(value)


def _column(data: pd.DataFrame, column: str, role: str) -> NDArray[np.float64]:
    if not isinstance(column, str) or column not in data.columns:
        raise ValueError(f"The {role!r} column {column!r} of {_OWNER} is not in the data.")
    values = data[column]
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        raise ValueError(
            f"The {role!r} column {column!r} of {_OWNER} must be numeric. "
            f"Got dtype {values.dtype} instead."
        )
    out = values.to_numpy(dtype=float)
    if not np.isfinite(out).all():
        raise ValueError(
            f"The {role!r} column {column!r} of {_OWNER} has missing or infinite values in "
            f"rows {list(data.index[~np.isfinite(out)][:5])}."
        )
    return out


def _series(
    data: pd.DataFrame, time: str, y: str, weights: str | ArrayLike | None
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Validated ``(time, y, weights)`` sorted by time."""
    if not isinstance(data, pd.DataFrame) or data.empty:
        raise ValueError(
            f"The 'data' parameter of {_OWNER} must be a non-empty pandas DataFrame. "
            f"Got {type(data).__name__} instead."
        )
    t = _column(data, time, "time")
    v = _column(data, y, "y")
    if (v <= 0).any():
        bad = data.index[v <= 0]
        raise ValueError(
            f"The 'y' column {y!r} of {_OWNER} must be positive (the model is for log(y)); "
            f"rows {list(bad[:5])} hold {list(v[v <= 0][:5])}."
        )
    if weights is None:
        w = np.ones_like(v)
    elif isinstance(weights, str):
        w = _column(data, weights, "weights")
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != v.shape or not np.isfinite(w).all():
            raise ValueError(
                f"The 'weights' parameter of {_OWNER} must be a column name or {len(v)} "
                f"finite numbers. Got an array of shape {w.shape} instead."
            )
    if (w <= 0).any():
        raise ValueError(
            f"The weights of {_OWNER} must be positive (e.g. 1 / SE^2 of log(y)); "
            f"{int((w <= 0).sum())} are not."
        )
    order = np.argsort(t, kind="stable")
    t, v, w = t[order], v[order], w[order]
    dup = t[1:][np.diff(t) == 0]
    if dup.size:
        raise ValueError(
            f"The 'time' column {time!r} of {_OWNER} must hold one row per time point; "
            f"{list(np.unique(dup)[:5])} appear more than once (aggregate first)."
        )
    return t, v, w


def _check_size(n: int, k: int, min_obs_end: int, min_obs_between: int, per_jp: int) -> None:
    need = max(grid.min_obs_required(k, min_obs_end, min_obs_between), 2 + per_jp * k + 1)
    if n < need:
        fits = [
            j
            for j in range(k)
            if n >= max(grid.min_obs_required(j, min_obs_end, min_obs_between), 3 + per_jp * j)
        ]
        largest = f"at most {max(fits)}" if fits else "none"
        raise ValueError(
            f"joinpoint: {n} observations are too few for {k} joinpoints with "
            f"min_obs_end={min_obs_end} and min_obs_between={min_obs_between}: they need "
            f"{need} (2 * min_obs_end + (k - 1) * min_obs_between + k, and at least one "
            f"residual degree of freedom). This series allows {largest}."
        )


def joinpoint(
    data: pd.DataFrame,
    time: str,
    y: str,
    weights: str | ArrayLike | None = None,
    *,
    max_joinpoints: int = 3,
    n_joinpoints: int | None = None,
    min_obs_end: int = 2,
    min_obs_between: int = 2,
    selection: Selection = "permutation",
    n_permutations: int = 4499,
    alpha: float = 0.05,
    alpha_adjustment: Literal["nci", "bonferroni"] = "nci",
    seed: int | np.random.Generator | None = 0,
    ci_level: float = 0.95,
    df_per_joinpoint: int = 2,
) -> JoinpointFit:
    """Fit a joinpoint (piecewise log-linear) trend and report APC by segment and AAPC.

    Parameters
    ----------
    data : DataFrame
        One row per time point.
    time : str
        Numeric time column (e.g. the year); APCs are per unit of it.
    y : str
        Positive column to model on the log scale (e.g. a rate per 100,000).
    weights : str or array_like, optional
        Weighted least-squares weights, a column name or one number per row, proportional
        to the inverse variance of ``log(y)`` (NCI: ``y^2 / SE(y)^2``); default: OLS.
    max_joinpoints : int, default 3
        Largest number of joinpoints considered when choosing.
    n_joinpoints : int, optional
        Force this number of joinpoints (no selection).
    min_obs_end : int, default 2
        Minimum observations between either end of the series and the nearest joinpoint,
        the end point counted and the joinpoint not (NCI's rule).
    min_obs_between : int, default 2
        Minimum observations strictly between two joinpoints (NCI's rule).
    selection : {"permutation", "bic", "wbic"}, default "permutation"
        How to choose the number of joinpoints in ``0 .. max_joinpoints``.
    n_permutations : int, default 4499
        Permuted series per permutation test (NCI's default, chosen so that p-values near
        the adjusted levels are stable to about +/- 0.004).
    alpha : float, default 0.05
        Overall significance level of the sequential permutation tests.
    alpha_adjustment : {"nci", "bonferroni"}, default "nci"
        Level of the test of ``k_a`` against ``k_b`` joinpoints: ``alpha / (K - k_a)``
        (NCI since version 3.0) or ``alpha / K`` (Kim et al. 2000), ``K = max_joinpoints``.
    seed : int, Generator or None, default 0
        Random numbers of the permutation test; fixed by default so that reruns agree
        (``None`` draws fresh entropy).
    ci_level : float, default 0.95
        Confidence level of the APC and AAPC intervals.
    df_per_joinpoint : {2, 1}, default 2
        Residual degrees of freedom used up by each joinpoint: 2 (its slope change and its
        location: ``df = n - (2k + 2)``, NCI's parameter count ``p = 2k + 2``) or 1 (locations
        treated as known: ``df = n - (k + 2)``). Sets ``s^2 = SSE / df`` and the t quantile.

    Returns
    -------
    JoinpointFit
        ``joinpoints``, ``segments`` (APC table), ``aapc(start, end)``, ``fitted``,
        ``n_joinpoints``, ``selection`` and ``summary`` (all fits by number of joinpoints).

    Raises
    ------
    ValueError
        Missing columns, non-numeric or duplicated times, non-positive ``y`` or weights,
        an unknown ``selection``, or too few observations for the joinpoints asked for.

    Notes
    -----
    *Fit.* For each ``k`` every admissible set of joinpoints at observed time points is
    fitted and the one with the smallest (weighted) SSE kept. Admissible: at least
    ``min_obs_end`` observations from each end to the nearest joinpoint and
    ``min_obs_between`` between joinpoints, joinpoints themselves excluded, which needs
    ``n >= 2 min_obs_end + (k - 1) min_obs_between + k`` (NCI). The chosen model is refitted
    by (weighted) least squares with statsmodels; segment slopes are linear combinations
    ``L b`` of its coefficients, with covariance ``L s^2 (X'WX)^{-1} L'``.

    *Intervals.* ``APC = 100 (exp(b_s) - 1)`` with interval ``100 (exp(b_s -/+ t_df se_s) - 1)``;
    the AAPC (Clegg et al. 2009) as in :meth:`JoinpointFit.aapc`. The joinpoints are
    treated as fixed, so the intervals ignore the uncertainty of their location (NCI
    offers empirical-quantile intervals for that; not implemented). NCI computes slope
    SEs from separate unconstrained fits per segment (Lerman 1980); here they come from the
    continuous model itself, so intervals differ somewhat from NCI's output.

    *Choosing k.* ``"permutation"``: the sequential procedure of Kim et al. (2000), each
    test with statistic ``SSE_null / SSE_alt`` and p-value ``(1 + #{T* >= T}) / (1 + N)``
    over ``N`` series made of the null fit plus permuted (weighted) residuals, grids
    searched again for each. ``"bic"``: the smallest
    ``BIC(k) = ln(SSE_k / n) + (2k + 2) ln(n) / n``. ``"wbic"``: the smallest
    ``WBIC(k) = ln(SSE_k / n) + ((2 + R2max) k + 2) ln(n) / n``, a blend of BIC and the
    harsher ``BIC3 (3k + 2)`` weighted by the largest partial R-squared of the k-joinpoint
    fit's joinpoints (NCI's default since Joinpoint 5.0; Kim et al. 2023). Ties go to
    fewer joinpoints. The cost of the grid grows like ``n^k``: meant for annual series.

    References
    ----------
    Kim HJ, Fay MP, Feuer EJ, Midthune DN (2000). Permutation tests for joinpoint
    regression with applications to cancer rates. Stat Med 19:335-351.
    Clegg LX, Hankey BF, Tiwari R, Feuer EJ, Edwards BK (2009). Estimating average annual
    per cent change in trend analysis. Stat Med 28:3670-3682.
    Kim HJ, Yu B, Feuer EJ (2009). Selecting the number of change-points in segmented line
    regression. Statistica Sinica 19:597-609 (BIC3).
    Kim HJ, Chen HS, Midthune D, et al. (2023). Data-driven choice of a model selection
    method in joinpoint regression. J Appl Stat 50:1992-2013 (WBIC).
    Lerman PM (1980). Fitting segmented regression models by grid search. Appl Stat
    29:77-84.
    National Cancer Institute, Joinpoint Regression Program, help pages: minimum number of
    observations, permutation test details, BIC, BIC3 and weighted BIC.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> years = np.arange(2000, 2016)
    >>> log_rate = np.log(50) + 0.04 * (years - 2000) - 0.07 * np.maximum(years - 2008, 0)
    >>> noise = np.random.default_rng(1).normal(0, 0.005, years.size)
    >>> df = pd.DataFrame({"year": years, "rate": np.exp(log_rate + noise)})
    >>> jp = joinpoint(df, "year", "rate", n_joinpoints=1)
    >>> jp.joinpoints
    [2008.0]
    >>> jp.segments[["start", "end", "apc"]].round(1)
        start     end  apc
    0  2000.0  2008.0  4.1
    1  2008.0  2015.0 -3.0
    >>> round(float(jp.aapc(2008, 2015)["aapc"].iloc[0]), 1)
    -3.0
    """
    t, v, w = _series(data, time, y, weights)
    if selection not in SELECTIONS:
        raise ValueError(
            f"The 'selection' parameter of {_OWNER} must be one of "
            f"{', '.join(map(repr, SELECTIONS))}. Got {selection!r} instead."
        )
    if alpha_adjustment not in ("nci", "bonferroni"):
        raise ValueError(
            f"The 'alpha_adjustment' parameter of {_OWNER} must be 'nci' or 'bonferroni'. "
            f"Got {alpha_adjustment!r} instead."
        )
    if df_per_joinpoint not in (1, 2) or isinstance(df_per_joinpoint, bool):
        raise ValueError(
            f"The 'df_per_joinpoint' parameter of {_OWNER} must be 1 or 2. "
            f"Got {df_per_joinpoint!r} instead."
        )
    end = _check_int("min_obs_end", min_obs_end, 1)
    between = _check_int("min_obs_between", min_obs_between, 0)
    top = _check_int("max_joinpoints", max_joinpoints, 0)
    if n_joinpoints is not None:
        top = _check_int("n_joinpoints", n_joinpoints, 0)
    n_perm = _check_int("n_permutations", n_permutations, 1)
    alpha = _check_fraction("alpha", alpha)
    ci_level = _check_fraction("ci_level", ci_level)
    _check_size(len(t), top, end, between, df_per_joinpoint)

    sw = np.sqrt(w)
    z = sw * np.log(v)
    sets = {k: grid.candidate_sets(len(t), k, end, between) for k in range(top + 1)}
    summary = _summary(t, sw, z, sets, df_per_joinpoint)
    if n_joinpoints is not None:
        chosen = JoinpointSelection("fixed", top, pd.DataFrame())
    elif selection == "permutation":
        rng = np.random.default_rng(seed)
        k, tests = grid.sequential_permutation(
            t, sw, z, sets, alpha=alpha, adjustment=alpha_adjustment, n_permutations=n_perm, rng=rng
        )
        settings: dict[str, object] = {
            "alpha": alpha,
            "alpha_adjustment": alpha_adjustment,
            "n_permutations": n_perm,
            "seed": seed if not isinstance(seed, np.random.Generator) else "Generator",
            "max_joinpoints": top,
        }
        chosen = JoinpointSelection("permutation", k, tests, settings)
    else:
        crit = summary[selection]
        k = int(crit.index[np.flatnonzero(crit.to_numpy() == crit.min())[0]])
        table = summary[["sse", "bic", "bic3", "wbic", "r2_max"]].reset_index()
        chosen = JoinpointSelection(selection, k, table, {"max_joinpoints": top})
    return _final_fit(
        t,
        v,
        w,
        tuple(summary["joinpoints"].loc[chosen.n_joinpoints]),
        chosen,
        summary,
        ci_level,
        df_per_joinpoint,
    )


def _summary(
    t: NDArray[np.float64],
    sw: NDArray[np.float64],
    z: NDArray[np.float64],
    sets: dict[int, NDArray[np.int64]],
    per_jp: int,
) -> pd.DataFrame:
    n = len(t)
    rows = []
    for k, cand in sets.items():
        sse, arg = grid.best_fits(t, sw, z[:, None], cand)
        idx = cand[arg[0]]
        crit = grid.information_criteria(float(sse[0]), n, k, grid.partial_r2_max(t, sw, z, idx))
        rows.append(
            {
                "k": k,
                "joinpoints": tuple(float(x) for x in t[idx]),
                "sse": float(sse[0]),
                "df": n - 2 - per_jp * k,
                **crit,
            }
        )
    return pd.DataFrame(rows).set_index("k")


def _final_fit(
    t: NDArray[np.float64],
    v: NDArray[np.float64],
    w: NDArray[np.float64],
    taus: tuple[float, ...],
    chosen: JoinpointSelection,
    summary: pd.DataFrame,
    ci_level: float,
    per_jp: int,
) -> JoinpointFit:
    x = grid.design(t, np.asarray(taus))
    res = sm.WLS(np.log(v), x, weights=w).fit()
    df = len(t) - 2 - per_jp * len(taus)
    cov = np.asarray(res.normalized_cov_params) * float(res.ssr) / df
    return JoinpointFit(
        time=t,
        y=v,
        weights=w,
        joinpoints=list(taus),
        params=np.asarray(res.params),
        cov_params=cov,
        df=df,
        ci_level=ci_level,
        selection=chosen,
        summary=summary,
    )
