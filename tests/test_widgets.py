"""Interactive explorers: their numbers, their widgets and their errors (no browser, no kernel).

Kinds: identity (the explorers' pure functions equal direct calls of the victimization and
indicator functions on the same design, or on a design built here by hand from the demo
parameter file; incidence = prevalence x concentration), behaviour (widgets constructed
and driven programmatically: the Output's captured outputs change and hold a table and a
plot) and regression (error messages).
"""

from __future__ import annotations

import base64
import re

import numpy as np
import pandas as pd
import pytest

from sga_methods import SurveyDesign, widgets
from sga_methods import indicators as ind
from sga_methods import params as sga_params
from sga_methods import victimization as vic
from sga_methods.data import read_source
from sga_methods.params import DistrictParams, Weighting

from .conftest import DEMO_PARAMS

P = sga_params.load(DEMO_PARAMS)
OPT = P.options
SURVEY = read_source(P, "survey")
CACHE = widgets.DesignCache(P, SURVEY)
COLUMNS = ["estimate", "se", "ci_low", "ci_high", "n"]
# The demo parameter file's design block, spelled out (parameters/tashkent-chilanzar.yaml).
DESIGN = {"strata": "stratum", "psu": ["mahalla", "hh_id"], "fpc": ["psu_prob", "hh_prob"],
          "pps": "brewer"}  # fmt: skip
OFFICIALS = ("police", "courts", "health", "education", "tax", "registry", "utilities",
             "local_admin")  # fmt: skip
SERVICES = {s: (f"used_{s}", f"sat_{s}") for s in ("health", "education", "govservices")}


def district(unit: str = "person") -> SurveyDesign:
    return P.survey_design(SURVEY, unit=unit)  # type: ignore[arg-type]


def by_hand(unit: str = "person") -> SurveyDesign:
    """The design with design weights only, built here from the parameter file's columns."""
    return SurveyDesign(SURVEY, weights="hh_weight" if unit == "household" else "weight", **DESIGN)


def same(explored: pd.DataFrame, direct: pd.DataFrame, by: str | None = None) -> None:
    """``explored`` (overall row, then one per level of ``by``) equals ``direct``."""
    if by is None:
        got = explored[COLUMNS].reset_index(drop=True)
    else:
        got = explored.loc[explored["group"] != "All", COLUMNS].reset_index(drop=True)
        labels = ind.LEVEL_LABELS.get(by, {})
        levels = [labels.get(v, str(v)) for v in direct[by]]
        assert explored.loc[explored["group"] != "All", "level"].tolist() == levels
    pd.testing.assert_frame_equal(got, direct[COLUMNS].reset_index(drop=True), rtol=1e-12)


def explore(**kw: object) -> pd.DataFrame:
    return widgets.explore_victimization(P, SURVEY, designs=CACHE, **kw)  # type: ignore[arg-type]


def direct_rate(design: SurveyDesign, crime: str, measure: str, **kw: object) -> pd.DataFrame:
    months = kw.pop("months", 12)
    if measure == "reporting_rate":
        count = vic.count_column(crime, 12)
        return vic.reporting_rate(design, victim=count, reported=f"rep_{crime}", **kw)  # type: ignore[arg-type]
    return getattr(vic, measure)(design, vic.count_column(crime, months), **kw)


# ---------------------------------------------------------------------------- identity
@pytest.mark.identity
@pytest.mark.parametrize("measure", list(widgets.MEASURES))
@pytest.mark.parametrize(
    ("crime", "unit"), [("burglary", "household"), ("assault_threat", "person")]
)
def test_victimization_equals_direct_calls(measure, crime, unit):
    """District's options, overall and by sex, on the district's (raked) design."""
    d = district(unit)
    options = {"ci_method": OPT.ci_method} if measure in ("prevalence", "reporting_rate") else {
        "cap": OPT.series_cap}  # fmt: skip
    for by in (None, "sex"):
        got = explore(crime=crime, measure=measure, by=by)
        same(got, direct_rate(d, crime, measure, by=by, ci_level=OPT.ci_level, **options), by)
        assert (got["label"].iloc[0] == vic.CRIME_TYPES[crime].label) == (by is None)


