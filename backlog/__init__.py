"""Backlogs: the batch journal (exactly once, resumable), the worker pool, `batch`, `report` and
`bench`.

May import: the runner and everything below it.
"""
