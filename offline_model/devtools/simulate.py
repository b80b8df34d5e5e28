"""Development loop: run the offline model over evaluation cases against a simulated crew and store.

The simulation sends the model the same kinds of messages CrewAI does (system prompt from
agents.yaml, the ticket task from tasks.yaml, native tool calls and tool results) and answers its
tool calls from an in-memory copy of the store data with the result shapes of tools/README.md. It
is a developer's instrument, not part of the model: the model itself never reads the data files.

    .venv/bin/python -m offline_model.devtools.simulate ../shared/tickets/dev.jsonl [--show ID] [--failures]
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "sandbox_store" / "data"
CONFIG = ROOT / "config"


class SimError(Exception):
    def __init__(self, code: str, message: str, retryable: bool = False) -> None:
        super().__init__(message)
        self.payload = {"error": {"code": code, "message": message, "retryable": retryable}}


class _CopyOnRead(dict):
    """A case's own copy of shared records, made record by record when first touched."""

    def __init__(self, shared: dict[str, Any]) -> None:
        super().__init__()
        self._shared = shared

    def get(self, key: str, default: Any = None) -> Any:
        if not dict.__contains__(self, key) and key in self._shared:
            self[key] = copy.deepcopy(self._shared[key])
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._shared

    def keys(self):
        return self._shared.keys()

    def items(self):
        return ((key, self[key]) for key in self._shared)

    def values(self):
        return (self[key] for key in self._shared)


