"""Tokens and roles over the API: every path but /api/health needs a live token (401), a role too
low is 403, roles include the ones before, admins manage tokens (shown once, revoked for good)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.service.conftest import Service

# (method, path, body, lowest role that may call it)
ENDPOINTS = [
    ("GET", "/api/status", None, "submitter"),
    ("POST", "/api/tickets", {"id": "AUTH-1", "body": "hi"}, "submitter"),
    ("GET", "/api/tickets", None, "submitter"),
    ("GET", "/api/tickets/AUTH-1", None, "submitter"),
    ("POST", "/api/tickets/AUTH-1/messages", {"body": "hello again", "id": "m-1"}, "submitter"),
    ("GET", "/api/tickets/AUTH-1/trace", None, "approver"),
    ("GET", "/api/approvals?status=pending", None, "approver"),
    ("GET", "/api/approvals/apr-none", None, "approver"),
    ("POST", "/api/approvals/apr-none/approve", None, "approver"),
    ("POST", "/api/approvals/apr-none/deny", {"reason": "no"}, "approver"),
    ("GET", "/api/escalations?status=open", None, "approver"),
    ("GET", "/api/escalations/esc-none", None, "approver"),
    ("POST", "/api/escalations/esc-none/reply", {"body": "hello"}, "approver"),
    ("GET", "/api/tokens", None, "admin"),
    ("POST", "/api/tokens", {"name": "x", "role": "submitter"}, "admin"),
    ("DELETE", "/api/tokens/nobody", None, "admin"),
]
HOLDERS = {"submitter": "helpdesk", "approver": "alice", "admin": "root"}
RANK = ["submitter", "approver", "admin"]


def test_health_needs_no_token_and_says_ok(service: Service) -> None:
    answer = service.client.get("/api/health")
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}


def test_openapi_is_served_at_docs_with_every_contract_path(service: Service) -> None:
    assert service.client.get("/docs").status_code == 200
    paths = service.client.get("/openapi.json").json()["paths"]
    for path in [
        "/api/health",
        "/api/tickets",
        "/api/tickets/{ticket_id}",
        "/api/tickets/{ticket_id}/messages",
        "/api/approvals",
        "/api/approvals/{approval_id}/approve",
        "/api/approvals/{approval_id}/deny",
        "/api/escalations",
        "/api/escalations/{escalation_id}/reply",
    ]:
        assert path in paths


@pytest.mark.parametrize(("method", "path", "body", "role"), ENDPOINTS)
def test_every_path_refuses_a_missing_or_unknown_token(service: Service, method, path, body, role) -> None:
    for headers in ({}, {"Authorization": "Bearer sc_not-a-token"}, {"Authorization": "Basic dXNlcjpwYXNz"}):
        answer = service.client.request(method, path, json=body, headers=headers)
        assert answer.status_code == 401, (path, headers, answer.text)
        assert answer.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path", "body", "role"), ENDPOINTS)
def test_a_role_too_low_is_403_and_the_roles_above_pass(service: Service, method, path, body, role) -> None:
    for holder_role, holder in HOLDERS.items():
        answer = service.client.request(method, path, json=body, headers=service.auth(holder))
        if RANK.index(holder_role) < RANK.index(role):
            assert answer.status_code == 403, (path, holder, answer.text)
            assert role in answer.json()["detail"]
        else:
            assert answer.status_code not in (401, 403), (path, holder, answer.text)


def test_admin_creates_lists_and_revokes_a_token_which_then_gets_401(service: Service) -> None:
    admin = service.auth("root")
    made = service.client.post("/api/tokens", json={"name": "temp-desk", "role": "submitter"}, headers=admin)
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    assert made.json()["role"] == "submitter" and token.startswith("sc_")

    mine = {"Authorization": f"Bearer {token}"}
    assert service.client.get("/api/tickets", headers=mine).status_code == 200
    listed = {t["name"]: t for t in service.client.get("/api/tokens", headers=admin).json()}
    assert listed["temp-desk"]["revoked_at"] is None and "token" not in listed["temp-desk"]

    revoked = service.client.delete("/api/tokens/temp-desk", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert service.client.get("/api/tickets", headers=mine).status_code == 401
    assert service.client.delete("/api/tokens/temp-desk", headers=admin).status_code == 409
    assert service.client.delete("/api/tokens/nobody", headers=admin).status_code == 404


def test_token_names_are_never_reused_and_bad_requests_name_the_field(service: Service) -> None:
    admin = service.auth("root")
    assert service.client.post("/api/tokens", json={"name": "alice", "role": "admin"}, headers=admin).status_code == 409
    bad_role = service.client.post("/api/tokens", json={"name": "eve", "role": "root"}, headers=admin)
    assert bad_role.status_code == 422 and bad_role.json()["detail"][0]["loc"] == ["body", "role"]
    bad_name = service.client.post("/api/tokens", json={"name": "e ve", "role": "approver"}, headers=admin)
    assert bad_name.status_code == 422 and "body.name" in bad_name.json()["message"]


def test_the_database_keeps_only_hashes_of_tokens(service: Service) -> None:
    raw = Path(service.state.db.database.describe()).read_bytes()
    for token in service.tokens.values():
        assert token.encode() not in raw
