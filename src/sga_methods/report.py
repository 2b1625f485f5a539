"""The house style of every report: plot theme, estimate tables, figures and notices.

Workbooks call these so that all modules look and read alike: one colour-blind-safe
palette, estimate tables that show the estimate with its confidence interval, the
unweighted base and a reliability flag (after :func:`sga_methods.disclosure.apply`), and
figures whose titles and captions state unit, population and period.
"""

from __future__ import annotations

import html
import json
import math
import os
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from . import disclosure
from .params import DistrictParams, Options

__all__ = [
    "PALETTE",
    "HTMLBlock",
    "cap_text",
    "disclosed",
    "disclosure_text",
    "estimate_table",
    "md",
    "method_note",
    "notice",
    "plot_estimates",
    "quote",
    "save_results",
    "simple_table",
    "use_house_style",
    "variance_method",
]

#: Okabe-Ito-based colour-blind-safe palette (seaborn's "colorblind").
PALETTE = sns.color_palette("colorblind")
_FLAG_MARK = {
    "": "",
    "unreliable": "†",
    "suppressed_n": "‡",
    "suppressed_cv": "‡",
    "suppressed_ci": "‡",
}


class HTMLBlock:
    """A fragment of HTML that renders itself in Jupyter and in nbconvert's HTML."""

    def __init__(self, html_text: str) -> None:
        self.html = html_text

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


class _Markdown:
    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_markdown_(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def md(text: str) -> _Markdown:
    """Markdown that a code cell displays (for narrative that adapts to parameters)."""
    return _Markdown(text)


def use_house_style() -> None:
    """Set the seaborn/matplotlib theme and pandas display options for reports."""
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE)
    plt.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "figure.figsize": (8.0, 4.5),
            "axes.titlesize": 12,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.labelsize": 10,
            "figure.constrained_layout.use": True,
        }
    )
    pd.set_option("display.max_rows", 60)
    pd.set_option("display.precision", 3)


def notice(params: DistrictParams) -> HTMLBlock:
    """A prominent notice for synthetic data (empty for real data)."""
    if not params.synthetic.enabled:
        return HTMLBlock("")
    return HTMLBlock(
        '<div class="sga-synthetic sga-notice-inline" '
        'style="padding:8px 12px;border-radius:4px;background:#fff4e0;color:#7a4300">'
        f"{html.escape(params.synthetic.label)}</div>"
    )


def variance_method(params: DistrictParams) -> str:
    """One sentence for readers on how standard errors are computed for this district."""
    spec = params.design
    stages = spec.stages
    if not stages:
        clusters = "respondents as independent units"
    elif len(stages) == 1:
        clusters = f"{stages[0]} as clusters"
    else:
        clusters = f"{len(stages)} sampling stages (units: {', '.join(stages)})"
    if spec.pps == "brewer":
        first = (
            "sampling with probability proportional to size without replacement at the first "
            "stage (Brewer's approximation) and the sampling fractions of later stages"
        )
    elif spec.fpc is not None:
        first = "the finite population correction of each stage"
    else:
        first = "first-stage sampling as if with replacement (the ultimate-cluster approximation)"
    weighting = {
        "none": "",
        "rake": " and for the raking of the weights to population margins",
        "calibrate": " and for the calibration of the weights to population totals",
    }[params.weighting.method]
    strata = f"strata ({spec.strata}), " if spec.strata else ""
    return (
        f"Standard errors are design-based (Taylor linearization): they use the weights, "
        f"{strata}{clusters}; they allow for {first}, and for the nonresponse adjustment"
        f"{weighting}."
    )


_CI_METHOD_TEXT = {
    "logit": "logit intervals for percentages (a Wald interval on the log-odds scale, R's "
    "svyciprop default), which stay within 0-100",
    "beta": "Korn-Graubard intervals for percentages (Clopper-Pearson on the effective "
    "sample size), which are conservative for small percentages",
    "wilson": "Wilson score intervals for percentages on the effective sample size",
    "wald": "symmetric Wald intervals (estimate ± t × SE)",
}


def cap_text(cap: int | str | None) -> str:
    """One sentence on the series rule applied to counts of repeat incidents."""
    if cap is None:
        return "Counts of repeat incidents are not capped."
    if cap == "p98":
        return (
            "Each respondent's count of incidents is capped at the weighted 98th percentile of "
            "counts among victims (the Crime Survey for England and Wales rule since 2019)."
        )
    return (
        f"Each respondent's count of incidents is capped at {cap} (a fixed series cap; 10 is "
        "the NCVS rule, 5 the former Crime Survey for England and Wales rule)."
    )


