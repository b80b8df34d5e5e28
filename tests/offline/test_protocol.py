"""Reading CrewAI's messages (native tool calling and text/ReAct) and writing its answers."""

from __future__ import annotations

import json

from offline_model.protocol import ToolCall, native_tool_calls, read_conversation, text_final_answer, text_tool_call

SYSTEM = "You are Order Specialist. Knows orders.\nYour personal goal is: handle orders"
USER = (
    '\nCurrent Task: Request 1 [cancel order; orders #W1]: "cancel #W1"\n\n'
    "This is the expected criteria for your final answer: Your best answer.\n"
    "you MUST return the actual complete content as the final answer, not a summary.\n\n"
    "This is the context you're working with:\nResolve support ticket T-1."
)


def _tool(name: str) -> dict:
    return {"type": "function", "function": {"name": name, "description": f"{name} tool", "parameters": {}}}


def test_native_conversation_pairs_calls_with_results():
    messages = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": USER},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": native_tool_calls(
                [
                    ToolCall("get_order_details", {"order_id": "#W1"}),
                    ToolCall("get_customer_details", {"customer_id": "c"}),
                ],
                0,
            ),
        },
        {"role": "tool", "tool_call_id": "call_2", "name": "get_customer_details", "content": '{"customer_id": "c"}'},
        {
            "role": "tool",
            "tool_call_id": "call_1",
            "name": "get_order_details",
            "content": '{"error": {"code": "order_not_found", "message": "no", "retryable": false}}',
        },
    ]
    conv = read_conversation(messages, [_tool("get_order_details"), _tool("get_customer_details")])
    assert conv.agent_role == "Order Specialist" and not conv.is_manager
    assert conv.task.startswith("Request 1 [cancel order") and conv.context == "Resolve support ticket T-1."
    order, customer = conv.exchanges
    assert order.arguments == {"order_id": "#W1"} and order.error["code"] == "order_not_found"
    assert customer.ok and customer.data == {"customer_id": "c"}


def test_text_conversation_reads_actions_and_observations():
    system = (
        SYSTEM + "\nTool Name: get_order_details\nTool Arguments: {}\nTool Description: Read an order\n\n"
        "IMPORTANT: Use the following format"
    )
    messages = [
        {"role": "system", "content": system},
        {"role": "user", "content": USER},
        {
            "role": "assistant",
            "content": text_tool_call(ToolCall("get_order_details", {"order_id": "#W1"}), "look")
            + '\nObservation: {"status": "pending"}',
        },
        {"role": "user", "content": "Analyze the tool result."},
    ]
    conv = read_conversation(messages, None)
    assert not conv.native and conv.tool_names == ["get_order_details"]
    (exchange,) = conv.exchanges
    assert exchange.data == {"status": "pending"}


def test_answers_in_both_protocols():
    calls = native_tool_calls(
        [ToolCall("cancel_pending_order", {"order_id": "#W1", "reason": "ordered by mistake"})], 3
    )
    assert (
        calls[0]["id"] == "call_4" and json.loads(calls[0]["function"]["arguments"])["reason"] == "ordered by mistake"
    )
    assert text_final_answer('{"a": 1}').endswith('Final Answer: {"a": 1}')
