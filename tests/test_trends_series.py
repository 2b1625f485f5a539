"""Change between two estimates (z-test) and STL decomposition with anomaly scores.

Reference numbers: R 4.2.2 ``stats::stl`` (tests/results/stl_series.R -> stl_series.json) on
the synthetic demo district's monthly police-recorded totals and a deterministic series; a
published ACS comparison (InContext, Indiana Business Research Center, 2008) for
``compare_estimates``; the demo's ``truth.json`` for the planted seasonality. Hand
calculations are written out in the tests; see tests/README.md.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from sga_methods import trends

from .conftest import ROOT

DEMO = ROOT / "data" / "synthetic" / "tashkent-chilanzar"
STL_R = json.loads((ROOT / "tests" / "results" / "stl_series.json").read_text())
COLUMNS = ["difference", "se", "z", "p_value", "ci_low", "ci_high"]


# --- compare_estimates ------------------------------------------------------------------------


@pytest.mark.reference
def test_compare_estimates_by_hand():
    # E1 = 10 (SE 3), E2 = 4 (SE 4), r = 0.5: var = 9 + 16 - 2 x 0.5 x 3 x 4 = 13,
    # SE = sqrt(13) = 3.605551275463989, z = 6 / sqrt(13) = 1.6641005886756874,
    # p = 2 (1 - Phi(z)) = 0.0960923294556733, 95% CI 6 -/+ 1.959963984540054 x SE
    # = (-1.0667506443218722, 13.066750644321871).
    out = trends.compare_estimates(10.0, 3.0, 4.0, 4.0, corr=0.5)
    expected = {
        "difference": 6.0,
        "se": 3.605551275463989,
        "z": 1.6641005886756874,
        "p_value": 0.0960923294556733,
        "ci_low": -1.0667506443218722,
        "ci_high": 13.066750644321871,
    }
    assert list(out) == COLUMNS
    for key, value in expected.items():
        assert out[key] == pytest.approx(value, rel=1e-12), key
    # independent samples: SE = sqrt(9 + 16) = 5, z = 1.2, p = 0.2301393404434166
    out = trends.compare_estimates(10.0, 3.0, 4.0, 4.0)
    assert (out["se"], out["z"]) == (5.0, pytest.approx(1.2))
    assert out["p_value"] == pytest.approx(0.2301393404434166, rel=1e-12)
    # 90% interval: z_0.95 = 1.6448536269514722
    out = trends.compare_estimates(10.0, 3.0, 4.0, 4.0, ci_level=0.90)
    assert out["ci_high"] == pytest.approx(6 + 1.6448536269514722 * 5, rel=1e-12)


@pytest.mark.reference
def test_compare_estimates_reproduces_published_acs_comparison():
    # InContext (Indiana Business Research Center), Nov-Dec 2008, "Higher education: women
    # take lead", Table 1: % with a bachelor's degree or higher, Indiana, ACS 2007, male vs
    # female, estimate (+/- 90% MOE); "Differences between men and women are significant at
    # the 99 percent confidence level". ACS: SE = MOE / 1.645, independent estimates.
    table = pd.DataFrame(
        {
            "male": [22.8, 23.4, 22.8, 24.2, 18.9],
            "male_moe": [0.4, 1.0, 0.9, 0.6, 0.9],
            "female": [21.4, 28.1, 25.7, 21.5, 11.1],
            "female_moe": [0.3, 1.0, 0.9, 0.7, 0.6],
        },
        index=["25+", "25-34", "35-44", "45-64", "65+"],
    )
    out = trends.compare_estimates(
        table["male"], table["male_moe"] / 1.645, table["female"], table["female_moe"] / 1.645
    )
    assert list(out.index) == list(table.index)
    assert (out["p_value"] < 0.01).all()
    # 99% intervals exclude 0, as the published significance implies
    se_male, se_female = table["male_moe"] / 1.645, table["female_moe"] / 1.645
    out99 = trends.compare_estimates(
        table["male"], se_male, table["female"], se_female, ci_level=0.99
    )
    assert ((out99["ci_low"] > 0) | (out99["ci_high"] < 0)).all()
    # the 35-44 row by hand: z = -2.9 / sqrt(2 (0.9 / 1.645)^2) = -3.748
    assert out.loc["35-44", "z"] == pytest.approx(-2.9 / math.hypot(0.9 / 1.645, 0.9 / 1.645))
    assert round(out.loc["35-44", "z"], 3) == -3.748


@pytest.mark.identity
def test_compare_estimates_identities():
    rng = np.random.default_rng(5)
    e1, e2 = rng.normal(50, 10, 20), rng.normal(50, 10, 20)
    s1, s2 = rng.uniform(0.5, 3, 20), rng.uniform(0.5, 3, 20)
    r = rng.uniform(-0.9, 0.9, 20)
    table = trends.compare_estimates(e1, s1, e2, s2, corr=r)
    assert list(table.columns) == COLUMNS and len(table) == 20
    # vectorised equals scalar
    for i in (0, 7, 19):
        one = trends.compare_estimates(float(e1[i]), s1[i], e2[i], s2[i], corr=r[i])
        for key in COLUMNS:
            assert table[key].iloc[i] == pytest.approx(one[key], rel=1e-14)
    # corr = 0 is the independent-samples formula
    indep = trends.compare_estimates(e1, s1, e2, s2)
    np.testing.assert_allclose(indep["se"], np.sqrt(s1**2 + s2**2), rtol=1e-14)
    # symmetric: swapping the estimates flips the sign, keeps se and p, mirrors the CI
    swap = trends.compare_estimates(e2, s2, e1, s1, corr=r)
    np.testing.assert_allclose(swap["difference"], -table["difference"])
    np.testing.assert_allclose(swap["se"], table["se"])
    np.testing.assert_allclose(swap["z"], -table["z"])
    np.testing.assert_allclose(swap["p_value"], table["p_value"])
    np.testing.assert_allclose(swap["ci_low"], -table["ci_high"])
    # p from the normal tail: erfc(|z| / sqrt 2); 0 outside the CI exactly when p < 5%
    np.testing.assert_allclose(
        table["p_value"], [math.erfc(abs(z) / math.sqrt(2)) for z in table["z"]], rtol=1e-12
    )
    outside = (table["ci_low"] > 0) | (table["ci_high"] < 0)
    assert (outside == (table["p_value"] < 0.05)).all()
    # positive correlation shrinks the SE of the difference
    assert (trends.compare_estimates(e1, s1, e2, s2, corr=0.5)["se"] < indep["se"]).all()
    # broadcasting: one previous estimate against several
    many = trends.compare_estimates(e1, s1, 50.0, 1.0)
    np.testing.assert_allclose(many["difference"], e1 - 50.0)
    # Series keep their index
    idx = pd.Index([f"ind{i}" for i in range(20)])
    series = trends.compare_estimates(pd.Series(e1, idx), pd.Series(s1, idx), e2, s2)
    assert series.index.equals(idx)


def test_compare_estimates_zero_se():
    # r = 1 with equal SEs: the difference is known exactly
    out = trends.compare_estimates(5.0, 2.0, 3.0, 2.0, corr=1.0)
    assert out["se"] == 0.0 and out["z"] == math.inf and out["p_value"] == 0.0
    out = trends.compare_estimates(3.0, 0.0, 3.0, 0.0)
    assert math.isnan(out["z"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"se1": -1.0}, r"'se1' argument .* finite and non-negative\. Got \[-1\.0\]"),
        ({"se2": np.nan}, r"'se2' argument"),
        ({"est1": np.inf}, r"'est1' argument .* finite"),
        ({"corr": 1.5}, r"'corr' argument .* in \[-1, 1\]\. Got \[1\.5\]"),
        ({"ci_level": 95}, r"'ci_level' argument .* \(0, 1\)\. Got 95"),
        ({"est1": [1.0, 2.0, 3.0], "est2": [1.0, 2.0]}, r"do not broadcast"),
    ],
)
def test_compare_estimates_bad_input(kwargs, message):
    args = {"est1": 1.0, "se1": 1.0, "est2": 2.0, "se2": 1.0} | kwargs
    with pytest.raises(ValueError, match=message):
        trends.compare_estimates(**args)


def test_compare_estimates_refuses_misaligned_series():
    a = pd.Series([1.0, 2.0], index=["x", "y"])
    b = pd.Series([1.0, 2.0], index=["y", "x"])
    with pytest.raises(ValueError, match=r"'est2' has a different index"):
        trends.compare_estimates(a, 1.0, b, 1.0)


# --- seasonal_decompose: against R's stl ---------------------------------------------------


@pytest.mark.reference
@pytest.mark.parametrize("case", STL_R["cases"], ids=lambda c: c["name"])
def test_seasonal_decompose_matches_r_stl(case):
    y = np.asarray(STL_R["series"][case["series"]]["y"])
    out = trends.seasonal_decompose(pd.Series(y), **case["python"])
    remainder = np.asarray(case["remainder"])
    # R's stl(robust = FALSE) is the same Fortran algorithm: agreement to rounding. With
    # robust = TRUE, statsmodels documents a fix to the original code's median in the
    # robustness weights, which R keeps; the components then differ by up to 0.5% of the
    # remainder's SD (0.05 crimes on the demo series with s.window = 7).
    tol = 0.01 * remainder.std() if case["python"]["stl_robust"] else 1e-9 * np.abs(y).max()
    for key in ("trend", "seasonal", "remainder"):
        np.testing.assert_allclose(out[key], case[key], rtol=0, atol=tol, err_msg=key)
    if not case["python"]["stl_robust"]:
        # anomaly score by R's route: (r - median(r)) / mad(r), mad's constant 1.4826
        np.testing.assert_allclose(out["anomaly_score"], case["anomaly_score"], atol=1e-8)


# --- seasonal_decompose: identities and recovery ------------------------------------------


def _synthetic(n: int = 120, seed: int = 11, noise: float = 2.0) -> tuple[pd.Series, np.ndarray]:
    """Trend + a seasonal pattern peaking in March + noise, monthly from 2015-01."""
    months = pd.period_range("2015-01", periods=n, freq="M")
    season = 10 * np.cos(2 * np.pi * (months.month - 3) / 12) + 4 * np.sin(
        4 * np.pi * months.month / 12
    )
    rng = np.random.default_rng(seed)
    y = 200 + 0.3 * np.arange(n) + season + rng.normal(0, noise, n)
    return pd.Series(y, index=months), np.asarray(season)


@pytest.mark.identity
@pytest.mark.parametrize("options", [{}, {"robust": False}, {"stl_robust": True}])
def test_components_add_up_to_the_observed_series(options):
    y, _ = _synthetic()
    y.iloc[50] += 30
    out = trends.seasonal_decompose(y, **options)
    columns = "observed trend seasonal remainder anomaly_score anomaly"
    assert " ".join(out.columns) == columns
    assert out.index.equals(y.index)
    np.testing.assert_array_equal(out["observed"], y.to_numpy())
    np.testing.assert_allclose(out["trend"] + out["seasonal"] + out["remainder"], y, atol=1e-10)
    r = out["remainder"].to_numpy()
    mad = np.median(np.abs(r - np.median(r)))
    np.testing.assert_allclose(out["anomaly_score"], (r - np.median(r)) / (1.4826 * mad))
    assert (out["anomaly"] == (out["anomaly_score"].abs() > 3.5)).all()


@pytest.mark.identity
def test_without_anomalies_the_robust_fit_is_a_single_stl_fit():
    y, _ = _synthetic(seed=3)
    default = trends.seasonal_decompose(y)
    assert not default["anomaly"].any()
    pd.testing.assert_frame_equal(default, trends.seasonal_decompose(y, robust=False))


def test_recovers_planted_seasonal_pattern():
    y, season = _synthetic(n=96, seed=2, noise=1.0)
    out = trends.seasonal_decompose(y)
    by_month = out["seasonal"].groupby(out.index.month).mean()
    truth = pd.Series(season, index=y.index.month).groupby(level=0).mean()
    truth -= truth.mean()
    np.testing.assert_allclose(by_month, truth, atol=1.0)  # noise SD 1, pattern range ~26
    assert by_month.idxmax() == truth.idxmax()


def test_recovers_planted_outlier_and_keeps_it_out_of_the_seasonal():
    y, _ = _synthetic(seed=7)
    spiked = y.copy()
    spiked.loc[pd.Period("2020-03", "M")] += 40  # 20 noise SDs
    out = trends.seasonal_decompose(spiked)
    assert out.index[out["anomaly"]].astype(str).tolist() == ["2020-03"]
    assert out.loc[pd.Period("2020-03", "M"), "anomaly_score"] > 10
    # the replaced spike does not move the March seasonal component of other years ...
    clean = trends.seasonal_decompose(y)
    march = out.index.month == 3
    assert np.abs(out["seasonal"] - clean["seasonal"])[march].max() < 0.5
    # ... whereas a single STL fit lets it leak into the neighbouring Marches
    plain = trends.seasonal_decompose(spiked, robust=False)
    assert np.abs(plain["seasonal"] - clean["seasonal"])[march].max() > 3


def test_false_alarm_rate_on_plain_noise():
    # Documents the choice of default (Notes of seasonal_decompose): on series of pure noise
    # around a trend and seasonal pattern, the default flags few months; STL's robust
    # weights make the remainder heavy-tailed and flag many.
    flagged = {"default": [], "stl_robust": []}
    for seed in range(40):
        rng = np.random.default_rng(seed)
        t = np.arange(120)
        y = 100 + 0.1 * t + 10 * np.cos(2 * np.pi * (t % 12 - 6) / 12) + rng.normal(0, 3, 120)
        flagged["default"].append(trends.seasonal_decompose(y)["anomaly"].mean())
        robust = trends.seasonal_decompose(y, robust=False, stl_robust=True)
        flagged["stl_robust"].append(robust["anomaly"].mean())
    assert np.mean(flagged["default"]) < 0.01
    assert np.mean(flagged["stl_robust"]) > 0.02


@pytest.mark.reference
def test_demo_district_seasonal_component_peaks_in_july():
    police = pd.read_csv(DEMO / "police_monthly.csv.gz", dtype={"iccs": str, "month": str})
    truth = json.loads((DEMO / "truth.json").read_text())["police"]
    monthly = police.groupby("month")["crimes"].sum()
    monthly.index = pd.PeriodIndex(monthly.index, freq="M")
    assert len(monthly) == 120
    # the generator's seasonality is multiplicative: amplitude x cos(2 pi (m - 7) / 12) on
    # the log scale, so decompose log counts and read the first harmonic of the seasonal
    out = trends.seasonal_decompose(np.log(monthly))
    assert not out["anomaly"].any()  # nothing was planted
    s = out["seasonal"].groupby(out.index.month).mean()
    m = s.index.to_numpy()
    a = 2 / 12 * np.sum(s.to_numpy() * np.cos(2 * np.pi * m / 12))
    b = 2 / 12 * np.sum(s.to_numpy() * np.sin(2 * np.pi * m / 12))
    peak = (np.arctan2(b, a) * 12 / (2 * np.pi)) % 12
    # sampling SE of a and b is about 0.01 (monthly noise ~7% over 10 years)
    assert a == pytest.approx(truth["season_cos_coef"], abs=0.03)
    assert b == pytest.approx(truth["season_sin_coef"], abs=0.03)
    assert np.hypot(a, b) == pytest.approx(truth["season_amplitude_log"], abs=0.03)
    assert round(peak) == truth["season_peak_month"] == 7
    # July and August are a statistical tie in the data (cos(pi/6) = 0.87 of the peak):
    # the largest calendar-month component is one of them, with July in the top two
    assert s.idxmax() in (7, 8) and (s > s[7]).sum() <= 1


# --- seasonal_decompose: inputs -----------------------------------------------------------


def test_accepted_indexes():
    y, _ = _synthetic(n=48)
    by_period = trends.seasonal_decompose(y)
    dates = y.copy()
    dates.index = y.index.to_timestamp()  # month starts
    by_date = trends.seasonal_decompose(dates)
    assert by_date.index.equals(dates.index)
    plain = trends.seasonal_decompose(y.to_numpy())
    assert plain.index.equals(pd.RangeIndex(48))
    for other in (by_date, plain):
        np.testing.assert_allclose(other["seasonal"], by_period["seasonal"])
    labelled = trends.seasonal_decompose(pd.Series(y.to_numpy(), index=y.index.astype(str)))
    np.testing.assert_allclose(labelled["trend"], by_period["trend"])


def _dates(y: pd.Series) -> pd.Series:
    return y.set_axis(y.index.to_timestamp())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda y: y.where(y.index != y.index[5]), r"missing or non-numeric .* \['2015-06'\]"),
        (lambda y: y.iloc[:23], r"at least two full cycles \(24 observations .* has 23"),
        (lambda y: y.drop(y.index[[10, 11]]), r"spaced \(missing \['2015-11', '2015-12'\]\)"),
        (lambda y: y.iloc[::-1], r"not sorted"),
        (lambda y: pd.concat([y.iloc[:1], y]), r"repeats 2015-01"),
        (lambda y: _dates(y).drop(pd.Timestamp("2016-02-01")), r"not equally spaced"),
        (lambda y: y.to_frame().assign(z=1), r"takes one series"),
    ],
)
def test_bad_series(change, message):
    y, _ = _synthetic(n=48)
    with pytest.raises(ValueError, match=message):
        trends.seasonal_decompose(change(y))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"period": 1}, r"'period' argument .* integer >= 2\. Got 1"),
        ({"period": 12.0}, r"'period' argument"),
        ({"seasonal": 8}, r"'seasonal' argument .* odd integer >= 3\. Got 8"),
        ({"trend": 1}, r"'trend' argument .* Got 1"),
        ({"threshold": 0}, r"'threshold' argument .* positive number\. Got 0"),
        ({"max_anomalies": -1}, r"'max_anomalies' argument .* Got -1"),
        ({"stl_options": {"robust": True}}, r"\['robust'\] as arguments of their own"),
    ],
)
def test_bad_arguments(kwargs, message):
    y, _ = _synthetic(n=48)
    with pytest.raises(ValueError, match=message):
        trends.seasonal_decompose(y, **kwargs)
