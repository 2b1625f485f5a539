"""Taylor-linearization variance for stratified cluster samples, single or multistage.

One routine serves every estimator of :class:`sga_methods.design.SurveyDesign`: an
estimator turns its statistic into per-row linearized scores (influence values) and
:func:`taylor_variance` returns the design variance of their estimated total, for one or many
domains in a single vectorised pass (a loop runs over the stages only). The first stage is
the ultimate-cluster variance, with a finite population correction per stratum or, for PPS
designs (Brewer's approximation), per PSU; later stages (:mod:`sga_methods.stages`) add
their within-unit terms. :func:`degrees_of_freedom` gives the matching design degrees of
freedom. Semantics follow R's ``survey`` package (``svyrecvar``, ``multistage``,
``onestage``, ``onestrat`` and ``degf``), including its lonely-PSU rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "LONELY_PSU_RULES",
    "PsuStructure",
    "build_structure",
    "degrees_of_freedom",
    "nest_psus",
    "population_from_fpc",
    "srs_variance",
    "taylor_variance",
    "with_population",
]

LONELY_PSU_RULES: tuple[str, ...] = ("fail", "remove", "certainty", "adjust", "average")

# R's survey treats a stratum whose sampling fraction leaves f = 1 - n/N below this value as
# self-representing (all PSUs taken): it contributes no variance and is never "lonely".
_CERTAINTY_TOLERANCE = 1e-7


@dataclass(frozen=True)
class PsuStructure:
    """Integer-coded sampling structure of a design (strata, PSUs, finite population correction).

    The same class describes every stage of a multistage design: for stage ``s >= 2`` (in
    ``stages``) the "strata" are the units of stage ``s - 1`` and the "PSUs" the units of
    stage ``s`` (see :mod:`sga_methods.stages`).

    Attributes
    ----------
    stratum : ndarray of int64, shape (n,)
        Stratum code of each row, ``0 .. n_strata - 1``.
    psu : ndarray of int64, shape (n,)
        PSU code of each row, ``0 .. n_psus - 1``; codes are unique across strata.
    psu_stratum : ndarray of int64, shape (n_psus,)
        Stratum code of each PSU.
    n_psu : ndarray of int64, shape (n_strata,)
        Number of sampled PSUs in each stratum, counted over all rows of the design.
    fpc_factor : ndarray of float64, shape (n_strata,)
        ``f_h = (N_h - n_h) / N_h``, one minus the first-stage sampling fraction; 1 without fpc.
        With ``psu_fpc_factor``: the largest ``1 - pi_i`` of the stratum's PSUs (which decides
        whether the stratum is self-representing or lonely).
    psu_fpc_factor : ndarray of float64, shape (n_psus,), optional
        ``1 - pi_i`` of each PSU when the fpc differs between PSUs of a stratum (PPS without
        replacement, Brewer's approximation); ``None``: ``fpc_factor`` of the stratum.
    stratum_weight : ndarray of float64, shape (n_strata,), optional
        Multiplier of each stratum's variance: for stage ``s >= 2`` the product of the
        sampling fractions of the unit's ancestors (R's ``nPSU / popsize``); ``None``: 1.
    stages : tuple of PsuStructure
        Later stages (``psu=[...]`` with ``fpc``), each within the units of the previous one.
    pps : bool
        PPS design: as R keeps every row of a PPS design in its domains, lonely-PSU rules see
        every stratum of the design, not only those holding rows of the domain.
    """

    stratum: NDArray[np.int64]
    psu: NDArray[np.int64]
    psu_stratum: NDArray[np.int64]
    n_psu: NDArray[np.int64]
    fpc_factor: NDArray[np.float64]
    psu_fpc_factor: NDArray[np.float64] | None = None
    stratum_weight: NDArray[np.float64] | None = None
    stages: tuple[PsuStructure, ...] = ()
    pps: bool = False

    @property
    def lonely(self) -> NDArray[np.bool_]:
        """Strata with a single PSU that are not self-representing, shape (n_strata,)."""
        return (self.n_psu == 1) & (self.fpc_factor >= _CERTAINTY_TOLERANCE)


def build_structure(
    stratum: ArrayLike, psu: ArrayLike, population: ArrayLike | None = None
) -> PsuStructure:
    """Build a :class:`PsuStructure` from validated integer codes.

    Parameters
    ----------
    stratum : array_like of int, shape (n,)
        Stratum codes ``0 .. H - 1``.
    psu : array_like of int, shape (n,)
        PSU codes ``0 .. P - 1``, each PSU inside exactly one stratum (already nested).
    population : array_like of float, shape (H,), optional
        Population number of PSUs ``N_h`` per stratum; ``inf`` or ``None`` means no fpc.

    Returns
    -------
    PsuStructure

    Raises
    ------
    ValueError
        If a PSU code occurs in more than one stratum (checked and reported with labels by
        :class:`~sga_methods.design.SurveyDesign` before this point).

    Examples
    --------
    >>> s = build_structure([0, 0, 1, 1, 1], [0, 1, 2, 2, 3], population=[10, 4])
    >>> s.n_psu.tolist(), s.fpc_factor.tolist()
    ([2, 2], [0.8, 0.5])
    """
    stratum = np.asarray(stratum, dtype=np.int64)
    psu = np.asarray(psu, dtype=np.int64)
    n_strata = int(stratum.max()) + 1 if stratum.size else 0
    psu_stratum = np.full(int(psu.max()) + 1 if psu.size else 0, -1, dtype=np.int64)
    psu_stratum[psu] = stratum
    if np.any(psu_stratum[psu] != stratum):
        raise ValueError("A PSU code occurs in more than one stratum; nest the PSU codes first.")
    n_psu = np.bincount(psu_stratum, minlength=n_strata).astype(np.int64)
    structure = PsuStructure(stratum, psu, psu_stratum, n_psu, np.ones(n_strata))
    return structure if population is None else with_population(structure, population)


def with_population(structure: PsuStructure, population: ArrayLike) -> PsuStructure:
    """The same structure with the fpc of ``population`` PSUs per stratum (``inf``: none).

    Examples
    --------
    >>> s = with_population(build_structure([0, 0, 1, 1], [0, 1, 2, 3]), [4, np.inf])
    >>> s.fpc_factor.tolist()
    [0.5, 1.0]
    """
    pop = np.asarray(population, dtype=np.float64)
    n_psu = structure.n_psu
    with np.errstate(invalid="ignore"):
        fpc_factor = np.where(np.isinf(pop), 1.0, (pop - n_psu) / pop)
    return replace(structure, fpc_factor=fpc_factor)


def _quoted(values: Sequence[Any], limit: int = 10) -> str:
    plain = [v.item() if isinstance(v, np.generic) else v for v in list(values)[:limit]]
    shown = ", ".join(repr(v) for v in plain)
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")


# A (rows x columns) table of integer pairs is counted on a dense grid with np.bincount (O(n))
# when it has at most this many cells per row of data, else by sorting (np.unique).
_GRID_CELLS_PER_ROW = 4


def _dense(cells: int, n: int) -> bool:
    """Whether a grid of ``cells`` cells is small enough to count ``n`` keys with bincount."""
    return cells <= _GRID_CELLS_PER_ROW * max(n, 1 << 14)


def nest_psus(
    stratum: NDArray[np.int64],
    psu: ArrayLike,
    stratum_labels: Sequence[Any],
    *,
    nest: bool,
    source: str = "psu",
) -> NDArray[np.int64]:
    """Integer PSU codes, unique across strata.

    Parameters
    ----------
    stratum : ndarray of int64, shape (n,)
        Stratum codes ``0 .. H - 1``.
    psu : array_like, shape (n,)
        PSU labels (any hashable values, no missing values).
    stratum_labels : sequence, length H
        Stratum labels, for messages.
    nest : bool
        ``True``: labels are only unique within strata, so the PSU is the pair
        (stratum, label), as ``svydesign(nest = TRUE)``. ``False``: a label found in two
        strata is an error, as ``svydesign``'s ``check.strata``.
    source : str, default "psu"
        Subject of the error message (e.g. "The 'psu' column 'dnum' of SurveyDesign").

    Returns
    -------
    ndarray of int64, shape (n,)

    Raises
    ------
    ValueError
        With ``nest=False``, when a PSU label occurs in more than one stratum.

    Examples
    --------
    >>> nest_psus(np.array([0, 0, 1, 1]), [1, 2, 1, 2], ["a", "b"], nest=True).tolist()
    [0, 2, 1, 3]
    """
    raw, labels = pd.factorize(pd.Series(psu))
    raw = raw.astype(np.int64, copy=False)
    n_strata, n_raw = len(stratum_labels), len(labels)
    if nest:
        key = raw * n_strata + stratum
        if _dense(n_raw * n_strata, key.size):  # rank of each pair among the sorted pairs
            present = np.bincount(key, minlength=n_raw * n_strata) > 0
            return (np.cumsum(present) - 1)[key]
        return np.searchsorted(np.unique(key), key).astype(np.int64)
    first = np.empty(n_raw, dtype=np.int64)
    first[raw] = stratum
    if not np.array_equal(first[raw], stratum):
        pairs = np.unique(raw * n_strata + stratum)
        psu_of_pair, stratum_of_pair = np.divmod(pairs, n_strata)
        shared = np.flatnonzero(np.bincount(psu_of_pair) > 1)
        strata = [stratum_labels[h] for h in stratum_of_pair[psu_of_pair == shared[0]]]
        more = f" (and {shared.size - 1} more such PSUs)" if shared.size > 1 else ""
        raise ValueError(
            f"{source} has PSU {_quoted([labels[shared[0]]])} in more than one stratum "
            f"({_quoted(strata)}){more} with nest=False. Expected each PSU inside one "
            f"stratum; pass nest=True if PSU labels are only unique within strata."
        )
    return raw


def population_from_fpc(
    stratum: NDArray[np.int64],
    fpc: NDArray[np.float64],
    n_psu: NDArray[np.int64],
    stratum_labels: Sequence[Any],
    *,
    source: str = "fpc",
    kind: str = "stratum",
) -> NDArray[np.float64]:
    """Population number of PSUs per stratum from an fpc given per row.

    Parameters
    ----------
    stratum : ndarray of int64, shape (n,)
        Stratum codes.
    fpc : ndarray of float64, shape (n,)
        Positive finite values: population numbers of PSUs ``N_h`` (when any value exceeds
        1) or sampling fractions ``n_h / N_h`` in (0, 1] (otherwise), as ``svydesign``.
    n_psu : ndarray of int64, shape (H,)
        Sampled PSUs per stratum.
    stratum_labels : sequence, length H
        Stratum labels, for messages.
    source : str, default "fpc"
        Subject of the error message.
    kind : str, default "stratum"
        What a stratum is called in messages (for a later stage: the unit of the previous
        stage, within which the units of this stage are sampled).

    Returns
    -------
    ndarray of float64, shape (H,)
        ``N_h`` (for fractions ``n_h / fraction``, as R computes it).

    Raises
    ------
    ValueError
        If the value varies within a stratum (R only warns) or ``N_h < n_h``.

    Examples
    --------
    >>> population_from_fpc(np.array([0, 0, 1]), np.array([0.5, 0.5, 0.25]),
    ...                     np.array([2, 1]), ["a", "b"]).tolist()
    [4.0, 4.0]
    """
    per_stratum = np.empty(len(stratum_labels))
    per_stratum[stratum] = fpc  # one row's value per stratum; every row must agree with it
    varying = fpc != per_stratum[stratum]
    if varying.any():
        bad = np.zeros(len(stratum_labels), dtype=bool)
        bad[stratum[varying]] = True
        h = int(stratum[np.argmax(bad[stratum])])  # the varying stratum met first
        raise ValueError(
            f"{source} varies within {kind} {stratum_labels[h]!r} (values "
            f"{_quoted(pd.unique(fpc[stratum == h]).tolist())}). Expected one value per "
            "stratum."
        )
    if not (fpc > 1).any():
        return n_psu / per_stratum
    small = per_stratum < n_psu
    if small.any():
        units, kinds = ("PSUs", "strata") if kind == "stratum" else ("units", f"{kind}s")
        raise ValueError(
            f"{source} is smaller than the number of sampled {units} in {kinds} "
            f"{_quoted([stratum_labels[h] for h in np.flatnonzero(small).tolist()])}. Expected a "
            f"population number of {units} >= the number sampled, or a sampling fraction."
        )
    return per_stratum


def _domain_codes(domain: ArrayLike | None, n: int) -> tuple[NDArray[np.int64], int]:
    if domain is None:
        return np.zeros(n, dtype=np.int64), 1
    codes = np.asarray(domain, dtype=np.int64)
    return codes, int(codes.max()) + 1 if codes.size and codes.max() >= 0 else 0


def _columns_sums(
    group: NDArray[np.int64], values: NDArray[np.float64], size: int
) -> NDArray[np.float64]:
    """``np.bincount(group, weights=values[:, j], minlength=size)`` for each column ``j``."""
    out = np.empty((size, values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(group, weights=values[:, j], minlength=size)
    return out


def _pair_totals(
    group: NDArray[np.int64],
    codes: NDArray[np.int64],
    n_dom: int,
    values: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The (group, domain) pairs present among rows with ``codes >= 0``, and their totals.

    Returns the sorted keys ``group * n_dom + domain`` of the pairs holding at least one such
    row (``np.unique``) and the sums of the columns of ``values`` (shape (n, k)) over each
    pair's rows, shape (pairs, k), added in row order (so equal to ``np.bincount`` on
    ``np.unique``'s inverse); ``values=None``: no totals. Counted on the dense
    (group, domain + 1) grid when it is small, rows outside every domain falling in the extra
    column 0; otherwise by sorting.
    """
    n_groups = int(group.max()) + 1 if group.size else 0
    width = n_dom + 1
    if _dense(n_groups * width, group.size):
        key = group * width  # group * width + domain + 1, in place
        key += codes
        key += 1
        counts = np.bincount(key, minlength=n_groups * width).reshape(n_groups, width)[:, 1:]
        # row-major: sorted by group, then domain
        present = np.flatnonzero(counts).astype(np.int64, copy=False)
        if values is None:
            return present, np.zeros(0)
        sums = _columns_sums(key, values, n_groups * width)
        return present, sums.reshape(n_groups, width, -1)[:, 1:].reshape(-1, values.shape[1])[
            present
        ]
    sel = codes >= 0
    pair, inverse = np.unique(group[sel] * n_dom + codes[sel], return_inverse=True)
    if values is None:
        return pair, np.zeros(0)
    return pair, _columns_sums(inverse, values[sel], pair.size)


