"""Configuration, catalogues and the result container of the synthetic demo district."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, NoReturn

import pandas as pd

#: Seed of the committed demo data under ``data/synthetic/tashkent-chilanzar/``.
DEMO_SEED: int = 2025

#: Crime keys of the victimization module (ICVS crime types), in questionnaire order.
CRIMES: tuple[str, ...] = (
    "burglary",
    "theft_personal",
    "vehicle_theft",
    "robbery",
    "assault_threat",
    "sexual",
    "fraud",
    "bribery_request",
)

#: Crimes against the household (population at risk: households); the rest are personal.
HOUSEHOLD_CRIMES: tuple[str, ...] = ("burglary", "vehicle_theft")

#: Crimes against the person (population at risk: residents aged 15+).
PERSONAL_CRIMES: tuple[str, ...] = tuple(c for c in CRIMES if c not in HOUSEHOLD_CRIMES)

#: Crimes counted as physical, psychological (threats) or sexual violence (SDG 16.1.3, 16.3.1).
VIOLENT_CRIMES: tuple[str, ...] = ("assault_threat", "sexual", "robbery")

#: Types of public official in the corruption module (SDG 16.5.1 by type of official).
OFFICIALS: tuple[str, ...] = (
    "police",
    "courts",
    "health",
    "education",
    "tax",
    "registry",
    "utilities",
    "local_admin",
)

#: Public services of SDG 16.6.2 (``used_<s>`` and ``sat_<s>`` in the survey).
SERVICES: tuple[str, ...] = ("health", "education", "govservices")

#: Places of occurrence of harassment (SDG 11.7.2 by place).
HARASSMENT_PLACES: tuple[str, ...] = (
    "street",
    "transport",
    "workplace",
    "education",
    "online",
    "other",
)

#: Grounds of discrimination asked after ``discrim_any``.
DISCRIMINATION_GROUNDS: tuple[str, ...] = (
    "ethnicity",
    "religion",
    "sex",
    "age",
    "disability",
    "migrant",
)

#: Census age groups of the population frame (all residents).
AGE_GROUPS: tuple[str, ...] = ("0-14", "15-24", "25-34", "35-44", "45-54", "55-64", "65+")

#: Age groups of the survey population (residents aged 15 and over).
ADULT_AGE_GROUPS: tuple[str, ...] = AGE_GROUPS[1:]

#: Sex codes used in every file.
SEXES: tuple[str, ...] = ("female", "male")

#: ICCS 2015 codes of police-recorded crime: code -> (label, ICCS level).
ICCS_SECTIONS: dict[str, tuple[str, int]] = {
    "0101": ("Intentional homicide", 2),
    "0201": ("Assaults and threats", 2),
    "0204": ("Trafficking in persons", 2),
    "03": ("Injurious acts of a sexual nature (sexual violence)", 1),
    "0401": ("Robbery", 2),
    "0501": ("Burglary", 2),
    "0502": ("Theft", 2),
    "06": ("Acts involving controlled drugs or other psychoactive substances", 1),
    "07": ("Acts involving fraud, deception or corruption", 1),
    "08": ("Acts against public order, authority and provisions of the State", 1),
}

#: Police-recorded rate per 100,000 residents per year at the trend break, for the district
#: as a whole (mahalla effects are centred on it) and without seasonality or intervention.
#: Orders of magnitude typical of a large Central Asian city district.
POLICE_BASE_RATES: dict[str, float] = {
    "0101": 3.0,
    "0201": 120.0,
    "0204": 4.0,
    "03": 8.0,
    "0401": 25.0,
    "0501": 90.0,
    "0502": 300.0,
    "06": 60.0,
    "07": 80.0,
    "08": 150.0,
}

#: Names of the independent random streams, one per component (``SeedSequence.spawn``).
STREAMS: tuple[str, ...] = (
    "frame",
    "effects",
    "persons",
    "households",
    "sample",
    "fieldwork",
    "items",
    "police",
    "treatment",
    "informants",
)

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_DAY = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


def _fail(name: str, expected: str, value: object) -> NoReturn:
    raise ValueError(
        f"The {name!r} parameter of SyntheticConfig must be {expected}. Got {value!r} instead."
    )


@dataclass(frozen=True)
class SyntheticConfig:
    """All knobs of the synthetic demo district, with documented defaults.

    Parameters
    ----------
    seed : int
        Root seed; every component draws from its own ``SeedSequence(seed).spawn`` stream.
    district : str
        District key (folder name of the written data).
    id_prefix : str
        Prefix of respondent and household identifiers (``CHZ-00001``).
    residents : int
        Target number of residents at the fieldwork date (realised within about 0.5%).
    area_ha : float
        District area in hectares (the mahalla areas sum to it exactly).
    n_strata : int
        Number of strata (groups of neighbouring mahallas).
    n_mahallas : int
        Number of mahallas, the primary sampling units (PSUs).
    n_quarters : int
        Number of numbered Chilanzar quarters used to name the strata.
    mean_household_size : float
        Target mean household size (residents per household).
    mahalla_size_sd : float
        SD of log mahalla population shares (unequal PSU sizes).
    high_rise_share : tuple of float
        Share of high-rise (apartment block) mahallas in the first and the last stratum;
        the strata in between are interpolated linearly.
    private_household_size_ratio : float
        Mean household size in private-house mahallas relative to high-rise mahallas.
    psus_per_stratum : int
        Mahallas sampled per stratum (systematic PPS on household counts).
    households_per_psu : int
        Households sampled per sampled mahalla (SRS without replacement).
    response_rate : float
        Target household response rate for the district as a whole.
    response_high_rise_effect : float
        Logit change of response in high-rise mahallas (negative: harder to reach).
    response_household_size_effect : float
        Logit change of response per additional household member (someone is at home).
    noncontact_share : float
        Share of non-contacts among nonrespondents (the rest are refusals).
    fieldwork_start, fieldwork_end : str
        Fieldwork period (``YYYY-MM-DD``).
    psu_fieldwork_days : int
        Interviews in a sampled mahalla are spread over this many days.
    mahalla_crime_sd, mahalla_fear_sd, mahalla_cohesion_sd, mahalla_trust_sd,
    mahalla_corruption_sd, mahalla_drug_sd : float
        SDs of the mahalla random effects (logit or latent scale) that make the cluster
        design effect exceed one.
    crime_police_correlation : float
        Correlation between the survey crime effect and the police mahalla effect of a
        mahalla.
    max_incidents : int
        Largest codable number of incidents per reference period.
    item_nonresponse_trust, item_nonresponse_drugs, item_nonresponse_participation : float
        Probability of a missing answer (NA) per trust item, for the whole drug-use block,
        and per participation item (survey respondents only).
    police_start, police_end : str
        First and last month of the police-recorded series (``YYYY-MM``).
    trend_break : str
        Month at which the police trend changes slope (continuous at the break).
    trend_pre_pct, trend_post_pct : float
        Trend of police-recorded crime in % per year before and after the break.
    season_amplitude : float
        Amplitude of the annual harmonic on the log scale (peak / mean = exp(amplitude)).
    season_peak_month : int
        Month of year (1-12) of the seasonal peak.
    intervention : str
        Month of the Safe City CCTV roll-out (step change from this month on).
    intervention_sections : tuple of str
        ICCS codes affected by the intervention.
    intervention_rate_ratio : float
        Rate ratio of the affected sections after the intervention.
    police_mahalla_sd : float
        Scale of the (Student-t) log mahalla effect of police-recorded crime.
    police_mahalla_df : float
        Degrees of freedom of that t distribution (heavy tails concentrate crime).
    police_gamma_shape : float
        Shape of the gamma multiplier per mahalla-month-section cell (Var = mu + mu^2 / shape).
    population_growth_pct : float
        Mean growth of mahalla populations in % per year.
    population_growth_sd_pct : float
        SD of the mahalla-specific growth (percentage points per year).
    treatment_start, treatment_end : int
        Years of the drug-treatment series (SDG 3.5.1).
    disorder_rate_male, disorder_rate_female : float
        Prevalence of drug use disorders among residents aged 15-64, by sex.
    treatment_coverage : tuple of float
        True treatment coverage (proportion) in the first and last year (linear between).
    """

    seed: int = DEMO_SEED
    district: str = "tashkent-chilanzar"
    id_prefix: str = "CHZ"
    residents: int = 250_000
    area_ha: float = 2994.0
    n_strata: int = 6
    n_mahallas: int = 56
    n_quarters: int = 30
    mean_household_size: float = 4.2
    mahalla_size_sd: float = 0.22
    high_rise_share: tuple[float, float] = (0.95, 0.25)
    private_household_size_ratio: float = 1.35
    psus_per_stratum: int = 5
    households_per_psu: int = 55
    response_rate: float = 0.85
    response_high_rise_effect: float = -0.6
    response_household_size_effect: float = 0.15
    noncontact_share: float = 0.4
    fieldwork_start: str = "2025-03-01"
    fieldwork_end: str = "2025-05-31"
    psu_fieldwork_days: int = 10
    mahalla_crime_sd: float = 0.4
    mahalla_fear_sd: float = 0.25
    mahalla_cohesion_sd: float = 0.35
    mahalla_trust_sd: float = 0.2
    mahalla_corruption_sd: float = 0.4
    mahalla_drug_sd: float = 0.4
    crime_police_correlation: float = 0.6
    max_incidents: int = 60
    item_nonresponse_trust: float = 0.015
    item_nonresponse_drugs: float = 0.03
    item_nonresponse_participation: float = 0.02
    police_start: str = "2015-01"
    police_end: str = "2024-12"
    trend_break: str = "2019-01"
    trend_pre_pct: float = 3.0
    trend_post_pct: float = -2.0
    season_amplitude: float = 0.15
    season_peak_month: int = 7
    intervention: str = "2021-07"
    intervention_sections: tuple[str, ...] = ("0401", "0501", "0502")
    intervention_rate_ratio: float = 0.80
    police_mahalla_sd: float = 0.75
    police_mahalla_df: float = 6.0
    police_gamma_shape: float = 5.0
    population_growth_pct: float = 1.0
    population_growth_sd_pct: float = 0.5
    treatment_start: int = 2015
    treatment_end: int = 2024
    disorder_rate_male: float = 0.004
    disorder_rate_female: float = 0.0007
    treatment_coverage: tuple[float, float] = field(default=(0.08, 0.16))

    def __post_init__(self) -> None:
        ints = {
            "seed": (0, None),
            "residents": (1_000, None),
            "n_strata": (1, None),
            "n_mahallas": (2, None),
            "n_quarters": (1, None),
            "psus_per_stratum": (2, None),
            "households_per_psu": (1, None),
            "psu_fieldwork_days": (1, None),
            "max_incidents": (1, None),
            "season_peak_month": (1, 12),
        }
        for name, (low, high) in ints.items():
            value = getattr(self, name)
            if not isinstance(value, int) or value < low or (high is not None and value > high):
                upper = f" and at most {high}" if high is not None else ""
                _fail(name, f"an int of at least {low}{upper}", value)
        if self.n_mahallas < self.n_strata * self.psus_per_stratum:
            _fail(
                "n_mahallas",
                f"at least n_strata * psus_per_stratum = {self.n_strata * self.psus_per_stratum}",
                self.n_mahallas,
            )
        probabilities = (
            "response_rate",
            "noncontact_share",
            "crime_police_correlation",
            "item_nonresponse_trust",
            "item_nonresponse_drugs",
            "item_nonresponse_participation",
            "disorder_rate_male",
            "disorder_rate_female",
        )
        for name in probabilities:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                _fail(name, "a float in [0, 1]", value)
        if not 0.0 < self.response_rate < 1.0:
            _fail("response_rate", "a float in (0, 1)", self.response_rate)
        positives = (
            "area_ha",
            "mean_household_size",
            "private_household_size_ratio",
            "intervention_rate_ratio",
            "police_gamma_shape",
        )
        for name in positives:
            if not getattr(self, name) > 0:
                _fail(name, "a positive float", getattr(self, name))
        if self.mean_household_size < 1.5:
            _fail("mean_household_size", "a float of at least 1.5", self.mean_household_size)
        if self.police_mahalla_df <= 2:
            _fail("police_mahalla_df", "a float greater than 2", self.police_mahalla_df)
        for name in ("fieldwork_start", "fieldwork_end"):
            if not _DAY.match(str(getattr(self, name))):
                _fail(name, "a date 'YYYY-MM-DD'", getattr(self, name))
        if self.fieldwork_end < self.fieldwork_start:
            _fail("fieldwork_end", f"on or after {self.fieldwork_start}", self.fieldwork_end)
        for name in ("police_start", "police_end", "trend_break", "intervention"):
            if not _MONTH.match(str(getattr(self, name))):
                _fail(name, "a month 'YYYY-MM'", getattr(self, name))
        if not self.police_start < self.trend_break <= self.police_end:
            _fail("trend_break", "a month inside the police series", self.trend_break)
        if not self.police_start < self.intervention <= self.police_end:
            _fail("intervention", "a month inside the police series", self.intervention)
        unknown = [s for s in self.intervention_sections if s not in ICCS_SECTIONS]
        if unknown:
            _fail("intervention_sections", f"ICCS codes among {list(ICCS_SECTIONS)}", unknown)
        for name in ("high_rise_share", "treatment_coverage"):
            pair = getattr(self, name)
            if len(pair) != 2 or not all(0.0 <= p <= 1.0 for p in pair):
                _fail(name, "a pair of floats in [0, 1]", pair)
        if self.treatment_end < self.treatment_start:
            _fail("treatment_end", f"at least treatment_start={self.treatment_start}", None)

    def to_dict(self) -> dict[str, Any]:
        """Return the configuration as a JSON-ready dict (tuples become lists)."""
        return {
            k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()
        }


@dataclass(frozen=True)
class SyntheticDistrict:
    """The generated district: published frames, full population frames and the truth.

    Attributes
    ----------
    config : SyntheticConfig
        The configuration that produced the district.
    mahallas, population, margins, survey, fieldwork, police_monthly,
    population_monthly, treatment, iccs_sections, key_informants : pandas.DataFrame
        The frames written by :func:`write` (see ``data/synthetic/README.md``).
    households : pandas.DataFrame
        The whole finite population of households with household variables and household
        crimes (not written; for checks against the truth).
    adults : pandas.DataFrame
        The whole finite population of residents aged 15+ with every survey variable
        (not written).
    truth : dict
        True finite-population values and model parameters (written as ``truth.json``).
    """

    config: SyntheticConfig
    mahallas: pd.DataFrame
    population: pd.DataFrame
    margins: pd.DataFrame
    survey: pd.DataFrame
    fieldwork: pd.DataFrame
    police_monthly: pd.DataFrame
    population_monthly: pd.DataFrame
    treatment: pd.DataFrame
    iccs_sections: pd.DataFrame
    key_informants: pd.DataFrame
    households: pd.DataFrame
    adults: pd.DataFrame
    truth: dict[str, Any]
