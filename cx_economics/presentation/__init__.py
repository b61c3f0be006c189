"""Presentation: formatting, labels (en/fi), style, plots, the report and the CLI.

Computation never imports from here.
"""