@pytest.mark.identity
@pytest.mark.parametrize(
    ("choices", "direct"),
    [
        ({"measure": "prevalence", "months": 60, "ci_method": "wilson"},
         {"months": 60, "ci_method": "wilson"}),
        ({"measure": "prevalence", "ci_method": "beta", "by": "education"},
         {"ci_method": "beta", "by": "education"}),
        ({"measure": "incidence", "months": 60, "cap": "p98", "by": "stratum"},
         {"months": 60, "cap": "p98", "by": "stratum"}),
        ({"measure": "concentration", "cap": 5, "by": "employment"},
         {"cap": 5, "by": "employment"}),
        ({"measure": "reporting_rate", "ci_method": "wald", "by": "disability"},
         {"ci_method": "wald", "by": "disability"}),
    ],
)  # fmt: skip
def test_choices_reach_the_estimators(choices, direct):
    got = explore(crime="theft_personal", **choices)
    want = direct_rate(district(), "theft_personal", choices["measure"], ci_level=OPT.ci_level,
                       **direct)  # fmt: skip
    same(got, want, direct.get("by"))
    assert got["months"].iloc[0] == choices.get("months", 12)


@pytest.mark.identity
@pytest.mark.parametrize(("crime", "unit"), [("vehicle_theft", "household"), ("robbery", "person")])
def test_design_weights_only_equal_a_design_built_by_hand(crime, unit):
    """'design' = the parameter file's design without raking; 'district' = the raked one."""
    weights = CACHE.get(unit, "design").weights  # type: ignore[arg-type]
    np.testing.assert_array_equal(weights, by_hand(unit).weights)
    np.testing.assert_array_equal(CACHE.get(unit, "district").weights, district(unit).weights)  # type: ignore[arg-type]
    got = explore(crime=crime, by="age_group", weighting="design")
    same(got, direct_rate(by_hand(unit), crime, "prevalence", by="age_group",
                          ci_level=OPT.ci_level, ci_method=OPT.ci_method), "age_group")  # fmt: skip
    raked = explore(crime=crime, by="age_group")
    # The demo's household weights already reproduce the household targets by stratum, so
    # raking leaves them (and household rates) unchanged; person weights move.
    assert np.allclose(got["estimate"], raked["estimate"]) == (unit == "household")


@pytest.mark.identity
@pytest.mark.parametrize("cap", [None, 10, "p98"])
def test_incidence_is_prevalence_times_concentration(cap):
    kw = {"crime": "assault_threat", "by": "age_group", "weighting": "design"}
    prev = explore(measure="prevalence", **kw)["estimate"]
    conc = explore(measure="concentration", cap=cap, **kw)["estimate"]
    inc = explore(measure="incidence", cap=cap, **kw)["estimate"]
    np.testing.assert_allclose(inc, prev * conc * 10, rtol=1e-10)


def direct_indicator(key: str, design: SurveyDesign, **kw: object) -> pd.DataFrame:
    """The indicators as the workbooks (01, 02, 03, 08) call them."""
    contact = [f"contact_{o}" for o in OFFICIALS]
    asked_or_paid = [f"bribe_asked_{o}" for o in OFFICIALS] + [f"bribe_paid_{o}" for o in OFFICIALS]
    calls = {
        "16.1.3": lambda: ind.sdg_16_1_3(design, months=12, **kw),
        "16.1.4": lambda: ind.sdg_16_1_4(design, "feel_safe_dark", safe=(3, 4), never=5,
                                         would="feel_safe_dark_would", **kw),
        "16.3.1": lambda: ind.sdg_16_3_1(design, months=12, **kw),
        "16.5.1": lambda: ind.sdg_16_5_1(design, contact=contact, bribe=asked_or_paid, **kw),
        "11.7.2": lambda: ind.sdg_11_7_2(design, **kw),
        "16.6.2": lambda: ind.sdg_16_6_2(design, SERVICES, satisfied=(3, 4), components=False,
                                         **kw),
        "16.7.2": lambda: ind.sdg_16_7_2(design, "have_say", "have_influence", agree=(3, 4, 5),
                                         components=False, **kw),
    }  # fmt: skip
    return calls[key]()


