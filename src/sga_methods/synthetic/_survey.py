"""The survey sample: stratified two-stage PPS design, nonresponse, weights, survey file."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._config import CRIMES, HARASSMENT_PLACES, OFFICIALS, SERVICES, SyntheticConfig
from ._draw import bernoulli, expit
from ._population import Frame

#: Bisection steps used to solve for the response-model intercept (precision ~1e-12).
RESPONSE_BISECTION_STEPS: int = 60

#: Trust, drug-use and participation items subject to item nonresponse (NA) in the survey.
TRUST_ITEMS: tuple[str, ...] = (
    "trust_police",
    "trust_local_gov",
    "trust_courts",
    "trust_mahalla",
    "trust_neighbours",
)
DRUG_USE_ITEMS: tuple[str, ...] = ("drug_use_ever", "drug_use_year", "drug_use_month")
PARTICIPATION_ITEMS: tuple[str, ...] = ("have_say", "have_influence")


def survey_columns() -> list[str]:
    """The columns of ``survey.csv.gz``, in file order."""
    cols = [
        "resp_id", "hh_id", "stratum", "mahalla", "psu_count_stratum", "psu_prob", "hh_prob",
        "hh_base_weight", "hh_weight", "weight", "interview_date", "hh_size", "n_adults",
        "sex", "age", "age_group", "disability", "education", "employment",
        "hh_member_abroad", "owns_vehicle", "years_in_mahalla",
    ]  # fmt: skip
    for c in CRIMES:
        cols += [f"n12_{c}", f"n5y_{c}", f"rep_{c}"]
    cols += ["feel_safe_dark", "feel_safe_dark_would", "feel_safe_home", "avoid_places"]
    cols += ["harass_nonsexual_12m", "harass_sexual_12m"]
    cols += [f"harass_place_{p}" for p in HARASSMENT_PLACES]
    for o in OFFICIALS:
        cols += [f"contact_{o}", f"bribe_asked_{o}", f"bribe_paid_{o}"]
    cols += ["bribes_paid_count", "bribe_reported"]
    cols += [
        "aware_drug_selling", "seen_drug_selling", "aware_counterfeit", "bought_counterfeit",
        "aware_trafficking", "knows_trafficking_victim", "offered_job_abroad",
        "offer_suspicious",
    ]  # fmt: skip
    cols += [f"cohesion_{k}" for k in range(1, 6)]
    cols += list(TRUST_ITEMS)
    cols += [f"exclusion_{k}" for k in range(1, 5)]
    cols += ["discrim_any"] + [
        f"discrim_{g}" for g in ("ethnicity", "religion", "sex", "age", "disability", "migrant")
    ]
    cols += [*DRUG_USE_ITEMS, "drug_availability"]
    cols += [f"used_{s}" for s in SERVICES] + [f"sat_{s}" for s in SERVICES]
    cols += list(PARTICIPATION_ITEMS)
    return cols


def pps_probabilities(sizes: np.ndarray, n: int) -> np.ndarray:
    """Inclusion probabilities ``n x_i / sum(x)`` with units above 1 taken with certainty.

    Certainty units get probability 1 and the others share ``n - #certain`` in proportion
    to size, repeated until no probability exceeds 1.
    """
    sizes = np.asarray(sizes, float)
    prob = np.zeros(sizes.size)
    certain = np.zeros(sizes.size, bool)
    while True:
        rest = ~certain
        prob[rest] = (n - certain.sum()) * sizes[rest] / sizes[rest].sum()
        prob[certain] = 1.0
        over = rest & (prob >= 1.0)
        if not over.any():
            return prob
        certain |= over


def systematic_pps(rng: np.random.Generator, prob: np.ndarray) -> np.ndarray:
    """Indices selected by systematic sampling on cumulated probabilities (frame order).

    With a random start ``u ~ U(0, 1)``, unit ``i`` is selected when a point ``u + k``
    (``k = 0..n-1``) falls in ``(C_{i-1}, C_i]``, ``C`` the cumulated probabilities.
    """
    n = round(prob.sum())
    points = rng.random() + np.arange(n)
    return np.searchsorted(np.cumsum(prob), points, side="left")


def _response_intercept(target: float, offset: np.ndarray) -> float:
    """Intercept ``a`` with ``mean(expit(a + offset)) = target`` (bisection)."""
    low, high = -20.0, 20.0
    for _ in range(RESPONSE_BISECTION_STEPS):
        mid = (low + high) / 2.0
        if expit(mid + offset).mean() < target:
            low = mid
        else:
            high = mid
    return (low + high) / 2.0


def draw_sample(
    cfg: SyntheticConfig,
    rng_sample: np.random.Generator,
    rng_fieldwork: np.random.Generator,
    frame: Frame,
) -> pd.DataFrame:
    """Select mahallas and households, run fieldwork and pick one adult per household.

    Parameters
    ----------
    cfg : SyntheticConfig
        Design knobs (``psus_per_stratum``, ``households_per_psu``, response model).
    rng_sample, rng_fieldwork : numpy.random.Generator
        The ``sample`` stream (selection of mahallas and households) and the ``fieldwork``
        stream (response, interview dates, selection of the adult).
    frame : Frame
        The population frame.

    Returns
    -------
    pandas.DataFrame
        One row per sampled household with ``hh`` (row in ``frame.households``), design
        columns, ``outcome``, weights, ``interview_date`` and ``adult_rank`` (0-based rank
        of the selected adult among the household's adults).

    Notes
    -----
    Stage 1: in stratum ``h``, ``n_h = psus_per_stratum`` mahallas by systematic PPS on
    household counts ``N_i``, ``pi_i = n_h N_i / N_h`` (certainty units if above 1).
    Stage 2: ``m = households_per_psu`` households by SRS, ``pi_j|i = m / N_i``.
    Response: ``P = expit(a + b_hr high_rise + b_size (size - mean size))`` with ``a``
    solved so that the frame-wide mean is ``response_rate``. Weights:
    ``hh_base_weight = 1 / (pi_i pi_j|i)``; ``hh_weight = hh_base_weight x sum_sampled(base)
    / sum_respondents(base)`` within the mahalla; ``weight = hh_weight x n_adults`` (one
    adult selected with probability ``1 / n_adults``).
    """
    mah = frame.mahallas
    households = frame.households
    mah_households = mah["households"].to_numpy()
    mah_ids = mah["mahalla"].to_numpy()
    first_hh = np.r_[0, np.cumsum(mah_households)[:-1]]
    parts = []
    for h in range(1, cfg.n_strata + 1):
        rows = np.flatnonzero(mah["stratum"].to_numpy() == h)
        sizes = mah_households[rows]
        prob = pps_probabilities(sizes, cfg.psus_per_stratum)
        for i in rows[systematic_pps(rng_sample, prob)]:
            n_i = int(mah_households[i])
            m = min(cfg.households_per_psu, n_i)
            chosen = np.sort(rng_sample.choice(n_i, size=m, replace=False))
            parts.append(
                pd.DataFrame(
                    {
                        "hh": first_hh[i] + chosen,
                        "stratum": h,
                        "mahalla": int(mah_ids[i]),
                        "psu_count_stratum": rows.size,
                        "psu_prob": prob[rows == i][0],
                        "hh_prob": m / n_i,
                    }
                )
            )
    sample = pd.concat(parts, ignore_index=True)
    hh = sample["hh"].to_numpy()

    size_all = households["hh_size"].to_numpy(float)
    hr_all = frame.high_rise[households["mahalla"].to_numpy() - 1]
    offset_all = cfg.response_high_rise_effect * hr_all + cfg.response_household_size_effect * (
        size_all - size_all.mean()
    )
    intercept = _response_intercept(cfg.response_rate, offset_all)
    respond = bernoulli(rng_fieldwork, expit(intercept + offset_all[hh])) == 1
    noncontact = bernoulli(rng_fieldwork, np.full(hh.size, cfg.noncontact_share)) == 1
    sample["outcome"] = pd.array(
        np.where(respond, "complete", np.where(noncontact, "noncontact", "refusal")),
        dtype="string",
    )

    start = np.datetime64(cfg.fieldwork_start)
    end = np.datetime64(cfg.fieldwork_end)
    span = int((end - start).astype(int))
    window = min(cfg.psu_fieldwork_days, span + 1)
    psu_codes, psu_index = np.unique(sample["mahalla"].to_numpy(), return_inverse=True)
    psu_start = rng_fieldwork.integers(0, span - window + 2, size=psu_codes.size)
    day = psu_start[psu_index] + rng_fieldwork.integers(0, window, size=hh.size)
    sample["interview_date"] = pd.array(
        np.datetime_as_string(start + np.minimum(day, span).astype("timedelta64[D]")),
        dtype="string",
    )
    n_adults = households["n_adults"].to_numpy()[hh]
    sample["adult_rank"] = np.floor(rng_fieldwork.random(hh.size) * n_adults).astype(np.int64)

    base = 1.0 / (sample["psu_prob"].to_numpy() * sample["hh_prob"].to_numpy())
    sample["hh_base_weight"] = base
    resp_base = np.where(respond, base, 0.0)
    by_psu_all = np.bincount(psu_index, weights=base)
    by_psu_resp = np.bincount(psu_index, weights=resp_base)
    adjustment = (by_psu_all / by_psu_resp)[psu_index]
    sample["hh_weight"] = np.where(respond, base * adjustment, 0.0)
    sample["weight"] = sample["hh_weight"] * n_adults
    return sample


def _widen(values: pd.Series) -> pd.Series:
    """Small integer columns as int64 / Int64 (compact in the population, safe in the file)."""
    if isinstance(values.dtype, pd.Int8Dtype | pd.Int16Dtype):
        return values.astype("Int64")
    if values.dtype in (np.int8, np.int16):
        return values.astype(np.int64)
    return values


def build_survey(
    cfg: SyntheticConfig,
    rng_items: np.random.Generator,
    sample: pd.DataFrame,
    frame: Frame,
    households: pd.DataFrame,
    adults: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The respondent file and the fieldwork file.

    Respondents are the selected adults of complete households. Item nonresponse (the
    ``items`` stream) sets each trust item and each participation item to NA with
    probability ``item_nonresponse_trust`` / ``item_nonresponse_participation``, and the
    whole drug-use block with probability ``item_nonresponse_drugs``.
    """
    fieldwork = pd.DataFrame(
        {
            "hh_id": households["hh_id"].to_numpy()[sample["hh"].to_numpy()],
            "stratum": sample["stratum"].to_numpy(),
            "mahalla": sample["mahalla"].to_numpy(),
            "psu_prob": sample["psu_prob"].to_numpy(),
            "hh_prob": sample["hh_prob"].to_numpy(),
            "outcome": sample["outcome"].array,
        }
    )
    fieldwork["hh_id"] = fieldwork["hh_id"].astype("string")
    done = sample[sample["outcome"] == "complete"].reset_index(drop=True)
    hh = done["hh"].to_numpy()
    adult_hh = frame.persons["hh"][frame.persons["age_group"] >= 1]
    first_adult = np.searchsorted(adult_hh, hh, side="left")
    person = adults.iloc[first_adult + done["adult_rank"].to_numpy()].reset_index(drop=True)
    hh_rows = households.iloc[hh].reset_index(drop=True)

    survey = pd.DataFrame(
        {
            "resp_id": pd.array(
                [f"{cfg.id_prefix}-{k:05d}" for k in range(1, len(done) + 1)], dtype="string"
            ),
            "hh_id": hh_rows["hh_id"],
            "stratum": done["stratum"],
            "mahalla": done["mahalla"],
            "psu_count_stratum": done["psu_count_stratum"].astype(np.int64),
            "psu_prob": done["psu_prob"],
            "hh_prob": done["hh_prob"],
            "hh_base_weight": done["hh_base_weight"],
            "hh_weight": done["hh_weight"],
            "weight": done["weight"],
            "interview_date": done["interview_date"],
        }
    )
    for col in survey_columns():
        if col not in survey:
            survey[col] = _widen((person if col in person.columns else hh_rows)[col])
    n = len(survey)
    for col in TRUST_ITEMS:
        survey.loc[rng_items.random(n) < cfg.item_nonresponse_trust, col] = pd.NA
    refuse_drugs = rng_items.random(n) < cfg.item_nonresponse_drugs
    for col in DRUG_USE_ITEMS:
        survey.loc[refuse_drugs, col] = pd.NA
    for col in PARTICIPATION_ITEMS:
        survey.loc[rng_items.random(n) < cfg.item_nonresponse_participation, col] = pd.NA
    return survey[survey_columns()], fieldwork
