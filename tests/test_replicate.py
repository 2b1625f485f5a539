"""Tests of ReplicateDesign and from_design (replicate-weight variance).

Where the numbers come from (see tests/README.md):

- *reference*: R's ``survey`` package, computed by ``tests/results/survey_replicate.R`` from
  the ``api`` data (``tests/results/api*.csv``) and from replicate weights exported by R
  (``apiclus1_repw.csv.gz``); ``survey_replicate.json`` holds each R call and its numbers, R's
  replicate weights, ``degf``, ``scale``, ``rscales`` and R's Hadamard matrices. Compared with
  ``rtol=1e-6``.
- *identity*: two routes to the same number (replicate vs Taylor variance of a total, by= vs
  subset, proportion of a 0/1 vs mean, exported weights read back, compressed vs not, ...).
- statistical properties of the seeded Rao-Wu bootstrap (which cannot reproduce R's random
  numbers), and error messages.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sga_methods.design import SurveyDesign, SurveyDesignError
from sga_methods.replicate import ReplicateDesign, from_design, hadamard

from ._reference import RTOL, STATS, data_csv, load, match_row, run_case

REF = load("survey_replicate.json")
SYMBOLS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _survey_design(csv: str, spec: dict[str, Any]) -> SurveyDesign:
    return SurveyDesign(data_csv(csv), **spec)


@cache
def _design(name: str, compress: bool = False) -> ReplicateDesign:
    spec = REF["designs"][name]
    py = spec["python"]
    if py["kind"] == "from_design":
        base = _survey_design(spec["csv"], py["design"])
        return from_design(base, py["method"], compress=compress, **(py["kwargs"] or {}))
    return ReplicateDesign(data_csv(spec["csv"]), **py["kwargs"])


def _multipliers(name: str) -> np.ndarray:
    encoded = REF["designs"][name]["multipliers"]
    values = np.array(encoded["values"], dtype=float)
    codes = np.array([[SYMBOLS.index(c) for c in row] for row in encoded["rows"]])
    return values[codes]


# ---------------------------------------------------------------------------- reference
@pytest.mark.reference
@pytest.mark.parametrize("case", REF["cases"], ids=[c["id"] for c in REF["cases"]])
def test_agrees_with_r_survey(case: dict[str, Any]) -> None:
    """Estimate, SE, CI, deff and n agree with R for every case of survey_replicate.R."""
    out = run_case(_design(case["python"]["design"]), case["python"])
    assert len(out) == len(case["rows"])
    for row in case["rows"]:
        got = match_row(out, row)
        for field in STATS:
            if field not in row:  # R gives no deff for svyratio on replicate designs
                continue
            if row[field] is None:  # R: NA / NaN (a t quantile with 0 degrees of freedom)
                assert np.isnan(got[field]), field
            elif row[field] == 0:  # R's replicates agree exactly; ours to rounding
                assert abs(got[field]) < 1e-12 * abs(row["estimate"]), field
            else:
                np.testing.assert_allclose(got[field], row[field], rtol=RTOL, atol=0, err_msg=field)
        assert got["n"] == row["n"]


@pytest.mark.reference
@pytest.mark.parametrize("name", sorted(REF["designs"]))
def test_design_constants_agree_with_r(name: str) -> None:
    """degf (qr rank of the replicate weights - 1), scale, rscales and R."""
    spec, design = REF["designs"][name], _design(name)
    assert design.degrees_of_freedom == spec["degf"]
    assert design.n_replicates == spec["n_replicates"]
    np.testing.assert_allclose(design.scale, spec["scale"], rtol=1e-14)
    np.testing.assert_allclose(design.rscales, spec["rscales"], rtol=1e-14)
    assert design.mse is spec["mse"]


@pytest.mark.reference
@pytest.mark.parametrize(
    "name", sorted(k for k, v in REF["designs"].items() if v["multipliers"] is not None)
)
@pytest.mark.parametrize("compress", [False, True])
def test_replicate_weights_equal_r(name: str, compress: bool) -> None:
    """JK1, JKn (fpc, lonely-PSU rules), BRR and Fay weights equal as.svrepdesign's."""
    design = _design(name, compress)
    expected = design.weights.to_numpy()[:, None] * _multipliers(name)
    np.testing.assert_allclose(design.replicate_weights.to_numpy(), expected, rtol=1e-14)


