"""Evaluation (CONTRACTS §4, §5): reading cases, running each on a fresh store and memory through
the whole program, scoring (store, outcome, reply, wrong writes) and the report.

May import: backlog, the runner and everything below them.
"""
