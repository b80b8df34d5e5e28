"""Adding a specialist is a YAML edit: declared in a temporary agents.yaml with existing tools, it
is built, listed by the manager as a coworker, and can be delegated to — no Python change."""

from __future__ import annotations

import json

import yaml

from core.models import Ticket
from core.settings import Settings
from runner.ticket_run import open_environment, run_ticket
from tools.customers import IDENTIFY_TOOLS

LOYALTY = {
    "role": "Loyalty Specialist",
    "goal": "Answer questions about gift card balances and store credit.",
    "backstory": "You know every payment method a customer holds.",
    "tools": ["find_customer_by_email", "get_customer_details", "get_payment_methods"],
}


def test_new_specialist_is_built_listed_and_delegated_to(tmp_path, config_copy, scripted_model) -> None:
    agents_file = config_copy / "agents.yaml"
    agents = yaml.safe_load(agents_file.read_text())
    agents["loyalty_specialist"] = LOYALTY
    agents_file.write_text(yaml.safe_dump(agents, sort_keys=False))
    settings = Settings(data_dir=tmp_path / "data", config_dir=config_copy)

    def balance_reply(call):
        customer = call.tool_results()[-1]
        cards = [m for m in customer["payment_methods"] if m["source"] == "gift_card"]
        return f"Gift card balance: {cards[0]['balance']:.2f}" if cards else "No gift card."

    model = scripted_model(
        {
            "Support Manager": [
                # Full context: the manager hands over its whole task (ticket + authenticated customer).
                lambda call: [
                    (
                        "delegate_work_to_coworker",
                        {
                            "task": "Tell the customer their gift card balance",
                            "context": next(m["content"] for m in call.messages if m["role"] == "user"),
                            "coworker": "Loyalty Specialist",
                        },
                    )
                ],
                lambda call: json.dumps(
                    {
                        "outcome": "resolved",
                        "reply": call.messages[-1]["content"],
                        "escalation": None,
                        "internal_summary": "balance",
                    }
                ),
            ],
            "Loyalty Specialist": [
                lambda call: [("get_customer_details", {"customer_id": _bound_customer(call)})],
                balance_reply,
            ],
        }
    )
    ticket = Ticket(id="T-loyalty", from_email="mia.garcia2723@example.com", body="What is my gift card balance?")
    with open_environment(settings) as env:
        result = run_ticket(ticket, env)

    manager_call = model.calls[0]
    manager_system = manager_call.messages[0]["content"]
    assert "Loyalty Specialist" in manager_system  # in the team roster written from the YAML
    assert result.agents == ["Loyalty Specialist"]
    assert result.outcome == "resolved"
    assert "gift card" in result.reply.lower()  # the specialist read the real payment methods
    loyalty_tools = {name for call in model.calls if call.agent == "Loyalty Specialist" for name in call.tools}
    # its YAML grant, less identification: the intake already authenticated the verified sender
    assert loyalty_tools == set(LOYALTY["tools"]) - IDENTIFY_TOOLS


def _bound_customer(call) -> str:
    """The customer the runner authenticated from the verified sender (in the task text)."""
    user = next(m["content"] for m in call.messages if m["role"] == "user")
    for line in user.splitlines():
        if "Authenticated customer:" in line:
            return line.split(":", 1)[1].split()[0]  # "<customer_id> (<full name>)"
    raise AssertionError("the delegated task does not carry the authenticated customer")


def test_offline_model_sends_the_readme_example_to_the_yaml_specialist_and_answers_from_its_tools(
    tmp_path, config_copy
) -> None:
    """The README's own example, with the offline model: a question of no built-in kind goes to the
    coworker whose role and goal fit it, which answers with the figure its tool read."""
    agents_file = config_copy / "agents.yaml"
    agents = yaml.safe_load(agents_file.read_text())
    agents["loyalty_specialist"] = {**LOYALTY, "tools": [*LOYALTY["tools"], "find_customer_by_name_zip"]}
    agents_file.write_text(yaml.safe_dump(agents, sort_keys=False))
    settings = Settings(data_dir=tmp_path / "data", config_dir=config_copy)
    ticket = Ticket(
        id="T-loyalty-offline",
        from_email="anya.garcia2061@example.com",
        body="Hi! What's the balance left on my gift card?",
    )
    with open_environment(settings) as env:
        result = run_ticket(ticket, env)
    assert result.agents == ["Loyalty Specialist"]
    assert result.outcome == "resolved", result.reply
    assert "$51.00" in result.reply  # the gift card's balance in the store (users.json)
    assert result.actions == []
