"""Tests of the synthetic key-informant / focus-group theme matrix (``key_informants.csv``).

Kinds of test (see README.md): *regression* tests compare with the committed demo file or
check the documented schema and plausible counts of the demo seed; *identity* tests check
that the new random stream leaves the earlier streams unchanged.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sga_methods import params as sga_params
from sga_methods import synthetic
from sga_methods.pipeline import registry
from sga_methods.synthetic._config import STREAMS
from sga_methods.synthetic._informants import (
    FOCUS_GROUP,
    FOCUS_GROUP_SIZE,
    FOCUS_GROUPS,
    KEY_INFORMANT,
    KEY_INFORMANTS,
    SECTORS,
    THEMES,
    informant_columns,
    key_informants,
)
from sga_methods.synthetic._io import FILES, csv_text

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "data" / "synthetic" / "tashkent-chilanzar" / "key_informants.csv"
README = ROOT / "data" / "synthetic" / "README.md"
PARAMS = ROOT / "parameters" / "tashkent-chilanzar.yaml"

THEME_COLUMNS = [f"theme_{t}" for t in THEMES]
SEVERITY_COLUMNS = [f"severity_{t}" for t in THEMES]


def _stream(seed: int) -> np.random.Generator:
    """The ``informants`` stream of :func:`synthetic.generate` for ``seed``."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return np.random.default_rng(children[STREAMS.index("informants")])


@pytest.fixture(scope="module")
def matrix() -> pd.DataFrame:
    return key_informants(_stream(synthetic.DEMO_SEED))


# --- determinism and the random stream ------------------------------------------------------


@pytest.mark.regression
def test_committed_file_equals_fresh_draw(matrix):
    """The committed file is the demo seed's draw (regenerate with ``make demo-data``)."""
    assert COMMITTED.read_bytes() == csv_text(matrix).encode("utf-8")
    assert FILES["key_informants"] == ("key_informants.csv", "key_informants")


@pytest.mark.regression
def test_generate_wires_the_informants_stream():
    small = synthetic.SyntheticConfig(
        seed=7,
        residents=20_000,
        n_mahallas=12,
        n_strata=2,
        psus_per_stratum=3,
        households_per_psu=20,
    )
    demo = synthetic.generate(small)
    pd.testing.assert_frame_equal(demo.key_informants, key_informants(_stream(7)))


@pytest.mark.identity
def test_new_stream_leaves_the_earlier_streams_unchanged():
    """Appending ``informants`` to STREAMS keeps the first nine children (spawn(9) vs spawn(10))."""
    assert STREAMS[-1] == "informants" and len(STREAMS) == 10
    before = np.random.SeedSequence(synthetic.DEMO_SEED).spawn(len(STREAMS) - 1)
    after = np.random.SeedSequence(synthetic.DEMO_SEED).spawn(len(STREAMS))
    for old, new in zip(before, after, strict=False):
        np.testing.assert_array_equal(old.generate_state(8), new.generate_state(8))


def test_same_seed_same_matrix_other_seed_other_matrix(matrix):
    pd.testing.assert_frame_equal(matrix, key_informants(_stream(synthetic.DEMO_SEED)))
    other = key_informants(_stream(synthetic.DEMO_SEED + 1))
    assert list(other.columns) == list(matrix.columns)
    assert not other[THEME_COLUMNS].equals(matrix[THEME_COLUMNS])


# --- schema -------------------------------------------------------------------------------


def test_columns_and_codes(matrix):
    assert list(matrix.columns) == informant_columns()
    assert matrix["source_id"].is_unique
    ki = matrix["source_type"] == KEY_INFORMANT
    assert set(matrix["source_type"]) == {KEY_INFORMANT, FOCUS_GROUP}
    assert matrix.loc[ki, "source_id"].str.fullmatch(r"KI-\d{2}").all()
    assert matrix.loc[~ki, "source_id"].str.fullmatch(r"FG-\d{2}").all()
    assert set(matrix["sector"]) <= set(SECTORS)
    assert (matrix.loc[ki, "participants"] == 1).all()
    low, high = FOCUS_GROUP_SIZE
    assert matrix.loc[~ki, "participants"].between(low, high).all()
    for col in THEME_COLUMNS:
        assert matrix[col].isin([0, 1]).all() and matrix[col].notna().all(), col


