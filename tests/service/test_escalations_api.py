"""The escalation inbox over the API: an escalated result opens one; a person's reply goes into
the ticket's thread as `agent`, closes it under the token's name, and cannot be given twice."""

from __future__ import annotations

from tests.service.conftest import Service

WANTS_A_PERSON = {
    "id": "API-ESC-1",
    "from_email": "fatima.anderson1447@example.com",
    "body": "I want to talk to a real person about my order #W2974929, not a bot.",
}


def test_an_escalation_is_answered_once_into_the_thread(service: Service) -> None:
    assert service.post_ticket(WANTS_A_PERSON).status_code == 202
    result = service.wait_done("API-ESC-1")["result"]
    assert result["outcome"] == "escalated" and result["escalation"]

    inbox = service.client.get("/api/escalations?status=open", headers=service.auth("alice")).json()
    [escalation] = [e for e in inbox if e["ticket_id"] == "API-ESC-1"]
    assert escalation["status"] == "open"
    assert {k: escalation[k] for k in ("reason", "priority", "summary")} == result["escalation"]
    assert set(escalation) >= {"id", "ticket_id", "reason", "priority", "summary", "status", "created_at"}

    url = f"/api/escalations/{escalation['id']}/reply"
    empty = service.client.post(url, json={"body": ""}, headers=service.auth("alice"))
    assert empty.status_code == 422 and "body.body" in empty.json()["message"]

    answer = "Hello, this is Alice from the support team. I'll call you today about #W2974929."
    replied = service.client.post(url, json={"body": answer}, headers=service.auth("alice"))
    assert replied.status_code == 200, replied.text
    assert replied.json()["status"] == "closed" and replied.json()["closed_by"] == "alice"

    thread = service.client.get("/api/tickets/API-ESC-1", headers=service.auth("helpdesk")).json()["thread"]
    assert thread[-1] == {"role": "agent", "body": answer, "at": replied.json()["closed_at"], "author": "alice"}

    twice = service.client.post(url, json={"body": "again"}, headers=service.auth("bob"))
    assert twice.status_code == 409
    still_open = service.client.get("/api/escalations?status=open", headers=service.auth("alice")).json()
    assert escalation["id"] not in [e["id"] for e in still_open]


def test_unknown_escalations_are_404(service: Service) -> None:
    headers = service.auth("alice")
    assert service.client.get("/api/escalations/esc-nothing", headers=headers).status_code == 404
    assert (
        service.client.post("/api/escalations/esc-nothing/reply", json={"body": "x"}, headers=headers).status_code
        == 404
    )
