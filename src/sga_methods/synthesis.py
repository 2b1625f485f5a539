"""Synthesis of a district assessment: scorecard, comparisons and priorities (module 09).

Every module writes its headline tables with :func:`sga_methods.report.save_results` as
``results/<module>.json``; the synthesis reads those files, never the notebooks:

- :data:`HEADLINES` names, for each headline indicator, the module, table and row that
  hold it and whether a higher value is worse or better;
- :func:`scorecard` picks those rows from :func:`load_results` into one table, listing
  indicators whose module or row is missing instead of dropping them;
- :func:`compare_waves` tests the change since a previous wave
  (:func:`sga_methods.trends.compare_estimates`), :func:`compare_districts` stacks the
  scorecards of the districts of a batch;
- :func:`priority_matrix` combines a severity rating (1-5, from the district's parameters)
  with the prevalence of each problem into a priority score, and
  :func:`recommendation_list` orders the district's recommendations by it.
"""

from __future__ import annotations

import json
import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .pipeline.registry import MODULES
from .trends import compare_estimates

__all__ = [
    "HEADLINES",
    "Headline",
    "batch_results",
    "compare_districts",
    "compare_waves",
    "load_results",
    "missing_modules",
    "plot_priorities",
    "priority_matrix",
    "recommendation_list",
    "scorecard",
]

Direction = Literal["higher is worse", "higher is better"]
_DIRECTIONS = ("higher is worse", "higher is better")


@dataclass(frozen=True)
class Headline:
    """Where a headline indicator lives in the results files, and how to read it.

    Attributes
    ----------
    id : str
        Identifier used by the parameters (``synthesis.severity``, ``recommendations``).
    label : str
        Name for readers.
    problem : str
        Short name of the problem the indicator measures, for the priority matrix: the
        indicator itself when higher is worse, its complement when higher is better
        (e.g. "Do not feel safe after dark" for SDG 16.1.4).
    module, table : str
        Module (results file) and table holding the indicator.
    where : mapping
        Column values that select its row (compared as text). When several rows match and
        the table has a ``group`` column not named here, the row of group "All" is used.
    unit : str
        Unit for readers, e.g. "% of residents 15+".
    direction : {"higher is worse", "higher is better"}
    percentage : bool, default True
        A percentage of a population (enters the priority matrix); False for changes
        such as an annual percent change.
    columns : mapping, optional
        Column of the table holding ``estimate``, ``ci_low``, ``ci_high``, ``p_value``
        when not under those names.
    pick : (column, "max" | "min"), optional
        Among the matching rows, the one with the largest (smallest) value of the column,
        e.g. ``("year", "max")`` for the latest year.
    detail : tuple of str
        Columns whose values describe the row picked (e.g. period), joined by "–".
    rate_ratio : bool, default False
        The estimate is a rate ratio, shown as a percent change ``100 (RR - 1)``.
    source : {"survey", "records"}
        Household survey (design-based SE and unweighted n), or administrative and police
        records (no sampling error: trends, ratios).
    """

    id: str
    label: str
    problem: str
    module: str
    table: str
    where: Mapping[str, Any]
    unit: str
    direction: Direction
    percentage: bool = True
    columns: Mapping[str, str] = field(default_factory=dict)
    pick: tuple[str, Literal["max", "min"]] | None = None
    detail: tuple[str, ...] = ()
    rate_ratio: bool = False
    source: Literal["survey", "records"] = "survey"


def _h(
    id_: str,
    label: str,
    problem: str,
    module: str,
    table: str,
    variable: str,
    unit: str,
    direction: Direction,
    **kw: Any,
) -> Headline:
    return Headline(
        id_, label, problem, module, table, {"variable": variable}, unit, direction, **kw
    )


_V01, _V02, _V03 = "01_crime_victimization", "02_safety_perceptions", "03_corruption"
_V05, _V06, _V07 = "05_violent_extremism_prevention", "06_drugs_health", "07_police_recorded_trends"
_V08 = "08_governance_trust"
_WORSE: Direction = "higher is worse"
_BETTER: Direction = "higher is better"

