"""Input validation shared by the replicate-design modules (SurveyDesign's message template)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .._design_input import SurveyDesignError, _data_column, _data_floats
from .._design_input import _check_choice as _check_choice
from .._design_input import _names as _names
from .._design_input import _quoted as _quoted
from .._design_input import _rows as _rows

_Floats = NDArray[np.float64]


def _error(message: str) -> ValueError:
    return SurveyDesignError(message)


def _check_rho(owner: str, method: str, fay_rho: Any) -> float:
    number = isinstance(fay_rho, float | int) and not isinstance(fay_rho, bool)
    ok = number and (0.0 < fay_rho < 1.0 if method == "fay" else fay_rho == 0)
    if not ok:
        expected = "a float in (0, 1)" if method == "fay" else "0 unless method='fay'"
        raise _error(
            f"The 'fay_rho' parameter of {owner} must be {expected}. Got {fay_rho!r} instead."
        )
    return float(fay_rho)


def _check_bool(owner: str, name: str, value: Any) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise _error(f"The {name!r} parameter of {owner} must be a bool. Got {value!r} instead.")
    return bool(value)


def replicate_scales(
    method: str, n_replicates: int, scale: Any, rscales: Any, fay_rho: float, owner: str
) -> tuple[float, _Floats]:
    """``scale`` and ``rscales`` of a replicate design, with R's ``svrepdesign`` defaults."""
    if scale is not None:
        ok = isinstance(scale, float | int) and not isinstance(scale, bool)
        if not ok or not np.isfinite(scale) or scale <= 0:
            raise _error(
                f"The 'scale' parameter of {owner} must be a positive finite number. "
                f"Got {scale!r} instead."
            )
        if method in ("brr", "fay"):
            raise _error(
                f"The 'scale' parameter of {owner} is fixed by method={method!r} "
                "(1 / (R (1 - fay_rho)^2)). Expected scale=None; use method='other' to give "
                "your own scale."
            )
    if rscales is None:
        if method == "jkn":
            raise _error(
                f"{owner} with method='jkn' needs 'rscales', the factor (n_h - 1) / n_h of the "
                "stratum of each replicate (R: 'Must provide rscales for combined JKn weights')."
            )
        rs = np.ones(n_replicates)
    else:
        try:
            values = np.asarray(rscales, dtype=float).reshape(-1)
        except (TypeError, ValueError):
            values = np.array([np.nan])
        given = values.size
        rs = np.resize(values, n_replicates) if given == 1 else values
        if given not in (1, n_replicates) or not np.all(np.isfinite(rs)) or np.any(rs < 0):
            raise _error(
                f"The 'rscales' parameter of {owner} must be one finite non-negative number or "
                f"one per replicate ({n_replicates}). Got {given} value(s) instead."
            )
    if scale is None:
        rho = fay_rho if method == "fay" else 0.0
        scale = {
            "jk1": (n_replicates - 1) / n_replicates if n_replicates else 0.0,
            "bootstrap": 1.0 / (n_replicates - 1) if n_replicates > 1 else np.nan,
            "brr": 1.0 / n_replicates,
            "fay": 1.0 / (n_replicates * (1.0 - rho) ** 2),
        }.get(method, 1.0)
    return float(scale), rs


def column(data: pd.DataFrame, owner: str, role: str, name: str) -> pd.Series:
    return _data_column(data, owner, role, name)


def float_values(data: pd.DataFrame, owner: str, role: str, name: str) -> _Floats:
    return _data_floats(data, owner, role, name, "ReplicateDesign")


def weight_values(data: pd.DataFrame, role: str, name: str) -> _Floats:
    """A weight column: numeric, finite, non-negative, no missing values."""
    w = float_values(data, "ReplicateDesign", role, name)
    checks = [(np.isnan(w), "missing"), (np.isinf(w), "non-finite"), (w < 0, "negative")]
    for bad, what in checks:
        if bad.any():
            raise _error(
                f"The {role!r} column {name!r} of ReplicateDesign contains {what} values "
                f"({_rows(data.index, bad)}). Expected finite non-negative weights."
            )
    return w


def replicate_names(data: pd.DataFrame, value: Any, weights: str | None) -> list[str]:
    """Replicate weight columns: a list of names, or a pattern matched (re.match) in order."""
    if isinstance(value, str):
        try:
            pattern = re.compile(value)
        except re.error as err:
            raise _error(
                f"The 'replicate_weights' parameter of ReplicateDesign is not a valid regular "
                f"expression ({err}). Got {value!r} instead."
            ) from None
        found = [
            str(c) for c in data.columns if isinstance(c, str) and c != weights and pattern.match(c)
        ]
        if not found:
            raise _error(
                f"No column of ReplicateDesign's data matches replicate_weights={value!r}. "
                f"Expected replicate weight columns among "
                f"{_quoted([str(c) for c in data.columns])}."
            )
        return found
    names = _names("ReplicateDesign", "replicate_weights", value)
    for name in names:
        column(data, "ReplicateDesign", "replicate_weights", name)
    return names
