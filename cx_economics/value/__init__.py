"""Value: margins, lifetime and residual value, customer equity and value flows.

Also today's active base, which the value flows are averaged over.
"""
