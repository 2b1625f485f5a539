"""Disclosure control: flags and suppression follow the documented thresholds exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sga_methods import disclosure


def table():
    return pd.DataFrame(
        {
            "domain": ["ok", "few", "noisy", "very noisy", "zero"],
            "estimate": [10.0, 10.0, 10.0, 10.0, 0.0],
            "se": [1.0, 1.0, 3.5, 6.0, 0.0],
            "ci_low": [8.0, 8.0, 3.0, 0.0, 0.0],
            "ci_high": [12.0, 12.0, 17.0, 22.0, 0.0],
            "n": [100, 29, 100, 100, 100],
        }
    )


def test_flags_and_suppression():
    out = disclosure.apply(table(), min_n=30, flag_cv=0.30, suppress_cv=0.50)
    assert out["flag"].tolist() == ["", "suppressed_n", "unreliable", "suppressed_cv", ""]
    assert np.isnan(out.loc[1, "estimate"]) and np.isnan(out.loc[3, "ci_high"])
    assert out.loc[2, "estimate"] == 10.0
    assert out["n"].tolist() == table()["n"].tolist()  # bases stay visible


def test_boundaries_are_inclusive_as_documented():
    t = table().iloc[[0]].assign(se=3.0, n=30)  # CV exactly 0.30, n exactly min_n
    assert disclosure.apply(t)["flag"].item() == ""


def test_input_is_not_modified():
    t = table()
    disclosure.apply(t)
    pd.testing.assert_frame_equal(t, table())


def test_bad_arguments():
    with pytest.raises(ValueError, match="missing"):
        disclosure.apply(table().drop(columns="se"))
    with pytest.raises(ValueError, match="flag_cv"):
        disclosure.apply(table(), flag_cv=0.6, suppress_cv=0.5)


# --- NCHS Data Presentation Standards for Proportions (Parker et al. 2017) --------------------
# Behaviour against the standard's published thresholds: effective n >= 30, absolute
# interval width < 0.30, and relative width <= 130% unless the absolute width is <= 0.05.


def nchs_table():
    return pd.DataFrame(
        {
            "case": ["rare", "small wide", "middling wide", "few effective", "width 5", "rate"],
            "estimate": [0.4, 4.9, 50.0, 50.0, 2.0, 35.0],
            "se": [0.22, 2.2, 8.0, 10.0, 1.2, 12.0],
            "ci_low": [0.1, 1.8, 34.0, 30.0, 1.0, 11.0],
            "ci_high": [1.2, 12.3, 66.0, 70.0, 6.0, 59.0],
            "n": [1400, 200, 200, 100, 1400, 1400],
            "unit": ["per 100", "per 100 victims", "per 100", "per 100", "per 100", "per 1,000"],
        }
    )


def test_nchs_rule_judges_percentages_by_effective_n_and_interval_width():
    out = disclosure.apply(nchs_table(), rule="nchs")
    assert out["flag"].tolist() == [
        "",  # CV 55%, but the interval is 1.1 points wide: published
        "suppressed_ci",  # 10.5 points wide, 214% of the estimate
        "suppressed_ci",  # 32 points wide (>= 30)
        "suppressed_n",  # effective n = 0.25 / 0.01 = 25 < 30
        "",  # width exactly 5 points: published whatever the relative width
        "unreliable",  # not a percentage: the CV rule applies (CV 34%)
    ]
    assert out["case"].tolist() == nchs_table()["case"].tolist()  # no row dropped or moved
    assert np.isnan(out.loc[1, "estimate"]) and out.loc[0, "estimate"] == 0.4


def test_cv_rule_on_the_same_table_differs_where_documented():
    out = disclosure.apply(nchs_table(), rule="cv")
    assert out["flag"].tolist() == [
        "suppressed_cv",
        "unreliable",
        "",
        "",
        "suppressed_cv",
        "unreliable",
    ]


def test_nchs_effective_n_never_exceeds_the_actual_n():
    # a design effect below 1 (effective n 400 > n 20) does not rescue a small base
    t = pd.DataFrame(
        {"estimate": [50.0], "se": [2.5], "ci_low": [45.0], "ci_high": [55.0], "n": [20],
         "unit": ["per 100"]}
    )  # fmt: skip
    assert disclosure.apply(t, rule="nchs")["flag"].item() == "suppressed_n"


def test_nchs_needs_intervals_and_a_known_rule():
    with pytest.raises(ValueError, match=r"ci_low, ci_high.*missing: \['ci_low', 'ci_high'\]"):
        disclosure.apply(table().drop(columns=["ci_low", "ci_high"]), rule="nchs")
    with pytest.raises(ValueError, match="rule must be one of"):
        disclosure.apply(table(), rule="bjs")


def test_applying_twice_changes_nothing():
    for rule in ("cv", "nchs"):
        once = disclosure.apply(nchs_table(), rule=rule)
        twice = disclosure.apply(once, rule=rule)
        pd.testing.assert_frame_equal(twice, once)
