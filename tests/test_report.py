"""Reader-facing text and tables: disclosure control in prose, method notes from parameters.

Kind: behaviour (the thresholds and wording documented in ``sga_methods.report``).
"""

from __future__ import annotations

import pandas as pd

from sga_methods import params, report
from sga_methods.params import Options

from .conftest import DEMO_PARAMS


def row(estimate=6.8, se=0.7, low=5.5, high=8.2, n=1415, unit="per 100"):
    return pd.Series(
        {"estimate": estimate, "se": se, "ci_low": low, "ci_high": high, "n": n, "unit": unit}
    )


def test_quote_publishes_flags_or_withholds_like_the_tables():
    assert report.quote(row()) == "6.8% (95% CI 5.5–8.2)"
    assert report.quote(row(se=2.5)) == "6.8% (95% CI 5.5–8.2) †"  # CV 37%
    assert report.quote(row(n=12)) == "not published (fewer than 30 interviews)"
    assert report.quote(row(se=4.0)) == "not published (too imprecise)"  # CV 59%
    assert report.quote(row(), ci=False, unit=" per 1,000", decimals=0) == "7 per 1,000"
    nchs = Options(disclosure_rule="nchs", ci_method="beta")
    wide = row(estimate=4.9, se=2.2, low=1.8, high=12.3, n=200)
    assert report.quote(wide, options=nchs) == "not published (too imprecise)"
    rare = row(estimate=0.4, se=0.22, low=0.1, high=1.2)
    assert report.quote(rare) == "not published (too imprecise)"
    assert report.quote(rare, options=nchs) == "0.4% (95% CI 0.1–1.2)"


def test_estimate_table_never_prints_a_suppressed_number():
    table = pd.DataFrame([row(estimate=12.345, n=12), row(estimate=23.456)]).assign(
        label=["few", "many"]
    )
    html = report.estimate_table(table, labels={"label": "Group"}, caption="c", unit="%").html
    assert "12.3" not in html and "suppressed" in html and "23.5" in html
    assert "fewer than 30 unweighted cases" in html


def test_method_note_is_generated_from_the_parameters():
    p = params.load(DEMO_PARAMS)
    note = report.method_note(p, series=True).text
    assert "past 12 months" in note and "01 March 2025" in note
    assert "not capped" in note and "logit intervals" in note and "fewer than 30" in note
    changed = p.model_copy(
        update={"options": Options(series_cap=10, ci_method="beta", disclosure_rule="nchs")}
    )
    note = report.method_note(changed, series=True).text
    assert "capped at 10" in note and "Korn-Graubard" in note and "NCHS" in note
    assert "capped" not in report.method_note(changed).text  # no counts, no series rule


def test_disclosed_uses_the_districts_rule_and_thresholds():
    from sga_methods import disclosure

    table = pd.DataFrame([row(estimate=0.4, se=0.22, low=0.1, high=1.2)])
    nchs = Options(disclosure_rule="nchs", ci_method="beta", min_n=50)
    pd.testing.assert_frame_equal(
        report.disclosed(table, nchs),
        disclosure.apply(table, min_n=50, flag_cv=0.30, suppress_cv=0.50, rule="nchs"),
    )
    assert report.disclosed(table, nchs)["flag"].item() == ""  # NCHS publishes it
    assert report.disclosed(table)["flag"].item() == "suppressed_cv"  # the CV rule does not
