"""Memory through the whole program, with the offline model: a preference stated in one ticket is
used in the customer's next ticket (run by a new process: memory survives a restart), and another
customer's ticket gets nothing of it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from core.settings import PROJECT_ROOT

RAJ = "raj.sanchez2046@example.com"  # raj_sanchez_2970: a Mastercard and a gift card


def _kickoff(data_dir: Path, tmp_path: Path, ticket: dict) -> dict:
    path = tmp_path / f"{ticket['id']}.json"
    path.write_text(json.dumps(ticket))
    done = subprocess.run(
        [
            sys.executable,
            str(PROJECT_ROOT / "main.py"),
            "--data-dir",
            str(data_dir),
            "kickoff",
            "--ticket",
            str(path),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PROJECT_ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_preference_is_recalled_for_the_same_customer_only(tmp_path) -> None:
    data_dir = tmp_path / "data"
    first = _kickoff(
        data_dir,
        tmp_path,
        {
            "id": "M-1",
            "from_email": RAJ,
            "body": "Hi, from now on I want all my refunds to go to my gift card. Please return the Notebook "
            "from order #W7736708. Thanks, Raj",
        },
    )
    assert first["outcome"] == "resolved", first
    [return_action] = first["actions"]
    gift_card = return_action["arguments"]["payment_method_id"]
    assert gift_card.startswith("gift_card_")

    # A new process: the ticket does not repeat the preference, memory supplies it.
    second = _kickoff(
        data_dir,
        tmp_path,
        {
            "id": "M-2",
            "from_email": RAJ,
            "body": "Hello, I'd like to return the Wireless Earbuds from order #W1067251. Raj Sanchez",
        },
    )
    [action] = second["actions"]
    assert action["name"] == "return_delivered_order_items"
    assert action["arguments"]["payment_method_id"] == gift_card  # not the order's Mastercard

    # Another customer with a delivered order and a gift card: their refund goes back to the
    # original payment method; nothing of Raj's preference reaches them.
    orders = json.loads((PROJECT_ROOT / "sandbox_store/data/orders.json").read_text())
    users = json.loads((PROJECT_ROOT / "sandbox_store/data/users.json").read_text())
    other_order = next(
        o
        for o in orders.values()
        if o["status"] == "delivered"
        and o["user_id"] != "raj_sanchez_2970"
        and len(o["items"]) == 1
        and o["payment_history"][0]["payment_method_id"].startswith("credit_card_")
        and any(m["source"] == "gift_card" for m in users[o["user_id"]]["payment_methods"].values())
    )
    other = users[other_order["user_id"]]
    third = _kickoff(
        data_dir,
        tmp_path,
        {
            "id": "M-3",
            "from_email": other["email"],
            "body": f"Hi, please return the {other_order['items'][0]['name']} from order {other_order['order_id']}.",
        },
    )
    [action] = third["actions"]
    assert action["arguments"]["payment_method_id"] == other_order["payment_history"][0]["payment_method_id"]

    shown = subprocess.run(
        [
            sys.executable,
            str(PROJECT_ROOT / "main.py"),
            "--data-dir",
            str(data_dir),
            "memory",
            "show",
            other_order["user_id"],
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PROJECT_ROOT,
    )
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert "gift card" not in shown.stdout.lower()