@pytest.mark.reference
@pytest.mark.parametrize(
    "case",
    [c for c in REF["cases"] if c["python"]["subset"] is not None],
    ids=[c["id"] for c in REF["cases"] if c["python"]["subset"] is not None],
)
def test_subset_degrees_of_freedom_agree_with_r(case: dict[str, Any]) -> None:
    design = _design(case["python"]["design"])
    column, value = case["python"]["subset"]["column"], case["python"]["subset"]["equals"]
    sub = design.subset(design.data[column].astype(str) == value)
    assert sub.degrees_of_freedom == case["rows"][0]["df"]


@pytest.mark.reference
@pytest.mark.parametrize("entry", REF["hadamard"], ids=[str(e["n"]) for e in REF["hadamard"]])
def test_hadamard_equals_r(entry: dict[str, Any]) -> None:
    """hadamard(n) is R's survey::hadamard(n), row for row (md5 of the 0/1 rows)."""
    h = hadamard(entry["n"])
    rows = ["".join(str(v) for v in r) for r in h]
    assert h.shape == (entry["size"], entry["size"])
    assert hashlib.md5(("\n".join(rows) + "\n").encode()).hexdigest() == entry["md5"]
    if entry["rows"] is not None:
        assert rows == entry["rows"]
    s = 2 * h.astype(int) - 1
    np.testing.assert_array_equal(s.T @ s, len(h) * np.eye(len(h), dtype=int))


# ---------------------------------------------------------------------------- identity
TAYLOR = {
    "jk1_clus1": ("apiclus1.csv", {"weights": "pw", "psu": "dnum", "fpc": "fpc"}),
    "jk1_clus1_nofpc": ("apiclus1.csv", {"weights": "pw", "psu": "dnum"}),
    "jkn_strat": ("apistrat.csv", {"weights": "pw", "strata": "stype", "fpc": "fpc"}),
    "jkn_stratclus": (
        "apistrat.csv",
        {"weights": "pw", "strata": "stype", "psu": "dnum", "nest": True},
    ),
    "brr": ("api_brr.csv", {"weights": "pw", "strata": "vstrat", "psu": "vpsu"}),
    "fay": ("api_brr.csv", {"weights": "pw", "strata": "vstrat", "psu": "vpsu"}),
}


@pytest.mark.identity
@pytest.mark.parametrize("name", sorted(TAYLOR))
@pytest.mark.parametrize("by", [None, "stype"])
def test_variance_of_a_total_equals_taylor(name: str, by: str | None) -> None:
    """For a total (linear), JK1/JKn (with fpc) and BRR/Fay (2 PSUs per stratum, no fpc)
    variances equal the ultimate-cluster Taylor variance, overall and for domains."""
    csv, spec = TAYLOR[name]
    taylor = SurveyDesign(data_csv(csv), **spec).total("enroll", by=by)
    rep = _design(name).total("enroll", by=by)
    np.testing.assert_allclose(rep["estimate"], taylor["estimate"], rtol=1e-12)
    np.testing.assert_allclose(rep["se"], taylor["se"], rtol=1e-10)


@pytest.mark.identity
@pytest.mark.parametrize("name", ["jk1_clus1", "jkn_stratclus", "brr", "ship_boot", "fay_mse"])
def test_by_equals_subset(name: str) -> None:
    design = _design(name)
    for method, args in [("mean", ("api00",)), ("proportion", ("sch.wide",))]:
        by = getattr(design, method)(*args, by="stype", deff=True)
        for stype in by["stype"].unique():
            sub = design.subset(design.data["stype"] == stype)
            got = getattr(sub, method)(*args, deff=True)
            want = by[by["stype"] == stype].drop(columns="stype").reset_index(drop=True)
            pd.testing.assert_frame_equal(got, want, rtol=1e-12)


@pytest.mark.identity
@pytest.mark.parametrize("name", ["jk1_clus1", "jkn_strat", "fay", "ship_cd_scale"])
def test_proportion_of_binary_equals_mean(name: str) -> None:
    design = _design(name)
    design = design.assign(yes=(design.data["sch.wide"] == "Yes").astype(float))
    prop = design.proportion("yes", by="stype", ci_method="wald", deff=True)
    mean = design.mean("yes", by="stype", deff=True)
    ones = prop[prop["level"] == 1.0].drop(columns="level").reset_index(drop=True)
    pd.testing.assert_frame_equal(ones, mean, rtol=1e-12)