# fmt: off
#: The headline indicators of an assessment, in the order of the modules.
HEADLINES: tuple[Headline, ...] = (
    _h("crime_any", "Victims of any crime against the person, past 12 months",
       "Victims of any personal crime", _V01, "any_prevalence", "n_any_personal",
       "% of residents 15+", _WORSE),
    _h("crime_violent", "Victims of violent crime (assault or threat, robbery, sexual offence)",
       "Victims of violent crime", _V01, "any_prevalence", "n_any_violent",
       "% of residents 15+", _WORSE),
    _h("crime_household", "Households victim of a household crime, past 12 months",
       "Households victim of crime", _V01, "any_prevalence", "n_any_household",
       "% of households", _WORSE),
    _h("sdg_16_1_3", "Victims of physical, psychological or sexual violence (SDG 16.1.3)",
       "Victims of violence", _V01, "sdg_16_1_3", "sdg_16_1_3", "% of residents 15+", _WORSE),
    _h("sdg_16_3_1", "Victims of violence who reported it to the police (SDG 16.3.1)",
       "Violence not reported to the police", _V01, "sdg_16_3_1", "sdg_16_3_1",
       "% of victims of violence", _BETTER),
    _h("sdg_16_1_4", "Feel safe walking alone in their area after dark (SDG 16.1.4)",
       "Do not feel safe after dark", _V02, "sdg_16_1_4", "sdg_16_1_4",
       "% of residents 15+", _BETTER),
    _h("sdg_11_7_2", "Victims of physical or sexual harassment (SDG 11.7.2)",
       "Victims of harassment", _V02, "sdg_11_7_2", "sdg_11_7_2", "% of residents 15+", _WORSE),
    _h("sdg_16_5_1", "Paid or were asked for a bribe by a public official (SDG 16.5.1)",
       "Bribery by public officials", _V03, "sdg_16_5_1", "sdg_16_5_1",
       "% of residents with contact with officials", _WORSE),
    _h("discrimination", "Felt discriminated against, past 12 months",
       "Discrimination", _V05, "discrimination", "discrim_any", "% of residents 15+", _WORSE),
    _h("drug_use_year", "Used an illicit drug in the past 12 months, ages 15-64",
       "Drug use", _V06, "drug_use_prevalence", "drug_use_year", "% of residents 15-64", _WORSE),
    _h("sdg_3_5_1", "Treatment coverage for drug use disorders, latest year (SDG 3.5.1)",
       "Drug use disorders untreated", _V06, "sdg_3_5_1_by_year", "sdg_3_5_1",
       "% of people with drug use disorders", _BETTER, pick=("year", "max"), detail=("year",),
       source="records"),
    _h("sdg_16_6_2", "Satisfied with their last experience of public services (SDG 16.6.2)",
       "Dissatisfied with public services", _V08, "sdg_16_6_2", "sdg_16_6_2",
       "% of users", _BETTER),
    _h("sdg_16_7_2", "Feel decision-making is inclusive and responsive (SDG 16.7.2)",
       "Feel no say in local decisions", _V08, "sdg_16_7_2", "sdg_16_7_2",
       "% of residents 15+", _BETTER),
    _h("trust_police", "Trust the police", "Do not trust the police", _V08, "trust",
       "trust_police", "% of residents 15+", _BETTER),
    Headline("police_aapc", "Police-recorded crime: average annual percent change (AAPC)",
             "Rise in recorded crime", _V07, "aapc", {"iccs": "all"}, "% per year", _WORSE,
             percentage=False, columns={"estimate": "aapc"}, pick=("start", "min"),
             detail=("start", "end"), source="records"),
    Headline("safe_city_level", "Safe City CCTV: change in the level of targeted crimes",
             "Targeted crimes after Safe City", _V07, "intervention_effects",
             {"intervention": "Safe City CCTV", "series": "Targeted sections",
              "model": "Level and slope change"},
             "% change in level", _WORSE, percentage=False,
             columns={"estimate": "level_rr", "ci_low": "level_ci_low",
                      "ci_high": "level_ci_high", "p_value": "level_p"},
             detail=("start",), rate_ratio=True, source="records"),
)
# fmt: on

