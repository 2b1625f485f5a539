"""Synthesis (module 09): scorecard, comparisons between waves and districts, priorities.

Kinds: behaviour (rows picked from small results folders written with
``report.save_results``, missing and malformed inputs), identity (the change between waves
equals ``trends.compare_estimates`` and the z-test written out; priority scores and their
order computed by hand from the formula in ``priority_matrix``) and regression (the
catalogue ids that district parameter files refer to).
"""

from __future__ import annotations

import json
import math

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sga_methods import report, synthesis, trends
from sga_methods.params import Options

matplotlib.use("Agg")

OPTS = Options()  # min_n 30, flag_cv 0.30, suppress_cv 0.50


def est(variable, estimate, se, n=1000, unit="per 100", **extra):
    """One tidy estimate row (a 95% Wald interval is enough here)."""
    return {
        "variable": variable,
        "estimate": estimate,
        "se": se,
        "ci_low": estimate - 1.96 * se,
        "ci_high": estimate + 1.96 * se,
        "n": n,
        "unit": unit,
        **extra,
    }


def write_wave(folder, *, violence=7.0, violence_se=0.6, bribery_n=900, drop=()):
    """A small results folder shaped like the modules' files (not every module)."""
    tables = {
        "01_crime_victimization": {
            "any_prevalence": pd.DataFrame(
                [
                    est("n_any_personal", 27.0, 1.4),
                    est("n_any_violent", violence, violence_se),
                    est("n_any_household", 5.5, 0.5),
                ]
            ),
            "sdg_16_1_3": pd.DataFrame(
                [
                    est("sdg_16_1_3", 5.0, 0.8, n=500, group="Sex", level="female"),
                    est("sdg_16_1_3", violence, violence_se, group="All", level="all"),
                    est("sdg_16_1_3", 9.0, 0.9, n=500, group="Sex", level="male"),
                ]
            ),
            "sdg_16_3_1": pd.DataFrame(
                [est("sdg_16_3_1", 40.0, 5.0, n=100, unit="per 100 victims", group="All")]
            ),
        },
        "02_safety_perceptions": {
            "sdg_16_1_4": pd.DataFrame([est("sdg_16_1_4", 70.0, 1.8, group="All", level="all")]),
        },
        "03_corruption": {
            "sdg_16_5_1": pd.DataFrame(
                [
                    est("sdg_16_5_1", 20.0, 1.2, n=bribery_n),
                    est("bribery_prevalence_paid", 12.0, 1.0, n=bribery_n),
                ]
            ),
        },
        "06_drugs_health": {
            "drug_use_prevalence": pd.DataFrame(
                [
                    est(v, e, 0.3, unit="per 100", population="persons aged 15-64")
                    for v, e in (("drug_use_ever", 4.0), ("drug_use_year", 1.5))
                ]
            ),
            "sdg_3_5_1_by_year": pd.DataFrame(
                {
                    "year": [2023, 2024],
                    "treated": [30, 40],
                    "with_disorder": [200, 200],
                    "estimate": [15.0, 20.0],
                    "se": [np.nan, np.nan],
                    "ci_low": [np.nan, np.nan],
                    "ci_high": [np.nan, np.nan],
                    "n": [200, 200],
                    "variable": "sdg_3_5_1",
                    "unit": "per 100 people with drug use disorders",
                }
            ),
        },
        "07_police_recorded_trends": {
            "aapc": pd.DataFrame(
                {
                    "iccs": ["all", "all", "0401"],
                    "start": [2015.0, 2020.0, 2015.0],
                    "end": [2024.0, 2024.0, 2024.0],
                    "aapc": [-1.3, -4.3, -2.0],
                    "ci_low": [-2.0, -5.6, -4.0],
                    "ci_high": [-0.7, -3.1, -0.1],
                    "p_value": [0.003, 0.0002, 0.04],
                }
            ),
            "intervention_effects": pd.DataFrame(
                {
                    "intervention": "Safe City CCTV",
                    "start": "2021-07",
                    "series": ["Targeted sections", "Sections not targeted (comparison)"],
                    "model": "Level and slope change",
                    "level_rr": [0.8, 0.95],
                    "level_ci_low": [0.7, 0.85],
                    "level_ci_high": [0.9, 1.05],
                    "level_p": [0.002, 0.3],
                }
            ),
        },
    }
    for module, frames in tables.items():
        if module not in drop:
            report.save_results(folder, module, options=OPTS, **frames)
    return folder


def row_of(card, id_):
    return card.set_index("id").loc[id_]