@pytest.mark.identity
@pytest.mark.parametrize("name", ["jk1_clus1_mse", "jkn_lonely_adjust", "brr", "fay_mse"])
def test_exported_weights_read_back_give_the_same_design(name: str) -> None:
    """Replicate weights exported with their scale, rscales and mse rebuild the design."""
    design = _design(name)
    data = design.data.join(design.replicate_weights)
    again = ReplicateDesign(
        data,
        weights="pw",
        replicate_weights=list(design.replicate_weights.columns),
        method="other",
        scale=design.scale,
        rscales=design.rscales,
        mse=design.mse,
    )
    assert again.degrees_of_freedom == design.degrees_of_freedom
    for method, args in [("mean", ("api00",)), ("ratio", ("api.stu", "enroll"))]:
        pd.testing.assert_frame_equal(
            getattr(again, method)(*args, by="stype", deff=True),
            getattr(design, method)(*args, by="stype", deff=True),
            rtol=1e-12,
        )


@pytest.mark.identity
@pytest.mark.parametrize("method", ["jk1", "bootstrap"])
def test_compressed_and_expanded_weights_agree(method: str) -> None:
    base = _survey_design("apiclus1.csv", {"weights": "pw", "psu": "dnum", "fpc": "fpc"})
    kw: dict[str, Any] = {"seed": 7} if method == "bootstrap" else {}
    a = from_design(base, method, compress=True, **kw)
    b = from_design(base, method, compress=False, **kw)
    pd.testing.assert_frame_equal(a.replicate_weights, b.replicate_weights)
    assert a.degrees_of_freedom == b.degrees_of_freedom
    pd.testing.assert_frame_equal(
        a.mean("api00", by="stype"), b.mean("api00", by="stype"), rtol=1e-12
    )


@pytest.mark.identity
def test_missing_values_equal_complete_case_subset() -> None:
    design = _design("jkn_strat")
    got = design.mean("api00_na", by="stype", deff=True)
    complete = design.subset(design.data["api00_na"].notna())
    want = complete.mean("api00_na", by="stype", deff=True)
    # CIs differ: the degrees of freedom are those of the domain, missing values or not (R)
    fields = ["stype", "estimate", "se", "n", "cv", "deff"]
    pd.testing.assert_frame_equal(got[fields], want[fields], rtol=1e-12)


@pytest.mark.identity
def test_ratio_to_ones_and_several_variables() -> None:
    design = _design("brr").assign(one=1.0)
    mean = design.mean("api00", by="stype")
    ratio = design.ratio("api00", "one", by="stype")
    pd.testing.assert_frame_equal(mean, ratio, rtol=1e-12)
    both = design.mean(["api00", "api99"])
    for name in ("api00", "api99"):
        single = design.mean(name)
        got = both[both["variable"] == name].drop(columns="variable").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, single, rtol=1e-14)


@pytest.mark.identity
def test_subset_of_a_taylor_design_keeps_its_domain() -> None:
    base = _survey_design("apistrat.csv", {"weights": "pw", "strata": "stype", "fpc": "fpc"})
    full = from_design(base, "jkn")
    sub = from_design(base.subset(base.data["awards"] == "Yes"), "jkn")
    want = full.subset(full.data["awards"] == "Yes").mean("api00")
    pd.testing.assert_frame_equal(sub.mean("api00"), want, rtol=1e-12)


@pytest.mark.identity
def test_result_columns_match_survey_design() -> None:
    base = _survey_design("apiclus1.csv", {"weights": "pw", "psu": "dnum", "fpc": "fpc"})
    rep = from_design(base, "jk1")
    for method, args in [("mean", (["api00", "api99"],)), ("proportion", ("sch.wide",))]:
        a = getattr(base, method)(*args, by=["stype"], deff=True)
        b = getattr(rep, method)(*args, by=["stype"], deff=True)
        assert list(a.columns) == list(b.columns)
        pd.testing.assert_frame_equal(a.iloc[:, :3], b.iloc[:, :3])


# ---------------------------------------------------------------------------- bootstrap
def _apistrat(fpc: bool) -> SurveyDesign:
    spec = {"weights": "pw", "strata": "stype", "psu": "dnum", "nest": True}
    if fpc:  # a sampling fraction of PSUs in each stratum: 10% / 20% / 50%
        data = data_csv("apistrat.csv").assign(
            frac=lambda d: d["stype"].map({"E": 0.1, "H": 0.2, "M": 0.5})
        )
        return SurveyDesign(data, fpc="frac", **spec)
    return SurveyDesign(data_csv("apistrat.csv"), **spec)


