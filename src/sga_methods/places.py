"""Concentration of crime across places: Lorenz curve, Gini, concentration shares, LQ.

Weisburd's *law of crime concentration* says that a small share of places (street
segments, addresses, mahallas) holds a large and stable share of crime. This module gives
the usual summaries of a vector of crime counts, one count per place:

- :func:`lorenz`: the Lorenz curve with places sorted from most to least crime;
- :func:`gini`: the Gini coefficient, and the *generalized* Gini of Bernasco & Steenbeek
  (2017) for when there are fewer crimes than places;
- :func:`concentration_shares`: the share of places that holds 25% and 50% of crime;
- :func:`share_of_crime_in_top`: the share of crime held by the top 20% of places;
- :func:`location_quotient`: how over-represented a crime category is in each place.

Places with no crime count: they must be in ``counts`` (as zeros), because concentration
is measured against all places of the area, not only those with crime.

References
----------
Weisburd, D. (2015). The law of crime concentration and the criminology of place.
*Criminology* 53(2): 133-157.

Bernasco, W. and Steenbeek, W. (2017). More places than crimes: implications for evaluating
the law of crime concentration at place. *Journal of Quantitative Criminology* 33(3):
451-467. R package ``lorenzgini`` (Steenbeek & Bernasco).

Deltas, G. (2003). The small-sample bias of the Gini coefficient. *Review of Economics and
Statistics* 85(1): 226-234.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "concentration_shares",
    "gini",
    "location_quotient",
    "lorenz",
    "share_of_crime_in_top",
]

Method = Literal["whole", "interpolate"]
_METHODS = ("whole", "interpolate")
#: Relative slack when comparing cumulative counts with a target share (floating point).
_TOL = 1e-12


def _counts(counts: ArrayLike, func: str) -> NDArray[np.float64]:
    """Validated 1-D array of non-negative, finite counts with a positive total."""
    values = np.asarray(counts, dtype=float) if not isinstance(counts, str) else None
    if values is None or values.ndim != 1:
        shape = None if values is None else values.shape
        raise ValueError(
            f"The 'counts' argument of places.{func} must be a 1-D array of crime counts, "
            f"one per place. Got shape {shape} instead."
        )
    if values.size == 0:
        raise ValueError(f"The 'counts' argument of places.{func} is empty: give one per place.")
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        where = np.flatnonzero(bad)[:5].tolist()
        raise ValueError(
            f"The 'counts' argument of places.{func} must hold finite, non-negative counts. "
            f"Got {values[where].tolist()} at positions {where} instead."
        )
    if values.sum() <= 0:
        raise ValueError(
            f"The counts given to places.{func} sum to zero: with no crime, concentration "
            "is undefined."
        )
    return values


def _descending_cumulative(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Cumulative share of crime after 0, 1, ..., n places, most crime first."""
    ordered = np.sort(values)[::-1]
    return np.concatenate(([0.0], np.cumsum(ordered) / ordered.sum()))


def _method(method: str, func: str) -> None:
    if method not in _METHODS:
        raise ValueError(
            f"The 'method' argument of places.{func} must be one of {_METHODS}. "
            f"Got {method!r} instead."
        )


def _share(value: float, name: str, func: str, *, allow_zero: bool = False) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"The '{name}' argument of places.{func} must be a fraction. Got {value!r} instead."
        ) from None
    low_ok = value >= 0 if allow_zero else value > 0
    if not (np.isfinite(value) and low_ok and value <= 1):
        interval = "[0, 1]" if allow_zero else "(0, 1]"
        raise ValueError(
            f"The '{name}' argument of places.{func} must be a fraction in {interval}. "
            f"Got {value!r} instead."
        )
    return value


