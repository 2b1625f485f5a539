"""Weighting diagnostics: design effect of weighting, effective sample size, margins, response.

Post-stratification, raking and calibration are part of the survey core and return new
designs; this module holds the diagnostics the district profile reports about any set of
weights.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["compare_margins", "effective_sample_size", "kish_deff", "response_rates"]


def _weights(w: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    arr = np.asarray(w, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError("weights must be a non-empty one-dimensional array")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0) or arr.sum() <= 0:
        raise ValueError("weights must be finite, non-negative and not all zero")
    return arr


def kish_deff(w: Sequence[float] | np.ndarray | pd.Series) -> float:
    """Kish's design effect due to unequal weighting.

    Parameters
    ----------
    w : array-like
        Non-negative weights.

    Returns
    -------
    float
        ``deff_w = 1 + CV²(w) = n Σw² / (Σw)²``.

    Notes
    -----
    CV is the coefficient of variation of the weights with the population (divide-by-n)
    variance, so that equal weights give exactly 1.

    References
    ----------
    Kish, L. (1965). *Survey Sampling*. Wiley, section 11.7.
    """
    arr = _weights(w)
    return float(arr.size * np.sum(arr**2) / np.sum(arr) ** 2)


def effective_sample_size(w: Sequence[float] | np.ndarray | pd.Series) -> float:
    """Kish's effective sample size ``(Σw)² / Σw² = n / deff_w``."""
    arr = _weights(w)
    return float(np.sum(arr) ** 2 / np.sum(arr**2))


def compare_margins(
    data: pd.DataFrame,
    weights: str,
    targets: pd.DataFrame,
    variables: Sequence[str],
) -> pd.DataFrame:
    """Achieved sample distribution against population targets, one row per level.

    Parameters
    ----------
    data : DataFrame
        The survey respondents.
    weights : str
        Column of ``data`` holding the weights to diagnose.
    targets : DataFrame
        Population counts with columns ``variable``, ``level`` and ``population``.
    variables : sequence of str
        The margins to compare (columns of ``data`` and values of ``targets.variable``).

    Returns
    -------
    DataFrame
        Columns ``variable, level, n, sample_pct, weighted_pct, population_pct,
        difference_pp`` (weighted minus population, in percentage points).
    """
    for col in [weights, *variables]:
        if col not in data.columns:
            raise ValueError(f"compare_margins: column {col!r} is not in the data")
    w = _weights(data[weights])
    rows = []
    for var in variables:
        target = targets.loc[targets["variable"] == var, ["level", "population"]]
        if target.empty:
            raise ValueError(f"compare_margins: no population targets for variable {var!r}")
        levels = data[var].astype(str)
        sample = pd.DataFrame({"level": levels, "w": w}).groupby("level")["w"].agg(["size", "sum"])
        frame = target.assign(level=target["level"].astype(str)).set_index("level")
        frame = frame.join(sample, how="outer").fillna(0.0)
        rows.append(
            pd.DataFrame(
                {
                    "variable": var,
                    "level": frame.index,
                    "n": frame["size"].astype(int).to_numpy(),
                    "sample_pct": 100 * frame["size"].to_numpy() / frame["size"].sum(),
                    "weighted_pct": 100 * frame["sum"].to_numpy() / frame["sum"].sum(),
                    "population_pct": 100
                    * frame["population"].to_numpy()
                    / frame["population"].sum(),
                }
            )
        )
    out = pd.concat(rows, ignore_index=True)
    out["difference_pp"] = out["weighted_pct"] - out["population_pct"]
    return out


def response_rates(
    fieldwork: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    *,
    outcome: str = "outcome",
    complete: str = "complete",
) -> pd.DataFrame:
    """Household response by fieldwork outcome, overall or by group.

    Parameters
    ----------
    fieldwork : DataFrame
        One row per sampled unit with its final outcome.
    by : str or list of str, optional
        Grouping columns (e.g. ``"stratum"``).
    outcome : str, default "outcome"
        Column with the final disposition code.
    complete : str, default "complete"
        The code of a completed interview.

    Returns
    -------
    DataFrame
        ``sampled``, one count column per outcome code, and ``response_rate`` (%).

    Notes
    -----
    Every sampled household is treated as eligible, so the rate is AAPOR's RR1:
    completes / (completes + refusals + non-contacts + other). Frames with ineligible
    units (vacant dwellings) must drop them first.
    """
    keys = [by] if isinstance(by, str) else list(by or [])
    for col in [*keys, outcome]:
        if col not in fieldwork.columns:
            raise ValueError(f"response_rates: column {col!r} is not in the fieldwork data")
    grouped = fieldwork.assign(_all="all").groupby([*keys] or ["_all"])[outcome]
    counts = grouped.value_counts().unstack(fill_value=0)
    counts.columns = [str(c) for c in counts.columns]
    if complete not in counts.columns:
        counts[complete] = 0
    counts.insert(0, "sampled", counts.sum(axis=1))
    counts["response_rate"] = 100 * counts[complete] / counts["sampled"]
    counts = counts.reset_index()
    return counts.drop(columns="_all", errors="ignore")
