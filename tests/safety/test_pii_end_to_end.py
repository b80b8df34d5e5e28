"""PII end to end: a corpus of tickets carrying card numbers (plain, spaced, dashed), national ids,
phone numbers, IBANs and secrets runs through the whole runner with the real offline model, wrapped
to record every message it receives. No protected value, in any spacing, may appear in a model
prompt, a memory record (through the memory API and in the raw ChromaDB collections), a trace
line, a reply, a Result, or any other file the run wrote under the data directory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import PrivateAttr

from core.models import Result, Ticket
from core.settings import Settings
from memory.chroma_store import get_chroma_client
from memory.customer_memory import open_customer_memory
from offline_model.llm import OfflineLLM
from runner.ticket_run import open_environment, run_ticket
from safety.pii import contains_value

# (ticket, protected values). Values are written the way they are searched: contains_value matches
# digit values in any spacing or dashing; alphanumeric ones as written (so both forms are listed).
CORPUS: list[tuple[dict[str, Any], list[str]]] = [
    (
        {
            "id": "PII-1",
            "from_email": "harper.silva1192@example.com",
            "subject": "Order status",
            "body": "Hi, in case you need it to look me up, my card number is 4539 1488 0346 8726 (cvv 123). "
            "Could you tell me the status of my order #W3323013?\n\nThanks,\nHarper Silva",
        },
        ["4539148803468726"],
    ),
    (
        {
            "id": "PII-2",
            "body": "Hello, my name is Yara Sanchez, zip 19093. I want to buy the Smart Thermostat for "
            "Apple HomeKit in white. How much is it? You can charge my card 4716293055165490, "
            "exp 09/27.\n\nYara",
        },
        ["4716293055165490"],
    ),
    (
        {
            "id": "PII-3",
            "from_email": "harper.silva1192@example.com",
            "subject": "Call me on 415-555-2671",
            "body": "Me again about order #W3323013. My SSN is 536-22-1234 if you need to verify me, and you can "
            "reach me on my mobile (415) 555-2671. Is it delivered?",
        },
        ["536-22-1234", "4155552671"],
    ),
    (
        {
            "id": "PII-4",
            "from_email": "james.li4495@example.com",
            "subject": "Shipping question",
            "body": "Which of my orders has shipped? I paid #W4435622 with my Amex 3714-496353-98431 and the other one "
            "with my Mastercard 5555-5555-5555-4444.\n\nJames Li",
        },
        ["371449635398431", "5555555555554444"],
    ),
    (
        {
            "id": "PII-5",
            "from_email": "noah.brown7922@example.com",
            "subject": "Refund details",
            "body": "Where is my order #W7678072? If a refund is ever due, please send it to my IBAN "
            "DE89 3704 0044 0532 0130 00. My mobile: +44 20 7946 0958.",
        },
        ["370400440532013000", "DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "442079460958"],
    ),
    (
        {
            "id": "PII-6",
            "from_email": "emma.ito3790@example.com",
            "subject": "Login trouble",
            "body": "My account password is Gr33nTea!Moon and the one-time code = 845512 did not work. Anyway, what is "
            "the status of order #W8664580?",
        },
        ["Gr33nTea!Moon", "845512"],
    ),
    (
        {
            "id": "PII-7",
            "from_email": "aarav.anderson9752@example.com",
            "subject": "Re: my orders",
            "body": "Any news on order #W9300146?",
            "thread": [
                {
                    "role": "customer",
                    "body": "For the record my DNI is 12345678Z, NI number AB 12 34 56 C, "
                    "and refunds can go to GB82WEST12345698765432. Card 4012 8888 8888 "
                    "1881.",
                },
                {"role": "agent", "body": "Thanks, we are looking into it."},
            ],
        },
        ["12345678Z", "AB 12 34 56 C", "AB123456C", "GB82WEST12345698765432", "12345698765432", "4012888888881881"],
    ),
    (
        {
            "id": "PII-8",
            "from_email": "ivan.santos3158@example.com",
            "subject": "Human please",
            "body": "I want to speak to a human about order #W8770097. Call me at 212-555-0199 and use the card "
            "4111 1111 1111 1111 for any difference.",
        },
        ["2125550199", "4111111111111111"],
    ),
]
PLACEHOLDERS = ("[CARD_1]", "[PHONE_1]", "[NATIONAL_ID_1]", "[IBAN_1]", "[SECRET_1]")


class RecordingOfflineLLM(OfflineLLM):
    """The offline model, unchanged, with every message and tool schema it is sent kept as text."""

    _seen: list[str] = PrivateAttr(default_factory=list)

    def call(
        self,
        messages,
        tools=None,
        callbacks=None,
        available_functions=None,
        from_task=None,
        from_agent=None,
        response_model=None,
    ):
        self._seen.append(
            json.dumps(messages, default=str, ensure_ascii=False)
            + json.dumps(tools or [], default=str, ensure_ascii=False)
        )
        return super().call(messages, tools, callbacks, available_functions, from_task, from_agent, response_model)


class Run:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.results: list[Result] = []
        self.prompts: list[str] = []
        self.memory: dict[str, list[str]] = {}
        self.chroma: list[str] = []


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    from runner import ticket_run

    data_dir = tmp_path_factory.mktemp("pii-e2e")
    recorded = Run(data_dir)
    models: list[RecordingOfflineLLM] = []

    def make_llm(name: str, native_tools: bool = True, **options: object) -> RecordingOfflineLLM:
        models.append(RecordingOfflineLLM(model="offline", native_tools=native_tools))
        return models[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ticket_run, "make_llm", make_llm)
        with open_environment(Settings(data_dir=data_dir, faults="", api_url=None)) as env:
            for ticket, _ in CORPUS:
                recorded.results.append(run_ticket(Ticket.model_validate(ticket), env))
            memory = open_customer_memory(data_dir)
            for customer in {r.customer_id for r in recorded.results if r.customer_id}:
                recorded.memory[customer] = [
                    json.dumps(record.model_dump(mode="json"), default=str) for record in memory.show(customer)
                ]
            client = get_chroma_client(data_dir)
            for collection in client.list_collections():
                found = client.get_collection(collection.name).get(include=["documents", "metadatas"])
                recorded.chroma += [str(d) for d in found.get("documents") or []]
                recorded.chroma += [json.dumps(m, default=str) for m in found.get("metadatas") or []]
    recorded.prompts = [text for model in models for text in model._seen]
    return recorded


def _leaks(texts: dict[str, str]) -> list[str]:
    return [
        f"{value!r} ({ticket['id']}) in {where}"
        for where, text in texts.items()
        for ticket, values in CORPUS
        for value in values
        if contains_value(text, value)
    ]


def test_the_corpus_really_ran(run: Run) -> None:
    """Not vacuous: every ticket ran, the model saw the placeholders, memory and traces were written."""
    assert [r.outcome for r in run.results if r.outcome == "failed"] == []
    assert all(r.reply for r in run.results)
    assert len(run.prompts) >= 2 * len(CORPUS)
    seen = "\n".join(run.prompts)
    assert [p for p in PLACEHOLDERS if p not in seen] == []
    assert sum(len(records) for records in run.memory.values()) >= len(run.memory) >= 5
    assert len(run.chroma) >= 5
    traces = sorted((run.data_dir / "traces").glob("*.jsonl"))
    assert {t.stem for t in traces} == {ticket["id"] for ticket, _ in CORPUS}
    assert any(r.escalation is not None for r in run.results)  # an escalation summary was written too


def test_no_protected_value_reaches_the_model(run: Run) -> None:
    assert _leaks({f"model prompt {i}": text for i, text in enumerate(run.prompts)}) == []


def test_no_protected_value_in_memory(run: Run) -> None:
    texts = {f"memory of {customer}": "\n".join(records) for customer, records in run.memory.items()}
    texts["raw ChromaDB collections"] = "\n".join(run.chroma)
    assert _leaks(texts) == []


def test_no_protected_value_in_traces(run: Run) -> None:
    texts = {
        f"{path.name} line {n}": line
        for path in sorted((run.data_dir / "traces").glob("*.jsonl"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
    }
    assert texts and _leaks(texts) == []


def test_no_protected_value_in_replies_or_results(run: Run) -> None:
    texts = {f"reply of {r.ticket_id}": r.reply for r in run.results}
    texts |= {f"result of {r.ticket_id}": r.model_dump_json() for r in run.results}
    assert _leaks(texts) == []


def test_no_protected_value_in_any_file_of_the_data_directory(run: Run) -> None:
    """Whatever else the run wrote (approvals, ticket state, journal, CrewAI's own storage, ChromaDB's
    files, the store): read as bytes, no value in any spacing."""
    texts = {
        str(path.relative_to(run.data_dir)): path.read_bytes().decode("latin-1")
        for path in run.data_dir.rglob("*")
        if path.is_file()
    }
    assert len(texts) >= 5 and _leaks(texts) == []
