"""SDG indicators from household surveys and administrative data, and attitude scales.

Each survey indicator is a design-based percentage (Taylor linearization from a
:class:`~sga_methods.design.SurveyDesign`) with the tidy columns of the survey core
(``variable``, domain columns, ``estimate, se, ci_low, ci_high, n, cv``) plus ``unit``
(the rate base) and ``population`` (of whom). Definitions follow the UN SDG metadata
repository (unstats.un.org/sdgs/metadata) as summarised in the project's METHODS.md:

==========  ===================================================================  ==========
Indicator   Numerator / denominator                                              Base
==========  ===================================================================  ==========
16.1.3      victims of physical, psychological or sexual violence, 12 months     persons
16.1.4      feel very or fairly safe walking alone in the area after dark        persons
16.3.1      victims of violence who reported to competent authorities            victims
16.5.1      paid or were asked for a bribe by a public official                  contacts
11.7.2      victims of non-sexual or sexual harassment                           persons
16.6.2      satisfied with the last experience of a public service               users
16.7.2      mean of % answering 3-5 on "have a say" and "have an influence"      persons
3.5.1       people in treatment / people with drug use disorders (admin.)        disorders
==========  ===================================================================  ==========

Scales (:func:`scale_score`, :func:`cronbach_alpha`, :func:`item_analysis`, from
:mod:`sga_methods.scales`) summarise multi-item attitude batteries (cohesion, trust,
exclusion) for the preventing-violent-extremism and governance modules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._rates import column_names, mean_of_percents, numeric_column, percent
from .design import SurveyDesign
from .scales import cronbach_alpha, item_analysis, scale_score
from .victimization import CRIME_TYPES, count_column, reported_column

__all__ = [
    "LEVEL_LABELS",
    "STANDARD_GROUPS",
    "VIOLENT_CRIMES",
    "any_of",
    "any_of_percent",
    "cronbach_alpha",
    "disaggregate",
    "drug_use_prevalence",
    "item_analysis",
    "percent",
    "safety_after_dark",
    "scale_score",
    "sdg_3_5_1",
    "sdg_11_7_2",
    "sdg_16_1_3",
    "sdg_16_1_4",
    "sdg_16_3_1",
    "sdg_16_5_1",
    "sdg_16_6_2",
    "sdg_16_7_2",
]

_By = str | Sequence[str] | None
_Columns = str | Sequence[str]

#: Crime types counted as violence for SDG 16.1.3 and 16.3.1 (physical, psychological or
#: sexual violence: assault and threats, robbery, sexual offences).
VIOLENT_CRIMES: tuple[str, ...] = tuple(k for k, c in CRIME_TYPES.items() if c.violent)


def any_of(data: pd.DataFrame, columns: _Columns, *, threshold: float = 1) -> pd.Series:
    """1 if any column is at least ``threshold``, 0 if all known ones are below, NaN if none known.

    Parameters
    ----------
    data : DataFrame
    columns : str or list of str
        0/1 indicators or counts (a count of 1 or more counts as "yes").
    threshold : float, default 1

    Returns
    -------
    Series of float (1.0, 0.0 or NaN), aligned on ``data``.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [0, 1, None, None], "b": [0, None, 2, None]})
    >>> any_of(df, ["a", "b"]).tolist()
    [0.0, 1.0, 1.0, nan]
    """
    frame = pd.concat(
        {c: numeric_column(data, c) for c in column_names(columns, "indicator")}, axis=1
    )
    hit = (frame >= threshold).any(axis=1)
    return hit.astype(float).where(frame.notna().any(axis=1))


#: The disaggregations the SDG metadata asks for, with reader-facing titles.
STANDARD_GROUPS: dict[str, str] = {
    "sex": "Sex",
    "age_group": "Age group",
    "disability": "Disability",
}

#: Reader-facing labels of coded group levels.
LEVEL_LABELS: dict[str, dict[Any, str]] = {
    "disability": {0: "without disability", 1: "with disability"},
}


def disaggregate(
    estimator: Callable[..., pd.DataFrame],
    design: SurveyDesign,
    *args: Any,
    groups: Mapping[str, str] | None = None,
    total: bool = True,
    **kwargs: Any,
) -> pd.DataFrame:
    """Run an estimator overall and by each grouping column, stacked for one table.

    Parameters
    ----------
    estimator : callable
        Any rate function taking ``(design, *args, by=..., **kwargs)``, e.g.
        :func:`sdg_16_1_4` or :func:`sga_methods.victimization.prevalence`.
    design : SurveyDesign
    *args, **kwargs
        Passed to ``estimator``.
    groups : mapping of column to title, optional
        Grouping columns; default :data:`STANDARD_GROUPS` (sex, age group, disability),
        keeping those present in the data.
    total : bool, default True
        Start with the overall estimate (group "All", level "all").

    Returns
    -------
    DataFrame
        The estimator's columns (without the grouping columns) plus ``group`` (the title)
        and ``level`` (the group value as text, coded values labelled by
        :data:`LEVEL_LABELS`), one block per group.

    Examples
    --------
    >>> df = pd.DataFrame({"x": [0, 1, 1, 0], "sex": ["f", "f", "m", "m"]})
    >>> t = disaggregate(any_of_percent, SurveyDesign(df), "x", groups={"sex": "Sex"})
    >>> t[["group", "level", "estimate"]]
      group level  estimate
    0   All   all      50.0
    1   Sex     f      50.0
    2   Sex     m      50.0
    """
    chosen = dict(STANDARD_GROUPS) if groups is None else dict(groups)
    if groups is None:
        chosen = {c: t for c, t in chosen.items() if c in design.data.columns}
    frames = []
    if total:
        frames.append(estimator(design, *args, **kwargs).assign(group="All", level="all"))
    for column, title in chosen.items():
        t = estimator(design, *args, by=column, **kwargs)
        labels = LEVEL_LABELS.get(column, {})
        t["group"] = title
        t["level"] = [labels.get(v, str(v)) for v in t[column]]
        frames.append(t.drop(columns=column))
    return pd.concat(frames, ignore_index=True)


def any_of_percent(
    design: SurveyDesign,
    columns: _Columns,
    *,
    among: pd.Series | None = None,
    by: _By = None,
    ci_level: float = 0.95,
    ci_method: str = "logit",
    name: str | None = None,
) -> pd.DataFrame:
    """Percentage with any of ``columns`` >= 1, optionally among a base (a domain).

    Parameters
    ----------
    design : SurveyDesign
    columns : str or list of str
        0/1 indicators or counts; see :func:`any_of`.
    among : boolean Series, optional
        The base population (e.g. victims, users of a service), as a domain of the full
        design; default everyone with a known answer.
    by, ci_level, ci_method
        As in :meth:`SurveyDesign.proportion`.
    name : str, optional
        Value of ``variable`` (default: the column name, or the names joined by " | ").

    Returns
    -------
    DataFrame
        Tidy estimates in per cent, ``unit`` "per 100".
    """
    cols = column_names(columns, "indicator")
    x = any_of(design.data, cols)
    d = design if among is None else design.subset(among.fillna(False).to_numpy(dtype=bool))
    table = percent(d, {"x": x}, by=by, ci_level=ci_level, ci_method=ci_method)
    return _tag(table, name or " | ".join(cols), "per 100", "persons")


def _tag(table: pd.DataFrame, name: str, unit: str, population: str) -> pd.DataFrame:
    table["variable"] = name
    table["unit"] = unit
    table["population"] = population
    return table


def sdg_16_1_3(
    design: SurveyDesign,
    counts: _Columns | None = None,
    *,
    months: int = 12,
    by: _By = None,
    ci_level: float = 0.95,
    ci_method: str = "logit",
) -> pd.DataFrame:
    """SDG 16.1.3: percentage of the population subjected to violence in the reference period.

    Parameters
    ----------
    design : SurveyDesign
        Person-weighted design.
    counts : str or list of str, optional
        Incident counts of the violent crime types; defaults to the standard count columns
        of :data:`VIOLENT_CRIMES` for ``months`` (e.g. ``n12_assault_threat``).
    months : int, default 12
        Recall period of the default count columns.
    by, ci_level, ci_method
        As in :meth:`SurveyDesign.proportion`.

    Returns
    -------
    DataFrame
        One row per domain, ``variable`` "sdg_16_1_3", ``unit`` "per 100".

    Notes
    -----
    Numerator: respondents victim of at least one incident of physical, psychological or
    sexual violence (assault or threat, robbery, sexual offence); denominator: all
    respondents with a known answer (UN SDG metadata 16.1.3, survey component).
    """
    cols = counts if counts is not None else [count_column(c, months) for c in VIOLENT_CRIMES]
    x = any_of(design.data, cols)
    table = percent(design, {"x": x}, by=by, ci_level=ci_level, ci_method=ci_method)
    return _tag(table, "sdg_16_1_3", "per 100", "persons")


def safety_after_dark(
    data: pd.DataFrame,
    column: str = "feel_safe_dark",
    *,
    never: float | None = 5,
    would: str | None = "feel_safe_dark_would",
) -> pd.Series:
    """The feeling-of-safety answer with the "never go out alone" follow-up folded in.

    Respondents who answer ``never`` get their answer to the follow-up question ``would``
    ("how safe would you feel"); without a follow-up column they keep the code ``never``.

    Examples
    --------
    >>> df = pd.DataFrame({"f": [1, 4, 5, 5], "w": [None, None, 3, None]})
    >>> safety_after_dark(df, "f", would="w").tolist()
    [1.0, 4.0, 3.0, nan]
    """
    feel = numeric_column(data, column)
    if never is None or would is None:
        return feel
    follow = numeric_column(data, would)
    return feel.where(feel != never, follow)


def sdg_16_1_4(
    design: SurveyDesign,
    column: str = "feel_safe_dark",
    *,
    safe: Sequence[float] = (3, 4),
    never: float | None = 5,
    would: str | None = "feel_safe_dark_would",
    by: _By = None,
    ci_level: float = 0.95,
    ci_method: str = "logit",
) -> pd.DataFrame:
    """SDG 16.1.4: percentage who feel safe walking alone around their area after dark.

    Parameters
    ----------
    design : SurveyDesign
        Person-weighted design.
    column : str, default "feel_safe_dark"
        The answer (here 1 very unsafe ... 4 very safe, 5 never goes out alone after dark).
    safe : sequence of codes, default (3, 4)
        Codes counted as safe ("fairly safe" and "very safe").
    never : code or None, default 5
        Code of "never goes out alone after dark".
    would : str or None, default "feel_safe_dark_would"
        Follow-up "how safe would you feel"; its answer replaces ``never`` (UN metadata).
        With ``None`` those who never go out count as not feeling safe.
    by, ci_level, ci_method
        As in :meth:`SurveyDesign.proportion`.

    Returns
    -------
    DataFrame
        One row per domain, ``variable`` "sdg_16_1_4", ``unit`` "per 100".

    Notes
    -----
    Equals the sum of the proportions of the ``safe`` categories of
    :func:`safety_after_dark` (an identity the tests check). Respondents who never go out
    and did not answer the follow-up are left out of the denominator.
    """
    answer = safety_after_dark(design.data, column, never=never, would=would)
    x = answer.isin(list(safe)).astype(float).where(answer.notna())
    table = percent(design, {"x": x}, by=by, ci_level=ci_level, ci_method=ci_method)
    return _tag(table, "sdg_16_1_4", "per 100", "persons")


def sdg_16_3_1(
    design: SurveyDesign,
    counts: _Columns | None = None,
    reported: _Columns | None = None,
    *,
    months: int = 12,
    by: _By = None,
    ci_level: float = 0.95,
    ci_method: str = "logit",
) -> pd.DataFrame:
    """SDG 16.3.1: percentage of victims of violence who reported it to the authorities.

    Parameters
    ----------
    design : SurveyDesign
        Person-weighted design.
    counts, reported : list of str, optional
        Incident counts of the violent crime types and, in the same order, whether the
        (most recent) incident was reported (0/1). Default: :data:`VIOLENT_CRIMES`'
        standard columns (``n12_robbery`` ... and ``rep_robbery`` ...).
    months : int, default 12
    by, ci_level, ci_method
        As in :meth:`SurveyDesign.proportion`.

    Returns
    -------
    DataFrame
        One row per domain, ``variable`` "sdg_16_3_1", ``unit`` "per 100 victims";
        ``n`` counts victims with a known answer.

    Notes
    -----
    Base: respondents victim of at least one violent crime type. Numerator: those who
    reported the incident of at least one of the types they were victim of. A victim with
    no known reporting answer for any of them is left out. Estimated as a domain mean
    with the full design (R: ``svyciprop(~reported, subset(design, victim))``).
    """
    default = VIOLENT_CRIMES
    cols = column_names(counts, "count") if counts else [count_column(c, months) for c in default]
    reps = column_names(reported, "reported") if reported else [reported_column(c) for c in default]
    if len(reps) != len(cols):
        raise ValueError(
            f"give one 'reported' column per count column: {len(cols)} counts, {len(reps)} reported"
        )
    data = design.data
    victim = np.zeros(len(data), dtype=bool)
    told = np.zeros(len(data), dtype=bool)
    known = np.zeros(len(data), dtype=bool)
    for c, r in zip(cols, reps, strict=True):
        v = (numeric_column(data, c) >= 1).to_numpy()
        flag = numeric_column(data, r)
        bad = v & flag.notna().to_numpy() & ~flag.isin([0, 1]).to_numpy()
        if bad.any():
            raise ValueError(
                f"column {r!r} must be 0 or 1 for victims; rows {list(data.index[bad][:5])} are not"
            )
        victim |= v
        told |= v & (flag == 1).to_numpy()
        known |= v & flag.notna().to_numpy()
    x = pd.Series(np.where(known, told.astype(float), np.nan), index=data.index)
    table = percent(design.subset(victim), {"x": x}, by=by, ci_level=ci_level, ci_method=ci_method)
    return _tag(table, "sdg_16_3_1", "per 100 victims", "persons")


def sdg_16_5_1(
    design: SurveyDesign,
    contact: _Columns,
    bribe: _Columns,
    *,
    by: _By = None,
    ci_level: float = 0.95,
    ci_method: str = "logit",
) -> pd.DataFrame:
    """SDG 16.5.1: percentage who paid or were asked for a bribe, among those with contact.

    Parameters
    ----------
    design : SurveyDesign
        Person-weighted design.
    contact : str or list of str
        0/1 contact with a public official in the reference period; with a list, contact
        with any of them (the headline indicator) or one official (by type of official).
    bribe : str or list of str
        0/1 bribe paid or asked for; with a list, any of them (e.g. asked or paid, over
        all types of official).
    by, ci_level, ci_method
        As in :meth:`SurveyDesign.proportion`.

    Returns
    -------
    DataFrame
        One row per domain, ``variable`` "sdg_16_5_1", ``unit`` "per 100 persons with
        contact"; ``n`` counts respondents with contact.

    Notes
    -----
    The mean of the bribe indicator in the domain of persons with at least one contact,
    with the full design for the variance (R: ``svyciprop(~bribe, subset(design,
    contact == 1))``). Bribes without a recorded contact are counted as contact.
    """
    data = design.data
    paid = any_of(data, bribe).fillna(0)
    with_contact = (any_of(data, contact).fillna(0) == 1) | (paid == 1)
    table = percent(
        design.subset(with_contact.to_numpy()),
        {"x": paid},
        by=by,
        ci_level=ci_level,
        ci_method=ci_method,
    )
    return _tag(table, "sdg_16_5_1", "per 100 persons with contact", "persons")


def sdg_11_7_2(
    design: SurveyDesign,
    harassment: _Columns = ("harass_nonsexual_12m", "harass_sexual_12m"),
    *,
    by: _By = None,
    ci_level: float = 0.95,
    ci_method: str = "logit",
) -> pd.DataFrame:
    """SDG 11.7.2: percentage victim of non-sexual or sexual harassment in the reference period.

    Parameters
    ----------
    design : SurveyDesign
        Person-weighted design.
    harassment : str or list of str
        0/1 indicators of harassment (any of them counts).
    by, ci_level, ci_method
        As in :meth:`SurveyDesign.proportion`; the metadata asks for sex, age, disability
        and place of occurrence (for places use :func:`percent` on each place column).

    Returns
    -------
    DataFrame
        One row per domain, ``variable`` "sdg_11_7_2", ``unit`` "per 100".
    """
    x = any_of(design.data, harassment)
    table = percent(design, {"x": x}, by=by, ci_level=ci_level, ci_method=ci_method)
    return _tag(table, "sdg_11_7_2", "per 100", "persons")


def _at_least(data: pd.DataFrame, column: str, codes: Sequence[float]) -> pd.Series:
    values = numeric_column(data, column)
    return values.isin(list(codes)).astype(float).where(values.notna())


def sdg_16_6_2(
    design: SurveyDesign,
    services: Mapping[str, tuple[str, str]],
    *,
    satisfied: Sequence[float] = (3, 4),
    components: bool = True,
    by: _By = None,
    ci_level: float = 0.95,
    ci_method: str = "logit",
) -> pd.DataFrame:
    """SDG 16.6.2: percentage satisfied with their last experience of public services.

    Parameters
    ----------
    design : SurveyDesign
        Person-weighted design.
    services : mapping of name to (used, satisfaction)
        For each service (health, education, government services), the 0/1 column
        "used in the reference period" and the satisfaction column.
    satisfied : sequence of codes, default (3, 4)
        Codes counted as satisfied ("satisfied" and "very satisfied").
    components : bool, default True
        Also return one row per service (``variable`` = the service name).
    by, ci_level, ci_method
        As in :meth:`SurveyDesign.proportion` (``ci_method`` applies to the services;
        the overall average has a t interval).

    Returns
    -------
    DataFrame
        Rows per service (if ``components``) and ``variable`` "sdg_16_6_2": the unweighted
        average of the services' percentages (UN metadata), with a linearized SE.

    Notes
    -----
    Each service's base is its users with a known satisfaction answer (a domain, so its
    SE is that of ``svyciprop`` on ``subset(design, used == 1)``). The average's SE
    accounts for the covariance between services (see
    :func:`sga_methods._rates.mean_of_percents`).
    """
    if not services:
        raise ValueError("give at least one service: {name: (used column, satisfaction column)}")
    data = design.data
    parts = {}
    frames = []
    for name, (used, sat) in services.items():
        base = numeric_column(data, used) == 1
        x = _at_least(data, sat, satisfied).where(base)
        parts[name] = (x, base)
        if components:
            t = percent(
                design.subset(base.to_numpy()),
                {name: x},
                by=by,
                ci_level=ci_level,
                ci_method=ci_method,
            )
            frames.append(t)
    overall = mean_of_percents(design, parts, by=by, ci_level=ci_level, name="sdg_16_6_2")
    table = pd.concat([*frames, overall], ignore_index=True)
    table["unit"] = "per 100 users"
    table["population"] = "persons"
    return table


def sdg_16_7_2(
    design: SurveyDesign,
    say: str = "have_say",
    influence: str = "have_influence",
    *,
    agree: Sequence[float] = (3, 4, 5),
    components: bool = True,
    by: _By = None,
    ci_level: float = 0.95,
    ci_method: str = "logit",
) -> pd.DataFrame:
    """SDG 16.7.2: inclusive and responsive decision-making (external political efficacy).

    Parameters
    ----------
    design : SurveyDesign
        Person-weighted design.
    say, influence : str
        The two items ("people like me have a say in what the government does"; "... can
        influence politics"), on 1-5 scales.
    agree : sequence of codes, default (3, 4, 5)
        Codes counted (UN metadata: "some", "a lot", "a great deal").
    components : bool, default True
        Also return the two items' percentages (``variable`` = the column names).
    by, ci_level, ci_method
        As in :meth:`SurveyDesign.proportion`.

    Returns
    -------
    DataFrame
        Rows per item (if ``components``) and ``variable`` "sdg_16_7_2": the average of the
        two percentages, each over respondents who answered it, with a linearized SE.
    """
    data = design.data
    parts = {}
    frames = []
    for col in (say, influence):
        x = _at_least(data, col, agree)
        parts[col] = (x, x.notna())
        if components:
            frames.append(percent(design, {col: x}, by=by, ci_level=ci_level, ci_method=ci_method))
    overall = mean_of_percents(design, parts, by=by, ci_level=ci_level, name="sdg_16_7_2")
    table = pd.concat([*frames, overall], ignore_index=True)
    table["unit"] = "per 100"
    table["population"] = "persons"
    return table


def drug_use_prevalence(
    design: SurveyDesign,
    columns: _Columns = ("drug_use_year",),
    *,
    age: str = "age",
    ages: tuple[float, float] = (15, 64),
    by: _By = None,
    ci_level: float = 0.95,
    ci_method: str = "logit",
) -> pd.DataFrame:
    """Percentage of the population aged ``ages`` who used drugs at least once in the period.

    Parameters
    ----------
    design : SurveyDesign
    columns : str or list of str
        0/1 use indicators (ever, past year, past month), one row block each.
    age : str, default "age"
    ages : (low, high), default (15, 64)
        Inclusive age range of the base (UNODC World Drug Report: 15-64).
    by, ci_level, ci_method
        As in :meth:`SurveyDesign.proportion`.

    Returns
    -------
    DataFrame
        One row per column and domain, ``unit`` "per 100", ``population`` "persons
        aged 15-64" (a domain of the full design).
    """
    data = design.data
    years = numeric_column(data, age)
    in_range = years.between(*ages).to_numpy()
    indicators = {c: _at_least(data, c, [1]) for c in column_names(columns, "drug use")}
    table = percent(
        design.subset(in_range), indicators, by=by, ci_level=ci_level, ci_method=ci_method
    )
    table["unit"] = "per 100"
    table["population"] = f"persons aged {ages[0]:g}-{ages[1]:g}"
    return table


def sdg_3_5_1(
    treated: str | float | Sequence[float] | pd.Series,
    with_disorder: str | float | Sequence[float] | pd.Series,
    *,
    data: pd.DataFrame | None = None,
    by: _By = None,
) -> pd.DataFrame:
    """SDG 3.5.1: coverage of treatment for drug use disorders (administrative ratio).

    Parameters
    ----------
    treated, with_disorder
        Numbers of people in treatment and of people with drug use disorders: numbers or
        aligned sequences, or column names of ``data``.
    data : DataFrame, optional
        Administrative table (e.g. by year and sex).
    by : str or list of str, optional
        Columns of ``data`` to sum within (e.g. ``"year"``); without ``by`` each row of
        ``data`` is one ratio.

    Returns
    -------
    DataFrame
        ``by`` columns, ``treated``, ``with_disorder``, ``estimate`` (per 100), ``se``,
        ``ci_low``, ``ci_high`` (NaN: an administrative ratio has no sampling error), ``n``
        (= people with disorders, so that :func:`sga_methods.disclosure.apply` suppresses
        ratios over small counts) and ``unit``.

    Notes
    -----
    Coverage = people in treatment / people with drug use disorders × 100 (UN SDG
    metadata 3.5.1). The denominator is usually itself an estimate; its uncertainty is
    not propagated here.

    Examples
    --------
    >>> sdg_3_5_1(treated=30, with_disorder=200)[["estimate", "n"]]
       estimate    n
    0      15.0  200
    """
    if data is not None:
        for role, col in (("treated", treated), ("with_disorder", with_disorder)):
            if not isinstance(col, str) or col not in data.columns:
                raise ValueError(f"{role}={col!r} is not a column of the treatment data")
        assert isinstance(treated, str) and isinstance(with_disorder, str)
        frame = pd.DataFrame(
            {
                "treated": numeric_column(data, treated),
                "with_disorder": numeric_column(data, with_disorder),
            }
        )
        if by is not None:
            cols = [by] if isinstance(by, str) else list(by)
            frame = pd.concat([data[cols], frame], axis=1).groupby(cols, as_index=False).sum()
    else:
        frame = pd.DataFrame(
            {
                "treated": np.atleast_1d(np.asarray(treated, dtype=float)),
                "with_disorder": np.atleast_1d(np.asarray(with_disorder, dtype=float)),
            }
        )
    bad = (frame["treated"] < 0) | (frame["with_disorder"] <= 0) | frame.isna().any(axis=1)
    if bad.any():
        row = frame[bad].iloc[0]
        raise ValueError(
            "people in treatment must be >= 0 and people with disorders > 0; got "
            f"treated={row['treated']}, with_disorder={row['with_disorder']}"
        )
    frame["estimate"] = 100 * frame["treated"] / frame["with_disorder"]
    frame["se"] = frame["ci_low"] = frame["ci_high"] = np.nan
    frame["n"] = frame["with_disorder"].round().astype(int)
    frame["variable"] = "sdg_3_5_1"
    frame["unit"] = "per 100 people with drug use disorders"
    return frame
