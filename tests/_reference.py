"""Shared plumbing of the reference tests: R's numbers in tests/results/ and how to compare.

Each ``tests/results/*.json`` holds R cases whose result rows carry the domain (``by``), the
category (``level``) and the numbers; these helpers find the matching row of our tidy output
and compare it at the suite's tolerance.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

RESULTS = Path(__file__).resolve().parent / "results"
#: Relative tolerance against R (logit intervals come from R's iterated glm).
RTOL = 1e-6
STATS = ("estimate", "se", "ci_low", "ci_high", "deff")


def load(name: str) -> Any:
    """A JSON file of reference numbers from tests/results/."""
    return json.loads((RESULTS / name).read_text())


@cache
def data_csv(name: str) -> pd.DataFrame:
    """A CSV data file from tests/results/ (cached; designs copy what they are given)."""
    return pd.read_csv(RESULTS / name)


def match_row(out: pd.DataFrame, row: dict[str, Any]) -> pd.Series:
    """The row of ``out`` with the domain and level of an R result row."""
    mask = np.ones(len(out), dtype=bool)
    for column, value in (row.get("by") or {}).items():
        mask &= out[column].astype(str).to_numpy() == value
    if row.get("level") is not None:
        mask &= out["level"].astype(str).to_numpy() == row["level"]
    assert mask.sum() == 1, f"no unique result row for {row.get('by')} {row.get('level')}"
    return out[mask].iloc[0]


def assert_fields(
    got: pd.Series, expected: dict[str, Any], fields: tuple[str, ...] = STATS
) -> None:
    """Each field agrees with R to RTOL; where R gave NA/NaN ours must be NaN too."""
    for field in fields:
        want = expected.get(field)
        if want is None:  # R gave NA / NaN (e.g. a t quantile with 0 degrees of freedom)
            assert np.isnan(got[field]), field
        else:
            np.testing.assert_allclose(got[field], want, rtol=RTOL, atol=0, err_msg=field)


def run_case(design: Any, spec: dict[str, Any], **extra: Any) -> pd.DataFrame:
    """Apply the recorded subset (if any), then call the recorded estimator method."""
    if spec.get("subset") is not None:
        column, value = spec["subset"]["column"], spec["subset"]["equals"]
        design = design.subset(design.data[column].astype(str) == value)
    out: pd.DataFrame = getattr(design, spec["method"])(*spec["args"], **extra, **spec["kwargs"])
    return out
