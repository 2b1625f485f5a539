"""Multistage and PPS sampling structures: the units of each stage, their fpc and weights.

:class:`~sga_methods.design.SurveyDesign` accepts ``psu=["mahalla", "hh_id"]`` with
``fpc=["psu_prob", "hh_prob"]`` (one column per stage) and ``pps="brewer"``, as R's
``svydesign(ids = ~mahalla + hh_id, fpc = ~psu_prob + hh_prob, pps = "brewer")``. This module
codes such a design into a :class:`~sga_methods.variance.PsuStructure` whose ``stages`` hold
the later stages; :func:`~sga_methods.variance.taylor_variance` then sums one term per stage.

The variance is that of R's ``svyrecvar`` (its ``multistage`` recursion, ``onestage`` and
``onestrat``). With ``z_k`` the weighted linearized scores, write ``Z_u`` for the total of
``z`` over the rows of a unit ``u``. Stage 1 (strata ``h``, PSUs ``i``):

.. math::

    V_1 = \\sum_h \\frac{n_h}{n_h - 1} \\sum_{i \\in h} (1 - \\pi_i)
          (Z_{hi} - \\bar Z_h)^2, \\qquad \\bar Z_h = \\frac{1}{n_h} \\sum_{i \\in h} Z_{hi},

with ``1 - pi_i = 1 - n_h / N_h`` for simple random sampling of PSUs, and for PPS sampling
without replacement (``pps="brewer"``) the PSU's own inclusion probability ``pi_i``: this is
Brewer's approximation, option 2 of Berger (2004), as R implements it (the unweighted mean
``Zbar_h``; R's ``svyrecvar`` documentation). Without fpc the factor is 1 (with
replacement). Each later stage ``s`` adds, for every unit ``u`` of stage
``s - 1``, the same formula over the stage-``s`` units ``j`` sampled in ``u`` (``m_u`` of
``M_u``), multiplied by the sampling fractions of ``u`` and its ancestors:

.. math::

    V = V_1 + \\sum_{i} \\pi_i \\Big[ \\frac{m_i}{m_i - 1} \\sum_{j \\in i}
        \\Big(1 - \\frac{m_i}{M_i}\\Big) (Z_{ij} - \\bar Z_i)^2 \\Big] + \\dots

(R multiplies the recursion below a unit by ``nPSU / popsize``, i.e. ``n_h / N_h`` or
``pi_i``). The ``Z_ij`` are totals of scores that carry the full weight ``1 / (pi_i
pi_j|i)``, so the bracket estimates ``V_2(i) / pi_i^2``, where ``V_2(i)`` is the variance of
the estimated total of PSU ``i`` over the second-stage sample; times ``pi_i`` it becomes the
second-stage term ``V_2(i) / pi_i`` of the Horvitz-Thompson variance (Särndal et al. 1992,
ch. 4). Without an fpc R uses the first stage alone (with replacement), and so does
:class:`~sga_methods.design.SurveyDesign`.

References
----------
Bellhouse, D. R. (1985). Computing methods for variance estimation in complex surveys.
*Journal of Official Statistics* 1(3).
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley. Ch. 3 (multistage
and PPS designs) and appendix C.
Brewer, K. R. W. (2002). *Combined Survey Sampling Inference: Weighing Basu's Elephants*.
Arnold. Ch. 9.
Berger, Y. G. (2004). A simple variance estimator for unequal probability sampling without
replacement. *Journal of Applied Statistics* 31, 305-315.
Särndal, C.-E., Swensson, B. and Wretman, J. (1992). *Model Assisted Survey Sampling*.
Springer. Ch. 4 (multistage sampling).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .variance import (
    PsuStructure,
    build_structure,
    nest_psus,
    population_from_fpc,
    with_population,
)

__all__ = ["PPS_METHODS", "Labels", "add_stage_fpc", "code_later_stage", "with_stages"]

PPS_METHODS: tuple[str, ...] = ("brewer",)
_Floats = NDArray[np.float64]
_Codes = NDArray[np.int64]


class Labels(Sequence[str]):
    """Labels of units, computed only when a message asks for one (``label(code)``)."""

    def __init__(self, size: int, label: Callable[[int], str]) -> None:
        self._size, self._label = size, label

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, code: Any) -> Any:
        if isinstance(code, slice):
            return [self._label(i) for i in range(self._size)[code]]
        return self._label(int(code))

    def __iter__(self) -> Iterator[str]:
        return (self._label(i) for i in range(self._size))


def _quoted(values: Sequence[Any], limit: int = 10) -> str:
    plain = [v.item() if isinstance(v, np.generic) else v for v in list(values)[:limit]]
    return ", ".join(repr(v) for v in plain) + (
        f", ... ({len(values)} in all)" if len(values) > limit else ""
    )


def code_later_stage(parent: _Codes, labels: pd.Series) -> PsuStructure:
    """Structure of a later stage: its units are the (parent unit, label) pairs.

    Parameters
    ----------
    parent : ndarray of int64, shape (n,)
        Unit of the previous stage of each row (codes ``0 .. U - 1``).
    labels : pandas.Series, shape (n,)
        Labels of this stage's units; only unique within the parent unit, as R makes them
        (``interaction`` of the ids of every stage so far).

    Returns
    -------
    PsuStructure
        "Strata" = the parent units, "PSUs" = this stage's units; no fpc yet.

    Examples
    --------
    >>> s = code_later_stage(np.array([0, 0, 1, 1]), pd.Series([7, 8, 7, 7]))
    >>> s.psu.tolist(), s.n_psu.tolist()
    ([0, 2, 1, 1], [2, 1])
    """
    n_parent = int(parent.max()) + 1 if parent.size else 0
    units = nest_psus(parent, labels, range(n_parent), nest=True)
    return build_structure(parent, units)


def _per_unit(
    structure: PsuStructure, values: _Floats, source: str, units: Sequence[str]
) -> _Floats:
    """The value of each unit (``PSU``); raises if it varies within a unit."""
    first = np.empty(structure.psu_stratum.size)
    first[structure.psu] = values
    varying = values != first[structure.psu]
    if varying.any():
        u = int(structure.psu[np.argmax(varying)])
        shown = _quoted(pd.unique(values[structure.psu == u]).tolist())
        raise ValueError(
            f"{source} varies within {units[u]} (values {shown}). Expected one value per "
            "sampled unit of the stage."
        )
    return first


def add_stage_fpc(
    structure: PsuStructure,
    values: _Floats,
    *,
    pps: bool,
    source: str,
    cells: Sequence[Any],
    units: Sequence[str],
    cell_kind: str = "stratum",
) -> tuple[PsuStructure, _Floats, _Floats]:
    """Add one stage's fpc to its structure.

    Parameters
    ----------
    structure : PsuStructure
        The stage: "strata" (cells: strata at stage 1, units of the previous stage later)
        and its sampled units.
    values : ndarray of float64, shape (n,)
        The fpc of each row, already checked finite and positive: population counts (any
        value above 1) or sampling fractions in (0, 1]; with ``pps`` inclusion probabilities.
    pps : bool
        ``True``: one probability per unit, free to vary within a cell (Brewer's
        approximation); ``False``: one value per cell (SRS without replacement).
    source : str
        Subject of error messages ("The 'fpc' column 'p' of SurveyDesign").
    cells, units : sequence
        Labels of the cells and units, for messages.
    cell_kind : str, default "stratum"
        What a cell is called in messages.

    Returns
    -------
    structure : PsuStructure
        With ``fpc_factor`` (and ``psu_fpc_factor`` under PPS).
    population : ndarray of float64, shape (n_units,)
        Population size ``N`` of each unit's cell as R's ``popsize``: the count, or ``n /
        fraction`` (under PPS ``n_h / pi_i``).
    fraction : ndarray of float64, shape (n_units,)
        Sampling fraction of each unit, R's ``nPSU / popsize``: the multiplier of the
        variance of the stages below it.

    Raises
    ------
    ValueError
        A value varying within a unit, or (without PPS) within a cell; a population count
        smaller than the number of units sampled.

    Examples
    --------
    >>> s = build_structure([0, 0, 0, 1, 1], [0, 1, 1, 2, 3])
    >>> t, pop, frac = add_stage_fpc(s, np.array([.5, .25, .25, 1., 1.]), pps=True,
    ...                              source="fpc", cells=["a", "b"], units=["u"] * 4)
    >>> t.psu_fpc_factor.tolist(), t.fpc_factor.tolist(), frac.tolist()
    ([0.5, 0.75, 0.0, 0.0], [0.75, 0.0], [0.5, 0.25, 1.0, 1.0])
    """
    n_cell = structure.n_psu
    if not pps:  # one value per cell (so per unit too), checked by population_from_fpc
        pop = population_from_fpc(
            structure.stratum, values, n_cell, cells, source=source, kind=cell_kind
        )
        with np.errstate(divide="ignore"):
            fraction = (n_cell / pop)[structure.psu_stratum]
        return with_population(structure, pop), pop[structure.psu_stratum], fraction
    n_unit = n_cell[structure.psu_stratum]
    pop_unit = n_unit / _per_unit(structure, values, source, units)
    f_unit = (pop_unit - n_unit) / pop_unit
    f_cell = np.full(n_cell.size, -np.inf)
    np.maximum.at(f_cell, structure.psu_stratum, f_unit)
    new = replace(structure, fpc_factor=f_cell, psu_fpc_factor=f_unit)
    return new, pop_unit, n_unit / pop_unit


def with_stages(
    first: PsuStructure,
    first_fraction: _Floats,
    later: Sequence[tuple[PsuStructure, _Floats]],
    *,
    pps: bool,
) -> PsuStructure:
    """Chain the stages: each later stage weighted by the fractions of its ancestors.

    ``later`` holds, for stages 2, 3, ..., the stage's structure (with fpc) and the sampling
    fraction of each of its units. The multiplier of a stage-``s`` cell (a unit ``u`` of
    stage ``s - 1``) is the product of the sampling fractions of ``u`` and its ancestors
    (R multiplies the recursion below each unit by ``nPSU / popsize``).
    """
    weight = first_fraction
    stages = []
    for structure, fraction in later:
        stages.append(replace(structure, stratum_weight=weight))
        weight = weight[structure.psu_stratum] * fraction
    return replace(first, stages=tuple(stages), pps=pps)