class SimStore:
    """The store's data with the tools' checks and effects (CONTRACTS §2)."""

    def __init__(self, data: dict[str, Any], customer_id: str | None) -> None:
        self.users = _CopyOnRead(data["users"])
        self.orders = _CopyOnRead(data["orders"])
        self.products = data["products"]  # never changed
        self.customer_id = customer_id
        self.writes: list[dict[str, Any]] = []
        self.escalations: list[dict[str, Any]] = []
        self.calls: list[str] = []

    # --- helpers ----------------------------------------------------------------------------
    def _bind(self, user_id: str) -> dict[str, Any]:
        if self.customer_id and self.customer_id != user_id:
            raise SimError("one_customer_per_ticket", "already authenticated as another customer")
        self.customer_id = user_id
        user = self.users[user_id]
        return {"customer_id": user_id, "name": user["name"], "email": user["email"]}

    def _me(self) -> str:
        if not self.customer_id:
            raise SimError("not_authenticated", "No customer is authenticated for this ticket yet.")
        return self.customer_id

    def _order(self, order_id: str) -> dict[str, Any]:
        me = self._me()
        order = self.orders.get(order_id)
        if order is None:
            raise SimError("order_not_found", f"No order has the id '{order_id}'.")
        if order["user_id"] != me:
            raise SimError("not_your_customer", f"Order {order_id} does not belong to the customer of this ticket.")
        return order

    def _status(self, order: dict[str, Any], status: str, code: str) -> None:
        if order["status"] != status:
            raise SimError(
                code, f"Order {order['order_id']} is '{order['status']}'; only a '{status}' order can be changed."
            )

    def _method(self, method_id: str) -> dict[str, Any]:
        method = self.users[self._me()]["payment_methods"].get(method_id)
        if method is None:
            raise SimError("payment_method_invalid", f"{method_id} is not a payment method of this customer")
        return method

    def _variant(self, product_id: str, item_id: str) -> dict[str, Any]:
        variant = self.products[product_id]["variants"].get(item_id)
        if variant is None or not variant["available"]:
            raise SimError("variant_unavailable", f"{item_id} is not an available variant")
        return variant

    # --- reads ------------------------------------------------------------------------------
    def find_customer_by_email(self, email: str) -> Any:
        for user_id, user in self.users._shared.items():  # read-only lookup
            if user["email"].lower() == email.lower():
                return self._bind(user_id)
        raise SimError("customer_not_found", f"No customer has the e-mail {email}.")

    def find_customer_by_name_zip(self, first_name: str, last_name: str, zip: str) -> Any:
        for user_id, user in self.users._shared.items():  # read-only lookup
            if (user["name"]["first_name"].lower(), user["name"]["last_name"].lower(), user["address"]["zip"]) == (
                first_name.lower(),
                last_name.lower(),
                zip,
            ):
                return self._bind(user_id)
        raise SimError("customer_not_found", "No customer has that name and zip code.")

    def get_customer_details(self, customer_id: str) -> Any:
        if customer_id != self._me():
            raise SimError("not_your_customer", "another customer")
        user = self.users[customer_id]
        return {
            "customer_id": customer_id,
            "name": user["name"],
            "email": user["email"],
            "address": user["address"],
            "payment_methods": list(user["payment_methods"].values()),
            "orders": user["orders"],
        }

    def list_customer_orders(self, customer_id: str) -> Any:
        if customer_id != self._me():
            raise SimError("not_your_customer", "another customer")
        out = []
        for order_id in self.users[customer_id]["orders"]:
            order = self.orders[order_id]
            out.append(
                {
                    "order_id": order_id,
                    "status": order["status"],
                    "items": [{k: i[k] for k in ("name", "item_id", "price", "options")} for i in order["items"]],
                    "total": round(sum(i["price"] for i in order["items"]), 2),
                    "ship_to": {k: order["address"][k] for k in ("address1", "city", "state")},
                }
            )
        return {"orders": out}

    def get_order_details(self, order_id: str) -> Any:
        return self._order(order_id)

    def get_product_details(self, product_id: str) -> Any:
        if product_id not in self.products:
            raise SimError("product_not_found", f"No product has the id '{product_id}'.")
        return self.products[product_id]

    def list_product_types(self) -> Any:
        return {"products": [{"name": p["name"], "product_id": pid} for pid, p in self.products.items()]}

    def search_products(self, query: str) -> Any:
        from tools.catalog import named_products

        found = named_products(query, self.list_product_types()["products"])
        return {"products": [self.products[p["product_id"]] for p in found]}

    def find_product_variant(self, product_id: str, options: dict[str, str]) -> Any:
        product = self.get_product_details(product_id)
        return {
            "variants": [
                v for v in product["variants"].values() if all(v["options"].get(k) == o for k, o in options.items())
            ]
        }

    def track_shipment(self, tracking_id: str) -> Any:
        for order in self.orders._shared.values():  # read-only lookup
            for fulfillment in order["fulfillments"]:
                if tracking_id in fulfillment["tracking_id"]:
                    self._order(order["order_id"])
                    return {
                        "tracking_id": tracking_id,
                        "order_id": order["order_id"],
                        "carrier": "UPS",
                        "status": order["status"],
                        "events": [{"at": "2024-05-01", "status": "in transit", "location": "Memphis, TN"}],
                    }
        raise SimError("tracking_not_found", "unknown tracking id")

    def get_return_label(self, order_id: str) -> Any:
        order = self._order(order_id)
        if order["status"] != "return requested":
            raise SimError("no_return_requested", "no return requested for this order")
        return {
            "order_id": order_id,
            "rma": "RMA-" + order_id[2:],
            "carrier": "UPS",
            "label_url": f"https://labels.example/{order_id[2:]}.pdf",
            "items": order.get("return_items", []),
        }

    def get_order_payments(self, order_id: str) -> Any:
        order = self._order(order_id)
        return {"order_id": order_id, "payment_history": order["payment_history"], "refunds": []}

    def search_knowledge_base(self, query: str, top_k: int = 3) -> Any:
        return {
            "passages": [
                {
                    "document": "guides/general-troubleshooting.md",
                    "title": "General troubleshooting",
                    "text": (
                        "Restart the device. Check that it is charged. Reset it to factory settings if it still fails."
                    ),
                    "score": 0.5,
                }
            ]
        }

    def escalate_to_human(self, reason: str, priority: str, summary: str) -> Any:
        self.escalations.append({"reason": reason, "priority": priority, "summary": summary})
        return {"status": "escalated", "reason": reason, "priority": priority}

    # --- writes -----------------------------------------------------------------------------
    def _done(self, name: str, kwargs: dict[str, Any], order: dict[str, Any] | None, amount: float = 0.0) -> Any:
        self.writes.append({"name": name, "kwargs": kwargs})
        return {"status": "done", "operation": name, "order": order, "amount": round(amount, 2)}

    def cancel_pending_order(self, order_id: str, reason: str) -> Any:
        order = self._order(order_id)
        self._status(order, "pending", "order_not_pending")
        if reason not in ("no longer needed", "ordered by mistake"):
            raise SimError("invalid_reason", "reason must be 'no longer needed' or 'ordered by mistake'")
        refunds = [
            {"transaction_type": "refund", "amount": p["amount"], "payment_method_id": p["payment_method_id"]}
            for p in order["payment_history"]
            if p["transaction_type"] == "payment"
        ]
        order["payment_history"].extend(refunds)
        for refund in refunds:
            self._gift_card_move(refund["payment_method_id"], refund["amount"])
        order["status"] = "cancelled"
        order["cancel_reason"] = reason
        return self._done(
            "cancel_pending_order", {"order_id": order_id, "reason": reason}, order, sum(r["amount"] for r in refunds)
        )

    def modify_pending_order_address(self, order_id: str, **address: str) -> Any:
        order = self._order(order_id)
        self._status(order, "pending", "order_not_pending")
        order["address"] = dict(address)
        return self._done("modify_pending_order_address", {"order_id": order_id, **address}, order)

    def modify_user_address(self, user_id: str, **address: str) -> Any:
        if user_id != self._me():
            raise SimError("not_your_customer", "another customer")
        self.users[user_id]["address"] = dict(address)
        return self._done("modify_user_address", {"user_id": user_id, **address}, None)

    def modify_pending_order_payment(self, order_id: str, payment_method_id: str) -> Any:
        order = self._order(order_id)
        self._status(order, "pending", "order_not_pending")
        payments = [p for p in order["payment_history"] if p["transaction_type"] == "payment"]
        if len(order["payment_history"]) != 1:
            raise SimError("payment_history_not_single", "the order's payment history has more than one entry")
        self._method(payment_method_id)
        if payments[0]["payment_method_id"] == payment_method_id:
            raise SimError("payment_method_unchanged", "same method")
        method = self._method(payment_method_id)
        if method["source"] == "gift_card" and method.get("balance", 0) < payments[0]["amount"]:
            raise SimError("insufficient_gift_card_balance", "gift card balance too low")
        self._gift_card_move(payment_method_id, -payments[0]["amount"])
        self._gift_card_move(payments[0]["payment_method_id"], payments[0]["amount"])
        order["payment_history"] += [
            {"transaction_type": "payment", "amount": payments[0]["amount"], "payment_method_id": payment_method_id},
            {
                "transaction_type": "refund",
                "amount": payments[0]["amount"],
                "payment_method_id": payments[0]["payment_method_id"],
            },
        ]
        return self._done(
            "modify_pending_order_payment", {"order_id": order_id, "payment_method_id": payment_method_id}, order
        )

    def _gift_card_move(self, method_id: str, amount: float) -> None:
        method = self.users[self._me()]["payment_methods"].get(method_id)
        if method and method["source"] == "gift_card":
            method["balance"] = round(method.get("balance", 0) + amount, 2)

    def _swap(self, order: dict[str, Any], item_ids: list[str], new_item_ids: list[str]) -> float:
        if len(item_ids) != len(new_item_ids):
            raise SimError("item_count_mismatch", "item_ids and new_item_ids differ in length")
        available = [i["item_id"] for i in order["items"]]
        diff = 0.0
        for old, new in zip(item_ids, new_item_ids, strict=False):
            if old not in available:
                raise SimError("item_not_in_order", f"{old} is not in the order")
            available.remove(old)
            item = next(i for i in order["items"] if i["item_id"] == old)
            variant = self._variant(item["product_id"], new)
            diff += variant["price"] - item["price"]
        return round(diff, 2)

    def modify_pending_order_items(
        self, order_id: str, item_ids: list[str], new_item_ids: list[str], payment_method_id: str
    ) -> Any:
        order = self._order(order_id)
        self._status(order, "pending", "order_not_pending")
        diff = self._swap(order, item_ids, new_item_ids)
        method = self._method(payment_method_id)
        if method["source"] == "gift_card" and diff > method.get("balance", 0):
            raise SimError("insufficient_gift_card_balance", "gift card balance too low")
        for old, new in zip(item_ids, new_item_ids, strict=False):
            item = next(i for i in order["items"] if i["item_id"] == old)
            variant = self.products[item["product_id"]]["variants"][new]
            item.update(item_id=new, price=variant["price"], options=variant["options"])
        self._gift_card_move(payment_method_id, -diff)
        order["payment_history"].append(
            {
                "transaction_type": "payment" if diff > 0 else "refund",
                "amount": abs(diff),
                "payment_method_id": payment_method_id,
            }
        )
        order["status"] = "pending (item modified)"
        kwargs = {
            "order_id": order_id,
            "item_ids": item_ids,
            "new_item_ids": new_item_ids,
            "payment_method_id": payment_method_id,
        }
        return self._done("modify_pending_order_items", kwargs, order, abs(diff))

    def return_delivered_order_items(self, order_id: str, item_ids: list[str], payment_method_id: str) -> Any:
        order = self._order(order_id)
        self._status(order, "delivered", "order_not_delivered")
        method = self._method(payment_method_id)
        original = next(p["payment_method_id"] for p in order["payment_history"] if p["transaction_type"] == "payment")
        if payment_method_id != original and method["source"] != "gift_card":
            raise SimError("payment_method_invalid", "refund must go to the original method or a gift card")
        available = [i["item_id"] for i in order["items"]]
        for item_id in item_ids:
            if item_id not in available:
                raise SimError("item_not_in_order", f"{item_id} is not in the order")
            available.remove(item_id)
        order["status"] = "return requested"
        order["return_items"] = sorted(item_ids)
        kwargs = {"order_id": order_id, "item_ids": item_ids, "payment_method_id": payment_method_id}
        return self._done("return_delivered_order_items", kwargs, order)

    def exchange_delivered_order_items(
        self, order_id: str, item_ids: list[str], new_item_ids: list[str], payment_method_id: str
    ) -> Any:
        order = self._order(order_id)
        self._status(order, "delivered", "order_not_delivered")
        diff = self._swap(order, item_ids, new_item_ids)
        method = self._method(payment_method_id)
        if method["source"] == "gift_card" and diff > method.get("balance", 0):
            raise SimError("insufficient_gift_card_balance", "gift card balance too low")
        order["status"] = "exchange requested"
        kwargs = {
            "order_id": order_id,
            "item_ids": item_ids,
            "new_item_ids": new_item_ids,
            "payment_method_id": payment_method_id,
        }
        return self._done("exchange_delivered_order_items", kwargs, order, abs(diff))

    def run(self, name: str, arguments: dict[str, Any]) -> str:
        self.calls.append(name)
        try:
            method = getattr(self, name)
            return json.dumps(method(**arguments), default=str)
        except SimError as error:
            return json.dumps(error.payload)
        except TypeError as error:
            return json.dumps({"error": {"code": "invalid_arguments", "message": str(error), "retryable": False}})


