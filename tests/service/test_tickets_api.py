"""Tickets through the API on the real crew: accepted once (202), the same post again is 200 and
never a second run, another body under the same id is 409, a malformed ticket is 422 naming the
field; results and threads are read back; a follow-up runs the ticket again with its thread."""

from __future__ import annotations

import pytest

from tests.service.conftest import Service

STATUS_TICKET = {
    "id": "API-STATUS-1",
    "body": "Hello,\n\nI'm Emma Kim, zip code 46214. What is the status of my order #W2768383 (the LED light bulb)?"
    "\n\nBest,\nEmma",
    "tags": ["api-test"],
}


def _runs(service: Service, ticket_id: str) -> list[tuple[int, str, int]]:
    with service.state.db.reading() as db:
        rows = db.execute("SELECT seq, status, attempts FROM runs WHERE ticket_id = ? ORDER BY seq", (ticket_id,))
        return [tuple(row) for row in rows]


def test_a_ticket_is_accepted_once_and_its_result_read_back(service: Service) -> None:
    first = service.post_ticket(STATUS_TICKET)
    assert first.status_code == 202 and first.json() == {"ticket_id": "API-STATUS-1", "status": "queued"}

    again = service.post_ticket(dict(reversed(list(STATUS_TICKET.items()))))  # same ticket, other key order
    assert again.status_code == 200 and again.json()["ticket_id"] == "API-STATUS-1"

    done = service.wait_done("API-STATUS-1")
    result = done["result"]
    assert result["ticket_id"] == "API-STATUS-1" and result["outcome"] == "resolved"
    assert result["customer_id"] == "emma_kim_1076" and result["model"] == "offline"
    assert [m["role"] for m in done["thread"]] == ["customer", "agent"]
    assert done["thread"][1]["body"] == result["reply"] and done["thread"][1]["author"] == "crew"

    repeat = service.post_ticket(STATUS_TICKET)
    assert repeat.status_code == 200 and repeat.json()["status"] == "done"
    assert _runs(service, "API-STATUS-1") == [(1, "done", 1)]  # never a second run

    listed = service.client.get("/api/tickets?outcome=resolved", headers=service.auth("helpdesk")).json()
    assert "API-STATUS-1" in [t["ticket_id"] for t in listed]
    assert next(t for t in listed if t["ticket_id"] == "API-STATUS-1")["tags"] == ["api-test"]


def test_a_get_with_wait_answers_when_the_result_is_recorded(service: Service) -> None:
    assert service.post_ticket({**STATUS_TICKET, "id": "API-WAIT-1"}).status_code == 202
    answer = service.client.get("/api/tickets/API-WAIT-1?wait=60", headers=service.auth("helpdesk"))
    assert answer.status_code == 200 and answer.json()["status"] == "done", answer.json()["status"]
    assert answer.json()["result"]["ticket_id"] == "API-WAIT-1"
    for wait in ("-1", "61", "soon"):
        bad = service.client.get(f"/api/tickets/API-WAIT-1?wait={wait}", headers=service.auth("helpdesk"))
        assert bad.status_code == 422 and "query.wait" in bad.json()["message"]


def test_the_same_id_with_another_body_is_a_conflict(service: Service) -> None:
    assert service.post_ticket({"id": "API-CONFLICT-1", "body": "Where is my order #W2768383?"}).status_code == 202
    other = service.post_ticket({"id": "API-CONFLICT-1", "body": "Please cancel everything."})
    assert other.status_code == 409
    assert "/messages" in other.json()["detail"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": "no id"}, "body.id"),
        ({"id": "has space", "body": "x"}, "body.id"),
        ({"id": "x" * 65, "body": "x"}, "body.id"),
        ({"id": "API-BAD-1"}, "body.body"),
        ({"id": "API-BAD-2", "body": ""}, "body.body"),
        ({"id": "API-BAD-3", "body": "x" * 20_001}, "body.body"),
        ({"id": "API-BAD-4", "body": 42}, "body.body"),
        ({"id": "API-BAD-5", "body": "x", "channel": "fax"}, "body.channel"),
        ({"id": "API-BAD-6", "body": "x", "thread": [{"role": "robot", "body": "hi"}]}, "body.thread.0.role"),
        ({"id": "API-BAD-7", "body": "x", "created_at": "yesterday"}, "body.created_at"),
        ({"id": "API-BAD-8", "body": "x", "tags": "vip"}, "body.tags"),
        (["not", "an", "object"], "body"),
    ],
)
def test_a_malformed_ticket_is_422_naming_the_field_and_nothing_is_queued(service: Service, payload, field) -> None:
    answer = service.post_ticket(payload)
    assert answer.status_code == 422, answer.text
    assert field in [".".join(problem["loc"]) for problem in answer.json()["detail"]], answer.json()
    assert field in answer.json()["message"]
    with service.state.db.reading() as db:
        assert db.execute("SELECT count(*) FROM tickets WHERE ticket_id LIKE 'API-BAD-%'").fetchone()[0] == 0


