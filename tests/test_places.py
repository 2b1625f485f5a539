"""Crime concentration across places: Gini, Lorenz curve, concentration shares, LQ.

Reference numbers: the worked examples of the ``lorenzgini`` R package's documentation
(Steenbeek & Bernasco; ``?lorenzgini::gini``, ``unbiased = FALSE`` unless stated), at the
published precision (2 decimals), and the synthetic demo district's ``truth.json``. The
other expected values are hand calculations written out in each test; see tests/README.md.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sga_methods import places

from .conftest import ROOT

DEMO = ROOT / "data" / "synthetic" / "tashkent-chilanzar"


def _area(x: np.ndarray, y: np.ndarray) -> float:
    """Trapezoid area under a piecewise linear curve."""
    return float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2))


# --- Gini: published worked examples ------------------------------------------------------


@pytest.mark.reference
@pytest.mark.parametrize(
    ("counts", "generalized", "unbiased", "published"),
    [
        ([10, 8, 2] + [0] * 7, False, False, 0.78),  # 10 places, 20 crimes
        ([10, 8, 2] + [0] * 7, True, False, 0.78),  # N >= n: generalized = standard
        ([5, 2, 1] + [0] * 7, False, False, 0.80),  # 10 places, 8 crimes
        ([5, 2, 1] + [0] * 7, True, False, 0.75),
        ([10] + [0] * 9, False, False, 0.90),
        ([10] + [0] * 99, False, False, 0.99),
        ([10] + [0] * 9, False, True, 1.00),
        ([10] + [0] * 99, False, True, 1.00),
        ([3, 1, 1] + [0] * 7, False, False, 0.78),  # vignette, Figure 2: G = .78
    ],
)
def test_gini_matches_lorenzgini_documentation(counts, generalized, unbiased, published):
    got = places.gini(counts, generalized=generalized, unbiased=unbiased)
    assert round(got, 2) == published


@pytest.mark.reference
def test_gini_worked_examples_by_hand():
    # ascending order, G = sum (2i - n - 1) x_(i) / (n N):
    # [10, 8, 2, 0 x 7]: (5 x 2 + 7 x 8 + 9 x 10) / (10 x 20) = 156 / 200
    assert places.gini([10, 8, 2] + [0] * 7) == pytest.approx(156 / 200, abs=1e-15)
    # [5, 2, 1, 0 x 7]: (5 x 1 + 7 x 2 + 9 x 5) / (10 x 8) = 64 / 80; G' = (10/8)(0.8 - 1) + 1
    assert places.gini([5, 2, 1] + [0] * 7) == pytest.approx(0.8, abs=1e-15)
    assert places.gini([5, 2, 1] + [0] * 7, generalized=True) == pytest.approx(0.75, abs=1e-15)
    # unbiased generalized: m = min(n, N) = 8, 0.75 x 8 / 7
    got = places.gini([5, 2, 1] + [0] * 7, generalized=True, unbiased=True)
    assert got == pytest.approx(0.75 * 8 / 7, abs=1e-15)
    # unbiased standard: n = 10, 0.8 x 10 / 9
    assert places.gini([5, 2, 1] + [0] * 7, unbiased=True) == pytest.approx(0.8 * 10 / 9)


@pytest.mark.reference
def test_generalized_gini_of_the_vignette_figure_by_areas():
    # lorenzgini's vignette, Figure 2: 10 places, crimes 3 + 1 + 1. Lorenz curve (most crime
    # first) through (0, 0), (.1, .6), (.2, .8), (.3, 1), ..., (1, 1): area B = .03 + .07 + .09
    # + .7 = .89, so G = 2B - 1 = .78 (as captioned). Maximal equality reaches 1 at N/n = .5:
    # B_max = 1 - .5/2 = .75; G' = (B - B_max) / (1 - B_max) = .14 / .25 = .56. The caption
    # prints G' = .58, which none of lorenzgini::gini's variants gives (.78, .87, .56, .70):
    # we follow the package's code and the paper's definition, and document the difference.
    counts = [3, 1, 1] + [0] * 7
    assert places.gini(counts, generalized=True) == pytest.approx(0.56, abs=1e-15)
    assert places.gini(counts, generalized=True, unbiased=True) == pytest.approx(0.70)


# --- Gini: identities ------------------------------------------------------------------------

RNG = np.random.default_rng(20251125)
VECTORS = [
    RNG.poisson(3.0, 40).astype(float),  # more crimes than places
    RNG.poisson(0.3, 60).astype(float),  # fewer crimes than places
    np.r_[RNG.negative_binomial(1, 0.2, 25), np.zeros(15)].astype(float),
]


@pytest.mark.identity
@pytest.mark.parametrize("counts", VECTORS)
def test_gini_is_twice_the_area_between_lorenz_curve_and_diagonal(counts):
    curve = places.lorenz(counts)
    b = _area(curve["share_of_places"].to_numpy(), curve["share_of_crime"].to_numpy())
    assert places.gini(counts) == pytest.approx(2 * b - 1, abs=1e-12)
    # generalized: against the line of maximal equality, B_max = area under `equality`
    b_max = _area(curve["share_of_places"].to_numpy(), curve["equality"].to_numpy())
    n, total = counts.size, counts.sum()
    assert b_max == pytest.approx(1 - min(n, total) / (2 * n), abs=1e-12)
    expected = (b - b_max) / (1 - b_max)
    assert places.gini(counts, generalized=True) == pytest.approx(expected, abs=1e-12)


@pytest.mark.identity
@pytest.mark.parametrize("counts", VECTORS)
def test_gini_equals_mean_absolute_difference_formula(counts):
    # G = sum_i sum_j |x_i - x_j| / (2 n^2 mean)
    n = counts.size
    mad = np.abs(counts[:, None] - counts[None, :]).sum()
    assert places.gini(counts) == pytest.approx(mad / (2 * n**2 * counts.mean()), abs=1e-12)


@pytest.mark.identity
def test_gini_invariances_and_limits():
    counts = VECTORS[0]
    g = places.gini(counts)
    assert places.gini(counts[::-1]) == pytest.approx(g, abs=1e-14)  # order of places
    assert places.gini(7.5 * counts) == pytest.approx(g, abs=1e-14)  # scale
    assert places.gini(counts, generalized=True) == g  # N >= n
    assert places.gini(pd.Series(counts, index=[f"m{i}" for i in range(counts.size)])) == g
    assert places.gini([4, 4, 4, 4]) == 0.0  # perfect equality
    # fewer crimes than places: one crime at each of N places is maximal equality, G' = 0
    assert places.gini([1] * 6 + [0] * 14, generalized=True) == pytest.approx(0.0, abs=1e-14)
    assert places.gini([1] * 6 + [0] * 14) == pytest.approx(1 - 6 / 20)  # G = 1 - N/n
    # all crime at one place: G' = 1 - 1/N, unbiased 1
    assert places.gini([5] + [0] * 19, generalized=True) == pytest.approx(1 - 1 / 5)
    assert places.gini([5] + [0] * 19, generalized=True, unbiased=True) == pytest.approx(1.0)


# --- Lorenz curve -----------------------------------------------------------------------------


@pytest.mark.reference
def test_lorenz_curve_by_hand():
    # [10, 8, 2, 0 x 7]: most crime first; cumulative 10, 18, 20, 20, ... of 20; N >= n so the
    # equality line is the diagonal
    curve = places.lorenz([2, 0, 10, 0, 8, 0, 0, 0, 0, 0])
    assert list(curve.columns) == ["places", "share_of_places", "share_of_crime", "equality"]
    assert curve["places"].tolist() == list(range(11))
    np.testing.assert_allclose(curve["share_of_places"], np.arange(11) / 10)
    np.testing.assert_allclose(curve["share_of_crime"], [0, 0.5, 0.9] + [1.0] * 8)
    np.testing.assert_allclose(curve["equality"], np.arange(11) / 10)
    # [5, 2, 1, 0 x 7]: 8 crimes at 10 places, maximal equality reaches 1 at 8/10
    curve = places.lorenz([5, 2, 1] + [0] * 7)
    np.testing.assert_allclose(curve["share_of_crime"], [0, 5 / 8, 7 / 8] + [1.0] * 8)
    np.testing.assert_allclose(curve["equality"], np.r_[np.arange(8) / 8, 1, 1, 1])


# --- concentration shares -----------------------------------------------------------------


@pytest.mark.reference
def test_concentration_shares_whole_places_by_hand():
    # [10, 8, 2, 0 x 7], N = 20: the top place holds 10 = 50%, the top two 18 = 90%, the top
    # three 100%. 25% and 50% (exactly reached) need 1 place = 10%; 75% needs 2 = 20%
    # (holding 90%); 100% needs the 3 places with crime = 30%.
    out = places.concentration_shares([10, 8, 2] + [0] * 7, shares=(0.25, 0.5, 0.75, 1.0))
    assert " ".join(out.columns) == "share_of_crime places share_of_places places_pct share_held"
    np.testing.assert_allclose(out["share_of_crime"], [0.25, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(out["places"], [1, 1, 2, 3])
    np.testing.assert_allclose(out["share_of_places"], [0.1, 0.1, 0.2, 0.3])
    np.testing.assert_allclose(out["places_pct"], [10, 10, 20, 30])
    np.testing.assert_allclose(out["share_held"], [0.5, 0.5, 0.9, 1.0])


@pytest.mark.reference
def test_concentration_shares_interpolated_by_hand():
    # Lorenz curve (0, 0), (.1, .5), (.2, .9), (.3, 1): 25% is reached half-way through the
    # first place (0.5 places, 5%), 50% at 1 place; 75% at 1 + (.75 - .5) / (.9 - .5) = 1.625
    # places (16.25%); 100% at 2 + (1 - .9) / (1 - .9) = 3 places.
    out = places.concentration_shares(
        [10, 8, 2] + [0] * 7, shares=[0.25, 0.5, 0.75, 1.0], method="interpolate"
    )
    np.testing.assert_allclose(out["places"], [0.5, 1, 1.625, 3])
    np.testing.assert_allclose(out["places_pct"], [5, 10, 16.25, 30])
    np.testing.assert_allclose(out["share_held"], [0.25, 0.5, 0.75, 1.0])


@pytest.mark.reference
def test_share_of_crime_in_top_by_hand():
    counts = [6, 2, 1, 1, 0]  # 10 crimes at 5 places
    assert places.share_of_crime_in_top(counts) == pytest.approx(0.6)  # 1 place of 5
    assert places.share_of_crime_in_top(counts, 0.5) == pytest.approx(0.9)  # ceil(2.5) = 3
    assert places.share_of_crime_in_top(counts, 0.0) == 0.0
    assert places.share_of_crime_in_top(counts, 1.0) == pytest.approx(1.0)
    # interpolated at 0.3 places-share = 1.5 places: 0.6 + 0.5 x 0.2
    assert places.share_of_crime_in_top(counts, 0.3, method="interpolate") == pytest.approx(0.7)
    # 0.2 x 55 is 11.000000000000002 in floating point: still 11 places, not 12
    counts55 = np.r_[np.ones(11) * 10, np.ones(44)]
    assert places.share_of_crime_in_top(counts55, 0.2) == pytest.approx(110 / 154)


@pytest.mark.reference
def test_demo_top_fifth_of_mahallas_matches_truth():
    police = pd.read_csv(DEMO / "police_monthly.csv.gz", dtype={"iccs": str, "month": str})
    truth = json.loads((DEMO / "truth.json").read_text())["police"]
    by_mahalla = police.groupby("mahalla")["crimes"].sum()  # all sections and months
    assert by_mahalla.size == 56  # top 20% = ceil(11.2) = 12 mahallas
    got = places.share_of_crime_in_top(by_mahalla, 0.2)
    assert got == pytest.approx(truth["top20pct_mahallas_share_of_crimes"], rel=1e-9)
    assert got == pytest.approx(places.lorenz(by_mahalla)["share_of_crime"].iloc[12], abs=0)


@pytest.mark.identity
@pytest.mark.parametrize("counts", VECTORS)
def test_concentration_shares_invert_the_lorenz_curve(counts):
    n = counts.size
    shares = (0.1, 0.25, 0.5, 0.8, 1.0)
    whole = places.concentration_shares(counts, shares)
    for s, k, held in zip(shares, whole["places"], whole["share_held"], strict=True):
        # k whole places reach s, k - 1 do not
        assert places.share_of_crime_in_top(counts, k / n) == pytest.approx(held, abs=1e-12)
        assert held >= s - 1e-12
        assert places.share_of_crime_in_top(counts, (k - 1) / n) < s
    interp = places.concentration_shares(counts, shares, method="interpolate")
    for s, p in zip(shares, interp["share_of_places"], strict=True):
        got = places.share_of_crime_in_top(counts, p, method="interpolate")
        assert got == pytest.approx(s, abs=1e-12)
    assert (interp["places"] <= whole["places"] + 1e-12).all()
    # 100% of crime needs exactly the places with any crime
    assert whole["places"].iloc[-1] == np.count_nonzero(counts)


# --- location quotient ------------------------------------------------------------------------

LQ_DATA = pd.DataFrame(
    {
        "mahalla": ["A", "A", "A", "A", "B", "B", "C", "C", "C"],
        "iccs": "theft theft assault burglary theft assault theft assault burglary".split(),
        "crimes": [4, 2, 2, 2, 4, 6, 10, 2, 8],
    }
)


@pytest.mark.reference
def test_location_quotient_by_hand():
    # Place totals: A 10 (theft 6 = 4 + 2 in two rows), B 10 (no burglary row), C 20; area
    # 40 with theft 20 (50%), assault 10 (25%), burglary 10 (25%). LQ = share in place / share
    # in area: A theft .6/.5 = 1.2, A assault .2/.25 = .8, A burglary .8; B theft .8,
    # B assault .6/.25 = 2.4, B burglary 0; C theft .5/.5 = 1, C assault .1/.25 = .4,
    # C burglary .4/.25 = 1.6.
    out = places.location_quotient(LQ_DATA)
    assert " ".join(out.columns) == "mahalla iccs crimes share_in_place share_overall lq"
    lq = out.set_index(["mahalla", "iccs"])["lq"]
    expected = {
        "A": {"theft": 1.2, "assault": 0.8, "burglary": 0.8},
        "B": {"theft": 0.8, "assault": 2.4, "burglary": 0.0},
        "C": {"theft": 1.0, "assault": 0.4, "burglary": 1.6},
    }
    assert len(lq) == 9
    for place, row in expected.items():
        for category, value in row.items():
            assert lq[(place, category)] == pytest.approx(value, abs=1e-12), (place, category)
    crimes = out.set_index(["mahalla", "iccs"])["crimes"]
    assert crimes[("A", "theft")] == 6 and crimes[("B", "burglary")] == 0


@pytest.mark.identity
def test_location_quotients_average_to_one_on_the_demo():
    police = pd.read_csv(DEMO / "police_monthly.csv.gz", dtype={"iccs": str, "month": str})
    out = places.location_quotient(police, place="mahalla", category="iccs", count="crimes")
    assert len(out) == 56 * 10
    place_total = out.groupby("mahalla")["crimes"].transform("sum")
    # weighted by the places' totals, each category's LQs average to 1
    by_category = (out["lq"] * place_total).groupby(out["iccs"]).sum() / out["crimes"].sum()
    np.testing.assert_allclose(by_category, 1.0, rtol=1e-12)
    # weighted by the area's category shares, each place's LQs average to 1
    by_place = (out["lq"] * out["share_overall"]).groupby(out["mahalla"]).sum()
    np.testing.assert_allclose(by_place, 1.0, rtol=1e-12)
    # the shares agree with a direct groupby
    theft = police[police["iccs"] == "0502"].groupby("mahalla")["crimes"].sum()
    got = out[out["iccs"] == "0502"].set_index("mahalla")["crimes"]
    pd.testing.assert_series_equal(got, theft, check_names=False, check_dtype=False)


def test_location_quotient_of_a_place_without_crime_is_nan():
    df = pd.concat(
        [LQ_DATA, pd.DataFrame({"mahalla": ["D"], "iccs": ["theft"], "crimes": [0]})],
        ignore_index=True,
    )
    out = places.location_quotient(df)
    assert out.loc[out["mahalla"] == "D", "lq"].isna().all()
    assert out.loc[out["mahalla"] != "D", "lq"].notna().all()


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ([3, -1, 2], r"non-negative counts\. Got \[-1\.0\] at positions \[1\]"),
        ([3, np.nan, 2], r"finite, non-negative"),
        ([[1, 2], [3, 4]], r"1-D array .* Got shape \(2, 2\)"),
        ([], r"is empty"),
        ([0, 0, 0], r"sum to zero"),
        ("12", r"1-D array"),
    ],
)
def test_bad_counts(counts, message):
    with pytest.raises(ValueError, match=message):
        places.gini(counts)


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"more than one place"):
        places.gini([5], unbiased=True)
    with pytest.raises(ValueError, match=r"more than one crime"):
        places.gini([1, 0, 0], generalized=True, unbiased=True)
    with pytest.raises(ValueError, match=r"'shares' argument .* \(0, 1\]\. Got 1\.5"):
        places.concentration_shares([1, 2], shares=(0.5, 1.5))
    with pytest.raises(ValueError, match=r"'shares' argument .* Got 0\.0"):
        places.concentration_shares([1, 2], shares=(0.0,))
    with pytest.raises(ValueError, match=r"'method' argument .* Got 'nearest'"):
        places.concentration_shares([1, 2], method="nearest")
    with pytest.raises(ValueError, match=r"'share_of_places' argument .* Got -0\.2"):
        places.share_of_crime_in_top([1, 2], -0.2)
    with pytest.raises(ValueError, match=r"'count' column 'n' .* not in the data"):
        places.location_quotient(LQ_DATA, count="n")
    with pytest.raises(ValueError, match=r"must be different columns"):
        places.location_quotient(LQ_DATA, place="iccs")
    bad = LQ_DATA.assign(crimes=LQ_DATA["crimes"].astype(object))
    bad.loc[3, "crimes"] = -2
    with pytest.raises(ValueError, match=r"column 'crimes' .* row 3 has -2"):
        places.location_quotient(bad)
    bad = LQ_DATA.assign(iccs=LQ_DATA["iccs"].where(LQ_DATA.index != 5))
    with pytest.raises(ValueError, match=r"column 'iccs' has a missing value \(row 5\)"):
        places.location_quotient(bad)