def lorenz(counts: ArrayLike) -> pd.DataFrame:
    """The Lorenz curve of crime across places, most crime first, for plotting.

    Parameters
    ----------
    counts : array_like of float
        Crimes per place (one value per place; places without crime as 0).

    Returns
    -------
    pandas.DataFrame
        ``n + 1`` rows from (0, 0) to (1, 1): ``places`` (number of places counted so far),
        ``share_of_places`` (``places / n``), ``share_of_crime`` (cumulative share of crime
        held by those places, places sorted from most to least crime) and ``equality``, the
        line of maximal equality at ``share_of_places``: ``min(1, p n / min(n, N))`` with
        ``N`` crimes. When ``N >= n`` it is the diagonal; when ``N < n`` it is the line of
        Bernasco & Steenbeek (2017) that reaches 1 at ``p = N / n`` (every crime at a
        different place).

    Notes
    -----
    Sorting from most to least crime puts the curve above the diagonal, as in Weisburd's
    and Bernasco & Steenbeek's figures (the economists' curve, poorest first, is its
    reflection). Twice the area between the curve and the diagonal is the Gini coefficient
    (see :func:`gini`).

    Examples
    --------
    Four crimes at five places: the line of maximal equality reaches 1 at 4/5 of places.

    >>> lorenz([2, 1, 1, 0, 0])
       places  share_of_places  share_of_crime  equality
    0       0              0.0            0.00      0.00
    1       1              0.2            0.50      0.25
    2       2              0.4            0.75      0.50
    3       3              0.6            1.00      0.75
    4       4              0.8            1.00      1.00
    5       5              1.0            1.00      1.00
    """
    values = _counts(counts, "lorenz")
    n, total = values.size, values.sum()
    places = np.arange(n + 1)
    share_of_places = places / n
    return pd.DataFrame(
        {
            "places": places,
            "share_of_places": share_of_places,
            "share_of_crime": _descending_cumulative(values),
            "equality": np.minimum(1.0, share_of_places * n / min(n, total)),
        }
    )


def gini(counts: ArrayLike, *, generalized: bool = False, unbiased: bool = False) -> float:
    """Gini coefficient of crime across places; generalized for fewer crimes than places.

    Parameters
    ----------
    counts : array_like of float
        Crimes per place (one value per place; places without crime as 0).
    generalized : bool, default False
        Bernasco & Steenbeek's (2017) generalized Gini ``G'``, which measures concentration
        against the *maximal attainable* equality. It equals ``G`` when there are at least as
        many crimes as places.
    unbiased : bool, default False
        Small-sample correction (Deltas 2003): multiply by ``n / (n - 1)``, or for the
        generalized Gini by ``m / (m - 1)`` with ``m = min(n, N)``, so that all crime at one
        place gives 1.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If the counts are not a non-empty 1-D array of finite, non-negative numbers with a
        positive total; or if ``unbiased`` is asked of a single place (or, generalized, a
        single crime), where ``n / (n - 1)`` is undefined.

    Notes
    -----
    With ``n`` places, ``N`` crimes and counts sorted in ascending order
    ``x_(1) <= ... <= x_(n)``,

    .. math:: G = \\frac{\\sum_{i=1}^n (2i - n - 1)\\, x_{(i)}}{n N},

    which is twice the area between the Lorenz curve (:func:`lorenz`) and the diagonal:
    ``G = 2B - 1`` with ``B`` the area under the curve. ``G`` cannot reach 1 with finitely
    many places (all crime at one place gives ``1 - 1/n``), hence ``unbiased``.

    When ``N < n`` even the most equal distribution (``N`` places with one crime each, the
    rest with none) has ``G = 1 - N/n``: its Lorenz curve rises from (0, 0) to ``(N/n, 1)``
    and stays at 1, enclosing an area ``B_max = 1 - N/(2n)``. Bernasco & Steenbeek compare
    the observed curve with that line of *maximal* equality instead of the diagonal:

    .. math:: G' = \\frac{B - B_{max}}{1 - B_{max}} = 1 - \\frac{n}{N}(1 - G)
              = \\max\\left(1, \\frac{n}{N}\\right)(G - 1) + 1,

    so ``G' = 0`` for maximal equality, ``G' = G`` when ``N >= n``, and all crime at one
    place gives ``1 - 1/N``; the unbiased version multiplies by ``m / (m - 1)``,
    ``m = min(n, N)``, which is the convention of the ``lorenzgini`` R package.

    Worked examples from the documentation of ``lorenzgini::gini`` (``unbiased = FALSE``):
    counts ``[10, 8, 2, 0 x 7]`` (``n = 10``, ``N = 20``) give
    ``G = (5 x 2 + 7 x 8 + 9 x 10) / (10 x 20) = 156/200 = 0.78``, and ``G' = G``;
    counts ``[5, 2, 1, 0 x 7]`` (``n = 10``, ``N = 8``) give
    ``G = (5 x 1 + 7 x 2 + 9 x 5) / 80 = 0.80`` and ``G' = (10/8)(0.80 - 1) + 1 = 0.75``.

    References
    ----------
    Bernasco & Steenbeek (2017), *J Quant Criminol* 33: 451-467; Deltas (2003).

    Examples
    --------
    >>> round(gini([10, 8, 2] + [0] * 7), 2)
    0.78
    >>> round(gini([5, 2, 1] + [0] * 7, generalized=True), 2)
    0.75
    >>> gini([10] + [0] * 9, unbiased=True)
    1.0
    """
    values = _counts(counts, "gini")
    n, total = values.size, values.sum()
    rank = np.arange(1, n + 1)
    g = float(np.sum((2 * rank - n - 1) * np.sort(values)) / (n * total))
    m: float = n
    if generalized and total < n:
        g = n / total * (g - 1.0) + 1.0
        m = total
    if unbiased:
        if m <= 1:
            what = "place" if m == n else "crime"
            raise ValueError(
                f"places.gini(unbiased=True) needs more than one {what}: the correction "
                f"m / (m - 1) is undefined for m = {m:g}."
            )
        g *= m / (m - 1.0)
    return float(g)


