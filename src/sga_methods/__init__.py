"""sga-methods: statistics and workbooks for Urban Safety Governance Assessments."""

__version__ = "0.1.0"