def disclosure_text(options: Options) -> str:
    """One or two sentences on which estimates are suppressed or flagged, and why."""
    o = options
    cv_rule = (
        f"estimates resting on fewer than {o.min_n} interviews, or with a coefficient of "
        f"variation above {o.suppress_cv:.0%}, are suppressed; those with a coefficient of "
        f"variation above {o.flag_cv:.0%} are marked † as unreliable."
    )
    if o.disclosure_rule == "cv":
        return cv_rule[0].upper() + cv_rule[1:]
    return (
        "Percentages follow the NCHS Data Presentation Standards for Proportions (Parker et "
        f"al. 2017): they are suppressed when they rest on fewer than {o.min_n} interviews or "
        f"effective interviews, when their interval is 30 points wide or more, or when it is "
        f"more than 5 points wide and wider than 130% of the estimate. For other "
        f"estimates, {cv_rule}"
    )


def method_note(
    params: DistrictParams, *, recall: str | None = None, series: bool = False
) -> _Markdown:
    """A paragraph for readers on how this module's figures were produced.

    Parameters
    ----------
    params : DistrictParams
        The district's parameters: reference period, design, weighting and options.
    recall : str, optional
        Reference period of the questions, e.g. ``"past 12 months"``; defaults to the
        district's victimization recall period.
    series : bool, default False
        Mention the series cap (modules with incident counts).

    Returns
    -------
    Markdown
        Reference period and fieldwork, the series cap, the variance method, the interval
        method and level, and the disclosure rules, all taken from ``params``.
    """
    o = params.options
    rp = params.reference_period
    period = recall or f"past {rp.victimization_months} months"
    parts = [
        f"**Method.** The reference period is the {period} before the interview (fieldwork "
        f"{rp.fieldwork_start:%d %B %Y} to {rp.fieldwork_end:%d %B %Y}).",
        cap_text(o.series_cap) if series else "",
        variance_method(params),
        f"Intervals are {o.ci_level:.0%} confidence intervals: {_CI_METHOD_TEXT[o.ci_method]}.",
        disclosure_text(o),
    ]
    return _Markdown(" ".join(p for p in parts if p))


def _fmt(x: float, decimals: int) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return f"{x:,.{decimals}f}"


def _thresholds(options: Options | None) -> dict[str, Any]:
    options = options or Options()
    return {
        "min_n": options.min_n,
        "flag_cv": options.flag_cv,
        "suppress_cv": options.suppress_cv,
        "rule": options.disclosure_rule,
    }


def disclosed(table: pd.DataFrame, options: Options | None = None) -> pd.DataFrame:
    """``table`` with the district's disclosure control applied (flags, blanked cells).

    The same call the tables, plots, quotes and results files make, so that narrative that
    picks "the highest" or "the lowest" group can choose among published rows only
    (``flag`` not starting with "suppressed") under the district's rule and thresholds.
    """
    return disclosure.apply(table, **_thresholds(options))


