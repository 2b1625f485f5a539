"""Weighting diagnostics: Kish design effect, effective n, margins and response rates.

Expected values are hand calculations from the formulas in the docstrings (Kish 1965,
section 11.7; AAPOR RR1), written out in each test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sga_methods import weighting


@pytest.mark.reference
def test_kish_deff_hand_calculation():
    # n Σw² / (Σw)² = 3 * (1 + 4 + 9) / 6² = 42 / 36
    assert weighting.kish_deff([1, 2, 3]) == pytest.approx(42 / 36, rel=1e-15)
    # (Σw)² / Σw² = 36 / 14
    assert weighting.effective_sample_size([1, 2, 3]) == pytest.approx(36 / 14, rel=1e-15)


@pytest.mark.identity
def test_equal_weights_have_no_design_effect_and_n_is_effective():
    w = np.full(250, 17.5)
    assert weighting.kish_deff(w) == pytest.approx(1.0)
    assert weighting.effective_sample_size(w) == pytest.approx(250)
    rng = np.random.default_rng(1)
    w = rng.gamma(2.0, 3.0, 1000)
    assert weighting.kish_deff(w) * weighting.effective_sample_size(w) == pytest.approx(1000)


@pytest.mark.parametrize("bad", [[], [1, -1], [0, 0], [1, np.nan], [np.inf, 1]])
def test_bad_weights_are_refused(bad):
    with pytest.raises(ValueError, match="weights"):
        weighting.kish_deff(bad)


@pytest.mark.reference
def test_compare_margins_hand_calculation():
    data = pd.DataFrame({"sex": ["f", "f", "m"], "w": [1.0, 1.0, 2.0]})
    targets = pd.DataFrame(
        {"variable": ["sex", "sex"], "level": ["f", "m"], "population": [60, 40]}
    )
    out = weighting.compare_margins(data, "w", targets, ["sex"]).set_index("level")
    assert out.loc["f", "n"] == 2
    assert out.loc["f", "sample_pct"] == pytest.approx(200 / 3)
    assert out.loc["f", "weighted_pct"] == pytest.approx(50.0)
    assert out.loc["f", "population_pct"] == pytest.approx(60.0)
    assert out.loc["m", "difference_pp"] == pytest.approx(10.0)


def test_compare_margins_keeps_levels_missing_from_the_sample():
    data = pd.DataFrame({"age": ["15-24"], "w": [1.0]})
    targets = pd.DataFrame(
        {"variable": ["age", "age"], "level": ["15-24", "65+"], "population": [50, 50]}
    )
    out = weighting.compare_margins(data, "w", targets, ["age"]).set_index("level")
    assert out.loc["65+", "n"] == 0 and out.loc["65+", "population_pct"] == 50


def test_compare_margins_errors_name_the_column():
    data = pd.DataFrame({"sex": ["f"], "w": [1.0]})
    targets = pd.DataFrame({"variable": ["sex"], "level": ["f"], "population": [1]})
    with pytest.raises(ValueError, match="'age'"):
        weighting.compare_margins(data, "w", targets, ["age"])
    with pytest.raises(ValueError, match="no population targets for variable 'sex'"):
        weighting.compare_margins(data, "w", targets.assign(variable="x"), ["sex"])


@pytest.mark.reference
def test_response_rates_rr1_by_group():
    fw = pd.DataFrame(
        {
            "stratum": [1, 1, 1, 1, 2, 2],
            "outcome": ["complete", "complete", "refusal", "noncontact", "complete", "refusal"],
        }
    )
    out = weighting.response_rates(fw, by="stratum").set_index("stratum")
    assert out.loc[1, "sampled"] == 4 and out.loc[1, "refusal"] == 1
    assert out.loc[1, "response_rate"] == pytest.approx(50.0)
    assert out.loc[2, "response_rate"] == pytest.approx(50.0)
    overall = weighting.response_rates(fw)
    assert overall["response_rate"].item() == pytest.approx(300 / 6)
