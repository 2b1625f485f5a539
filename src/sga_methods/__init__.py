"""sga-methods: statistics and workbooks for Urban Safety Governance Assessments.

The public API is small: the design object and the modules that workbooks call.

>>> from sga_methods import SurveyDesign, victimization, report  # doctest: +SKIP
"""

from .design import SurveyDesign, SurveyDesignError
from .replicate import ReplicateDesign

__version__ = "0.1.0"

__all__ = ["ReplicateDesign", "SurveyDesign", "SurveyDesignError", "__version__"]