def test_bootstrap_is_reproducible_and_rescaled() -> None:
    """Same seed, same weights; in every stratum the factors of each replicate sum to n_h
    (n_h - 1 draws rescaled by n_h / (n_h - 1)), with and without fpc."""
    for fpc in (False, True):
        base = _apistrat(fpc)
        a = from_design(base, "bootstrap", replicates=30, seed=11, compress=True)
        b = from_design(base, "bootstrap", replicates=30, seed=11, compress=True)
        pd.testing.assert_frame_equal(a.replicate_weights, b.replicate_weights)
        assert a.n_replicates == 30 and a.scale == 1 / 29
        factors = a.replicate_weights.to_numpy() / base.weights.to_numpy()[:, None]
        assert (factors >= 0).all()
        psu = base.data["stype"] + "/" + base.data["dnum"].astype(str)
        per_psu = pd.DataFrame(factors).groupby(psu.to_numpy()).first()
        stratum = per_psu.index.str.split("/").str[0]
        sums = per_psu.groupby(stratum).sum()
        n_h = per_psu.groupby(stratum).size()
        np.testing.assert_allclose(sums.to_numpy(), np.repeat(n_h.to_numpy()[:, None], 30, 1))
    other = from_design(base, "bootstrap", replicates=30, seed=12)
    assert not np.allclose(other.replicate_weights, a.replicate_weights)


@pytest.mark.parametrize("fpc", [False, True])
def test_bootstrap_variance_of_a_total_is_close_to_taylor(fpc: bool) -> None:
    """Rao-Wu: E*(v) is the Taylor variance (times 1 - f_h with fpc). With 4000 replicates
    the SE ratio over ten seeds ranged 0.974-1.014 (a total of api00; enroll, heavier-tailed
    across districts, spreads about twice as much)."""
    base = _apistrat(fpc)
    boot = from_design(base, "bootstrap", replicates=4000, seed=2024, compress=True)
    ratio = boot.total("api00")["se"].iloc[0] / base.total("api00")["se"].iloc[0]
    assert abs(ratio - 1) < 0.05


def test_brr_weights_are_balanced() -> None:
    """Each stratum's first PSU is kept in half the replicates; strata are orthogonal."""
    design = _design("brr", True)
    factors = design.replicate_weights.to_numpy() / design.weights.to_numpy()[:, None]
    data = design.data
    first = data.groupby("vstrat", sort=True)["vpsu"].first()
    signs = np.array([factors[(data["vpsu"] == p).to_numpy()][0] - 1.0 for p in first])
    assert set(np.unique(signs)) == {-1.0, 1.0}
    np.testing.assert_array_equal(signs.sum(axis=1), 0)
    np.testing.assert_array_equal(signs @ signs.T, design.n_replicates * np.eye(len(first)))


# ---------------------------------------------------------------------------- errors
def _toy(**extra: Any) -> pd.DataFrame:
    base = {
        "y": [1.0, 2.0, 3.0, 4.0],
        "w": [1.0, 1.0, 1.0, 1.0],
        "rw1": [0.0, 2.0, 1.0, 1.0],
        "rw2": [2.0, 0.0, 1.0, 1.0],
    }
    return pd.DataFrame({**base, **extra})


@pytest.mark.parametrize(
    ("frame", "kwargs", "match"),
    [
        (_toy(), {"replicate_weights": ["rw1", "nope"]}, "'replicate_weights' column 'nope'"),
        (_toy(), {"replicate_weights": "^zz"}, "No column .* matches replicate_weights='\\^zz'"),
        (_toy(rw2=[1.0, np.nan, 1.0, 1.0]), {}, "'rw2' .* contains missing values \\(row 1\\)"),
        (_toy(rw2=[1.0, np.inf, 1.0, 1.0]), {}, "'rw2' .* contains non-finite values"),
        (_toy(rw1=[1.0, 1.0, -1.0, 1.0]), {}, "'rw1' .* contains negative values \\(row 2\\)"),
        (_toy(rw1=["a", "b", "c", "d"]), {}, "'rw1' .* must be numeric"),
        (_toy(), {"weights": "ww"}, "'weights' column 'ww' .* is not in the data"),
        (_toy(), {"method": "jk2"}, "'method' parameter .* must be one of .*Got 'jk2'"),
        (_toy(), {"method": "jkn"}, "method='jkn' needs 'rscales'"),
        (_toy(), {"rscales": [1.0, 1.0, 1.0]}, "'rscales' .* one per replicate \\(2\\). Got 3"),
        (_toy(), {"scale": -1.0}, "'scale' .* positive finite number. Got -1.0"),
        (_toy(), {"method": "brr", "scale": 0.5}, "'scale' .* is fixed by method='brr'"),
        (_toy(), {"method": "fay"}, "'fay_rho' .* must be a float in \\(0, 1\\). Got 0.0"),
        (_toy(), {"fay_rho": 0.5}, "'fay_rho' .* must be 0 unless method='fay'"),
        (_toy(), {"mse": "yes"}, "'mse' parameter .* must be a bool"),
    ],
)
def test_bad_replicate_input_raises_naming_the_column(
    frame: pd.DataFrame, kwargs: dict[str, Any], match: str
) -> None:
    args = {"weights": "w", "replicate_weights": "rw", "method": "jk1", **kwargs}
    with pytest.raises(SurveyDesignError, match=match):
        ReplicateDesign(frame, **args)


