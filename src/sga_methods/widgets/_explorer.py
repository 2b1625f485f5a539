"""The ipywidgets explorers: dropdowns that redraw an estimate table and a plot."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import ipywidgets
import matplotlib.pyplot as plt
import pandas as pd

from .. import report
from .. import victimization as vic
from ..params import DistrictParams
from ._compute import (
    _CAPPED,
    _CI_TEXT,
    _NONE,
    _PERCENTS,
    CAP_CHOICES,
    CI_METHODS,
    DOMAINS,
    INDICATORS,
    MEASURES,
    DesignCache,
    _check,
    _crimes_in,
    explore_indicator,
    explore_victimization,
    recall_periods,
)

__all__ = ["Explorer", "indicator_explorer", "victimization_explorer"]


class _View(NamedTuple):
    caption: str
    unit: str
    title: str
    xlabel: str


def _weighting_text(params: DistrictParams, weighting: str) -> str:
    method = params.weighting.method
    if method == "none":
        return "design weights"
    if weighting == "design":
        return "design weights only (no adjustment to population targets)"
    adjusted = {"rake": "raked", "calibrate": "calibrated"}[method]
    return f"weights {adjusted} to population targets"


def _cap_text(cap: int | str | None) -> str:
    return "no cap" if cap is None else "p98" if cap == "p98" else f"{cap} incidents"


def _describe(params: DistrictParams, table: pd.DataFrame, by: str | None) -> _View:
    """Caption, unit, plot title and axis label for an ``explore_*`` table."""
    row = table.iloc[0]
    if "crime" in table.columns:
        crime = vic.CRIME_TYPES[row["crime"]]
        whom = "households" if crime.unit == "household" else "residents 15+"
        unit = {
            "prevalence": f"% of {whom}",
            "incidence": f"per 1,000 {whom}",
            "concentration": "incidents per victim",
            "reporting_rate": "% of victims",
        }[row["measure"]]
        name = MEASURES[row["measure"]].split(" (")[0]
        what = f"{name} of {crime.label.lower()}"
        period = f"past {_describe_months(int(row['months']))}"
    else:
        short, unit, period = INDICATORS[row["indicator"]]
        what = name = f"SDG {row['indicator']}: {short}"
    domain = f", by {DOMAINS.get(by, by).lower()}" if by else ""
    caption = (
        f"{what} ({unit}), {period}{domain}, {params.district.name}, {params.district.city}; "
        f"{_weighting_text(params, row['weighting'])}"
    )
    if "cap_rule" in table.columns:
        caption += f"; series cap: {_cap_text(row['cap_rule'])}"
    xlabel = f"{name.split(':')[0]} ({unit}) with {params.options.ci_level:.0%} confidence interval"
    return _View(caption, unit, f"{what} ({unit}), {period}", xlabel)


def _display(data: Mapping[str, str]) -> dict[str, Any]:
    return {"output_type": "display_data", "data": dict(data), "metadata": {}}


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")  # as the inline backend
    plt.close(fig)  # never left for the inline backend to show again
    return base64.b64encode(buffer.getvalue()).decode("ascii")


class Explorer(ipywidgets.VBox):
    """Dropdowns over an output area that shows an estimate table and a plot.

    Build explorers with :func:`victimization_explorer` or :func:`indicator_explorer`.
    ``children`` is ``(grid of the dropdowns, output)``; the output's ``outputs`` hold the
    table (HTML, disclosure control applied) and the plot (PNG), rebuilt whenever a
    dropdown's value changes. A choice that cannot be computed shows its error message.

    Attributes
    ----------
    controls : dict of str to ipywidgets.Dropdown
        The dropdowns by name (the keyword arguments of the ``explore_*`` function).
    output : ipywidgets.Output
    designs : DesignCache
    result : DataFrame or None
        The table last computed (None after an error).
    error : str or None
        The last error message (None after a success).
    """

    def __init__(
        self,
        params: DistrictParams,
        controls: Mapping[str, ipywidgets.Dropdown],
        compute: Callable[..., pd.DataFrame],
        designs: DesignCache,
        sync: Callable[[dict[str, ipywidgets.Dropdown]], None] | None = None,
    ) -> None:
        self.controls, self.designs = dict(controls), designs
        self.output = ipywidgets.Output(layout=ipywidgets.Layout(min_height="200px"))
        self.result: pd.DataFrame | None = None
        self.error: str | None = None
        self._params, self._compute, self._sync, self._busy = params, compute, sync, False
        columns = ipywidgets.Layout(grid_template_columns="repeat(2, minmax(280px, 1fr))")
        grid = ipywidgets.GridBox(list(self.controls.values()), layout=columns)
        super().__init__(children=(grid, self.output))
        for widget in self.controls.values():
            widget.observe(self._changed, names="value")
        self._changed()

    def choices(self) -> dict[str, Any]:
        """The value of every enabled dropdown, by name ("none" read as None)."""
        return {
            k: None if w.value == _NONE else w.value
            for k, w in self.controls.items()
            if not w.disabled
        }

    def _changed(self, change: Any = None) -> None:
        if self._busy:  # a value set by ``sync`` itself
            return
        self._busy = True
        try:
            if self._sync is not None:
                self._sync(self.controls)
        finally:
            self._busy = False
        self.refresh()

    def refresh(self) -> None:
        """Recompute the table for the current choices and redraw the output area."""
        choices, o = self.choices(), self._params.options
        try:
            table = self._compute(
                self._params, self.designs.survey, designs=self.designs, **choices
            )
            view = _describe(self._params, table, choices.get("by"))
            labels = (
                {"label": "Estimate"}
                if choices.get("by") is None
                else {"group": "Group", "level": "Level"}
            )
            block = report.estimate_table(
                table,
                labels=labels,
                caption=view.caption,
                unit=view.unit,
                options=o,
                decimals=2 if view.unit == "incidents per victim" else 1,
            )
            fig = report.plot_estimates(
                table, label="label", title=view.title, xlabel=view.xlabel, options=o
            )
        except Exception as err:  # shown to the user, not lost in the kernel's log
            self.result, self.error = None, f"Cannot show this choice: {err}"
            text = html.escape(self.error)
            note = {"text/html": f'<div class="sga-note">{text}</div>', "text/plain": self.error}
            self.output.outputs = (_display(note),)
            return
        self.result, self.error = table, None
        self.output.outputs = (
            _display({"text/html": block.html, "text/plain": view.caption}),
            _display({"image/png": _png(fig), "text/plain": f"<Figure: {view.title}>"}),
        )


def _dropdown(description: str, options: Any, value: Any) -> ipywidgets.Dropdown:
    return ipywidgets.Dropdown(
        options=options,
        value=_NONE if value is None else value,
        description=description,
        style={"description_width": "130px"},
        layout=ipywidgets.Layout(width="auto"),
    )


def _common(params: DistrictParams, survey: pd.DataFrame, by: str | None) -> dict[str, Any]:
    """The domain, interval and weighting dropdowns of both explorers."""
    domains = [(t, c) for c, t in DOMAINS.items() if c in survey.columns]
    weightings = [(f"District: {_weighting_text(params, 'district')}", "district")]
    if params.weighting.method != "none":
        weightings.append(("Design weights only (no raking or calibration)", "design"))
    return {
        "by": _dropdown("By", [("None (overall only)", _NONE), *domains], by),
        "ci_method": _dropdown(
            "Interval (%)", [(_CI_TEXT[m], m) for m in CI_METHODS], params.options.ci_method
        ),
        "weighting": _dropdown("Weighting", weightings, "district"),
    }


def victimization_explorer(
    params: DistrictParams,
    survey: pd.DataFrame,
    *,
    crime: str | None = None,
    measure: str = "prevalence",
    by: str | None = None,
) -> Explorer:
    """An explorer of victimization rates (see :func:`explore_victimization`).

    Parameters
    ----------
    params : DistrictParams
    survey : DataFrame
        The survey with the standard count columns.
    crime, measure, by : optional
        Initial choices (default: the first crime type in the survey, prevalence, no
        domain). Recall period, interval method and cap start at the district's options.

    Returns
    -------
    Explorer
        Dropdowns ``crime``, ``measure``, ``by``, ``months``, ``ci_method``,
        ``weighting`` and ``cap``. The interval method is disabled for incidence and
        concentration, the cap for prevalence and reporting rate, and the recall period
        for the reporting rate (12 months).

    Examples
    --------
    >>> display(widgets.victimization_explorer(p, survey))  # doctest: +SKIP
    """
    crimes, periods = _crimes_in(survey), recall_periods(survey)
    if not periods:
        raise ValueError("survey: no recall period has a count column for every crime type")
    crime = crimes[0] if crime is None else crime
    _check("crime", crime, crimes)
    _check("measure", measure, tuple(MEASURES))
    o, months = params.options, params.reference_period.victimization_months
    caps = [*CAP_CHOICES, *([o.series_cap] if o.series_cap not in CAP_CHOICES else [])]
    cap_names: dict[Any, str] = {None: "No cap", "p98": "Weighted 98th percentile (p98)"}
    common = _common(params, survey, by)
    controls = {
        "crime": _dropdown("Crime type", [(vic.CRIME_TYPES[c].label, c) for c in crimes], crime),
        "measure": _dropdown("Measure", [(t, k) for k, t in MEASURES.items()], measure),
        "by": common["by"],
        "months": _dropdown(
            "Reference period",
            [(f"Past {_describe_months(m)}", m) for m in periods],
            months if months in periods else periods[0],
        ),
        "ci_method": common["ci_method"],
        "weighting": common["weighting"],
        "cap": _dropdown(
            "Series cap",
            [(cap_names.get(c, f"{c} incidents"), _NONE if c is None else c) for c in caps],
            o.series_cap,
        ),
    }
    return Explorer(
        params, controls, explore_victimization, DesignCache(params, survey), _sync_victimization
    )


def _describe_months(months: int) -> str:
    return {36: "3 years", 60: "5 years"}.get(months, f"{months} months")


def _sync_victimization(c: dict[str, ipywidgets.Dropdown]) -> None:
    """Enable the dropdowns that apply to the chosen measure."""
    measure = c["measure"].value
    c["ci_method"].disabled = measure not in _PERCENTS
    c["cap"].disabled = measure not in _CAPPED
    if measure == "reporting_rate" and 12 in [v for _, v in c["months"].options]:
        c["months"].value = 12
    c["months"].disabled = measure == "reporting_rate"


def indicator_explorer(
    params: DistrictParams,
    survey: pd.DataFrame,
    *,
    indicators: Sequence[str] | None = None,
    indicator: str | None = None,
    by: str | None = None,
) -> Explorer:
    """An explorer of SDG indicators by domain (see :func:`explore_indicator`).

    Parameters
    ----------
    params : DistrictParams
    survey : DataFrame
    indicators : list of str, optional
        Keys of :data:`INDICATORS` to offer (e.g. a workbook's own); default all.
    indicator, by : optional
        Initial choices (default: the first indicator offered, no domain).

    Returns
    -------
    Explorer
        Dropdowns ``indicator``, ``by``, ``ci_method`` and ``weighting``.

    Examples
    --------
    >>> display(widgets.indicator_explorer(p, survey, indicators=["16.1.4"]))  # doctest: +SKIP
    """
    offered = list(INDICATORS) if indicators is None else list(indicators)
    if not offered:
        raise ValueError("indicators: give at least one of " + ", ".join(INDICATORS))
    for key in offered:
        _check("indicators", key, tuple(INDICATORS))
    indicator = offered[0] if indicator is None else indicator
    _check("indicator", indicator, offered)
    names = [(f"SDG {k}: {INDICATORS[k][0]}", k) for k in offered]
    controls = {"indicator": _dropdown("Indicator", names, indicator)}
    controls |= _common(params, survey, by)
    return Explorer(params, controls, explore_indicator, DesignCache(params, survey))
