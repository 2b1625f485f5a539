"""Percentages and averages of percentages with design-based errors (shared by the rate modules).

:func:`percent` is the building block of every survey indicator that is a share of a base
population (prevalence, reporting rate, SDG 16.1.3, 16.1.4, 16.5.1, ...).
:func:`mean_of_percents` gives the unweighted average of several such shares, each over its
own base (SDG 16.6.2 over three services, 16.7.2 over two items), with a linearized
standard error that accounts for their covariance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .design import SurveyDesign
from .intervals import t_interval

__all__ = ["column_names", "mean_of_percents", "numeric_column", "percent", "scale_columns"]

_By = str | Sequence[str] | None
_Columns = str | Sequence[str]
_ESTIMATES = ("estimate", "se", "ci_low", "ci_high")


def column_names(columns: _Columns, role: str) -> list[str]:
    cols = [columns] if isinstance(columns, str) else list(columns)
    if not cols:
        raise ValueError(f"give at least one {role} column")
    return cols


def numeric_column(data: pd.DataFrame, column: str) -> pd.Series:
    if column not in data.columns:
        raise ValueError(f"column {column!r} is not in the survey data")
    values = pd.to_numeric(data[column], errors="coerce")
    bad = data[column].notna() & values.isna()
    if bad.any():
        first = data.loc[bad, column].iloc[0]
        raise ValueError(
            f"column {column!r} must be numeric; {int(bad.sum())} rows are not "
            f"(first: {first!r} in row {data.index[bad][0]})"
        )
    return values.astype(float)


def scale_columns(table: pd.DataFrame, factor: float) -> pd.DataFrame:
    """Multiply the estimate, SE and bounds of ``table`` by ``factor`` (in place)."""
    for col in _ESTIMATES:
        table[col] = table[col] * factor
    return table


def percent(
    design: SurveyDesign,
    indicators: Mapping[str, pd.Series],
    *,
    by: _By = None,
    ci_level: float = 0.95,
    ci_method: str = "logit",
) -> pd.DataFrame:
    """Percentage with indicator == 1 among rows where it is known, one block per indicator.

    Parameters
    ----------
    design : SurveyDesign
        Full design (a domain design from :meth:`SurveyDesign.subset` for a base
        population, so that the variance reflects the random size of the base).
    indicators : mapping of str to Series
        0/1 indicators aligned on the design's data; NaN marks rows outside the base.
    by, ci_level, ci_method
        As in :meth:`SurveyDesign.proportion`.

    Returns
    -------
    DataFrame
        ``variable``, the domain columns, ``estimate, se, ci_low, ci_high`` in per cent,
        ``n`` (rows in the base), the other columns of :meth:`SurveyDesign.proportion`
        and ``unit`` ("per 100", which :func:`sga_methods.disclosure.is_percentage`
        recognises). Percentages of exactly 0 or 100 get the Clopper-Pearson interval on
        the unweighted base, as no design-based interval exists for them.
    """
    frames = []
    for name, x in indicators.items():
        t = design.assign(__indicator=x).proportion(
            "__indicator", by=by, ci_method=ci_method, ci_level=ci_level
        )
        if (t["level"] == 1).any():
            t = t[t["level"] == 1]
        else:  # nobody in the sample has the attribute: 0% everywhere, no interval
            t = t[t["level"] == 0].assign(estimate=0.0, se=0.0, ci_low=np.nan, ci_high=np.nan)
        t = t.drop(columns="level").reset_index(drop=True)
        t.insert(0, "variable", name)
        frames.append(t)
    table = _exact_bounds(pd.concat(frames, ignore_index=True), ci_level)
    table = scale_columns(table, 100.0)
    table["unit"] = "per 100"
    return table


def _exact_bounds(table: pd.DataFrame, ci_level: float) -> pd.DataFrame:
    """Clopper-Pearson bounds on the unweighted base for proportions of exactly 0 or 1.

    With no sampled unit having (or lacking) the attribute the design variance is zero
    and no design-based interval exists; the exact binomial interval on the ``n`` units of
    the base, [0, 1 - (alpha/2)^(1/n)] (or its mirror), says how large the proportion could
    still be (Clopper & Pearson 1934; the Korn-Graubard interval with effective n = n).
    """
    alpha = 1 - ci_level
    n = table["n"].to_numpy(dtype=float)
    est = table["estimate"].to_numpy(dtype=float)
    missing = table["ci_low"].isna().to_numpy() & (n > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        upper = 1 - (alpha / 2) ** (1 / n)
    zero, one = missing & (est == 0), missing & (est == 1)
    table.loc[zero, "ci_low"], table.loc[zero, "ci_high"] = 0.0, upper[zero]
    table.loc[one, "ci_low"], table.loc[one, "ci_high"] = 1 - upper[one], 1.0
    return table


def _domain_masks(design: SurveyDesign, by: _By) -> list[tuple[dict[str, object], np.ndarray]]:
    if by is None:
        return [({}, np.ones(len(design.data), dtype=bool))]
    cols = [by] if isinstance(by, str) else list(by)
    missing = [c for c in cols if c not in design.data.columns]
    if missing:
        raise ValueError(f"domain column(s) {missing} are not in the survey data")
    keys = design.data[cols]
    out = []
    grouped = keys.groupby(cols if len(cols) > 1 else cols[0], sort=True, dropna=True)
    for values, index in grouped.groups.items():
        values = values if isinstance(values, tuple) else (values,)
        mask = design.data.index.isin(index)
        out.append((dict(zip(cols, values, strict=True)), mask))
    return out


def mean_of_percents(
    design: SurveyDesign,
    parts: Mapping[str, tuple[pd.Series, pd.Series]],
    *,
    by: _By = None,
    ci_level: float = 0.95,
    name: str = "mean",
) -> pd.DataFrame:
    """Unweighted average of several percentages, each over its own base.

    Parameters
    ----------
    design : SurveyDesign
    parts : mapping of str to (indicator, base)
        For each part, a 0/1 ``indicator`` and a boolean ``base`` (rows counted in its
        denominator), both aligned on the design's data. Rows in the base with a missing
        indicator are left out of that part.
    by : str or list of str, optional
        Domain columns.
    ci_level : float, default 0.95
    name : str, default "mean"
        Value of the ``variable`` column.

    Returns
    -------
    DataFrame
        ``variable``, the domain columns, ``estimate, se, ci_low, ci_high`` in per cent,
        ``n`` (rows with positive weight in at least one base), ``cv`` and ``unit``
        ("per 100").

    Notes
    -----
    With part k the ratio r_k = Σ w y_k b_k / Σ w b_k, the estimate is m = (1/K) Σ_k r_k.
    Its linearization is z_i = (1/K) Σ_k b_ki (y_ki - r_k) / N̂_k with N̂_k = Σ w b_k, so
    Var(m) is the design variance of the estimated total Σ w z (Binder 1983), which
    includes the covariances between the parts (R: ``svyratio(~y1 + y2, ~b1 + b2,
    covmat = TRUE)`` followed by ``svycontrast`` of the matching ratios). The interval
    is m ± t_{df} SE with the design's degrees of freedom, kept within 0-100. With a
    :class:`~sga_methods.replicate.ReplicateDesign` the replicate variance is that of the
    total of the linearized variable z (not a re-estimate of m in every replicate).
    """
    if not parts:
        raise ValueError("give at least one part to average")
    w = design.weights.to_numpy(dtype=float)
    rows = []
    for values, dmask in _domain_masks(design, by):
        z = np.zeros(len(w))
        ratios = []
        in_any = np.zeros(len(w), dtype=bool)
        for label, (indicator, base) in parts.items():
            y = pd.to_numeric(indicator, errors="coerce").to_numpy(dtype=float)
            b = base.fillna(False).to_numpy(dtype=bool) & dmask & ~np.isnan(y)
            total_base = float(np.sum(w[b]))
            if total_base <= 0:
                raise ValueError(f"part {label!r} has no respondents with positive weight")
            r = float(np.sum(w[b] * y[b]) / total_base)
            ratios.append(r)
            z[b] += (y[b] - r) / total_base
            in_any |= b & (w > 0)
        k = len(parts)
        est = float(np.mean(ratios))
        tot = design.assign(__z=z / k).total("__z", ci_level=ci_level)
        se = float(tot["se"].iloc[0])
        df = float(design.degrees_of_freedom)
        lo, hi = t_interval(est, se, level=ci_level, df=df)
        rows.append(
            {
                "variable": name,
                **values,
                "estimate": 100 * est,
                "se": 100 * se,
                "ci_low": 100 * max(float(np.asarray(lo).item()), 0.0),
                "ci_high": 100 * min(float(np.asarray(hi).item()), 1.0),
                "n": int(in_any.sum()),
                "cv": se / est if est else np.nan,
                "unit": "per 100",
            }
        )
    return pd.DataFrame(rows)
