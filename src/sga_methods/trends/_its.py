r"""Interrupted time series (segmented regression) of monthly counts.

An intervention starting at time :math:`t_0` adds a level change :math:`\exp(\beta_2)` and,
optionally, a slope change :math:`\exp(\beta_3)` to the count model of
:func:`~sga_methods.trends.fit_counts` (Lopez Bernal, Cummins & Gasparrini, IJE 2017).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ._counts import (
    LEVEL,
    SLOPE,
    CountFit,
    Distribution,
    Family,
    _column,
    _numeric,
    fit_counts,
)

__all__ = ["InterruptedTimeSeries", "interrupted_time_series"]


@dataclass(frozen=True)
class InterruptedTimeSeries:
    """Segmented regression of a count series (:func:`interrupted_time_series`).

    Attributes
    ----------
    level_change : dict
        ``rate_ratio, ci_low, ci_high, p_value`` of the rate at the start relative to the
        pre-intervention trend continued to it.
    slope_change : dict or None
        The same for the post- over the pre-intervention rate ratio per unit of time (None
        when ``slope_change=False``).
    start : float
        The time from which the intervention terms count (``t0`` in the Notes).
    counterfactual : DataFrame
        ``mean, ci_low, ci_high`` of the model with the intervention terms set to zero,
        indexed like the data.
    fitted : Series
        Expected counts, indexed like the data.
    count_model : CountFit
        The fit; its covariates include the constructed ``level_change`` and
        ``slope_change`` columns.
    """

    level_change: dict[str, float]
    slope_change: dict[str, float] | None
    start: float
    counterfactual: pd.DataFrame
    fitted: pd.Series
    count_model: CountFit = field(repr=False)


def interrupted_time_series(
    df: pd.DataFrame,
    count: str,
    time: str,
    start: float | str | date | pd.Period,
    *,
    exposure: str | None = None,
    slope_change: bool = True,
    covariates: Sequence[str] = (),
    family: Family = "poisson",
    season: str | None = None,
    harmonics: int = 2,
    period: float = 12,
    hac_lags: int | None = None,
    ci_level: float = 0.95,
    distribution: Distribution = "auto",
    date: str | None = None,
) -> InterruptedTimeSeries:
    r"""Segmented regression: the level and slope change of a count series at an intervention.

    Parameters
    ----------
    df, count, time, exposure, covariates, family, season, harmonics, period, hac_lags,
    ci_level, distribution
        As in :func:`fit_counts`.
    start : float or date
        When the intervention starts: a value of ``time`` (rows with ``time >= start`` are
        under it) or, with ``date``, a date such as ``"2021-07"`` (rows dated on or after
        it are under it).
    slope_change : bool, default True
        Also estimate a change of trend; False gives a level change only.
    date : str, optional
        Column of dates (``"2021-07"``, datetimes or Periods) in which to place a ``start``
        given as a date.

    Returns
    -------
    InterruptedTimeSeries

    Raises
    ------
    ValueError
        As :func:`fit_counts`; also a ``start`` with no rows before or under the
        intervention, a date ``start`` without ``date``, dates out of step with ``time``,
        or covariates named ``level_change`` / ``slope_change``.

    Notes
    -----
    With :math:`t_0` = ``start`` (the time of the first row under the intervention when
    ``start`` is a date) and :math:`D_t = 1[t \ge t_0]`:

    .. math::

        \log E[Y_t] = \log(\text{exposure}_t) + \beta_0 + \beta_1 t + \beta_2 D_t
            + \beta_3 (t - t_0) D_t + \text{covariates} + \text{season}

    :math:`e^{\beta_2}` (level change) is the rate ratio at :math:`t_0` between the model and
    its pre-intervention trend continued; :math:`e^{\beta_3}` (slope change) divides the
    post-intervention rate ratio per unit of time by the pre-intervention one. Time since
    :math:`t_0` (rather than the interaction ``D * t``) keeps :math:`\beta_2` a change at the
    intervention, not at :math:`t = 0`. The counterfactual sets :math:`\beta_2 = \beta_3 = 0`,
    with Wald intervals from the same covariance.

    References
    ----------
    Wagner, A. K., Soumerai, S. B., Zhang, F. & Ross-Degnan, D. (2002). Segmented regression
    analysis of interrupted time series studies in medication use research. *Journal of
    Clinical Pharmacy and Therapeutics* 27, 299-309.
    Lopez Bernal, J., Cummins, S. & Gasparrini, A. (2017), as in :func:`fit_counts`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"month": pd.period_range("2020-01", periods=8, freq="M"),
    ...                    "t": range(1, 9), "crimes": [30, 33, 35, 31, 22, 24, 21, 25]})
    >>> its = interrupted_time_series(df, "crimes", "t", "2020-05", date="month",
    ...                               slope_change=False)
    >>> its.start, {k: round(v, 3) for k, v in its.level_change.items()}
    (5.0, {'rate_ratio': 0.659, 'ci_low': 0.383, 'ci_high': 1.133, 'p_value': 0.131})
    """
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    taken = [c for c in covariates if c in (LEVEL, SLOPE)]
    if taken:
        raise ValueError(f"covariates {taken} clash with the intervention terms; rename them")
    times = _numeric(df, time, "time")
    if date is None:
        if isinstance(start, bool) or not isinstance(start, int | float | np.number):
            raise ValueError(
                f"start={start!r} is not a value of the time column {time!r}; to give a date, "
                "name the column of dates with date="
            )
        post, t0 = times >= float(start), float(start)
    else:
        post = (_dates(df, date) >= _timestamp(start)).to_numpy()
        t0 = float(times[post].min()) if post.any() else np.nan
        if post.any() and (~post).any() and times[~post].max() >= t0:
            raise ValueError(f"the dates in {date!r} and the times in {time!r} are out of step")
    if post.all() or not post.any():
        side = "before" if post.all() else "under"
        raise ValueError(f"start={start!r} leaves no observations {side} the intervention")
    data = df.assign(**{LEVEL: post.astype(float)})
    terms = [LEVEL]
    if slope_change:
        data[SLOPE] = (times - t0) * post
        terms.append(SLOPE)
    fit = fit_counts(
        data, count, time, exposure=exposure, covariates=[*terms, *covariates], family=family,
        season=season, harmonics=harmonics, period=period, hac_lags=hac_lags,
        ci_level=ci_level, distribution=distribution,
    )  # fmt: skip

    def change(term: str) -> dict[str, float]:
        row = fit.rate_ratios.loc[term]
        return {str(k): float(row[k]) for k in row.index}

    return InterruptedTimeSeries(
        level_change=change(LEVEL),
        slope_change=change(SLOPE) if slope_change else None,
        start=t0,
        counterfactual=fit.predict(data.assign(**dict.fromkeys(terms, 0.0))),
        fitted=fit.fitted,
        count_model=fit,
    )


# --- fitting pieces ---------------------------------------------------------------------


def _timestamp(value: Any) -> pd.Timestamp:
    if isinstance(value, pd.Period):
        return value.to_timestamp()
    try:
        return pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(f"start={value!r} is not a date") from None


def _dates(df: pd.DataFrame, name: str) -> pd.Series:
    column = _column(df, name)
    if isinstance(column.dtype, pd.PeriodDtype):
        return column.dt.to_timestamp()
    if pd.api.types.is_numeric_dtype(column):
        raise ValueError(f"date column {name!r} holds numbers, not dates")
    try:
        return pd.to_datetime(column)
    except (TypeError, ValueError):
        raise ValueError(f"date column {name!r} does not hold dates") from None
