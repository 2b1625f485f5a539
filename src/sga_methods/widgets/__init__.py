"""Interactive explorers for JupyterLab: choose a breakdown, see the table and plot update.

Researchers adapting a workbook often want another cut of the same data. The explorers
offer the choices as ipywidgets dropdowns and redraw an estimate table
(:func:`report.estimate_table`, with disclosure control) and a plot
(:func:`report.plot_estimates`) on each change: :func:`victimization_explorer` (crime type,
measure, domain, recall period, interval method, weighting, series cap) and
:func:`indicator_explorer` (SDG 16.1.3, 16.1.4, 16.3.1, 16.5.1, 11.7.2, 16.6.2, 16.7.2 by
domain, interval method and weighting). Workbooks show them only when their
``interactive`` parameter is true; batch runs pass ``interactive=False``, so the published
HTML stays static and offline.

The numbers come from the pure functions :func:`explore_victimization` and
:func:`explore_indicator`, which call :mod:`sga_methods.victimization` and
:mod:`sga_methods.indicators` on the district's design (built once per unit and weighting,
:class:`DesignCache`). Weighting ``"district"`` is the district's weighting as its
parameters describe it (:meth:`DistrictParams.survey_design`: raked or calibrated to
population targets unless ``weighting.method`` is "none"); ``"design"`` keeps the design
weights (with their nonresponse adjustment), strata, PSUs and fpc, as ``weighting.method:
none``. Comparing the two shows how much the adjustment to targets moves an estimate.
"""

from ._compute import (
    CAP_CHOICES,
    CI_METHODS,
    DOMAINS,
    INDICATORS,
    MEASURES,
    WEIGHTINGS,
    DesignCache,
    explore_indicator,
    explore_victimization,
    recall_periods,
)
from ._explorer import Explorer, indicator_explorer, victimization_explorer

__all__ = [
    "CAP_CHOICES",
    "CI_METHODS",
    "DOMAINS",
    "INDICATORS",
    "MEASURES",
    "WEIGHTINGS",
    "DesignCache",
    "Explorer",
    "explore_indicator",
    "explore_victimization",
    "indicator_explorer",
    "recall_periods",
    "victimization_explorer",
]
