"""True finite-population values of the headline indicators."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ._config import (
    CRIMES,
    HARASSMENT_PLACES,
    HOUSEHOLD_CRIMES,
    OFFICIALS,
    SERVICES,
    SEXES,
    VIOLENT_CRIMES,
    SyntheticConfig,
)

#: Significant digits kept in the truth (in memory and in ``truth.json``).
TRUTH_DIGITS: int = 10

#: Series caps for which capped incidence is also reported (former CSEW 5, NCVS 10).
SERIES_CAPS: tuple[int, ...] = (5, 10)


def round_sig(value: Any, digits: int = TRUTH_DIGITS) -> Any:
    """Round every float in a nested structure to ``digits`` significant digits."""
    if isinstance(value, dict):
        return {str(k): round_sig(v, digits) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [round_sig(v, digits) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        x = float(value)
        if x == 0.0 or not math.isfinite(x):
            return x
        return round(x, digits - 1 - math.floor(math.log10(abs(x))))
    return value


def _int(s: pd.Series) -> np.ndarray:
    """Integer values with NA as 0."""
    return s.fillna(0).to_numpy(np.int64)


def _pct(mask: np.ndarray, among: np.ndarray | None = None) -> float:
    """100 x share of ``mask`` among ``among`` (all if None)."""
    if among is None:
        return 100.0 * float(np.mean(mask))
    return 100.0 * float(np.sum(mask & among)) / float(np.sum(among))


def crime_truth(adults: pd.DataFrame, households: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Prevalence, incidence, concentration and reporting for each crime.

    Notes
    -----
    With ``N`` the population at risk (persons 15+ for personal crimes, households for
    household crimes), ``prevalence = 100 #(n12 > 0) / N``, ``incidence = 1000 sum(n12) / N``,
    ``concentration = sum(n12) / #(n12 > 0)`` and ``reporting = 100 #(rep = 1) / #(n12 > 0)``
    (the most recent incident of each victim). Capped incidence uses ``min(n12, cap)``.
    """
    out: dict[str, dict[str, Any]] = {}
    for crime in CRIMES:
        frame = households if crime in HOUSEHOLD_CRIMES else adults
        n12 = _int(frame[f"n12_{crime}"])
        n5y = _int(frame[f"n5y_{crime}"])
        victim = n12 > 0
        entry: dict[str, Any] = {
            "unit": "households" if crime in HOUSEHOLD_CRIMES else "persons_15plus",
            "population_at_risk": int(n12.size),
            "victims_12m": int(victim.sum()),
            "incidents_12m": int(n12.sum()),
            "prevalence_12m_pct": _pct(victim),
            "incidence_12m_per_1000": 1000.0 * n12.sum() / n12.size,
            "concentration_12m": float(n12.sum() / max(victim.sum(), 1)),
            "prevalence_5y_pct": _pct(n5y > 0),
            "incidence_5y_per_1000": 1000.0 * n5y.sum() / n5y.size,
            "reporting_rate_pct": _pct(_int(frame[f"rep_{crime}"]) == 1, victim),
            "max_incidents_12m": int(n12.max()),
        }
        for cap in SERIES_CAPS:
            entry[f"incidence_12m_per_1000_cap{cap}"] = (
                1000.0 * np.minimum(n12, cap).sum() / n12.size
            )
        if crime == "vehicle_theft":
            owners = households["owns_vehicle"].to_numpy() == 1
            entry["prevalence_12m_owners_pct"] = _pct(victim, owners)
        out[crime] = entry
    return out


def _by_sex(adults: pd.DataFrame, mask: np.ndarray, among: np.ndarray | None = None) -> dict:
    sex = adults["sex"].to_numpy()
    base = np.ones(mask.size, bool) if among is None else among
    return {s: _pct(mask, base & (sex == s)) for s in SEXES}


