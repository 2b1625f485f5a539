"""Tests of ``sga_methods.pipeline.newdistrict`` (``sga new-district``).

Behaviour tests (documented rules: validity, refusal to overwrite, determinism of the
seeded data) and one identity: the raked person weights of the new synthetic district sum
to the population total of its own margins file. Three synthetic districts are generated
(about 2 s each); the end-to-end run of module 01 is marked slow.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from sga_methods import params
from sga_methods.cli import main
from sga_methods.data import read_source
from sga_methods.pipeline import newdistrict
from sga_methods.pipeline.newdistrict import (
    default_name,
    default_seed,
    new_district,
    respondent_prefix,
)

ROOT = Path(__file__).resolve().parents[1]
DEMO_SURVEY = ROOT / "data" / "synthetic" / "tashkent-chilanzar" / "survey.csv.gz"
NEW_ID = "tashkent-mirzo-ulugbek"
NAME = "Mirzo-Ulug'bek"
SEED = 11


def _make(root: Path, seed: int | None = SEED, **kwargs: object) -> Path:
    return new_district(
        NEW_ID,
        city="Tashkent",
        name=NAME,
        synthetic=True,
        seed=seed,
        parameters_dir=root / "parameters",
        data_dir=root / "data" / "synthetic",
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic district written once for the module: the parameter file."""
    return _make(tmp_path_factory.mktemp("district"))


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_synthetic_district_loads_and_its_design_works(made: Path) -> None:
    p = params.load(made)  # checks that every data file exists
    assert made.name == f"{NEW_ID}.yaml"
    assert (p.district.id, p.district.name, p.district.city) == (NEW_ID, NAME, "Tashkent")
    assert p.district.country == "Uzbekistan"
    assert p.synthetic.enabled and p.synthetic.seed == SEED
    assert "SYNTHETIC" in p.synthetic.label and f"{NAME} district of Tashkent" in p.synthetic.label
    data_folder = made.parent.parent / "data" / "synthetic" / NEW_ID
    assert p.data_path("survey") == (data_folder / "survey.csv.gz").resolve()
    assert not p.data["survey"].path.is_absolute()  # relative to the YAML
    # The demo's methodological sections are carried over.
    demo = params.load(ROOT / "parameters" / "tashkent-chilanzar.yaml")
    assert p.design == demo.design and p.weighting == demo.weighting
    assert p.interventions == demo.interventions
    text = made.read_text(encoding="utf-8")
    assert "# 12 (default), 36 or 60" in text and "Chilanzar" not in text

    survey = read_source(p, "survey")
    design = p.survey_design(survey)  # raked to the district's own margins
    assert len(design.data) == len(survey) > 1000


@pytest.mark.identity
def test_raked_weights_sum_to_the_new_districts_margins(made: Path) -> None:
    p = params.load(made)
    design = p.survey_design(read_source(p, "survey"))
    margins = read_source(p, "margins")
    persons = margins[(margins["unit"] == "persons_15plus") & (margins["variable"] == "sex")]
    assert design.weights.sum() == pytest.approx(persons["population"].sum(), rel=1e-9)


def test_respondent_ids_do_not_collide_with_the_demo(made: Path) -> None:
    p = params.load(made)
    survey = read_source(p, "survey")
    demo = pd.read_csv(DEMO_SURVEY, usecols=["resp_id", "hh_id"])
    prefix = respondent_prefix(NEW_ID)
    assert survey["resp_id"].str.fullmatch(rf"{prefix}-\d{{5}}").all()
    assert not set(survey["resp_id"]) & set(demo["resp_id"])
    assert not set(survey["hh_id"]) & set(demo["hh_id"])


def test_same_seed_same_bytes_other_seed_other_data(made: Path, tmp_path: Path) -> None:
    data = made.parent.parent / "data" / "synthetic" / NEW_ID
    again = _make(tmp_path / "again")
    assert again.read_bytes() == made.read_bytes()
    assert _files(tmp_path / "again" / "data" / "synthetic" / NEW_ID) == _files(data)

    other = _make(tmp_path / "other", seed=None)  # the default seed: a hash of the id
    assert params.load(other).synthetic.seed == default_seed(NEW_ID) != SEED
    other_files = _files(tmp_path / "other" / "data" / "synthetic" / NEW_ID)
    assert other_files["survey.csv.gz"] != _files(data)["survey.csv.gz"]


