"""Safety, harassment, corruption, illicit flows, cohesion, drugs, services, participation.

Each function takes the named covariate arrays of the adults (see ``_persons``) and
returns survey columns as pandas nullable integer arrays. All coefficients are the named
tables below (logit scale for binary items, latent scale for ordinal items).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._config import (
    DISCRIMINATION_GROUNDS,
    HARASSMENT_PLACES,
    OFFICIALS,
    SERVICES,
    SyntheticConfig,
)
from ._draw import Covariates, bernoulli, expit, likert, linear_predictor, logit, nullable
from ._draw import ordinal as _ordinal
from ._draw import standardise as _std

#: Survey columns by name, as pandas nullable integer arrays.
Columns = dict[str, pd.arrays.IntegerArray]


@dataclass(frozen=True)
class Corruption:
    """Corruption survey columns and the by-products driving the ``bribery_request`` crime."""

    #: ``contact_<o>``, ``bribe_asked_<o>``, ``bribe_paid_<o>``, ``bribes_paid_count``,
    #: ``bribe_reported``.
    columns: Columns
    #: Number of official types that asked for a bribe (int64).
    asked_count: np.ndarray
    #: Logit of being asked for a bribe by any official (float).
    eta_asked_any: np.ndarray


@dataclass(frozen=True)
class Harassment:
    """Harassment survey columns and the 0/1 harassment indicator of the safety model."""

    #: ``harass_nonsexual_12m``, ``harass_sexual_12m``, ``harass_place_<place>``.
    columns: Columns
    #: 0/1 (float): harassed in the last 12 months.
    harassed: np.ndarray


# --- corruption (SDG 16.5.1) --------------------------------------------------------------

#: Logit models of contact with each type of official in the last 12 months (traffic police
#: for vehicle owners, schools for parents and students, clinics for older people).
CONTACT_MODELS: dict[str, dict[str, float]] = {
    "police": {"intercept": -2.1, "female": -0.4, "age_15_24": 0.3, "owns_vehicle": 0.6},
    "courts": {"intercept": -3.0, "age_65plus": -0.5},
    "health": {"intercept": 0.0, "female": 0.3, "age_65plus": 0.6, "disability": 0.5},
    "education": {
        "intercept": -1.6,
        "age_25_34": 1.0,
        "age_35_44": 1.2,
        "student": 2.0,
        "age_65plus": -1.5,
    },
    "tax": {"intercept": -2.0, "employed": 0.8, "private": 0.3},
    "registry": {"intercept": -1.5},
    "utilities": {"intercept": -0.8, "private": 0.3},
    "local_admin": {
        "intercept": -1.6,
        "age_65plus": 0.5,
        "private": 0.5,
        "hh_member_abroad": 0.3,
    },
}

#: Probability that an official asks for a bribe at a contact, by type of official (logit
#: intercepts); lower for people who trust institutions, higher in corrupt mahallas.
ASKED_PROBABILITY: dict[str, float] = {
    "police": 0.15,
    "courts": 0.12,
    "health": 0.10,
    "education": 0.09,
    "tax": 0.06,
    "registry": 0.07,
    "utilities": 0.06,
    "local_admin": 0.07,
}
ASKED_TRUST_EFFECT: float = -0.3

#: Probability of paying when asked, and of paying without being asked (at a contact).
PAY_IF_ASKED: float = 0.65
PAY_UNASKED: float = 0.02

#: Extra bribes paid beyond one per type of official paid: NegBin(mean, shape).
EXTRA_BRIBES_MEAN: float = 0.8
EXTRA_BRIBES_SHAPE: float = 0.5

#: Logit model of reporting a bribe request or payment to an authority (rare).
BRIBE_REPORT_MODEL: dict[str, float] = {"intercept": logit(0.05), "trust_all": 0.3}


def corruption(cfg: SyntheticConfig, rng: np.random.Generator, x: Covariates) -> Corruption:
    """Contacts, bribe requests and payments by official; counts and reporting.

    ``bribe_asked_<o>`` and ``bribe_paid_<o>`` are NA without contact; ``bribe_reported`` is
    NA unless a bribe was asked or paid. Also returns ``asked_count`` (number of official
    types that asked) and ``eta_asked_any`` (logit of being asked by any official), used by
    the ``bribery_request`` crime.
    """
    n = x["female"].size
    out: Columns = {}
    asked_count = np.zeros(n, np.int64)
    paid_count = np.zeros(n, np.int64)
    log_not_asked = np.zeros(n)
    for o in OFFICIALS:
        p_contact = expit(linear_predictor(CONTACT_MODELS[o], x, n))
        contact = bernoulli(rng, p_contact)
        eta = logit(ASKED_PROBABILITY[o]) + ASKED_TRUST_EFFECT * x["trust"] + x["u_corruption"]
        p_asked = expit(eta)
        asked = bernoulli(rng, p_asked) * contact
        paid = bernoulli(rng, np.where(asked == 1, PAY_IF_ASKED, PAY_UNASKED)) * contact
        no_contact = contact == 0
        out[f"contact_{o}"] = nullable(contact, None)
        out[f"bribe_asked_{o}"] = nullable(asked, no_contact)
        out[f"bribe_paid_{o}"] = nullable(paid, no_contact)
        asked_count += asked
        paid_count += paid
        log_not_asked += np.log1p(-p_contact * p_asked)
    p = EXTRA_BRIBES_SHAPE / (EXTRA_BRIBES_SHAPE + EXTRA_BRIBES_MEAN)
    extra = rng.negative_binomial(EXTRA_BRIBES_SHAPE, p, n)
    count = np.where(paid_count > 0, np.minimum(paid_count + extra, cfg.max_incidents), 0)
    reported = bernoulli(rng, expit(linear_predictor(BRIBE_REPORT_MODEL, x, n)))
    out["bribes_paid_count"] = nullable(count, None, "Int64")
    out["bribe_reported"] = nullable(reported, (asked_count == 0) & (paid_count == 0))
    p_any = -np.expm1(log_not_asked)
    return Corruption(
        columns=out,
        asked_count=asked_count,
        eta_asked_any=np.log(p_any / (1.0 - p_any)),
    )


# --- harassment (SDG 11.7.2) --------------------------------------------------------------

#: Logit models of non-sexual and sexual harassment in the last 12 months (sexual
#: harassment mainly of young women).
HARASSMENT_MODELS: dict[str, dict[str, float]] = {
    "nonsexual": {
        "intercept": -2.5,
        "female": 0.2,
        "age_15_24": 0.6,
        "age_25_34": 0.3,
        "age_65plus": -0.5,
        "disability": 0.4,
        "risk": 0.3,
        "u_crime": 0.8,
    },
    "sexual": {
        "intercept": -4.6,
        "female": 2.0,
        "age_15_24": 1.0,
        "age_25_34": 0.5,
        "age_55_64": -0.7,
        "age_65plus": -1.5,
        "risk": 0.3,
        "u_crime": 0.8,
    },
}

#: Logit models of the place of occurrence among the harassed (several places possible);
#: workplace only for the employed and education only for students (``PLACE_ELIGIBLE``).
PLACE_MODELS: dict[str, dict[str, float]] = {
    "street": {"intercept": 0.2},
    "transport": {"intercept": -0.9, "sexual": 0.6, "female": 0.3},
    "workplace": {"intercept": -0.8},
    "education": {"intercept": -0.6},
    "online": {"intercept": -1.8, "age_15_24": 1.0, "age_25_34": 0.4},
    "other": {"intercept": -2.2},
}
PLACE_ELIGIBLE: dict[str, str] = {"workplace": "employed", "education": "student"}


def harassment(rng: np.random.Generator, x: Covariates) -> Harassment:
    """Harassment in the last 12 months and its places (NA when not harassed).

    Every harassed person has at least one place: if none is drawn, ``other`` is set.
    Also returns ``harassed`` (0/1 float) for the safety model.
    """
    n = x["female"].size
    nonsexual = bernoulli(rng, expit(linear_predictor(HARASSMENT_MODELS["nonsexual"], x, n)))
    sexual = bernoulli(rng, expit(linear_predictor(HARASSMENT_MODELS["sexual"], x, n)))
    harassed = np.maximum(nonsexual, sexual)
    px = dict(x, sexual=sexual.astype(float))
    places = {}
    for place in HARASSMENT_PLACES:
        prob = expit(linear_predictor(PLACE_MODELS[place], px, n))
        if place in PLACE_ELIGIBLE:
            prob = prob * x[PLACE_ELIGIBLE[place]]
        places[place] = bernoulli(rng, prob) * harassed
    none = (harassed == 1) & (sum(v.astype(int) for v in places.values()) == 0)
    places["other"] = np.where(none, 1, places["other"]).astype(np.int8)
    out: Columns = {
        "harass_nonsexual_12m": nullable(nonsexual, None),
        "harass_sexual_12m": nullable(sexual, None),
    }
    for place in HARASSMENT_PLACES:
        out[f"harass_place_{place}"] = nullable(places[place], harassed == 0)
    return Harassment(columns=out, harassed=harassed.astype(float))


# --- perceived safety (SDG 16.1.4) --------------------------------------------------------

#: Latent fear of walking alone after dark (higher = more afraid): women, older people,
#: people with disabilities, victims and the harassed are more afraid; cohesion reassures.
FEAR_MODEL: dict[str, float] = {
    "female": 0.8,
    "age_65plus": 0.4,
    "disability": 0.3,
    "victim_any": 0.5,
    "harassed": 0.5,
    "high_rise": 0.1,
    "cohesion": -0.3,
    "fear": 1.0,
    "u_fear": 1.0,
}
#: Cut-points of the latent fear: very safe | fairly safe | a bit unsafe | very unsafe.
FEAR_CUTS: tuple[float, ...] = (0.1, 1.5, 2.45)

#: Logit model of never going out alone after dark (code 5; the follow-up records how
#: safe the person would feel, i.e. the latent category).
NEVER_OUT_MODEL: dict[str, float] = {
    "intercept": -4.2,
    "age_65plus": 1.5,
    "female": 0.5,
    "disability": 0.8,
    "fear_latent": 0.6,
}
#: Safety at home alone after dark: latent ``HOME_FEAR_LOADING * fear + noise``, cut into
#: very safe | fairly safe | a bit unsafe | very unsafe.
HOME_FEAR_LOADING: float = 0.5
HOME_CUTS: tuple[float, ...] = (0.2, 1.5, 2.4)
#: Logit model of avoiding places in the area because of crime.
AVOID_MODEL: dict[str, float] = {"intercept": -2.0, "fear_latent": 0.8}


def safety(rng: np.random.Generator, x: Covariates) -> Columns:
    """Feeling of safety after dark (1-5 with the would-feel follow-up), at home, avoidance."""
    n = x["female"].size
    fear = linear_predictor(FEAR_MODEL, x, n) + rng.standard_normal(n)
    category = (5 - _ordinal(fear, FEAR_CUTS)).astype(np.int8)  # 4 very safe .. 1 very unsafe
    fx = dict(x, fear_latent=fear)
    never = bernoulli(rng, expit(linear_predictor(NEVER_OUT_MODEL, fx, n))) == 1
    home_latent = HOME_FEAR_LOADING * fear + np.sqrt(1 - HOME_FEAR_LOADING**2) * (
        rng.standard_normal(n)
    )
    home = (5 - _ordinal(home_latent, HOME_CUTS)).astype(np.int8)
    avoid = bernoulli(rng, expit(linear_predictor(AVOID_MODEL, fx, n)))
    return {
        "feel_safe_dark": nullable(np.where(never, 5, category), None),
        "feel_safe_dark_would": nullable(category, ~never),
        "feel_safe_home": nullable(home, None),
        "avoid_places": nullable(avoid, None),
    }


# --- illicit flows ------------------------------------------------------------------------

#: Logit models of the exposure items, in questionnaire order. ``seen_drug_selling`` is
#: drawn among those aware of drug selling, ``offer_suspicious`` among those offered a job.
ILLICIT_MODELS: dict[str, dict[str, float]] = {
    "aware_drug_selling": {
        "intercept": -2.0,
        "u_drug": 1.0,
        "deviance": 0.4,
        "age_15_24": 0.3,
        "high_rise": 0.2,
    },
    "seen_drug_selling": {"intercept": -0.4, "deviance": 0.5, "age_15_24": 0.3},
    "aware_counterfeit": {"intercept": -0.9, "higher_edu": 0.3},
    "bought_counterfeit": {"intercept": -1.8, "aware_counterfeit": 1.0, "age_15_24": 0.3},
    "aware_trafficking": {"intercept": -2.3, "hh_member_abroad": 0.6, "higher_edu": 0.3},
    "knows_trafficking_victim": {
        "intercept": -4.2,
        "hh_member_abroad": 0.9,
        "aware_trafficking": 1.2,
    },
    "offered_job_abroad": {
        "intercept": -3.0,
        "age_15_24": 0.8,
        "age_25_34": 0.5,
        "unemployed": 0.7,
        "hh_member_abroad": 0.6,
        "male": 0.3,
    },
    "offer_suspicious": {"intercept": logit(0.3), "higher_edu": 0.3},
}
#: Items asked only of those with a 1 on the named item (NA otherwise / 0 otherwise).
ILLICIT_CONDITION: dict[str, tuple[str, bool]] = {
    "seen_drug_selling": ("aware_drug_selling", False),
    "offer_suspicious": ("offered_job_abroad", True),
}


def illicit_flows(rng: np.random.Generator, x: dict[str, np.ndarray]) -> Columns:
    """Awareness of and exposure to drug selling, counterfeits, trafficking and job offers.

    Adds ``aware_drug_selling`` to ``x`` (used by the drug availability item).
    """
    n = x["female"].size
    ix = dict(x)
    out: Columns = {}
    for item, model in ILLICIT_MODELS.items():
        value = bernoulli(rng, expit(linear_predictor(model, ix, n)))
        missing = None
        if item in ILLICIT_CONDITION:
            parent, na_when_not = ILLICIT_CONDITION[item]
            value = value * (ix[parent] == 1)
            missing = (ix[parent] == 0) if na_when_not else None
        ix[item] = value.astype(float)
        out[item] = nullable(value, missing)
    x["aware_drug_selling"] = ix["aware_drug_selling"]  # used by the drug availability item
    return out


# --- cohesion, trust, exclusion, discrimination -------------------------------------------

#: Cohesion trait: person trait + mahalla effect + years lived there + private housing.
COHESION_MODEL: dict[str, float] = {
    "cohesion": 1.0,
    "u_cohesion": 1.0,
    "log_years": 0.15,
    "private": 0.3,
}
#: Loading of each 1-5 item on its standardised trait and the item cut-points.
ITEM_LOADING: float = 0.75
COHESION_CUTS: tuple[tuple[float, ...], ...] = (
    (-1.9, -1.1, -0.3, 0.9),
    (-1.7, -0.9, -0.1, 1.0),
    (-2.0, -1.3, -0.5, 0.8),
    (-1.5, -0.7, 0.1, 1.2),
    (-1.8, -1.0, -0.2, 1.0),
)
#: Trust items: (weight on institutional trust, weight on cohesion, cut-points).
TRUST_ITEMS: dict[str, tuple[float, float, tuple[float, ...]]] = {
    "trust_police": (1.0, 0.0, (-1.6, -0.8, 0.0, 1.0)),
    "trust_local_gov": (1.0, 0.0, (-1.5, -0.7, 0.1, 1.1)),
    "trust_courts": (1.0, 0.0, (-1.4, -0.6, 0.2, 1.2)),
    "trust_mahalla": (0.5, 0.5, (-1.9, -1.1, -0.3, 0.8)),
    "trust_neighbours": (0.3, 0.7, (-2.0, -1.2, -0.4, 0.7)),
}
#: Victims trust the police less (latent shift of trust_police).
VICTIM_POLICE_TRUST: float = -0.3
#: Exclusion trait (agreement = feeling excluded).
EXCLUSION_MODEL: dict[str, float] = {
    "cohesion_std": -0.5,
    "disability": 0.5,
    "unemployed": 0.4,
    "age_15_24": 0.2,
}
EXCLUSION_CUTS: tuple[tuple[float, ...], ...] = (
    (-0.3, 0.5, 1.1, 1.8),
    (-0.1, 0.7, 1.3, 2.0),
    (-0.4, 0.4, 1.0, 1.7),
    (0.0, 0.8, 1.4, 2.1),
)
#: Logit model of any discrimination in the last 12 months, and of each ground among the
#: discriminated (at least one ground: the most likely one if none is drawn).
DISCRIM_MODEL: dict[str, float] = {
    "intercept": -2.7,
    "disability": 0.7,
    "exclusion_std": 0.6,
    "age_15_24": 0.3,
}
GROUND_MODELS: dict[str, dict[str, float]] = {
    "ethnicity": {"intercept": -1.2},
    "religion": {"intercept": -1.7},
    "sex": {"intercept": -1.9, "female": 0.9},
    "age": {"intercept": -1.5, "age_15_24": 0.6, "age_65plus": 0.8},
    "disability": {"intercept": -3.5, "disability": 3.5},
    "migrant": {"intercept": -2.2, "hh_member_abroad": 0.5},
}


def cohesion_trust(rng: np.random.Generator, x: Covariates) -> Columns:
    """Cohesion (5 items), trust (5), exclusion (4) on 1-5 scales; discrimination."""
    n = x["female"].size
    cohesion = _std(linear_predictor(COHESION_MODEL, x, n))
    trust = _std(x["trust_all"])
    out: Columns = {}
    for k, cuts in enumerate(COHESION_CUTS, start=1):
        out[f"cohesion_{k}"] = nullable(likert(rng, cohesion, ITEM_LOADING, cuts), None)
    for item, (w_trust, w_cohesion, cuts) in TRUST_ITEMS.items():
        trait = _std(w_trust * trust + w_cohesion * cohesion)
        if item == "trust_police":
            trait = _std(trait + VICTIM_POLICE_TRUST * x["victim_any"])
        out[item] = nullable(likert(rng, trait, ITEM_LOADING, cuts), None)
    ex = dict(x, cohesion_std=cohesion)
    exclusion = _std(linear_predictor(EXCLUSION_MODEL, ex, n) + rng.standard_normal(n))
    for k, cuts in enumerate(EXCLUSION_CUTS, start=1):
        out[f"exclusion_{k}"] = nullable(likert(rng, exclusion, ITEM_LOADING, cuts), None)
    ex["exclusion_std"] = exclusion
    discrim = bernoulli(rng, expit(linear_predictor(DISCRIM_MODEL, ex, n)))
    probs = np.column_stack(
        [expit(linear_predictor(GROUND_MODELS[g], x, n)) for g in DISCRIMINATION_GROUNDS]
    )
    grounds = (rng.random(probs.shape) < probs) & (discrim[:, None] == 1)
    none = (discrim == 1) & ~grounds.any(axis=1)
    grounds[np.flatnonzero(none), probs[none].argmax(axis=1)] = True
    out["discrim_any"] = nullable(discrim, None)
    for k, ground in enumerate(DISCRIMINATION_GROUNDS):
        out[f"discrim_{ground}"] = nullable(grounds[:, k], discrim == 0)
    return out


# --- drugs, services, participation -------------------------------------------------------

#: Logit models of drug use: ever; past year among ever-users; past month among past-year
#: users (so the three are nested). Young men use most (UNODC World Drug Report patterns).
DRUG_MODELS: dict[str, dict[str, float]] = {
    "ever": {
        "intercept": -5.2,
        "male": 1.4,
        "age_15_24": 0.6,
        "age_25_34": 0.8,
        "age_55_64": -0.8,
        "age_65plus": -1.5,
        "unemployed": 0.4,
        "deviance": 0.9,
        "u_drug": 1.0,
    },
    "year": {
        "intercept": -0.6,
        "age_15_24": 0.9,
        "age_25_34": 0.5,
        "age_45_54": -0.5,
        "age_55_64": -1.0,
        "age_65plus": -1.5,
        "deviance": 0.5,
    },
    "month": {"intercept": 0.2, "deviance": 0.3},
}
#: Perceived availability: "don't know" (NA) model, then latent ease of getting drugs cut
#: into 1 very difficult | 2 fairly difficult | 3 fairly easy | 4 very easy.
AVAILABILITY_DK_MODEL: dict[str, float] = {
    "intercept": 0.0,
    "aware_drug_selling": -1.0,
    "age_65plus": 0.4,
    "female": 0.3,
}
AVAILABILITY_MODEL: dict[str, float] = {
    "u_drug": 1.0,
    "aware_drug_selling": 0.8,
    "drug_use_year": 0.8,
}
AVAILABILITY_CUTS: tuple[float, ...] = (-0.3, 0.7, 1.6)

#: Logit models of using each public service in the last 12 months.
SERVICE_USE_MODELS: dict[str, dict[str, float]] = {
    "health": {"intercept": 0.2, "female": 0.3, "age_65plus": 0.7, "disability": 0.5},
    "education": {
        "intercept": -1.6,
        "age_25_34": 0.9,
        "age_35_44": 1.0,
        "student": 2.2,
        "age_65plus": -1.2,
    },
    "govservices": {"intercept": -0.6, "employed": 0.3, "age_25_34": 0.2},
}
#: Satisfaction loads on institutional trust; cut-points: very dissatisfied | dissatisfied
#: | satisfied | very satisfied.
SATISFACTION_LOADING: float = 0.5
SATISFACTION_CUTS: dict[str, tuple[float, ...]] = {
    "health": (-1.6, -0.5, 1.2),
    "education": (-1.7, -0.6, 1.1),
    "govservices": (-1.4, -0.35, 1.3),
}
#: Political efficacy ("have a say", "have an influence", 1-5): trust, education, cohesion.
EFFICACY_MODEL: dict[str, float] = {"trust_all": 0.5, "higher_edu": 0.3, "cohesion": 0.2}
EFFICACY_CUTS: dict[str, tuple[float, ...]] = {
    "have_say": (-0.9, -0.2, 0.4, 1.3),
    "have_influence": (-0.6, 0.1, 0.7, 1.5),
}


def drugs_services_participation(rng: np.random.Generator, x: Covariates) -> Columns:
    """Nested drug use, perceived availability, service use and satisfaction, efficacy."""
    n = x["female"].size
    ever = bernoulli(rng, expit(linear_predictor(DRUG_MODELS["ever"], x, n)))
    year = bernoulli(rng, expit(linear_predictor(DRUG_MODELS["year"], x, n))) * ever
    month = bernoulli(rng, expit(linear_predictor(DRUG_MODELS["month"], x, n))) * year
    dk = bernoulli(rng, expit(linear_predictor(AVAILABILITY_DK_MODEL, x, n))) == 1
    ax = dict(x, drug_use_year=year.astype(float))
    ease = linear_predictor(AVAILABILITY_MODEL, ax, n) + rng.standard_normal(n)
    out: Columns = {
        "drug_use_ever": nullable(ever, None),
        "drug_use_year": nullable(year, None),
        "drug_use_month": nullable(month, None),
        "drug_availability": nullable(_ordinal(ease, AVAILABILITY_CUTS), dk),
    }
    trust = _std(x["trust_all"])
    used = {
        s: bernoulli(rng, expit(linear_predictor(SERVICE_USE_MODELS[s], x, n))) for s in SERVICES
    }
    for s in SERVICES:
        out[f"used_{s}"] = nullable(used[s], None)
    for s in SERVICES:
        sat = likert(rng, trust, SATISFACTION_LOADING, SATISFACTION_CUTS[s])
        out[f"sat_{s}"] = nullable(sat, used[s] == 0)
    efficacy = _std(linear_predictor(EFFICACY_MODEL, x, n) + rng.standard_normal(n))
    for item, cuts in EFFICACY_CUTS.items():
        out[item] = nullable(likert(rng, efficacy, ITEM_LOADING, cuts), None)
    return out