def taylor_variance(
    scores: ArrayLike,
    structure: PsuStructure,
    *,
    domain: ArrayLike | None = None,
    n_domains: int | None = None,
    lonely_psu: str = "fail",
) -> NDArray[np.float64]:
    """Design variance of the estimated total of linearized scores, per domain.

    Parameters
    ----------
    scores : array_like of float, shape (n,) or (n, k)
        Weighted linearized scores ``z_i = w_i u_i`` (zero weight outside the estimation
        domain). The statistic's linearization is ``sum_i z_i``. Several columns: one
        variance per column and domain.
    structure : PsuStructure
        Strata, PSUs and fpc of the design, with its later stages.
    domain : array_like of int, shape (n,), optional
        Domain code of each row, ``0 .. n_domains - 1``, or ``-1`` for rows that are not in
        any estimation domain (outside a subset, missing analysed value). A row belongs to at
        most one domain, so all domains are handled in one pass. ``None``: one domain, all rows.
    n_domains : int, optional
        Number of domains (default: largest code + 1).
    lonely_psu : {"fail", "remove", "certainty", "adjust", "average"}, default "fail"
        Rule for strata with a single sampled PSU, as R's ``options(survey.lonely.psu)``.

    Returns
    -------
    ndarray of float64, shape (n_domains,) or (n_domains, k)
        Variance for each domain; ``nan`` where undefined (``"average"`` with no stratum of
        two or more PSUs, or a lonely unit at a later stage).

    Raises
    ------
    ValueError
        With ``lonely_psu="fail"`` when a stratum holding rows of a domain has one PSU, or for
        an unknown rule.

    Notes
    -----
    With PSU totals ``z_hi = sum_{k in PSU i of stratum h} z_k`` (PSUs of the stratum that
    hold no row of the domain count as zero totals, as R pads them),

    .. math::

        \\hat V = \\sum_h (1 - f_h) \\frac{n_h}{n_h - 1}
                  \\sum_{i=1}^{n_h} (z_{hi} - \\bar z_h)^2,

    the with-replacement (ultimate-cluster) variance of the first stage, multiplied by
    ``1 - f_h = 1 - n_h / N_h`` when an fpc is given. ``n_h`` is the number of PSUs of the
    stratum in the whole design; a domain that holds one PSU of a stratum with several
    is treated like any other (R's default ``survey.adjust.domain.lonely = FALSE``).
    Strata with ``1 - f_h < 1e-7`` (all PSUs sampled) contribute zero.

    Lonely strata (``n_h = 1``): ``"remove"`` and ``"certainty"`` contribute zero (they give
    identical numbers in R's ``survey`` for designs with a single stage of clustering);
    ``"adjust"`` contributes ``(1 - f_h) z_{h1}^2``, the deviation of the PSU total from the
    grand mean of the scores, zero; ``"average"`` drops the stratum and multiplies the sum by
    ``H_d / H_d^{ok}``, the number of strata holding rows of the domain over the number of
    those with two or more PSUs. In a PPS design (``structure.pps``) R keeps every row in
    a domain, so ``H_d`` and ``H_d^{ok}`` count every stratum of the design.

    With ``psu_fpc_factor`` (``pps="brewer"``) each PSU carries its own ``1 - pi_hi``
    (Brewer's approximation as R's ``svyrecvar``; a PSU without rows in the domain keeps
    its own factor):

    .. math::

        \\hat V_1 = \\sum_h \\frac{n_h}{n_h - 1} \\sum_{i=1}^{n_h} (1 - \\pi_{hi})
                    (z_{hi} - \\bar z_h)^2.

    Each later stage of ``structure.stages`` adds the same sum over its "strata" (the units
    of the previous stage), each multiplied by ``stratum_weight``, the product of the
    sampling fractions of the unit and its ancestors: R's ``multistage`` recursion
    (:mod:`sga_methods.stages`). A unit with one sampled unit of the next stage follows
    ``lonely_psu`` as in R: ``"remove"``/``"certainty"`` zero, ``"adjust"`` ``(1 - f)
    z^2``, ``"average"`` NaN for the domains holding it.

    References
    ----------
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley. Ch. 2, 3 and
    appendix C.
    Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed. Springer. Ch. 6.
    Brewer, K. R. W. (2002). *Combined Survey Sampling Inference*. Arnold. Ch. 9.

    Examples
    --------
    >>> s = build_structure([0, 0, 0, 0], [0, 0, 1, 1])
    >>> float(taylor_variance([1.0, 1.0, -1.0, -1.0], s)[0])  # 2 / (2 - 1) * (2^2 + 2^2)
    16.0
    """
    if lonely_psu not in LONELY_PSU_RULES:
        raise ValueError(f"Unknown lonely_psu rule {lonely_psu!r}; use one of {LONELY_PSU_RULES}.")
    z = np.asarray(scores, dtype=np.float64)
    codes, found = _domain_codes(domain, z.shape[0])
    n_dom = found if n_domains is None else int(n_domains)
    columns = z.reshape(z.shape[0], -1)
    if n_dom == 0:
        return np.zeros((0, columns.shape[1]) if z.ndim > 1 else 0)
    variance = _stage_variance(columns, structure, codes, n_dom, lonely_psu, 1, structure.pps)
    for stage, later in enumerate(structure.stages, start=2):
        variance = variance + _stage_variance(
            columns, later, codes, n_dom, lonely_psu, stage, structure.pps
        )
    return variance if z.ndim > 1 else variance[:, 0]


