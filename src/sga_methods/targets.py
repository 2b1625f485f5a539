"""Population targets from a margins table, applied to a design as the parameters say.

A district's ``weighting.targets`` names a data source holding population counts in long
form, one row per (unit, variable, level)::

    unit,variable,level,population
    persons_15plus,sex,female,94304
    households,stratum,1,11360

:func:`margins_for` turns the rows of one unit into the margins that
:meth:`SurveyDesign.rake` and :meth:`SurveyDesign.calibrate` take, with each level converted
to the type of the survey column it describes; :func:`apply` weights a design with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

if TYPE_CHECKING:
    from .design import SurveyDesign
    from .params import Weighting

__all__ = ["REQUIRED_COLUMNS", "TargetsError", "apply", "margins_for"]

REQUIRED_COLUMNS = ("unit", "variable", "level", "population")


class TargetsError(ValueError):
    """A margins table that does not fit the survey; the message names the problem."""


def _level(value: Any, column: pd.Series) -> Any:
    if pd.api.types.is_numeric_dtype(column):
        number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
        return value if pd.isna(number) else number.item()
    return str(value)


def margins_for(
    table: pd.DataFrame,
    *,
    unit: str,
    variables: Sequence[str],
    data: pd.DataFrame,
    source: str = "targets",
) -> dict[str | tuple[str, ...], dict[Any, float]]:
    """Margins of ``variables`` for one ``unit`` of a long margins table.

    Parameters
    ----------
    table : DataFrame
        Columns ``unit, variable, level, population``.
    unit : str
        The rows to use (e.g. ``"persons_15plus"``).
    variables : sequence of str
        Survey columns to weight on; each needs rows in ``table`` for ``unit``.
    data : DataFrame
        The survey, used to convert levels to the type of each survey column.
    source : str
        Name of the table in messages.

    Returns
    -------
    dict
        ``{variable: {level: population}}``.

    Raises
    ------
    TargetsError
        Missing columns, no rows for a variable, a variable not in the survey, or a
        population that is not a positive number.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        raise TargetsError(f"{source}: missing columns {missing} (expected {REQUIRED_COLUMNS})")
    rows = table[table["unit"].astype(str) == unit]
    margins: dict[str | tuple[str, ...], dict[Any, float]] = {}
    for var in variables:
        if var not in data.columns:
            raise TargetsError(f"{source}: weighting variable {var!r} is not a survey column")
        part = rows[rows["variable"].astype(str) == var]
        if part.empty:
            raise TargetsError(f"{source}: no rows for unit {unit!r} and variable {var!r}")
        population = pd.to_numeric(part["population"], errors="coerce")
        bad = part.loc[~(population > 0), "level"].tolist()
        if bad:
            raise TargetsError(
                f"{source}: unit {unit!r}, variable {var!r}: population must be a positive "
                f"number for levels {bad}"
            )
        margins[var] = {
            _level(level, data[var]): float(pop)
            for level, pop in zip(part["level"], population, strict=True)
        }
    return margins


def apply(
    design: SurveyDesign,
    spec: Weighting,
    table: pd.DataFrame,
    unit: Literal["person", "household"],
    *,
    source: str = "targets",
) -> SurveyDesign:
    """Weight ``design`` to the targets of ``unit`` with the method of ``spec``.

    ``spec.method`` "none" returns the design unchanged; "rake" rakes (iterative
    proportional fitting to a tight tolerance); "calibrate" calibrates with
    ``spec.calibration`` ("linear", "raking" or "logit") within ``spec.bounds``. Units
    without weighting variables are left unweighted.
    """
    variables = spec.variables if unit == "person" else spec.household_variables
    if spec.method == "none" or not variables:
        return design
    target_unit = spec.person_unit if unit == "person" else spec.household_unit
    margins = margins_for(
        table, unit=target_unit, variables=variables, data=design.data, source=source
    )
    if spec.method == "rake":
        return design.rake(margins)
    return design.calibrate(margins, method=spec.calibration, bounds=spec.bounds)
