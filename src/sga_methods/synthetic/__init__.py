"""The seeded synthetic demo district (SYNTHETIC data; Chilanzar district, Tashkent).

A whole finite population (about 250,000 residents in 56 mahallas) is generated in memory
with latent person traits and mahalla random effects; the true values of the headline
indicators are computed on it; a stratified two-stage PPS survey sample with household
nonresponse, monthly police-recorded crime and drug-treatment records are drawn from it.
Everything is deterministic given the seed.

>>> from sga_methods import synthetic
>>> demo = synthetic.generate(synthetic.SyntheticConfig())      # doctest: +SKIP
>>> paths = synthetic.write(demo, "data/synthetic/tashkent-chilanzar")  # doctest: +SKIP

Command line: ``python -m sga_methods.synthetic --seed 2025 --out
data/synthetic/tashkent-chilanzar`` regenerates the committed files.
"""

from ._config import (
    CRIMES,
    DEMO_SEED,
    HOUSEHOLD_CRIMES,
    ICCS_SECTIONS,
    OFFICIALS,
    SyntheticConfig,
    SyntheticDistrict,
)
from ._generate import generate
from ._io import FILES, write
from ._resample import draw_survey
from ._truth import truth_table

__all__ = [
    "CRIMES",
    "DEMO_SEED",
    "FILES",
    "HOUSEHOLD_CRIMES",
    "ICCS_SECTIONS",
    "OFFICIALS",
    "SyntheticConfig",
    "SyntheticDistrict",
    "draw_survey",
    "generate",
    "truth_table",
    "write",
]
