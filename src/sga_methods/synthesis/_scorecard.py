"""Results files, the scorecard, and comparisons between waves and between districts."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..pipeline.registry import MODULES
from ..trends import compare_estimates
from ._catalogue import _DIRECTIONS, HEADLINES, SCORECARD_COLUMNS, Headline, _bad

__all__ = [
    "batch_results",
    "compare_districts",
    "compare_waves",
    "load_results",
    "missing_modules",
    "scorecard",
]


def load_results(results_dir: str | Path) -> dict[str, dict[str, pd.DataFrame]]:
    """Read every ``*.json`` results file of a folder.

    Parameters
    ----------
    results_dir : str or Path
        A folder written by :func:`sga_methods.report.save_results` (``results/``).

    Returns
    -------
    dict
        ``{module: {table name: DataFrame}}``; JSON ``null`` becomes NaN in numeric
        columns.

    Raises
    ------
    FileNotFoundError
        If the folder does not exist.
    ValueError
        Naming the file, if a file is not valid JSON, is not shaped like
        ``{"module": str, "tables": {name: [records]}}``, or repeats another file's module.
    """
    folder = Path(results_dir)
    if not folder.is_dir():
        raise FileNotFoundError(f"results folder {folder} does not exist (run the modules first)")
    out: dict[str, dict[str, pd.DataFrame]] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise ValueError(f"results file {path} is not valid JSON: {err}") from err
        module = payload.get("module") if isinstance(payload, dict) else None
        tables = payload.get("tables") if isinstance(payload, dict) else None
        if not isinstance(module, str) or not isinstance(tables, dict):
            raise ValueError(
                f"results file {path} must hold {{'module': name, 'tables': {{...}}}}; got "
                f"{type(payload).__name__} {str(payload)[:80]!r}"
            )
        if module in out:
            raise ValueError(f"results file {path} repeats module {module!r} of another file")
        frames = {}
        for name, records in tables.items():
            if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
                raise ValueError(
                    f"results file {path}: table {name!r} must be a list of records (objects)"
                )
            frames[name] = pd.DataFrame.from_records(records)
        out[module] = frames
    return out


def missing_modules(
    results: Mapping[str, object], expected: Iterable[str] | None = None
) -> list[str]:
    """Modules without a results file.

    ``expected`` defaults to every module of the registry except ``09_synthesis``.

    Examples
    --------
    >>> missing_modules({"01_crime": {}}, ["00_profile", "01_crime"])
    ['00_profile']
    """
    names = [m.name for m in MODULES if m.name != "09_synthesis"] if expected is None else expected
    return [m for m in names if m not in results]


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _select(h: Headline, table: pd.DataFrame) -> tuple[pd.Series | None, str]:
    rows = table
    for col, value in h.where.items():
        if col not in rows.columns:
            return None, f"table {h.table!r} has no column {col!r}"
        rows = rows[rows[col].map(_text) == _text(value)]
    if len(rows) > 1 and "group" in rows.columns and "group" not in h.where:
        rows = rows[rows["group"].astype(str) == "All"]
    if len(rows) > 1 and h.pick is not None:
        col, how = h.pick
        values = pd.to_numeric(rows[col], errors="coerce")
        rows = rows[values == (values.max() if how == "max" else values.min())]
    if len(rows) == 0:
        return None, f"no row of table {h.table!r} matches {dict(h.where)}"
    if len(rows) > 1:
        return None, f"{len(rows)} rows of table {h.table!r} match {dict(h.where)}"
    return rows.iloc[0], ""


def _number(row: pd.Series, column: str) -> float:
    value = pd.to_numeric(pd.Series([row.get(column)]), errors="coerce").iloc[0]
    return float(value)


def _scorecard_row(h: Headline, results: Mapping[str, Mapping[str, pd.DataFrame]]) -> dict:
    out: dict[str, Any] = dict.fromkeys(SCORECARD_COLUMNS[4:10], np.nan)
    out.update(id=h.id, label=h.label, problem=h.problem, module=h.module, flag="", unit=h.unit)
    out.update(unit_label=h.unit, direction=h.direction, percentage=h.percentage, detail="")
    out.update(source=h.source)
    out.update(status="missing", note="")
    if h.direction not in _DIRECTIONS:
        raise _bad(f"direction of headline {h.id!r}", h.direction, f"one of {_DIRECTIONS}")
    if h.module not in results:
        out["note"] = "module not run (no results file)"
        return out
    if h.table not in results[h.module]:
        out["note"] = f"no table {h.table!r} in the module's results"
        return out
    row, why = _select(h, results[h.module][h.table])
    if row is None:
        out["note"] = why
        return out
    for key in ("estimate", "se", "ci_low", "ci_high", "n", "p_value"):
        out[key] = _number(row, h.columns.get(key, key))
    if h.rate_ratio:
        for key in ("estimate", "ci_low", "ci_high"):
            out[key] = 100 * (out[key] - 1)
    flag = row.get("flag")
    out["flag"] = flag if isinstance(flag, str) else ""
    if isinstance(row.get("unit"), str):
        out["unit"] = row["unit"]
    out["detail"] = "–".join(_text(row.get(c)) for c in h.detail if c in row.index)
    if math.isnan(out["estimate"]) and not out["flag"].startswith("suppressed"):
        out["note"] = "the row has no estimate"
        return out
    out["status"] = "ok"
    return out


def scorecard(
    results: Mapping[str, Mapping[str, pd.DataFrame]], catalogue: Sequence[Headline] = HEADLINES
) -> pd.DataFrame:
    """One row per headline indicator, picked from the modules' results.

    Parameters
    ----------
    results : mapping
        ``{module: {table: DataFrame}}`` as returned by :func:`load_results`.
    catalogue : sequence of Headline, default HEADLINES

    Returns
    -------
    DataFrame
        Columns ``id, label, problem, module, estimate, se, ci_low, ci_high, n, p_value,
        flag, unit`` (as the module recorded it, e.g. "per 100 victims"), ``unit_label``
        (for readers), ``direction, percentage, detail`` (e.g. the year picked),
        ``status`` ("ok" or "missing") and ``note`` (why it is missing: module not run,
        table or row absent, several rows match). Estimates and flags are as the module
        published them (suppressed estimates are blank with a "suppressed" flag); ``se``
        and ``n`` are NaN for indicators that are not survey estimates.
    """
    ids = [h.id for h in catalogue]
    if len(set(ids)) != len(ids):
        raise _bad(
            "catalogue", sorted({i for i in ids if ids.count(i) > 1}), "free of repeated ids"
        )
    rows = [_scorecard_row(h, results) for h in catalogue]
    return pd.DataFrame(rows, columns=list(SCORECARD_COLUMNS))


def _usable(status: pd.Series, flag: pd.Series, estimate: pd.Series) -> pd.Series:
    """Published rows: found, not suppressed, with an estimate."""
    suppressed = flag.fillna("").astype(str).str.startswith("suppressed")
    return (status == "ok") & ~suppressed & estimate.notna()


def _why(status: pd.Series, flag: pd.Series, wave: str) -> np.ndarray:
    suppressed = flag.fillna("").astype(str).str.startswith("suppressed")
    return np.where(
        status != "ok", f"missing in {wave}", np.where(suppressed, f"suppressed in {wave}", "")
    )


def compare_waves(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    corr: float = 0.0,
    *,
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """Change of each headline indicator since a previous wave.

    Parameters
    ----------
    current, previous : DataFrame
        Scorecards (:func:`scorecard`) of this wave and the previous one.
    corr : float, default 0.0
        Correlation of the two waves' estimates: 0 for fresh samples.
    ci_level : float, default 0.95
        Level of the interval of the difference; a change is significant when its p-value
        is below ``1 - ci_level`` (the interval excludes 0).

    Returns
    -------
    DataFrame
        One row per indicator of ``current``: ``id, label, unit_label, direction,
        estimate, previous, difference`` (this wave minus the previous one), ``se,
        ci_low, ci_high, p_value`` of the difference, ``change`` ("significant increase",
        "significant decrease", "no significant change", "not tested" or "not
        compared"), ``assessment`` ("better" or "worse" for a significant change, given
        the direction) and ``note``. Indicators missing or suppressed in either wave are
        not compared; those without standard errors (administrative ratios, trends) get a
        difference but no test.

    Notes
    -----
    The test is :func:`sga_methods.trends.compare_estimates`,
    ``z = (E1 - E2) / sqrt(se1^2 + se2^2 - 2 r se1 se2)``.
    """
    need = ["id", "estimate", "se", "flag", "status"]
    for name, frame in (("current", current), ("previous", previous)):
        if missing := sorted(set(need) - set(frame.columns)):
            raise _bad(f"{name!r} argument", missing, "a scorecard; missing columns")
    before = previous[need].rename(columns=lambda c: c if c == "id" else f"{c}_prev")
    m = current.merge(before, on="id", how="left", validate="one_to_one")
    m["status_prev"] = m["status_prev"].fillna("missing")
    both = _usable(m["status"], m["flag"], m["estimate"]) & _usable(
        m["status_prev"], m["flag_prev"], m["estimate_prev"]
    )
    tested = both & np.isfinite(m["se"].astype(float)) & np.isfinite(m["se_prev"].astype(float))
    # placeholders where untested keep compare_estimates' input checks; masked below
    res = compare_estimates(
        *(
            m[c].astype(float).where(tested, 0.0)
            for c in ("estimate", "se", "estimate_prev", "se_prev")
        ),
        corr=corr,
        ci_level=ci_level,
    )
    out = m[["id", "label", "unit_label", "direction", "estimate"]].copy()
    out["previous"] = m["estimate_prev"].astype(float)
    out["difference"] = (out["estimate"] - out["previous"]).where(both)
    for col in ("se", "ci_low", "ci_high", "p_value"):
        out[col] = res[col].where(tested)
    sig = tested & (out["p_value"] < 1 - ci_level)
    up = out["difference"] > 0
    out["change"] = np.select(
        [sig & up, sig, tested, both],
        ["significant increase", "significant decrease", "no significant change", "not tested"],
        "not compared",
    )
    worse = up == (out["direction"] == "higher is worse")
    out["assessment"] = np.where(sig, np.where(worse, "worse", "better"), "")
    notes = pd.DataFrame(
        {
            "now": _why(m["status"], m["flag"], "this wave"),
            "prev": _why(m["status_prev"], m["flag_prev"], "the previous wave"),
        }
    )
    out["note"] = notes.apply(lambda r: "; ".join(x for x in r if x), axis=1)
    out.loc[both & ~tested, "note"] = "no standard error (not a survey estimate)"
    return out


def batch_results(results_dir: str | Path) -> dict[str, Path]:
    """Results folders of this district and of the other districts of its batch.

    Parameters
    ----------
    results_dir : str or Path
        The ``results_dir`` parameter of a workbook: ``outputs/<district>/results``, or
        the staging folder ``outputs/<district>/.tmp-<module>-*/results`` in which the
        pipeline runs a module before publishing it.

    Returns
    -------
    dict
        ``{district id: results folder}`` for every ``outputs/*/results`` folder holding
        results files, this district first (whether or not its folder exists yet).
    """
    own = Path(results_dir)
    if own.parent.name.startswith(".tmp-"):  # the pipeline's staging folder
        own = own.parent.parent / "results"
    district = own.parent
    found = {district.name: own}
    for folder in sorted(district.parent.glob("*/results")):
        if folder.parent != district and any(folder.glob("*.json")):
            found[folder.parent.name] = folder
    return found


def compare_districts(
    results_dirs: Mapping[str, str | Path], catalogue: Sequence[Headline] = HEADLINES
) -> pd.DataFrame:
    """The scorecards of several districts, stacked with a ``district`` column.

    Parameters
    ----------
    results_dirs : mapping
        ``{district: results folder}``, e.g. from :func:`batch_results`.
    catalogue : sequence of Headline, default HEADLINES

    Returns
    -------
    DataFrame
        ``district`` followed by the :func:`scorecard` columns, sorted by indicator (in
        catalogue order) and then district (in the order given), so that the districts'
        values of an indicator sit side by side.
    """
    frames = []
    for district, folder in results_dirs.items():
        frames.append(scorecard(load_results(folder), catalogue).assign(district=district))
    if not frames:
        raise _bad("results_dirs argument", dict(results_dirs), "a non-empty mapping")
    out = pd.concat(frames, ignore_index=True)
    order = {h.id: i for i, h in enumerate(catalogue)}
    out = out.sort_values(["id"], key=lambda s: s.map(order), kind="stable")
    return out[["district", *SCORECARD_COLUMNS]].reset_index(drop=True)