@pytest.mark.identity
@pytest.mark.parametrize("key", list(widgets.INDICATORS))
def test_indicators_equal_direct_calls(key):
    for by in (None, "age_group"):
        got = widgets.explore_indicator(P, SURVEY, indicator=key, by=by, designs=CACHE)
        want = direct_indicator(
            key, district(), by=by, ci_level=OPT.ci_level, ci_method=OPT.ci_method
        )
        same(got, want, by)
    got = widgets.explore_indicator(
        P, SURVEY, indicator=key, by="stratum", ci_method="beta", weighting="design", designs=CACHE
    )
    want = direct_indicator(key, by_hand(), by="stratum", ci_level=OPT.ci_level, ci_method="beta")
    same(got, want, "stratum")


@pytest.mark.identity
def test_district_without_weighting_has_one_scheme():
    plain = P.model_copy(update={"weighting": Weighting()})
    a = widgets.explore_indicator(plain, SURVEY, indicator="16.1.4", weighting="district")
    b = widgets.explore_indicator(plain, SURVEY, indicator="16.1.4", weighting="design")
    pd.testing.assert_frame_equal(a.drop(columns="weighting"), b.drop(columns="weighting"))
    explorer = widgets.indicator_explorer(plain, SURVEY, indicators=["16.1.4"])
    assert [v for _, v in explorer.controls["weighting"].options] == ["district"]


# --------------------------------------------------------------------------- behaviour
def shown(explorer: widgets.Explorer) -> tuple[str, bytes]:
    """The HTML table and the PNG plot the explorer's Output holds."""
    outputs = explorer.output.outputs
    assert len(outputs) == 2, outputs
    table, plot = (o["data"] for o in outputs)
    assert all(o["output_type"] == "display_data" for o in outputs)
    png = base64.b64decode(plot["image/png"])
    assert png.startswith(b"\x89PNG")
    return table["text/html"], png


def test_victimization_explorer_updates_on_change():
    explorer = widgets.victimization_explorer(P, SURVEY, crime="burglary")
    grid, output = explorer.children
    assert output is explorer.output
    assert list(grid.children) == list(explorer.controls.values())
    assert list(explorer.controls) == ["crime", "measure", "by", "months", "ci_method",
                                       "weighting", "cap"]  # fmt: skip
    html, png = shown(explorer)
    assert '<table class="sga-table">' in html and "Prevalence of burglary" in html
    assert explorer.controls["ci_method"].value == OPT.ci_method
    assert explorer.controls["months"].value == P.reference_period.victimization_months

    grid.children[2].value = "sex"  # by, set through the widget tree
    html2, _ = shown(explorer)
    assert html2 != html and "female" in html2 and "male" in html2
    same(explorer.result, explore(crime="burglary", by="sex"), None)

    explorer.controls["measure"].value = "incidence"
    explorer.controls["cap"].value = "p98"
    html3, png3 = shown(explorer)
    assert "per 1,000 households" in html3 and "series cap: p98" in html3 and png3 != png
    assert explorer.controls["ci_method"].disabled and not explorer.controls["cap"].disabled
    same(explorer.result, explore(crime="burglary", by="sex", measure="incidence", cap="p98"))


def test_reporting_rate_fixes_the_period_and_disables_the_cap():
    explorer = widgets.victimization_explorer(P, SURVEY, crime="robbery")
    c = explorer.controls
    c["months"].value = 60
    assert "past 5 years" in shown(explorer)[0]
    c["measure"].value = "reporting_rate"
    assert c["months"].value == 12 and c["months"].disabled and c["cap"].disabled
    assert not c["ci_method"].disabled
    assert "% of victims" in shown(explorer)[0] and "past 12 months" in shown(explorer)[0]
    assert explorer.error is None


def test_explorers_build_each_design_once(monkeypatch):
    built = []
    original = DistrictParams.survey_design

    def counting(self, data, *, unit="person"):
        built.append((unit, self.weighting.method))
        return original(self, data, unit=unit)

    monkeypatch.setattr(DistrictParams, "survey_design", counting)
    explorer = widgets.victimization_explorer(P, SURVEY, crime="assault_threat")
    c = explorer.controls
    for crime in ("burglary", "robbery", "burglary", "fraud"):
        c["crime"].value = crime
        c["weighting"].value = "design"
        c["weighting"].value = "district"
    assert sorted(built) == [("household", "none"), ("household", "rake"), ("person", "none"),
                             ("person", "rake")]  # fmt: skip
    assert len(explorer.designs) == 4