#: Columns of :func:`scorecard`, in order.
SCORECARD_COLUMNS = (
    *("id", "label", "problem", "module", "estimate", "se", "ci_low", "ci_high", "n"),
    *("p_value", "flag", "unit", "unit_label", "direction", "percentage", "source", "detail"),
    *("status", "note"),
)


def _bad(what: str, value: Any, expected: str) -> ValueError:
    return ValueError(f"The {what} of sga_methods.synthesis must be {expected}. Got {value!r}.")


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


def _weights(weights: Any) -> tuple[float, float]:
    if isinstance(weights, Mapping):
        ws, wp = weights.get("severity"), weights.get("prevalence")
    else:
        ws, wp = getattr(weights, "severity", None), getattr(weights, "prevalence", None)
    try:
        ws, wp = float(ws), float(wp)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise _bad("weights argument", weights, "severity and prevalence weights") from None
    if not (0 <= ws <= 1 and 0 <= wp <= 1 and abs(ws + wp - 1) < 1e-9):
        raise _bad("weights argument", weights, "two weights in [0, 1] summing to 1")
    return ws, wp


def priority_matrix(
    scorecard: pd.DataFrame,
    severity: Mapping[str, int],
    weights: Mapping[str, float] | Any,
    *,
    scaling: Literal["share", "minmax"] = "share",
) -> pd.DataFrame:
    """Priority of each problem from its severity rating and its prevalence.

    Parameters
    ----------
    scorecard : DataFrame
        From :func:`scorecard`.
    severity : mapping
        Rating 1 (minor) to 5 (grave) by indicator id (the district's
        ``synthesis.severity``).
    weights : mapping or object
        ``severity`` and ``prevalence`` weights summing to 1 (keys or attributes, e.g.
        ``params.synthesis.priority_weights``).
    scaling : {"share", "minmax"}, default "share"
        How the prevalence is scaled to 0-1 (see Notes).

    Returns
    -------
    DataFrame
        ``rank, id, label, problem, module, direction, estimate, flag, share``
        (percentage with the problem), ``prevalence`` (scaled), ``severity``,
        ``severity_scaled``, ``priority``, ``status`` ("ranked", "unrated", "not placed")
        and ``note``. Ranked rows come first by priority, then unrated ones by share,
        then indicators that cannot be placed (missing, suppressed or not percentages).

    Raises
    ------
    ValueError
        If a severity is not an integer 1-5 or names an indicator not in the scorecard,
        or the weights do not sum to 1.

    Notes
    -----
    Only percentages enter: for an indicator where higher is worse the problem's share
    is the estimate (victims of crime, %); where higher is better it is the complement
    ``100 - estimate`` (e.g. residents who do not feel safe after dark). With
    ``scaling="share"`` the prevalence is ``share / 100``: it keeps its absolute meaning,
    so scores compare across waves and districts, but bases differ (residents, victims,
    users). ``"minmax"`` rescales ``(share - min) / (max - min)`` over the indicators
    placed, which spreads them over 0-1 but depends on which indicators are present (all
    equal gives 0.5). Severity ``s`` becomes ``(s - 1) / 4`` and

    .. math:: \\text{priority} = w_s \\frac{s - 1}{4} + w_p \\, \\text{prevalence}.

    A multi-criteria score of this kind (as in crime-harm indices and risk matrices)
    orders problems for discussion; the ratings and weights are judgements that the
    district's parameters state openly.

    Examples
    --------
    >>> card = pd.DataFrame({"id": ["a", "b"], "label": ["A", "B"], "problem": ["A", "B"],
    ...     "module": "m", "estimate": [10.0, 60.0], "flag": "", "status": "ok",
    ...     "percentage": True, "direction": ["higher is worse", "higher is better"]})
    >>> priority_matrix(card, {"a": 5, "b": 1}, {"severity": 0.5, "prevalence": 0.5})[
    ...     ["id", "share", "priority", "rank"]]
      id  share  priority  rank
    0  a   10.0      0.55     1
    1  b   40.0      0.20     2
    """
    ws, wp = _weights(weights)
    need = ["id", "label", "problem", "module", "direction", "estimate", "flag", "status"]
    if missing := sorted({*need, "percentage"} - set(scorecard.columns)):
        raise _bad("scorecard argument", missing, "a scorecard; missing columns")
    if scaling not in ("share", "minmax"):
        raise _bad("scaling argument", scaling, "'share' or 'minmax'")
    unknown = sorted(set(severity) - set(scorecard["id"]))
    if unknown:
        raise _bad(
            "severity argument",
            unknown,
            f"ratings of indicators of the scorecard ({', '.join(scorecard['id'])})",
        )
    for key, value in severity.items():
        integer = isinstance(value, int | np.integer) and not isinstance(value, bool)
        if not integer or not 1 <= value <= 5:
            raise _bad(f"severity of {key!r}", value, "an integer from 1 to 5")
    out = scorecard[need[:-1]].copy()
    usable = _usable(scorecard["status"], scorecard["flag"], scorecard["estimate"]).to_numpy()
    placed = usable & scorecard["percentage"].astype(bool).to_numpy()
    better = (scorecard["direction"] == "higher is better").to_numpy()
    share = np.where(better, 100 - scorecard["estimate"].astype(float), scorecard["estimate"])
    out["share"] = np.where(placed, share, np.nan)
    if scaling == "share":
        out["prevalence"] = out["share"] / 100
    else:
        lo, hi = out["share"].min(), out["share"].max()
        out["prevalence"] = (out["share"] - lo) / (hi - lo) if hi > lo else 0.5
        out.loc[~placed, "prevalence"] = np.nan
    out["severity"] = out["id"].map(severity).astype("Int64")
    out["severity_scaled"] = (out["severity"].astype(float) - 1) / 4
    rated = placed & out["severity"].notna().to_numpy()
    out["priority"] = np.where(rated, ws * out["severity_scaled"] + wp * out["prevalence"], np.nan)
    status = np.where(rated, "ranked", np.where(placed, "unrated", "not placed"))
    out["status"] = status
    why = scorecard.get("note", pd.Series("", index=scorecard.index)).astype(str)
    note = np.where(scorecard["status"] != "ok", "missing: " + why, "")
    note = np.where((note == "") & ~scorecard["percentage"].astype(bool), "not a percentage", note)
    note = np.where((note == "") & ~placed, "suppressed", note)
    note = np.where(status == "unrated", "no severity rating in the parameters", note)
    out["note"] = note
    order = out.assign(
        _k=pd.Categorical(status, ["ranked", "unrated", "not placed"], ordered=True),
        _p=-out["priority"].fillna(-1),
        _s=-out["severity"].astype(float).fillna(0),
        _v=-out["share"].fillna(-1),
    ).sort_values(["_k", "_p", "_s", "_v"], kind="stable")
    out = out.loc[order.index].reset_index(drop=True)
    rank = out["priority"].rank(ascending=False, method="min")
    out.insert(0, "rank", rank.astype("Int64"))
    return out


