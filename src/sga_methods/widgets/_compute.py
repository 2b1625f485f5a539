"""The numbers behind the explorers: choices checked, designs cached, tables computed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import pandas as pd

from .. import indicators as ind
from .. import victimization as vic
from ..design import SurveyDesign
from ..params import DistrictParams

__all__ = [
    "CAP_CHOICES",
    "CI_METHODS",
    "DOMAINS",
    "INDICATORS",
    "MEASURES",
    "WEIGHTINGS",
    "DesignCache",
    "explore_indicator",
    "explore_victimization",
    "recall_periods",
]

#: Victimization measures: key -> reader-facing name.
MEASURES: dict[str, str] = {
    "prevalence": "Prevalence",
    "incidence": "Incidence",
    "concentration": "Concentration (incidents per victim)",
    "reporting_rate": "Reporting rate",
}

#: Domain (grouping) variables the explorers offer, with their titles.
DOMAINS: dict[str, str] = {
    "sex": "Sex",
    "age_group": "Age group",
    "disability": "Disability",
    "education": "Education",
    "employment": "Employment",
    "stratum": "Stratum",
}

#: Interval methods for percentages (see :func:`sga_methods.intervals.proportion_interval`).
CI_METHODS: tuple[str, ...] = ("logit", "beta", "wilson", "wald")
#: Weighting schemes: the district's (as its parameters say) or the design weights only.
WEIGHTINGS: tuple[str, ...] = ("district", "design")
#: Series caps offered for incidence and concentration (see :func:`vic.series_cap`).
CAP_CHOICES: tuple[int | str | None, ...] = (None, 5, 10, "p98")
#: Most domains a grouping variable may have (guards against ids or single years of age).
MAX_LEVELS = 30

_RESIDENTS, _YEAR, _NOW = "% of residents 15+", "past 12 months", "at the time of the interview"
_VICTIMS, _CONTACT = "% of victims of violence", "% of residents 15+ with contact"
_USERS = "% of users, average of services"

#: Survey-based SDG indicators of the indicator explorer: key -> (title, unit, period).
INDICATORS: dict[str, tuple[str, str, str]] = {
    "16.1.3": ("subjected to physical, psychological or sexual violence", _RESIDENTS, _YEAR),
    "16.1.4": ("feel safe walking alone in their area after dark", _RESIDENTS, _NOW),
    "16.3.1": ("victims of violence who reported it to the police", _VICTIMS, _YEAR),
    "16.5.1": ("paid or were asked for a bribe by a public official", _CONTACT, _YEAR),
    "11.7.2": ("victims of non-sexual or sexual harassment", _RESIDENTS, _YEAR),
    "16.6.2": ("satisfied with their last experience of public services", _USERS, _YEAR),
    "16.7.2": ("feel decision-making is inclusive and responsive", _RESIDENTS, _NOW),
}

_NONE = "none"  # dropdown value for "no domain" / "no cap" (a None value means no selection)
_PERCENTS, _CAPPED = ("prevalence", "reporting_rate"), ("incidence", "concentration")
_CI_TEXT = {"logit": "Logit", "beta": "Korn-Graubard (beta)", "wilson": "Wilson", "wald": "Wald"}
_Cap = int | Literal["p98"] | None


class DesignCache:
    """Survey designs of one survey, built once per unit and weighting scheme.

    Parameters
    ----------
    params : DistrictParams
        The district's parameters (design columns and weighting).
    survey : DataFrame
        The survey data; the designs copy it when first built, so later changes to
        ``survey`` are not seen.
    """

    def __init__(self, params: DistrictParams, survey: pd.DataFrame) -> None:
        self.params, self.survey = params, survey
        self._designs: dict[tuple[str, str], SurveyDesign] = {}

    def __len__(self) -> int:
        return len(self._designs)

    def get(self, unit: Literal["person", "household"], weighting: str) -> SurveyDesign:
        """The design of ``unit`` ("person" or "household") under ``weighting``.

        ``"district"``: ``params.survey_design(survey, unit=unit)``; ``"design"``: the same
        with ``weighting.method`` "none" (design weights; same strata, PSUs and fpc).
        """
        _check("weighting", weighting, WEIGHTINGS)
        _check("unit", unit, ("person", "household"))
        if (unit, weighting) not in self._designs:
            source = self.params
            if weighting == "design" and source.weighting.method != "none":
                plain = source.weighting.model_copy(update={"method": "none"})
                source = source.model_copy(update={"weighting": plain})
            self._designs[unit, weighting] = source.survey_design(self.survey, unit=unit)
        return self._designs[unit, weighting]


def _check(name: str, value: Any, allowed: Sequence[Any]) -> None:
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is not one of {', '.join(map(repr, allowed))}")


def _cache(params: DistrictParams, survey: pd.DataFrame, cache: DesignCache | None) -> DesignCache:
    if cache is None:
        return DesignCache(params, survey)
    if cache.params is not params or cache.survey is not survey:
        raise ValueError("designs: this DesignCache was built for other parameters or data")
    return cache


def recall_periods(survey: pd.DataFrame) -> list[int]:
    """Recall periods (months) with a count column for every crime type in the survey.

    A crime type is in the survey when it has a count column (``n12_<crime>``,
    ``n3y_<crime>`` or ``n5y_<crime>``, see :data:`vic.RECALL_PREFIX`) for some period.

    Examples
    --------
    >>> cols = [vic.count_column(c, m) for c in vic.CRIME_TYPES for m in (12, 60)]
    >>> recall_periods(pd.DataFrame(columns=[*cols, "n3y_burglary"]))
    [12, 60]
    """
    present = _crimes_in(survey)
    return [
        m
        for m in vic.RECALL_PREFIX
        if present and all(vic.count_column(c, m) in survey.columns for c in present)
    ]


def _crimes_in(survey: pd.DataFrame) -> list[str]:
    prefixes = vic.RECALL_PREFIX.values()
    return [c for c in vic.CRIME_TYPES if any(f"{p}{c}" in survey.columns for p in prefixes)]


def _domain(survey: pd.DataFrame, by: str | None) -> dict[str, str]:
    """``{column: title}`` for :func:`ind.disaggregate`, after checking the column."""
    if by is None:
        return {}
    if not isinstance(by, str) or by not in survey.columns:
        raise ValueError(f"by={by!r} is not a column of the survey (offered: {', '.join(DOMAINS)})")
    if (levels := survey[by].nunique()) > MAX_LEVELS:
        raise ValueError(
            f"by={by!r} has {levels} values; choose a domain with at most {MAX_LEVELS}"
        )
    return {by: DOMAINS.get(by, by)}


def _labelled(table: pd.DataFrame, name: str, by: str | None) -> pd.DataFrame:
    """Add ``label``: ``name`` without a domain, else "Group: level" ("All" overall)."""
    pairs = zip(table["group"], table["level"], strict=True)
    labels = [name if by is None else "All" if g == "All" else f"{g}: {lv}" for g, lv in pairs]
    return table.assign(label=labels)


def explore_victimization(
    params: DistrictParams,
    survey: pd.DataFrame,
    *,
    crime: str,
    measure: str = "prevalence",
    by: str | None = None,
    months: int | None = None,
    ci_method: str | None = None,
    weighting: str = "district",
    cap: _Cap | Literal["district"] = "district",
    designs: DesignCache | None = None,
) -> pd.DataFrame:
    """One victimization rate of one crime type, overall and by a domain.

    Parameters
    ----------
    params : DistrictParams
        The district's parameters (design, weighting, ``options.ci_level``).
    survey : DataFrame
        The survey data with the standard count columns (``n12_<crime>``, ...).
    crime : str
        Key of :data:`vic.CRIME_TYPES`, e.g. ``"burglary"``. Household crimes use the
        household design, the others the person design.
    measure : {"prevalence", "incidence", "concentration", "reporting_rate"}
        :func:`vic.prevalence` (% victimized), :func:`vic.incidence` (incidents per
        1,000), :func:`vic.concentration` (incidents per victim) or
        :func:`vic.reporting_rate` (% of victims whose most recent incident was reported).
    by : str, optional
        Domain column (e.g. one of :data:`DOMAINS`); the overall row comes first.
    months : int, optional
        Recall period; default ``params.reference_period.victimization_months``. The
        reporting rate is always of the past 12 months (the question is about the most
        recent incident of the past 12 months).
    ci_method : {"logit", "beta", "wilson", "wald"}, optional
        Interval for percentages (prevalence, reporting rate); default
        ``params.options.ci_method``. Incidence and concentration are means with t
        intervals: a method for them is an error.
    weighting : {"district", "design"}, default "district"
        The district's weighting, or the design weights only (see the module notes).
    cap : None, int, "p98" or "district", default "district"
        Series cap for incidence and concentration (:func:`vic.series_cap`); "district"
        is ``params.options.series_cap``. A cap for prevalence or the reporting rate, which
        it cannot change, is an error.
    designs : DesignCache, optional
        Designs of these ``params`` and ``survey`` built earlier (the explorers pass theirs).

    Returns
    -------
    DataFrame
        The estimator's tidy columns (``variable``, ``estimate, se, ci_low, ci_high, n,
        cv``, ``unit``, ``population``, and ``cap`` for incidence and concentration) with
        ``group`` and ``level`` as :func:`ind.disaggregate` gives them ("All"/"all"
        first), and the choices: ``crime``, ``measure``, ``months``, ``weighting``,
        ``cap_rule`` (None, an integer or "p98"; incidence and concentration only) and
        ``label`` (the crime type without a domain, else "Group: level").

    Raises
    ------
    ValueError
        An unknown crime, measure, method, weighting or cap; a domain or count column not
        in the survey; an option that does not apply to the measure.
    """
    if crime not in vic.CRIME_TYPES:
        raise ValueError(f"crime={crime!r} is not a crime type ({', '.join(vic.CRIME_TYPES)})")
    _check("measure", measure, tuple(MEASURES))
    _check("weighting", weighting, WEIGHTINGS)
    if measure == "reporting_rate" and months not in (None, 12):
        raise ValueError(
            f"months={months!r}: the reporting question is about the most recent incident of "
            "the past 12 months; use months=12"
        )
    months = 12 if measure == "reporting_rate" else months
    months = params.reference_period.victimization_months if months is None else months
    count = vic.count_column(crime, months)
    if count not in survey.columns:
        raise ValueError(
            f"months={months!r}: the survey has no column {count!r} (recall periods with "
            f"count columns: {recall_periods(survey) or 'none'})"
        )
    kwargs: dict[str, Any] = {"ci_level": params.options.ci_level}
    if measure in _PERCENTS:
        if cap not in (None, "district"):
            raise ValueError(f"cap={cap!r} applies to incidence and concentration, not {measure}")
        kwargs["ci_method"] = params.options.ci_method if ci_method is None else ci_method
        _check("ci_method", kwargs["ci_method"], CI_METHODS)
    else:
        if ci_method is not None:
            raise ValueError(f"ci_method={ci_method!r} applies to percentages, not {measure}")
        kwargs["cap"] = params.options.series_cap if cap == "district" else cap
    groups = _domain(survey, by)
    design = _cache(params, survey, designs).get(vic.CRIME_TYPES[crime].unit, weighting)
    args: tuple[str, ...] = (count,)
    if measure == "reporting_rate":
        args, kwargs = (), kwargs | {"victim": count, "reported": vic.reported_column(crime)}
    estimator: Callable[..., pd.DataFrame] = getattr(vic, measure)  # the measure's function
    table = ind.disaggregate(estimator, design, *args, groups=groups, **kwargs)
    table = table.assign(crime=crime, measure=measure, months=months, weighting=weighting)
    if "cap" in kwargs:
        table["cap_rule"] = pd.Series([kwargs["cap"]] * len(table), dtype=object)
    return _labelled(table, vic.CRIME_TYPES[crime].label, by)


def _indicator(design: SurveyDesign, key: str, **kw: Any) -> pd.DataFrame:
    """SDG indicator ``key`` as the workbooks define it (see :func:`explore_indicator`)."""
    data = design.data

    def suffixes(prefix: str, *others: str) -> list[str]:
        found = [c.removeprefix(prefix) for c in data.columns if c.startswith(prefix)]
        return [s for s in found if all(f"{o}{s}" in data.columns for o in others)]

    if key in ("16.1.3", "16.3.1"):
        return (ind.sdg_16_1_3 if key == "16.1.3" else ind.sdg_16_3_1)(design, months=12, **kw)
    if key == "16.1.4":
        return ind.sdg_16_1_4(
            design, "feel_safe_dark", safe=(3, 4), never=5, would="feel_safe_dark_would", **kw
        )
    if key == "16.5.1":
        if not (officials := suffixes("contact_", "bribe_asked_", "bribe_paid_")):
            raise ValueError(
                "SDG 16.5.1 needs columns contact_, bribe_asked_, bribe_paid_<official>"
            )
        bribe = [f"bribe_{kind}_{o}" for kind in ("asked", "paid") for o in officials]
        return ind.sdg_16_5_1(design, [f"contact_{o}" for o in officials], bribe, **kw)
    if key == "11.7.2":
        return ind.sdg_11_7_2(design, **kw)
    if key == "16.6.2":
        if not (services := {s: (f"used_{s}", f"sat_{s}") for s in suffixes("used_", "sat_")}):
            raise ValueError("SDG 16.6.2 needs columns used_<service> and sat_<service>")
        return ind.sdg_16_6_2(design, services, satisfied=(3, 4), components=False, **kw)
    return ind.sdg_16_7_2(
        design, "have_say", "have_influence", agree=(3, 4, 5), components=False, **kw
    )


def explore_indicator(
    params: DistrictParams,
    survey: pd.DataFrame,
    *,
    indicator: str,
    by: str | None = None,
    ci_method: str | None = None,
    weighting: str = "district",
    designs: DesignCache | None = None,
) -> pd.DataFrame:
    """One SDG indicator of :data:`INDICATORS`, overall and by a domain.

    Parameters
    ----------
    params, survey, by, weighting, designs
        As in :func:`explore_victimization`; every indicator uses the person design.
    indicator : {"16.1.3", "16.1.4", "16.3.1", "16.5.1", "11.7.2", "16.6.2", "16.7.2"}
    ci_method : {"logit", "beta", "wilson", "wald"}, optional
        Interval for percentages; default ``params.options.ci_method``. The averages of
        16.6.2 (over services) and 16.7.2 (over two questions) have t intervals.

    Returns
    -------
    DataFrame
        The indicator function's tidy columns with ``group`` and ``level``, and
        ``indicator``, ``weighting`` and ``label`` ("SDG 16.1.3" without a domain).

    Notes
    -----
    The workbooks' definitions: 16.1.3 and 16.3.1 over :data:`ind.VIOLENT_CRIMES` in the
    past 12 months; 16.1.4 with codes 3-4 as safe and the "would feel" answer of those
    who never go out after dark; 16.5.1 over every official with ``contact_``,
    ``bribe_asked_`` and ``bribe_paid_`` columns (asked or paid); 16.6.2 over every service
    with ``used_`` and ``sat_`` columns (codes 3-4); 16.7.2 codes 3-5 of ``have_say`` and
    ``have_influence``.
    """
    _check("indicator", indicator, tuple(INDICATORS))
    _check("weighting", weighting, WEIGHTINGS)
    method = params.options.ci_method if ci_method is None else ci_method
    _check("ci_method", method, CI_METHODS)
    groups = _domain(survey, by)
    design = _cache(params, survey, designs).get("person", weighting)
    level = params.options.ci_level
    table = ind.disaggregate(
        _indicator, design, indicator, groups=groups, ci_level=level, ci_method=method
    )
    return _labelled(table.assign(indicator=indicator, weighting=weighting), f"SDG {indicator}", by)