def test_severity_is_given_exactly_for_mentioned_themes(matrix):
    for theme, severity in zip(THEME_COLUMNS, SEVERITY_COLUMNS, strict=True):
        assert (matrix[severity].isna() == (matrix[theme] == 0)).all(), severity
        assert matrix[severity].dropna().between(1, 3).all(), severity


def test_no_free_text(matrix):
    """Only the id and two code columns are text; every code is from a short list."""
    text = [c for c in matrix.columns if not pd.api.types.is_numeric_dtype(matrix[c])]
    assert text == ["source_id", "source_type", "sector"]
    csv = pd.read_csv(COMMITTED)
    assert list(csv.columns) == informant_columns()
    assert [c for c in csv.columns if not pd.api.types.is_numeric_dtype(csv[c])] == text


# --- plausible counts (demo seed) -----------------------------------------------------------


@pytest.mark.regression
def test_sample_composition(matrix):
    assert 30 <= len(matrix) <= 40
    ki = matrix["source_type"] == KEY_INFORMANT
    assert ki.sum() == sum(KEY_INFORMANTS.values())
    assert (~ki).sum() == sum(FOCUS_GROUPS.values())
    assert set(matrix.loc[ki, "sector"]) == set(SECTORS)  # every sector interviewed
    by_sector = matrix.loc[ki].groupby("sector").size()
    assert by_sector.to_dict() == {s: n for s, n in KEY_INFORMANTS.items() if n}
    assert 60 <= matrix["participants"].sum() <= 130


@pytest.mark.regression
def test_mentions_are_plausible(matrix):
    themes = matrix[THEME_COLUMNS]
    per_source = themes.sum(axis=1)
    assert (per_source >= 1).all()  # every source raised something
    assert (per_source < len(THEMES)).all()
    per_theme = themes.sum()
    assert (per_theme >= 2).all() and (per_theme < len(matrix)).all()
    # focus groups (several people) raise more themes than single informants
    fg = matrix["source_type"] == FOCUS_GROUP
    assert per_source[fg].mean() > per_source[~fg].mean()
    # sectors see the flows their work touches
    share = themes.groupby(matrix["sector"]).mean()
    assert (
        share.loc["customs_border", "theme_drug_transit"]
        > share.loc["education", "theme_drug_transit"]
    )
    assert share.loc["youth", "theme_online_recruitment"] >= 0.5
    # sexual exploitation is rated more severe than counterfeit goods on average
    severity = matrix[SEVERITY_COLUMNS].astype(float).mean()
    assert (
        severity["severity_trafficking_sexual_exploitation"]
        > severity["severity_counterfeit_goods"]
    )


# --- documentation and parameters -----------------------------------------------------------


def test_readme_documents_the_file_and_every_column(matrix):
    text = README.read_text(encoding="utf-8")
    assert "`key_informants.csv`" in text
    documented = set(re.findall(r"`([^`\s]+)`", text))
    for name in list(documented):
        if "<theme>" in name:
            documented.update(name.replace("<theme>", t) for t in THEMES)
    missing = [c for c in matrix.columns if c not in documented]
    assert not missing, missing
    for code in (*SECTORS, KEY_INFORMANT, FOCUS_GROUP, *THEMES):
        assert f"`{code}`" in text, code


def test_demo_parameters_and_module_04_use_the_file():
    params = sga_params.load(PARAMS)
    assert params.data_path("key_informants") == COMMITTED.resolve()
    assert "key_informants" in registry.get("04_illicit_flows").requires
