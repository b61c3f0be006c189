"""Presentation: formatting, labels (en/fi), style, plots, the report and the CLI.

Computation never imports from here. ``cx.presentation.plots`` and
``cx.presentation.formatting`` are loaded with the package (matplotlib itself only
when a chart is drawn); the report loads on first use.
"""

from cx_economics.presentation import formatting, plots

__all__ = ["formatting", "plots"]
