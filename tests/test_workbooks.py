"""Workbooks are thin, clean and parameterized (checked without executing them)."""

from __future__ import annotations

import re

import nbformat
import papermill
import pytest

from sga_methods.pipeline import registry
from sga_methods.pipeline.kernel import KERNEL_NAME

from .conftest import ROOT

WORKBOOKS = sorted((ROOT / "workbooks").glob("*.ipynb"))
EXPECTED_PARAMETERS = {"district_file": "str", "results_dir": "str", "interactive": "bool"}


def test_every_workbook_belongs_to_a_registered_module():
    assert WORKBOOKS, "no workbooks found"
    known = set(registry.names())
    for path in WORKBOOKS:
        assert path.stem in known, path.name
    present = {p.stem for p in WORKBOOKS}
    assert {"00_district_profile", "01_crime_victimization"} <= present


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{path.name} cell {i}"


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.stem)
def test_no_function_or_class_definitions(path):
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert not re.search(r"^\s*(def|class|async def)\s", cell.source, re.M), (
                f"{path.name} cell {i} defines a function or class; move it to sga_methods"
            )


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_is_typed_and_documented(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, path.name
    found = {p["name"]: p for p in papermill.inspect_notebook(str(path)).values()}
    assert {k: v["inferred_type_name"] for k, v in found.items()} == EXPECTED_PARAMETERS
    assert all(v["help"] for v in found.values()), "every parameter needs a comment"
    assert "../parameters/tashkent-chilanzar.yaml" in found["district_file"]["default"]


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.stem)
def test_pinned_kernel_and_one_import_cell(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == KERNEL_NAME
    imports = [
        c
        for c in nb.cells
        if c.cell_type == "code" and re.search(r"^(import|from) ", c.source, re.M)
    ]
    assert len(imports) == 1, f"{path.name}: imports belong in one cell"