def share_of_crime_in_top(
    counts: ArrayLike, share_of_places: float = 0.2, *, method: Method = "whole"
) -> float:
    """Share of all crime held by the places with the most crime (a fraction).

    Parameters
    ----------
    counts : array_like of float
        Crimes per place (one value per place; places without crime as 0).
    share_of_places : float, default 0.2
        Fraction of places at the top, in [0, 1].
    method : {"whole", "interpolate"}, default "whole"
        ``"whole"``: the top ``k = ceil(p n)`` whole places (the smallest whole number of
        places that makes up at least the fraction ``p``; ``p n`` is rounded to 9 decimals
        first so that 0.2 x 55 counts as 11). ``"interpolate"``: the Lorenz curve
        (:func:`lorenz`) read at ``p`` by linear interpolation, i.e. a fractional place
        counts with its share of that place's crimes.

    Returns
    -------
    float
        Crimes at those places / all crimes.

    Notes
    -----
    ``"whole"`` is the definition of the synthetic demo's ``truth.json``
    (``police.top20pct_mahallas_share_of_crimes``: 12 of 56 mahallas).

    Examples
    --------
    >>> share_of_crime_in_top([6, 2, 1, 1, 0], 0.2)
    0.6
    >>> share_of_crime_in_top([6, 2, 1, 1, 0], 0.3, method="interpolate")
    0.7
    """
    values = _counts(counts, "share_of_crime_in_top")
    p = _share(share_of_places, "share_of_places", "share_of_crime_in_top", allow_zero=True)
    _method(method, "share_of_crime_in_top")
    curve = _descending_cumulative(values)
    n = values.size
    if method == "whole":
        return float(curve[int(np.ceil(round(p * n, 9)))])
    return float(np.interp(p, np.arange(n + 1) / n, curve))


def concentration_shares(
    counts: ArrayLike, shares: Sequence[float] = (0.25, 0.5), *, method: Method = "whole"
) -> pd.DataFrame:
    """Smallest share of places that holds a given share of crime (25%, 50%, ...).

    Places are taken from most to least crime until their crimes reach the share.

    Parameters
    ----------
    counts : array_like of float
        Crimes per place (one value per place; places without crime as 0).
    shares : sequence of float, default (0.25, 0.5)
        Shares of crime, fractions in (0, 1]. 1 gives the share of places with any crime.
    method : {"whole", "interpolate"}, default "whole"
        ``"whole"``: the smallest whole number of places ``k`` whose crimes reach at least
        the share (Weisburd 2015 counts whole street segments); the places may then hold
        more than the share (``share_held``). ``"interpolate"``: the point where the
        piecewise linear Lorenz curve (:func:`lorenz`) reaches the share, so ``places`` may
        be fractional and ``share_held`` equals the share.

    Returns
    -------
    pandas.DataFrame
        One row per share: ``share_of_crime`` (the target, a fraction), ``places`` (number
        of places), ``share_of_places`` (``places / n``), ``places_pct``
        (``100 places / n``, the figure usually quoted) and ``share_held`` (share of
        crime those places actually hold).

    Examples
    --------
    Counts 6, 2, 1, 1, 0 (10 crimes, 5 places): the top place holds 60% of crime, so one
    place (20%) holds at least 25% and at least 50%; the Lorenz curve reaches 25% at
    ``0.25 / 0.6`` of the first place (8.3% of places) and 50% at ``0.5 / 0.6`` of it.

    >>> concentration_shares([6, 2, 1, 1, 0])
       share_of_crime  places  share_of_places  places_pct  share_held
    0            0.25     1.0              0.2        20.0         0.6
    1            0.50     1.0              0.2        20.0         0.6
    >>> concentration_shares([6, 2, 1, 1, 0], method="interpolate").round(4)
       share_of_crime  places  share_of_places  places_pct  share_held
    0            0.25  0.4167           0.0833      8.3333        0.25
    1            0.50  0.8333           0.1667     16.6667        0.50
    """
    values = _counts(counts, "concentration_shares")
    _method(method, "concentration_shares")
    targets = [_share(s, "shares", "concentration_shares") for s in np.atleast_1d(shares)]
    if not targets:
        raise ValueError("The 'shares' argument of places.concentration_shares is empty.")
    curve = _descending_cumulative(values)
    n = values.size
    rows = []
    for s in targets:
        if method == "whole":
            k = float(np.argmax(curve >= s * (1.0 - _TOL)))
            held = float(curve[int(k)])
        else:
            # the first segment that reaches s is rising, so the inverse is well defined
            j = int(np.argmax(curve >= s * (1.0 - _TOL)))
            lo, hi = curve[j - 1], curve[j]
            k = j - 1 + min(1.0, (s - lo) / (hi - lo))
            held = s
        rows.append((s, k, k / n, 100.0 * k / n, held))
    return pd.DataFrame(
        rows, columns=["share_of_crime", "places", "share_of_places", "places_pct", "share_held"]
    )


