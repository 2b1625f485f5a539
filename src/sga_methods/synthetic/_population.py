"""The finite population frame: strata, mahallas, households and residents."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._config import ADULT_AGE_GROUPS, AGE_GROUPS, SEXES, SyntheticConfig
from ._draw import bernoulli, expit, linear_predictor

#: Age-group distribution of household heads (0-14 impossible). Heads are older than the
#: population, as in the Uzbekistan census: few heads under 25, many 35-64.
HEAD_AGE_SHARES: tuple[float, ...] = (0.0, 0.02, 0.18, 0.25, 0.22, 0.18, 0.15)

#: Age-group distribution of the other household members, chosen so that the whole
#: population has a census-like Tashkent structure (about 27% aged 0-14, 7% aged 65+).
OTHER_AGE_SHARES: tuple[float, ...] = (0.354, 0.177, 0.167, 0.119, 0.076, 0.062, 0.045)

#: Share of women by age group (slight female excess at older ages).
FEMALE_SHARE_BY_AGE: tuple[float, ...] = (0.485, 0.49, 0.50, 0.505, 0.52, 0.54, 0.58)

#: First year of each age group and the width of the closed groups (years).
AGE_GROUP_START: tuple[int, ...] = (0, 15, 25, 35, 45, 55, 65)
AGE_GROUP_WIDTH: tuple[int, ...] = (15, 10, 10, 10, 10, 10, 0)

#: Mean number of years above 65 in the open 65+ group (geometric) and the oldest age.
OLD_AGE_MEAN_EXCESS: float = 8.0
MAX_AGE: int = 95

#: Truncation (in SDs) of the log mahalla size: with the default design it makes
#: certainty PSUs (first-stage probability 1) rare; they are handled when they occur.
SIZE_TRUNCATION: float = 1.5

#: Largest household size in the frame.
MAX_HOUSEHOLD_SIZE: int = 15

#: Hectares per household in private-house mahallas relative to high-rise ones
#: (low-density one-storey housing), and the SD of the log area noise.
PRIVATE_AREA_RATIO: float = 4.0
AREA_LOG_SD: float = 0.25

#: Logit model of household vehicle ownership (about 40% of households).
VEHICLE_MODEL: dict[str, float] = {"intercept": -1.35, "private": 0.9, "hh_size": 0.12}

#: Logit model of a household member working abroad (labour migration, about 12%).
ABROAD_MODEL: dict[str, float] = {"intercept": -2.9, "private": 0.5, "hh_size": 0.2}


@dataclass(frozen=True)
class Frame:
    """The population frame in memory.

    ``persons`` holds arrays over all residents: ``hh`` (row of ``households``),
    ``mahalla``, ``stratum``, ``female`` (0/1), ``age`` and ``age_group`` (index into
    :data:`AGE_GROUPS`).
    """

    mahallas: pd.DataFrame
    high_rise: np.ndarray
    households: pd.DataFrame
    persons: dict[str, np.ndarray]


def _largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to ``weights`` that sum exactly to ``total``."""
    exact = weights / weights.sum() * total
    floor = np.floor(exact).astype(np.int64)
    short = total - floor.sum()
    order = np.argsort(-(exact - floor), kind="stable")
    floor[order[:short]] += 1
    return floor


def stratum_names(cfg: SyntheticConfig) -> list[str]:
    """Names such as ``"Stratum 1: Chilanzar quarters 1-5"``."""
    quarters = np.array_split(np.arange(1, max(cfg.n_quarters, cfg.n_strata) + 1), cfg.n_strata)
    return [
        f"Stratum {h}: Chilanzar quarters {q[0]}-{q[-1]}"
        if len(q) > 1
        else f"Stratum {h}: Chilanzar quarter {q[0]}"
        for h, q in enumerate(quarters, start=1)
    ]


