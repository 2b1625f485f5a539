"""Victimization rates: the crime catalogue, prevalence, incidence, concentration, reporting.

Definitions follow the UNODC-UNECE *Manual on Victimization Surveys* (2010):

- prevalence = victims / population at risk × 100 (persons aged 15+ for personal crimes,
  households for household crimes);
- incidence = incidents / population at risk × ``per`` (default 1,000);
- concentration = incidents / victims;
- reporting rate = victims whose (most recent) incident was reported to the police /
  victims × 100; the dark figure is its complement.

So incidence = prevalence × concentration × per / 100 (with matching units and caps), an
identity the tests check. All rates are design-based estimates from a
:class:`~sga_methods.design.SurveyDesign`; the unit of analysis is the design's (pass a
design with household weights for household crimes).

Repeat and series victimization: the number of incidents a respondent reports may be capped
(``cap``): ``None`` (no cap), a fixed cap (5 = former Crime Survey for England and Wales;
10 = NCVS since 2011) or ``"p98"``, the weighted 98th percentile of counts among victims
(CSEW since 2019). Prevalence never changes with the cap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ._rates import percent, scale_columns
from .design import SurveyDesign

__all__ = [
    "CRIME_TYPES",
    "RECALL_PREFIX",
    "CrimeType",
    "concentration",
    "count_column",
    "incidence",
    "population_at_risk",
    "prevalence",
    "reported_column",
    "reporting_rate",
    "series_cap",
]

Cap = int | Literal["p98"] | None


@dataclass(frozen=True)
class CrimeType:
    """One ICVS crime type with its ICCS 2015 code and population at risk."""

    key: str
    label: str
    iccs: str
    iccs_label: str
    unit: Literal["person", "household"]
    violent: bool = False


#: ICVS-style crime catalogue of the household survey, coded to ICCS 2015.
CRIME_TYPES: dict[str, CrimeType] = {
    c.key: c
    for c in (
        CrimeType("burglary", "Burglary", "0501", "Burglary", "household"),
        CrimeType(
            "vehicle_theft",
            "Theft of or from a vehicle",
            "05021",
            "Theft of a motorized vehicle or parts thereof",
            "household",
        ),
        CrimeType("theft_personal", "Theft of personal property", "0502", "Theft", "person"),
        CrimeType("robbery", "Robbery", "0401", "Robbery", "person", violent=True),
        CrimeType(
            "assault_threat",
            "Assault and threats",
            "0201",
            "Assaults and threats",
            "person",
            violent=True,
        ),
        CrimeType(
            "sexual",
            "Sexual offences",
            "03",
            "Injurious acts of a sexual nature",
            "person",
            violent=True,
        ),
        CrimeType("fraud", "Consumer fraud", "0701", "Fraud", "person"),
        CrimeType("bribery_request", "Bribery (asked for a bribe)", "07031", "Bribery", "person"),
    )
}


#: Column prefix of incident counts in the standard variables, by recall period (months).
RECALL_PREFIX: dict[int, str] = {12: "n12_", 36: "n3y_", 60: "n5y_"}


def count_column(crime: str, months: int = 12) -> str:
    """The standard count variable of ``crime`` for a recall period, e.g. ``n12_burglary``."""
    if crime not in CRIME_TYPES:
        raise ValueError(f"unknown crime type {crime!r} (known: {', '.join(CRIME_TYPES)})")
    if months not in RECALL_PREFIX:
        raise ValueError(
            f"no standard count variables for a recall period of {months} months "
            f"(available: {', '.join(map(str, RECALL_PREFIX))})"
        )
    return f"{RECALL_PREFIX[months]}{crime}"


def reported_column(crime: str) -> str:
    """The standard variable saying whether the most recent incident was reported."""
    if crime not in CRIME_TYPES:
        raise ValueError(f"unknown crime type {crime!r} (known: {', '.join(CRIME_TYPES)})")
    return f"rep_{crime}"


def _columns(counts: str | Sequence[str]) -> list[str]:
    cols = [counts] if isinstance(counts, str) else list(counts)
    if not cols:
        raise ValueError("give at least one count column")
    return cols


def _count(design: SurveyDesign, column: str) -> pd.Series:
    if column not in design.data.columns:
        raise ValueError(f"column {column!r} is not in the survey data")
    values = pd.to_numeric(design.data[column], errors="coerce")
    bad = values.notna() & ((values < 0) | (values != np.floor(values)))
    if bad.any():
        rows = list(values.index[bad][:5])
        raise ValueError(
            f"column {column!r} must hold non-negative whole numbers of incidents; "
            f"rows {rows} do not"
        )
    return values


def series_cap(design: SurveyDesign, column: str, cap: Cap) -> float:
    """The cap applied to ``column``: ``inf`` for None, the value for a fixed cap, or p98.

    Notes
    -----
    ``"p98"`` is the weighted 98th percentile of the counts among victims (count >= 1):
    the smallest count c such that victims with counts <= c hold at least 98% of the
    victims' summed weights (CSEW methodology, Office for National Statistics 2019).
    """
    if cap is None:
        return float("inf")
    if cap == "p98":
        counts = _count(design, column)
        victims = counts.fillna(0) >= 1
        if not victims.any():
            return float("inf")
        x = counts[victims].to_numpy(dtype=float)
        w = design.weights[victims].to_numpy(dtype=float)
        order = np.argsort(x, kind="stable")
        share = np.cumsum(w[order]) / w.sum()
        return float(x[order][np.searchsorted(share, 0.98 - 1e-12)])
    if isinstance(cap, bool) or not isinstance(cap, int | np.integer) or cap < 1:
        raise ValueError(f"cap must be None, a positive integer or 'p98'. Got {cap!r} instead")
    return float(cap)


def population_at_risk(column: str) -> str:
    """``"households"`` or ``"persons"`` for a standard count column, else ``"units"``.

    Examples
    --------
    >>> population_at_risk("n12_burglary"), population_at_risk("n5y_robbery")
    ('households', 'persons')
    >>> population_at_risk("my_count")
    'units'
    """
    for prefix in RECALL_PREFIX.values():
        crime = CRIME_TYPES.get(column.removeprefix(prefix)) if column.startswith(prefix) else None
        if crime is not None:
            return "households" if crime.unit == "household" else "persons"
    return "units"


def _label(
    table: pd.DataFrame, unit: str, columns: list[str], population: str | None
) -> pd.DataFrame:
    """Add ``unit`` (the rate base) and ``population`` (of whom) to a rate table."""
    if "variable" not in table.columns:
        table.insert(0, "variable", columns[0])
    table["unit"] = unit
    table["population"] = population or table["variable"].map(population_at_risk)
    return table


def prevalence(
    design: SurveyDesign,
    counts: str | Sequence[str],
    *,
    by: str | Sequence[str] | None = None,
    population: str | None = None,
    ci_level: float = 0.95,
    ci_method: str = "logit",
) -> pd.DataFrame:
    """Percentage of units with at least one incident, per count column.

    Parameters
    ----------
    design : SurveyDesign
        Person-weighted for personal crimes, household-weighted for household crimes.
    counts : str or list of str
        Columns with the number of incidents in the recall period (NaN = not asked).
    by : str or list of str, optional
        Domain columns.
    ci_level : float, default 0.95
    ci_method : {"logit", "beta", "wilson", "wald"}, default "logit"
        Interval for a proportion (see :meth:`SurveyDesign.proportion`); "logit" keeps
        the interval inside 0-100 (R's ``svyciprop`` default).
    population : str, optional
        Who the rate is of, for the ``population`` column (e.g. "residents 15+");
        default: inferred from the standard count columns (:func:`population_at_risk`).

    Returns
    -------
    DataFrame
        ``variable`` (the count column), domain columns, ``estimate, se, ci_low, ci_high``
        in per cent, ``n``, ``cv``, ``unit`` ("per 100") and ``population`` (of whom:
        "persons" or "households" for the standard count columns, see
        :func:`population_at_risk`).

    Notes
    -----
    The design-weighted mean of the indicator 1[count >= 1] times 100, with Taylor
    linearization (R: ``svyciprop(~I(count >= 1), design, method = "logit")``, whose
    estimate and SE are ``svymean``'s).
    """
    indicators = {}
    for c in _columns(counts):
        values = _count(design, c)
        indicators[c] = (values >= 1).astype(float).where(values.notna())
    table = percent(design, indicators, by=by, ci_level=ci_level, ci_method=ci_method)
    return _label(table, "per 100", list(indicators), population)


def incidence(
    design: SurveyDesign,
    counts: str | Sequence[str],
    *,
    per: float = 1000,
    cap: Cap = None,
    weight_ratio: str | None = None,
    by: str | Sequence[str] | None = None,
    population: str | None = None,
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """Incidents per ``per`` units of the population at risk.

    Parameters
    ----------
    design, counts, by, ci_level
        As in :func:`prevalence`.
    per : float, default 1000
        Rate base.
    cap : None, int or "p98"
        Series rule applied to each respondent's count before summing (see
        :func:`series_cap`; the cap value is computed once on the whole sample).
    weight_ratio : str, optional
        Column with each unit's ratio of the incident (victimization) weight to the unit
        weight; the capped count is multiplied by it. The NCVS weights incidents with
        victimization weights (WGTVICCY) that differ from household weights (WGTHHCY),
        e.g. for incidents that involve several households. Must be positive where the
        count is positive.

    Returns
    -------
    DataFrame
        As :func:`prevalence`, with ``unit`` "per 1,000" (or the given base) and a ``cap``
        column with the cap applied (``inf`` for none).

    Notes
    -----
    The ratio of summed capped incidents to the population at risk, i.e. the weighted mean
    of min(count, cap) (times the weight ratio) times ``per`` (R: ``svyratio(~count,
    ~one)``; identical to ``svymean``).
    """
    cols = _columns(counts)
    caps = {c: series_cap(design, c, cap) for c in cols}
    ratio = None
    if weight_ratio is not None:
        if weight_ratio not in design.data.columns:
            raise ValueError(f"weight_ratio column {weight_ratio!r} is not in the survey data")
        ratio = pd.to_numeric(design.data[weight_ratio], errors="coerce")
    derived = {}
    for c in cols:
        capped = _count(design, c).clip(upper=caps[c])
        if ratio is not None:
            bad = (capped > 0) & ~(ratio > 0)
            if bad.any():
                raise ValueError(
                    f"weight_ratio column {weight_ratio!r} must be positive where {c!r} counts "
                    f"incidents; rows {list(capped.index[bad][:5])} are not"
                )
            capped = capped * ratio.where(capped > 0, 1.0)
        derived[f"__inc_{c}"] = capped
    table = design.assign(**derived).mean(list(derived), by=by, ci_level=ci_level)
    table["variable"] = table["variable"].str.removeprefix("__inc_")
    table["cap"] = table["variable"].map(caps)
    return _label(scale_columns(table, float(per)), f"per {per:,.0f}", cols, population)


def concentration(
    design: SurveyDesign,
    counts: str | Sequence[str],
    *,
    cap: Cap = None,
    by: str | Sequence[str] | None = None,
    population: str | None = None,
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """Incidents per victim (repeat victimization), per count column.

    Returns
    -------
    DataFrame
        As :func:`incidence`, with ``unit`` "incidents per victim"; ``n`` counts victims.

    Notes
    -----
    Summed (capped) incidents over summed victims, Σ w min(y, cap) / Σ w 1[y >= 1]. This
    ratio is the mean of min(y, cap) in the domain of victims, so it is estimated as that
    domain mean with the full design (R: ``svyratio(~count, ~victim)`` gives the same
    estimate and linearized SE).
    """
    cols = _columns(counts)
    caps = {c: series_cap(design, c, cap) for c in cols}
    derived = {}
    for c in cols:
        values = _count(design, c)
        derived[f"__conc_{c}"] = values.clip(upper=caps[c]).where(values >= 1)
    table = design.assign(**derived).mean(list(derived), by=by, ci_level=ci_level)
    table["variable"] = table["variable"].str.removeprefix("__conc_")
    table["cap"] = table["variable"].map(caps)
    return _label(table, "incidents per victim", cols, population)


def reporting_rate(
    design: SurveyDesign,
    *,
    victim: str,
    reported: str,
    by: str | Sequence[str] | None = None,
    population: str | None = None,
    ci_level: float = 0.95,
    ci_method: str = "logit",
) -> pd.DataFrame:
    """Percentage of victims whose incident was reported to the police.

    Parameters
    ----------
    design : SurveyDesign
    victim : str
        Column marking victims: a 0/1 indicator or an incident count (victim if >= 1).
    reported : str
        Column with 1 (reported) / 0 (not reported) for victims.
    by, ci_level, ci_method
        As in :func:`prevalence`.

    Returns
    -------
    DataFrame
        Tidy estimates in per cent of victims (``unit`` "per 100 victims"); ``n`` is the
        number of victims with a known answer.

    Notes
    -----
    The mean of ``reported`` in the domain of victims, with the full design for the
    variance (R: ``svyciprop(~reported, subset(design, victim >= 1), method = "logit")``). The
    dark figure is 100 minus this rate.
    """
    victims = _count(design, victim) >= 1
    if reported not in design.data.columns:
        raise ValueError(f"column {reported!r} is not in the survey data")
    flag = pd.to_numeric(design.data[reported], errors="coerce")
    bad = victims & flag.notna() & ~flag.isin([0, 1])
    if bad.any():
        raise ValueError(
            f"column {reported!r} must be 0 or 1 for victims; rows {list(flag.index[bad][:5])} "
            "are not"
        )
    # The victims form a domain (subset), so the interval's degrees of freedom are the
    # domain's, as in R's svyciprop on subset(design, victim >= 1).
    table = percent(
        design.subset(victims), {reported: flag}, by=by, ci_level=ci_level, ci_method=ci_method
    )
    return _label(table, "per 100 victims", [reported], population or population_at_risk(victim))