@pytest.mark.parametrize(
    "raw", [b'{"id": "API-BAD-9", "body": ', b"\xff\xfe not utf-8", b"", b"null", b'{"id": "API-BAD-10", "body": NaN}']
)
def test_a_body_that_is_not_a_json_ticket_is_422_never_500(service: Service, raw: bytes) -> None:
    answer = service.client.post(
        "/api/tickets", content=raw, headers={**service.auth("helpdesk"), "Content-Type": "application/json"}
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["message"]


def test_a_body_sent_without_a_json_content_type_is_422_saying_so(service: Service) -> None:
    raw = b'{"id": "API-BAD-11", "body": "hello"}'
    answer = service.client.post("/api/tickets", content=raw, headers={**service.auth("helpdesk")})
    assert answer.status_code == 422 and "Content-Type: application/json" in answer.json()["message"]


def test_an_oversized_body_is_413(service: Service) -> None:
    huge = b'{"id": "API-HUGE", "body": "' + b"x" * (5 * 1024 * 1024) + b'"}'
    answer = service.client.post(
        "/api/tickets", content=huge, headers={**service.auth("helpdesk"), "Content-Type": "application/json"}
    )
    assert answer.status_code == 413

    def chunked():  # no Content-Length: counted as it arrives
        yield b'{"id": "API-HUGE", "body": "'
        for _ in range(5):
            yield b"x" * (1024 * 1024)
        yield b'"}'

    answer = service.client.post(
        "/api/tickets", content=chunked(), headers={**service.auth("helpdesk"), "Content-Type": "application/json"}
    )
    assert answer.status_code == 413


def test_unknown_tickets_are_404_and_a_submitter_never_sees_another_submitters_ticket(service: Service) -> None:
    for path in ("/api/tickets/API-NOPE", "/api/tickets/API-NOPE/trace"):
        assert service.client.get(path, headers=service.auth("alice")).status_code == 404
    nope = service.client.post("/api/tickets/API-NOPE/messages", json={"body": "hi"}, headers=service.auth("alice"))
    assert nope.status_code == 404

    assert service.post_ticket({"id": "API-OWNED-1", "body": "Where is my order #W2768383?"}).status_code == 202
    other = service.auth("other-helpdesk")
    assert service.client.get("/api/tickets/API-OWNED-1", headers=other).status_code == 404
    follow = service.client.post("/api/tickets/API-OWNED-1/messages", json={"body": "hi"}, headers=other)
    assert follow.status_code == 404
    listed = service.client.get("/api/tickets", headers=other).json()
    assert "API-OWNED-1" not in [t["ticket_id"] for t in listed]
    # posting the taken id, even with the same body, tells nothing of its status
    taken = service.post_ticket({"id": "API-OWNED-1", "body": "Where is my order #W2768383?"}, as_="other-helpdesk")
    assert taken.status_code == 409
    # approvers read every ticket
    assert service.client.get("/api/tickets/API-OWNED-1", headers=service.auth("alice")).status_code == 200


def test_a_follow_up_runs_the_ticket_again_with_its_thread(service: Service) -> None:
    ticket = {**STATUS_TICKET, "id": "API-FOLLOW-1"}
    assert service.post_ticket(ticket).status_code == 202
    first = service.wait_done("API-FOLLOW-1")["result"]

    message = {"body": "Thanks! And what is the status of my order #W9538924?", "id": "msg-2"}
    url = "/api/tickets/API-FOLLOW-1/messages"
    answer = service.client.post(url, json=message, headers=service.auth("helpdesk"))
    assert answer.status_code == 202 and answer.json() == {"ticket_id": "API-FOLLOW-1", "status": "queued"}
    again = service.client.post(url, json=message, headers=service.auth("helpdesk"))
    assert again.status_code == 200  # the same message id: not run again
    changed = service.client.post(url, json={**message, "body": "other"}, headers=service.auth("helpdesk"))
    assert changed.status_code == 409

    done = service.wait_done("API-FOLLOW-1")
    second = done["result"]
    # the follow-up names nobody: the customer comes from the ticket's earlier run (its thread)
    assert second["customer_id"] == first["customer_id"] == "emma_kim_1076"
    assert "#W9538924" in second["reply"]
    assert [(m["role"], m["author"]) for m in done["thread"]] == [
        ("customer", "helpdesk"),
        ("agent", "crew"),
        ("customer", "helpdesk"),
        ("agent", "crew"),
    ]
    assert _runs(service, "API-FOLLOW-1") == [(1, "done", 1), (2, "done", 1)]


def test_a_malformed_follow_up_is_422_naming_the_field(service: Service) -> None:
    assert service.post_ticket({"id": "API-FOLLOW-BAD", "body": "Where is my order #W2768383?"}).status_code == 202
    url = "/api/tickets/API-FOLLOW-BAD/messages"
    for payload, field in (({}, "body.body"), ({"body": ""}, "body.body"), ({"body": "x", "id": "a b"}, "body.id")):
        answer = service.client.post(url, json=payload, headers=service.auth("helpdesk"))
        assert answer.status_code == 422 and field in answer.json()["message"], answer.text


def test_an_approver_reads_a_tickets_trace(service: Service) -> None:
    assert service.post_ticket({**STATUS_TICKET, "id": "API-TRACE-1"}).status_code == 202
    service.wait_done("API-TRACE-1")
    events = service.client.get("/api/tickets/API-TRACE-1/trace", headers=service.auth("alice")).json()["events"]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "run_start" and kinds[-1] == "run_end" and "tool_call" in kinds