def build_frame(cfg: SyntheticConfig, rng: np.random.Generator) -> Frame:
    """Draw strata, mahallas, households and residents.

    Parameters
    ----------
    cfg : SyntheticConfig
        The configuration.
    rng : numpy.random.Generator
        The ``frame`` stream.

    Returns
    -------
    Frame
        Mahalla table, household table and resident arrays.

    Notes
    -----
    Mahalla resident shares are log-normal (SD ``mahalla_size_sd``, truncated at
    ``SIZE_TRUNCATION`` SDs); a mahalla is high-rise
    with the stratum's probability (interpolated from ``high_rise_share``). Household size
    is ``1 + Poisson(mu_m - 1)`` with ``mu_m`` proportional to 1 (high-rise) or
    ``private_household_size_ratio`` and scaled so that residents / households equals
    ``mean_household_size``; the number of households is ``round(R s_m / mu_m)``. The head
    is an adult; other members follow :data:`OTHER_AGE_SHARES`.
    """
    m_ids = np.arange(1, cfg.n_mahallas + 1)
    split = np.array_split(m_ids, cfg.n_strata)
    stratum = np.concatenate([np.full(len(s), h) for h, s in enumerate(split, start=1)])
    share_hr = np.linspace(*cfg.high_rise_share, cfg.n_strata)[stratum - 1]
    high_rise = bernoulli(rng, share_hr)
    z_size = np.clip(rng.standard_normal(cfg.n_mahallas), -SIZE_TRUNCATION, SIZE_TRUNCATION)
    size_share = np.exp(cfg.mahalla_size_sd * z_size)
    size_share /= size_share.sum()
    relative_mu = np.where(high_rise == 1, 1.0, cfg.private_household_size_ratio)
    scale = cfg.mean_household_size * np.sum(size_share / relative_mu)
    mu = scale * relative_mu
    n_households = np.maximum(np.rint(cfg.residents * size_share / mu).astype(np.int64), 1)

    hh_mahalla = np.repeat(m_ids, n_households)
    hh_mu = np.repeat(mu, n_households)
    hh_size = np.minimum(1 + rng.poisson(hh_mu - 1.0), MAX_HOUSEHOLD_SIZE)
    n_hh = hh_size.size

    # residents: the first member of each household is its (adult) head
    hh_of_person = np.repeat(np.arange(n_hh), hh_size)
    first = np.r_[0, np.cumsum(hh_size)[:-1]]
    is_head = np.zeros(hh_of_person.size, bool)
    is_head[first] = True
    n_groups = len(AGE_GROUPS)
    age_group = np.empty(hh_of_person.size, np.int8)
    age_group[is_head] = rng.choice(n_groups, size=n_hh, p=HEAD_AGE_SHARES)
    age_group[~is_head] = rng.choice(n_groups, size=int((~is_head).sum()), p=OTHER_AGE_SHARES)
    start = np.asarray(AGE_GROUP_START)[age_group]
    width = np.asarray(AGE_GROUP_WIDTH)[age_group]
    within = np.floor(rng.random(age_group.size) * width).astype(np.int64)
    old = np.minimum(rng.geometric(1.0 / OLD_AGE_MEAN_EXCESS, age_group.size) - 1, MAX_AGE - 65)
    age = np.where(width > 0, start + within, start + old).astype(np.int16)
    female = bernoulli(rng, np.asarray(FEMALE_SHARE_BY_AGE)[age_group])

    n_adults = np.bincount(hh_of_person, weights=age_group >= 1, minlength=n_hh).astype(np.int64)
    hh_private = 1 - np.repeat(high_rise, n_households)
    hx = {"private": hh_private.astype(float), "hh_size": hh_size.astype(float)}
    owns_vehicle = bernoulli(rng, expit(linear_predictor(VEHICLE_MODEL, hx, n_hh)))
    abroad = bernoulli(rng, expit(linear_predictor(ABROAD_MODEL, hx, n_hh)))

    within_m = np.arange(n_hh) - np.repeat(np.r_[0, np.cumsum(n_households)[:-1]], n_households)
    w_m = max(2, len(str(cfg.n_mahallas)))
    w_h = max(4, len(str(int(n_households.max()))))
    hh_id = [
        f"{cfg.id_prefix}-M{m:0{w_m}d}-H{k + 1:0{w_h}d}"
        for m, k in zip(hh_mahalla.tolist(), within_m.tolist(), strict=True)
    ]
    households = pd.DataFrame(
        {
            "hh_id": pd.array(hh_id, dtype="string"),
            "mahalla": hh_mahalla,
            "stratum": np.repeat(stratum, n_households),
            "hh_size": hh_size.astype(np.int64),
            "n_adults": n_adults,
            "owns_vehicle": owns_vehicle,
            "hh_member_abroad": abroad,
        }
    )

    residents = np.bincount(hh_mahalla, weights=hh_size, minlength=cfg.n_mahallas + 1)[1:]
    area_weight = (
        n_households
        * np.where(high_rise == 1, 1.0, PRIVATE_AREA_RATIO)
        * rng.lognormal(0.0, AREA_LOG_SD, cfg.n_mahallas)
    )
    tenths = _largest_remainder(area_weight, round(cfg.area_ha * 10))
    names = stratum_names(cfg)
    mahallas = pd.DataFrame(
        {
            "mahalla": m_ids,
            "mahalla_name": pd.array(
                [f"Mahalla {m:0{w_m}d} (synthetic)" for m in m_ids], dtype="string"
            ),
            "stratum": stratum,
            "stratum_name": pd.array([names[h - 1] for h in stratum], dtype="string"),
            "households": n_households,
            "residents": residents.astype(np.int64),
            "area_ha": tenths / 10.0,
        }
    )
    persons = {
        "hh": hh_of_person,
        "mahalla": hh_mahalla[hh_of_person],
        "stratum": households["stratum"].to_numpy()[hh_of_person],
        "female": female,
        "age": age,
        "age_group": age_group,
    }
    return Frame(mahallas=mahallas, high_rise=high_rise, households=households, persons=persons)


