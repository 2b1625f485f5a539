"""Coverage of SurveyDesign's 95% intervals over repeated samples of the synthetic district.

Kind: *simulation* (design-based). The synthetic population is fixed
(``synthetic.generate()``, seed 2025); each replication draws a fresh sample with the demo
design (``synthetic.draw_survey``: stratified systematic PPS of 5 mahallas per stratum,
SRS of 55 households, one adult, household nonresponse, nonresponse-adjusted weights) and
computes a 95% interval with the design as drawn: two stages, PPS without replacement at
the first (Brewer's approximation) and SRS without replacement at the second,
``SurveyDesign(weights="weight", strata="stratum", psu=["mahalla", "hh_id"],
fpc=["psu_prob", "hh_prob"], pps="brewer")`` (R: ``svydesign(ids = ~mahalla + hh_id,
strata = ~stratum, fpc = ~psu_prob + hh_prob, pps = "brewer", weights = ~weight)``), with
``hh_prob = 1 / (psu_prob * hh_base_weight) = 55 / N_i``. The truth is the
finite-population value computed from ``demo.adults`` (it equals ``demo.truth`` to its 10
digits; checked below).

The number of replications is ``SGA_COVERAGE_REPS`` (default 200, about 10 s). With ``R``
replications the Monte-Carlo SE of a coverage near 95% is ``sqrt(0.95 x 0.05 / R)`` (1.5
points at 200, 0.7 at 1,000), so the test accepts ``[0.93 - 2 MCSE, 0.97 + 2 MCSE]``: the
issue's 93-97% band widened by the simulation noise of the count actually run. The figures
of the full run (``SGA_COVERAGE_REPS=1000``) are in ``benchmarks/README.md``.

Why this design: 5 of about 9 mahallas per stratum are drawn without replacement (a
first-stage sampling fraction near 0.54). The with-replacement ultimate-cluster variance
(``psu="mahalla"`` alone) overstates the between-mahalla part and covers 97-98%; an SRS fpc
on the first stage alone overcorrects (88-89%), because it also shrinks the within-mahalla
part. The two-stage Brewer variance keeps each part with its own correction. Figures in
``benchmarks/README.md``.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd
import pytest

from sga_methods import SurveyDesign, synthetic

#: Replications of the simulation (environment variable ``SGA_COVERAGE_REPS``).
REPS: int = int(os.environ.get("SGA_COVERAGE_REPS", "200"))

#: Nominal level and the issue's acceptance band for the coverage.
LEVEL: float = 0.95
BAND: tuple[float, float] = (0.93, 0.97)

#: Seeds of the replications (the demo itself uses 2025; any fixed range will do).
FIRST_SEED: int = 1


def _safe_after_dark(df: pd.DataFrame) -> pd.Series:
    """SDG 16.1.4: feels very or fairly safe (3-4), or would (if never out alone)."""
    feel = df["feel_safe_dark"].astype("Float64")
    would = df["feel_safe_dark_would"].astype("Float64")
    safe = feel.isin([3, 4]) | ((feel == 5) & would.isin([3, 4]))
    return safe.astype(float).where(feel.notna())


def _analysis_columns(df: pd.DataFrame) -> pd.DataFrame:
    """The analysed variables: trust in the police (1-5), theft prevalence, SDG 16.1.4."""
    return pd.DataFrame(
        {
            "trust_police": df["trust_police"].astype("Float64"),
            "theft_12m": (df["n12_theft_personal"] >= 1).astype(float),
            "safe_after_dark": _safe_after_dark(df),
        }
    )


@pytest.fixture(scope="module")
def demo() -> synthetic.SyntheticDistrict:
    return synthetic.generate(synthetic.SyntheticConfig())


@pytest.fixture(scope="module")
def truth(demo: synthetic.SyntheticDistrict) -> dict[str, float]:
    values = _analysis_columns(demo.adults).mean()
    return {name: float(v) for name, v in values.items()}


@pytest.fixture(scope="module")
def intervals(demo: synthetic.SyntheticDistrict) -> pd.DataFrame:
    """One row per replication and estimate: estimate, se, ci_low, ci_high."""
    rows = []
    for seed in range(FIRST_SEED, FIRST_SEED + REPS):
        survey = synthetic.draw_survey(demo, seed)
        columns = survey[["weight", "stratum", "mahalla", "hh_id", "psu_prob"]].assign(
            hh_prob=1.0 / (survey["psu_prob"] * survey["hh_base_weight"])
        )
        design = SurveyDesign(
            pd.concat([columns, _analysis_columns(survey)], axis=1),
            weights="weight",
            strata="stratum",
            psu=["mahalla", "hh_id"],
            fpc=["psu_prob", "hh_prob"],
            pps="brewer",
        )
        mean = design.mean("trust_police").assign(estimate_of="trust_police (mean, t)")
        rows.append(mean)
        for name in ("theft_12m", "safe_after_dark"):
            prop = design.proportion(name, ci_method="logit")
            rows.append(
                prop[prop["level"] == 1.0].assign(estimate_of=f"{name} (proportion, logit)")
            )
    out = pd.concat(rows, ignore_index=True)
    return out[["estimate_of", "estimate", "se", "ci_low", "ci_high"]]


def _mcse(p: float, reps: int) -> float:
    return math.sqrt(p * (1.0 - p) / reps)


# --- the resampler ------------------------------------------------------------------------


@pytest.mark.identity
def test_draw_survey_with_the_demo_seed_is_the_demo_survey(demo):
    again = synthetic.draw_survey(demo, demo.config.seed)
    pd.testing.assert_frame_equal(again, demo.survey)


def test_draw_survey_gives_a_new_sample_of_the_same_design(demo):
    other = synthetic.draw_survey(demo, 1)
    assert list(other.columns) == list(demo.survey.columns)
    assert (other.dtypes == demo.survey.dtypes).all()
    assert not other["hh_id"].equals(demo.survey["hh_id"])
    per_stratum = other.groupby("stratum")["mahalla"].nunique()
    assert (per_stratum == demo.config.psus_per_stratum).all()
    # respondents of a mahalla: at most households_per_psu, weights positive and finite
    assert other.groupby("mahalla").size().max() <= demo.config.households_per_psu
    assert np.isfinite(other["weight"]).all() and (other["weight"] > 0).all()


@pytest.mark.parametrize("seed", [-1, 1.5, "1", True])
def test_draw_survey_rejects_a_bad_seed(demo, seed):
    with pytest.raises(ValueError, match="'seed' parameter of draw_survey"):
        synthetic.draw_survey(demo, seed)


@pytest.mark.identity
def test_truth_from_the_population_matches_truth_json(demo, truth):
    crimes, indicators = demo.truth["crimes"], demo.truth["indicators"]
    assert truth["theft_12m"] * 100 == pytest.approx(
        crimes["theft_personal"]["prevalence_12m_pct"], rel=1e-9
    )
    assert truth["safe_after_dark"] * 100 == pytest.approx(indicators["sdg_16_1_4_pct"], rel=1e-9)


# --- coverage -----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "estimate_of",
    [
        "trust_police (mean, t)",
        "theft_12m (proportion, logit)",
        "safe_after_dark (proportion, logit)",
    ],
)
def test_coverage_of_95pct_intervals(intervals, truth, estimate_of):
    rows = intervals[intervals["estimate_of"] == estimate_of]
    assert len(rows) == REPS
    target = truth[estimate_of.split(" ")[0]]
    covered = (rows["ci_low"] <= target) & (target <= rows["ci_high"])
    coverage = float(covered.mean())
    allowance = 2.0 * _mcse(LEVEL, REPS)
    low, high = BAND[0] - allowance, BAND[1] + allowance
    se_ratio = float(np.sqrt((rows["se"] ** 2).mean()) / rows["estimate"].std())
    print(
        f"\n{estimate_of}: coverage {coverage:.3f} over {REPS} replications "
        f"(MCSE {_mcse(coverage, REPS):.4f}); accepted [{low:.3f}, {high:.3f}]; "
        f"bias {rows['estimate'].mean() - target:+.2e}; RMS SE / SD of estimates {se_ratio:.3f}"
    )
    assert low <= coverage <= high, (
        f"{estimate_of}: 95% intervals covered the truth {target:.6g} in {coverage:.1%} of "
        f"{REPS} replications; expected within [{low:.1%}, {high:.1%}]"
    )