# --- a crew that talks like CrewAI --------------------------------------------------------------


def load_crew() -> tuple[dict[str, Any], dict[str, Any]]:
    agents = yaml.safe_load((CONFIG / "agents.yaml").read_text())
    tasks = yaml.safe_load((CONFIG / "tasks.yaml").read_text())
    return agents, tasks


def _squash(text: str) -> str:
    return " ".join(str(text).split())


def system_prompt(spec: dict[str, Any], roster: str | None = None) -> str:
    backstory = _squash(spec["backstory"]) + (f"\n\n{roster}" if roster else "")
    return f"You are {_squash(spec['role'])}. {backstory}\nYour personal goal is: {_squash(spec['goal'])}"


def roster_text(agents: dict[str, Any]) -> str:
    lines = ["Your team (delegate by exact role name):"]
    for key, spec in agents.items():
        if key != "manager":
            lines.append(
                f"- {_squash(spec['role'])}: {_squash(spec['goal'])} (tools: {', '.join(spec.get('tools') or [])})"
            )
    return "\n".join(lines)


def user_prompt(description: str, expected: str, context: str | None) -> str:
    text = (
        f"\nCurrent Task: {description}\n\n"
        f"This is the expected criteria for your final answer: {expected}\n"
        "you MUST return the actual complete content as the final answer, not a summary."
    )
    if context:
        text += f"\n\nThis is the context you're working with:\n{context}"
    return text