def location_quotient(
    df: pd.DataFrame,
    place: str = "mahalla",
    category: str = "iccs",
    count: str = "crimes",
) -> pd.DataFrame:
    """Location quotient of each crime category in each place.

    Parameters
    ----------
    df : pandas.DataFrame
        Counts by place and category, in any number of rows (e.g. one per month): rows
        with the same place and category are summed.
    place, category, count : str
        Column names of the place, the crime category and the number of crimes.

    Returns
    -------
    pandas.DataFrame
        One row per place and category (all combinations, missing ones as 0 crimes):
        ``place``, ``category`` (under their own column names), ``count`` (``C_in``),
        ``share_in_place`` (``C_in / C_tn``), ``share_overall`` (``C_iN / C_tN``) and
        ``lq``. A place without crimes, or a category without crimes anywhere, has ``lq``
        NaN.

    Raises
    ------
    ValueError
        If a column is missing, a place or category is missing, or a count is negative,
        missing or not a number.

    Notes
    -----
    .. math:: LQ_{in} = \\frac{C_{in} / C_{tn}}{C_{iN} / C_{tN}}

    with ``C_in`` crimes of category ``i`` in place ``n``, ``C_tn`` all crimes in place
    ``n``, ``C_iN`` crimes of category ``i`` in the whole area and ``C_tN`` all crimes in
    the area. ``LQ > 1``: the category makes up a larger share of the place's crime than of
    the area's (Brantingham & Brantingham 1995, "Location quotients and crime hot spots in
    the city"). An LQ compares crime mixes, not rates: a place with little crime can have a
    high LQ.

    Examples
    --------
    >>> df = pd.DataFrame({"mahalla": [1, 1, 2, 2], "iccs": ["a", "b", "a", "b"],
    ...                    "crimes": [8, 2, 2, 8]})
    >>> location_quotient(df)
       mahalla iccs  crimes  share_in_place  share_overall   lq
    0        1    a       8             0.8            0.5  1.6
    1        1    b       2             0.2            0.5  0.4
    2        2    a       2             0.2            0.5  0.4
    3        2    b       8             0.8            0.5  1.6
    """
    for role, column in (("place", place), ("category", category), ("count", count)):
        if column not in df.columns:
            raise ValueError(
                f"The '{role}' column {column!r} of places.location_quotient is not in the "
                f"data (columns: {', '.join(map(str, df.columns))})."
            )
    if place == category:
        raise ValueError(f"'place' and 'category' must be different columns; both are {place!r}")
    for column in (place, category):
        if df[column].isna().any():
            row = df.index[df[column].isna()][0]
            raise ValueError(f"column {column!r} has a missing value (row {row!r})")
    values = pd.to_numeric(df[count], errors="coerce")
    bad = values.isna() | (values < 0) | ~np.isfinite(values)
    if bad.any():
        row = df.index[bad][0]
        raise ValueError(
            f"column {count!r} must hold non-negative numbers of crimes; "
            f"row {row!r} has {df.loc[row, count]!r}"
        )
    table = (
        pd.DataFrame({place: df[place], category: df[category], count: values})
        .pivot_table(index=place, columns=category, values=count, aggfunc="sum", fill_value=0)
        .sort_index()
        .sort_index(axis=1)
    )
    c = table.to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        in_place = c / c.sum(axis=1, keepdims=True)
    overall = c.sum(axis=0) / c.sum()
    out = pd.DataFrame(
        {
            place: np.repeat(table.index.to_numpy(), c.shape[1]),
            category: np.tile(table.columns.to_numpy(), c.shape[0]),
            count: c.ravel(),
            "share_in_place": in_place.ravel(),
            "share_overall": np.tile(overall, c.shape[0]),
        }
    )
    if np.all(np.equal(np.mod(out[count], 1), 0)):
        out[count] = out[count].astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["lq"] = out["share_in_place"] / out["share_overall"]
    return out
