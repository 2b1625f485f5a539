"""Reliability flags and suppression of estimates before publication.

Statistical offices do not publish an estimate based on too few unweighted cases and flag
or suppress estimates that are too imprecise (NCHS suppresses below 30 cases; the former
British Crime Survey required a base of 100; BJS flags 10 or fewer cases). Two rules are
available, chosen per district (``options`` in its parameter file):

- ``"cv"`` (default): suppress below ``min_n`` cases or above a coefficient of variation
  (CV = SE / estimate) of ``suppress_cv``; flag as unreliable above ``flag_cv``.
- ``"nchs"``: the NCHS Data Presentation Standards for Proportions (Parker et al. 2017)
  for percentages, the CV rule for everything else. The CV rule treats rare events
  badly: a robbery prevalence of 0.4% from 1,400 interviews has a CV over 50%, although
  its interval (0.1-1.2%) says clearly that robbery is rare; the NCHS standard judges a
  percentage by its effective sample size and the absolute and relative width of its
  Korn-Graubard interval instead, and suppresses wide intervals around middling
  percentages that the CV rule lets through (50%, interval 34-66%).

References
----------
Parker, J. D., Talih, M., Malec, D. J., et al. (2017). National Center for Health Statistics
Data Presentation Standards for Proportions. *Vital and Health Statistics* 2(175).
"""

from __future__ import annotations

import re
from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["FLAG_LABELS", "RULES", "apply", "is_percentage"]

#: Reader-facing explanation of each flag value.
FLAG_LABELS = {
    "": "",
    "unreliable": "unreliable: coefficient of variation above the flag threshold",
    "suppressed_n": "suppressed: too few unweighted (or effective) cases",
    "suppressed_cv": "suppressed: coefficient of variation above the suppression threshold",
    "suppressed_ci": "suppressed: confidence interval too wide (NCHS standard for proportions)",
}

#: The available rules.
RULES: tuple[str, ...] = ("cv", "nchs")

_BLANKED = ("estimate", "se", "ci_low", "ci_high", "cv", "deff")
_PERCENT_UNIT = re.compile(r"^per 100(?![,0-9])")

#: NCHS thresholds (Parker et al. 2017): absolute CI width (as a proportion) at or above
#: which a proportion is suppressed, at or below which it is shown, and the largest
#: relative CI width (width / proportion) allowed in between.
NCHS_MAX_WIDTH, NCHS_SMALL_WIDTH, NCHS_MAX_RELATIVE_WIDTH = 0.30, 0.05, 1.30


def is_percentage(table: pd.DataFrame) -> np.ndarray:
    """Rows whose ``unit`` is a percentage ("per 100", "per 100 victims", ...).

    Examples
    --------
    >>> is_percentage(pd.DataFrame({"unit": ["per 100", "per 1,000", "per 100 victims"]}))
    array([ True, False,  True])
    """
    if "unit" not in table.columns:
        return np.zeros(len(table), dtype=bool)
    return table["unit"].astype(str).str.match(_PERCENT_UNIT).to_numpy(dtype=bool)


def _nchs(out: pd.DataFrame, min_n: int) -> tuple[np.ndarray, np.ndarray]:
    """Suppression by effective n and by CI width for percentage rows (Parker et al. 2017)."""
    p = out["estimate"].to_numpy(dtype=float) / 100
    se = out["se"].to_numpy(dtype=float) / 100
    n = out["n"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where((se > 0) & (p > 0) & (p < 1), p * (1 - p) / se**2, n)
    n_eff = np.minimum(n_eff, n)  # the standard caps the effective size at the actual one
    width = (out["ci_high"].to_numpy(dtype=float) - out["ci_low"].to_numpy(dtype=float)) / 100
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(p > 0, width / p, 0.0)
    too_few = n_eff < min_n
    too_wide = (width >= NCHS_MAX_WIDTH) | (
        (width > NCHS_SMALL_WIDTH) & (relative > NCHS_MAX_RELATIVE_WIDTH)
    )
    return too_few, too_wide & ~np.isnan(width)


def apply(
    table: pd.DataFrame,
    *,
    min_n: int = 30,
    flag_cv: float = 0.30,
    suppress_cv: float = 0.50,
    rule: Literal["cv", "nchs"] = "cv",
) -> pd.DataFrame:
    """Flag unreliable estimates and blank suppressed ones.

    Parameters
    ----------
    table : DataFrame
        A tidy estimate table with at least ``estimate``, ``se`` and ``n`` (and
        ``ci_low``, ``ci_high`` for the NCHS rule).
    min_n : int, default 30
        Estimates from fewer unweighted cases are suppressed (NCHS: also fewer effective
        cases).
    flag_cv : float, default 0.30
        Estimates with CV = se / |estimate| above this are flagged ``"unreliable"``.
    suppress_cv : float, default 0.50
        Estimates with a CV above this are suppressed.
    rule : {"cv", "nchs"}, default "cv"
        ``"nchs"`` applies the NCHS standard to rows whose ``unit`` is a percentage (see
        :func:`is_percentage`) and the CV rule to the others.

    Returns
    -------
    DataFrame
        A copy with every row of ``table`` in its order, a ``flag`` column (``""``,
        ``"unreliable"``, ``"suppressed_n"``, ``"suppressed_cv"`` or ``"suppressed_ci"``)
        and the estimate columns set to NaN where suppressed. ``n`` is kept so that
        readers see why. Applying it again to its own output changes nothing: a row that
        arrives suppressed stays suppressed with its original reason.

    Notes
    -----
    The CV of an estimate of exactly zero is undefined; a zero estimate with enough cases
    is published without a flag (its confidence interval shows the uncertainty).

    NCHS rule for a proportion p with Korn-Graubard interval of width w (as proportions):
    suppress if n < ``min_n`` or the effective sample size p(1 - p) / Var(p) (at most n)
    is below ``min_n``; suppress if w >= 0.30, or if 0.05 < w < 0.30 and w / p > 1.30;
    otherwise publish. The standard's intervals are Korn-Graubard (``ci_method="beta"``);
    its further step, a statistical review when the degrees of freedom are below 8, is
    left to the analyst.
    """
    missing = [c for c in ("estimate", "se", "n") if c not in table.columns]
    if rule == "nchs":
        missing += [c for c in ("ci_low", "ci_high") if c not in table.columns]
    if missing:
        raise ValueError(
            f"disclosure.apply (rule {rule!r}) needs the columns estimate, se and n"
            f"{' and ci_low, ci_high' if rule == 'nchs' else ''}; missing: {missing}"
        )
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}. Got {rule!r} instead")
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
    conditions = [n < min_n, cv > suppress_cv, cv > flag_cv]
    choices = ["suppressed_n", "suppressed_cv", "unreliable"]
    flag = np.select(conditions, choices, default="")
    if rule == "nchs":
        pct = is_percentage(out)
        too_few, too_wide = _nchs(out, min_n)
        nchs_flag = np.select([too_few, too_wide], ["suppressed_n", "suppressed_ci"], default="")
        flag = np.where(pct, nchs_flag, flag)
    if "flag" in table.columns:  # a table disclosed before keeps its suppressions
        prior = table["flag"].fillna("").astype(str).to_numpy()
        flag = np.where(np.char.startswith(prior.astype(str), "suppressed"), prior, flag)
    out["flag"] = flag
    suppressed = np.char.startswith(flag.astype(str), "suppressed")
    for col in _BLANKED:
        if col in out.columns:
            out.loc[suppressed, col] = np.nan
    return out
