"""Joinpoint regression: a brute-force grid search, identities, synthetic truths, the demo district.

- identity: ``trends.joinpoint`` with a forced number of joinpoints agrees with a brute-force
  weighted least-squares search written here (``itertools`` over every index set, the
  admissibility rule counted out by hand, ``numpy.linalg.lstsq`` on a design with raw time):
  joinpoints, SSE, APCs with their intervals, fitted values, BIC; the AAPC over one segment
  equals its APC; the AAPC over any interval equals the change of the fitted log over it;
  the WBIC's partial R-squared equals the relative SSE drop of a local fit.
- regression (synthetic truths, seeded): known joinpoints and slopes are recovered; the
  permutation test, BIC and WBIC choose the true number of joinpoints (0, 1, 2) on clear
  series; the demo district's planted trend break at 2019 (truth.json["police"]) is found.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sga_methods import trends
from sga_methods.trends import _joinpoint_select as grid

from .conftest import ROOT

DEMO = ROOT / "data" / "synthetic" / "tashkent-chilanzar"
RTOL = 1e-8


def make_series(
    slopes: list[float], taus: list[float], *, n: int = 22, sd: float = 0.015, seed: int = 0
) -> pd.DataFrame:
    """Log-linear segments with ``slopes`` joined at ``taus`` plus N(0, sd) noise."""
    years = np.arange(2000, 2000 + n, dtype=float)
    log_rate = np.log(100.0) + slopes[0] * (years - 2000)
    for tau, before, after in zip(taus, slopes[:-1], slopes[1:], strict=True):
        log_rate += (after - before) * np.maximum(years - tau, 0.0)
    noise = np.random.default_rng(seed).normal(0.0, sd, n)
    return pd.DataFrame({"year": years, "rate": np.exp(log_rate + noise)})


def admissible(n: int, k: int, end: int, between: int):
    """Index sets with >= end observations before the first / after the last joinpoint and
    >= between observations strictly between joinpoints (joinpoints not counted)."""
    for combo in itertools.combinations(range(n), k):
        if k == 0:
            yield combo
            continue
        before, after = combo[0], n - 1 - combo[-1]
        gaps = [b - a - 1 for a, b in itertools.pairwise(combo)]
        if before >= end and after >= end and all(g >= between for g in gaps):
            yield combo


def brute_force(t, y, w, k, end=2, between=2, level=0.95):
    """Best k-joinpoint WLS fit by exhaustive search, with APCs and their t intervals."""
    n, sw, logy = len(t), np.sqrt(w), np.log(y)
    best = None
    for combo in admissible(n, k, end, between):
        x = np.column_stack([np.ones(n), t, *(np.clip(t - t[i], 0, None) for i in combo)])
        beta, *_ = np.linalg.lstsq(x * sw[:, None], sw * logy, rcond=None)
        sse = float(np.sum((sw * (logy - x @ beta)) ** 2))
        if best is None or sse < best["sse"]:
            best = {"sse": sse, "combo": combo, "x": x, "beta": beta}
    x, beta = best["x"], best["beta"]
    df = n - 2 * k - 2
    root = np.linalg.pinv(x * sw[:, None])  # (X'WX)^-1 = pinv(W^1/2 X) pinv(W^1/2 X)'
    cov = best["sse"] / df * root @ root.T
    contrast = np.array([[0, 1] + [1 if j < s else 0 for j in range(k)] for s in range(k + 1)])
    slope = contrast @ beta
    se = np.sqrt(np.diag(contrast @ cov @ contrast.T))
    q = stats.t.ppf(0.5 + level / 2, df)
    return {
        "joinpoints": [float(t[i]) for i in best["combo"]],
        "sse": best["sse"],
        "fitted": np.exp(x @ beta),
        "apc": 100 * (np.exp(slope) - 1),
        "ci_low": 100 * (np.exp(slope - q * se) - 1),
        "ci_high": 100 * (np.exp(slope + q * se) - 1),
        "se": se,
        "bic": np.log(best["sse"] / n) + (2 * k + 2) * np.log(n) / n,
    }


# --- identity: against the brute-force search ------------------------------------------


@pytest.mark.identity
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(("end", "between"), [(2, 2), (1, 0), (3, 1)])
@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_forced_fit_matches_brute_force_wls(k, end, between, weighted):
    data = make_series([0.03, -0.02, 0.04, -0.01], [2004, 2008, 2012], n=16, sd=0.02, seed=k)
    rng = np.random.default_rng(10 + k)
    data["w"] = 1 / rng.uniform(0.01, 0.05, len(data)) ** 2 if weighted else 1.0
    jp = trends.joinpoint(
        data.sample(frac=1, random_state=1),  # row order must not matter
        "year",
        "rate",
        weights="w" if weighted else None,
        n_joinpoints=k,
        min_obs_end=end,
        min_obs_between=between,
    )
    t, y, w = (data[c].to_numpy(float) for c in ("year", "rate", "w"))
    ref = brute_force(t, y, w, k, end, between)
    assert jp.joinpoints == ref["joinpoints"] and jp.n_joinpoints == k
    seg = jp.segments
    for col in ("apc", "ci_low", "ci_high", "se"):
        np.testing.assert_allclose(seg[col], ref[col], rtol=RTOL, atol=1e-12, err_msg=col)
    np.testing.assert_allclose(jp.fitted.to_numpy(), ref["fitted"], rtol=RTOL)
    assert jp.fitted.index.tolist() == t.tolist()
    np.testing.assert_allclose(jp.summary.at[k, "sse"], ref["sse"], rtol=1e-7)
    np.testing.assert_allclose(jp.summary.at[k, "bic"], ref["bic"], rtol=1e-7)
    assert seg["start"].tolist() == [t[0], *ref["joinpoints"]]
    assert seg["end"].tolist() == [*ref["joinpoints"], t[-1]]


@pytest.mark.identity
@pytest.mark.parametrize(
    ("n", "k", "end", "between"), [(16, 3, 2, 2), (12, 2, 1, 0), (15, 2, 3, 1)]
)
def test_grid_is_the_admissible_sets(n, k, end, between):
    expected = [list(c) for c in admissible(n, k, end, between)]
    assert grid.candidate_sets(n, k, end, between).tolist() == expected
    # NCI's minimum length: one observation fewer leaves no admissible set
    need = grid.min_obs_required(k, end, between)
    assert len(list(admissible(need, k, end, between))) == 1
    assert len(list(admissible(need - 1, k, end, between))) == 0


@pytest.mark.identity
def test_weights_as_column_or_array_and_ols_as_unit_weights():
    data = make_series([0.03, -0.02], [2010], seed=4)
    data["w"] = np.linspace(1, 3, len(data))
    by_name = trends.joinpoint(data, "year", "rate", weights="w", n_joinpoints=1)
    by_array = trends.joinpoint(data, "year", "rate", weights=data["w"].to_numpy(), n_joinpoints=1)
    pd.testing.assert_frame_equal(by_name.segments, by_array.segments)
    ols = trends.joinpoint(data, "year", "rate", n_joinpoints=1)
    ones = trends.joinpoint(data, "year", "rate", weights=np.full(len(data), 7.0), n_joinpoints=1)
    pd.testing.assert_frame_equal(ols.segments, ones.segments)  # only relative weights count


# --- identity: AAPC ------------------------------------------------------------------


@pytest.mark.identity
@pytest.mark.parametrize("k", [0, 1, 2])
def test_aapc_over_one_segment_is_its_apc(k):
    data = make_series([0.05, -0.03, 0.02][: k + 1], [2007, 2014][:k], seed=2)
    jp = trends.joinpoint(data, "year", "rate", n_joinpoints=k)
    for _, seg in jp.segments.iterrows():
        one = jp.aapc(seg["start"], seg["end"]).iloc[0]
        for col in ("ci_low", "ci_high", "slope", "se", "p_value"):
            np.testing.assert_allclose(one[col], seg[col], rtol=1e-12, err_msg=col)
        np.testing.assert_allclose(one["aapc"], seg["apc"], rtol=1e-12)
        # any sub-interval of a segment too
        mid = (seg["start"] + seg["end"]) / 2
        np.testing.assert_allclose(jp.aapc(seg["start"], mid)["aapc"].iloc[0], seg["apc"])


@pytest.mark.identity
@pytest.mark.parametrize(("start", "end"), [(None, None), (2003.5, 2016), (2009, 2021)])
def test_aapc_is_the_change_of_the_fitted_log(start, end):
    """Sum_s w_s b_s is the rise of the continuous fitted log line over [start, end]."""
    data = make_series([0.05, -0.03, 0.02], [2007, 2014], seed=3)
    jp = trends.joinpoint(data, "year", "rate", n_joinpoints=2)
    a, b = start or 2000.0, end or 2021.0
    out = jp.aapc(start, end).iloc[0]
    log_a, log_b = np.log(jp.predict([a, b]))
    np.testing.assert_allclose(out["slope"], (log_b - log_a) / (b - a), rtol=1e-10)
    # its variance from the design rows at the two ends: c = (x(b) - x(a)) / (b - a)
    x = grid.design(np.array([2000.0, a, b]), np.array(jp.joinpoints))
    c = (x[2] - x[1]) / (b - a)
    np.testing.assert_allclose(out["se"], np.sqrt(c @ jp.cov_params @ c), rtol=1e-10)
    q = stats.t.ppf(0.975, jp.df)
    np.testing.assert_allclose(out["ci_low"], 100 * np.expm1(out["slope"] - q * out["se"]))
    assert (out["start"], out["end"]) == (a, b)


@pytest.mark.identity
def test_wbic_weight_is_the_local_partial_r2():
    """R2 of joinpoint i = relative SSE drop when its hinge joins a line on its two segments."""
    data = make_series([0.05, -0.03, 0.02], [2007, 2014], seed=5, sd=0.03)
    jp = trends.joinpoint(data, "year", "rate", n_joinpoints=2)
    t, logy = data["year"].to_numpy(), np.log(data["rate"].to_numpy())
    taus = jp.joinpoints
    edges = [-np.inf, *taus, t[-1]]
    r2 = []
    for i, tau in enumerate(taus, start=1):
        keep = (t > edges[i - 1]) & (t <= edges[i + 1])
        line = np.column_stack([np.ones(keep.sum()), t[keep]])
        full = np.column_stack([line, np.clip(t[keep] - tau, 0, None)])
        sse0 = np.linalg.lstsq(line, logy[keep], rcond=None)[1][0]
        sse1 = np.linalg.lstsq(full, logy[keep], rcond=None)[1][0]
        r2.append((sse0 - sse1) / sse0)
    row = jp.summary.loc[2]
    np.testing.assert_allclose(row["r2_max"], max(r2), rtol=1e-8)
    n, sse = len(t), row["sse"]
    wbic = np.log(sse / n) + ((2 + max(r2)) * 2 + 2) * np.log(n) / n
    np.testing.assert_allclose(row["wbic"], wbic, rtol=1e-10)
    np.testing.assert_allclose(row["wbic"], (1 - max(r2)) * row["bic"] + max(r2) * row["bic3"])


# --- regression: synthetic truths ------------------------------------------------------


@pytest.mark.regression
def test_recovers_known_joinpoints_and_slopes():
    slopes, taus = [0.05, -0.04, 0.03], [2007.0, 2015.0]
    data = make_series(slopes, taus, n=24, sd=0.01, seed=11)
    jp = trends.joinpoint(data, "year", "rate", n_joinpoints=2)
    assert jp.joinpoints == taus
    seg = jp.segments
    true_apc = 100 * np.expm1(slopes)
    assert ((seg["ci_low"] < true_apc) & (true_apc < seg["ci_high"])).all()
    np.testing.assert_allclose(seg["apc"], true_apc, atol=0.3)
    assert jp.df == 24 - 6


CASES = {0: ([0.03], []), 1: ([0.04, -0.04], [2010.0]), 2: ([0.05, -0.03, 0.04], [2007.0, 2015.0])}


@pytest.mark.regression
@pytest.mark.parametrize("selection", ["permutation", "bic", "wbic"])
@pytest.mark.parametrize("k", [0, 1, 2])
def test_selection_finds_the_true_number_of_joinpoints(k, selection):
    """On 10 seeded series (n = 22, sd 0.015, slope changes >= 0.07) at least 8 get k right.

    Known behaviour (Kim et al. 2009; NCI): BIC over-fits more often than the permutation
    test and WBIC; a run of 20 seeds gave 15-18 of 20 right for k = 0 and 16-20 otherwise.
    """
    slopes, taus = CASES[k]
    right = 0
    for seed in range(10):
        data = make_series(slopes, taus, seed=seed)
        jp = trends.joinpoint(
            data, "year", "rate", selection=selection, n_permutations=99, seed=seed
        )
        assert jp.selection.method == selection and jp.selection.n_joinpoints == jp.n_joinpoints
        if jp.n_joinpoints == k:
            right += 1
            assert np.abs(np.subtract(jp.joinpoints, taus)).max(initial=0) <= 1
    assert right >= 8, f"{selection} chose {k} joinpoints in only {right} of 10 series"


@pytest.mark.regression
def test_permutation_sequence_and_levels():
    """Sequential tests 0 vs 3, 1 vs 3, 2 vs 3 at alpha / (3 - k_a) (NCI's adjustment)."""
    data = make_series(*CASES[2], seed=0)
    jp = trends.joinpoint(data, "year", "rate", n_permutations=99, seed=1)
    table = jp.selection.table
    assert table[["k_null", "k_alt"]].values.tolist() == [[0, 3], [1, 3], [2, 3]]
    np.testing.assert_allclose(table["level"], [0.05 / 3, 0.05 / 2, 0.05])
    assert table["reject"].tolist() == [True, True, False] and jp.n_joinpoints == 2
    assert table["p_value"].iloc[0] == pytest.approx(1 / 100)  # no permutation does better
    bonf = trends.joinpoint(
        data, "year", "rate", n_permutations=99, seed=1, alpha_adjustment="bonferroni"
    )
    np.testing.assert_allclose(bonf.selection.table["level"], 0.05 / 3)
    again = trends.joinpoint(data, "year", "rate", n_permutations=99, seed=1)
    pd.testing.assert_frame_equal(again.selection.table, table)  # a seed reproduces the run


@pytest.mark.regression
def test_permutation_test_holds_its_level_without_a_joinpoint():
    """40 seeded straight-line series (n = 16): the 0-vs-1 test rejects at alpha = 0.05 in 2
    (at most 6 allowed) and p < 0.5 in 19 (12-28 allowed), as a valid test should."""
    years = np.arange(2000, 2016.0)
    p = []
    for seed in range(40):
        noise = np.random.default_rng(100 + seed).normal(0, 0.02, years.size)
        data = pd.DataFrame({"year": years, "rate": np.exp(0.03 * (years - 2000) + noise)})
        jp = trends.joinpoint(data, "year", "rate", max_joinpoints=1, n_permutations=99, seed=seed)
        p.append(jp.selection.table["p_value"].iloc[0])
    p = np.array(p)
    assert (p < 0.05).sum() <= 6 and 12 <= (p < 0.5).sum() <= 28


# --- the synthetic demo district --------------------------------------------------------


def demo_annual_rates() -> pd.DataFrame:
    """Police-recorded crimes per 100,000 residents per year, all sections and mahallas."""
    police = pd.read_csv(DEMO / "police_monthly.csv.gz")
    people = pd.read_csv(DEMO / "population_monthly.csv")
    crimes = police.groupby("year")["crimes"].sum()
    people["year"] = people["month"].str[:4].astype(int)
    residents = people.groupby(["year", "month"])["residents"].sum().groupby("year").mean()
    rate = crimes / residents.loc[crimes.index] * 100_000
    return pd.DataFrame({"year": crimes.index, "rate": rate.to_numpy()})


@pytest.mark.regression
def test_demo_district_trend_break():
    """truth.json: +3%/yr before 2019-01, -2%/yr after, and a 20% cut in 3 sections from
    2021-07, so the total falls faster than 2% after 2019. Found: a joinpoint at 2019,
    APC +2.5% (95% CI 0.8 to 4.3, covering the planted 3%) for 2015-2019 and -4.3%
    (-5.6 to -3.1) for 2019-2024; BIC, WBIC and the permutation test all choose 1 joinpoint.
    """
    truth = json.loads((DEMO / "truth.json").read_text())["police"]
    data = demo_annual_rates()
    assert data["year"].tolist() == list(range(2015, 2025))
    jp = trends.joinpoint(data, "year", "rate", n_joinpoints=1)
    assert jp.joinpoints[0] in (2018.0, 2019.0)
    before, after = jp.segments.itertuples()
    assert before.apc > 0 and before.ci_low > 0
    assert after.apc < 0 and after.ci_high < 0
    assert before.ci_low < truth["trend_pre_pct_per_year"] < before.ci_high
    assert after.apc < truth["trend_post_pct_per_year"]
    for selection in ("permutation", "bic", "wbic"):
        chosen = trends.joinpoint(
            data, "year", "rate", max_joinpoints=2, selection=selection, n_permutations=199
        )
        assert chosen.joinpoints == jp.joinpoints, selection


# --- bad input -------------------------------------------------------------------------


def test_bad_input_is_named():
    data = make_series([0.03, -0.02], [2010])
    with pytest.raises(ValueError, match="must be positive"):
        trends.joinpoint(data.assign(rate=data["rate"].where(data.index != 3, 0.0)), "year", "rate")
    with pytest.raises(ValueError, match=r"'selection' parameter .* Got 'aic'"):
        trends.joinpoint(data, "year", "rate", selection="aic")
    with pytest.raises(ValueError, match=r"'y' column 'crimes' .* not in the data"):
        trends.joinpoint(data, "year", "crimes")
    with pytest.raises(ValueError, match=r"more than once"):
        trends.joinpoint(pd.concat([data, data.iloc[:1]]), "year", "rate")
    with pytest.raises(ValueError, match="weights of joinpoint must be positive"):
        trends.joinpoint(data, "year", "rate", weights=np.zeros(len(data)))
    with pytest.raises(ValueError, match="22 finite numbers"):
        trends.joinpoint(data, "year", "rate", weights=[1.0, 2.0])
    with pytest.raises(ValueError, match=r"'n_joinpoints' parameter .* integer >= 0"):
        trends.joinpoint(data, "year", "rate", n_joinpoints=-1)
    with pytest.raises(ValueError, match=r"'time' column 'year' .* missing"):
        trends.joinpoint(data.assign(year=data["year"].where(data.index != 2)), "year", "rate")


def test_too_few_observations_for_the_constraints():
    short = make_series([0.03, -0.02], [2005], n=10)
    # k = 3 with 2 at the ends and 2 between needs 2*2 + 2*2 + 3 = 11 observations
    with pytest.raises(
        ValueError, match=r"10 observations are too few for 3 joinpoints.*at most 2"
    ):
        trends.joinpoint(short, "year", "rate")
    with pytest.raises(ValueError, match="need 5"):
        trends.joinpoint(short.head(4), "year", "rate", n_joinpoints=1)
    assert trends.joinpoint(short, "year", "rate", max_joinpoints=2, selection="bic").df >= 1


def test_aapc_interval_outside_the_data():
    jp = trends.joinpoint(make_series([0.03, -0.02], [2010]), "year", "rate", n_joinpoints=1)
    with pytest.raises(ValueError, match="start < end"):
        jp.aapc(2010, 2010)
    with pytest.raises(ValueError, match="observed time range"):
        jp.aapc(1990, 2010)