def population_table(cfg: SyntheticConfig, frame: Frame) -> pd.DataFrame:
    """Residents by mahalla, sex and age group (the census-like frame, zero cells kept)."""
    p = frame.persons
    n_groups = len(AGE_GROUPS)
    sex_index = 1 - p["female"].astype(np.int64)  # 0 female, 1 male (order of SEXES)
    cell = ((p["mahalla"] - 1) * 2 + sex_index) * n_groups + p["age_group"]
    counts = np.bincount(cell, minlength=cfg.n_mahallas * 2 * n_groups)
    m_ids = frame.mahallas["mahalla"].to_numpy()
    strata = frame.mahallas["stratum"].to_numpy()
    return pd.DataFrame(
        {
            "mahalla": np.repeat(m_ids, 2 * n_groups),
            "stratum": np.repeat(strata, 2 * n_groups),
            "sex": pd.array(np.tile(np.repeat(SEXES, n_groups), cfg.n_mahallas), dtype="string"),
            "age_group": pd.array(np.tile(AGE_GROUPS, 2 * cfg.n_mahallas), dtype="string"),
            "residents": counts.astype(np.int64),
        }
    )


def margins_table(population: pd.DataFrame, mahallas: pd.DataFrame) -> pd.DataFrame:
    """Weighting targets: persons 15+ by sex, age group, stratum, sex x age; households."""
    adults = population[population["age_group"] != AGE_GROUPS[0]].assign(
        sex_age_group=lambda d: d["sex"] + ":" + d["age_group"]
    )
    levels = {
        "sex": list(SEXES),
        "age_group": list(ADULT_AGE_GROUPS),
        "stratum": sorted(adults["stratum"].unique()),
        "sex_age_group": [f"{s}:{g}" for s in SEXES for g in ADULT_AGE_GROUPS],
    }
    rows: list[tuple[str, str, str, int]] = []
    for variable, values in levels.items():
        totals = adults.groupby(variable)["residents"].sum()
        rows += [("persons_15plus", variable, str(v), int(totals[v])) for v in values]
    for h, total in mahallas.groupby("stratum")["households"].sum().items():
        rows.append(("households", "stratum", str(h), int(total)))
    frame = pd.DataFrame(rows, columns=["unit", "variable", "level", "population"])
    for col in ("unit", "variable", "level"):
        frame[col] = frame[col].astype("string")
    return frame