def _tool(name: str, description: str = "") -> dict[str, Any]:
    return {
        "type": "function",
        "function": {"name": name, "description": description, "parameters": {"type": "object", "properties": {}}},
    }


class Crew:
    """Runs one ticket: the manager loop, delegations to specialists, tool execution."""

    def __init__(
        self, llm: Any, agents: dict[str, Any], tasks: dict[str, Any], store: SimStore, max_iter: int = 12
    ) -> None:
        self.llm = llm
        self.agents = agents
        self.tasks = tasks
        self.store = store
        self.max_iter = max_iter
        self.llm_calls = 0
        self.specialists = {(_squash(s["role"])).casefold(): s for k, s in agents.items() if k != "manager"}
        self.trace: list[str] = []

    def _loop(self, system: str, user: str, tools: list[dict[str, Any]], execute) -> str:
        messages: list[dict[str, Any]] = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        for _ in range(self.max_iter):
            self.llm_calls += 1
            answer = self.llm.respond(messages, tools)
            if isinstance(answer, str):
                return answer
            messages.append({"role": "assistant", "content": None, "tool_calls": answer})
            for call in answer:
                arguments = json.loads(call["function"]["arguments"])
                result = execute(call["function"]["name"], arguments)
                messages.append(
                    {"role": "tool", "tool_call_id": call["id"], "name": call["function"]["name"], "content": result}
                )
        return "Agent stopped due to iteration limit"

    def run(self, inputs: dict[str, str]) -> str:
        manager = self.agents["manager"]
        roles = ", ".join(_squash(s["role"]) for k, s in self.agents.items() if k != "manager")
        tools = [
            _tool(
                "delegate_work_to_coworker",
                f"Delegate a specific task to one of the following coworkers: {roles}\n"
                "The input to this tool should be the coworker...",
            ),
            _tool("ask_question_to_coworker", f"Ask a specific question to one of the following coworkers: {roles}\n"),
        ]
        task = self.tasks["ticket_task"]
        description = task["description"].format(**inputs)
        return self._loop(
            system_prompt(manager, roster_text(self.agents)),
            user_prompt(description, task["expected_output"], None),
            tools,
            self._delegate,
        )

    def _delegate(self, name: str, arguments: dict[str, Any]) -> str:
        spec = self.specialists.get(_squash(arguments.get("coworker", "")).casefold())
        if spec is None:
            return f"Error executing tool. coworker mentioned not found: {arguments.get('coworker')}"
        self.trace.append(f"delegate -> {spec['role']}")
        tools = [_tool(t) for t in spec.get("tools") or []]
        granted = set(spec.get("tools") or [])

        def execute(tool: str, args: dict[str, Any]) -> str:
            if tool not in granted:
                return json.dumps(
                    {"error": {"code": "permission_denied", "message": f"{tool} not granted", "retryable": False}}
                )
            result = self.store.run(tool, args)
            self.trace.append(f"  {tool}({json.dumps(args)[:160]}) -> {result[:160]}")
            return result

        expected = "Your best answer to your coworker asking you this, accounting for the context shared."
        return self._loop(
            system_prompt(spec),
            user_prompt(arguments.get("task", ""), expected, arguments.get("context")),
            tools,
            execute,
        )


