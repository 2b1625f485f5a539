"""The catalogue of headline indicators that the synthesis reads from the results files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["HEADLINES", "SCORECARD_COLUMNS", "Direction", "Headline"]

Direction = Literal["higher is worse", "higher is better"]
_DIRECTIONS = ("higher is worse", "higher is better")


@dataclass(frozen=True)
class Headline:
    """Where a headline indicator lives in the results files, and how to read it.

    Attributes
    ----------
    id : str
        Identifier used by the parameters (``synthesis.severity``, ``recommendations``).
    label : str
        Name for readers.
    problem : str
        Short name of the problem the indicator measures, for the priority matrix: the
        indicator itself when higher is worse, its complement when higher is better
        (e.g. "Do not feel safe after dark" for SDG 16.1.4).
    module, table : str
        Module (results file) and table holding the indicator.
    where : mapping
        Column values that select its row (compared as text). When several rows match and
        the table has a ``group`` column not named here, the row of group "All" is used.
    unit : str
        Unit for readers, e.g. "% of residents 15+".
    direction : {"higher is worse", "higher is better"}
    percentage : bool, default True
        A percentage of a population (enters the priority matrix); False for changes
        such as an annual percent change.
    columns : mapping, optional
        Column of the table holding ``estimate``, ``ci_low``, ``ci_high``, ``p_value``
        when not under those names.
    pick : (column, "max" | "min"), optional
        Among the matching rows, the one with the largest (smallest) value of the column,
        e.g. ``("year", "max")`` for the latest year.
    detail : tuple of str
        Columns whose values describe the row picked (e.g. period), joined by "–".
    rate_ratio : bool, default False
        The estimate is a rate ratio, shown as a percent change ``100 (RR - 1)``.
    source : {"survey", "records"}
        Household survey (design-based SE and unweighted n), or administrative and police
        records (no sampling error: trends, ratios).
    """

    id: str
    label: str
    problem: str
    module: str
    table: str
    where: Mapping[str, Any]
    unit: str
    direction: Direction
    percentage: bool = True
    columns: Mapping[str, str] = field(default_factory=dict)
    pick: tuple[str, Literal["max", "min"]] | None = None
    detail: tuple[str, ...] = ()
    rate_ratio: bool = False
    source: Literal["survey", "records"] = "survey"


def _h(
    id_: str,
    label: str,
    problem: str,
    module: str,
    table: str,
    variable: str,
    unit: str,
    direction: Direction,
    **kw: Any,
) -> Headline:
    return Headline(
        id_, label, problem, module, table, {"variable": variable}, unit, direction, **kw
    )


_V01, _V02, _V03 = "01_crime_victimization", "02_safety_perceptions", "03_corruption"
_V05, _V06, _V07 = "05_violent_extremism_prevention", "06_drugs_health", "07_police_recorded_trends"
_V08 = "08_governance_trust"
_WORSE: Direction = "higher is worse"
_BETTER: Direction = "higher is better"

# fmt: off
#: The headline indicators of an assessment, in the order of the modules.
HEADLINES: tuple[Headline, ...] = (
    _h("crime_any", "Victims of any crime against the person, past 12 months",
       "Victims of any personal crime", _V01, "any_prevalence", "n_any_personal",
       "% of residents 15+", _WORSE),
    _h("crime_violent", "Victims of violent crime (assault or threat, robbery, sexual offence)",
       "Victims of violent crime", _V01, "any_prevalence", "n_any_violent",
       "% of residents 15+", _WORSE),
    _h("crime_household", "Households victim of a household crime, past 12 months",
       "Households victim of crime", _V01, "any_prevalence", "n_any_household",
       "% of households", _WORSE),
    _h("sdg_16_1_3", "Victims of physical, psychological or sexual violence (SDG 16.1.3)",
       "Victims of violence", _V01, "sdg_16_1_3", "sdg_16_1_3", "% of residents 15+", _WORSE),
    _h("sdg_16_3_1", "Victims of violence who reported it to the police (SDG 16.3.1)",
       "Violence not reported to the police", _V01, "sdg_16_3_1", "sdg_16_3_1",
       "% of victims of violence", _BETTER),
    _h("sdg_16_1_4", "Feel safe walking alone in their area after dark (SDG 16.1.4)",
       "Do not feel safe after dark", _V02, "sdg_16_1_4", "sdg_16_1_4",
       "% of residents 15+", _BETTER),
    _h("sdg_11_7_2", "Victims of physical or sexual harassment (SDG 11.7.2)",
       "Victims of harassment", _V02, "sdg_11_7_2", "sdg_11_7_2", "% of residents 15+", _WORSE),
    _h("sdg_16_5_1", "Paid or were asked for a bribe by a public official (SDG 16.5.1)",
       "Bribery by public officials", _V03, "sdg_16_5_1", "sdg_16_5_1",
       "% of residents with contact with officials", _WORSE),
    _h("discrimination", "Felt discriminated against, past 12 months",
       "Discrimination", _V05, "discrimination", "discrim_any", "% of residents 15+", _WORSE),
    _h("drug_use_year", "Used an illicit drug in the past 12 months, ages 15-64",
       "Drug use", _V06, "drug_use_prevalence", "drug_use_year", "% of residents 15-64", _WORSE),
    _h("sdg_3_5_1", "Treatment coverage for drug use disorders, latest year (SDG 3.5.1)",
       "Drug use disorders untreated", _V06, "sdg_3_5_1_by_year", "sdg_3_5_1",
       "% of people with drug use disorders", _BETTER, pick=("year", "max"), detail=("year",),
       source="records"),
    _h("sdg_16_6_2", "Satisfied with their last experience of public services (SDG 16.6.2)",
       "Dissatisfied with public services", _V08, "sdg_16_6_2", "sdg_16_6_2",
       "% of users", _BETTER),
    _h("sdg_16_7_2", "Feel decision-making is inclusive and responsive (SDG 16.7.2)",
       "Feel no say in local decisions", _V08, "sdg_16_7_2", "sdg_16_7_2",
       "% of residents 15+", _BETTER),
    _h("trust_police", "Trust the police", "Do not trust the police", _V08, "trust",
       "trust_police", "% of residents 15+", _BETTER),
    Headline("police_aapc", "Police-recorded crime: average annual percent change (AAPC)",
             "Rise in recorded crime", _V07, "aapc", {"iccs": "all"}, "% per year", _WORSE,
             percentage=False, columns={"estimate": "aapc"}, pick=("start", "min"),
             detail=("start", "end"), source="records"),
    Headline("safe_city_level", "Safe City CCTV: change in the level of targeted crimes",
             "Targeted crimes after Safe City", _V07, "intervention_effects",
             {"intervention": "Safe City CCTV", "series": "Targeted sections",
              "model": "Level and slope change"},
             "% change in level", _WORSE, percentage=False,
             columns={"estimate": "level_rr", "ci_low": "level_ci_low",
                      "ci_high": "level_ci_high", "p_value": "level_p"},
             detail=("start",), rate_ratio=True, source="records"),
)
# fmt: on

#: Columns of :func:`scorecard`, in order.
SCORECARD_COLUMNS = (
    *("id", "label", "problem", "module", "estimate", "se", "ci_low", "ci_high", "n"),
    *("p_value", "flag", "unit", "unit_label", "direction", "percentage", "source", "detail"),
    *("status", "note"),
)


def _bad(what: str, value: Any, expected: str) -> ValueError:
    return ValueError(f"The {what} of sga_methods.synthesis must be {expected}. Got {value!r}.")