def recommendation_list(priorities: pd.DataFrame, texts: Mapping[str, str]) -> pd.DataFrame:
    """The district's recommendations in order of priority.

    Parameters
    ----------
    priorities : DataFrame
        From :func:`priority_matrix` (in its order).
    texts : mapping
        Recommendation by indicator id (the district's ``synthesis.recommendations``).

    Returns
    -------
    DataFrame
        ``rank, id, label, problem, priority, ranking`` (text: "rank 2" or "not ranked"),
        ``recommendation`` and ``status``: every ranked indicator (status
        "recommendation", or "needs a recommendation" when ``texts`` has none), then
        indicators that are not ranked but have a recommendation.

    Raises
    ------
    ValueError
        If ``texts`` names an indicator that is not in ``priorities``.
    """
    unknown = sorted(set(texts) - set(priorities["id"]))
    if unknown:
        raise _bad(
            "recommendations argument",
            unknown,
            f"recommendations for indicators of the scorecard ({', '.join(priorities['id'])})",
        )
    keep = (priorities["status"] == "ranked") | priorities["id"].isin(list(texts))
    out = priorities.loc[keep, ["rank", "id", "label", "problem", "priority"]].copy()
    out["ranking"] = [f"rank {r}" if pd.notna(r) else "not ranked" for r in out["rank"]]
    out["recommendation"] = out["id"].map(texts).fillna("")
    out["status"] = np.where(
        out["recommendation"] != "", "recommendation", "needs a recommendation"
    )
    return out.reset_index(drop=True)


