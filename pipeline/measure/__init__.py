"""Measuring the pipeline from outside: the metric, evaluation, benchmarks, region-model training, the gate.

Nothing in the runtime imports this package; the cli's measuring commands import it lazily.
"""
