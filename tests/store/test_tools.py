"""The CrewAI store tools: JSON results, typed errors, customer binding (CONTRACTS §1), read-only
tickets, the approval gate, idempotent writes, the action log and the trace."""

from __future__ import annotations

import json
from typing import Any

import pytest
from crewai.tools import BaseTool

from core.models import ApprovalRecord
from tools.context import ToolContext, idempotency_key
from tools.registry import STORE_TOOL_CLASSES, UnknownTool, build_store_tools

OMAR = "omar_silva_7446"  # orders #W9728773 (pending), #W1216601 (cancelled, shipped)
OMAR_EMAIL = "omar.silva4147@example.com"
EMMA = "emma_santos_9753"  # order #W3113816 (delivered, tracking 443521489581)
ADDRESS = {"address1": "1 Test Way", "address2": "", "city": "Boise", "state": "ID", "country": "USA", "zip": "83702"}


def call(context: ToolContext, client, name: str, **arguments: Any) -> dict[str, Any]:
    """Call a tool as CrewAI does (BaseTool.run) and parse its JSON answer."""
    (tool,) = build_store_tools([name], context=context, store=client)
    raw = tool.run(**arguments)
    assert isinstance(raw, str) and ": " not in raw.split('"message"')[0], "results are compact JSON"
    return json.loads(raw)


def error_code(answer: dict[str, Any]) -> str | None:
    if "error" in answer:
        assert set(answer["error"]) == {"code", "message", "retryable"}
        return answer["error"]["code"]
    return None


# --- identification and binding -----------------------------------------------------------------


def test_lookup_by_email_binds_the_ticket(store, client, make_context) -> None:
    context = make_context()
    answer = call(context, client, "find_customer_by_email", email=OMAR_EMAIL.upper())
    assert {k: answer[k] for k in ("customer_id", "name", "email")} == {
        "customer_id": OMAR,
        "name": {"first_name": "Omar", "last_name": "Silva"},
        "email": OMAR_EMAIL,
    }
    # the whole profile comes with it, as get_customer_details gives it (no second read needed)
    assert answer == call(context, client, "get_customer_details", customer_id=OMAR)
    assert context.customer_id == OMAR


def test_lookup_by_name_and_zip_ignores_case_and_binds(store, client, make_context) -> None:
    context = make_context()
    answer = call(context, client, "find_customer_by_name_zip", first_name="omar", last_name="SILVA", zip="92107")
    assert answer["customer_id"] == OMAR and context.customer_id == OMAR


def test_a_ticket_cannot_switch_customer(store, client, make_context) -> None:
    context = make_context()
    call(context, client, "find_customer_by_email", email=OMAR_EMAIL)
    answer = call(context, client, "find_customer_by_name_zip", first_name="Emma", last_name="Santos", zip="78228")
    assert error_code(answer) == "one_customer_per_ticket" and "Emma" not in json.dumps(answer)
    assert context.customer_id == OMAR


def test_unknown_customer_is_not_bound(store, client, make_context) -> None:
    context = make_context()
    answer = call(context, client, "find_customer_by_email", email="nobody@example.com")
    assert error_code(answer) == "customer_not_found" and context.customer_id is None


# Every customer-data tool, with arguments naming Emma's records.
FOREIGN_CALLS = [
    ("get_customer_details", {"customer_id": EMMA}),
    ("list_customer_orders", {"customer_id": EMMA}),
    ("get_order_details", {"order_id": "#W3113816"}),
    ("get_payment_methods", {"customer_id": EMMA}),
    ("get_order_payments", {"order_id": "#W3113816"}),
    ("get_invoice", {"order_id": "#W3113816"}),
    ("track_shipment", {"tracking_id": "443521489581"}),
    ("get_return_label", {"order_id": "#W3113816"}),
    ("modify_user_address", {"user_id": EMMA, **ADDRESS}),
    ("cancel_pending_order", {"order_id": "#W9903153", "reason": "no longer needed"}),
    ("modify_pending_order_address", {"order_id": "#W9903153", **ADDRESS}),
    ("modify_pending_order_payment", {"order_id": "#W9903153", "payment_method_id": "gift_card_6023546"}),
    (
        "modify_pending_order_items",
        {"order_id": "#W9903153", "item_ids": ["1"], "new_item_ids": ["2"], "payment_method_id": "credit_card_5869505"},
    ),
    (
        "return_delivered_order_items",
        {"order_id": "#W3113816", "item_ids": ["6243148452"], "payment_method_id": "credit_card_5869505"},
    ),
    (
        "exchange_delivered_order_items",
        {
            "order_id": "#W3113816",
            "item_ids": ["6243148452"],
            "new_item_ids": ["6243148452"],
            "payment_method_id": "credit_card_5869505",
        },
    ),
    # Omar's own order, but with Emma's payment method.
    ("modify_pending_order_payment", {"order_id": "#W9728773", "payment_method_id": "credit_card_5869505"}),
]
CUSTOMER_TOOLS = {name for name, _ in FOREIGN_CALLS}


