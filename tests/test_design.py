"""Tests of SurveyDesign and its Taylor-linearization estimators.

Where the numbers come from (see tests/README.md):

- *reference*: R's ``survey`` package, computed by ``tests/results/survey_api.R`` (the ``api``
  data, exported to ``tests/results/api*.csv``) and ``tests/results/ncvs_property.R`` (NCVS
  2021 households, ``tests/data/ncvs2021_household.csv.gz``); the JSON files beside the
  scripts hold each R call and its numbers. Compared with ``rtol=1e-6``. One published
  figure (BJS: 6.25% of households had a property victimization in 2021) is checked at the
  precision BJS published it.
- *identity*: two routes to the same number (by= vs subset, proportion of a 0/1 vs mean,
  ratio to ones vs mean, fpc as count vs fraction, ...).
- *regression*: behaviour at edges that R does not define, pinned as our own choice.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sga_methods.design import SurveyDesign, SurveyDesignError
from sga_methods.intervals import proportion_interval

from ._reference import STATS, assert_fields, data_csv, load, match_row

DATA = Path(__file__).resolve().parent / "data"
API = load("survey_api.json")
NCVS = load("ncvs_property.json")


@cache
def _design(name: str) -> SurveyDesign:
    spec = API["designs"][name]
    return SurveyDesign(data_csv(spec["csv"]), **spec["python"])


@cache
def _ncvs() -> pd.DataFrame:
    return pd.read_csv(DATA / "ncvs2021_household.csv.gz")


# ---------------------------------------------------------------------------- reference
@pytest.mark.reference
@pytest.mark.parametrize("case", API["cases"], ids=[c["id"] for c in API["cases"]])
def test_agrees_with_r_survey(case: dict[str, Any]) -> None:
    """Estimate, SE, CI, deff and n agree with R's survey for every case of survey_api.R."""
    spec = case["python"]
    design = _design(spec["design"])
    if spec["subset"] is not None:
        column, value = spec["subset"]["column"], spec["subset"]["equals"]
        design = design.subset(design.data[column].astype(str) == value)
    out = getattr(design, spec["method"])(*spec["args"], **spec["kwargs"])
    assert len(out) == len(case["rows"])
    for row in case["rows"]:
        got = match_row(out, row)
        assert_fields(got, row, STATS)
        assert got["n"] == row["n"]


@pytest.mark.reference
@pytest.mark.parametrize("name", sorted(API["designs"]))
def test_degrees_of_freedom_agree_with_r_degf(name: str) -> None:
    assert _design(name).degrees_of_freedom == API["designs"][name]["degf"]


@pytest.mark.reference
@pytest.mark.parametrize("case", API["errors"], ids=[c["id"] for c in API["errors"]])
def test_lonely_psu_fail_names_the_strata(case: dict[str, Any]) -> None:
    """R stops with "Stratum (H) has only one PSU"; we raise naming the same stratum."""
    stratum = case["error"].split("(")[1].split(")")[0]
    with pytest.raises(SurveyDesignError, match=f"single PSU.*'{stratum}'.*lonely_psu='fail'"):
        SurveyDesign(data_csv(case["csv"]), **case["python"])


@pytest.mark.reference
@pytest.mark.parametrize("case", NCVS["cases"], ids=[c["id"] for c in NCVS["cases"]])
def test_ncvs_property_victimization_agrees_with_r(case: dict[str, Any]) -> None:
    design = SurveyDesign(_ncvs(), **NCVS["python_design"])
    assert design.degrees_of_freedom == NCVS["degf"]
    spec = case["python"]
    out = design.mean(*spec["args"], by=spec.get("by"))
    got = match_row(out, case)
    scaled = got[["estimate", "se", "ci_low", "ci_high"]] * spec["scale"]
    assert_fields(scaled, case, ("estimate", "se", "ci_low", "ci_high"))


@pytest.mark.reference
def test_ncvs_property_prevalence_matches_bjs_published_figure() -> None:
    """BJS, Criminal Victimization 2021 (NCJ 305101), press release of 20 Sept 2022: "about
    6.25% (8.1 million) of households ... experienced one or more property victimizations"."""
    design = SurveyDesign(_ncvs(), **NCVS["python_design"])
    assert round(100 * float(design.mean("property_any")["estimate"].iloc[0]), 2) == 6.25


