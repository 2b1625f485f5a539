"""Trends in police-recorded crime and change between survey waves.

Count models with a population offset, seasonality and intervention terms
(:func:`fit_counts`, :func:`interrupted_time_series`), joinpoint regression with APC and
AAPC (:func:`joinpoint`), the z-test for change between two estimates
(:func:`compare_estimates`) and STL seasonal decomposition with robust anomaly scores
(:func:`seasonal_decompose`). Definitions and sources: the project's METHODS.md.
"""

from ._counts import CountFit, fit_counts
from ._its import InterruptedTimeSeries, interrupted_time_series
from ._joinpoint import JoinpointFit, JoinpointSelection, joinpoint
from ._series import compare_estimates, seasonal_decompose

__all__ = [
    "CountFit",
    "InterruptedTimeSeries",
    "JoinpointFit",
    "JoinpointSelection",
    "compare_estimates",
    "fit_counts",
    "interrupted_time_series",
    "joinpoint",
    "seasonal_decompose",
]
