"""Generate the whole synthetic district from a configuration."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._config import AGE_GROUPS, SEXES, STREAMS, SyntheticConfig, SyntheticDistrict
from ._effects import mahalla_effects
from ._informants import key_informants
from ._persons import build_adults
from ._police import iccs_table, police_monthly, population_monthly, treatment
from ._population import build_frame, margins_table, population_table
from ._survey import build_survey, draw_sample
from ._truth import assemble
from ._victimization import household_crimes

#: Ages of the population of SDG 3.5.1 and drug-use prevalence (15-64).
WORKING_AGE_GROUPS: tuple[str, ...] = AGE_GROUPS[1:-1]


def generate(config: SyntheticConfig | None = None) -> SyntheticDistrict:
    """Generate the synthetic district: population, survey sample, police records, truth.

    Parameters
    ----------
    config : SyntheticConfig, optional
        The knobs; ``SyntheticConfig()`` (the committed demo) when omitted.

    Returns
    -------
    SyntheticDistrict
        Published frames, the full population frames and the truth dict.

    Notes
    -----
    Every component draws from its own stream ``SeedSequence(config.seed).spawn(k)`` (in the
    order of :data:`STREAMS`), so changing one component leaves the others unchanged. The
    finite population is generated first; the truth is computed on it; the survey is a
    stratified two-stage PPS sample of it with household nonresponse (see
    ``data/synthetic/README.md``).

    Examples
    --------
    >>> from sga_methods import synthetic
    >>> demo = synthetic.generate(synthetic.SyntheticConfig(residents=20_000, n_mahallas=12,
    ...     n_strata=2, psus_per_stratum=3, households_per_psu=20))
    >>> demo.survey["resp_id"].iloc[0]
    'CHZ-00001'
    """
    cfg = SyntheticConfig() if config is None else config
    streams = dict(
        zip(
            STREAMS,
            (
                np.random.default_rng(s)
                for s in np.random.SeedSequence(cfg.seed).spawn(len(STREAMS))
            ),
            strict=True,
        )
    )
    frame = build_frame(cfg, streams["frame"])
    effects = mahalla_effects(cfg, streams["effects"])
    crimes = household_crimes(
        cfg, streams["households"], frame.households, frame.high_rise, effects
    )
    households = pd.concat([frame.households, pd.DataFrame(crimes)], axis=1)
    household_victim = (
        (households["n12_burglary"] > 0) | (households["n12_vehicle_theft"] > 0)
    ).to_numpy(np.int8)
    adults = build_adults(cfg, streams["persons"], frame, effects, household_victim)

    sample = draw_sample(cfg, streams["sample"], streams["fieldwork"], frame)
    survey, fieldwork = build_survey(cfg, streams["items"], sample, frame, households, adults)

    population = population_table(cfg, frame)
    margins = margins_table(population, frame.mahallas)
    pop_monthly, growth = population_monthly(cfg, streams["police"], frame.mahallas)
    police, police_truth = police_monthly(
        cfg, streams["police"], frame.mahallas, pop_monthly, effects["police"]
    )
    police_truth["population_growth_pct_per_year"] = {
        str(m): float(g) for m, g in zip(frame.mahallas["mahalla"], growth, strict=True)
    }
    working = population[population["age_group"].isin(WORKING_AGE_GROUPS)]
    share = {
        sex: float(working.loc[working["sex"] == sex, "residents"].sum())
        / float(population["residents"].sum())
        for sex in SEXES
    }
    treat, treat_truth = treatment(cfg, streams["treatment"], pop_monthly, share)
    truth = assemble(cfg, adults, households, police_truth, treat_truth)
    return SyntheticDistrict(
        config=cfg,
        mahallas=frame.mahallas,
        population=population,
        margins=margins,
        survey=survey,
        fieldwork=fieldwork,
        police_monthly=police,
        population_monthly=pop_monthly,
        treatment=treat,
        iccs_sections=iccs_table(),
        key_informants=key_informants(streams["informants"]),
        households=households,
        adults=adults,
        truth=truth,
    )
