"""Parameter files: the demo district is valid; every kind of bad input gives one clear line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sga_methods import params
from sga_methods.cli import main
from sga_methods.pipeline import registry

from .conftest import DEMO_PARAMS


def problems(path: Path, **kwargs) -> list[str]:
    with pytest.raises(params.ParameterError) as info:
        params.load(path, known_modules=registry.names(), **kwargs)
    return info.value.problems


def test_demo_district_is_valid_and_labelled_synthetic():
    p = params.load(DEMO_PARAMS, known_modules=registry.names())
    assert p.district.id == "tashkent-chilanzar"
    assert p.district.city == "Tashkent"
    assert p.synthetic.enabled and "SYNTHETIC" in p.synthetic.label
    assert p.reference_period.victimization_months == 12
    assert all(path.is_file() for path in p.input_files().values())
    assert p.data_path("survey").name == "survey.csv.gz"
    assert len(p.digest()) == 64


def test_digest_changes_with_any_parameter(write_params):
    a = params.load(write_params())
    b = params.load(write_params(lambda r: r["options"].update(min_n=50)))
    assert a.digest() != b.digest()


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        (lambda r: r["district"].update(colour="red"), "district.colour", "unknown field"),
        (lambda r: r["options"].update(ci_level=1.5), "options.ci_level", "Got 1.5"),
        (lambda r: r["options"].update(ci_level="high"), "options.ci_level", "Got 'high'"),
        (lambda r: r["options"].update(min_n=0), "options.min_n", "Got 0"),
        (lambda r: r["options"].update(series_cap="p97"), "options.series_cap", "'p97'"),
        (lambda r: r["options"].update(series_cap=0), "options.series_cap", "Got 0"),
        (
            lambda r: r["reference_period"].update(victimization_months=13),
            "reference_period.victimization_months",
            "Got 13",
        ),
        (
            lambda r: r["reference_period"].update(police_start="2015-13"),
            "reference_period.police_start",
            "'2015-13'",
        ),
        (lambda r: r["district"].pop("city"), "district.city", "missing"),
        (lambda r: r["design"].update(lonely_psu="drop"), "design.lonely_psu", "'drop'"),
        (lambda r: r["design"].update(fpc=["psu_prob"]), "design", "one fpc column per psu"),
        (lambda r: r["design"].update(fpc=None), "design", "pps needs fpc"),
        (lambda r: r["design"].update(pps="sampford"), "design.pps", "'sampford'"),
        (lambda r: r["district"].update(population=-5), "district.population", "Got -5"),
        (
            lambda r: r["data"].update({"Survey Two": {"path": "x.csv"}}),
            "data.Survey Two",
            "'Survey Two'",
        ),
    ],
)
def test_schema_errors_name_file_field_and_value(write_params, change, field, fragment):
    path = write_params(change)
    lines = problems(path)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{path}: field '{field}")
    assert fragment in lines[0]


def test_all_problems_are_reported_at_once(write_params):
    def change(r):
        r["district"]["colour"] = "red"
        r["options"]["ci_level"] = 2
        r["options"]["min_n"] = -1

    assert len(problems(write_params(change))) == 3


def test_unsafe_district_id(write_params):
    path = write_params(lambda r: r["district"].update(id="../etc"))
    (line,) = problems(path)
    assert "district.id" in line and "safe slug" in line and "'../etc'" in line


def test_id_must_match_file_name(write_params):
    path = write_params(name="other-district")
    (line,) = problems(path)
    assert "district.id" in line and "other-district" in line


def test_missing_data_file(write_params):
    path = write_params(lambda r: r["data"]["survey"].update(path="nowhere/survey.csv"))
    (line,) = problems(path)
    assert "data.survey.path" in line and "file not found" in line and "nowhere/survey.csv" in line


def test_unknown_file_type(write_params, tmp_path):
    odd = tmp_path / "survey.dat"
    odd.write_text("a,b\n1,2\n")
    path = write_params(lambda r: r["data"]["survey"].update(path=str(odd)))
    (line,) = problems(path)
    assert "data.survey.path" in line and "file type" in line


def test_unknown_module(write_params):
    path = write_params(lambda r: r.update(modules=["01_crime_victimization", "99_magic"]))
    (line,) = problems(path)
    assert "'99_magic'" in line and "modules" in line


def test_suppression_threshold_below_flag_threshold(write_params):
    path = write_params(lambda r: r["options"].update(flag_cv=0.5, suppress_cv=0.3))
    (line,) = problems(path)
    assert "options" in line and "suppress_cv" in line


def test_python_object_tag_is_refused(write_params):
    path = write_params(text="district: !!python/object/apply:os.system ['echo hacked']\n")
    (line,) = problems(path)
    assert "invalid YAML" in line and str(path) in line


def test_duplicate_key_is_refused(write_params):
    text = DEMO_PARAMS.read_text().replace("options:\n", "options:\n  min_n: 10\n", 1)
    (line,) = problems(write_params(text=text))
    assert "duplicate key 'min_n'" in line


def test_broken_yaml_names_the_line(write_params):
    (line,) = problems(write_params(text="district:\n  id: [unclosed\n"))
    assert "invalid YAML" in line and "line" in line


def test_top_level_must_be_a_mapping(write_params):
    (line,) = problems(write_params(text="- just\n- a list\n"))
    assert "mapping" in line


def test_missing_parameter_file(tmp_path):
    (line,) = problems(tmp_path / "nothere.yaml")
    assert "not found" in line


def test_cli_validate_ok(capsys):
    assert main(["validate", str(DEMO_PARAMS)]) == 0
    assert "valid" in capsys.readouterr().out


def test_cli_validate_bad_input_exit_2_one_line_each(write_params, capsys):
    def change(r):
        r["district"]["colour"] = "red"
        r["options"]["ci_level"] = 2

    path = write_params(change)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2
    assert all(line.startswith(f"sga: error: {path}: field '") for line in err)


def test_cli_unknown_district_id(capsys, tmp_path):
    assert main(["validate", "no-such-district"]) == 2
    assert "no parameter file for district 'no-such-district'" in capsys.readouterr().err
    assert main(["validate", "Bad_Id"]) == 2
    assert "not a safe slug" in capsys.readouterr().err


def test_console_script_prints_no_traceback(write_params):
    path = write_params(lambda r: r["options"].update(ci_level=7))
    sga = Path(sys.executable).with_name("sga")
    result = subprocess.run([str(sga), "validate", str(path)], capture_output=True, text=True)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "options.ci_level" in result.stderr and "Got 7" in result.stderr


def test_nchs_disclosure_rule_requires_korn_graubard_intervals(write_params):
    path = write_params(lambda raw: raw["options"].update(disclosure_rule="nchs"))
    with pytest.raises(params.ParameterError, match="set ci_method: beta"):
        params.load(path)
    path = write_params(lambda raw: raw["options"].update(disclosure_rule="nchs", ci_method="beta"))
    assert params.load(path).options.disclosure_rule == "nchs"


def test_interventions_are_read_and_checked_against_the_police_period(write_params):
    p = params.load(DEMO_PARAMS)
    assert [(i.name, i.start, i.iccs) for i in p.interventions] == [
        ("Safe City CCTV", "2021-07", ("0401", "0501", "0502"))
    ]
    path = write_params(lambda raw: raw["interventions"][0].update(start="2030-01"))
    with pytest.raises(params.ParameterError, match=r"interventions\[0\]\.start \(2030-01\)"):
        params.load(path)
    path = write_params(lambda raw: raw["interventions"][0].update(iccs=["theft"]))
    with pytest.raises(params.ParameterError, match="iccs"):
        params.load(path)


def test_synthesis_settings_are_checked(write_params):
    p = params.load(DEMO_PARAMS)
    assert p.synthesis.previous_wave is None and p.previous_wave_dir() is None
    path = write_params(lambda raw: raw["synthesis"].update(previous_wave="../old/results"))
    assert params.load(path).previous_wave_dir() == (path.parent / "../old/results").resolve()
    path = write_params(
        lambda raw: raw["synthesis"].update(priority_weights={"severity": 0.7, "prevalence": 0.7})
    )
    with pytest.raises(params.ParameterError, match="must sum to 1"):
        params.load(path)
    path = write_params(lambda raw: raw["synthesis"].update(severity={"sdg_16_1_3": 9}))
    with pytest.raises(params.ParameterError, match="sdg_16_1_3"):
        params.load(path)
