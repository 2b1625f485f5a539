"""Tests of the seeded synthetic demo district (``sga_methods.synthetic``).

Kinds of test (see STYLE.md): *identity* tests recompute a number by a second route
(truths from the population frames, weights from the fieldwork file); *regression* tests
compare with a snapshot of our own output (the committed data files). The statistical
checks (sample estimates within 4 SE of the truth, the police GLM recovering the true
rate ratio) use the committed demo seed, so they are deterministic.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sga_methods import SurveyDesign, synthetic
from sga_methods.synthetic._io import FILES
from sga_methods.synthetic._survey import survey_columns

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "data" / "synthetic" / "tashkent-chilanzar"
README = ROOT / "data" / "synthetic" / "README.md"

#: A small district for the determinism tests (fast).
SMALL = synthetic.SyntheticConfig(
    seed=7,
    residents=30_000,
    n_mahallas=12,
    n_strata=2,
    psus_per_stratum=3,
    households_per_psu=20,
)

PERSONAL = [c for c in synthetic.CRIMES if c not in synthetic.HOUSEHOLD_CRIMES]


@pytest.fixture(scope="module")
def demo() -> synthetic.SyntheticDistrict:
    return synthetic.generate(synthetic.SyntheticConfig())


@pytest.fixture(scope="module")
def written(demo, tmp_path_factory) -> dict[str, Path]:
    return synthetic.write(demo, tmp_path_factory.mktemp("synthetic") / "district")


def _values(s: pd.Series) -> np.ndarray:
    """Float values with NA as NaN."""
    return s.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


# --- determinism ------------------------------------------------------------------------


@pytest.mark.regression
def test_same_seed_gives_identical_frames_and_bytes(tmp_path):
    a, b = synthetic.generate(SMALL), synthetic.generate(SMALL)
    for field in dataclasses.fields(a):
        if isinstance(getattr(a, field.name), pd.DataFrame):
            pd.testing.assert_frame_equal(getattr(a, field.name), getattr(b, field.name))
    assert a.truth == b.truth
    pa, pb = synthetic.write(a, tmp_path / "a"), synthetic.write(b, tmp_path / "b")
    for name in pa:
        assert pa[name].read_bytes() == pb[name].read_bytes(), name


def test_different_seed_gives_different_data():
    a = synthetic.generate(SMALL)
    b = synthetic.generate(dataclasses.replace(SMALL, seed=8))
    assert not a.survey.equals(b.survey)
    assert not a.police_monthly["crimes"].equals(b.police_monthly["crimes"])
    assert a.truth["crimes"] != b.truth["crimes"]


@pytest.mark.regression
def test_committed_files_equal_fresh_generation(written):
    """The committed data are exactly ``write(generate(SyntheticConfig()))``.

    Regenerate with ``python -m sga_methods.synthetic --seed 2025 --out
    data/synthetic/tashkent-chilanzar --readme data/synthetic/README.md``.
    """
    assert synthetic.DEMO_SEED == synthetic.SyntheticConfig().seed == 2025
    committed = sorted(p.name for p in COMMITTED.iterdir())
    assert committed == sorted(p.name for p in written.values())
    for name, path in written.items():
        assert (COMMITTED / path.name).read_bytes() == path.read_bytes(), name
    total = sum(p.stat().st_size for p in COMMITTED.iterdir())
    assert total < 3_000_000


def test_written_files_round_trip(demo, written):
    assert set(written) == set(FILES)
    survey = pd.read_csv(written["survey"])
    assert list(survey.columns) == survey_columns()
    for col in ("psu_prob", "hh_base_weight", "hh_weight", "weight"):
        np.testing.assert_array_equal(survey[col].to_numpy(), demo.survey[col].to_numpy())
    with gzip.open(written["survey"], "rt") as fh:
        assert fh.readline().startswith("resp_id,hh_id,")
    assert written["survey"].read_bytes()[4:8] == b"\x00\x00\x00\x00"  # gzip mtime = 0
    assert json.loads(written["truth"].read_text()) == demo.truth
    police = pd.read_csv(written["police_monthly"], dtype={"iccs": str})
    assert police["crimes"].sum() == demo.police_monthly["crimes"].sum()
    assert set(police["iccs"]) == set(synthetic.ICCS_SECTIONS)


def test_write_replaces_atomically_and_protects_other_folders(demo, tmp_path):
    target = tmp_path / "out"
    synthetic.write(demo, target)
    synthetic.write(demo, target)  # replacing an existing district folder is fine
    assert sorted(p.name for p in target.iterdir()) == sorted(f for f, _ in FILES.values())
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match=r"notes\.txt"):
        synthetic.write(demo, tmp_path / "other")
    assert (tmp_path / "other" / "notes.txt").read_text() == "keep me"


def test_config_is_validated():
    with pytest.raises(ValueError, match="'response_rate' parameter of SyntheticConfig"):
        synthetic.SyntheticConfig(response_rate=1.5)
    with pytest.raises(ValueError, match="n_mahallas"):
        synthetic.SyntheticConfig(n_mahallas=10)
    with pytest.raises(ValueError, match="intervention_sections"):
        synthetic.SyntheticConfig(intervention_sections=("9999",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        synthetic.SyntheticConfig().seed = 1  # type: ignore[misc]


# --- population frame and margins -------------------------------------------------------


def test_population_margins(demo):
    mah, pop, hh = demo.mahallas, demo.population, demo.households
    by_mahalla = pop.groupby("mahalla")["residents"].sum()
    np.testing.assert_array_equal(by_mahalla.to_numpy(), mah["residents"].to_numpy())
    assert abs(mah["residents"].sum() / 250_000 - 1) < 0.01
    assert mah["area_ha"].sum() == pytest.approx(2994.0, abs=1e-6)
    assert (mah["area_ha"] > 0).all()
    counts = hh.groupby("mahalla").size()
    np.testing.assert_array_equal(counts.to_numpy(), mah["households"].to_numpy())
    np.testing.assert_array_equal(
        hh.groupby("mahalla")["hh_size"].sum().to_numpy(), mah["residents"].to_numpy()
    )
    assert mah["mahalla_name"].str.contains("(synthetic)", regex=False).all()
    assert 4.0 < demo.truth["population"]["mean_household_size"] < 4.4
    assert len(demo.adults) == pop.loc[pop["age_group"] != "0-14", "residents"].sum()
    assert (hh["n_adults"] >= 1).all()


@pytest.mark.identity
def test_margins_equal_the_aggregated_frame(demo):
    adults = demo.population[demo.population["age_group"] != "0-14"]
    m = demo.margins.set_index(["unit", "variable", "level"])["population"]
    persons = m.loc["persons_15plus"]
    for variable in ("sex", "age_group", "stratum"):
        expected = adults.groupby(variable)["residents"].sum()
        got = persons.loc[variable]
        assert dict(zip(got.index.astype(str), got, strict=True)) == {
            str(k): v for k, v in expected.items()
        }
    cross = adults.groupby(["sex", "age_group"])["residents"].sum()
    for (sex, group), total in cross.items():
        assert persons.loc[("sex_age_group", f"{sex}:{group}")] == total
    households = demo.mahallas.groupby("stratum")["households"].sum()
    for h, total in households.items():
        assert m.loc[("households", "stratum", str(h))] == total
    assert persons.loc["sex"].sum() == len(demo.adults)


# --- sample design ----------------------------------------------------------------------


def test_design(demo):
    cfg, mah, fw, sv = demo.config, demo.mahallas, demo.fieldwork, demo.survey
    assert (mah.groupby("mahalla")["stratum"].nunique() == 1).all()
    assert (fw.groupby("mahalla")["stratum"].nunique() == 1).all()
    assert (fw.groupby("stratum")["mahalla"].nunique() == cfg.psus_per_stratum).all()
    assert (fw.groupby("mahalla").size() == cfg.households_per_psu).all()
    for col in ("psu_prob", "hh_prob"):
        assert ((fw[col] > 0) & (fw[col] <= 1)).all()
    # first stage: pi_i = n_h N_i / N_h, mahallas above 1 taken with certainty
    expected = {}
    for _, group in mah.groupby("stratum"):
        size = group.set_index("mahalla")["households"].astype(float)
        certain = pd.Series(False, index=size.index)
        while True:
            n_rest = cfg.psus_per_stratum - certain.sum()
            prob = (n_rest * size / size[~certain].sum()).where(~certain, 1.0)
            if not (prob[~certain] >= 1).any():
                break
            certain |= prob >= 1
        expected.update(prob.to_dict())
    reference = fw["mahalla"].map(expected).to_numpy()
    np.testing.assert_allclose(fw["psu_prob"].to_numpy(), reference, rtol=1e-12)
    # HT count of households: sum of 1/pi over all sampled households (PPS: exact)
    base = 1.0 / (fw["psu_prob"] * fw["hh_prob"])
    assert base.sum() == pytest.approx(mah["households"].sum(), rel=0.10)
    assert set(fw["outcome"]) <= {"complete", "refusal", "noncontact"}
    complete = fw.loc[fw["outcome"] == "complete", "hh_id"]
    assert sorted(complete) == sorted(sv["hh_id"]) and sv["hh_id"].is_unique
    assert sv["resp_id"].is_unique and len(sv) == len(complete)
    assert 1_300 <= len(sv) <= 1_500
    # nonresponse adjustment: within each PSU respondents carry all sampled base weight
    base_by_psu = base.groupby(fw["mahalla"]).sum()
    np.testing.assert_allclose(
        sv.groupby("mahalla")["hh_weight"].sum(), base_by_psu[sorted(sv["mahalla"].unique())]
    )
    np.testing.assert_allclose(sv["weight"], sv["hh_weight"] * sv["n_adults"])
    count = mah.groupby("stratum").size()
    assert (sv["psu_count_stratum"] == count[sv["stratum"]].to_numpy()).all()
    dates = sv["interview_date"]
    assert (dates >= cfg.fieldwork_start).all() and (dates <= cfg.fieldwork_end).all()
    response = (fw["outcome"] == "complete").groupby(fw["stratum"]).mean()
    assert 0.75 < response.mean() < 0.95 and response.nunique() > 1


def test_survey_columns_and_codes(demo):
    sv = demo.survey
    assert list(sv.columns) == survey_columns()
    assert sv["resp_id"].str.fullmatch(r"CHZ-\d{5}").all()
    assert set(sv["sex"]) == {"female", "male"}
    assert (sv["age"] >= 15).all()
    assert set(sv["age_group"]) <= {"15-24", "25-34", "35-44", "45-54", "55-64", "65+"}
    assert set(sv["education"]) <= {"primary_or_less", "secondary", "vocational", "higher"}
    assert set(sv["employment"]) <= {"employed", "unemployed", "student", "homemaker", "retired"}
    assert (sv["years_in_mahalla"] <= sv["age"]).all()
    assert (sv["n_adults"] <= sv["hh_size"]).all()
    ranges = {"feel_safe_dark": 5, "feel_safe_dark_would": 4, "feel_safe_home": 4}
    ranges |= {c: 5 for c in sv.columns if c.startswith(("cohesion_", "trust_", "exclusion_"))}
    ranges |= {c: 4 for c in sv.columns if c.startswith(("sat_", "drug_availability"))}
    ranges |= {"have_say": 5, "have_influence": 5}
    for col, top in ranges.items():
        v = sv[col].dropna()
        assert v.between(1, top).all() and v.nunique() > 1, col
    binary = [
        c
        for c in sv.columns
        if c.startswith(("rep_", "harass_", "contact_", "bribe_", "aware_", "discrim_", "used_"))
        or c in ("disability", "hh_member_abroad", "owns_vehicle", "avoid_places")
        or c.startswith("drug_use_")
    ]
    for col in binary:
        assert sv[col].dropna().isin([0, 1]).all(), col
    for col in ("trust_police", "drug_use_year", "have_say"):
        share = sv[col].isna().mean()
        assert 0.002 < share < 0.06, col


def test_skip_patterns(demo):
    for frame in (demo.survey, demo.adults):
        for crime in PERSONAL:
            n12, n5y, rep = frame[f"n12_{crime}"], frame[f"n5y_{crime}"], frame[f"rep_{crime}"]
            assert (rep.isna() == (n12 == 0)).all(), crime
            assert (n5y >= n12).all() and (n12 >= 0).all(), crime
        for o in synthetic.OFFICIALS:
            none = frame[f"contact_{o}"] == 0
            for item in ("bribe_asked", "bribe_paid"):
                assert (frame[f"{item}_{o}"].isna() == none).all(), (item, o)
        asked_or_paid = np.zeros(len(frame), bool)
        for o in synthetic.OFFICIALS:
            asked_or_paid |= (frame[f"bribe_asked_{o}"] == 1).fillna(False).to_numpy()
            asked_or_paid |= (frame[f"bribe_paid_{o}"] == 1).fillna(False).to_numpy()
        assert (frame["bribe_reported"].notna().to_numpy() == asked_or_paid).all()
        assert ((frame["n12_bribery_request"] > 0).to_numpy() <= asked_or_paid).all()
        assert (frame["feel_safe_dark_would"].notna() == (frame["feel_safe_dark"] == 5)).all()
        harassed = (frame["harass_nonsexual_12m"] == 1) | (frame["harass_sexual_12m"] == 1)
        places = frame[[c for c in frame.columns if c.startswith("harass_place_")]]
        assert (places.notna().all(axis=1) == harassed).all()
        assert (places.fillna(0).sum(axis=1)[harassed] >= 1).all()
        assert (frame["offer_suspicious"].notna() == (frame["offered_job_abroad"] == 1)).all()
        grounds = frame[
            [c for c in frame.columns if c.startswith("discrim_") and c != "discrim_any"]
        ]
        assert (grounds.notna().all(axis=1) == (frame["discrim_any"] == 1)).all()
        for s in ("health", "education", "govservices"):
            assert (frame[f"sat_{s}"].isna() == (frame[f"used_{s}"] == 0)).all()
    for frame in (demo.survey, demo.households):
        no_vehicle = frame["owns_vehicle"] == 0
        assert (frame.loc[no_vehicle, "n12_vehicle_theft"] == 0).all()
        assert (frame.loc[no_vehicle, "n5y_vehicle_theft"] == 0).all()
        for crime in synthetic.HOUSEHOLD_CRIMES:
            assert (frame[f"rep_{crime}"].isna() == (frame[f"n12_{crime}"] == 0)).all()
            assert (frame[f"n5y_{crime}"] >= frame[f"n12_{crime}"]).all()
    sv = demo.survey.dropna(subset=["drug_use_ever"])
    assert (sv["drug_use_month"] <= sv["drug_use_year"]).all()
    assert (sv["drug_use_year"] <= sv["drug_use_ever"]).all()
    a = demo.adults
    assert (a["drug_use_month"] <= a["drug_use_year"]).all()
    assert (a["drug_use_year"] <= a["drug_use_ever"]).all()


def test_series_victims_make_caps_matter(demo):
    crimes = demo.truth["crimes"]
    assert max(e["max_incidents_12m"] for e in crimes.values()) >= 20
    assert (demo.survey[[f"n12_{c}" for c in PERSONAL]] >= 10).to_numpy().sum() >= 2
    a = crimes["assault_threat"]
    assert a["incidence_12m_per_1000_cap5"] < 0.9 * a["incidence_12m_per_1000"]


# --- truth ------------------------------------------------------------------------------


@pytest.mark.identity
def test_truth_equals_recomputation_from_the_population(demo):
    a, h, truth = demo.adults, demo.households, demo.truth
    for crime in synthetic.CRIMES:
        frame = h if crime in synthetic.HOUSEHOLD_CRIMES else a
        n12 = frame[f"n12_{crime}"].to_numpy(np.int64)
        n5y = frame[f"n5y_{crime}"].to_numpy(np.int64)
        victims = n12 > 0
        reported = frame[f"rep_{crime}"].fillna(0).to_numpy(np.int64) == 1
        t = truth["crimes"][crime]
        assert t["prevalence_12m_pct"] == pytest.approx(100 * victims.mean(), rel=1e-9)
        assert t["incidence_12m_per_1000"] == pytest.approx(1000 * n12.mean(), rel=1e-9)
        assert t["prevalence_5y_pct"] == pytest.approx(100 * (n5y > 0).mean(), rel=1e-9)
        assert t["reporting_rate_pct"] == pytest.approx(100 * reported[victims].mean(), rel=1e-9)
        # incidence = prevalence x concentration (per 1,000 = per 100 x 10)
        assert t["incidence_12m_per_1000"] == pytest.approx(
            10 * t["prevalence_12m_pct"] * t["concentration_12m"], rel=1e-8
        )
    ind = truth["indicators"]
    dark, would = _values(a["feel_safe_dark"]), _values(a["feel_safe_dark_would"])
    safe = np.isin(dark, (3, 4)) | ((dark == 5) & np.isin(would, (3, 4)))
    assert ind["sdg_16_1_4_pct"] == pytest.approx(100 * safe.mean(), rel=1e-9)
    violent = np.zeros(len(a), bool)
    for crime in ("assault_threat", "sexual", "robbery"):
        violent |= a[f"n12_{crime}"].to_numpy() > 0
    assert ind["sdg_16_1_3_pct"] == pytest.approx(100 * violent.mean(), rel=1e-9)
    contact = np.column_stack([a[f"contact_{o}"] == 1 for o in synthetic.OFFICIALS]).any(axis=1)
    bribe = np.column_stack(
        [
            ((a[f"bribe_asked_{o}"] == 1) | (a[f"bribe_paid_{o}"] == 1)).fillna(False)
            for o in synthetic.OFFICIALS
        ]
    ).any(axis=1)
    assert ind["sdg_16_5_1_pct"] == pytest.approx(100 * bribe[contact].mean(), rel=1e-9)
    working = a["age"].to_numpy() <= 64
    for key, col in (("past_year", "drug_use_year"), ("past_month", "drug_use_month")):
        share = (a[col].to_numpy() == 1)[working].mean()
        assert ind[f"drug_use_{key}_15_64_pct"] == pytest.approx(100 * share, rel=1e-9)
    assert ind["mean_household_size"] == pytest.approx(h["hh_size"].mean(), rel=1e-9)
    say = (_values(a["have_say"]) >= 3).mean()
    influence = (_values(a["have_influence"]) >= 3).mean()
    assert ind["sdg_16_7_2_pct"] == pytest.approx(50 * (say + influence), rel=1e-9)
    treat = demo.treatment.groupby("year")[["in_treatment", "with_disorder"]].sum()
    for year, row in treat.iterrows():
        expected = 100 * row.in_treatment / row.with_disorder
        assert truth["treatment"]["sdg_3_5_1_pct"][str(year)] == pytest.approx(expected)
    assert truth["seed"] == demo.config.seed and truth["config"] == demo.config.to_dict()


def test_sample_estimates_are_within_4_se_of_the_truth(demo):
    """Design-based estimates (SurveyDesign, Taylor SEs) of the committed sample's design land
    within 4 standard errors of the finite-population truth."""
    sv, truth = demo.survey, demo.truth
    dark, would = _values(sv["feel_safe_dark"]), _values(sv["feel_safe_dark_would"])
    drug = _values(sv["drug_use_year"])
    drug[sv["age"].to_numpy() > 64] = np.nan
    derived = {
        "theft": (_values(sv["n12_theft_personal"]) > 0).astype(float),
        "safe": (np.isin(dark, (3, 4)) | ((dark == 5) & np.isin(would, (3, 4)))).astype(float),
        "drug": drug,
        "burglary": (_values(sv["n12_burglary"]) > 0).astype(float),
    }
    checks = [
        ("theft", "weight", truth["crimes"]["theft_personal"]["prevalence_12m_pct"]),
        ("safe", "weight", truth["indicators"]["sdg_16_1_4_pct"]),
        ("drug", "weight", truth["indicators"]["drug_use_past_year_15_64_pct"]),
        ("burglary", "hh_weight", truth["crimes"]["burglary"]["prevalence_12m_pct"]),
    ]
    data = sv.assign(**derived)
    for column, weights, true_pct in checks:
        design = SurveyDesign(data, weights=weights, strata="stratum", psu="mahalla")
        row = design.mean(column).iloc[0]
        assert row["se"] > 0
        assert abs(100 * row["estimate"] - true_pct) < 4 * 100 * row["se"], (column, row)


# --- police records, population, treatment ---------------------------------------------


def test_population_monthly_is_consistent(demo):
    pm, mah = demo.population_monthly, demo.mahallas
    assert pm["month"].min() == demo.config.police_start
    anchor = pm[pm["month"] == "2025-04"].set_index("mahalla")["residents"]
    np.testing.assert_array_equal(anchor.to_numpy(), mah["residents"].to_numpy())
    total = pm.groupby("month")["residents"].sum()
    growth = (total["2024-01"] / total["2015-01"]) ** (1 / 9) - 1
    assert 0.005 < growth < 0.015
    assert set(demo.police_monthly["month"]) <= set(pm["month"])
    assert len(demo.police_monthly) == 120 * len(mah) * len(synthetic.ICCS_SECTIONS)


def test_police_glm_recovers_intervention_and_season(demo):
    sm = pytest.importorskip("statsmodels.api")
    police, cfg = demo.truth["police"], demo.config
    records = demo.police_monthly
    y = records[records["iccs"].isin(police["intervention_sections"])]
    y = y.groupby("month")["crimes"].sum()
    exposure = demo.population_monthly.groupby("month")["residents"].sum().reindex(y.index)
    month = pd.PeriodIndex(y.index, freq="M")
    t = np.array([(m - pd.Period(cfg.trend_break, "M")).n for m in month]) / 12
    angle = 2 * np.pi * month.month.to_numpy() / 12
    step = (month >= pd.Period(cfg.intervention, "M")).astype(float)
    x = np.column_stack([np.ones(t.size), t, np.maximum(t, 0), np.sin(angle), np.cos(angle), step])
    fit = sm.GLM(
        y.to_numpy(), x, family=sm.families.Poisson(), offset=np.log(exposure.to_numpy())
    ).fit(scale="X2")
    low, high = np.exp(fit.conf_int()[5])
    assert low < police["intervention_rate_ratio"] < high
    peak = np.degrees(np.arctan2(fit.params[3], fit.params[4])) / 30 % 12
    assert round(peak) % 12 == police["season_peak_month"] % 12
    assert fit.params[2] < 0 < fit.params[1]  # trend bends down at the break


def test_police_crime_concentrates_in_few_mahallas(demo):
    totals = demo.police_monthly.groupby("mahalla")["crimes"].sum().sort_values(ascending=False)
    top = int(np.ceil(0.2 * totals.size))
    share = totals.iloc[:top].sum() / totals.sum()
    assert share > 0.40
    assert share == pytest.approx(demo.truth["police"]["top20pct_mahallas_share_of_crimes"])


def test_iccs_catalogue(demo):
    table = demo.iccs_sections
    assert list(table["iccs"]) == list(synthetic.ICCS_SECTIONS)
    assert (table["level"] == table["iccs"].str.len() // 2).all()
    assert demo.truth["police"]["intervention_rate_ratio"] == pytest.approx(0.80)


# --- documentation ----------------------------------------------------------------------


def test_readme_documents_every_file_column_and_the_truth(demo):
    text = README.read_text(encoding="utf-8")
    assert "SYNTHETIC" in text
    for filename, _ in FILES.values():
        assert f"`{filename}`" in text, filename
    frames = [demo.survey, demo.mahallas, demo.population, demo.margins, demo.fieldwork]
    frames += [demo.police_monthly, demo.population_monthly, demo.treatment, demo.iccs_sections]
    documented = set(re.findall(r"`([^`\s]+)`", text))
    patterns = {
        "<crime>": synthetic.CRIMES,
        "<official>": synthetic.OFFICIALS,
        "<k>": [str(k) for k in range(1, 6)],
        "<place>": ("street", "transport", "workplace", "education", "online", "other"),
        "<ground>": ("ethnicity", "religion", "sex", "age", "disability", "migrant"),
        "<service>": ("health", "education", "govservices"),
    }
    for name in list(documented):
        for placeholder, keys in patterns.items():
            if placeholder in name:
                documented.update(name.replace(placeholder, key) for key in keys)
    for frame in frames:
        missing = [c for c in frame.columns if c not in documented]
        assert not missing, missing
    assert synthetic.truth_table(demo.truth) in text
