"""Police-recorded crime by month, mahalla and ICCS section; population; drug treatment."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._config import ICCS_SECTIONS, POLICE_BASE_RATES, SEXES, SyntheticConfig

#: Rates are per 100,000 residents per year; months per year for the monthly rate.
RATE_BASE: float = 100_000.0
MONTHS_PER_YEAR: int = 12

#: Share of the mahallas (by recorded crime) whose share of crime is reported in the truth.
TOP_SHARE_OF_MAHALLAS: float = 0.2

POLICE_MODEL = (
    "crimes ~ Poisson(mu * G), G ~ Gamma(shape, 1/shape); log mu = log(residents[m, t] / "
    "100000 / 12) + log(base_rate[s]) + mahalla_effect[m] + b_pre * t + (b_post - b_pre) * "
    "max(t, 0) + amplitude * cos(2 pi (month_of_year - peak) / 12) + log(rate_ratio) * "
    "1[month >= intervention and s in sections]; t = years since trend_break"
)


def months(first: str, last: str) -> np.ndarray:
    """Monthly ``datetime64[M]`` values from ``first`` to ``last`` inclusive."""
    return np.arange(np.datetime64(first, "M"), np.datetime64(last, "M") + 1)


def fieldwork_anchor(cfg: SyntheticConfig) -> np.datetime64:
    """Month of the fieldwork midpoint, at which mahalla populations equal the frame."""
    start = np.datetime64(cfg.fieldwork_start)
    end = np.datetime64(cfg.fieldwork_end)
    return (start + (end - start) // 2).astype("datetime64[M]")


def population_monthly(
    cfg: SyntheticConfig, rng: np.random.Generator, mahallas: pd.DataFrame
) -> tuple[pd.DataFrame, np.ndarray]:
    """Residents by month and mahalla from ``police_start`` to the end of fieldwork.

    Notes
    -----
    ``residents[m, t] = round(R_m exp(g_m (t - anchor) / 12))`` with ``R_m`` the frame
    residents, ``anchor`` the fieldwork midpoint month and ``g_m = log(1 + r_m / 100)``,
    ``r_m ~ N(population_growth_pct, population_growth_sd_pct^2)`` (% per year).
    """
    growth_pct = cfg.population_growth_pct + cfg.population_growth_sd_pct * rng.standard_normal(
        len(mahallas)
    )
    span = months(cfg.police_start, str(np.datetime64(cfg.fieldwork_end, "M")))
    offset = (span - fieldwork_anchor(cfg)).astype(int) / MONTHS_PER_YEAR
    resident = mahallas["residents"].to_numpy(float)
    level = resident[None, :] * np.exp(np.log1p(growth_pct / 100.0)[None, :] * offset[:, None])
    frame = pd.DataFrame(
        {
            "month": pd.array(np.repeat(span.astype(str), len(mahallas)), dtype="string"),
            "mahalla": np.tile(mahallas["mahalla"].to_numpy(), span.size),
            "residents": np.rint(level).astype(np.int64).ravel(),
        }
    )
    return frame, growth_pct


def police_monthly(
    cfg: SyntheticConfig,
    rng: np.random.Generator,
    mahallas: pd.DataFrame,
    population: pd.DataFrame,
    police_effect: np.ndarray,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Monthly police-recorded crimes by mahalla and ICCS section, and the true model.

    Parameters
    ----------
    cfg : SyntheticConfig
        Trend, seasonality, intervention and overdispersion knobs.
    rng : numpy.random.Generator
        The ``police`` stream.
    mahallas : pandas.DataFrame
        The mahalla table (residents give the centring weights of the mahalla effects).
    population : pandas.DataFrame
        Output of :func:`population_monthly` (the exposure).
    police_effect : numpy.ndarray
        Uncentred log mahalla effects (``effects["police"]``).

    Returns
    -------
    (pandas.DataFrame, dict)
        The records and the true parameters.

    Notes
    -----
    See :data:`POLICE_MODEL`. The mahalla effects are centred so that
    ``sum_m w_m exp(effect_m) = 1`` with ``w_m`` the residents' shares: ``base_rate`` is the
    district rate at the trend break without seasonality.
    """
    span = months(cfg.police_start, cfg.police_end)
    codes = list(ICCS_SECTIONS)
    n_t, n_m, n_s = span.size, len(mahallas), len(codes)
    shares = mahallas["residents"].to_numpy(float) / mahallas["residents"].sum()
    effect = police_effect - np.log(np.sum(shares * np.exp(police_effect)))
    pop = population.set_index(["month", "mahalla"])["residents"]
    keys = pd.MultiIndex.from_product([span.astype(str), mahallas["mahalla"].to_numpy()])
    exposure = pop.reindex(keys).to_numpy(float).reshape(n_t, n_m)

    t = (span - np.datetime64(cfg.trend_break, "M")).astype(int) / MONTHS_PER_YEAR
    b_pre, b_post = np.log1p(cfg.trend_pre_pct / 100.0), np.log1p(cfg.trend_post_pct / 100.0)
    trend = b_pre * t + (b_post - b_pre) * np.maximum(t, 0.0)
    month_of_year = span.astype(int) % MONTHS_PER_YEAR + 1
    angle = 2 * np.pi * (month_of_year - cfg.season_peak_month) / MONTHS_PER_YEAR
    season = cfg.season_amplitude * np.cos(angle)
    after = span >= np.datetime64(cfg.intervention, "M")
    affected = np.isin(codes, cfg.intervention_sections)
    step = np.log(cfg.intervention_rate_ratio) * after[:, None] * affected[None, :]
    base = np.log(np.array([POLICE_BASE_RATES[c] for c in codes]) / RATE_BASE / MONTHS_PER_YEAR)

    log_mu = (
        np.log(exposure)[:, :, None]
        + base[None, None, :]
        + effect[None, :, None]
        + (trend + season)[:, None, None]
        + step[:, None, :]
    )
    shape = cfg.police_gamma_shape
    gamma = rng.gamma(shape, 1.0 / shape, size=log_mu.shape)
    crimes = rng.poisson(np.exp(log_mu) * gamma)
    records = pd.DataFrame(
        {
            "month": pd.array(np.repeat(span.astype(str), n_m * n_s), dtype="string"),
            "year": np.repeat(span.astype("datetime64[Y]").astype(int) + 1970, n_m * n_s),
            "month_of_year": np.repeat(month_of_year, n_m * n_s),
            "mahalla": np.tile(np.repeat(mahallas["mahalla"].to_numpy(), n_s), n_t),
            "iccs": pd.array(np.tile(codes, n_t * n_m), dtype="string"),
            "crimes": crimes.ravel().astype(np.int64),
        }
    )
    by_mahalla = np.sort(crimes.sum(axis=(0, 2)))[::-1]
    top = int(np.ceil(TOP_SHARE_OF_MAHALLAS * n_m))
    phase = 2 * np.pi * cfg.season_peak_month / MONTHS_PER_YEAR
    truth = {
        "model": POLICE_MODEL,
        "base_rate_per_100000_per_year": dict(POLICE_BASE_RATES),
        "mahalla_log_effect": {
            str(m): float(e) for m, e in zip(mahallas["mahalla"], effect, strict=True)
        },
        "trend_break": cfg.trend_break,
        "trend_pre_pct_per_year": cfg.trend_pre_pct,
        "trend_post_pct_per_year": cfg.trend_post_pct,
        "trend_pre_log_slope_per_year": float(b_pre),
        "trend_post_log_slope_per_year": float(b_post),
        "season_amplitude_log": cfg.season_amplitude,
        "season_peak_month": cfg.season_peak_month,
        "season_cos_coef": float(cfg.season_amplitude * np.cos(phase)),
        "season_sin_coef": float(cfg.season_amplitude * np.sin(phase)),
        "intervention": cfg.intervention,
        "intervention_sections": list(cfg.intervention_sections),
        "intervention_rate_ratio": cfg.intervention_rate_ratio,
        "intervention_log_rate_ratio": float(np.log(cfg.intervention_rate_ratio)),
        "gamma_shape": shape,
        "recorded_total_by_iccs": {
            c: int(v) for c, v in zip(codes, crimes.sum(axis=(0, 1)), strict=True)
        },
        "top20pct_mahallas_share_of_crimes": float(by_mahalla[:top].sum() / by_mahalla.sum()),
    }
    return records, truth