def estimate_table(
    table: pd.DataFrame,
    *,
    labels: Mapping[str, str],
    caption: str,
    unit: str,
    options: Options | None = None,
    decimals: int = 1,
    ci_level: float | None = None,
) -> HTMLBlock:
    """An estimate table for readers, with disclosure control applied.

    Parameters
    ----------
    table : DataFrame
        Tidy estimates (``estimate, se, ci_low, ci_high, n`` and label columns).
    labels : mapping
        Label columns to show, in order, with their headers.
    caption : str
        Title stating what, of whom and when.
    unit : str
        Unit of the estimates, e.g. ``"% of residents 15+"``.
    options : Options, optional
        The district's options (suppression thresholds, CI level).
    decimals : int, default 1
        Decimals shown for estimates and bounds.
    ci_level : float, optional
        Confidence level shown in the header (defaults to ``options.ci_level``).

    Returns
    -------
    HTMLBlock
        The table; suppressed estimates are blank and every flag is explained below it.
    """
    level = ci_level if ci_level is not None else (options or Options()).ci_level
    checked = disclosed(table, options)
    head = "".join(f"<th>{html.escape(h)}</th>" for h in labels.values())
    head += (
        f"<th>Estimate ({html.escape(unit)})</th><th>{level:.0%} confidence interval</th>"
        "<th>Unweighted n</th><th></th>"
    )
    body = []
    for _, row in checked.iterrows():
        flag = row["flag"]
        cls = "sga-suppressed" if flag.startswith("suppressed") else ("sga-flagged" if flag else "")
        cells = "".join(f"<td>{html.escape(str(row[c]))}</td>" for c in labels)
        if flag.startswith("suppressed"):
            est, ci = "suppressed", ""
        else:
            est = _fmt(row["estimate"], decimals)
            ci = f"{_fmt(row['ci_low'], decimals)} – {_fmt(row['ci_high'], decimals)}"
        cells += (
            f'<td class="num">{est}</td><td class="num">{ci}</td>'
            f'<td class="num">{int(row["n"]):,}</td><td>{_FLAG_MARK[flag]}</td>'
        )
        body.append(f'<tr class="{cls}">{cells}</tr>')
    used = sorted({f for f in checked["flag"] if f})
    th = _thresholds(options)
    notes = {
        "unreliable": f"† Unreliable: coefficient of variation above {th['flag_cv']:.0%}; "
        "interpret with caution.",
        "suppressed_n": f"‡ Suppressed: fewer than {th['min_n']} unweighted cases.",
        "suppressed_cv": f"‡ Suppressed: coefficient of variation above {th['suppress_cv']:.0%}.",
        "suppressed_ci": "‡ Suppressed: confidence interval too wide for a reliable percentage "
        "(NCHS standard for proportions).",
    }
    foot = "".join(f"<div>{html.escape(notes[f])}</div>" for f in used)
    return HTMLBlock(
        f'<table class="sga-table"><caption>{html.escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        f'<div class="sga-note">{foot}</div>'
    )


def quote(
    row: pd.Series | pd.DataFrame,
    *,
    options: Options | None = None,
    decimals: int = 1,
    unit: str = "%",
    ci: bool = True,
) -> str:
    """An estimate for running text, with disclosure control applied as in the tables.

    Parameters
    ----------
    row : Series or one-row DataFrame
        A row of a tidy estimate table (``estimate, se, ci_low, ci_high, n``).
    options : Options, optional
        The district's options (thresholds and confidence level).
    decimals : int, default 1
    unit : str, default "%"
        Appended to the numbers, e.g. ``"%"`` or ``" per 1,000"``.
    ci : bool, default True
        Add the confidence interval.

    Returns
    -------
    str
        ``"6.8% (95% CI 5.5–8.2)"``, with " †" when unreliable, or a phrase saying the
        estimate is not published when the table would suppress it, so that narrative text
        never reveals a suppressed number.

    Examples
    --------
    >>> r = pd.Series({"estimate": 6.8, "se": 0.7, "ci_low": 5.5, "ci_high": 8.2, "n": 1415})
    >>> quote(r)
    '6.8% (95% CI 5.5–8.2)'
    >>> quote(r.copy().replace({1415: 12}))
    'not published (fewer than 30 interviews)'
    """
    frame = row.to_frame().T if isinstance(row, pd.Series) else row
    if len(frame) != 1:
        raise ValueError(f"quote needs exactly one estimate; got {len(frame)} rows")
    frame = frame.assign(**{c: pd.to_numeric(frame[c]) for c in ("estimate", "se", "n")})
    checked = disclosed(frame, options).iloc[0]
    flag = checked["flag"]
    th = _thresholds(options)
    if flag == "suppressed_n":
        return f"not published (fewer than {th['min_n']} interviews)"
    if flag in ("suppressed_cv", "suppressed_ci"):
        return "not published (too imprecise)"
    text = f"{_fmt(float(checked['estimate']), decimals)}{unit}"
    if ci:
        level = (options or Options()).ci_level
        text += (
            f" ({level:.0%} CI {_fmt(float(checked['ci_low']), decimals)}–"
            f"{_fmt(float(checked['ci_high']), decimals)})"
        )
    return text + (" †" if flag == "unreliable" else "")


