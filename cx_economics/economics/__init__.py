"""Economics: the one "value of a mix", channel economics, cost curves and effort.

Channel economics prices money lost below excellence and the value of a point.
"""
