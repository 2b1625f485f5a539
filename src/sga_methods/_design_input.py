"""Input checks and the coding of a design's columns for :class:`~sga_methods.design.SurveyDesign`.

Kept apart from ``design.py`` (the estimators): the error type, the message helpers shared
with ``weighting.py``, and a mixin that reads the weights, strata, PSUs of each stage and
fpc columns into a :class:`~sga_methods.variance.PsuStructure`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .stages import PPS_METHODS, Labels, add_stage_fpc, code_later_stage, with_stages
from .variance import PsuStructure, build_structure, nest_psus

__all__ = ["SurveyDesignError"]

_Floats = NDArray[np.float64]
_Codes = NDArray[np.int64]


class SurveyDesignError(ValueError):
    """Invalid input to :class:`SurveyDesign` or one of its estimators."""


def _rows(index: pd.Index, mask: NDArray[np.bool_], limit: int = 5) -> str:
    labels = [str(x) for x in index[mask]]
    more = f" and {len(labels) - limit} more" if len(labels) > limit else ""
    return f"row{'s' if len(labels) > 1 else ''} {', '.join(labels[:limit])}{more}"


def _quoted(values: Sequence[Any], limit: int = 10) -> str:
    plain = [v.item() if isinstance(v, np.generic) else v for v in list(values)[:limit]]
    shown = ", ".join(repr(v) for v in plain)
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")


def _check_choice(owner: str, name: str, value: Any, choices: Sequence[str]) -> None:
    if not isinstance(value, str) or value not in choices:
        raise SurveyDesignError(
            f"The {name!r} parameter of {owner} must be one of {_quoted(choices)}. "
            f"Got {value!r} instead."
        )


def _names(owner: str, role: str, value: Any) -> list[str]:
    names = [value] if isinstance(value, str) else list(value) if value is not None else []
    if not names or not all(isinstance(v, str) for v in names):
        raise SurveyDesignError(
            f"The {role!r} parameter of {owner} must be a column name or a non-empty list of "
            f"column names. Got {value!r} instead."
        )
    return names


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _data_column(data: pd.DataFrame, owner: str, role: str, name: str) -> pd.Series:
    if name not in data.columns:
        raise SurveyDesignError(
            f"The {role!r} column {name!r} of {owner} is not in the data. Expected one of "
            f"{_quoted([str(c) for c in data.columns])}."
        )
    return data[name]


def _data_floats(data: pd.DataFrame, owner: str, role: str, name: str, design: str) -> _Floats:
    """A numeric or boolean column as floats (missing: NaN); ``design`` names the class."""
    col = _data_column(data, owner, role, name)
    if not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
        hint = f"; use {design}.proportion for categories" if role == "analysed" else ""
        raise SurveyDesignError(
            f"The {role!r} column {name!r} of {owner} must be numeric or boolean. "
            f"Got dtype {col.dtype} instead{hint}."
        )
    return col.to_numpy(dtype=np.float64, na_value=np.nan)


class _DesignInput:
    """Reads and checks the design columns of ``self._data`` (mixin of SurveyDesign)."""

    _data: pd.DataFrame

    def _column(self, owner: str, role: str, name: str) -> pd.Series:
        return _data_column(self._data, owner, role, name)

    def _float_values(self, owner: str, role: str, name: str) -> _Floats:
        return _data_floats(self._data, owner, role, name, "SurveyDesign")

    def _complete(self, role: str, name: str, values: Any) -> None:
        missing = np.asarray(pd.isna(values))
        if missing.any():
            raise SurveyDesignError(
                f"The {role!r} column {name!r} of SurveyDesign contains missing values "
                f"({_rows(self._data.index, missing)}). Expected a value in every row."
            )

    def _weight_values(self, name: str | None) -> _Floats:
        if name is None:
            return np.ones(len(self._data))
        w = self._float_values("SurveyDesign", "weights", name)
        for bad, what in [(~np.isfinite(w), "non-finite"), (w < 0, "negative")]:
            if bad.any():
                raise SurveyDesignError(
                    f"The 'weights' column {name!r} of SurveyDesign contains {what} values "
                    f"({_rows(self._data.index, bad)}). Expected finite non-negative weights."
                )
        if not (w > 0).any():
            raise SurveyDesignError(
                f"The 'weights' column {name!r} of SurveyDesign is zero in every row. "
                "Expected finite non-negative weights, not all zero."
            )
        return w

    def _stratum_codes(self, name: str | None) -> tuple[_Codes, NDArray[Any]]:
        if name is None:
            return np.zeros(len(self._data), dtype=np.int64), np.array(["(all)"], dtype=object)
        col = self._column("SurveyDesign", "strata", name)
        self._complete("strata", name, col)
        codes, labels = pd.factorize(col)
        return codes.astype(np.int64, copy=False), np.asarray(labels, dtype=object)

    def _psu_codes(self, name: str | None, stratum: _Codes, labels: Any, nest: bool) -> _Codes:
        if name is None:
            return np.arange(len(self._data), dtype=np.int64)
        col = self._column("SurveyDesign", "psu", name)
        self._complete("psu", name, col)
        source = f"The 'psu' column {name!r} of SurveyDesign"
        try:
            return nest_psus(stratum, col, list(labels), nest=nest, source=source)
        except ValueError as err:
            raise SurveyDesignError(str(err)) from None

    def _fpc_values(self, name: str, pps: bool) -> _Floats:
        values = self._float_values("SurveyDesign", "fpc", name)
        self._complete("fpc", name, values)
        bad = ~np.isfinite(values) | (values <= 0)
        if pps:
            bad |= values > 1
            if bad.any():
                raise SurveyDesignError(
                    f"The 'fpc' column {name!r} of SurveyDesign holds the inclusion "
                    f"probabilities of a pps='brewer' design, but has values outside (0, 1] "
                    f"({_rows(self._data.index, bad)}). Expected probabilities in (0, 1] "
                    "(R: 'fpc must be specified as sampling fraction for PPS sampling')."
                )
        if not bad.any() and (values > 1).any():
            bad = values < 1  # population counts and fractions mixed
        if bad.any():
            raise SurveyDesignError(
                f"The 'fpc' column {name!r} of SurveyDesign has invalid values "
                f"({_rows(self._data.index, bad)}). Expected either population numbers of "
                "PSUs (all >= 1) or sampling fractions (all in (0, 1])."
            )
        return values

    def _unit_labels(self, names: list[str], stage: int, codes: _Codes) -> Labels:
        """Labels of the units of ``stage`` (1-based) for messages: "PSU 83", "unit 4958"."""
        column = self._data[names[stage - 1]]
        what = "PSU" if stage == 1 else f"stage-{stage} unit"

        def label(code: int) -> str:
            row = int(np.flatnonzero(codes == code)[0])
            return f"{what} {_plain(column.iloc[row])!r}"

        return Labels(int(codes.max()) + 1, label)

    def _raw_labels(self, name: str, codes: _Codes) -> Labels:
        column = self._data[name]

        def label(code: int) -> Any:
            return _plain(column.iloc[int(np.flatnonzero(codes == code)[0])])

        return Labels(int(codes.max()) + 1, label)

    def _code_structure(
        self,
        strata: str | None,
        psu: str | Sequence[str] | None,
        fpc: str | Sequence[str] | None,
        nest: bool,
        pps: str | None,
    ) -> tuple[PsuStructure, _Floats | None, NDArray[Any]]:
        """Structure, stage-1 population size per PSU (or None) and stratum labels."""
        owner = "SurveyDesign"
        if pps is not None:
            _check_choice(owner, "pps", pps, PPS_METHODS)
        psu_names = [] if psu is None else _names(owner, "psu", psu)
        fpc_names = [] if fpc is None else _names(owner, "fpc", fpc)
        stages = max(len(psu_names), 1)
        if fpc_names and len(fpc_names) != stages:
            raise SurveyDesignError(
                f"The 'fpc' parameter of SurveyDesign names {len(fpc_names)} column(s) but "
                f"'psu' has {stages} stage(s) ({_quoted(psu_names or ['(rows)'])}). Expected "
                "one fpc column per stage, as svydesign(ids = ~a + b, fpc = ~fpc_a + fpc_b)."
            )
        if pps is not None and not fpc_names:
            raise SurveyDesignError(
                "pps='brewer' needs 'fpc': the inclusion probability of each stage's units "
                "(e.g. fpc=['psu_prob', 'hh_prob']). Without it R's svydesign ignores pps and "
                "the variance is with replacement."
            )
        stratum, labels = self._stratum_codes(strata)
        psu_codes = self._psu_codes(psu_names[0] if psu_names else None, stratum, labels, nest)
        later_columns = []
        for name in psu_names[1:]:
            col = self._column(owner, "psu", name)
            self._complete("psu", name, col)
            later_columns.append(col)
        structure = build_structure(stratum, psu_codes)
        if not fpc_names:
            return structure, None, labels
        is_pps = pps is not None
        values = [self._fpc_values(name, is_pps) for name in fpc_names]
        source = f"The 'fpc' column {fpc_names[0]!r} of SurveyDesign"
        names = psu_names or ["(row)"]
        units = (
            self._unit_labels(psu_names, 1, psu_codes)
            if psu_names
            else Labels(len(psu_codes), lambda i: f"row {self._data.index[i]!r}")
        )
        try:
            first, population, fraction = add_stage_fpc(
                structure, values[0], pps=is_pps, source=source, cells=list(labels), units=units
            )
            later = []
            parent = psu_codes
            for stage, col in enumerate(later_columns, start=2):
                unit_structure = code_later_stage(parent, col)
                cell_kind = "PSU" if stage == 2 else f"stage-{stage - 1} unit"
                unit_structure, _, unit_fraction = add_stage_fpc(
                    unit_structure,
                    values[stage - 1],
                    pps=is_pps,
                    source=f"The 'fpc' column {fpc_names[stage - 1]!r} of SurveyDesign",
                    cells=self._raw_labels(names[stage - 2], parent),
                    units=self._unit_labels(psu_names, stage, unit_structure.psu),
                    cell_kind=cell_kind,
                )
                later.append((unit_structure, unit_fraction))
                parent = unit_structure.psu
        except ValueError as err:
            raise SurveyDesignError(str(err)) from None
        return with_stages(first, fraction, later, pps=is_pps), population, labels

    def _check_lonely(
        self, structure: PsuStructure, labels: NDArray[Any], names: list[str]
    ) -> None:
        """``lonely_psu="fail"``: raise for a stratum (or a unit of a later stage) with one unit."""
        lonely = structure.lonely
        if lonely.any():
            raise SurveyDesignError(
                f"SurveyDesign has strata with a single PSU ({_quoted(list(labels[lonely]))}) "
                "and lonely_psu='fail'. Expected at least two PSUs per stratum; choose "
                "lonely_psu='remove', 'certainty', 'adjust' or 'average' (R's "
                "options(survey.lonely.psu)), or collapse strata."
            )
        parent = structure.psu
        for stage, later in enumerate(structure.stages, start=2):
            cells = np.flatnonzero(later.lonely)
            if cells.size:
                shown = self._raw_labels(names[stage - 2], parent)
                raise SurveyDesignError(
                    f"SurveyDesign has {cells.size} unit(s) of stage {stage - 1} in which a "
                    f"single stage-{stage} unit was sampled without the whole unit being "
                    f"taken (the {names[stage - 2]!r} values "
                    f"{_quoted([shown[c] for c in cells[:10].tolist()])}) and "
                    "lonely_psu='fail'. R stops there too ('has only one PSU at stage "
                    f"{stage}'); choose another lonely_psu rule or correct the fpc."
                )
            parent = later.psu
