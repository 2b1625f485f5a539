"""Count models and interrupted time series against R, a published table and the demo's truth.

Reference numbers: tests/results/trends_glm.R (R 4.2.2: glm, MASS::glm.nb,
sandwich::NeweyWest, AER::dispersiontest) run on tests/results/trends_glm.csv (a series the
script generates) and tests/data/sicily.csv; the smoking-ban rate ratios published by Lopez
Bernal, Cummins & Gasparrini (IJE 2017); the planted effects of the synthetic demo district
(data/synthetic/tashkent-chilanzar/truth.json). See tests/README.md.
"""

from __future__ import annotations

import json
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sga_methods import trends

from ._reference import RESULTS, load
from .conftest import ROOT

CASES = {c["name"]: c for c in load("trends_glm.json")["cases"]}
GEN = pd.read_csv(RESULTS / "trends_glm.csv")
SICILY = pd.read_csv(ROOT / "tests" / "data" / "sicily.csv")
RTOL = 1e-6
#: p-values far in the tail (1e-85) move by z^2 times the relative error of z.
RTOL_P = 1e-5

GEN_MODEL = {
    "count": "crimes",
    "time": "t",
    "exposure": "pop",
    "covariates": ["intervention"],
    "season": "month",
    "harmonics": 2,
    "period": 12,
}
SICILY_HARMONIC = {
    "count": "aces",
    "time": "time",
    "exposure": "stdpop",
    "season": "month",
    "harmonics": 2,
    "period": 12,
    "family": "quasipoisson",
}
#: case name -> (function, data, arguments); the R call of each is in the JSON.
CALLS: dict[str, tuple[Any, pd.DataFrame, dict[str, Any]]] = {
    "poisson": (trends.fit_counts, GEN, {**GEN_MODEL, "family": "poisson"}),
    "quasipoisson": (trends.fit_counts, GEN, {**GEN_MODEL, "family": "quasipoisson"}),
    "negbin": (trends.fit_counts, GEN, {**GEN_MODEL, "family": "negbin"}),
    "poisson month dummies": (trends.fit_counts, GEN, {**GEN_MODEL, "harmonics": 0}),
    "poisson no season": (trends.fit_counts, GEN, {**GEN_MODEL, "season": None}),
    "poisson hac 3": (trends.fit_counts, GEN, {**GEN_MODEL, "hac_lags": 3}),
    "negbin hac 3": (trends.fit_counts, GEN, {**GEN_MODEL, "family": "negbin", "hac_lags": 3}),
    "its quasipoisson slope": (
        trends.interrupted_time_series,
        GEN,
        {**GEN_MODEL, "covariates": [], "start": 61, "family": "quasipoisson"},
    ),
    "sicily poisson": (
        trends.fit_counts,
        SICILY,
        {"count": "aces", "time": "time", "exposure": "stdpop", "covariates": ["smokban"]},
    ),
    "sicily quasipoisson harmonics": (
        trends.fit_counts,
        SICILY,
        {**SICILY_HARMONIC, "covariates": ["smokban"]},
    ),
    "sicily quasipoisson harmonics normal": (
        trends.fit_counts,
        SICILY,
        {**SICILY_HARMONIC, "covariates": ["smokban"], "distribution": "normal"},
    ),
    "sicily its quasipoisson slope": (
        trends.interrupted_time_series,
        SICILY,
        {**SICILY_HARMONIC, "start": 37},
    ),
}


def run(name: str) -> trends.CountFit:
    function, data, kwargs = CALLS[name]
    out = function(data, **kwargs)
    return out.count_model if isinstance(out, trends.InterruptedTimeSeries) else out


def our_term(r_name: str, its: bool) -> str:
    """Our name of an R coefficient."""
    if r_name == "(Intercept)":
        return "intercept"
    month = re.fullmatch(r"factor\(month\)(\d+)", r_name)
    if month:
        return f"month[{month.group(1)}]"
    if its:
        return {"smokban": "level_change", "slope": "slope_change"}.get(r_name, r_name)
    return r_name


def test_every_r_case_is_called():
    assert set(CALLS) == set(CASES)


