"""Renderers for the ``spinscope/1`` analysis dict: HTML report, terminal view, SemEval lines.

They all take the plain dict (``Analysis.to_dict()`` or a saved JSON), never
Python objects, so a saved analysis renders the same later.
"""

from spinscope.render.html import render_html
from spinscope.render.segments import Run, coverage_runs
from spinscope.render.semeval import semeval_lines
from spinscope.render.terminal import render_terminal

__all__ = ["Run", "coverage_runs", "render_html", "render_terminal", "semeval_lines"]
