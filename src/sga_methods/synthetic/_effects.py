"""Mahalla random effects shared by the survey model and the police model."""

from __future__ import annotations

import numpy as np

from ._config import SyntheticConfig
from ._draw import standardise

#: Correlation of the mahalla fear effect with the mahalla crime effect (people are more
#: afraid where there is more crime) and of the trust effect with the cohesion effect.
FEAR_CRIME_LINK: float = 0.6
TRUST_COHESION_LINK: float = 0.5


def mahalla_effects(cfg: SyntheticConfig, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Draw the mahalla effects (arrays indexed by mahalla - 1).

    Parameters
    ----------
    cfg : SyntheticConfig
        The configuration.
    rng : numpy.random.Generator
        The ``effects`` stream.

    Returns
    -------
    dict of numpy.ndarray
        ``police`` (uncentred log effect of police-recorded crime), ``crime``, ``fear``,
        ``cohesion``, ``trust``, ``corruption`` and ``drug`` (survey scale).

    Notes
    -----
    The police effect is ``police_mahalla_sd * t_nu`` (Student t, ``nu =
    police_mahalla_df``): heavy tails make a few mahallas hold much of the recorded crime.
    The survey crime effect is ``mahalla_crime_sd * (rho z + sqrt(1 - rho^2) e)`` with ``z``
    the standardised police effect and ``rho = crime_police_correlation``, so survey
    victimization and recorded crime share a spatial pattern. Other effects are normal
    with the SDs of the configuration.
    """
    n = cfg.n_mahallas
    e = rng.standard_normal((6, n))
    police = cfg.police_mahalla_sd * rng.standard_t(cfg.police_mahalla_df, n)
    rho = cfg.crime_police_correlation
    z_crime = rho * standardise(police) + np.sqrt(1.0 - rho**2) * e[0]
    z_fear = FEAR_CRIME_LINK * z_crime + np.sqrt(1.0 - FEAR_CRIME_LINK**2) * e[1]
    z_trust = TRUST_COHESION_LINK * e[2] + np.sqrt(1.0 - TRUST_COHESION_LINK**2) * e[3]
    return {
        "police": police,
        "crime": cfg.mahalla_crime_sd * z_crime,
        "fear": cfg.mahalla_fear_sd * z_fear,
        "cohesion": cfg.mahalla_cohesion_sd * e[2],
        "trust": cfg.mahalla_trust_sd * z_trust,
        "corruption": cfg.mahalla_corruption_sd * e[4],
        "drug": cfg.mahalla_drug_sd * e[5],
    }