def test_scorecard_picks_the_headline_rows(tmp_path):
    card = synthesis.scorecard(synthesis.load_results(write_wave(tmp_path)))
    assert list(card.columns) == list(synthesis.SCORECARD_COLUMNS)
    assert list(card["id"]) == [h.id for h in synthesis.HEADLINES]  # nothing dropped
    assert row_of(card, "crime_violent")["estimate"] == 7.0
    violence = row_of(card, "sdg_16_1_3")  # the group "All" row, not female or male
    assert (violence["estimate"], violence["n"], violence["status"]) == (7.0, 1000, "ok")
    assert row_of(card, "sdg_16_5_1")["estimate"] == 20.0  # not the "paid" row
    assert row_of(card, "sdg_16_3_1")["unit"] == "per 100 victims"  # as recorded
    assert row_of(card, "sdg_16_3_1")["unit_label"] == "% of victims of violence"
    assert row_of(card, "drug_use_year")["estimate"] == 1.5
    coverage = row_of(card, "sdg_3_5_1")  # latest year
    assert (coverage["estimate"], coverage["detail"]) == (20.0, "2024")
    assert math.isnan(coverage["se"]) and coverage["source"] == "records"
    aapc = row_of(card, "police_aapc")  # whole period, all crime
    assert (aapc["estimate"], aapc["ci_low"], aapc["p_value"]) == (-1.3, -2.0, 0.003)
    assert aapc["detail"] == "2015–2024"
    level = row_of(card, "safe_city_level")  # rate ratio 0.8 (0.7-0.9) as % change
    assert level[["estimate", "ci_low", "ci_high"]].tolist() == pytest.approx([-20, -30, -10])
    assert not level["percentage"]


def test_missing_modules_tables_and_rows_are_listed_not_dropped(tmp_path):
    folder = write_wave(tmp_path, drop=("02_safety_perceptions",))
    results = synthesis.load_results(folder)
    del results["01_crime_victimization"]["sdg_16_3_1"]
    results["03_corruption"]["sdg_16_5_1"] = results["03_corruption"]["sdg_16_5_1"].iloc[1:]
    card = synthesis.scorecard(results)
    notes = card.set_index("id")["note"]
    assert row_of(card, "sdg_16_1_4")["status"] == "missing"
    assert notes["sdg_16_1_4"] == "module not run (no results file)"
    assert notes["sdg_16_3_1"] == "no table 'sdg_16_3_1' in the module's results"
    assert notes["sdg_16_5_1"].startswith("no row of table 'sdg_16_5_1' matches")
    assert card.loc[card["status"] == "missing", "estimate"].isna().all()
    assert synthesis.missing_modules(results) == [
        "00_district_profile",
        "02_safety_perceptions",
        "04_illicit_flows",
        "05_violent_extremism_prevention",
        "08_governance_trust",
    ]


def test_an_ambiguous_selector_is_reported_not_guessed(tmp_path):
    results = synthesis.load_results(write_wave(tmp_path))
    trust = pd.DataFrame([est("trust_police", 50.0, 1.7), est("trust_police", 60.0, 1.7)])
    results["08_governance_trust"] = {"trust": trust}
    card = synthesis.scorecard(results)
    assert row_of(card, "trust_police")["status"] == "missing"
    assert row_of(card, "trust_police")["note"].startswith("2 rows of table 'trust' match")


def test_suppressed_headline_keeps_its_flag_and_no_number(tmp_path):
    card = synthesis.scorecard(synthesis.load_results(write_wave(tmp_path, bribery_n=20)))
    bribery = row_of(card, "sdg_16_5_1")
    assert (bribery["flag"], bribery["status"]) == ("suppressed_n", "ok")
    assert math.isnan(bribery["estimate"])


