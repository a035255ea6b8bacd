"""The batch stages as plain functions the Luigi tasks call: plan, clean, index, finalise, publish.

Each reads and writes open handles or paths, so tests drive them without a scheduler;
``records`` types the rows of the work files between them.
"""
