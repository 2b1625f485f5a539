"""Attitude scales: per-respondent scores, Cronbach's alpha and item statistics.

Multi-item batteries (cohesion, trust, exclusion) are summarised as the mean of the answered
items (:func:`scale_score`), after reversing items worded the other way; their internal
consistency is Cronbach's alpha (:func:`cronbach_alpha`, weighted as R's
``survey::svycralpha``) with per-item diagnostics (:func:`item_analysis`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._rates import numeric_column

__all__ = ["cronbach_alpha", "item_analysis", "scale_score"]


def _items(df: pd.DataFrame, items: Sequence[str]) -> pd.DataFrame:
    if len(items) < 2:
        raise ValueError(f"a scale needs at least two items; got {list(items)}")
    missing = [c for c in items if c not in df.columns]
    if missing:
        raise ValueError(f"scale items {missing} are not in the data")
    return pd.concat({c: numeric_column(df, c) for c in items}, axis=1)


def scale_score(
    df: pd.DataFrame,
    items: Sequence[str],
    *,
    reverse: Sequence[str] = (),
    scale: tuple[float, float] = (1, 5),
    min_items: int | None = None,
    to_100: bool = False,
) -> pd.Series:
    """Per-respondent scale score: the mean of the answered items.

    Parameters
    ----------
    df : DataFrame
    items : list of str
        Item columns on a common scale.
    reverse : list of str
        Items to reverse (x -> low + high - x) so that all items point the same way.
    scale : (low, high), default (1, 5)
        Range of the answer codes; values outside raise an error naming the item.
    min_items : int, optional
        Fewest answered items for a score (default: half the items, rounded up);
        otherwise the score is NaN.
    to_100 : bool, default False
        Rescale the mean to 0-100: 100 (mean - low) / (high - low).

    Returns
    -------
    Series of float named ``"score"``.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 5, None], "b": [2, 4, None], "c": [3, 5, 4]})
    >>> scale_score(df, ["a", "b", "c"], reverse=["b"]).tolist()
    [2.6666666666666665, 4.0, nan]
    """
    frame = _items(df, items)
    low, high = scale
    for col in frame.columns:
        outside = frame[col].notna() & ~frame[col].between(low, high)
        if outside.any():
            raise ValueError(
                f"scale item {col!r} has values outside {low:g}-{high:g}: "
                f"{frame.loc[outside, col].iloc[0]:g} ({int(outside.sum())} rows)"
            )
    unknown = [c for c in reverse if c not in items]
    if unknown:
        raise ValueError(f"reverse items {unknown} are not among the scale items")
    for col in reverse:
        frame[col] = low + high - frame[col]
    need = math.ceil(len(items) / 2) if min_items is None else min_items
    if not 1 <= need <= len(items):
        raise ValueError(f"min_items must be between 1 and {len(items)}; got {need}")
    score = frame.mean(axis=1).where(frame.notna().sum(axis=1) >= need)
    if to_100:
        score = 100 * (score - low) / (high - low)
    return score.rename("score")


def _weighted_cov(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    mean = np.average(x, axis=0, weights=w)
    centred = x - mean
    return (centred * w[:, None]).T @ centred / w.sum()


def cronbach_alpha(
    df: pd.DataFrame,
    items: Sequence[str],
    *,
    weights: str | None = None,
    reverse: Sequence[str] = (),
    scale: tuple[float, float] = (1, 5),
) -> float:
    """Cronbach's alpha of a scale (internal consistency).

    Parameters
    ----------
    df : DataFrame
    items : list of str
    weights : str, optional
        Column of survey weights: alpha from the weighted covariance matrix (R's
        ``survey::svycralpha``); unweighted by default.
    reverse : list of str
        Items to reverse first (alpha assumes all items point the same way).
    scale : (low, high), default (1, 5)
        Code range, used for reversing.

    Returns
    -------
    float

    Notes
    -----
    alpha = k / (k - 1) × (1 - Σ_j s²_j / s²_T), with s²_j the item variances and s²_T
    the variance of the sum of the k items (Cronbach 1951), on respondents who answered
    every item (listwise deletion, as ``svycralpha(..., na.rm = TRUE)``).

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
    >>> round(cronbach_alpha(df, ["a", "b", "c"]), 4)
    0.9538
    """
    frame = _items(df, items)
    low, high = scale
    for col in reverse:
        if col not in frame.columns:
            raise ValueError(f"reverse item {col!r} is not among the scale items")
        frame[col] = low + high - frame[col]
    w = np.ones(len(frame)) if weights is None else numeric_column(df, weights).to_numpy()
    keep = frame.notna().all(axis=1).to_numpy() & ~np.isnan(w) & (w > 0)
    if keep.sum() < 2:
        raise ValueError("Cronbach's alpha needs at least two respondents who answered every item")
    cov = _weighted_cov(frame.to_numpy()[keep], w[keep])
    total = cov.sum()
    if total <= 0:
        raise ValueError("the scale total has no variance: alpha is undefined")
    k = len(items)
    return float(k / (k - 1) * (1 - np.trace(cov) / total))


def item_analysis(
    df: pd.DataFrame,
    items: Sequence[str],
    *,
    weights: str | None = None,
    reverse: Sequence[str] = (),
    scale: tuple[float, float] = (1, 5),
) -> pd.DataFrame:
    """Per-item statistics of a scale: mean, item-rest correlation and alpha if deleted.

    Returns
    -------
    DataFrame
        ``item``, ``mean`` (after reversing), ``item_rest_corr`` (correlation of the item
        with the sum of the other items) and ``alpha_if_deleted``, over respondents who
        answered every item (weighted when ``weights`` is given).
    """
    frame = _items(df, items)
    low, high = scale
    for col in reverse:
        frame[col] = low + high - frame[col]
    w = np.ones(len(frame)) if weights is None else numeric_column(df, weights).to_numpy()
    keep = frame.notna().all(axis=1).to_numpy() & ~np.isnan(w) & (w > 0)
    x, wk = frame.to_numpy()[keep], w[keep]
    rows = []
    for j, item in enumerate(items):
        rest = np.delete(x, j, axis=1).sum(axis=1)
        cov = _weighted_cov(np.column_stack([x[:, j], rest]), wk)
        corr = cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])
        others = [c for c in items if c != item]
        sub = frame[keep].assign(__w=wk)
        alpha = cronbach_alpha(sub, others, weights="__w") if len(others) >= 2 else np.nan
        rows.append(
            {
                "item": item,
                "mean": float(np.average(x[:, j], weights=wk)),
                "item_rest_corr": float(corr),
                "alpha_if_deleted": alpha,
            }
        )
    return pd.DataFrame(rows)
