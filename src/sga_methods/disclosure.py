"""Reliability flags and suppression of estimates before publication.

Statistical offices do not publish an estimate based on too few unweighted cases and flag
or suppress estimates whose coefficient of variation is high (NCHS suppresses below 30
cases; the former British Crime Survey required a base of 100; BJS flags 10 or fewer
cases). The thresholds are parameters of every district (``options`` in its file).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["FLAG_LABELS", "apply"]

#: Reader-facing explanation of each flag value.
FLAG_LABELS = {
    "": "",
    "unreliable": "unreliable: coefficient of variation above the flag threshold",
    "suppressed_n": "suppressed: too few unweighted cases",
    "suppressed_cv": "suppressed: coefficient of variation above the suppression threshold",
}

_BLANKED = ("estimate", "se", "ci_low", "ci_high", "cv", "deff")


def apply(
    table: pd.DataFrame,
    *,
    min_n: int = 30,
    flag_cv: float = 0.30,
    suppress_cv: float = 0.50,
) -> pd.DataFrame:
    """Flag unreliable estimates and blank suppressed ones.

    Parameters
    ----------
    table : DataFrame
        A tidy estimate table with at least ``estimate``, ``se`` and ``n``.
    min_n : int, default 30
        Estimates from fewer unweighted cases are suppressed.
    flag_cv : float, default 0.30
        Estimates with CV = se / |estimate| above this are flagged ``"unreliable"``.
    suppress_cv : float, default 0.50
        Estimates with a CV above this are suppressed.

    Returns
    -------
    DataFrame
        A copy with a ``flag`` column (``""``, ``"unreliable"``, ``"suppressed_n"`` or
        ``"suppressed_cv"``) and the estimate columns set to NaN where suppressed. ``n`` is
        kept so that readers see why.

    Notes
    -----
    The CV of an estimate of exactly zero is undefined; a zero estimate with enough cases
    is published without a flag (there is nothing to be imprecise about its sign, and its
    confidence interval shows the uncertainty).
    """
    missing = [c for c in ("estimate", "se", "n") if c not in table.columns]
    if missing:
        raise ValueError(
            f"disclosure.apply needs the columns estimate, se and n; missing: {missing}"
        )
    if not (0 < flag_cv <= suppress_cv):
        raise ValueError(
            f"flag_cv must be in (0, suppress_cv]. Got flag_cv={flag_cv}, suppress_cv={suppress_cv}"
        )
    out = table.copy()
    est = out["estimate"].to_numpy(dtype=float)
    se = out["se"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(est != 0, se / np.abs(est), 0.0)
    n = out["n"].to_numpy(dtype=float)
    flag = np.select(
        [n < min_n, cv > suppress_cv, cv > flag_cv],
        ["suppressed_n", "suppressed_cv", "unreliable"],
        default="",
    )
    out["flag"] = flag
    suppressed = np.char.startswith(flag.astype(str), "suppressed")
    for col in _BLANKED:
        if col in out.columns:
            out.loc[suppressed, col] = np.nan
    return out