def _stage_variance(
    z: NDArray[np.float64],
    structure: PsuStructure,
    codes: NDArray[np.int64],
    n_dom: int,
    lonely_psu: str,
    stage: int,
    every_stratum: bool,
) -> NDArray[np.float64]:
    """One stage's term of :func:`taylor_variance`, shape (n_domains, k), for scores (n, k)."""
    pair, psu_totals = _pair_totals(structure.psu, codes, n_dom, z)
    pair_psu, pair_dom = np.divmod(pair, n_dom)
    cell, cell_inv = np.unique(
        structure.psu_stratum[pair_psu] * n_dom + pair_dom, return_inverse=True
    )
    cell_stratum, cell_dom = np.divmod(cell, n_dom)
    n_h = structure.n_psu[cell_stratum]
    f_h = structure.fpc_factor[cell_stratum]
    sums = _columns_sums(cell_inv, psu_totals, cell.size)
    mean = sums / n_h[:, None]
    deviation = (psu_totals - mean[cell_inv]) ** 2
    if structure.psu_fpc_factor is None:
        # PSUs of the stratum without rows in the domain are zero totals: (n_h - present) mean^2
        squares = _columns_sums(cell_inv, deviation, cell.size)
        squares += (n_h - np.bincount(cell_inv, minlength=cell.size))[:, None] * mean**2
        contrib = (f_h * n_h / np.maximum(n_h - 1, 1))[:, None] * squares
    else:  # Brewer: each PSU's own 1 - pi_i, absent PSUs with their own factor
        f_i = structure.psu_fpc_factor
        absent = np.bincount(structure.psu_stratum, weights=f_i, minlength=structure.n_psu.size)
        absent = absent[cell_stratum] - np.bincount(
            cell_inv, weights=f_i[pair_psu], minlength=cell.size
        )
        squares = _columns_sums(cell_inv, f_i[pair_psu][:, None] * deviation, cell.size)
        squares += absent[:, None] * mean**2
        contrib = (n_h / np.maximum(n_h - 1, 1))[:, None] * squares
    lonely = (n_h == 1) & (f_h >= _CERTAINTY_TOLERANCE)
    if every_stratum:  # R keeps every row of a PPS design: lonely strata of the whole design
        lonely_any = np.full(n_dom, bool(structure.lonely.any()))
    else:
        lonely_any = np.bincount(cell_dom, weights=lonely, minlength=n_dom) > 0
    if lonely_psu == "fail" and lonely_any.any():
        raise ValueError(f"A stratum has only one PSU at stage {stage} (lonely_psu='fail').")
    if lonely_psu == "adjust":
        contrib = np.where(lonely[:, None], f_h[:, None] * sums**2, contrib)
    contrib = np.where((f_h < _CERTAINTY_TOLERANCE)[:, None], 0.0, contrib)
    if structure.stratum_weight is not None:
        contrib = contrib * structure.stratum_weight[cell_stratum][:, None]
    variance = _columns_sums(cell_dom, contrib, n_dom)
    if lonely_psu == "average" and stage > 1:
        # R: one stratum per unit of the previous stage, NA if lonely, so NaN in the end
        variance[lonely_any] = np.nan
    elif lonely_psu == "average":
        if every_stratum:
            n_cells = np.full(n_dom, structure.n_psu.size)
            n_ok = n_cells - int(structure.lonely.sum())
        else:
            n_cells = np.bincount(cell_dom, minlength=n_dom)
            n_ok = np.bincount(cell_dom, weights=~lonely, minlength=n_dom)
        with np.errstate(invalid="ignore", divide="ignore"):
            scaled = variance * n_cells[:, None] / np.maximum(n_ok, 1)[:, None]
            variance = np.where((n_ok > 0)[:, None], scaled, np.nan)
    return variance


