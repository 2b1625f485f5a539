"""Confidence intervals for design-based estimates.

Means, totals and ratios get a symmetric Student *t* (or normal) interval; proportions get
one of four intervals suited to complex samples, all driven by the estimate, its design
standard error and the design degrees of freedom, as in R's ``survey::svyciprop``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

__all__ = ["CI_METHODS", "critical_value", "proportion_interval", "t_interval"]

CI_METHODS: tuple[str, ...] = ("logit", "wald", "beta", "wilson")

Interval = tuple[NDArray[np.float64], NDArray[np.float64]]


def critical_value(level: float, df: ArrayLike) -> NDArray[np.float64]:
    """Two-sided critical value ``t_{df, 1 - alpha/2}`` (normal quantile when ``df`` is inf).

    Parameters
    ----------
    level : float
        Confidence level in (0, 1).
    df : array_like of float
        Degrees of freedom; ``np.inf`` gives the normal quantile, ``df <= 0`` gives ``nan``.

    Returns
    -------
    ndarray of float64

    Examples
    --------
    >>> round(float(critical_value(0.95, np.inf)), 4)
    1.96
    """
    return np.asarray(stats.t.ppf(1.0 - (1.0 - level) / 2.0, np.asarray(df, dtype=float)))


def t_interval(estimate: ArrayLike, se: ArrayLike, *, level: float, df: ArrayLike) -> Interval:
    """Symmetric interval ``estimate -/+ t_{df, 1 - alpha/2} * se``.

    Parameters
    ----------
    estimate, se : array_like of float
        Point estimates and their standard errors.
    level : float
        Confidence level in (0, 1).
    df : array_like of float
        Design degrees of freedom (``np.inf`` for a normal interval).

    Returns
    -------
    (ci_low, ci_high) : tuple of ndarray

    Notes
    -----
    Equals R's ``confint(x, df = df, level = level)`` for ``svystat`` and ``svyratio``
    objects (``df = Inf`` is R's default).

    Examples
    --------
    >>> low, high = t_interval([10.0], [1.0], level=0.95, df=np.inf)
    >>> round(float(low[0]), 3), round(float(high[0]), 3)
    (8.04, 11.96)
    """
    est = np.asarray(estimate, dtype=float)
    half = critical_value(level, df) * np.asarray(se, dtype=float)
    return est - half, est + half


def _logit(p: NDArray[np.float64], se: NDArray[np.float64], t: NDArray[np.float64]) -> Interval:
    with np.errstate(divide="ignore", invalid="ignore"):
        half = t * se / (p * (1.0 - p))
        centre = special.logit(p)
        return special.expit(centre - half), special.expit(centre + half)


def _beta(
    p: NDArray[np.float64],
    n_eff: NDArray[np.float64],
    level: float,
    df: NDArray[np.float64],
    n_rows: NDArray[np.float64],
) -> Interval:
    alpha = 1.0 - level
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = stats.t.ppf(alpha / 2.0, n_rows - 1.0) / stats.t.ppf(alpha / 2.0, df)
        n_adj = n_eff * ratio**2
        low = stats.beta.ppf(alpha / 2.0, n_adj * p, n_adj * (1.0 - p) + 1.0)
        high = stats.beta.ppf(1.0 - alpha / 2.0, n_adj * p + 1.0, n_adj * (1.0 - p))
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)


def _wilson(p: NDArray[np.float64], n_eff: NDArray[np.float64], t: NDArray[np.float64]) -> Interval:
    with np.errstate(divide="ignore", invalid="ignore"):
        shrink = 1.0 + t**2 / n_eff
        centre = (p + t**2 / (2.0 * n_eff)) / shrink
        half = t / shrink * np.sqrt(p * (1.0 - p) / n_eff + t**2 / (4.0 * n_eff**2))
    return centre - half, centre + half


def proportion_interval(
    p: ArrayLike,
    se: ArrayLike,
    *,
    method: str = "logit",
    level: float = 0.95,
    df: ArrayLike = np.inf,
    n_rows: ArrayLike | None = None,
) -> Interval:
    """Confidence interval for a proportion estimated from a complex sample.

    Parameters
    ----------
    p : array_like of float
        Estimated proportions.
    se : array_like of float
        Their design standard errors.
    method : {"logit", "wald", "beta", "wilson"}, default "logit"
        Interval construction (see Notes).
    level : float, default 0.95
        Confidence level in (0, 1).
    df : array_like of float, default inf
        Design degrees of freedom (R: ``degf(design)``).
    n_rows : array_like of float, optional
        Number of sample rows of the (domain) design, R's ``nrow(design)``; required for
        ``"beta"``, which compares ``t_{n-1}`` with ``t_df``.

    Returns
    -------
    (ci_low, ci_high) : tuple of ndarray
        ``nan`` where the interval is undefined: ``df <= 0``, or ``p`` of 0 or 1 for
        logit, beta and wilson (their standard error is then zero, ``n_eff`` is 0/0; R's
        ``svyciprop(method = "beta")`` also returns ``NaN``).

    Raises
    ------
    ValueError
        For an unknown ``method`` or ``"beta"`` without ``n_rows``.

    Notes
    -----
    With ``t = t_{df, 1 - alpha/2}`` and the effective sample size
    ``n_eff = p (1 - p) / se^2``:

    - ``"logit"``: ``expit(logit(p) -/+ t se / (p (1 - p)))``, a Wald interval on the logit
      scale, as ``svyciprop(method = "logit")`` (the intercept of a quasi-binomial
      ``svyglm`` has standard error ``se / (p (1 - p))``).
    - ``"wald"``: ``p -/+ t se`` (``svyciprop(method = "mean")``); may leave [0, 1].
    - ``"beta"``: Korn & Graubard (1998): Clopper-Pearson with ``n* = n_eff
      (t_{n-1, alpha/2} / t_{df, alpha/2})^2`` and ``x* = n* p``; lower bound
      ``Beta_{alpha/2}(x*, n* - x* + 1)``, upper ``Beta_{1 - alpha/2}(x* + 1, n* - x*)``,
      exactly ``svyciprop(method = "beta")``.
    - ``"wilson"``: Wilson score interval with ``n_eff`` and ``t`` in place of ``n`` and
      ``z``: ``(p + t^2 / 2n_eff) / (1 + t^2/n_eff) -/+ t / (1 + t^2/n_eff)
      sqrt(p (1 - p) / n_eff + t^2 / 4 n_eff^2)``. Not in R's ``survey``; the reference
      numbers are computed by this formula in ``tests/results/survey_api.R``.

    References
    ----------
    Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with small
    expected number of positive counts estimated from survey data. *Survey Methodology*
    24(2), 193-201.
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley. Sec. 2.9.

    Examples
    --------
    >>> low, high = proportion_interval([0.2], [0.05], method="wald", df=np.inf)
    >>> round(float(low[0]), 4), round(float(high[0]), 4)
    (0.102, 0.298)
    """
    if method not in CI_METHODS:
        raise ValueError(f"Unknown proportion interval method {method!r}; use one of {CI_METHODS}.")
    p_arr = np.asarray(p, dtype=float)
    se_arr = np.asarray(se, dtype=float)
    df_arr = np.asarray(df, dtype=float)
    t = critical_value(level, df_arr)
    if method == "wald":
        return p_arr - t * se_arr, p_arr + t * se_arr
    if method == "logit":
        return _logit(p_arr, se_arr, t)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = p_arr * (1.0 - p_arr) / se_arr**2
    if method == "wilson":
        return _wilson(p_arr, n_eff, t)
    if n_rows is None:
        raise ValueError("The 'beta' interval needs n_rows, the number of rows of the design.")
    return _beta(p_arr, n_eff, level, df_arr, np.asarray(n_rows, dtype=float))
