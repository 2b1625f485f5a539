"""Execution of workbooks with papermill, HTML export, manifests and index pages."""

from . import registry
from .registry import MODULES, Module

__all__ = ["MODULES", "Module", "registry"]