def degrees_of_freedom(
    structure: PsuStructure, domain: ArrayLike | None = None, n_domains: int | None = None
) -> NDArray[np.int64]:
    """Design degrees of freedom per domain: PSUs minus strata among the domain's rows.

    Parameters
    ----------
    structure : PsuStructure
        Strata and PSUs of the design.
    domain : array_like of int, shape (n,), optional
        Domain code per row (``-1``: not counted). Pass only rows with a positive weight, as
        R's ``degf()`` counts PSUs and strata of the rows with non-zero weight.
    n_domains : int, optional
        Number of domains (default: largest code + 1).

    Returns
    -------
    ndarray of int64, shape (n_domains,)
        ``#PSUs - #strata`` of each domain (R's ``degf(subset(design, domain))``).

    Examples
    --------
    >>> s = build_structure([0, 0, 1, 1], [0, 1, 2, 3])
    >>> degrees_of_freedom(s).tolist()
    [2]
    """
    codes, found = _domain_codes(domain, structure.psu.size)
    n_dom = found if n_domains is None else int(n_domains)
    if n_dom == 0:
        return np.zeros(0, dtype=np.int64)
    if n_dom == 1 and codes.size and codes.min() >= 0:  # every row counted: all PSUs, strata
        return np.array([structure.psu_stratum.size - structure.n_psu.size], dtype=np.int64)
    pair_psu, psus = np.divmod(_pair_totals(structure.psu, codes, n_dom)[0], n_dom)
    strata = np.unique(structure.psu_stratum[pair_psu] * n_dom + psus) % n_dom
    return (np.bincount(psus, minlength=n_dom) - np.bincount(strata, minlength=n_dom)).astype(
        np.int64
    )


