"""Backlogs: the batch journal (exactly once, resumable), the worker pool, the fleet (Celery
workers, backlog.fleet), `batch`, `report` and `bench`.

May import: the runner and everything below it.
"""
