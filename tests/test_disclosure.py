"""Disclosure control: flags and suppression follow the documented thresholds exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sga_methods import disclosure


def table():
    return pd.DataFrame(
        {
            "domain": ["ok", "few", "noisy", "very noisy", "zero"],
            "estimate": [10.0, 10.0, 10.0, 10.0, 0.0],
            "se": [1.0, 1.0, 3.5, 6.0, 0.0],
            "ci_low": [8.0, 8.0, 3.0, 0.0, 0.0],
            "ci_high": [12.0, 12.0, 17.0, 22.0, 0.0],
            "n": [100, 29, 100, 100, 100],
        }
    )


def test_flags_and_suppression():
    out = disclosure.apply(table(), min_n=30, flag_cv=0.30, suppress_cv=0.50)
    assert out["flag"].tolist() == ["", "suppressed_n", "unreliable", "suppressed_cv", ""]
    assert np.isnan(out.loc[1, "estimate"]) and np.isnan(out.loc[3, "ci_high"])
    assert out.loc[2, "estimate"] == 10.0
    assert out["n"].tolist() == table()["n"].tolist()  # bases stay visible


def test_boundaries_are_inclusive_as_documented():
    t = table().iloc[[0]].assign(se=3.0, n=30)  # CV exactly 0.30, n exactly min_n
    assert disclosure.apply(t)["flag"].item() == ""


def test_input_is_not_modified():
    t = table()
    disclosure.apply(t)
    pd.testing.assert_frame_equal(t, table())


def test_bad_arguments():
    with pytest.raises(ValueError, match="missing"):
        disclosure.apply(table().drop(columns="se"))
    with pytest.raises(ValueError, match="flag_cv"):
        disclosure.apply(table(), flag_cv=0.6, suppress_cv=0.5)
