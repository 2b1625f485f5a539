"""The priority matrix (severity x prevalence) and the ordered recommendations."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any, Literal

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ._catalogue import _bad
from ._scorecard import _usable

__all__ = ["plot_priorities", "priority_matrix", "recommendation_list"]


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
    from ..report import PALETTE  # report imports params; keep synthesis light to import

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
