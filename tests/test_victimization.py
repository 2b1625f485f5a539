"""Victimization rates against R's survey package, and the identities between them.

Reference numbers: tests/results/victimization_demo.R (R survey 4.1.1) run on the committed
synthetic demo survey, and tests/results/ncvs_property.R with BJS's published 2021 NCVS
property victimization figures (tests/data/ncvs2021_household.csv.gz); see tests/README.md.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sga_methods import SurveyDesign
from sga_methods import victimization as vic
from sga_methods.data import read_table

from .conftest import ROOT

RESULTS = json.loads((ROOT / "tests" / "results" / "victimization_demo.json").read_text())
CASES = {c["name"]: c for c in RESULTS["cases"]}
SURVEY = read_table(ROOT / "data" / "synthetic" / "tashkent-chilanzar" / "survey.csv.gz")
RTOL = 1e-6


def design(weights: str = "weight", data: pd.DataFrame = SURVEY) -> SurveyDesign:
    return SurveyDesign(data, weights=weights, strata="stratum", psu="mahalla")


PERSONS, HOUSEHOLDS = design(), design("hh_weight")


def check(table: pd.DataFrame, case: dict, scale: float) -> None:
    for col in ("estimate", "se", "ci_low", "ci_high"):
        expected = np.atleast_1d(case[col]) * scale
        np.testing.assert_allclose(table[col].to_numpy(), expected, rtol=RTOL, err_msg=col)


@pytest.mark.reference
@pytest.mark.parametrize(
    ("crime", "d"), [("theft_personal", PERSONS), ("burglary", HOUSEHOLDS), ("sexual", PERSONS)]
)
def test_prevalence_matches_svyciprop_logit(crime, d):
    table = vic.prevalence(d, f"n12_{crime}")
    check(table, CASES[f"prevalence {crime}"], 100)
    assert table["unit"].item() == "per 100" and table["variable"].item() == f"n12_{crime}"
    assert table["n"].item() == len(SURVEY)


@pytest.mark.reference
def test_prevalence_by_domain_matches_svyby():
    table = vic.prevalence(PERSONS, "n12_theft_personal", by="sex")
    assert table["sex"].tolist() == ["female", "male"]
    check(table, CASES["prevalence theft_personal by sex"], 100)


@pytest.mark.reference
@pytest.mark.parametrize(
    ("column", "cap", "case"),
    [
        ("n12_assault_threat", None, "incidence assault_threat cap none"),
        ("n12_assault_threat", 10, "incidence assault_threat cap 10"),
        ("n12_bribery_request", "p98", "incidence bribery_request cap p98"),
    ],
)
def test_incidence_matches_svyratio(column, cap, case):
    table = vic.incidence(PERSONS, column, cap=cap)
    check(table, CASES[case], 1000)
    assert table["unit"].item() == "per 1,000"
    if cap == "p98":
        assert table["cap"].item() == CASES[case]["cap"]


@pytest.mark.reference
def test_concentration_matches_svyratio_count_over_victims():
    table = vic.concentration(PERSONS, "n12_theft_personal")
    check(table, CASES["concentration theft_personal"], 1)
    assert table["n"].item() == int((SURVEY["n12_theft_personal"] >= 1).sum())


@pytest.mark.reference
def test_reporting_rate_matches_svyciprop_in_victims_domain():
    table = vic.reporting_rate(PERSONS, victim="n12_theft_personal", reported="rep_theft_personal")
    check(table, CASES["reporting theft_personal"], 100)
    assert table["unit"].item() == "per 100 victims"


@pytest.mark.identity
@pytest.mark.parametrize("cap", [None, 3, "p98"])
def test_incidence_is_prevalence_times_concentration(cap):
    cols = ["n12_theft_personal", "n12_assault_threat", "n12_fraud"]
    inc = vic.incidence(PERSONS, cols, cap=cap, by="sex")
    prev = vic.prevalence(PERSONS, cols, by="sex")
    conc = vic.concentration(PERSONS, cols, cap=cap, by="sex")
    np.testing.assert_allclose(
        inc["estimate"], prev["estimate"] / 100 * conc["estimate"] * 1000, rtol=1e-12
    )


@pytest.mark.identity
def test_cap_changes_incidence_but_never_prevalence():
    col = "n12_bribery_request"
    assert vic.incidence(PERSONS, col, cap=1)["estimate"].item() == pytest.approx(
        vic.prevalence(PERSONS, col)["estimate"].item() * 10
    )
    assert (
        vic.incidence(PERSONS, col, cap=3)["estimate"].item()
        < vic.incidence(PERSONS, col)["estimate"].item()
    )


@pytest.mark.identity
def test_reporting_rate_by_domain_equals_subset_design():
    by = vic.reporting_rate(
        PERSONS, victim="n12_theft_personal", reported="rep_theft_personal", by="sex"
    )
    victims = SURVEY["n12_theft_personal"] >= 1
    for sex in ("female", "male"):
        sub = PERSONS.subset(victims & (SURVEY["sex"] == sex))
        one = vic.reporting_rate(sub, victim="n12_theft_personal", reported="rep_theft_personal")
        row = by[by["sex"] == sex]
        for col in ("estimate", "se", "ci_low", "ci_high"):
            assert row[col].item() == pytest.approx(one[col].item(), rel=1e-12)


@pytest.mark.reference
def test_p98_cap_hand_calculation():
    # victims' counts 1, 1, 2, 50 with weights 40, 40, 19, 1: cumulative shares .40, .80, .99, 1
    data = pd.DataFrame({"n": [0, 1, 1, 2, 50], "w": [10.0, 40, 40, 19, 1]})
    assert vic.series_cap(SurveyDesign(data, weights="w"), "n", "p98") == 2
    assert vic.series_cap(SurveyDesign(data, weights="w"), "n", None) == np.inf


def test_no_victims_gives_zero_prevalence():
    data = SURVEY.assign(n_none=0)
    table = vic.prevalence(design(data=data), "n_none")
    assert table["estimate"].item() == 0 and table["se"].item() == 0


def test_catalogue_and_standard_columns():
    assert set(vic.CRIME_TYPES) == {c.removeprefix("n12_") for c in SURVEY if c.startswith("n12_")}
    assert vic.CRIME_TYPES["burglary"].unit == "household"
    assert vic.CRIME_TYPES["robbery"].iccs == "0401"
    assert vic.count_column("fraud", 60) == "n5y_fraud"
    assert vic.count_column("fraud", 36) == "n3y_fraud"  # every recall period of the schema
    with pytest.raises(ValueError, match="24 months"):
        vic.count_column("fraud", 24)
    with pytest.raises(ValueError, match="unknown crime type 'arson'"):
        vic.count_column("arson")


@pytest.mark.parametrize(
    ("values", "message"),
    [([0, 1, -1], "non-negative whole numbers"), ([0, 1.5, 2], "non-negative whole numbers")],
)
def test_bad_counts_name_the_column(values, message):
    data = pd.DataFrame({"n": values, "w": 1.0})
    with pytest.raises(ValueError, match=f"'n'.*{message}"):
        vic.prevalence(SurveyDesign(data, weights="w"), "n")


def test_bad_reported_values_and_unknown_columns():
    data = pd.DataFrame({"n": [1, 1, 0], "r": [1, 2, np.nan], "w": 1.0})
    d = SurveyDesign(data, weights="w")
    with pytest.raises(ValueError, match="'r' must be 0 or 1"):
        vic.reporting_rate(d, victim="n", reported="r")
    with pytest.raises(ValueError, match="'nope'"):
        vic.incidence(d, "nope")
    with pytest.raises(ValueError, match="cap"):
        vic.incidence(d, "n", cap=0)


# --- NCVS 2021: published property victimization through the victimization API -------------

NCVS = json.loads((ROOT / "tests" / "results" / "ncvs_property.json").read_text())
NCVS_CASES = {c["id"]: c for c in NCVS["cases"]}


def _ncvs_households() -> pd.DataFrame:
    """The NCVS extract with the victimization-to-household weight ratio made explicit."""
    hh = pd.read_csv(ROOT / "tests" / "data" / "ncvs2021_household.csv.gz")
    victimized = hh["property_count"] > 0
    hh["vr_ratio"] = (hh["property_vr_count"] / hh["property_count"]).where(victimized, 1.0)
    return hh


NCVS_HH = _ncvs_households()


def _ncvs_design(data: pd.DataFrame = NCVS_HH) -> SurveyDesign:
    return SurveyDesign(data, **NCVS["python_design"])


@pytest.mark.reference
def test_ncvs_property_rate_per_1000_households_matches_bjs_and_r():
    """90.3 property victimizations per 1,000 households, SE 1.95: the 2021 figure quoted in
    issue 4 from BJS and the literature (we could not consult the original tables; see
    tests/README.md); R: tests/results/ncvs_property.R."""
    t = vic.incidence(_ncvs_design(), "property_count", weight_ratio="vr_ratio")
    assert round(t["estimate"].item(), 1) == 90.3 and round(t["se"].item(), 2) == 1.95
    check(t, NCVS_CASES["property_vr_count_mean"], 1)
    assert t["unit"].item() == "per 1,000"


@pytest.mark.reference
def test_ncvs_property_prevalence_matches_bjs_6_25_percent():
    t = vic.prevalence(_ncvs_design(), "property_any")
    assert round(t["estimate"].item(), 2) == 6.25
    ref = NCVS_CASES["property_any_mean"]  # R's svymean (its interval is Wald; ours is logit)
    want = [100 * ref["estimate"], 100 * ref["se"]]
    np.testing.assert_allclose(t[["estimate", "se"]].iloc[0], want, rtol=RTOL)


@pytest.mark.reference
def test_ncvs_property_rates_for_owned_and_rented_homes_match_r():
    t = vic.incidence(_ncvs_design(), "property_count", weight_ratio="vr_ratio", by="tenure")
    assert t["tenure"].tolist() == [1, 2]
    check(t.iloc[[0]], NCVS_CASES["property_vr_count_tenure1"], 1)
    check(t.iloc[[1]], NCVS_CASES["property_vr_count_tenure2"], 1)


@pytest.mark.identity
def test_ncvs_households_with_zero_weight_change_nothing():
    extra = NCVS_HH.sample(500, random_state=1).assign(weight=0.0, property_count=3,
                                                       property_any=1, vr_ratio=1.5)  # fmt: skip
    padded = pd.concat([NCVS_HH, extra], ignore_index=True)
    for fn, args in [
        (vic.incidence, {"counts": "property_count", "weight_ratio": "vr_ratio", "by": "tenure"}),
        (vic.prevalence, {"counts": "property_any", "by": "tenure"}),
        (vic.concentration, {"counts": "property_count", "cap": "p98"}),
    ]:
        base, more = fn(_ncvs_design(), **args), fn(_ncvs_design(padded), **args)
        for col in ("estimate", "se", "ci_low", "ci_high"):
            np.testing.assert_allclose(
                more[col], base[col], rtol=1e-10, err_msg=f"{fn.__name__} {col}"
            )


@pytest.mark.regression
def test_weight_ratio_must_be_positive_for_victims():
    bad = NCVS_HH.head(2000).copy()
    victim = bad.index[bad["property_count"] > 0][0]
    bad.loc[victim, "vr_ratio"] = 0
    with pytest.raises(ValueError, match="'vr_ratio' must be positive where 'property_count'"):
        vic.incidence(
            SurveyDesign(bad, weights="weight"), "property_count", weight_ratio="vr_ratio"
        )
    with pytest.raises(ValueError, match="weight_ratio column 'nope'"):
        vic.incidence(SurveyDesign(bad, weights="weight"), "property_count", weight_ratio="nope")


@pytest.mark.identity
@pytest.mark.parametrize("crime", ["theft_personal", "assault_threat", "bribery_request"])
def test_a_cap_at_or_above_the_largest_count_changes_nothing(crime):
    col = f"n12_{crime}"
    top = int(SURVEY[col].max())
    uncapped = vic.incidence(PERSONS, col, by="sex")
    for cap in (top, top + 1, 10 * top):
        capped = vic.incidence(PERSONS, col, cap=cap, by="sex")
        cols = ["estimate", "se", "ci_low", "ci_high", "n"]
        pd.testing.assert_frame_equal(capped[cols], uncapped[cols])
        conc = vic.concentration(PERSONS, col, cap=cap)
        pd.testing.assert_frame_equal(conc[cols], vic.concentration(PERSONS, col)[cols])
    assert vic.incidence(PERSONS, col, cap=top - 1)["estimate"].item() < (
        vic.incidence(PERSONS, col)["estimate"].item()
    )
