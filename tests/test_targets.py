"""Population targets from the margins table, applied as the district parameters say."""

from __future__ import annotations

import pandas as pd
import pytest

from sga_methods import params, targets
from sga_methods.data import read_source

from .conftest import DEMO_PARAMS


@pytest.fixture(scope="module")
def demo():
    p = params.load(DEMO_PARAMS)
    return p, read_source(p, "survey"), read_source(p, "margins")


def test_margins_convert_levels_to_the_survey_types(demo):
    _, survey, table = demo
    m = targets.margins_for(table, unit="persons_15plus", variables=["sex", "stratum"], data=survey)
    assert set(m["stratum"]) == set(survey["stratum"].unique())  # ints, not "1".."6"
    assert m["sex"]["female"] == 94304


@pytest.mark.identity
@pytest.mark.parametrize("method", ["rake", "calibrate"])
def test_final_weights_reproduce_every_target(demo, write_params, method):
    _, survey, table = demo
    changed = params.load(write_params(lambda r: r["weighting"].update(method=method)))
    for unit, target_unit, variables in [
        ("person", "persons_15plus", changed.weighting.variables),
        ("household", "households", changed.weighting.household_variables),
    ]:
        design = changed.survey_design(survey, unit=unit)
        for var in variables:
            want = table[(table["unit"] == target_unit) & (table["variable"] == var)]
            got = design.weights.groupby(survey[var].astype(str)).sum()
            for level, population in zip(want["level"], want["population"], strict=True):
                assert got[str(level)] == pytest.approx(population, rel=1e-9), (unit, var, level)


@pytest.mark.identity
def test_method_none_keeps_the_design_weights(demo, write_params):
    _, survey, _ = demo
    plain = params.load(write_params(lambda r: r["weighting"].update(method="none")))
    pd.testing.assert_series_equal(
        plain.survey_design(survey).weights, survey["weight"], check_names=False
    )


def test_raking_on_age_groups_shrinks_the_standard_error_of_mean_age(demo, write_params):
    # the residual (calibrated) variance removes the between-age-group part of the variance
    p, survey, _ = demo
    assert p.weighting.method == "rake" and "age_group" in p.weighting.variables
    plain = params.load(write_params(lambda r: r["weighting"].update(method="none")))
    raked_se = p.survey_design(survey).mean("age")["se"].item()
    plain_se = plain.survey_design(survey).mean("age")["se"].item()
    assert raked_se < 0.5 * plain_se


def test_errors_name_the_problem(demo):
    _, survey, table = demo
    with pytest.raises(targets.TargetsError, match="missing columns"):
        targets.margins_for(table.drop(columns="unit"), unit="x", variables=["sex"], data=survey)
    with pytest.raises(targets.TargetsError, match="no rows for unit 'persons' and variable 'sex'"):
        targets.margins_for(table, unit="persons", variables=["sex"], data=survey)
    with pytest.raises(targets.TargetsError, match="'income' is not a survey column"):
        targets.margins_for(table, unit="persons_15plus", variables=["income"], data=survey)
    bad = table.copy()
    bad.loc[0, "population"] = -3
    with pytest.raises(targets.TargetsError, match="positive number for levels \\['female'\\]"):
        targets.margins_for(bad, unit="persons_15plus", variables=["sex"], data=survey)


def test_parameter_errors(write_params):
    path = write_params(lambda r: r["weighting"].update(method="rake", targets=None))
    with pytest.raises(params.ParameterError, match="needs 'targets'"):
        params.load(path)
    path = write_params(lambda r: r["weighting"].update(bounds=[1.2, 2.0]))
    with pytest.raises(params.ParameterError, match="0 <= L < 1 < U"):
        params.load(path)
    path = write_params(lambda r: r["weighting"].update(method="post"))
    with pytest.raises(params.ParameterError, match=r"weighting\.method"):
        params.load(path)
