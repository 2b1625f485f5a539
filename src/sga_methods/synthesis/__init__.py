"""Synthesis of a district assessment: scorecard, comparisons and priorities (module 09).

Every module writes its headline tables with :func:`sga_methods.report.save_results` as
``results/<module>.json``; the synthesis reads those files, never the notebooks:

- :data:`HEADLINES` names, for each headline indicator, the module, table and row that
  hold it and whether a higher value is worse or better;
- :func:`scorecard` picks those rows from :func:`load_results` into one table, listing
  indicators whose module or row is missing instead of dropping them;
- :func:`compare_waves` tests the change since a previous wave
  (:func:`sga_methods.trends.compare_estimates`), :func:`compare_districts` stacks the
  scorecards of the districts of a batch;
- :func:`priority_matrix` combines a severity rating (1-5, from the district's parameters)
  with the prevalence of each problem into a priority score, and
  :func:`recommendation_list` orders the district's recommendations by it.
"""

from ._catalogue import HEADLINES, SCORECARD_COLUMNS, Headline
from ._priorities import plot_priorities, priority_matrix, recommendation_list
from ._scorecard import (
    batch_results,
    compare_districts,
    compare_waves,
    load_results,
    missing_modules,
    scorecard,
)

__all__ = [
    "HEADLINES",
    "SCORECARD_COLUMNS",
    "Headline",
    "batch_results",
    "compare_districts",
    "compare_waves",
    "load_results",
    "missing_modules",
    "plot_priorities",
    "priority_matrix",
    "recommendation_list",
    "scorecard",
]
