"""The offline model inside a real CrewAI hierarchical crew (native and text tool calling), with
tools answering from the simulated store: delegation, tool calls and the final answer all go
through CrewAI's own executor."""

from __future__ import annotations

import json
from typing import Any

import core.environment  # noqa: F401  (before crewai)

import pytest
from crewai import Agent, Crew, Process, Task
from crewai.tools import BaseTool
from pydantic import Field, create_model

from offline_model.devtools.simulate import SimStore, load_data, roster_text
from offline_model.llm import OfflineLLM
from offline_model.schema import TicketResolution

_FIELDS: dict[str, dict[str, Any]] = {
    "find_customer_by_email": {"email": (str, ...)},
    "find_customer_by_name_zip": {"first_name": (str, ...), "last_name": (str, ...), "zip": (str, ...)},
    "get_customer_details": {"customer_id": (str, ...)},
    "get_order_details": {"order_id": (str, ...)},
    "cancel_pending_order": {"order_id": (str, ...), "reason": (str, ...)},
    "return_delivered_order_items": {
        "order_id": (str, ...),
        "item_ids": (list[str], ...),
        "payment_method_id": (str, ...),
    },
    "escalate_to_human": {"reason": (str, ...), "priority": (str, ...), "summary": (str, ...)},
}


def _tool(name: str, store: SimStore) -> BaseTool:
    schema = create_model(f"{name}_args", **{k: (t, Field(description=k)) for k, (t, _) in _FIELDS[name].items()})

    class StoreTool(BaseTool):
        def _run(self, **kwargs: Any) -> str:
            return store.run(self.name, kwargs)

    return StoreTool(name=name, description=f"The store's {name} operation.", args_schema=schema)


def _crew(store: SimStore, llm: OfflineLLM, ticket_task: str, roster: bool = True) -> Crew:
    specs = {
        "order_specialist": {
            "role": "Order Specialist",
            "goal": "Handle order status questions and cancellations of pending orders.",
            "backstory": "Knows the order lifecycle.",
            "tools": [
                "find_customer_by_email",
                "find_customer_by_name_zip",
                "get_customer_details",
                "get_order_details",
                "cancel_pending_order",
                "escalate_to_human",
            ],
        },
        "returns_specialist": {
            "role": "Returns Specialist",
            "goal": "Handle returns of items from delivered orders.",
            "backstory": "Knows returns.",
            "tools": [
                "find_customer_by_email",
                "find_customer_by_name_zip",
                "get_customer_details",
                "get_order_details",
                "return_delivered_order_items",
                "escalate_to_human",
            ],
        },
    }
    manager = Agent(
        role="Support Manager",
        goal="Resolve tickets by delegating.",
        llm=llm,
        allow_delegation=True,
        backstory="Leads the desk." + ("\n\n" + roster_text({"manager": {}, **specs}) if roster else ""),
        max_iter=8,
    )
    specialists = [
        Agent(
            role=s["role"],
            goal=s["goal"],
            backstory=s["backstory"],
            llm=llm,
            allow_delegation=False,
            max_iter=8,
            tools=[_tool(t, store) for t in s["tools"]],
        )
        for s in specs.values()
    ]
    task = Task(
        description=ticket_task,
        expected_output="A JSON object with outcome, reply, escalation, internal_summary.",
        output_pydantic=TicketResolution,
    )
    return Crew(agents=specialists, tasks=[task], process=Process.hierarchical, manager_agent=manager, verbose=False)


def _ticket_task(body: str, from_email: str = "(not given)", customer: str = "not yet authenticated") -> str:
    return (
        f"Resolve support ticket T-1.\n<ticket>\nChannel: email\nFrom: {from_email}\nSubject: (none)\n"
        f"Message:\n{body}\n"
        f"Earlier messages in this thread (oldest first):\n(none)\n</ticket>\nAuthenticated customer: {customer}\n"
        "Recalled about this customer and similar tickets:\n(nothing)\n\nHandle every request in the message."
    )


@pytest.mark.parametrize("native,roster", [(True, True), (False, True), (False, False)])
def test_return_through_crewai(native, roster, tmp_path, monkeypatch):
    """Native tool calling with the team roster, and CrewAI's text protocol with and without it
    (the plain baseline: coworkers known only by role name)."""
    monkeypatch.setenv("CREWAI_STORAGE_DIR", str(tmp_path))
    store = SimStore(load_data(), None)
    llm = OfflineLLM(model="offline", native_tools=native)
    body = (
        "Hi, I'm Omar Anderson, zip 19031. Could you set up a return for the Electric Kettle and the Wall Clock "
        "in order #W6067464? Please put the refund on my Mastercard ending in 4300."
    )
    output = _crew(store, llm, _ticket_task(body), roster).kickoff()
    resolution = output.pydantic
    assert isinstance(resolution, TicketResolution)
    (write,) = store.writes
    assert write["name"] == "return_delivered_order_items"
    assert sorted(write["kwargs"]["item_ids"]) == ["8917609800", "9624127908"]
    assert write["kwargs"]["payment_method_id"] == "credit_card_4190576"
    assert resolution.outcome == "resolved"
    assert "Mastercard ending in 4300" in resolution.reply
    assert llm.get_token_usage_summary().prompt_tokens > 0


def test_same_conversation_same_answer():
    llm = OfflineLLM(model="offline")
    messages = [
        {
            "role": "system",
            "content": "You are Support Manager. Leads.\n\n"
            + roster_text(
                {
                    "manager": {},
                    "o": {
                        "role": "Order Specialist",
                        "goal": "cancellations",
                        "tools": ["cancel_pending_order", "get_order_details"],
                    },
                }
            )
            + "\nYour personal goal is: resolve",
        },
        {
            "role": "user",
            "content": "\nCurrent Task: "
            + _ticket_task("Please cancel #W2631563, I ordered it by mistake.", customer="mei_ahmed_4909"),
        },
    ]
    tools = [
        {
            "type": "function",
            "function": {
                "name": n,
                "description": "Delegate a specific task to one of the following coworkers: Order Specialist\n",
                "parameters": {},
            },
        }
        for n in ("delegate_work_to_coworker", "ask_question_to_coworker")
    ]
    first = llm.call(json.loads(json.dumps(messages)), tools=tools)
    second = llm.call(json.loads(json.dumps(messages)), tools=tools)
    assert first == second
    arguments = json.loads(first[0]["function"]["arguments"])
    assert arguments["coworker"] == "Order Specialist" and "#W2631563" in arguments["task"]