def test_estimator_errors_name_the_column() -> None:
    r = ReplicateDesign(
        _toy(g=["a", "b", "a", "b"]), weights="w", replicate_weights="rw", method="jk1"
    )
    with pytest.raises(SurveyDesignError, match=r"'analysed' column 'zz'"):
        r.mean("zz")
    with pytest.raises(SurveyDesignError, match=r"'by' column 'h'"):
        r.mean("y", by="h")
    with pytest.raises(SurveyDesignError, match=r"'analysed' column 'g' .* must be numeric"):
        r.total("g")
    with pytest.raises(SurveyDesignError, match=r"'ci_method' .* Got 'exact'"):
        r.proportion("g", ci_method="exact")
    with pytest.raises(SurveyDesignError, match=r"columns 'rw1' passed to .*assign"):
        r.assign(rw1=0.0)
    with pytest.raises(SurveyDesignError, match=r"'mask' parameter .* length 4"):
        r.subset([True, False])


def test_conversion_errors_name_the_strata() -> None:
    strat = _survey_design("apistrat.csv", {"weights": "pw", "strata": "stype", "fpc": "fpc"})
    clus = _survey_design("apiclus1.csv", {"weights": "pw", "psu": "dnum"})
    with pytest.raises(
        SurveyDesignError, match=r"exactly 2 PSUs .*'E' \(100 PSUs\), 'M' \(50 PSUs\)"
    ):
        from_design(strat, "brr")
    with pytest.raises(SurveyDesignError, match=r"exactly 2 PSUs .* it has no strata"):
        from_design(clus, "fay")
    with pytest.raises(SurveyDesignError, match=r"jk1.* needs an unstratified design"):
        from_design(strat, "jk1")
    with pytest.raises(SurveyDesignError, match=r"jkn.* needs a stratified design"):
        from_design(clus, "jkn")
    with pytest.raises(SurveyDesignError, match=r"'method' parameter of from_design .*'sdr'"):
        from_design(clus, "sdr")
    with pytest.raises(SurveyDesignError, match=r"'replicates' .* only applies to .*bootstrap"):
        from_design(clus, "jk1", replicates=10)
    with pytest.raises(SurveyDesignError, match=r"'replicates' .* integer >= 2. Got 1"):
        from_design(clus, "bootstrap", replicates=1)
    brr = _survey_design("api_brr.csv", {"weights": "pw", "strata": "vstrat", "psu": "vpsu"})
    with pytest.raises(SurveyDesignError, match=r"'fay_rho' .* in \(0, 1\). Got 1.0"):
        from_design(brr, "fay", fay_rho=1.0)


def test_brr_with_fpc_warns_like_r() -> None:
    data = data_csv("api_brr.csv").assign(n_pop=100)
    design = SurveyDesign(data, weights="pw", strata="vstrat", psu="vpsu", fpc="n_pop")
    with pytest.warns(UserWarning, match=r"ignores the fpc"):
        from_design(design, "brr")


@pytest.mark.identity
def test_survey_design_to_replicate_is_from_design() -> None:
    base = _survey_design("apistrat.csv", {"weights": "pw", "strata": "stype", "fpc": "fpc"})
    a = base.to_replicate("jkn").mean("api00", by="awards")
    b = from_design(base, "jkn").mean("api00", by="awards")
    pd.testing.assert_frame_equal(a, b)


def test_weighted_design_warns_that_replicates_are_not_reweighted() -> None:
    base = _survey_design("apistrat.csv", {"weights": "pw", "strata": "stype", "fpc": "fpc"})
    weighted = base.poststratify("stype", {"E": 4421, "H": 755, "M": 1018})
    with pytest.warns(UserWarning, match="replicates do not repeat"):
        from_design(weighted, "jkn")