def test_indicator_explorer_updates_on_change():
    explorer = widgets.indicator_explorer(P, SURVEY, indicators=["16.1.4", "11.7.2"])
    assert [v for _, v in explorer.controls["indicator"].options] == ["16.1.4", "11.7.2"]
    html, _ = shown(explorer)
    assert "SDG 16.1.4" in html and "at the time of the interview" in html
    explorer.children[0].children[0].value = "11.7.2"
    html2, _ = shown(explorer)
    assert "SDG 11.7.2" in html2 and "past 12 months" in html2
    explorer.controls["by"].value = "disability"
    html3, _ = shown(explorer)
    assert "with disability" in html3
    explorer.controls["weighting"].value = "design"
    assert "design weights only" in shown(explorer)[0]
    want = widgets.explore_indicator(P, SURVEY, indicator="11.7.2", by="disability",
                                     weighting="design")  # fmt: skip
    pd.testing.assert_frame_equal(explorer.result, want)


def test_disclosure_control_applies_in_the_explorer():
    """Small domains are suppressed as in the reports (min_n from the parameters)."""
    explorer = widgets.victimization_explorer(P, SURVEY, crime="sexual", by="disability")
    explorer.controls["measure"].value = "reporting_rate"
    assert explorer.result is not None and (explorer.result["n"] < OPT.min_n).any()
    assert "suppressed" in shown(explorer)[0]


def test_a_choice_that_fails_shows_its_error():
    survey = SURVEY.drop(columns=["have_say"])
    explorer = widgets.indicator_explorer(P, survey, indicators=["16.1.4", "16.7.2"])
    explorer.controls["indicator"].value = "16.7.2"
    assert explorer.result is None and "have_say" in explorer.error
    (note,) = explorer.output.outputs
    assert "have_say" in note["data"]["text/html"]
    explorer.controls["indicator"].value = "16.1.4"
    assert explorer.error is None and shown(explorer)


# -------------------------------------------------------------------------- regression
@pytest.mark.regression
@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"crime": "arson"}, "crime='arson' is not a crime type"),
        ({"crime": "burglary", "measure": "rate"}, "measure='rate' is not one of"),
        ({"crime": "burglary", "by": "income"}, "by='income' is not a column of the survey"),
        ({"crime": "burglary", "by": "age"}, "choose a domain with at most 30"),
        ({"crime": "burglary", "months": 36}, "no column 'n3y_burglary'"),
        ({"crime": "burglary", "measure": "reporting_rate", "months": 60}, "use months=12"),
        ({"crime": "burglary", "cap": 5}, "cap=5 applies to incidence and concentration"),
        ({"crime": "burglary", "measure": "incidence", "ci_method": "wilson"},
         "ci_method='wilson' applies to percentages"),
        ({"crime": "burglary", "ci_method": "exact"}, "ci_method='exact' is not one of"),
        ({"crime": "burglary", "weighting": "trimmed"}, "weighting='trimmed' is not one of"),
        ({"crime": "burglary", "measure": "incidence", "cap": 0}, "cap must be None"),
    ],
)  # fmt: skip
def test_bad_victimization_choices(kw, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        explore(**kw)


@pytest.mark.regression
def test_bad_indicator_choices():
    with pytest.raises(ValueError, match=re.escape("indicator='16.2.1' is not one of")):
        widgets.explore_indicator(P, SURVEY, indicator="16.2.1")
    with pytest.raises(ValueError, match=re.escape("indicators='3.5.1' is not one of")):
        widgets.indicator_explorer(P, SURVEY, indicators=["16.1.4", "3.5.1"])
    with pytest.raises(ValueError, match=re.escape("DesignCache was built for other")):
        widgets.explore_indicator(P, SURVEY.copy(), indicator="16.1.4", designs=CACHE)
    with pytest.raises(ValueError, match=re.escape("SDG 16.5.1 needs columns")):
        bare = SURVEY.drop(columns=[c for c in SURVEY if c.startswith("contact_")])
        widgets.explore_indicator(P, bare, indicator="16.5.1")
