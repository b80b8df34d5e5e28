"""Reading tickets: every bad line is named by file, line number and field, and skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intake.ticket_io import JsonlFileError, read_results, read_tickets


def write_lines(path: Path, lines: list[str | bytes]) -> Path:
    path.write_bytes(b"\n".join(line if isinstance(line, bytes) else line.encode() for line in lines) + b"\n")
    return path


def test_bad_lines_are_reported_with_line_and_field_and_skipped(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "tickets.jsonl",
        [
            json.dumps({"id": "T-1", "body": "Where is my order?"}),
            json.dumps({"id": "T-2"}),  # 2: body missing
            "",  # blank lines are ignored
            '{"id": "T-3", "body": "hi",',  # 4: truncated JSON
            json.dumps(["not", "an", "object"]),  # 5
            json.dumps({"id": "bad id!", "body": "x"}),  # 6: id pattern
            json.dumps({"id": "T-1", "body": "again"}),  # 7: repeated id
            b'{"id": "T-8", "body": "caf\xe9"}',  # 8: not UTF-8
            json.dumps({"id": "T-9", "body": "Cancel please", "channel": "fax"}),  # 9: bad channel
            json.dumps({"id": "T-10", "body": "Thanks", "thread": [{"role": "agent"}], "x": 1}),  # 10
            json.dumps({"id": "T-11", "body": "Fine", "custom": {"kept": True}}),
        ],
    )
    loaded = read_tickets(path)

    assert [t.id for t in loaded.tickets] == ["T-1", "T-11"]
    assert loaded.line_of == {"T-1": 1, "T-11": 11}
    assert loaded.tickets[1].model_extra == {"custom": {"kept": True}}
    messages = [str(e) for e in loaded.errors]
    assert messages[0] == "tickets.jsonl:2: body: Field required"
    assert messages[1].startswith("tickets.jsonl:4: not valid JSON (")
    assert messages[2] == "tickets.jsonl:5: expected a JSON object, got list"
    assert messages[3].startswith("tickets.jsonl:6: id: String should match pattern")
    assert messages[4] == "tickets.jsonl:7: id: 'T-1' repeats line 1; skipped"
    assert messages[5].startswith("tickets.jsonl:8: not UTF-8")
    assert messages[6].startswith("tickets.jsonl:9: channel: Input should be 'email', 'chat' or 'web'")
    assert messages[7] == "tickets.jsonl:10: thread.0.body: Field required"
    assert len(messages) == 8


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(JsonlFileError, match=r"cannot read .*nope.jsonl"):
        read_tickets(tmp_path / "nope.jsonl")


def test_results_file_lines_that_are_not_results(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "out.jsonl",
        [
            json.dumps({"ticket_id": "T-1", "outcome": "resolved", "reply": "ok"}),
            json.dumps({"ticket_id": "T-2", "outcome": "maybe", "reply": "?"}),
        ],
    )
    results, errors = read_results(path)
    assert [r.ticket_id for r in results] == ["T-1"]
    assert len(errors) == 1 and str(errors[0]).startswith("out.jsonl:2: outcome: Input should be")