@pytest.mark.reference
@pytest.mark.parametrize("name", list(CASES))
def test_coefficients_match_r(name):
    case, fit = CASES[name], run(name)
    its = CALLS[name][0] is trends.interrupted_time_series
    terms = [our_term(t, its) for t in case["coefficients"]]
    assert sorted(fit.coefficients.index) == sorted(terms)
    assert fit.distribution == {"z": "normal", "t": "t"}[case["distribution"]]
    assert fit.df_resid == case["df_residual"]
    for term, want in zip(terms, case["coefficients"].values(), strict=True):
        got = fit.coefficients.loc[term]
        for field in ("estimate", "se", "statistic", "ci_low", "ci_high"):
            np.testing.assert_allclose(
                got[field], want[field], rtol=RTOL, err_msg=f"{term} {field}"
            )
        np.testing.assert_allclose(got["p_value"], want["p_value"], rtol=RTOL_P, err_msg=term)
        if term != "intercept":
            ratio = fit.rate_ratios.loc[term]
            for field in ("ci_low", "ci_high"):
                np.testing.assert_allclose(ratio[field], np.exp(want[field]), rtol=RTOL)
            np.testing.assert_allclose(ratio["rate_ratio"], np.exp(want["estimate"]), rtol=RTOL)
    assert "intercept" not in fit.rate_ratios.index


@pytest.mark.reference
@pytest.mark.parametrize("name", list(CASES))
def test_dispersion_and_fitted_values_match_r(name):
    case, fit = CASES[name], run(name)
    np.testing.assert_allclose(fit.dispersion, case["dispersion"], rtol=RTOL)
    np.testing.assert_allclose(fit.fitted.to_numpy(), case["fitted"], rtol=RTOL)
    if fit.family == "quasipoisson":  # the quasi-Poisson scale is the Pearson dispersion
        np.testing.assert_allclose(fit.dispersion, case["summary_dispersion"], rtol=RTOL)


@pytest.mark.reference
def test_negbin_theta_matches_glm_nb():
    case, fit = CASES["negbin"], run("negbin")
    np.testing.assert_allclose(fit.theta, case["theta"], rtol=RTOL)
    # R's SE.theta uses the information at theta one Newton step before the last (MASS).
    np.testing.assert_allclose(fit.theta_se, case["theta_se"], rtol=1e-5)


@pytest.mark.reference
@pytest.mark.parametrize("name", ["poisson", "poisson no season", "sicily poisson"])
def test_overdispersion_test_matches_aer_dispersiontest(name):
    want, got = CASES[name]["overdispersion_test"], run(name).overdispersion_test
    for field in ("statistic", "p_value", "alpha"):
        np.testing.assert_allclose(got[field], want[field], rtol=RTOL, err_msg=field)


@pytest.mark.reference
@pytest.mark.parametrize("name", ["poisson", "quasipoisson", "negbin"])
def test_predict_matches_predict_glm(name):
    want = CASES[name]["predict"]
    got = run(name).predict(pd.DataFrame(want["newdata"]))
    for field in ("mean", "ci_low", "ci_high"):
        np.testing.assert_allclose(got[field].to_numpy(), want[field], rtol=RTOL, err_msg=field)


# --- published: Lopez Bernal, Cummins & Gasparrini (2017), Sicily smoking ban -------------


def rounded(change: dict[str, float]) -> tuple[float, float, float]:
    return round(change["rate_ratio"], 3), round(change["ci_low"], 3), round(change["ci_high"], 3)


@pytest.mark.reference
def test_sicily_poisson_rate_ratio_as_published():
    fit = trends.fit_counts(
        SICILY, "aces", "time", exposure="stdpop", covariates=["smokban"], family="poisson"
    )
    assert rounded(fit.rate_ratios.loc["smokban"].to_dict()) == (0.894, 0.865, 0.925)
    its = trends.interrupted_time_series(
        SICILY, "aces", "time", 37, exposure="stdpop", slope_change=False
    )
    assert rounded(its.level_change) == (0.894, 0.865, 0.925)
    assert its.slope_change is None


