"""The module registry: every assessment module, its workbook and the data it needs.

The registry follows papermill's pattern of a registry where things vary: the pipeline,
the CLI, the index pages and the parameter schema all read the ten modules from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["MODULES", "Module", "get", "names", "resolve"]


@dataclass(frozen=True)
class Module:
    """One assessment module.

    Attributes
    ----------
    name : str
        Identifier and workbook stem, e.g. ``"01_crime_victimization"``.
    title : str
        Title shown on report pages and index pages.
    summary : str
        One line on what the module measures.
    requires : tuple of str
        Keys of the district's ``data`` sources that the workbook reads.
    after : tuple of str
        Modules whose results this one reads (it runs after them).
    """

    name: str
    title: str
    summary: str
    requires: tuple[str, ...] = ()
    after: tuple[str, ...] = ()

    @property
    def number(self) -> str:
        """The two-digit prefix, e.g. ``"01"``."""
        return self.name[:2]

    def workbook(self, workbooks_dir: Path) -> Path:
        """Path of the module's notebook in ``workbooks_dir``."""
        return workbooks_dir / f"{self.name}.ipynb"


_SURVEY = ("survey",)

MODULES: tuple[Module, ...] = (
    Module(
        "00_district_profile",
        "District profile",
        "Population, sample, response and weighting diagnostics",
        ("survey", "fieldwork", "mahallas", "population", "margins"),
    ),
    Module(
        "01_crime_victimization",
        "Crime and victimization",
        "Prevalence, incidence and reporting of ICVS crime types coded to ICCS",
        _SURVEY,
    ),
    Module(
        "02_safety_perceptions",
        "Perceptions of safety",
        "Feeling safe after dark, avoidance and harassment (SDG 16.1.4, 11.7.2)",
        _SURVEY,
    ),
    Module(
        "03_corruption",
        "Corruption",
        "Contacts with public officials and bribery (SDG 16.5.1)",
        _SURVEY,
    ),
    Module(
        "04_illicit_flows",
        "Illicit transnational flows",
        "Trafficking in persons, drugs, illicit financial flows and counterfeit goods",
        ("survey", "police_records", "population_monthly", "key_informants"),
    ),
    Module(
        "05_violent_extremism_prevention",
        "Preventing violent extremism",
        "Risk and resilience factors: cohesion, trust, exclusion and discrimination",
        _SURVEY,
    ),
    Module(
        "06_drugs_health",
        "Drugs and health",
        "Drug use, availability and treatment coverage (SDG 3.5.1)",
        ("survey", "treatment"),
    ),
    Module(
        "07_police_recorded_trends",
        "Police-recorded crime trends",
        "Monthly police-recorded crime: trends, seasonality, interventions, concentration",
        ("police_records", "population_monthly", "survey"),
    ),
    Module(
        "08_governance_trust",
        "Governance and trust",
        "Satisfaction with services, participation and trust (SDG 16.6.2, 16.7.2)",
        _SURVEY,
    ),
    Module(
        "09_synthesis",
        "Synthesis and priorities",
        "Scorecard of headline indicators, comparisons and priorities",
        (),
        after=(
            "00_district_profile",
            "01_crime_victimization",
            "02_safety_perceptions",
            "03_corruption",
            "04_illicit_flows",
            "05_violent_extremism_prevention",
            "06_drugs_health",
            "07_police_recorded_trends",
            "08_governance_trust",
        ),
    ),
)

_BY_NAME = {m.name: m for m in MODULES}


def names() -> list[str]:
    """All module names in running order."""
    return [m.name for m in MODULES]


def get(name: str) -> Module:
    """The module called ``name``; raises KeyError naming the known modules."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown module {name!r} (known: {', '.join(names())})") from None


def resolve(token: str) -> Module:
    """A module from its full name or its two-digit number (``"01"``)."""
    token = token.strip()
    if token in _BY_NAME:
        return _BY_NAME[token]
    matches = [m for m in MODULES if m.number == token or m.name.split("_", 1)[-1] == token]
    if len(matches) == 1:
        return matches[0]
    raise KeyError(f"unknown module {token!r} (known: {', '.join(names())})")