@pytest.mark.identity
def test_compare_waves_equals_compare_estimates_and_the_z_test_by_hand(tmp_path):
    now = synthesis.scorecard(synthesis.load_results(write_wave(tmp_path / "now")))
    before = synthesis.scorecard(
        synthesis.load_results(
            write_wave(tmp_path / "before", violence=5.0, violence_se=0.5, bribery_n=20)
        )
    )
    out = synthesis.compare_waves(now, before, corr=0.2, ci_level=0.90).set_index("id")
    ref = trends.compare_estimates(7.0, 0.6, 5.0, 0.5, corr=0.2, ci_level=0.90)
    got = out.loc["sdg_16_1_3"]
    for col in ("difference", "se", "ci_low", "ci_high", "p_value"):
        assert got[col] == pytest.approx(ref[col], rel=1e-12)
    se = math.sqrt(0.6**2 + 0.5**2 - 2 * 0.2 * 0.6 * 0.5)  # written out
    assert got["p_value"] == pytest.approx(2 * stats.norm.sf(2.0 / se), rel=1e-12)
    assert got["ci_low"] == pytest.approx(2.0 - stats.norm.ppf(0.95) * se, rel=1e-12)
    assert (got["change"], got["assessment"]) == ("significant increase", "worse")
    back = synthesis.compare_waves(before, now, corr=0.2, ci_level=0.90).set_index("id")
    assert back.loc["sdg_16_1_3", "difference"] == pytest.approx(-2.0)
    assert tuple(back.loc["sdg_16_1_3", ["change", "assessment"]]) == (
        "significant decrease",
        "better",
    )
    same = out.loc["sdg_16_1_4"]  # identical in both waves
    assert (same["difference"], same["change"]) == (0.0, "no significant change")
    bribery = out.loc["sdg_16_5_1"]  # suppressed (n = 20) in the previous wave
    assert bribery["change"] == "not compared" and math.isnan(bribery["difference"])
    assert bribery["note"] == "suppressed in the previous wave"
    assert out.loc["trust_police", "note"] == "missing in this wave; missing in the previous wave"
    coverage = out.loc["sdg_3_5_1"]  # administrative: a difference, no test
    assert (coverage["difference"], coverage["change"]) == (0.0, "not tested")
    assert math.isnan(coverage["p_value"])


def test_compare_districts_puts_the_districts_side_by_side(tmp_path):
    dirs = {
        "b-district": write_wave(tmp_path / "b"),
        "a-district": write_wave(tmp_path / "a", violence=9.0),
    }
    out = synthesis.compare_districts(dirs)
    assert len(out) == 2 * len(synthesis.HEADLINES)
    assert list(out["district"][:2]) == ["b-district", "a-district"]  # order given
    assert list(out["id"][:4]) == ["crime_any", "crime_any", "crime_violent", "crime_violent"]
    violent = out[out["id"] == "crime_violent"].set_index("district")["estimate"]
    assert violent.to_dict() == {"b-district": 7.0, "a-district": 9.0}


def test_batch_results_finds_the_published_folder_and_the_other_districts(tmp_path):
    outputs = tmp_path / "outputs"
    write_wave(outputs / "alpha" / "results")
    write_wave(outputs / "beta" / "results")
    (outputs / "empty" / "results").mkdir(parents=True)
    staging = outputs / "alpha" / ".tmp-09_synthesis-x1y2" / "results"
    expected = {"alpha": outputs / "alpha" / "results", "beta": outputs / "beta" / "results"}
    assert synthesis.batch_results(staging) == expected
    assert synthesis.batch_results(outputs / "alpha" / "results") == expected
    assert list(synthesis.batch_results(outputs / "beta" / "results")) == ["beta", "alpha"]


def card_of(rows):
    """A minimal scorecard: (id, estimate, direction, percentage, flag)."""
    frame = pd.DataFrame(rows, columns=["id", "estimate", "direction", "percentage", "flag"])
    return frame.assign(label=frame["id"], problem=frame["id"], module="m", status="ok")


WORSE, BETTER = "higher is worse", "higher is better"


@pytest.mark.identity
def test_priority_scores_and_order_by_hand():
    card = card_of(
        [
            ("violence", 8.0, WORSE, True, ""),
            ("safe", 70.0, BETTER, True, ""),  # problem share 30%
            ("bribery", 20.0, WORSE, True, "unreliable"),
            ("unrated", 50.0, WORSE, True, ""),
            ("trend", -1.3, WORSE, False, ""),
            ("hidden", np.nan, WORSE, True, "suppressed_cv"),
        ]
    )
    severity = {"violence": 5, "safe": 2, "bribery": 3, "trend": 4}
    out = synthesis.priority_matrix(card, severity, {"severity": 0.6, "prevalence": 0.4})
    hand = {
        "violence": 0.6 * 1.0 + 0.4 * 0.08,  # 0.632
        "safe": 0.6 * 0.25 + 0.4 * 0.30,  # 0.270
        "bribery": 0.6 * 0.5 + 0.4 * 0.20,  # 0.380
    }
    ranked = out[out["status"] == "ranked"]
    assert list(ranked["id"]) == ["violence", "bribery", "safe"]
    assert list(ranked["rank"]) == [1, 2, 3]
    assert ranked.set_index("id")["priority"].to_dict() == pytest.approx(hand, rel=1e-12)
    rest = out.set_index("id")
    assert (rest.loc["unrated", "status"], rest.loc["unrated", "share"]) == ("unrated", 50.0)
    assert rest.loc["unrated", "note"] == "no severity rating in the parameters"
    assert rest.loc["trend", "status"] == "not placed"
    assert rest.loc["trend", "note"] == "not a percentage"
    assert rest.loc["hidden", "note"] == "suppressed"
    assert list(out["id"][3:]) == ["unrated", "trend", "hidden"]
    # min-max scaling over the four placed shares (8, 30, 20, 50)
    mm = synthesis.priority_matrix(
        card, severity, {"severity": 0.5, "prevalence": 0.5}, scaling="minmax"
    ).set_index("id")
    assert mm.loc["safe", "prevalence"] == pytest.approx((30 - 8) / (50 - 8))
    assert mm.loc["violence", "priority"] == pytest.approx(0.5 * 1.0 + 0.5 * 0.0)