@pytest.mark.reference
def test_sicily_quasipoisson_with_harmonics_as_published():
    """Published 0.885 (0.839-0.933): normal-quantile intervals (R's confint.default)."""
    kwargs = {**SICILY_HARMONIC, "distribution": "normal"}
    fit = trends.fit_counts(SICILY, covariates=["smokban"], **kwargs)
    assert rounded(fit.rate_ratios.loc["smokban"].to_dict()) == (0.885, 0.839, 0.933)
    dated = SICILY.assign(
        date=[f"{y}-{m:02d}" for y, m in zip(SICILY.year, SICILY.month, strict=True)]
    )
    for start, date in ((37, None), ("2005-01", "date")):
        its = trends.interrupted_time_series(
            dated, start=start, date=date, slope_change=False, **kwargs
        )
        assert rounded(its.level_change) == (0.885, 0.839, 0.933)
        assert its.start == 37
    # the default t interval with 54 df (summary.glm's p-value) is a little wider
    default = trends.fit_counts(SICILY, covariates=["smokban"], **SICILY_HARMONIC)
    assert rounded(default.rate_ratios.loc["smokban"].to_dict()) == (0.885, 0.838, 0.934)


# --- the synthetic demo district --------------------------------------------------------

DEMO = ROOT / "data" / "synthetic" / "tashkent-chilanzar"
TRUTH = json.loads((DEMO / "truth.json").read_text())["police"]


def demo_series() -> pd.DataFrame:
    """District-month totals of the three Safe City sections with summed residents."""
    police = pd.read_csv(DEMO / "police_monthly.csv.gz", dtype={"iccs": str})
    residents = pd.read_csv(DEMO / "population_monthly.csv").groupby("month")["residents"].sum()
    sections = police[police["iccs"].isin(TRUTH["intervention_sections"])]
    d = sections.groupby(["month", "month_of_year"], as_index=False)["crimes"].sum()
    d["residents"] = d["month"].map(residents)
    months = pd.PeriodIndex(d["month"], freq="M")
    d["t"] = (months.year - 2019) + (months.month - 1) / 12  # years since the break 2019-01
    assert TRUTH["trend_break"] == "2019-01"
    d["hinge"] = d["t"].clip(lower=0)
    d["intervention"] = (d["month"] >= TRUTH["intervention"]).astype(int)
    return d


DEMO_MODEL = {
    "count": "crimes",
    "time": "t",
    "exposure": "residents",
    "season": "month_of_year",
    "harmonics": 1,
}


def covers(row: pd.Series, value: float) -> bool:
    return bool(row["ci_low"] <= value <= row["ci_high"])


@pytest.mark.reference
@pytest.mark.parametrize("family", ["quasipoisson", "negbin"])
def test_demo_planted_effects_are_recovered(family):
    """Intervention, season and the trend slopes inside their 95% intervals.

    The generator draws Poisson(mu G), G ~ Gamma(5, 1/5), per mahalla, section and month;
    summed over the district the variance is sum mu (1 + mu / 5) = mu_total (1 + c) with c
    about constant over time: quasi-Poisson is the matching model (dispersion about 1.4);
    the negative binomial (variance mu + mu^2 / theta) is close at these counts.
    """
    d = demo_series()
    fit = trends.fit_counts(d, covariates=["hinge", "intervention"], **DEMO_MODEL, family=family)
    coef = fit.coefficients
    assert covers(fit.rate_ratios.loc["intervention"], TRUTH["intervention_rate_ratio"])
    assert covers(coef.loc["sin1"], TRUTH["season_sin_coef"])
    assert covers(coef.loc["cos1"], TRUTH["season_cos_coef"])
    assert covers(coef.loc["t"], TRUTH["trend_pre_log_slope_per_year"])
    change = TRUTH["trend_post_log_slope_per_year"] - TRUTH["trend_pre_log_slope_per_year"]
    assert covers(coef.loc["hinge"], change)
    # the slope after the break, t + hinge, with its interval from the covariance
    cov = fit.result.cov_params().loc[["t", "hinge"], ["t", "hinge"]].to_numpy()
    post = coef.loc["t", "estimate"] + coef.loc["hinge", "estimate"]
    q = stats.t.ppf(0.975, fit.df_resid) if fit.distribution == "t" else stats.norm.ppf(0.975)
    half = q * np.sqrt(cov.sum())
    assert abs(post - TRUTH["trend_post_log_slope_per_year"]) < half
    # the intervention is clearly detected and the season is told from noise
    assert fit.rate_ratios.loc["intervention", "ci_high"] < 1
    assert coef.loc["cos1", "ci_high"] < 0 and coef.loc["sin1", "ci_high"] < 0
    expected = (1.1, 2.0) if family == "quasipoisson" else (0.9, 1.2)  # NB absorbs most of it
    assert expected[0] < fit.dispersion < expected[1]