# --- scoring --------------------------------------------------------------------------------------


def _canonical(action: dict[str, Any]) -> str:
    kwargs = dict(action["kwargs"])
    if "new_item_ids" in kwargs:
        pairs = sorted(zip(kwargs.pop("item_ids"), kwargs.pop("new_item_ids"), strict=False))
        kwargs["pairs"] = pairs
    elif "item_ids" in kwargs:
        kwargs["item_ids"] = sorted(kwargs["item_ids"])
    return json.dumps({"name": action["name"], "kwargs": kwargs}, sort_keys=True)


def task_inputs(case: dict[str, Any], customer_id: str | None) -> dict[str, str]:
    thread = "\n".join(f"[{m['role']}] {m['body']}" for m in case.get("thread") or []) or "(none)"
    return {
        "ticket_id": case["id"],
        "channel": case.get("channel", "email"),
        "from_email": case.get("from_email") or "(not given)",
        "subject": case.get("subject") or "(none)",
        "body": case["body"],
        "thread": thread,
        "customer": customer_id or "not yet authenticated",
        "recalled": "(nothing)",
    }


def run_case(
    llm: Any, case: dict[str, Any], data: dict[str, Any], agents: dict[str, Any], tasks: dict[str, Any]
) -> dict[str, Any]:
    fresh = data
    customer_id = None
    if case.get("from_email"):
        customer_id = next(
            (uid for uid, u in fresh["users"].items() if u["email"].lower() == case["from_email"].lower()), None
        )
    store = SimStore(fresh, customer_id)
    crew = Crew(llm, agents, tasks, store)
    raw = crew.run(task_inputs(case, customer_id))
    try:
        answer = json.loads(raw)
    except ValueError:
        answer = {"outcome": "failed", "reply": raw}
    expected = case["expected"]
    reasons = []
    got_actions = sorted(_canonical(a) for a in store.writes)
    want_actions = sorted(_canonical(a) for a in expected["actions"])
    if got_actions != want_actions:
        reasons.append(f"actions: got {got_actions} want {want_actions}")
    # a write the expected actions do not hold (a rough stand-in for evaluation's wrong_writes)
    unasked = [a for a in got_actions if a not in want_actions]
    if answer.get("outcome") != expected["outcome"]:
        reasons.append(f"outcome: got {answer.get('outcome')} want {expected['outcome']}")
    reply = " ".join(str(answer.get("reply", "")).split()).lower()
    for needle in expected.get("reply_includes") or []:
        if " ".join(needle.split()).lower() not in reply:
            reasons.append(f"reply lacks {needle!r}")
    for needle in expected.get("reply_excludes") or []:
        if " ".join(needle.split()).lower() in reply:
            reasons.append(f"reply has {needle!r}")
    return {
        "id": case["id"],
        "tags": case.get("tags", []),
        "passed": not reasons,
        "reasons": reasons,
        "unasked": unasked,
        "answer": answer,
        "llm_calls": crew.llm_calls,
        "tool_calls": len(store.calls),
        "trace": crew.trace,
    }


