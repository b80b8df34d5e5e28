"""The Celery application the fleet shares: one queue of tickets on the Redis broker, one task.

Delivery is at least once, completion exactly once: a task is acknowledged only after its ticket
finished (acks_late); a worker that dies mid-ticket (a worker is one process: `--pool=solo`) leaves
its task unacknowledged, and the broker hands it out again after `broker_visibility_timeout_s`;
the journal in the shared database decides whether a ticket still needs running
(backlog.fleet.worker), and the batch or service sends again a ticket whose worker went quiet.
No result backend: results live in the journal, where the batch or the service reads them."""

from __future__ import annotations

from typing import Any

from celery import Celery

from core.settings import Settings

TASK = "support_crew.run_ticket"


class FleetConfigError(ValueError):
    """The fleet is missing a setting it cannot run without; the message names it."""


def require_fleet_settings(settings: Settings, *, who: str) -> None:
    """A fleet needs the broker, the shared database and one store: a worker with its own
    SQLite journal or its own sandbox store would run tickets nobody else can see."""
    missing = [
        f"{name} ({why})"
        for name, value, why in (
            ("SUPPORT_CREW_BROKER_URL", settings.broker_url, "the Redis broker, redis://host:6379/0"),
            ("SUPPORT_CREW_DATABASE_URL", settings.database_url, "the shared PostgreSQL, postgresql://..."),
            ("SUPPORT_CREW_API_URL", settings.api_url, "the store the fleet shares: `support-crew store serve`"),
        )
        if not value
    ]
    if missing:
        raise FleetConfigError(f"{who} runs on the fleet and needs " + "; ".join(missing))


def celery_app(settings: Settings) -> Celery:
    app = Celery("support_crew", broker=settings.broker_url, set_as_current=False)
    visibility = settings.broker_visibility_timeout_s
    app.conf.update(
        task_acks_late=True,
        worker_prefetch_multiplier=1,  # a worker holds only the ticket it runs; the rest wait for any worker
        task_ignore_result=True,
        task_default_queue=settings.broker_queue,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": visibility,
            # look for tickets of dead workers a few times per timeout, not every 100 s (kombu's default)
            "unacked_restore_interval": max(1.0, min(10.0, visibility / 5)),
            "unacked_restore_throttle": 1,
        },
        worker_hijack_root_logger=False,
    )
    return app


def send_ticket(app: Celery, *, batch_key: str, ticket: dict[str, Any], plain: bool = False) -> None:
    """Put one ticket on the app's queue (settings.broker_queue); the broker being out of reach
    raises after a few retries."""
    app.send_task(
        TASK,
        args=[batch_key, ticket],
        kwargs={"plain": plain},
        queue=app.conf.task_default_queue,
        retry=True,
        retry_policy={"max_retries": 3, "interval_start": 0.5, "interval_step": 1.0, "interval_max": 3.0},
    )