@pytest.mark.parametrize("name, arguments", FOREIGN_CALLS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(FOREIGN_CALLS)])
def test_customer_tools_refuse_another_customers_records(store, client, make_context, name, arguments) -> None:
    """Bound to Omar, every tool refuses Emma's records whatever the arguments say."""
    paid_with = client.orders.get("#W1539823")["payment_history"][0]["payment_method_id"]
    client.apply_operation(
        "return_delivered_order_items",  # so Emma's order has a return label
        {"order_id": "#W1539823", "item_ids": ["8470360507"], "payment_method_id": paid_with},
        idempotency_key="emma-return",
    )
    if name == "get_return_label":
        arguments = {"order_id": "#W1539823"}
    before = client.export_changes()
    context = make_context(OMAR)
    answer = call(context, client, name, **arguments)
    assert error_code(answer) == "not_your_customer", answer
    assert answer["error"]["retryable"] is False
    assert client.export_changes() == before
    assert "Santos" not in json.dumps(answer) and "emma.santos" not in json.dumps(answer)  # nothing leaks
    if name in STORE_WRITES:
        (action,) = context.actions
        assert (action.name, action.arguments, action.status) == (name, arguments, "rejected")


STORE_WRITES = {
    "modify_user_address",
    "cancel_pending_order",
    "modify_pending_order_address",
    "modify_pending_order_payment",
    "modify_pending_order_items",
    "return_delivered_order_items",
    "exchange_delivered_order_items",
}


@pytest.mark.parametrize("name", sorted(CUSTOMER_TOOLS))
def test_customer_tools_refuse_before_authentication(store, client, make_context, name) -> None:
    arguments = next(a for n, a in FOREIGN_CALLS if n == name)
    answer = call(make_context(), client, name, **arguments)
    assert error_code(answer) == "not_authenticated"


def test_every_customer_data_tool_is_covered_by_the_binding_tests() -> None:
    lookups = {"find_customer_by_email", "find_customer_by_name_zip"}
    catalog = {"list_product_types", "search_products", "get_product_details", "find_product_variant"}
    assert set(STORE_TOOL_CLASSES) - lookups - catalog == CUSTOMER_TOOLS


def test_catalog_tools_need_no_customer(store, client, make_context) -> None:
    context = make_context()
    types = call(context, client, "list_product_types")["products"]
    assert types["T-Shirt"] == "9523456873" and len(types) == 50
    product = call(context, client, "get_product_details", product_id="9523456873")
    variant = next(v for v in product["variants"] if v["item_id"] == "9612497925")
    assert variant["price"] == 50.88 and len(product["variants"]) == len({v["item_id"] for v in product["variants"]})
    found = call(
        context, client, "find_product_variant", product_id="9523456873", options={"Color": "BLUE", "size": "s"}
    )["variants"]
    assert {v["item_id"] for v in found} == {"8349118980", "5047954489"}
    assert error_code(call(context, client, "get_product_details", product_id="0")) == "product_not_found"


# --- reads for the bound customer ---------------------------------------------------------------