def srs_variance(
    weights: ArrayLike,
    u: ArrayLike,
    domain: ArrayLike | None = None,
    n_domains: int | None = None,
) -> NDArray[np.float64]:
    """Variance of ``sum_i w_i u_i`` under simple random sampling without replacement.

    The denominator of R's design effect (``deff = TRUE`` in ``svymean``, ``svytotal`` and
    ``svyratio``).

    Parameters
    ----------
    weights : array_like of float, shape (n,)
        Sampling weights (zero outside the domain).
    u : array_like of float, shape (n,)
        Linearized variable per row (the scores divided by the weights).
    domain : array_like of int, shape (n,), optional
        Domain code per row (``-1``: outside every domain). ``None``: one domain.
    n_domains : int, optional
        Number of domains.

    Returns
    -------
    ndarray of float64, shape (n_domains,)
        ``nan`` where the weights sum to less than the number of rows (R warns
        "Sample size greater than population size").

    Notes
    -----
    .. math::

        V_{srs} = \\hat N^2 \\, \\frac{\\hat N - n}{\\hat N n} \\, s_u^2, \\qquad
        s_u^2 = \\frac{n}{n - 1} \\frac{\\sum_i w_i (u_i - \\bar u)^2}{\\hat N},

    with ``N = sum w``, ``n`` the rows of the domain with non-zero weight and ``ubar`` the
    weighted mean of ``u`` (R's ``svyvar``). For a mean ``u = (y - ybar) / N`` and this is
    ``(1 - n/N) s_y^2 / n``.

    Examples
    --------
    >>> round(float(srs_variance([2.0, 2.0, 2.0, 2.0], [1.0, 2.0, 3.0, 4.0])[0]), 4)
    13.3333
    """
    w = np.asarray(weights, dtype=np.float64)
    x = np.asarray(u, dtype=np.float64)
    codes, found = _domain_codes(domain, w.size)
    n_dom = found if n_domains is None else int(n_domains)
    sel = codes >= 0
    g, w, x = codes[sel], w[sel], x[sel]
    pop = np.bincount(g, weights=w, minlength=n_dom)
    nobs = np.bincount(g, weights=w != 0, minlength=n_dom)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.bincount(g, weights=w * x, minlength=n_dom) / pop
        s2 = np.bincount(g, weights=w * (x - mean[g]) ** 2, minlength=n_dom) / pop
        vsrs = pop**2 * s2 * nobs / (nobs - 1) * (pop - nobs) / (pop * nobs)
    return np.where(pop < nobs, np.nan, vsrs)