def simple_table(
    frame: pd.DataFrame,
    *,
    caption: str,
    decimals: int | Mapping[str, int] = 1,
    headers: Mapping[str, str] | None = None,
    note: str | None = None,
) -> HTMLBlock:
    """A plain table of aggregates (counts, shares) in the house style.

    Never pass respondent-level rows: this is for aggregated tables only.
    """
    headers = dict(headers or {})
    cols = list(frame.columns)
    head = "".join(f"<th>{html.escape(headers.get(c, str(c)))}</th>" for c in cols)
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for c in cols:
            v = row[c]
            if isinstance(v, int | np.integer):
                cells.append(f'<td class="num">{v:,}</td>')
            elif isinstance(v, float | np.floating):
                d = decimals.get(c, 1) if isinstance(decimals, Mapping) else decimals
                cells.append(f'<td class="num">{_fmt(float(v), d)}</td>')
            else:
                cells.append(f"<td>{html.escape(str(v))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    foot = f'<div class="sga-note">{html.escape(note)}</div>' if note else ""
    return HTMLBlock(
        f'<table class="sga-table"><caption>{html.escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{foot}"
    )


def plot_estimates(
    table: pd.DataFrame,
    *,
    label: str,
    title: str,
    xlabel: str,
    options: Options | None = None,
    hue: str | None = None,
    ax: plt.Axes | None = None,
) -> plt.Figure:
    """Point estimates with confidence intervals, one row per ``label`` value.

    Suppressed estimates are left out (their label is kept and marked "suppressed");
    unreliable ones are drawn with hollow markers and a dagger.
    """
    checked = disclosed(table, options)
    if ax is None:
        height = 0.9 + 0.38 * checked[label].nunique() * (1 if hue is None else 1.4)
        width = 8.0 if hue is None else 10.0  # room for the legend outside the axes
        _, ax = plt.subplots(figsize=(width, max(2.2, height)))
    fig = ax.get_figure(root=True)
    if fig is None:
        raise ValueError("plot_estimates: the axes given are not on a figure")
    cats = list(dict.fromkeys(checked[label].astype(str)))
    groups = [None] if hue is None else list(dict.fromkeys(checked[hue]))
    offsets = np.linspace(-0.18, 0.18, len(groups)) if len(groups) > 1 else [0.0]
    for g, off, colour in zip(groups, offsets, PALETTE, strict=False):
        part = checked if g is None else checked[checked[hue] == g]
        ypos = np.array([cats.index(str(v)) for v in part[label]]) + off
        shown = ~part["flag"].str.startswith("suppressed").to_numpy()
        flagged = (part["flag"] == "unreliable").to_numpy()
        est, lo, hi = (part[c].to_numpy(dtype=float) for c in ("estimate", "ci_low", "ci_high"))
        ax.hlines(ypos[shown], lo[shown], hi[shown], color=colour, lw=2)
        ax.plot(
            est[shown & ~flagged],
            ypos[shown & ~flagged],
            "o",
            color=colour,
            label=None if g is None else str(g),
        )
        ax.plot(est[shown & flagged], ypos[shown & flagged], "o", mfc="white", color=colour)
    ticks = []
    for c in cats:
        rows = checked[checked[label].astype(str) == c]
        mark = (
            " (suppressed)"
            if rows["flag"].str.startswith("suppressed").all()
            else (" †" if (rows["flag"] == "unreliable").any() else "")
        )
        ticks.append(c + mark)
    ax.set_yticks(range(len(cats)), ticks)
    ax.invert_yaxis()
    ax.set_xlim(left=0)
    ax.set_xlabel(xlabel)
    ax.set_title(textwrap.fill(title, width=80))
    if hue is not None:
        # outside the axes, so that it never hides an interval
        ax.legend(title=hue, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, np.generic):
        return _jsonable(value.item())
    return value


def save_results(
    results_dir: str | Path,
    module: str,
    *,
    options: Options | None = None,
    **tables: pd.DataFrame,
) -> Path:
    """Write a module's headline tables as tidy JSON (``results/<module>.json``).

    Each table becomes a list of records; NaN becomes null. Tables of estimates (with
    ``estimate``, ``se`` and ``n``) pass through :func:`sga_methods.disclosure.apply` with
    the district's thresholds first, so the published numbers carry the same ``flag`` and
    suppression as the report. The synthesis module and other tools read these files,
    never the notebooks.
    """
    tables = {
        name: disclosed(frame, options) if {"estimate", "se", "n"} <= set(frame.columns) else frame
        for name, frame in tables.items()
    }
    results_dir = Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    payload = {
        "module": module,
        "tables": {
            name: [
                {k: _jsonable(v) for k, v in rec.items()} for rec in frame.to_dict(orient="records")
            ]
            for name, frame in tables.items()
        },
    }
    target = results_dir / f"{module}.json"
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(json.dumps(payload, indent=1, default=str), encoding="utf-8")
    os.replace(tmp, target)
    return target
