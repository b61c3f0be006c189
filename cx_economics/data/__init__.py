"""Data: table schemas and their validation, engines, dates, the answer window.

Also the assumptions and the simulated and demo datasets.
"""