def test_helpers() -> None:
    assert default_seed(NEW_ID) == default_seed(NEW_ID)
    assert 0 <= default_seed(NEW_ID) < 2**32
    prefixes = {respondent_prefix(i) for i in ("nukus-a", "nukus-b", "nukus-c", "n-a")}
    assert len(prefixes) == 4
    assert all(re.fullmatch(r"[A-Z]{6}", x) for x in prefixes)
    assert respondent_prefix("tashkent-chilanzar") != "CHZ"
    assert respondent_prefix("42")[:1] == "D"
    assert default_name("tashkent-mirzo-ulugbek", "Tashkent") == "Mirzo Ulugbek"
    assert default_name("nukus", "Tashkent") == "Nukus"


def test_real_district_validates_without_files(tmp_path: Path) -> None:
    folder = tmp_path / "parameters"
    path = new_district("nukus-markaz", city="Nukus", name='Markaz: "#1"', parameters_dir=folder)
    assert path == folder / "nukus-markaz.yaml"
    p = params.load(path, check_files=False)
    assert p.district.name == 'Markaz: "#1"' and p.district.city == "Nukus"
    assert not p.synthetic.enabled
    assert p.interventions == () and p.synthesis.severity == {}
    assert p.data_path("survey") == (tmp_path / "data" / "nukus-markaz" / "survey.csv").resolve()
    with pytest.raises(params.ParameterError, match=r"data\.survey\.path': file not found"):
        params.load(path)
    assert sorted(x.name for x in folder.iterdir()) == ["nukus-markaz.yaml"]  # no temp file
    assert not (tmp_path / "data").exists()


def test_refuses_to_overwrite(tmp_path: Path) -> None:
    folder = tmp_path / "parameters"
    path = new_district("nukus-markaz", city="Nukus", parameters_dir=folder)
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match=re.escape(str(path))):
        new_district("nukus-markaz", city="Nukus", name="Other", parameters_dir=folder)
    assert path.read_bytes() == before
    new_district("nukus-markaz", city="Nukus", name="Other", parameters_dir=folder, force=True)
    assert params.load(path, check_files=False).district.name == "Other"

    # An existing synthetic data folder is refused before anything is generated.
    data = tmp_path / "data" / "synthetic"
    (data / "nukus-b").mkdir(parents=True)
    with pytest.raises(FileExistsError, match=re.escape(str(data / "nukus-b"))):
        new_district("nukus-b", city="Nukus", synthetic=True, parameters_dir=folder, data_dir=data)
    assert not (folder / "nukus-b.yaml").exists()


def test_failed_generation_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(config: object) -> None:
        raise RuntimeError("generation failed")

    monkeypatch.setattr(newdistrict._synthetic, "generate", boom)
    with pytest.raises(RuntimeError, match="generation failed"):
        _make(tmp_path)
    assert not (tmp_path / "parameters" / f"{NEW_ID}.yaml").exists()
    assert not (tmp_path / "data" / "synthetic" / NEW_ID).exists()


@pytest.mark.parametrize("bad", ["Nukus", "nukus_1", "-nukus", "a--b", "", "../x", "a" * 65])
def test_bad_id(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError, match=r"'district_id'.*" + re.escape(repr(bad))):
        new_district(bad, city="Nukus", parameters_dir=tmp_path)
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"city": ""}, "city"),
        ({"city": "Nukus", "name": "two\nlines"}, "name"),
        ({"city": "Nukus", "seed": 3}, "seed"),  # seed without synthetic
        ({"city": "Nukus", "synthetic": True, "seed": -1}, "seed"),
    ],
)
def test_bad_arguments(tmp_path: Path, kwargs: dict[str, object], argument: str) -> None:
    with pytest.raises(ValueError, match=f"'{argument}'"):
        new_district("nukus-markaz", parameters_dir=tmp_path, **kwargs)  # type: ignore[arg-type]
    assert not any(tmp_path.iterdir())


@pytest.mark.slow
def test_module_01_runs_on_a_new_district(made: Path, tmp_path: Path) -> None:
    code = main(
        [
            "run",
            NEW_ID,
            "--parameters-dir",
            str(made.parent),
            "--workbooks-dir",
            str(ROOT / "workbooks"),
            "--modules",
            "01",
            "--output-dir",
            str(tmp_path / "out"),
        ]
    )
    assert code == 0
    assert (tmp_path / "out" / NEW_ID).is_dir()
