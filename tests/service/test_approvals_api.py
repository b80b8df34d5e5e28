"""Approvals over the API on a refund the crew held: listed while pending, denied with a reason
(recorded under the token's name), and approved by two approvers racing: executed once (the
store changes once), the other gets 409."""

from __future__ import annotations

import threading

from tests.service.conftest import Service

TO_DENY = {
    "id": "API-HELD-DENY",
    "from_email": "chen.moore4507@example.com",
    "body": "Hello, please cancel my order #W9205196, I ordered it by mistake. Thanks, Chen",
}
TO_RACE = {
    "id": "API-HELD-RACE",
    "from_email": "mei.ahmed5231@example.com",
    "body": "Hi, please cancel my order #W2631563, I ordered it by mistake. Thanks, Mei",
}


def _held(service: Service, ticket: dict) -> dict:
    assert service.post_ticket(ticket).status_code == 202
    result = service.wait_done(ticket["id"])["result"]
    assert result["outcome"] == "pending_approval", result
    [approval] = result["approvals"]
    return approval


def test_a_held_refund_is_listed_pending_and_denied_once_with_who_and_why(service: Service) -> None:
    held = _held(service, TO_DENY)
    pending = service.client.get("/api/approvals?status=pending", headers=service.auth("alice")).json()
    listed = next(a for a in pending if a["id"] == held["id"])
    assert listed["ticket_id"] == "API-HELD-DENY" and listed["status"] == "pending"
    assert listed["operation"] == "cancel_pending_order" and listed["amount"] == held["amount"]
    assert listed["arguments"] == {"order_id": "#W9205196", "reason": "ordered by mistake"}
    assert set(listed) >= {"id", "ticket_id", "operation", "arguments", "amount", "reason", "status"}
    assert listed["created_at"] < listed["expires_at"]

    url = f"/api/approvals/{held['id']}"
    missing_reason = service.client.post(f"{url}/deny", json={}, headers=service.auth("alice"))
    assert missing_reason.status_code == 422 and "body.reason" in missing_reason.json()["message"]

    denied = service.client.post(f"{url}/deny", json={"reason": "order already shipped"}, headers=service.auth("alice"))
    assert denied.status_code == 200, denied.text
    assert denied.json()["status"] == "denied" and denied.json()["decided_by"] == "alice"
    assert denied.json()["decision_reason"] == "order already shipped"

    for action, body in (("deny", {"reason": "again"}), ("approve", None)):
        late = service.client.post(f"{url}/{action}", json=body, headers=service.auth("bob"))
        assert late.status_code == 409, late.text
    assert service.state.store.orders.get("#W9205196")["status"] == "pending"  # nothing executed
    events = [(e.event, e.actor) for e in service.state.approvals.ticket_record("API-HELD-DENY")]
    assert events == [("held", "gate"), ("denied", "alice")]


def test_two_approvers_racing_execute_it_once_and_one_gets_409(service: Service) -> None:
    held = _held(service, TO_RACE)
    order_before = service.state.store.orders.get("#W2631563")
    assert order_before["status"] == "pending"

    start = threading.Barrier(2)
    answers: dict[str, int] = {}

    def approve(name: str) -> None:
        start.wait()
        answer = service.client.post(f"/api/approvals/{held['id']}/approve", headers=service.auth(name))
        answers[name] = answer.status_code

    threads = [threading.Thread(target=approve, args=(name,)) for name in ("alice", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(answers.values()) == [200, 409], answers
    winner = next(name for name, code in answers.items() if code == 200)
    approval = service.client.get(f"/api/approvals/{held['id']}", headers=service.auth("root")).json()
    assert approval["status"] == "approved" and approval["decided_by"] == winner

    order = service.state.store.orders.get("#W2631563")
    refunds = [p for p in order["payment_history"] if p["transaction_type"] == "refund"]
    payments = [p for p in order["payment_history"] if p["transaction_type"] == "payment"]
    assert order["status"] == "cancelled"
    assert len(refunds) == len(payments)  # refunded once, not twice
    events = [e.event for e in service.state.approvals.ticket_record("API-HELD-RACE")]
    assert events.count("executed") == 1 and events.count("approved") == 1

    again = service.client.post(f"/api/approvals/{held['id']}/approve", headers=service.auth("alice"))
    assert again.status_code == 409


def test_unknown_approvals_are_404(service: Service) -> None:
    for method, path, body in (
        ("GET", "/api/approvals/apr-nothing", None),
        ("POST", "/api/approvals/apr-nothing/approve", None),
        ("POST", "/api/approvals/apr-nothing/deny", {"reason": "x"}),
    ):
        assert service.client.request(method, path, json=body, headers=service.auth("alice")).status_code == 404


def test_an_unknown_status_filter_is_422(service: Service) -> None:
    answer = service.client.get("/api/approvals?status=maybe", headers=service.auth("alice"))
    assert answer.status_code == 422 and "query.status" in answer.json()["message"]