def indicator_truth(adults: pd.DataFrame, households: pd.DataFrame) -> dict[str, Any]:
    """SDG and headline indicators on the whole population (definitions in the Notes).

    Notes
    -----
    - 16.1.3: % of persons 15+ victim of assault/threat, sexual offence or robbery (12 m).
    - 16.1.4: % feeling very or fairly safe walking alone after dark, those who never go
      out alone counted by the would-feel follow-up.
    - 16.3.1: % of 12-month victims of those violent crimes who reported the most recent
      incident of at least one of them to the police.
    - 16.5.1: % of persons with at least one contact with an official who were asked for
      or paid a bribe (any official); by official among those with contact with it.
    - 11.7.2: % harassed (non-sexual or sexual) in the last 12 months; by place: % of all
      persons harassed at that place.
    - 16.6.2: % satisfied or very satisfied (3-4) among users of each service; and their mean.
    - 16.7.2: mean of the % answering 3-5 on "have a say" and on "have an influence".
    - Drug use: % of persons aged 15-64 with use in the past year / month.
    """
    age = adults["age"].to_numpy()
    violent = np.zeros(len(adults), bool)
    reported = np.zeros(len(adults), bool)
    for crime in VIOLENT_CRIMES:
        victim = _int(adults[f"n12_{crime}"]) > 0
        violent |= victim
        reported |= victim & (_int(adults[f"rep_{crime}"]) == 1)
    dark = _int(adults["feel_safe_dark"])
    would = _int(adults["feel_safe_dark_would"])
    safe = np.isin(dark, (3, 4)) | ((dark == 5) & np.isin(would, (3, 4)))
    disabled = adults["disability"].to_numpy(np.int64) == 1

    contact_any = np.zeros(len(adults), bool)
    bribe_any = np.zeros(len(adults), bool)
    by_official = {}
    for o in OFFICIALS:
        contact = _int(adults[f"contact_{o}"]) == 1
        bribe = (_int(adults[f"bribe_asked_{o}"]) == 1) | (_int(adults[f"bribe_paid_{o}"]) == 1)
        contact_any |= contact
        bribe_any |= bribe
        by_official[o] = _pct(bribe, contact)
    paid_any = _int(adults["bribes_paid_count"]) > 0

    harassed = (_int(adults["harass_nonsexual_12m"]) == 1) | (
        _int(adults["harass_sexual_12m"]) == 1
    )
    by_place = {p: _pct(_int(adults[f"harass_place_{p}"]) == 1) for p in HARASSMENT_PLACES}

    services = {}
    for s in SERVICES:
        used = _int(adults[f"used_{s}"]) == 1
        services[s] = _pct(_int(adults[f"sat_{s}"]) >= 3, used)
    say = _pct(_int(adults["have_say"]) >= 3)
    influence = _pct(_int(adults["have_influence"]) >= 3)
    working_age = age <= 64
    return {
        "sdg_16_1_3_pct": _pct(violent),
        "sdg_16_1_3_by_sex_pct": _by_sex(adults, violent),
        "sdg_16_1_4_pct": _pct(safe),
        "sdg_16_1_4_by_sex_pct": _by_sex(adults, safe),
        "sdg_16_1_4_disability_pct": _pct(safe, disabled),
        "never_out_alone_after_dark_pct": _pct(dark == 5),
        "sdg_16_3_1_pct": _pct(reported, violent),
        "sdg_16_5_1_pct": _pct(bribe_any, contact_any),
        "sdg_16_5_1_by_official_pct": by_official,
        "contact_any_official_pct": _pct(contact_any),
        "bribe_paid_pct_of_contacts": _pct(paid_any, contact_any),
        "sdg_11_7_2_pct": _pct(harassed),
        "sdg_11_7_2_by_sex_pct": _by_sex(adults, harassed),
        "sdg_11_7_2_by_place_pct": by_place,
        "harassment_sexual_pct": _pct(_int(adults["harass_sexual_12m"]) == 1),
        "harassment_nonsexual_pct": _pct(_int(adults["harass_nonsexual_12m"]) == 1),
        "sdg_16_6_2_pct": {**services, "mean_of_services": float(np.mean(list(services.values())))},
        "sdg_16_7_2_pct": (say + influence) / 2.0,
        "have_say_3to5_pct": say,
        "have_influence_3to5_pct": influence,
        "trust_police_4to5_pct": _pct(_int(adults["trust_police"]) >= 4),
        "drug_use_ever_15_64_pct": _pct(_int(adults["drug_use_ever"]) == 1, working_age),
        "drug_use_past_year_15_64_pct": _pct(_int(adults["drug_use_year"]) == 1, working_age),
        "drug_use_past_month_15_64_pct": _pct(_int(adults["drug_use_month"]) == 1, working_age),
        "mean_household_size": float(households["hh_size"].mean()),
    }


