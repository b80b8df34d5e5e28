"""The console in a real browser (headless Chromium): sign in with a token, approve a held refund
(the store changes once), deny one with a reason, answer an escalation into the thread, open a
ticket's trace; and the session's guards: an HttpOnly, SameSite=Strict cookie, a POST without the
CSRF token refused, approver pages refused to a submitter.

With CONSOLE_SCREENSHOTS=DIR set, each page is saved there as a PNG (the README's images:
`CONSOLE_SCREENSHOTS=docs/console .venv/bin/pytest tests/console`)."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.console.conftest import Console

TO_APPROVE = {  # a cancellation refunding over $100: held for a person (config/policy.yaml)
    "id": "CON-HELD-APPROVE",
    "from_email": "mei.ahmed5231@example.com",
    "body": "Hi, please cancel my order #W2631563, I ordered it by mistake. Thanks, Mei",
    "tags": ["cancel"],
}
TO_DENY = {
    "id": "CON-HELD-DENY",
    "from_email": "chen.moore4507@example.com",
    "body": "Hello, please cancel my order #W9205196, I ordered it by mistake. Thanks, Chen",
    "tags": ["cancel"],
}
WANTS_A_PERSON = {
    "id": "CON-ESC",
    "from_email": "fatima.anderson1447@example.com",
    "body": "I want to talk to a real person about my order #W2974929, not a bot.",
    "tags": ["human"],
}
STATUS = {
    "id": "CON-STATUS",
    "from_email": "chen.lopez1681@example.com",
    "body": "Hi, could you tell me the current status of my order #W1790752? Thanks, Chen Lopez",
    "tags": ["status"],
}


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("CONSOLE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_signing_in_sets_an_httponly_strict_cookie_and_posts_need_the_csrf_token(console: Console, page: Page) -> None:
    page.goto(console.url + "/approvals")
    expect(page).to_have_url(console.url + "/login")  # signed out: to the sign-in page
    _shot(page, "login")
    page.fill("input[name=token]", "sc_not-a-token")
    page.click("button[type=submit]")
    expect(page.locator(".notice")).to_contain_text("Unknown or revoked token")

    console.sign_in(page)
    [cookie] = page.context.cookies()
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert console.tokens["alice"] not in cookie["value"]  # the token itself never sits in the cookie

    # the browser's own session cookie, but no CSRF token in the form: refused, nothing done
    refused = page.request.post(console.url + "/approvals/apr-anything/approve", form={"reason": "x"})
    assert refused.status == 403 and "security token" in refused.text()
    forged = page.request.post(console.url + "/logout", form={"csrf": "forged"})
    assert forged.status == 403
    page.goto(console.url + "/approvals")
    expect(page.locator("h1")).to_contain_text("Approvals")  # still signed in


def test_approving_a_held_refund_executes_it_once(console: Console, page: Page) -> None:
    result = console.finished(TO_APPROVE)
    assert result["outcome"] == "pending_approval", result
    [held] = result["approvals"]
    order = console.state.store.orders.get("#W2631563")
    assert order["status"] == "pending"

    console.sign_in(page)
    page.goto(console.url + "/approvals")
    card = page.locator(f"section#{held['id']}")
    expect(card).to_contain_text("cancel_pending_order")
    expect(card).to_contain_text("#W2631563")
    expect(card).to_contain_text("please cancel my order")  # the ticket's thread
    _shot(page, "approvals")
    card.locator("button.approve").click()
    expect(page.locator(".notice")).to_contain_text(f"Approved {held['id']}: executed.")

    order = console.state.store.orders.get("#W2631563")
    refunds = [p for p in order["payment_history"] if p["transaction_type"] == "refund"]
    payments = [p for p in order["payment_history"] if p["transaction_type"] == "payment"]
    assert order["status"] == "cancelled" and len(refunds) == len(payments)  # refunded once
    events = [e.event for e in console.state.approvals.ticket_record(TO_APPROVE["id"])]
    assert events.count("executed") == 1
    # the API's approve is the same code path: a second decision is 409 and executes nothing
    again = console.api("POST", f"/api/approvals/{held['id']}/approve", as_="alice")
    assert again.status_code == 409
    assert console.state.store.orders.get("#W2631563")["payment_history"] == order["payment_history"]


def test_denying_a_held_refund_records_who_and_why(console: Console, page: Page) -> None:
    [held] = console.finished(TO_DENY)["approvals"]
    console.sign_in(page)
    page.goto(console.url + "/approvals")
    card = page.locator(f"section#{held['id']}")
    card.locator("input[name=reason]").fill("the customer called: keep the order")
    card.locator("button.deny").click()
    expect(page.locator(".notice")).to_contain_text(f"Denied {held['id']}")
    approval = console.api("GET", f"/api/approvals/{held['id']}", as_="alice").json()
    assert approval["status"] == "denied" and approval["decided_by"] == "alice"
    assert approval["decision_reason"] == "the customer called: keep the order"
    assert console.state.store.orders.get("#W9205196")["status"] == "pending"


def test_answering_an_escalation_goes_into_the_thread_and_closes_it(console: Console, page: Page) -> None:
    assert console.finished(WANTS_A_PERSON)["outcome"] == "escalated"
    [escalation] = [e for e in console.state.inbox.list(status="open") if e.ticket_id == "CON-ESC"]
    console.sign_in(page)
    page.goto(console.url + "/escalations")
    card = page.locator(f"section#{escalation.id}")
    expect(card).to_contain_text("real person")
    expect(card).not_to_contain_text("fatima.anderson1447@example.com")  # e-mails are masked
    _shot(page, "escalations")
    answer = "Hello Fatima, this is Alice from the support team: I will call you today about #W2974929."
    card.locator("textarea[name=body]").fill(answer)
    card.locator("button[type=submit]").click()
    expect(page.locator(".notice")).to_contain_text("the escalation is closed")
    thread = console.api("GET", "/api/tickets/CON-ESC").json()["thread"]
    assert thread[-1]["role"] == "agent" and thread[-1]["body"] == answer and thread[-1]["author"] == "alice"
    assert console.state.inbox.get(escalation.id).closed_by == "alice"


def test_a_tickets_page_shows_its_thread_actions_and_trace_tree(console: Console, page: Page) -> None:
    console.finished(STATUS)
    console.sign_in(page)
    page.goto(console.url + "/tickets?tag=status")
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    _shot(page, "tickets")
    page.click("text=CON-STATUS")
    expect(page.locator("h1")).to_contain_text("CON-STATUS")
    trace = page.locator("ul.trace")
    expect(trace).to_contain_text("attempt 1")
    expect(trace).to_contain_text("get_order_details")
    _shot(page, "ticket")
    page.goto(console.url + "/")
    expect(page.locator("svg.chart")).to_be_visible()
    expect(page.locator(".figures")).to_contain_text("tickets")
    _shot(page, "dashboard")


def test_a_submitter_sees_its_own_tickets_and_no_approver_page(console: Console, page: Page) -> None:
    console.finished(STATUS)
    console.sign_in(page, "helpdesk")
    page.goto(console.url + "/tickets")
    expect(page.locator("table.list")).to_contain_text("CON-STATUS")
    response = page.goto(console.url + "/approvals")
    assert response is not None and response.status == 403
    page.goto(console.url + "/tickets/CON-STATUS")
    expect(page.locator("ul.trace")).to_have_count(0)  # traces are for approvers, as in the API