# ---------------------------------------------------------------------------- identity
@pytest.mark.identity
@pytest.mark.parametrize(
    "name",
    [
        "dstrat",
        "dclus1",
        "dstratclus",
        "dlonely_clus_average",
        "dlonely_clus_adjust",
        "dlonely_strat_average",
    ],
)
def test_by_equals_subset(name: str) -> None:
    """A domain estimated with by= equals the same domain as a subset design (SE, CI, df)."""
    design = _design(name)
    by = design.mean("api00", by="stype", deff=True)
    for _, row in by.iterrows():
        sub = design.subset(design.data["stype"] == row["stype"])
        got = sub.mean("api00", deff=True).iloc[0]
        np.testing.assert_allclose(
            got[list(STATS)].to_numpy(float), row[list(STATS)].to_numpy(float), rtol=1e-12
        )
        assert got["n"] == row["n"]


@pytest.mark.identity
def test_proportion_of_indicator_equals_mean() -> None:
    design = _design("dclus1")
    data = design.data
    indicator = SurveyDesign(
        data.assign(yes=(data["sch.wide"] == "Yes").astype(float)),
        weights="pw",
        psu="dnum",
        fpc="fpc",
    )
    prop = design.proportion("sch.wide", by="stype", ci_method="wald", deff=True)
    mean = indicator.mean("yes", by="stype", deff=True)
    yes = prop[prop["level"] == "Yes"].reset_index(drop=True)
    cols = ["estimate", "se", "ci_low", "ci_high", "deff", "n"]
    pd.testing.assert_frame_equal(yes[cols], mean[cols], rtol=1e-12)


@pytest.mark.identity
def test_ratio_to_ones_equals_mean() -> None:
    design = _design("dstratclus")
    ones = SurveyDesign(
        design.data.assign(one=1.0), weights="pw", strata="stype", psu="dnum", nest=True
    )
    ratio = ones.ratio("api00", "one", by="awards", deff=True)
    mean = ones.mean("api00", by="awards", deff=True)
    pd.testing.assert_frame_equal(ratio, mean, rtol=1e-12)


@pytest.mark.identity
def test_fpc_as_count_equals_fpc_as_fraction() -> None:
    a = _design("dsrs").total("enroll", deff=True)
    b = _design("dsrs_frac").total("enroll", deff=True)
    pd.testing.assert_frame_equal(a, b, rtol=1e-12)


@pytest.mark.identity
def test_several_variables_equal_separate_calls_and_proportions_sum_to_one() -> None:
    design = _design("dstrat")
    both = design.mean(["api00", "api99"], by="stype")
    for name in ("api00", "api99"):
        alone = design.mean(name, by="stype")
        part = both[both["variable"] == name].drop(columns="variable").reset_index(drop=True)
        pd.testing.assert_frame_equal(part, alone)
    props = design.proportion("awards", by="stype")
    np.testing.assert_allclose(props.groupby("stype")["estimate"].sum(), 1.0)


@pytest.mark.identity
def test_nest_true_with_unique_labels_equals_nest_false_and_subset_keeps_rows() -> None:
    a = SurveyDesign(data_csv("apiclus1.csv"), weights="pw", psu="dnum", strata="stype", nest=True)
    data = data_csv("apiclus1.csv").assign(psu=lambda d: d["stype"] + "-" + d["dnum"].astype(str))
    b = SurveyDesign(data, weights="pw", psu="psu", strata="stype")
    pd.testing.assert_frame_equal(a.mean("api00"), b.mean("api00"))
    sub = a.subset(a.data["stype"] == "E").subset(a.data["sch.wide"] == "Yes")
    expected = int(((data["stype"] == "E") & (data["sch.wide"] == "Yes")).sum())
    assert len(sub.data) == len(data) and int((sub.weights > 0).sum()) == expected
    assert sub.mean("api00")["n"].iloc[0] == expected


