"""Tests of multistage designs (``psu=[...]``, ``fpc=[...]``) and PPS (``pps="brewer"``).

Where the numbers come from (see tests/README.md):

- *reference*: R's ``survey`` package, ``tests/results/survey_multistage.R`` →
  ``survey_multistage.json``: apiclus2 with both stages, the synthetic demo survey as a
  stratified two-stage SRS design and as its real design (PPS mahallas, Brewer), survey's
  ``election_pps`` example, a generated three-stage design, lonely units at stages 1, 2
  and 3 under every rule, and two calibrated multistage designs. ``rtol=1e-6``.
- *identity*: without fpc a multistage design equals its first stage; a one-element list
  equals the plain column; fpc as counts equals fpc as fractions; Brewer with equal
  probabilities within strata equals SRS without replacement; by= equals subset(); the
  variance does not depend on the row order (R's does under PPS, see the R script);
  several score columns equal separate calls; replicate designs use the first stage.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sga_methods.design import SurveyDesign, SurveyDesignError
from sga_methods.variance import taylor_variance

from ._reference import assert_fields, data_csv, load, match_row, run_case

REF = load("survey_multistage.json")


@cache
def _design(name: str) -> SurveyDesign:
    spec = REF["designs"][name]
    design = SurveyDesign(data_csv(spec["csv"]), **spec["python"])
    weighting = spec.get("weighting")
    if weighting is None:
        return design
    if weighting["method"] == "rake":
        return design.rake(weighting["margins"])
    return design.poststratify(weighting["columns"], weighting["totals"])


# ---------------------------------------------------------------------------- reference
@pytest.mark.reference
@pytest.mark.parametrize("case", REF["cases"], ids=[c["id"] for c in REF["cases"]])
def test_agrees_with_r_survey(case: dict[str, Any]) -> None:
    """Estimate, SE, CI, deff and n agree with R for every case of survey_multistage.R."""
    out = run_case(_design(case["python"]["design"]), case["python"])
    assert len(out) == len(case["rows"])
    for row in case["rows"]:
        got = match_row(out, row)
        assert_fields(got, row)  # R's NA (lonely "average" at a later stage, 0 df): NaN here
        assert got["n"] == row["n"]


@pytest.mark.reference
@pytest.mark.parametrize("name", sorted(REF["designs"]))
def test_degrees_of_freedom_are_first_stage_psus_minus_strata(name: str) -> None:
    assert _design(name).degrees_of_freedom == REF["designs"][name]["degf"]


@pytest.mark.reference
@pytest.mark.parametrize("case", REF["errors"], ids=[c["id"] for c in REF["errors"]])
def test_lonely_fail_raises_where_r_stops(case: dict[str, Any]) -> None:
    """R: "Stratum (1.200) has only one PSU at stage 2" / "Stratum (6) ... at stage 1"."""
    stage = case["error"].split("at stage ")[1]
    message = (
        r"single PSU \(6\).*lonely_psu='fail'"
        if stage == "1"
        else rf"single stage-{stage} unit.*'dnum' values 200\).*lonely_psu='fail'"
    )
    with pytest.raises(SurveyDesignError, match=message):
        SurveyDesign(data_csv(case["csv"]), **case["python"])


# ---------------------------------------------------------------------------- identity
def _clus2(**kwargs: Any) -> SurveyDesign:
    return SurveyDesign(data_csv("apiclus2.csv"), weights="pw", **kwargs)


def _same(a: pd.DataFrame, b: pd.DataFrame, rtol: float = 1e-12) -> None:
    for field in ("estimate", "se", "ci_low", "ci_high"):
        np.testing.assert_allclose(a[field], b[field], rtol=rtol, err_msg=field)


@pytest.mark.identity
def test_without_fpc_only_the_first_stage_counts() -> None:
    two = _clus2(psu=["dnum", "snum"])
    one = _clus2(psu="dnum")
    assert two.n_stages == 1
    _same(two.mean("api00", by="stype"), one.mean("api00", by="stype"), rtol=0)


@pytest.mark.identity
def test_a_one_element_list_is_the_column() -> None:
    listed = _clus2(psu=["dnum"], fpc=["fpc1"])
    plain = _clus2(psu="dnum", fpc="fpc1")
    _same(listed.total("enroll"), plain.total("enroll"), rtol=0)
    assert listed.design_columns["psu"] == ["dnum"] and plain.design_columns["psu"] == "dnum"


@pytest.mark.identity
def test_fpc_as_counts_equals_fpc_as_fractions_at_every_stage() -> None:
    data = data_csv("apiclus2.csv").copy()
    data["f1"] = 40 / data["fpc1"]
    data["f2"] = data.groupby("dnum")["snum"].transform("size") / data["fpc2"]
    counts = SurveyDesign(data, weights="pw", psu=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    fractions = SurveyDesign(data, weights="pw", psu=["dnum", "snum"], fpc=["f1", "f2"])
    mixed = SurveyDesign(data, weights="pw", psu=["dnum", "snum"], fpc=["fpc1", "f2"])
    for other in (fractions, mixed):
        _same(counts.mean("api00", by="stype"), other.mean("api00", by="stype"))


@pytest.mark.identity
def test_brewer_with_equal_probabilities_in_strata_is_srs_without_replacement() -> None:
    data = data_csv("demo_multistage.csv").copy()
    n_h = data.groupby("stratum")["mahalla"].transform("nunique")
    data["psu_frac"] = n_h / data["psu_count_stratum"]
    srs = SurveyDesign(
        data,
        weights="weight",
        strata="stratum",
        psu=["mahalla", "hh_id"],
        fpc=["psu_frac", "hh_prob"],
    )
    pps = SurveyDesign(
        data,
        weights="weight",
        strata="stratum",
        psu=["mahalla", "hh_id"],
        fpc=["psu_frac", "hh_prob"],
        pps="brewer",
    )
    _same(srs.mean("trust_police", by="sex"), pps.mean("trust_police", by="sex"))


@pytest.mark.identity
@pytest.mark.parametrize("name", ["pps2", "strat2", "pps2_rake", "clus2", "three_pps"])
def test_by_equals_subset(name: str) -> None:
    design = _design(name)
    column, value = {"clus2": ("stype", "H"), "three_pps": ("g", "b")}.get(name, ("sex", "male"))
    variable = {"clus2": "api00", "three_pps": "y"}.get(name, "theft")
    by = design.mean(variable, by=column)
    sub = design.subset(design.data[column] == value).mean(variable)
    _same(by[by[column] == value].reset_index(drop=True), sub)


@pytest.mark.identity
def test_brewer_variance_does_not_depend_on_row_order() -> None:
    """R pairs PSUs with other PSUs' probabilities unless the rows are sorted (R script)."""
    spec = REF["designs"]["pps2"]
    data = data_csv(spec["csv"])
    shuffled = data.sample(frac=1.0, random_state=1).reset_index(drop=True)
    a = SurveyDesign(data, **spec["python"]).mean("theft", by="sex")
    b = SurveyDesign(shuffled, **spec["python"]).mean("theft", by="sex")
    _same(a, b, rtol=1e-10)