def population_truth(households: pd.DataFrame, adults: pd.DataFrame) -> dict[str, Any]:
    """Population counts of the frame."""
    return {
        "residents": int(households["hh_size"].sum()),
        "households": len(households),
        "persons_15plus": len(adults),
        "persons_15_64": int((adults["age"] <= 64).sum()),
        "mean_household_size": float(households["hh_size"].mean()),
    }


def assemble(
    cfg: SyntheticConfig,
    adults: pd.DataFrame,
    households: pd.DataFrame,
    police: dict[str, Any],
    treatment: dict[str, Any],
) -> dict[str, Any]:
    """The whole truth dict, rounded to :data:`TRUTH_DIGITS` significant digits."""
    truth = {
        "synthetic": True,
        "seed": cfg.seed,
        "district": cfg.district,
        "config": cfg.to_dict(),
        "population": population_truth(households, adults),
        "crimes": crime_truth(adults, households),
        "indicators": indicator_truth(adults, households),
        "police": police,
        "treatment": treatment,
    }
    return round_sig(truth)


def truth_table(truth: dict[str, Any]) -> str:
    """Markdown table of the main true values (used in ``data/synthetic/README.md``)."""
    lines = [
        "| indicator | true value |",
        "|---|---|",
    ]
    for crime, e in truth["crimes"].items():
        unit = "households" if e["unit"] == "households" else "persons 15+"
        lines.append(
            f"| {crime}: 12-month prevalence % / incidence per 1,000 {unit} / "
            f"5-year prevalence % / reporting rate % | {e['prevalence_12m_pct']:.2f} / "
            f"{e['incidence_12m_per_1000']:.1f} / {e['prevalence_5y_pct']:.2f} / "
            f"{e['reporting_rate_pct']:.1f} |"
        )
    ind = truth["indicators"]
    rows = [
        ("SDG 16.1.3 violence victims, 12 m (%)", ind["sdg_16_1_3_pct"]),
        ("SDG 16.1.4 feel safe walking alone after dark (%)", ind["sdg_16_1_4_pct"]),
        ("SDG 16.3.1 violence victims who reported (%)", ind["sdg_16_3_1_pct"]),
        ("SDG 16.5.1 bribery among contacts (%)", ind["sdg_16_5_1_pct"]),
        ("SDG 11.7.2 harassment, 12 m (%)", ind["sdg_11_7_2_pct"]),
        ("SDG 16.6.2 satisfied with services, mean (%)", ind["sdg_16_6_2_pct"]["mean_of_services"]),
        ("SDG 16.7.2 have a say / influence (%)", ind["sdg_16_7_2_pct"]),
        ("Drug use past year, ages 15-64 (%)", ind["drug_use_past_year_15_64_pct"]),
        ("Drug use past month, ages 15-64 (%)", ind["drug_use_past_month_15_64_pct"]),
        ("Mean household size", ind["mean_household_size"]),
    ]
    lines += [f"| {label} | {value:.2f} |" for label, value in rows]
    police = truth["police"]
    lines.append(
        f"| Police: intervention rate ratio ({', '.join(police['intervention_sections'])}) "
        f"| {police['intervention_rate_ratio']:.2f} |"
    )
    coverage = truth["treatment"]["sdg_3_5_1_pct"]
    first, last = min(coverage), max(coverage)
    lines.append(
        f"| SDG 3.5.1 treatment coverage {first} / {last} (%) "
        f"| {coverage[first]:.2f} / {coverage[last]:.2f} |"
    )
    return "\n".join(lines) + "\n"