@pytest.mark.identity
def test_missing_values_form_a_domain() -> None:
    """na.rm: estimates and SEs equal those of the complete-case subset design.

    The CIs differ on purpose: as in R (``confint(svymean(~y, d, na.rm = TRUE), df =
    degf(d))``) the degrees of freedom are those of the design, not of its complete cases.
    """
    design = _design("dstrat")
    observed = design.data["api00_na"].notna()
    a = design.mean("api00_na", by="stype", deff=True)
    b = design.subset(observed).mean("api00_na", by="stype", deff=True)
    cols = ["stype", "estimate", "se", "n", "cv", "deff"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    assert (a["ci_high"] - a["ci_low"] < b["ci_high"] - b["ci_low"]).all()


@pytest.mark.identity
def test_assign_adds_analysis_columns_to_the_same_design() -> None:
    design = _design("dstrat").subset(data_csv("apistrat.csv")["stype"] != "H")
    scaled = design.assign(api_k=lambda df: df["api00"] / 1000).mean("api_k", by="stype")
    plain = design.mean("api00", by="stype")
    for col in ("estimate", "se", "ci_low", "ci_high"):
        np.testing.assert_allclose(scaled[col] * 1000, plain[col], rtol=1e-12)
    with pytest.raises(SurveyDesignError, match=r"The columns 'pw' passed to SurveyDesign"):
        design.assign(pw=1.0)


# ---------------------------------------------------------------------------- regression
@pytest.mark.regression
def test_result_shape_and_columns() -> None:
    design = _design("dclus1")
    assert list(design.mean("api00").columns) == ["estimate", "se", "ci_low", "ci_high", "n", "cv"]
    assert list(design.mean(["api00"], by=["stype", "sch.wide"], deff=True).columns) == [
        "variable",
        "stype",
        "sch.wide",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "n",
        "cv",
        "deff",
    ]
    prop = design.proportion("sch.wide", by="stype")
    assert list(prop.columns[:3]) == ["stype", "level", "estimate"]
    assert prop["stype"].tolist() == ["E", "E", "H", "H", "M", "M"]
    assert design.weights.name == "pw" and len(design.weights) == len(design.data)


@pytest.mark.regression
def test_degenerate_proportions_give_nan_intervals() -> None:
    """p = 0 or 1 has SE 0: logit, beta and wilson are undefined (R's beta gives NaN too)."""
    for method in ("logit", "beta", "wilson"):
        low, high = proportion_interval(
            [0.0, 1.0], [0.0, 0.0], method=method, df=10, n_rows=[20, 20]
        )
        assert np.isnan(low).all() and np.isnan(high).all()
    low, high = proportion_interval([0.0], [0.0], method="wald", df=10)
    assert low[0] == 0.0 and high[0] == 0.0


# ---------------------------------------------------------------------------- bad input
def _toy(**changes: Any) -> pd.DataFrame:
    data = pd.DataFrame(
        {
            "y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "w": [1.0, 2.0, 1.0, 2.0, 1.0, 2.0],
            "h": ["a", "a", "a", "b", "b", "b"],
            "c": [1, 2, 2, 3, 4, 4],
            "f": [10.0, 10.0, 10.0, 20.0, 20.0, 20.0],
            "g": list("xyxyxy"),
        }
    )
    return data.assign(**changes)


BAD_DESIGNS = [
    ({"weights": "pwt"}, {}, r"The 'weights' column 'pwt' of SurveyDesign is not in the data"),
    ({"strata": "stype"}, {}, r"The 'strata' column 'stype' .* not in the data"),
    (
        {"weights": "w"},
        {"w": [1.0, -2.0, 1.0, 2.0, -1.0, 2.0]},
        r"The 'weights' column 'w' of SurveyDesign contains negative values \(rows 1, 4\)\. "
        r"Expected finite non-negative weights\.",
    ),
    (
        {"weights": "w"},
        {"w": [1.0, np.nan, 1.0, np.inf, 1.0, 2.0]},
        r"'w' of SurveyDesign contains non-finite values \(rows 1, 3\)",
    ),
    ({"weights": "w"}, {"w": [0.0] * 6}, r"'w' of SurveyDesign is zero in every row"),
    ({"weights": "g"}, {}, r"The 'weights' column 'g' of SurveyDesign must be numeric"),
    (
        {"strata": "h"},
        {"h": ["a", None, "a", "b", "b", "b"]},
        r"The 'strata' column 'h' of SurveyDesign contains missing values \(row 1\)",
    ),
    (
        {"strata": "h", "psu": "c"},
        {"c": [1, 2, np.nan, 3, 4, 4]},
        r"The 'psu' column 'c' .* missing values \(row 2\)",
    ),
    (
        {"strata": "h", "psu": "c", "fpc": "f"},
        {"f": [10.0, 10.0, np.nan, 20, 20, 20]},
        r"The 'fpc' column 'f' .* missing values \(row 2\)",
    ),
    (
        {"strata": "h", "psu": "c"},
        {"c": [1, 2, 2, 2, 4, 4]},
        r"has PSU 2 in more than one stratum \('a', 'b'\) with nest=False",
    ),
    (
        {"strata": "h", "psu": "c", "fpc": "f"},
        {"f": [10.0, 10.0, 11.0, 20, 20, 20]},
        r"The 'fpc' column 'f' of SurveyDesign varies within stratum 'a' \(values 10\.0, 11\.0\)",
    ),
    (
        {"strata": "h", "psu": "c", "fpc": "f"},
        {"f": [1.0, 1.0, 1.0, 20, 20, 20]},
        r"smaller than the number of sampled PSUs in strata 'a'",
    ),
    (
        {"strata": "h", "psu": "c", "fpc": "f"},
        {"f": [0.5, 0.5, 0.5, 20, 20, 20]},
        r"'f' of SurveyDesign has invalid values \(rows 0, 1, 2\)\. Expected either population",
    ),
    (
        {"strata": "h", "psu": "c", "fpc": "f"},
        {"f": [0.5, 0.5, 0.5, 0, 0, 0]},
        r"has invalid values \(rows 3, 4, 5\)",
    ),
    (
        {"strata": "h", "psu": "c"},
        {"c": [1, 1, 1, 3, 4, 4]},
        r"strata with a single PSU \('a'\) and lonely_psu='fail'",
    ),
    (
        {"lonely_psu": "drop"},
        {},
        r"The 'lonely_psu' parameter of SurveyDesign must be one of 'fail', 'remove', "
        r"'certainty', 'adjust', 'average'\. Got 'drop' instead\.",
    ),
    ({"nest": "yes"}, {}, r"The 'nest' parameter of SurveyDesign must be a bool"),
]


@pytest.mark.parametrize(("kwargs", "changes", "message"), BAD_DESIGNS)
def test_bad_design_input_raises_clear_message(kwargs: dict, changes: dict, message: str) -> None:
    with pytest.raises(SurveyDesignError, match=message):
        SurveyDesign(_toy(**changes), **kwargs)


def test_bad_data_raises() -> None:
    with pytest.raises(SurveyDesignError, match="must be a non-empty pandas DataFrame"):
        SurveyDesign([[1, 2]])  # type: ignore[arg-type]
    assert issubclass(SurveyDesignError, ValueError)


BAD_CALLS = [
    ("mean", ("z",), {}, r"The 'analysed' column 'z' of SurveyDesign.mean is not in the data"),
    (
        "mean",
        ("g",),
        {},
        r"'g' of SurveyDesign.mean must be numeric or boolean\. Got dtype "
        r".* instead; use SurveyDesign.proportion for categories\.",
    ),
    (
        "mean",
        ("y",),
        {"ci_level": 1.5},
        r"The 'ci_level' parameter of SurveyDesign.mean must be a float in \(0, 1\)\. "
        r"Got 1.5 instead\.",
    ),
    ("total", ("y",), {"ci_level": 0}, r"'ci_level' parameter of SurveyDesign.total"),
    ("mean", ("y",), {"ci_df": "large"}, r"The 'ci_df' parameter .* 'design', 'normal'"),
    ("mean", ("y",), {"by": "zz"}, r"The 'by' column 'zz' of SurveyDesign.mean"),
    ("mean", ([],), {}, r"The 'variables' parameter of SurveyDesign.mean must be a column"),
    ("ratio", ("y", "zz"), {}, r"The 'analysed' column 'zz' of SurveyDesign.ratio"),
    (
        "proportion",
        ("g",),
        {"ci_method": "exact"},
        r"The 'ci_method' parameter of SurveyDesign.proportion must be one of 'logit', 'wald', "
        r"'beta', 'wilson'\. Got 'exact' instead\.",
    ),
    ("proportion", ("zz",), {}, r"The 'analysed' column 'zz' of SurveyDesign.proportion"),
]


@pytest.mark.parametrize(("method", "args", "kwargs", "message"), BAD_CALLS)
def test_bad_estimator_arguments_raise(
    method: str, args: tuple, kwargs: dict, message: str
) -> None:
    design = SurveyDesign(_toy(), weights="w", strata="h", psu="c")
    with pytest.raises(SurveyDesignError, match=message):
        getattr(design, method)(*args, **kwargs)


@pytest.mark.parametrize(
    "mask",
    [[True, False], pd.Series([1, 0, 1, 0, 1, 0]), pd.Series([True, None, True, True, True, True])],
)
def test_bad_subset_mask_raises(mask: Any) -> None:
    with pytest.raises(SurveyDesignError, match=r"The 'mask' parameter of SurveyDesign.subset"):
        SurveyDesign(_toy()).subset(mask)