def load_data() -> dict[str, Any]:
    """The store's records, shared by all cases (each case copies what it touches)."""
    return {name: json.loads((DATA / f"{name}.json").read_text()) for name in ("users", "orders", "products")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--show", action="append", default=[], help="print the full run of these case ids")
    parser.add_argument("--failures", action="store_true", help="print every failing case")
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args(argv)

    import core.environment  # noqa: F401  (before crewai)

    from offline_model.llm import OfflineLLM

    llm = OfflineLLM(model="offline")
    agents, tasks = load_crew()
    data = load_data()
    started = time.time()
    for path in args.files:
        cases = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
        if args.limit:
            cases = cases[: args.limit]
        by_tag: dict[str, Counter] = defaultdict(Counter)
        results = []
        for case in cases:
            result = run_case(llm, case, data, agents, tasks)
            results.append(result)
            for tag in result["tags"]:
                by_tag[tag]["total"] += 1
                by_tag[tag]["passed"] += result["passed"]
            if (args.failures and not result["passed"]) or case["id"] in args.show:
                print(f"=== {case['id']} {'PASS' if result['passed'] else 'FAIL'} {result['reasons']}")
                print(case["body"])
                print("--- trace")
                print("\n".join(result["trace"]))
                print("--- answer")
                print(json.dumps(result["answer"], indent=1)[:3000])
        passed = sum(r["passed"] for r in results)
        calls = sum(r["llm_calls"] for r in results) / max(1, len(results))
        unasked = [r["id"] for r in results if r["unasked"]]
        print(
            f"{path}: {passed}/{len(results)} = {passed / max(1, len(results)):.1%}  (llm calls/ticket {calls:.2f})"
            f"  unasked writes: {len(unasked)} {' '.join(unasked)}"
        )
        for tag, counter in sorted(by_tag.items()):
            print(f"  {tag:20s} {counter['passed']:4d}/{counter['total']:<4d}")
    print(f"elapsed {time.time() - started:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