@pytest.mark.reference
def test_demo_intervention_by_interrupted_time_series():
    d = demo_series().drop(columns="intervention")
    level = trends.interrupted_time_series(
        d, start="2021-07", date="month", slope_change=False, covariates=["hinge"],
        family="quasipoisson", **DEMO_MODEL,
    )  # fmt: skip
    assert level.start == 2.5
    assert level.level_change["ci_low"] <= TRUTH["intervention_rate_ratio"]
    assert TRUTH["intervention_rate_ratio"] <= level.level_change["ci_high"] < 1
    both = trends.interrupted_time_series(
        d, start="2021-07", date="month", covariates=["hinge"], family="quasipoisson",
        **DEMO_MODEL,
    )  # fmt: skip
    # no slope change was planted at the intervention
    assert both.slope_change["ci_low"] <= 1 <= both.slope_change["ci_high"]
    assert covers(pd.Series(both.level_change), TRUTH["intervention_rate_ratio"])


# --- identities -------------------------------------------------------------------------


@pytest.mark.identity
def test_quasipoisson_is_poisson_with_scaled_standard_errors():
    poisson = trends.fit_counts(GEN, **GEN_MODEL)
    quasi = trends.fit_counts(GEN, **GEN_MODEL, family="quasipoisson")
    p, q = poisson.coefficients, quasi.coefficients
    np.testing.assert_allclose(q["estimate"], p["estimate"], rtol=1e-12)
    np.testing.assert_allclose(q["se"], p["se"] * np.sqrt(poisson.dispersion), rtol=1e-8)
    assert quasi.dispersion == pytest.approx(poisson.dispersion, rel=1e-12)
    np.testing.assert_allclose(quasi.fitted, poisson.fitted, rtol=1e-12)


@pytest.mark.identity
@pytest.mark.parametrize("family", ["poisson", "quasipoisson", "negbin"])
def test_predict_on_the_fitting_data_equals_fitted(family):
    fit = trends.fit_counts(GEN, **GEN_MODEL, family=family)
    pred = fit.predict(GEN)
    np.testing.assert_allclose(pred["mean"], fit.fitted, rtol=1e-10)
    assert (pred["ci_low"] < pred["mean"]).all() and (pred["mean"] < pred["ci_high"]).all()


