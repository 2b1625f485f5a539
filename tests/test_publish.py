"""`sga report`: HTML re-rendered from executed workbooks without executing, and PDFs.

Kind: identity (a re-rendered page equals the page of the run, byte for byte) and behaviour.
"""

from __future__ import annotations

import re
import shutil

import pytest

from sga_methods.cli import main

from .conftest import DEMO_ID, DEMO_PARAMS, ROOT

pytestmark = pytest.mark.slow

DIRS = ["--parameters-dir", str(DEMO_PARAMS.parent), "--workbooks-dir", str(ROOT / "workbooks")]


@pytest.fixture
def outputs(demo_run, tmp_path):
    """A private copy of the demo run's outputs."""
    _, out = demo_run
    copy = tmp_path / "outputs"
    shutil.copytree(out, copy)
    return copy


def test_report_rerenders_every_page_identically_without_executing(outputs, capsys):
    district = outputs / DEMO_ID
    pages = sorted(district.glob("*.html"))
    before = {p.name: p.read_bytes() for p in pages}
    before["overall"] = (outputs / "index.html").read_bytes()
    notebooks = {p.name: p.stat().st_mtime_ns for p in district.glob("*.ipynb")}
    pages[0].unlink()  # a lost page comes back
    assert main(["report", *DIRS, "--output-dir", str(outputs)]) == 0
    after = {p.name: p.read_bytes() for p in sorted(district.glob("*.html"))}
    after["overall"] = (outputs / "index.html").read_bytes()
    assert after == before
    assert {p.name: p.stat().st_mtime_ns for p in district.glob("*.ipynb")} == notebooks
    assert "01_crime_victimization" in capsys.readouterr().out


def test_report_pdf_prints_every_module(outputs):
    assert main(["report", *DIRS, "--output-dir", str(outputs), "--pdf"]) == 0
    district = outputs / DEMO_ID
    modules = [p.stem for p in district.glob("*.html") if p.stem != "index"]
    for name in modules:
        pdf = (district / f"{name}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF")
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 2, name
    assert not list(district.glob(".*.pdf"))  # no temporary files left


def test_report_errors_name_the_problem(tmp_path, capsys):
    assert main(["report", *DIRS, "--output-dir", str(tmp_path)]) == 2
    assert "no manifest.json; run `sga run tashkent-chilanzar` first" in capsys.readouterr().err
    missing = tmp_path / "no-chromium"
    code = main(
        ["report", *DIRS, "--output-dir", str(tmp_path), "--pdf", "--chromium", str(missing)]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "no manifest.json" in err or "PDF output needs Chromium" in err
