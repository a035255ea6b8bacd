"""Measuring the pipeline from outside: the quality gate (evaluation and benchmarks move here later).

Nothing in the runtime imports this package.
"""
