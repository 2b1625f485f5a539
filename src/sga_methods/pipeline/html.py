"""Render an executed workbook as a reader's HTML page.

Readers see no code, no prompts and no injected-parameters cell; plots are embedded PNGs;
the page loads nothing from the internet (the house template drops the MathJax,
RequireJS, Mermaid and widget-manager scripts of nbconvert's lab template). Warnings that
a kernel prints to stderr are for analysts and stay in the executed notebook and the log.
"""

from __future__ import annotations

import html
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import nbformat
from nbconvert import HTMLExporter
from traitlets.config import Config

__all__ = ["REMOVED_TAGS", "render", "table_of_contents"]

#: Cells with these tags never reach the HTML.
REMOVED_TAGS = ("parameters", "injected-parameters", "remove-cell", "remove_cell")

_TEMPLATES = files("sga_methods.pipeline") / "templates"
_HEADING = re.compile(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
_TAG = re.compile(r"<[^>]+>")


def stylesheet() -> str:
    """The house CSS shared by report and index pages."""
    return (_TEMPLATES / "sga.css").read_text(encoding="utf-8")


def _exporter() -> HTMLExporter:
    c = Config()
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = set(REMOVED_TAGS)
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    c.HTMLExporter.embed_images = True
    exporter = HTMLExporter(
        config=c, template_name="sga", extra_template_basedirs=[str(_TEMPLATES)]
    )
    return exporter


def _for_readers(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy without stderr streams, widget state or execution metadata."""
    nb = nbformat.from_dict(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = [
            o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")
        ]
    return nb


def table_of_contents(body: str) -> str:
    """An HTML list linking every h2/h3 heading of ``body``."""
    items = []
    for level, anchor, inner in _HEADING.findall(body):
        text = html.unescape(_TAG.sub("", inner)).replace("¶", "").strip()
        items.append(
            f'<li class="sga-toc-{level}"><a href="#{anchor}">{html.escape(text)}</a></li>'
        )
    return "<ul>" + "".join(items) + "</ul>"


def render(notebook: Path | nbformat.NotebookNode, context: dict[str, Any]) -> str:
    """Render an executed notebook to a self-contained HTML page.

    Parameters
    ----------
    notebook : Path or NotebookNode
        The executed notebook.
    context : dict
        Page metadata for the header and footer (district, module, data kind, reference
        period, provenance); see :func:`sga_methods.pipeline.runner.page_context`.

    Returns
    -------
    str
        The HTML page.
    """
    nb = nbformat.read(notebook, as_version=4) if isinstance(notebook, Path) else notebook
    resources = {"sga": {**context, "css": stylesheet()}}
    body, _ = _exporter().from_notebook_node(_for_readers(nb), resources=resources)
    return body.replace("<!--SGA-TOC-->", table_of_contents(body), 1)