def test_priority_matrix_rejects_bad_ratings_and_weights():
    card = card_of([("violence", 8.0, WORSE, True, "")])
    weights = {"severity": 0.5, "prevalence": 0.5}
    with pytest.raises(ValueError, match="'violense'"):
        synthesis.priority_matrix(card, {"violense": 3}, weights)
    with pytest.raises(ValueError, match=r"integer from 1 to 5\. Got 6"):
        synthesis.priority_matrix(card, {"violence": 6}, weights)
    with pytest.raises(ValueError, match="summing to 1"):
        synthesis.priority_matrix(card, {"violence": 3}, {"severity": 0.5, "prevalence": 0.6})


def test_recommendations_follow_the_priorities_and_gaps_are_listed():
    card = card_of(
        [
            ("violence", 8.0, WORSE, True, ""),
            ("bribery", 40.0, WORSE, True, ""),
            ("trend", -1.3, WORSE, False, ""),
        ]
    )
    pri = synthesis.priority_matrix(
        card, {"violence": 3, "bribery": 3}, {"severity": 0.5, "prevalence": 0.5}
    )
    texts = {"violence": "Support victims.", "trend": "Watch the trend."}
    out = synthesis.recommendation_list(pri, texts)
    assert list(out["id"]) == ["bribery", "violence", "trend"]
    assert list(out["status"]) == ["needs a recommendation", "recommendation", "recommendation"]
    with pytest.raises(ValueError, match="'nonsense'"):
        synthesis.recommendation_list(pri, {"nonsense": "x"})


def test_plot_draws_one_labelled_point_per_ranked_problem():
    card = card_of([("violence", 8.0, WORSE, True, ""), ("safe", 70.0, BETTER, True, "")])
    pri = synthesis.priority_matrix(
        card, {"violence": 5, "safe": 2}, {"severity": 0.5, "prevalence": 0.5}
    )
    fig = synthesis.plot_priorities(pri, title="t", weights={"severity": 0.5, "prevalence": 0.5})
    texts = [t.get_text() for t in fig.axes[0].texts if not t.get_text().startswith("priority")]
    assert sorted(texts[:2]) == ["1", "2"]  # one rank beside each point
    assert texts[2] == "Rank by priority\n1. violence\n2. safe"  # the key


def test_malformed_results_files_are_named(tmp_path):
    write_wave(tmp_path)
    bad = tmp_path / "05_violent_extremism_prevention.json"
    bad.write_text('{"module": "05_violent_extremism_prevention", "tables": {', encoding="utf-8")
    with pytest.raises(
        ValueError, match=r"05_violent_extremism_prevention\.json is not valid JSON"
    ):
        synthesis.load_results(tmp_path)
    bad.write_text(json.dumps({"tables": {}}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"05_violent_extremism_prevention\.json must hold"):
        synthesis.load_results(tmp_path)
    bad.write_text(json.dumps({"module": "x", "tables": {"t": {"a": 1}}}), encoding="utf-8")
    with pytest.raises(ValueError, match="json: table 't' must be a list of records"):
        synthesis.load_results(tmp_path)
    with pytest.raises(FileNotFoundError, match="nowhere"):
        synthesis.load_results(tmp_path / "nowhere")


@pytest.mark.regression
def test_catalogue_ids_that_parameter_files_use():
    # district parameter files key severity ratings and recommendations by these ids
    assert [h.id for h in synthesis.HEADLINES] == [
        "crime_any",
        "crime_violent",
        "crime_household",
        "sdg_16_1_3",
        "sdg_16_3_1",
        "sdg_16_1_4",
        "sdg_11_7_2",
        "sdg_16_5_1",
        "discrimination",
        "drug_use_year",
        "sdg_3_5_1",
        "sdg_16_6_2",
        "sdg_16_7_2",
        "trust_police",
        "police_aapc",
        "safe_city_level",
    ]