def iccs_table() -> pd.DataFrame:
    """The ICCS catalogue as a frame (``iccs, label, level``)."""
    return pd.DataFrame(
        {
            "iccs": pd.array(list(ICCS_SECTIONS), dtype="string"),
            "label": pd.array([v[0] for v in ICCS_SECTIONS.values()], dtype="string"),
            "level": [v[1] for v in ICCS_SECTIONS.values()],
        }
    )


def _ratio_pct(numerator: float, denominator: float) -> float | None:
    """``100 numerator / denominator`` (None when the denominator is zero)."""
    return 100.0 * float(numerator) / float(denominator) if denominator else None


def _pct_by_year(rows: pd.DataFrame) -> dict[str, float | None]:
    """``{str(year): 100 in_treatment / with_disorder}`` over the rows (one per year)."""
    return {
        str(y): _ratio_pct(num, den)
        for y, num, den in zip(
            rows["year"].tolist(),
            rows["in_treatment"].tolist(),
            rows["with_disorder"].tolist(),
            strict=True,
        )
    }


def treatment(
    cfg: SyntheticConfig,
    rng: np.random.Generator,
    population: pd.DataFrame,
    share_15_64: dict[str, float],
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """People in drug treatment and with drug use disorders by year and sex (SDG 3.5.1).

    Notes
    -----
    ``with_disorder = round(P_15_64[y, sex] x disorder_rate[sex])`` with ``P_15_64`` the
    mean monthly residents of year ``y`` times the frame share of persons aged 15-64 of
    that sex; ``in_treatment ~ Binomial(with_disorder, c_y)`` with the coverage ``c_y``
    linear between the two values of ``treatment_coverage`` (a year outside the population
    series uses the series' first year). The true SDG 3.5.1 is
    ``100 sum(in_treatment) / sum(with_disorder)``, an administrative census.
    """
    years = np.arange(cfg.treatment_start, cfg.treatment_end + 1)
    month_year = population["month"].str.slice(0, 4).astype(int).to_numpy()
    total = population.groupby(month_year)["residents"].sum() / MONTHS_PER_YEAR
    coverage = np.linspace(*cfg.treatment_coverage, years.size)
    rates = {"female": cfg.disorder_rate_female, "male": cfg.disorder_rate_male}
    rows = []
    for y, c in zip(years, coverage, strict=True):
        residents = float(total.get(y, total.iloc[0]))
        for sex in SEXES:
            disorder = round(residents * share_15_64[sex] * rates[sex])
            rows.append((int(y), sex, int(rng.binomial(disorder, c)), disorder))
    frame = pd.DataFrame(rows, columns=["year", "sex", "in_treatment", "with_disorder"])
    frame["sex"] = frame["sex"].astype("string")
    by_year = frame.groupby("year")[["in_treatment", "with_disorder"]].sum()
    truth = {
        "sdg_3_5_1_pct": {
            str(y): _ratio_pct(r.in_treatment, r.with_disorder) for y, r in by_year.iterrows()
        },
        "sdg_3_5_1_by_sex_pct": {sex: _pct_by_year(frame[frame["sex"] == sex]) for sex in SEXES},
        "coverage_model_pct": {str(y): 100.0 * c for y, c in zip(years, coverage, strict=True)},
        "disorder_rate_15_64": rates,
    }
    return frame, truth
