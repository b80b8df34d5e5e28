"""What a running service holds, opened in order at start-up and closed in reverse: the data
directory's lock, the service database (queue, inbox, tokens, outbox), the store (the configured
API, or the bundled sandbox on loopback, as every command), the approval queue the CLI uses, the
warm workers and the webhook sender."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from backlog.fleet.app import FleetConfigError, require_fleet_settings
from core.models import Result
from core.settings import Settings
from safety.approvals import ApprovalQueue
from safety.policy import load_policy
from sandbox_store.access import store_url
from service.database import ServiceDatabase
from service.dispatcher import Dispatcher
from service.escalations import EscalationInbox
from service.instance_lock import single_instance
from service.outbox import Outbox
from service.ticket_queue import TicketQueue
from service.tokens import TokenStore
from service.waiters import FinishWaiters
from service.webhook import WebhookSender
from tools.client import StoreClient

log = logging.getLogger("support_crew.service")


class ServiceConfigError(ValueError):
    pass


@dataclass
class ServiceState:
    settings: Settings
    db: ServiceDatabase
    tokens: TokenStore
    queue: TicketQueue
    inbox: EscalationInbox
    outbox: Outbox
    approvals: ApprovalQueue
    store: StoreClient
    dispatcher: Dispatcher
    webhook: WebhookSender | None
    waiters: FinishWaiters

    def execute_operation(self, operation: str, arguments: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        """The approval queue's executor: the held operation, on the store the workers use."""
        return self.store.apply_operation(operation, arguments, idempotency_key=idempotency_key)

    def accepted(self) -> None:
        """A ticket or follow-up was queued: wake the dispatcher."""
        self.dispatcher.notify()

    def outbox_written(self) -> None:
        """A delivery was queued outside a run (a person's answer): wake the webhook sender."""
        if self.webhook is not None:
            self.webhook.notify()


def webhook_secret(settings: Settings) -> str | None:
    """The secret, or None without a webhook; a URL without a secret is refused (unsigned
    results would be accepted by any receiver that checks nothing)."""
    if settings.webhook_url is None:
        return None
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if not secret:
        raise ServiceConfigError(
            "SUPPORT_CREW_WEBHOOK_URL is set but SUPPORT_CREW_WEBHOOK_SECRET is not: set a secret the receiver "
            "checks the X-Support-Crew-Signature header with"
        )
    return secret


def check_service_settings(settings: Settings) -> None:
    """What stops the service before it starts: a webhook without its secret, a fleet without the
    shared database or store."""
    webhook_secret(settings)
    if settings.broker_url:
        try:
            require_fleet_settings(settings, who="`serve` with SUPPORT_CREW_BROKER_URL")
        except FleetConfigError as e:
            raise ServiceConfigError(str(e)) from e


@contextmanager
def open_service(settings: Settings, *, workers: int) -> Iterator[ServiceState]:
    check_service_settings(settings)
    secret = webhook_secret(settings)
    data_dir = settings.resolved_data_dir
    with ExitStack() as stack:
        stack.enter_context(single_instance(data_dir, database_url=settings.database_url))
        db = ServiceDatabase.in_data_dir(data_dir, database_url=settings.database_url)
        outbox = Outbox(db, enabled=secret is not None)
        queue = TicketQueue(db, outbox=outbox)
        interrupted = queue.requeue_interrupted()
        if interrupted:
            log.warning(
                "queued again %d run(s) interrupted by the last stop: %s", len(interrupted), ", ".join(interrupted)
            )
        url = stack.enter_context(store_url(settings))
        store = stack.enter_context(StoreClient(url, timeout_s=settings.api_timeout_s))
        policy = load_policy(settings.config_dir / "policy.yaml")
        webhook = None
        if secret is not None and settings.webhook_url is not None:
            webhook = WebhookSender(outbox, url=settings.webhook_url, secret=secret)
            webhook.start()
            stack.callback(webhook.stop)
        sender, waiters = webhook, FinishWaiters()

        def finished(result: Result) -> None:
            waiters.finished(result.ticket_id)
            if sender is not None:
                sender.notify()

        dispatcher = Dispatcher(queue, settings=settings, workers=workers, api_url=url, on_finished=finished)
        dispatcher.start()
        stack.callback(dispatcher.stop)
        yield ServiceState(
            settings=settings,
            db=db,
            tokens=TokenStore(db),
            queue=queue,
            inbox=EscalationInbox(db, outbox=outbox),
            outbox=outbox,
            approvals=ApprovalQueue.in_data_dir(data_dir, policy.approvals, database_url=settings.database_url),
            store=store,
            dispatcher=dispatcher,
            webhook=webhook,
            waiters=waiters,
        )