def test_reads_for_the_bound_customer(store, client, make_context) -> None:
    context = make_context(OMAR)
    details = call(context, client, "get_customer_details", customer_id=OMAR)
    assert details["orders"] == ["#W9728773", "#W9673784", "#W1216601"]
    assert {"id": "gift_card_5540683", "source": "gift_card", "balance": 68} in details["payment_methods"]
    orders = call(context, client, "list_customer_orders", customer_id=OMAR)["orders"]
    assert orders[0]["order_id"] == "#W9728773" and orders[0]["total"] == 1412.7
    assert orders[0]["ship_to"] == {"address1": "510 Hickory Lane", "city": "San Diego", "state": "CA"}
    order = call(context, client, "get_order_details", order_id="#W1216601")
    assert order["status"] == "cancelled" and order["user_id"] == OMAR
    invoice = call(context, client, "get_invoice", order_id="#W1216601")
    assert invoice["net"] == 0 and invoice["total_paid"] == invoice["total_refunded"]
    tracking = call(context, client, "track_shipment", tracking_id="466733640636")
    assert tracking["order_id"] == "#W1216601" and tracking["status"] == "shipment cancelled"
    assert error_code(call(context, client, "get_return_label", order_id="#W9728773")) == "no_return_requested"
    assert context.tool_calls == 6
    assert [e["status"] for e in context.trace] == ["ok"] * 5 + ["error"]


# --- writes -------------------------------------------------------------------------------------

CANCEL = {"order_id": "#W9728773", "reason": "no longer needed"}


def test_a_write_runs_once_and_is_logged_and_traced(store, client, make_context) -> None:
    context = make_context(OMAR, ticket_id="T-write")
    answer = call(context, client, "cancel_pending_order", **CANCEL)
    assert answer["status"] == "done" and answer["amount"] == 1412.7
    assert answer["order"]["status"] == "cancelled"
    # A repeated call (a retry, a re-run of the ticket) carries the same key: same answer, no change.
    assert call(context, client, "cancel_pending_order", **CANCEL) == answer
    assert [(a.name, a.arguments, a.status) for a in context.actions] == [("cancel_pending_order", CANCEL, "done")] * 2
    events = context.trace
    assert [(e["event"], e["tool"], e["arguments"], e["status"]) for e in events] == [
        ("tool_call", "cancel_pending_order", CANCEL, "done")
    ] * 2
    assert all(e["ticket_id"] == "T-write" and e["latency_ms"] >= 0 for e in events)
    assert context.tool_calls == 2


def test_a_refused_precondition_is_recorded_as_rejected(store, client, make_context) -> None:
    context = make_context(OMAR)
    answer = call(context, client, "modify_pending_order_address", order_id="#W1216601", **ADDRESS)
    assert error_code(answer) == "order_not_pending" and answer["error"]["retryable"] is False
    (action,) = context.actions
    assert action.status == "rejected" and action.error.startswith("order_not_pending")
    assert context.trace[-1]["status"] == "error" and context.trace[-1]["error_code"] == "order_not_pending"


def test_read_only_ticket_changes_nothing(store, client, make_context) -> None:
    context = make_context(OMAR, read_only=True)
    answer = call(context, client, "cancel_pending_order", **CANCEL)
    assert error_code(answer) == "read_only"
    assert client.orders.get("#W9728773")["status"] == "pending"
    assert context.actions[0].status == "rejected"


def test_invalid_arguments_are_explained(store, client, make_context) -> None:
    context = make_context(OMAR)
    (tool,) = build_store_tools(["cancel_pending_order"], context=context, store=client)
    answer = json.loads(tool._run(order_id="#W9728773", reason="changed my mind"))
    assert error_code(answer) == "invalid_arguments" and "no longer needed" in answer["error"]["message"]
    assert context.actions == []


