"""Residents aged 15+: demographics, latent traits and every survey variable."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _attitudes
from ._config import (
    ADULT_AGE_GROUPS,
    AGE_GROUPS,
    PERSONAL_CRIMES,
    SEXES,
    SyntheticConfig,
)
from ._draw import bernoulli, categorical, linear_predictor, nullable
from ._population import Frame
from ._victimization import CRIME_MODELS, crime_columns

#: Probability of a disability (Washington Group: a lot of difficulty) by adult age group.
DISABILITY_BY_AGE: tuple[float, ...] = (0.02, 0.025, 0.035, 0.05, 0.08, 0.15)

#: Education categories and their distribution by adult age group (rows sum to 1).
EDUCATION: tuple[str, ...] = ("primary_or_less", "secondary", "vocational", "higher")
EDUCATION_BY_AGE: tuple[tuple[float, ...], ...] = (
    (0.20, 0.50, 0.15, 0.15),
    (0.03, 0.37, 0.25, 0.35),
    (0.03, 0.40, 0.27, 0.30),
    (0.04, 0.42, 0.28, 0.26),
    (0.06, 0.40, 0.28, 0.26),
    (0.15, 0.40, 0.22, 0.23),
)

#: Employment categories and their distribution by sex (female, male) and adult age group.
EMPLOYMENT: tuple[str, ...] = ("employed", "unemployed", "student", "homemaker", "retired")
EMPLOYMENT_BY_SEX_AGE: tuple[tuple[tuple[float, ...], ...], ...] = (
    (
        (0.25, 0.06, 0.55, 0.14, 0.00),
        (0.50, 0.06, 0.03, 0.41, 0.00),
        (0.60, 0.05, 0.00, 0.35, 0.00),
        (0.60, 0.05, 0.00, 0.33, 0.02),
        (0.30, 0.02, 0.00, 0.18, 0.50),
        (0.05, 0.00, 0.00, 0.05, 0.90),
    ),
    (
        (0.35, 0.10, 0.55, 0.00, 0.00),
        (0.85, 0.10, 0.03, 0.02, 0.00),
        (0.88, 0.08, 0.00, 0.02, 0.02),
        (0.85, 0.08, 0.00, 0.02, 0.05),
        (0.55, 0.05, 0.00, 0.02, 0.38),
        (0.10, 0.00, 0.00, 0.00, 0.90),
    ),
)

#: Mean years lived in the mahalla (exponential, capped at age): high-rise residents move
#: more often than owners of private houses.
YEARS_IN_MAHALLA_MEAN: dict[str, float] = {"high_rise": 12.0, "private": 25.0}

#: Latent person traits (standard normal) and their correlation matrix: lifestyle risk
#: (exposure to crime), attachment to the neighbourhood (cohesion), institutional trust,
#: anxiety (fear) and deviance (drug use). Signs follow the criminological literature.
TRAITS: tuple[str, ...] = ("risk", "cohesion", "trust", "fear", "deviance")
TRAIT_CORRELATION: tuple[tuple[float, ...], ...] = (
    (1.0, -0.1, -0.1, 0.0, 0.4),
    (-0.1, 1.0, 0.5, -0.2, -0.2),
    (-0.1, 0.5, 1.0, -0.2, -0.1),
    (0.0, -0.2, -0.2, 1.0, 0.0),
    (0.4, -0.2, -0.1, 0.0, 1.0),
)


def _demographics(
    rng: np.random.Generator, frame: Frame, adult: np.ndarray, high_rise: np.ndarray
) -> dict[str, np.ndarray]:
    """Disability, education, employment and years in the mahalla of the adults."""
    p = frame.persons
    g = p["age_group"][adult] - 1  # index into ADULT_AGE_GROUPS
    female = p["female"][adult]
    age = p["age"][adult].astype(np.int64)
    disability = bernoulli(rng, np.asarray(DISABILITY_BY_AGE)[g])
    education = categorical(rng, np.asarray(EDUCATION_BY_AGE)[g])
    employment_table = np.asarray(EMPLOYMENT_BY_SEX_AGE)
    employment = categorical(rng, employment_table[1 - female, g])
    mean_years = np.where(
        high_rise == 1, YEARS_IN_MAHALLA_MEAN["high_rise"], YEARS_IN_MAHALLA_MEAN["private"]
    )
    years = np.minimum(np.floor(rng.exponential(mean_years)), age).astype(np.int64)
    return {
        "g": g,
        "female": female,
        "age": age,
        "disability": disability,
        "education": education,
        "employment": employment,
        "years": years,
    }


def _covariates(
    demo: dict[str, np.ndarray],
    hh: dict[str, np.ndarray],
    traits: np.ndarray,
    effects: dict[str, np.ndarray],
    m: np.ndarray,
    high_rise: np.ndarray,
) -> dict[str, np.ndarray]:
    """Named covariate arrays of the adult models (indicators as floats)."""
    x: dict[str, np.ndarray] = {}
    x["female"] = demo["female"].astype(float)
    x["male"] = 1.0 - x["female"]
    for k, group in enumerate(ADULT_AGE_GROUPS):
        x["age_" + group.replace("-", "_").replace("+", "plus")] = (demo["g"] == k).astype(float)
    x["disability"] = demo["disability"].astype(float)
    x["higher_edu"] = (demo["education"] == EDUCATION.index("higher")).astype(float)
    for k, status in enumerate(EMPLOYMENT):
        x[status] = (demo["employment"] == k).astype(float)
    x["high_rise"] = high_rise.astype(float)
    x["private"] = 1.0 - x["high_rise"]
    x["log_years"] = np.log1p(demo["years"])
    for name in ("hh_size", "owns_vehicle", "hh_member_abroad"):
        x[name] = hh[name].astype(float)
    for k, trait in enumerate(TRAITS):
        x[trait] = traits[:, k]
    for name, values in effects.items():
        x["u_" + name] = values[m]
    return x


def build_adults(
    cfg: SyntheticConfig,
    rng: np.random.Generator,
    frame: Frame,
    effects: dict[str, np.ndarray],
    household_victim: np.ndarray,
) -> pd.DataFrame:
    """Generate every survey variable for every resident aged 15+.

    Parameters
    ----------
    cfg : SyntheticConfig
        The configuration.
    rng : numpy.random.Generator
        The ``persons`` stream.
    frame : Frame
        The population frame.
    effects : dict
        Mahalla effects from :func:`mahalla_effects`.
    household_victim : numpy.ndarray
        0/1 per household: burglary or vehicle theft in the last 12 months.

    Returns
    -------
    pandas.DataFrame
        One row per adult with identifiers, demographics and survey variables.

    Notes
    -----
    Person traits ``(risk, cohesion, trust, fear, deviance) ~ N(0, TRAIT_CORRELATION)``;
    each binary outcome is ``Bernoulli(expit(x'beta))`` and each ordinal outcome a
    thresholded latent ``x'beta + e`` with the coefficient tables of
    :mod:`._victimization` and :mod:`._attitudes`; mahalla effects enter every model, which
    creates the intra-cluster correlation.
    """
    p = frame.persons
    adult = p["age_group"] >= 1
    n = int(adult.sum())
    hh_index = p["hh"][adult]
    m = p["mahalla"][adult] - 1
    high_rise = frame.high_rise[m]
    households = frame.households
    hh = {
        name: households[name].to_numpy()[hh_index]
        for name in ("hh_size", "owns_vehicle", "hh_member_abroad")
    }
    demo = _demographics(rng, frame, adult, high_rise)
    chol = np.linalg.cholesky(np.asarray(TRAIT_CORRELATION))
    traits = rng.standard_normal((n, len(TRAITS))) @ chol.T
    x = _covariates(demo, hh, traits, effects, m, high_rise)
    x["trust_all"] = x["trust"] + x["u_trust"]

    cols: dict[str, pd.api.extensions.ExtensionArray] = {}
    everyone = np.ones(n, np.int8)
    for crime in PERSONAL_CRIMES:
        if crime == "bribery_request":
            continue
        eta = linear_predictor(CRIME_MODELS[crime].prevalence, x, n)
        cols.update(crime_columns(cfg, rng, crime, eta, everyone, x))
    corruption = _attitudes.corruption(cfg, rng, x)
    asked = corruption.asked_count
    cols.update(
        crime_columns(
            cfg,
            rng,
            "bribery_request",
            corruption.eta_asked_any,
            everyone,
            x,
            victim=(asked > 0).astype(np.int8),
            base=asked,
            reported=corruption.columns["bribe_reported"].fillna(0).to_numpy(np.int8),
        )
    )
    # conventional crime (not bribery requests) drives fear and distrust of the police
    victim = household_victim[hh_index] == 1
    for crime in PERSONAL_CRIMES:
        if crime != "bribery_request":
            victim |= cols[f"n12_{crime}"].to_numpy(np.int64) > 0
    x["victim_any"] = victim.astype(float)

    harassment = _attitudes.harassment(rng, x)
    x["harassed"] = harassment.harassed
    cols.update(_attitudes.safety(rng, x))
    cols.update(harassment.columns)
    cols.update(corruption.columns)
    cols.update(_attitudes.illicit_flows(rng, x))
    cols.update(_attitudes.cohesion_trust(rng, x))
    cols.update(_attitudes.drugs_services_participation(rng, x))

    ids = np.flatnonzero(adult)
    head = pd.DataFrame(
        {
            "person_id": ids.astype(np.int64),
            "hh_id": pd.array(households["hh_id"].to_numpy()[hh_index], dtype="string"),
            "mahalla": m + 1,
            "stratum": p["stratum"][adult],
            "sex": pd.Categorical.from_codes(1 - demo["female"], pd.Index(SEXES)).astype("string"),
            "age": demo["age"],
            "age_group": pd.Categorical.from_codes(demo["g"] + 1, pd.Index(AGE_GROUPS)).astype(
                "string"
            ),
            "disability": nullable(demo["disability"], None),
            "education": pd.Categorical.from_codes(demo["education"], pd.Index(EDUCATION)).astype(
                "string"
            ),
            "employment": pd.Categorical.from_codes(
                demo["employment"], pd.Index(EMPLOYMENT)
            ).astype("string"),
            "years_in_mahalla": demo["years"],
        }
    )
    body = pd.DataFrame(cols)
    return pd.concat([head, body], axis=1)
