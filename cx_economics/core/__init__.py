"""Core: what every stage shares — results, errors, bands and statistics helpers.

Stages import from here and from stages before them only (see ``docs/architecture.md``):
data → tables → scores / survival → value → economics → targets → drivers →
presentation.
"""