class Gate:
    """Holds every operation moving more than `limit`."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.calls: list[dict[str, Any]] = []

    def review(self, *, ctx, operation, arguments, amount, idempotency_key) -> ApprovalRecord | None:
        self.calls.append(
            {"operation": operation, "arguments": arguments, "amount": amount, "idempotency_key": idempotency_key}
        )
        if amount <= self.limit:
            return None
        return ApprovalRecord(
            id=f"AP-{len(self.calls)}",
            operation=operation,
            arguments=arguments,
            amount=amount,
            reason=f"refund over ${self.limit:.0f}",
        )


def test_the_gate_holds_a_large_refund_without_touching_the_store(store, client, make_context) -> None:
    gate = Gate(limit=100)
    context = make_context(OMAR, gate=gate, ticket_id="T-gate")
    answer = call(context, client, "cancel_pending_order", **CANCEL)
    assert answer["status"] == "pending_approval" and answer["approval_id"] == "AP-1"
    assert answer["amount"] == 1412.7
    assert gate.calls == [
        {
            "operation": "cancel_pending_order",
            "arguments": CANCEL,
            "amount": 1412.7,
            "idempotency_key": idempotency_key("T-gate", "cancel_pending_order", CANCEL),
        }
    ]
    assert client.orders.get("#W9728773")["status"] == "pending"
    assert [a.id for a in context.approvals] == ["AP-1"]
    (action,) = context.actions
    assert (action.status, action.approval_id) == ("pending_approval", "AP-1")
    # Approved later, in another process: exactly the held operation, with its key, runs once.
    held = gate.calls[0]
    done = client.apply_operation(held["operation"], held["arguments"], idempotency_key=held["idempotency_key"])
    assert done["order"]["status"] == "cancelled"


def test_the_gate_lets_small_amounts_through(store, client, make_context) -> None:
    gate = Gate(limit=100)
    context = make_context(OMAR, gate=gate)
    answer = call(context, client, "modify_pending_order_address", order_id="#W9728773", **ADDRESS)
    assert answer["status"] == "done" and gate.calls[0]["amount"] == 0.0
    assert answer["order"]["address"]["city"] == "Boise"


def test_the_gate_never_sees_an_operation_the_store_would_refuse(store, client, make_context) -> None:
    gate = Gate(limit=0)
    context = make_context(OMAR, gate=gate)
    answer = call(
        context, client, "modify_pending_order_payment", order_id="#W9728773", payment_method_id="gift_card_5540683"
    )
    assert error_code(answer) == "payment_method_unchanged" and gate.calls == []


def test_gate_amounts_of_item_changes_and_returns(store, client, make_context) -> None:
    gate = Gate(limit=10_000)
    context = make_context("aarav_nguyen_7344", gate=gate)
    call(
        context,
        client,
        "modify_pending_order_items",
        order_id="#W2443586",
        item_ids=["9690244451"],
        new_item_ids=["3616838507"],
        payment_method_id="gift_card_2742113",
    )
    assert gate.calls[0]["amount"] == 10.4
    context = make_context(EMMA, gate=gate)
    answer = call(
        context,
        client,
        "return_delivered_order_items",
        order_id="#W3113816",
        item_ids=["4843487907", "2206116040"],
        payment_method_id="credit_card_5869505",
    )
    assert gate.calls[1]["amount"] == 464.75 == answer["amount"]


def test_customer_address_change_returns_the_customer(store, client, make_context) -> None:
    context = make_context(OMAR)
    answer = call(context, client, "modify_user_address", user_id=OMAR, **ADDRESS)
    assert answer["status"] == "done" and answer["customer"]["address"]["zip"] == "83702"
    assert answer["customer"]["customer_id"] == OMAR


# --- registry -----------------------------------------------------------------------------------


def test_registry_builds_named_tools_and_names_the_unknown(client, make_context) -> None:
    context = make_context()
    tools = build_store_tools(["get_order_details", "find_product_variant"], context=context, store=client)
    assert [t.name for t in tools] == ["get_order_details", "find_product_variant"]
    assert all(isinstance(t, BaseTool) and t.context is context and t.store is client for t in tools)
    with pytest.raises(UnknownTool, match=r"'refund_all'.*find_customer_by_email"):
        build_store_tools(["refund_all"], context=context, store=client)


@pytest.mark.parametrize("name", sorted(STORE_TOOL_CLASSES))
def test_every_tool_explains_itself_and_its_arguments(name, client, make_context) -> None:
    (tool,) = build_store_tools([name], context=make_context(), store=client)
    assert len(tool.description) > 40
    for field_name, field in tool.args_schema.model_fields.items():
        assert field.description, f"{name}.{field_name} has no description"


def test_search_products_finds_the_products_the_words_name(store, client, make_context) -> None:
    context = make_context()  # a catalog read: no customer needed
    found = call(context, client, "search_products", query="How much are the Bluetooth speakers in blue?")["products"]
    assert [p["name"] for p in found] == ["Bluetooth Speaker"]
    assert found[0]["variants"] and {"item_id", "options", "available", "price"} <= set(found[0]["variants"][0])
    # the whole name beats a shared last word; plural and hyphen spellings name the same product
    names = {
        p["name"]
        for p in call(context, client, "search_products", query="my smart watch and two e-readers")["products"]
    }
    assert names == {"E-Reader", "Smart Watch"}
    assert call(context, client, "search_products", query="something nobody sells")["products"] == []