@pytest.mark.identity
def test_several_score_columns_equal_separate_variances() -> None:
    structure = _design("three_pps")._structure
    rng = np.random.default_rng(3)
    scores = rng.standard_normal((structure.psu.size, 3))
    both = taylor_variance(scores, structure)
    for j in range(3):
        np.testing.assert_allclose(both[0, j], taylor_variance(scores[:, j], structure)[0])


@pytest.mark.identity
def test_to_replicate_uses_the_first_stage() -> None:
    two = _clus2(psu=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    one = _clus2(psu="dnum", fpc="fpc1")
    with pytest.warns(UserWarning, match="first-stage PSUs only"):
        rep_two = two.to_replicate("jk1")
    _same(rep_two.mean("api00"), one.to_replicate("jk1").mean("api00"), rtol=0)


def test_to_replicate_refuses_varying_probabilities() -> None:
    with pytest.raises(SurveyDesignError, match=r"pps='brewer'.*differ between the PSUs"):
        _design("pps2").to_replicate("jkn")


def test_design_properties() -> None:
    design = _design("pps2")
    assert design.n_stages == 2 and design.pps == "brewer"
    assert design.design_columns["fpc"] == ["psu_prob", "hh_prob"]
    population = design.fpc_population
    assert population is not None
    data = design.data
    n_h = data.groupby("stratum")["mahalla"].transform("nunique").to_numpy()
    np.testing.assert_allclose(population, n_h / data["psu_prob"].to_numpy())
    with pytest.raises(SurveyDesignError, match=r"'hh_id' passed to SurveyDesign\.assign"):
        design.assign(hh_id=1)
    assert "psu=['mahalla', 'hh_id']" in repr(design)


# ---------------------------------------------------------------------------- bad input
def _toy(**changes: Any) -> pd.DataFrame:
    data = pd.DataFrame(
        {
            "y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
            "h": ["a"] * 4 + ["b"] * 4,
            "c": [1, 1, 2, 2, 3, 3, 4, 4],
            "k": [1, 2, 1, 2, 1, 2, 1, 2],
            "p1": [0.5, 0.5, 0.4, 0.4, 0.6, 0.6, 0.3, 0.3],
            "p2": [0.2] * 8,
            "n2": [10.0] * 8,
        }
    )
    return data.assign(**changes)


BAD = [
    (
        {"psu": ["c", "k"], "fpc": ["p1"]},
        {},
        r"'fpc' parameter .* names 1 column\(s\) but 'psu' has 2",
    ),
    ({"psu": "c", "fpc": ["p1", "p2"]}, {}, r"names 2 column\(s\) but 'psu' has 1 stage"),
    ({"psu": ["c", "k"], "pps": "brewer"}, {}, r"pps='brewer' needs 'fpc'"),
    ({"psu": "c", "fpc": "p1", "pps": "overton"}, {}, r"'pps' parameter .* one of 'brewer'"),
    ({"psu": [], "fpc": "p1"}, {}, r"'psu' parameter .* non-empty list"),
    (
        {"psu": ["c", "k"], "fpc": ["p1", "p2"], "pps": "brewer"},
        {"p1": [0.5, 0.5, 0.4, 0.4, 0.6, 1.5, 0.3, 0.3]},
        r"'p1' .* values outside \(0, 1\] \(row 5\)",
    ),
    (
        {"psu": ["c", "k"], "fpc": ["p1", "p2"], "pps": "brewer"},
        {"p2": [0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.0, 0.2]},
        r"'p2' .* values outside \(0, 1\] \(row 6\)",
    ),
    (
        {"psu": ["c", "k"], "fpc": ["p1", "p2"], "pps": "brewer"},
        {"p1": [0.5, 0.6, 0.4, 0.4, 0.6, 0.6, 0.3, 0.3]},
        r"'p1' of SurveyDesign varies within PSU 1 \(values 0.5, 0.6\)",
    ),
    (
        {"strata": "h", "psu": ["c", "k"], "fpc": ["p1", "p2"]},
        {},
        r"'p1' of SurveyDesign varies within stratum 'a' \(values 0.5, 0.4\)",
    ),
    (
        {"strata": "h", "psu": ["c", "k"], "fpc": ["p2", "n2"]},
        {"n2": [10.0, 11.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0]},
        r"'n2' of SurveyDesign varies within PSU 1 \(values 10.0, 11.0\)",
    ),
    (
        {"strata": "h", "psu": ["c", "k"], "fpc": ["p2", "n2"]},
        {"n2": [10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 1.0, 1.0]},
        r"'n2' of SurveyDesign is smaller than the number of sampled units in PSUs 4",
    ),
    ({"psu": ["c", "kk"]}, {}, r"The 'psu' column 'kk' of SurveyDesign is not in the data"),
    (
        {"psu": ["c", "k"]},
        {"k": [1, 2, 1, None, 1, 2, 1, 2]},
        r"The 'psu' column 'k' .* missing values \(row 3\)",
    ),
]


@pytest.mark.parametrize(("kwargs", "changes", "message"), BAD)
def test_bad_multistage_input_raises_clear_message(
    kwargs: dict[str, Any], changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(SurveyDesignError, match=message):
        SurveyDesign(_toy(**changes), **kwargs)
