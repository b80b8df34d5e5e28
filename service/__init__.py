"""The crew as a service (`support-crew serve`, CONTRACTS §6): the FastAPI app and its routes, the
durable ticket queue fed to a pool of warm workers, tokens and roles, the escalation inbox, the
signed webhook and its outbox, the `serve`, `tokens` and `bench-service` commands.

May import: backlog (its worker pool), the runner and everything below it.
"""