def plot_priorities(
    priorities: pd.DataFrame,
    *,
    title: str,
    weights: Mapping[str, float] | Any | None = None,
    ax: plt.Axes | None = None,
) -> plt.Figure:
    """The priority matrix: severity (x) against scaled prevalence (y), one point per problem.

    Parameters
    ----------
    priorities : DataFrame
        From :func:`priority_matrix`; only ranked rows are drawn.
    title : str
    weights : mapping or object, optional
        The priority weights; when given, dashed lines of equal priority are drawn.
    ax : matplotlib Axes, optional

    Returns
    -------
    Figure
        Each point carries its rank, and a key beside the axes names the problems;
        unreliable prevalences (flag "unreliable") are hollow markers with a dagger.
    """
    from .report import PALETTE  # report imports params; keep synthesis light to import

    ranked = priorities[priorities["status"] == "ranked"]
    if ax is None:
        _, ax = plt.subplots(figsize=(9.5, 5.5))
    fig = ax.get_figure(root=True)
    if fig is None:
        raise ValueError("plot_priorities: the axes given are not on a figure")
    if weights is not None:
        ws, wp = _weights(weights)
        for level in (0.25, 0.5, 0.75):
            if wp > 0:  # priority = ws (x - 1) / 4 + wp y, solved for y
                x = np.linspace(1, 5, 81)
                y = (level - ws * (x - 1) / 4) / wp
                x, y = x[(y >= 0) & (y <= 1)], y[(y >= 0) & (y <= 1)]
            else:
                x, y = np.full(2, 1 + 4 * level / ws), np.array([0.0, 1.0])
            if len(x):
                ax.plot(x, y, ls="--", lw=0.8, color="0.6")
                ax.annotate(
                    f"priority {level:g}",
                    (x[0], y[0]),
                    xytext=(3, -3),
                    fontsize=8,
                    textcoords="offset points",
                    color="0.4",
                    va="top",
                )
    previous: tuple[float, float] = (np.nan, np.nan)
    side = 1
    for _, row in ranked.sort_values(["severity", "prevalence"]).iterrows():
        point = (float(row["severity"]), float(row["prevalence"]))
        # a point close above another in the same column gets its number on the other side
        side = -side if point[0] == previous[0] and point[1] - previous[1] < 0.04 else 1
        previous = point
        hollow = row["flag"] == "unreliable"
        ax.plot(*point, "o", ms=8, color=PALETTE[0], mfc="white" if hollow else PALETTE[0])
        ax.annotate(
            str(row["rank"]),
            point,
            xytext=(7 * side, 0),
            textcoords="offset points",
            ha="left" if side > 0 else "right",
            va="center",
            fontsize=9,
        )
    key = [
        f"{r['rank']}. {r['problem']}" + (" †" if r["flag"] == "unreliable" else "")
        for _, r in ranked.iterrows()
    ]
    ax.text(
        1.03,
        1.0,
        "Rank by priority\n" + "\n".join(key),
        transform=ax.transAxes,
        va="top",
        fontsize=9,
        linespacing=1.5,
    )
    ax.set_xlim(0.6, 5.4)
    ax.set_ylim(0, 1)
    ax.set_xticks([1, 2, 3, 4, 5], ["1\nminor", "2", "3", "4", "5\ngrave"])
    ax.set_xlabel("Severity rating (district parameters)")
    ax.set_ylabel("Prevalence of the problem (scaled 0-1)")
    ax.set_title(textwrap.fill(title, width=80))
    return fig
