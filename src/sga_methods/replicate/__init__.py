"""Replicate-weight designs: jackknife, bootstrap, BRR and Fay, with SurveyDesign's estimators.

:class:`ReplicateDesign` plays the role of R's ``svrepdesign()`` (files that ship replicate
weights) and :func:`from_design` that of ``as.svrepdesign()`` (replicate weights built from a
:class:`~sga_methods.design.SurveyDesign`). Estimators (``mean``, ``total``, ``ratio``,
``proportion``), domains (``by=``, ``subset``) and result frames are those of
``SurveyDesign``; every replicate estimate comes from one matrix product, and the variance is
R's ``svrVar``. Numbers agree with R's ``survey`` to 1e-6 relative; see
``tests/results/survey_replicate.R``.
"""

from ._convert import DESIGN_METHODS, from_design
from ._core import REPLICATE_METHODS, ReplicateDesign
from ._hadamard import hadamard

__all__ = ["DESIGN_METHODS", "REPLICATE_METHODS", "ReplicateDesign", "from_design", "hadamard"]
