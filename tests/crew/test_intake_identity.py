"""Who the ticket speaks for, settled before the crew where the contract allows it (CONTRACTS §1):
a ticket without a sender address that states exactly one customer's e-mail address starts bound
to that customer, named in the context, and its specialists are not offered identification tools.
With two addresses the agents decide, with the identification tools and nobody bound yet."""

from __future__ import annotations

import json

from core.models import Ticket
from runner.ticket_run import open_environment, run_ticket
from sandbox_store.access import store_client
from tools.customers import IDENTIFY_TOOLS


def _two_customers(settings) -> list[dict]:
    with store_client(settings) as client:
        users = client.export()["users"]
    return [{**user, "user_id": uid} for uid, user in list(users.items())[:2]]


def _answer(status: str = "answered") -> str:
    return json.dumps({"status": status, "reply": "Hello, here is what I found.", "summary": "looked"})


def _delegate() -> list:
    return [
        (
            "delegate_work_to_coworker",
            {"task": "Answer the customer", "context": "see the ticket", "coworker": "Order Specialist", "final": True},
        )
    ]


def test_one_stated_address_authenticates_before_the_crew(settings, scripted_model) -> None:
    customer, _ = _two_customers(settings)
    model = scripted_model({"Support Manager": [_delegate()], "Order Specialist": [_answer()]})
    ticket = Ticket(id="T-stated", body=f"Hi, my account is {customer['email']}. Where are my orders?")
    with open_environment(settings) as env:
        result = run_ticket(ticket, env)

    assert result.customer_id == customer["user_id"]
    manager_task = model.calls[0].messages[1]["content"]
    full_name = f"{customer['name']['first_name']} {customer['name']['last_name']}"
    assert f"Authenticated customer: {customer['user_id']} ({full_name})" in manager_task
    specialist_tools = {n for c in model.calls if c.agent == "Order Specialist" for n in c.tools}
    assert specialist_tools and not specialist_tools & IDENTIFY_TOOLS


def test_two_stated_addresses_leave_identification_to_the_agents(settings, scripted_model) -> None:
    first, second = _two_customers(settings)
    model = scripted_model({"Support Manager": [_delegate()], "Order Specialist": [_answer("needs_info")]})
    ticket = Ticket(id="T-two-mails", body=f"Is it {first['email']} or {second['email']}? Status please.")
    with open_environment(settings) as env:
        result = run_ticket(ticket, env)

    assert result.customer_id is None
    assert "Authenticated customer: not yet authenticated" in model.calls[0].messages[1]["content"]
    specialist_tools = {n for c in model.calls if c.agent == "Order Specialist" for n in c.tools}
    assert specialist_tools >= IDENTIFY_TOOLS


def test_identify_then_read_in_one_answer_runs_in_that_order(settings, scripted_model) -> None:
    with store_client(settings) as client:
        export = client.export()
    order = next(o for o in export["orders"].values())
    user = {**export["users"][order["user_id"]], "user_id": order["user_id"]}
    first, last, zip_code = user["name"]["first_name"], user["name"]["last_name"], user["address"]["zip"]

    def report(call) -> str:
        found, read = call.tool_results()[-2:]
        assert found["customer_id"] == user["user_id"]
        assert read.get("order_id") == order["order_id"], read  # not refused as unauthenticated
        return _answer()

    model = scripted_model(
        {
            "Support Manager": [_delegate()],
            "Order Specialist": [
                # one answer: the identification, then a read that needs it (CrewAI must not run them in parallel)
                [
                    ("find_customer_by_name_zip", {"first_name": first, "last_name": last, "zip": zip_code}),
                    ("get_order_details", {"order_id": order["order_id"]}),
                ],
                report,
            ],
        }
    )
    ticket = Ticket(id="T-ordered", body=f"I'm {first} {last}, zip {zip_code}. Status of {order['order_id']}?")
    with open_environment(settings) as env:
        result = run_ticket(ticket, env)

    assert result.customer_id == user["user_id"]
    assert sum(1 for c in model.calls if c.agent == "Order Specialist") == 2


def test_a_bound_ticket_cannot_be_rebound_through_a_withheld_tool(settings, scripted_model) -> None:
    customer, other = _two_customers(settings)
    model = scripted_model(
        {
            "Support Manager": [_delegate()],
            "Order Specialist": [
                # not offered to this ticket, called anyway: it must not run
                [("find_customer_by_email", {"email": other["email"]})],
                _answer(),
            ],
        }
    )
    ticket = Ticket(id="T-rebind", from_email=customer["email"], body=f"Status please. Also {other['email']}.")
    with open_environment(settings) as env:
        result = run_ticket(ticket, env)

    assert result.customer_id == customer["user_id"]
    answered = next(c for c in model.calls if c.agent == "Order Specialist" and c.messages[-1]["role"] == "tool")
    assert other["user_id"] not in answered.messages[-1]["content"]


def test_the_sender_can_still_be_identified_when_the_intake_lookup_fails(settings, scripted_model) -> None:
    from tools.errors import ToolError

    customer, _ = _two_customers(settings)
    model = scripted_model(
        {
            "Support Manager": [_delegate()],
            "Order Specialist": [[("find_customer_by_email", {"email": customer["email"]})], _answer()],
        }
    )
    ticket = Ticket(id="T-flaky", from_email=customer["email"], body="Where is my order?")
    with open_environment(settings) as env:
        real = env.store.customers.find_by_email
        calls = []

        def first_fails(email):
            calls.append(email)
            if len(calls) == 1:  # the intake's lookup: the store is briefly unavailable
                raise ToolError("store_unavailable", "The store did not answer.", retryable=True)
            return real(email)

        env.store.customers.find_by_email = first_fails
        result = run_ticket(ticket, env)

    assert len(calls) == 2  # the intake's failed lookup, then the specialist's
    assert result.customer_id == customer["user_id"]
    assert "find_customer_by_email" in {n for c in model.calls if c.agent == "Order Specialist" for n in c.tools}