def poisson_series(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = GEN[["t", "month", "pop", "intervention"]].copy()
    eta = np.log(d["pop"] * 0.0005) + 0.004 * d["t"] + 0.2 * np.sin(2 * np.pi * d["month"] / 12)
    d["crimes"] = rng.poisson(np.exp(eta - 0.16 * d["intervention"]))
    return d


@pytest.mark.identity
def test_negbin_approaches_poisson_on_poisson_data():
    d = poisson_series(7)  # a Poisson draw with a little sample overdispersion
    poisson = trends.fit_counts(d, **GEN_MODEL)
    negbin = trends.fit_counts(d, **GEN_MODEL, family="negbin")
    assert negbin.theta > 1000  # variance mu (1 + mu / theta): within 12% of mu at mu ~ 125
    p, n = poisson.coefficients, negbin.coefficients
    assert (np.abs(n["estimate"] - p["estimate"]) < 0.05 * p["se"]).all()
    np.testing.assert_allclose(n["se"], p["se"], rtol=0.1)
    assert poisson.overdispersion_test["p_value"] > 0.05


@pytest.mark.identity
def test_negbin_without_overdispersion_is_the_poisson_model():
    """A Poisson draw with sum((y - mu)^2 - y) < 0: the likelihood peaks at theta = inf."""
    d = poisson_series(0)
    poisson = trends.fit_counts(d, **GEN_MODEL)
    with pytest.warns(RuntimeWarning, match="theta is infinite"):
        negbin = trends.fit_counts(d, **GEN_MODEL, family="negbin")
    assert negbin.theta == np.inf and poisson.overdispersion_test["statistic"] < 0
    pd.testing.assert_frame_equal(negbin.coefficients, poisson.coefficients)


@pytest.mark.identity
def test_hac_standard_errors_by_hand_and_order_of_rows():
    """Newey-West by hand: bread (X'WX)^-1, Bartlett-weighted autocovariances of the scores."""
    fit = trends.fit_counts(GEN, **GEN_MODEL, hac_lags=4)
    X = fit.model.exog
    u = X * (GEN["crimes"].to_numpy() - fit.fitted.to_numpy())[:, None]
    meat = u.T @ u
    for lag in range(1, 5):
        g = u[lag:].T @ u[:-lag]
        meat += (1 - lag / 5) * (g + g.T)
    bread = np.linalg.inv(X.T @ (X * fit.fitted.to_numpy()[:, None]))
    np.testing.assert_allclose(fit.coefficients["se"], np.sqrt(np.diag(bread @ meat @ bread)))
    # the rows are put in time order, so shuffled data give the same fit, aligned by index
    shuffled = GEN.sample(frac=1, random_state=1)
    again = trends.fit_counts(shuffled, **GEN_MODEL, hac_lags=4)
    pd.testing.assert_frame_equal(again.coefficients, fit.coefficients, rtol=1e-10)
    pd.testing.assert_series_equal(again.fitted.loc[GEN.index], fit.fitted, rtol=1e-10)
    # HAC needs no scale: quasi-Poisson gives Poisson's robust errors; zero lags are HC0
    quasi = trends.fit_counts(GEN, **GEN_MODEL, hac_lags=4, family="quasipoisson")
    np.testing.assert_allclose(quasi.coefficients["se"], fit.coefficients["se"], rtol=1e-10)
    assert quasi.distribution == "normal"
    hc0 = trends.fit_counts(GEN, **GEN_MODEL, hac_lags=0).coefficients["se"]
    white = fit.model.fit(cov_type="HC0").bse
    np.testing.assert_allclose(hc0, white, rtol=1e-8)


@pytest.mark.identity
def test_categorical_covariate_equals_its_indicators():
    d = GEN.assign(phase=np.where(GEN["t"] < 40, "a", np.where(GEN["t"] < 61, "b", "c")))
    d = d.assign(b=(d["phase"] == "b").astype(int), c=(d["phase"] == "c").astype(int))
    by_level = trends.fit_counts(d, **{**GEN_MODEL, "covariates": ["phase"]})
    by_hand = trends.fit_counts(d, **{**GEN_MODEL, "covariates": ["b", "c"]})
    assert list(by_level.rate_ratios.index[1:3]) == ["phase[b]", "phase[c]"]
    np.testing.assert_allclose(by_level.coefficients, by_hand.coefficients, rtol=1e-10)
    new = d.tail(3)
    pd.testing.assert_frame_equal(by_level.predict(new), by_hand.predict(new), rtol=1e-10)


@pytest.mark.identity
def test_interrupted_time_series_equals_fit_counts_on_its_terms():
    d = GEN.assign(level=(GEN["t"] >= 61).astype(float))
    d["slope"] = (d["t"] - 61) * d["level"]
    model = {k: v for k, v in GEN_MODEL.items() if k != "covariates"}
    direct = trends.fit_counts(d, covariates=["level", "slope"], family="negbin", **model)
    its = trends.interrupted_time_series(GEN, start=61, family="negbin", **model)
    for term, change in (("level", its.level_change), ("slope", its.slope_change)):
        got = pd.Series(change)[["rate_ratio", "ci_low", "ci_high", "p_value"]]
        np.testing.assert_allclose(got, direct.rate_ratios.loc[term], rtol=1e-8)
    # a start between observed times: same rows under the intervention, time measured from it
    half = trends.interrupted_time_series(GEN, start=60.5, slope_change=False, **model)
    full = trends.interrupted_time_series(GEN, start=61, slope_change=False, **model)
    assert half.level_change == pytest.approx(full.level_change, rel=1e-10)
    # the counterfactual is the fit before the start, and the fit without the step after it
    pre = GEN["t"] < 61
    np.testing.assert_allclose(its.counterfactual["mean"][pre], its.fitted[pre], rtol=1e-10)
    b = its.count_model.coefficients["estimate"]
    removed = np.exp(b["level_change"] + b["slope_change"] * (GEN["t"] - 61))
    np.testing.assert_allclose(
        its.counterfactual["mean"][~pre] * removed[~pre], its.fitted[~pre], rtol=1e-10
    )
    assert its.counterfactual.index.equals(GEN.index)


@pytest.mark.identity
def test_exposure_scale_changes_only_the_intercept():
    per_person = trends.fit_counts(GEN, **GEN_MODEL)
    per_100k = trends.fit_counts(GEN.assign(pop=GEN["pop"] / 1e5), **GEN_MODEL)
    pd.testing.assert_frame_equal(per_person.rate_ratios, per_100k.rate_ratios, rtol=1e-9)
    shift = per_100k.coefficients.loc["intercept", "estimate"]
    assert shift - per_person.coefficients.loc["intercept", "estimate"] == pytest.approx(
        np.log(1e5)
    )


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "kwargs", "message"),
    [
        (None, {"count": "nope"}, "column 'nope' is not in the data"),
        (None, {"exposure": "population"}, "column 'population' is not in the data"),
        (lambda d: d.assign(crimes=d["crimes"] - 200), {}, "non-negative whole numbers"),
        (lambda d: d.assign(crimes=d["crimes"] + 0.5), {}, "non-negative whole numbers"),
        (
            lambda d: d.assign(crimes=d["crimes"].where(d["t"] != 5)),
            {},
            r"missing values in rows \[4\]",
        ),
        (lambda d: d.assign(pop=d["pop"].where(d["t"] != 3, 0)), {}, r"positive; got \[0.0\]"),
        (lambda d: d.assign(pop=-d["pop"]), {}, "exposure column 'pop' must be positive"),
        (lambda d: d.assign(t=d["t"].astype(str)), {}, "time column 't' must be numeric"),
        (None, {"family": "binomial"}, "'family' parameter .* Got 'binomial'"),
        (None, {"distribution": "student"}, "'distribution' parameter"),
        (None, {"harmonics": 6}, "'harmonics' parameter .* below period / 2"),
        (None, {"harmonics": -1}, "'harmonics' parameter"),
        (None, {"period": 0}, "'period' parameter"),
        (None, {"hac_lags": -1}, "'hac_lags' parameter"),
        (None, {"ci_level": 95}, "'ci_level' parameter"),
        (lambda d: pd.concat([d, d]), {"hac_lags": 2}, "one row per time point"),
        (lambda d: d.assign(intervention=1), {}, "linearly dependent"),
        (lambda d: d.head(6), {}, "6 observations cannot fit 7 coefficients"),
    ],
)
def test_bad_input_is_refused(change, kwargs, message):
    data = GEN if change is None else change(GEN)
    with pytest.raises(ValueError, match=message):
        trends.fit_counts(data, **{**GEN_MODEL, **kwargs})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": 200}, "no observations under the intervention"),
        ({"start": 0}, "no observations before the intervention"),
        ({"start": "2020-01"}, "name the column of dates with date="),
        ({"start": "2020-01", "date": "t"}, "date column .t. holds numbers, not dates"),
        ({"start": "someday", "date": "when"}, "start='someday' is not a date"),
        ({"start": "2020-01", "date": "backwards"}, "are out of step"),
        ({"start": 61, "covariates": ["level_change"]}, "clash with the intervention terms"),
    ],
)
def test_bad_interrupted_time_series_input_is_refused(kwargs, message):
    when = pd.period_range("2015-01", periods=len(GEN), freq="M").astype(str)
    d = GEN.assign(when=when, backwards=when[::-1])
    model = {k: v for k, v in GEN_MODEL.items() if k != "covariates"}
    with pytest.raises(ValueError, match=message):
        trends.interrupted_time_series(d, **{**model, **kwargs})


def test_predict_refuses_unknown_levels_and_bad_exposure():
    d = GEN.assign(phase=np.where(GEN["t"] < 61, "before", "after"))
    fit = trends.fit_counts(d, **{**GEN_MODEL, "covariates": ["phase"]})
    with pytest.raises(ValueError, match=r"levels \['later'\] that the model was not fitted"):
        fit.predict(d.assign(phase="later"))
    with pytest.raises(ValueError, match="exposure column 'pop' must be positive"):
        fit.predict(d.assign(pop=0))
    with pytest.raises(ValueError, match="column 'month' is not in the data"):
        fit.predict(d.drop(columns="month"))


def test_result_tables_have_the_documented_columns():
    fit = trends.fit_counts(GEN, **GEN_MODEL)
    assert list(fit.rate_ratios.columns) == ["rate_ratio", "ci_low", "ci_high", "p_value"]
    assert list(fit.rate_ratios.index) == ["t", "intervention", "sin1", "cos1", "sin2", "cos2"]
    assert set(fit.overdispersion_test) == {"statistic", "p_value", "alpha"}
    assert fit.fitted.index.equals(GEN.index) and fit.theta is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trends.fit_counts(GEN, **GEN_MODEL, family="negbin")  # no warnings on regular data
