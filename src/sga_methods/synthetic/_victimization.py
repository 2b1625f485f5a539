"""Victimization: 12-month and 5-year incident counts and reporting to the police."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._config import SyntheticConfig
from ._draw import Covariates, bernoulli, expit, linear_predictor, logit, nullable


@dataclass(frozen=True)
class CrimeSpec:
    """Generating model of one crime type.

    Attributes
    ----------
    prevalence : dict
        Logit model of being a victim at least once in the last 12 months.
    series_mean, series_shape : float
        Incidents of a victim are ``1 + NegBin(series_mean, series_shape)``.
    report : dict
        Logit model of the most recent 12-month incident being reported to the police.
    """

    prevalence: dict[str, float]
    series_mean: float
    series_shape: float
    report: dict[str, float]


#: The crime models. Intercepts give district prevalences in the range of ICVS city surveys
#: (burglary ~3% of households, theft ~6%, assault/threat ~4%, robbery ~1%, sexual ~1%);
#: gradients follow the ICVS literature (the young, men for robbery and assault, women
#: for sexual offences, lifestyle risk). ``u_crime`` is the mahalla crime effect and
#: ``trust_all`` the respondent's trust in institutions (household crimes: the mahalla's).
#: Reporting intercepts give typical ICVS reporting rates (vehicle theft high, sexual low).
CRIME_MODELS: dict[str, CrimeSpec] = {
    "burglary": CrimeSpec(
        {"intercept": -3.5, "private": 0.5, "hh_size": -0.08, "u_crime": 1.0},
        0.3,
        0.4,
        {"intercept": logit(0.55), "trust_all": 0.3},
    ),
    "theft_personal": CrimeSpec(
        {
            "intercept": -3.1,
            "female": 0.1,
            "age_15_24": 0.5,
            "age_25_34": 0.3,
            "age_65plus": -0.4,
            "student": 0.3,
            "high_rise": 0.3,
            "risk": 0.5,
            "u_crime": 1.0,
        },
        0.5,
        0.3,
        {"intercept": logit(0.3), "trust_all": 0.4},
    ),
    "vehicle_theft": CrimeSpec(
        {"intercept": -3.3, "high_rise": 0.5, "u_crime": 1.0},
        0.15,
        0.5,
        {"intercept": logit(0.85), "trust_all": 0.3},
    ),
    "robbery": CrimeSpec(
        {
            "intercept": -5.0,
            "female": -0.5,
            "age_15_24": 0.7,
            "age_25_34": 0.3,
            "risk": 0.6,
            "u_crime": 1.2,
        },
        0.4,
        0.3,
        {"intercept": logit(0.5), "trust_all": 0.4},
    ),
    "assault_threat": CrimeSpec(
        {
            "intercept": -3.4,
            "female": -0.3,
            "age_15_24": 0.7,
            "age_25_34": 0.4,
            "age_65plus": -0.6,
            "unemployed": 0.4,
            "risk": 0.7,
            "u_crime": 1.0,
        },
        1.2,
        0.25,
        {"intercept": logit(0.3), "trust_all": 0.4},
    ),
    "sexual": CrimeSpec(
        {
            "intercept": -5.6,
            "female": 1.5,
            "age_15_24": 0.9,
            "age_25_34": 0.5,
            "age_65plus": -1.0,
            "risk": 0.4,
            "u_crime": 0.8,
        },
        1.0,
        0.25,
        {"intercept": logit(0.12), "trust_all": 0.4},
    ),
    "fraud": CrimeSpec(
        {
            "intercept": -3.3,
            "age_25_34": 0.3,
            "age_35_44": 0.3,
            "age_65plus": 0.2,
            "higher_edu": 0.4,
            "risk": 0.2,
            "u_crime": 0.5,
        },
        0.6,
        0.3,
        {"intercept": logit(0.25), "trust_all": 0.4},
    ),
    # prevalence of bribery requests comes from the corruption module (asked by any official)
    "bribery_request": CrimeSpec({}, 0.8, 0.3, {}),
}

#: Odds of a victimization in the four years before the last 12 months relative to the
#: 12-month odds: four years, discounted for forgetting of older incidents (recall decay).
PRIOR_PERIOD_ODDS: float = 4.0 * 0.6

#: Log odds ratio of an earlier victimization for 12-month victims (repeat victimization).
REPEAT_VICTIM_LOG_OR: float = 1.0


def incident_counts(
    rng: np.random.Generator, victim: np.ndarray, base: np.ndarray, spec: CrimeSpec, cap: int
) -> np.ndarray:
    """Counts ``base + NegBin(series_mean, series_shape)`` for victims, capped; 0 otherwise.

    The negative binomial has mean ``series_mean`` and variance ``m + m^2 / shape``; the
    small shape gives the heavy tail of series victims (a few report 10-30 incidents).
    """
    p = spec.series_shape / (spec.series_shape + spec.series_mean)
    extra = rng.negative_binomial(spec.series_shape, p, size=victim.shape)
    return np.where(victim == 1, np.minimum(base + extra, cap), 0).astype(np.int64)


def crime_columns(
    cfg: SyntheticConfig,
    rng: np.random.Generator,
    crime: str,
    eta: np.ndarray,
    eligible: np.ndarray,
    x: Covariates,
    *,
    victim: np.ndarray | None = None,
    base: np.ndarray | None = None,
    reported: np.ndarray | None = None,
) -> dict[str, pd.api.extensions.ExtensionArray]:
    """``n12_<crime>``, ``n5y_<crime>``, ``rep_<crime>`` for a population at risk.

    Parameters
    ----------
    cfg : SyntheticConfig
        The configuration (``max_incidents``).
    rng : numpy.random.Generator
        The stream of the population (persons or households).
    crime : str
        Crime key.
    eta : numpy.ndarray
        Logit of 12-month victimization (also drives the earlier four years).
    eligible : numpy.ndarray
        0/1: at risk (e.g. owns a vehicle); non-eligible units get zero counts.
    x : mapping
        Covariates of the reporting model.
    victim, base, reported : numpy.ndarray, optional
        Given 12-month victim indicator, minimum count among victims and reporting
        indicator (used for bribery requests, derived from the corruption module).

    Returns
    -------
    dict
        The three columns as pandas nullable integer arrays.

    Notes
    -----
    ``P(victim 12m) = expit(eta)``; earlier victimization (months 13-60) has logit
    ``eta + log(PRIOR_PERIOD_ODDS) + REPEAT_VICTIM_LOG_OR * victim_12m``; counts follow
    :func:`incident_counts`; ``n5y = min(n12 + n_earlier, max_incidents)``; reporting of
    the most recent 12-month incident is Bernoulli with the crime's report model and
    missing (NA) for non-victims.
    """
    spec = CRIME_MODELS[crime]
    n = eta.size
    ones = np.ones(n, np.int64)
    if victim is None:
        victim = bernoulli(rng, expit(eta)) * eligible
    n12 = incident_counts(rng, victim, ones if base is None else base, spec, cfg.max_incidents)
    eta_prior = eta + np.log(PRIOR_PERIOD_ODDS) + REPEAT_VICTIM_LOG_OR * victim
    earlier = bernoulli(rng, expit(eta_prior)) * eligible
    n_earlier = incident_counts(rng, earlier, ones, spec, cfg.max_incidents)
    n5y = np.minimum(n12 + n_earlier, cfg.max_incidents)
    if reported is None:
        reported = bernoulli(rng, expit(linear_predictor(spec.report, x, n)))
    return {
        f"n12_{crime}": nullable(n12, None, "Int64"),
        f"n5y_{crime}": nullable(n5y, None, "Int64"),
        f"rep_{crime}": nullable(reported, n12 == 0),
    }


def household_crimes(
    cfg: SyntheticConfig,
    rng: np.random.Generator,
    households: pd.DataFrame,
    high_rise: np.ndarray,
    effects: dict[str, np.ndarray],
) -> dict[str, pd.api.extensions.ExtensionArray]:
    """Burglary and vehicle theft for every household (the ``households`` stream).

    Vehicle theft is possible only for households owning a vehicle; the reporting model
    uses the mahalla trust effect.
    """
    m = households["mahalla"].to_numpy() - 1
    hr = high_rise[m].astype(float)
    x = {
        "private": 1.0 - hr,
        "high_rise": hr,
        "hh_size": households["hh_size"].to_numpy(float),
        "u_crime": effects["crime"][m],
        "trust_all": effects["trust"][m],
    }
    n = m.size
    out: dict[str, pd.api.extensions.ExtensionArray] = {}
    everyone = np.ones(n, np.int8)
    owners = households["owns_vehicle"].to_numpy().astype(np.int8)
    for crime, eligible in (("burglary", everyone), ("vehicle_theft", owners)):
        eta = linear_predictor(CRIME_MODELS[crime].prevalence, x, n)
        out.update(crime_columns(cfg, rng, crime, eta, eligible, x))
    return out
