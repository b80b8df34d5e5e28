"""Scoring one evaluation case (CONTRACTS §4): pure functions, no I/O.

A case passes when (1) the final store equals the expected store, (2) the outcome matches, and
(3) the reply holds every `reply_includes` string and no `reply_excludes` string. Every failed
check becomes a short reason a developer can act on without opening the stores, e.g.
"order #W123: status 'pending' != expected 'cancelled'"."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.models import EvalCase, Result

STORE_SECTIONS = ("users", "orders", "products")
MAX_REASONS_PER_RECORD = 8
MAX_DIFFERENCES_PER_WRONG_WRITE = 4  # a wrong write is one short line


@dataclass(frozen=True)
class CaseScore:
    passed: bool
    reasons: list[str] = field(default_factory=list)
    outcome: str = ""  # the outcome as scored (pending_approval turned resolved once approved)
    wrong_writes: list[str] = field(default_factory=list)  # records changed to what was not expected


# --- normalisation -------------------------------------------------------------------------------
def round_amounts(value: Any) -> Any:
    """The store compared as JSON with amounts rounded to cents: every float rounded to 2 places."""
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, Mapping):
        return {key: round_amounts(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [round_amounts(item) for item in value]
    return value


def normalise_reply(text: str) -> str:
    """Case-insensitive, whitespace-collapsed form used for reply_includes / reply_excludes."""
    return " ".join(text.split()).casefold()


def _show(value: Any) -> str:
    """A compact, readable rendering of a stored value for a reason line."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, float):
        return f"{value:.2f}"
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


# --- store comparison ----------------------------------------------------------------------------
def _diff_values(path: str, actual: Any, expected: Any) -> list[str]:
    """Field-level differences below one record, as 'path actual != expected' lines."""
    if actual == expected:
        return []
    if isinstance(actual, Mapping) and isinstance(expected, Mapping):
        lines: list[str] = []
        for key in sorted(set(actual) | set(expected), key=str):
            sub = f"{path}.{key}" if path else str(key)
            if key not in expected:
                lines.append(f"{sub} {_show(actual[key])} is set, expected absent")
            elif key not in actual:
                lines.append(f"{sub} is missing, expected {_show(expected[key])}")
            else:
                lines.extend(_diff_values(sub, actual[key], expected[key]))
        return lines
    return [f"{path} {_show(actual)} != expected {_show(expected)}"]


def _transaction(entry: Any) -> str:
    if isinstance(entry, Mapping) and {"transaction_type", "amount", "payment_method_id"} <= set(entry):
        direction = "to" if entry["transaction_type"] == "refund" else "from"
        amount = entry["amount"]
        amount_text = f"{amount:.2f}" if isinstance(amount, (int, float)) else _show(amount)
        return f"{entry['transaction_type']} {amount_text} {direction} {entry['payment_method_id']}"
    return _show(entry)


def _diff_payment_history(actual: list[Any], expected: list[Any]) -> list[str]:
    """Transactions as a multiset: say which are missing or extra, not which index moved."""

    def canonical(entries: list[Any]) -> Counter[str]:
        return Counter(json.dumps(entry, sort_keys=True) for entry in entries)

    have, want = canonical(actual), canonical(expected)
    parts = [f"missing {_transaction(json.loads(entry))}" for entry in (want - have).elements()]
    parts += [f"unexpected {_transaction(json.loads(entry))}" for entry in (have - want).elements()]
    if not parts:
        parts = ["same transactions in a different order"]
    return ["payment_history differs: " + "; ".join(parts)]


def _item(entry: Any) -> str:
    if isinstance(entry, Mapping) and "item_id" in entry:
        options = entry.get("options") or {}
        option_text = ", ".join(f"{key}: {value}" for key, value in options.items())
        price = entry.get("price")
        price_text = f" {price:.2f}" if isinstance(price, (int, float)) else ""
        return f"{entry.get('name', 'item')} {entry['item_id']} ({option_text}){price_text}"
    return _show(entry)


def _diff_items(actual: list[Any], expected: list[Any]) -> list[str]:
    """Items keep their positions when modified, so compare slot by slot when the counts agree."""
    if len(actual) == len(expected):
        return [
            f"item {index + 1} is {_item(have)}, expected {_item(want)}"
            for index, (have, want) in enumerate(zip(actual, expected, strict=False))
            if have != want
        ]
    have = Counter(_item(entry) for entry in actual)
    want = Counter(_item(entry) for entry in expected)
    parts = [f"missing {entry}" for entry in (want - have).elements()]
    parts += [f"unexpected {entry}" for entry in (have - want).elements()]
    return [f"items differ ({len(actual)} != expected {len(expected)}): " + "; ".join(parts)]


_LIST_FIELDS = {"payment_history": _diff_payment_history, "items": _diff_items}


def _diff_record(actual: Mapping[str, Any], expected: Mapping[str, Any]) -> list[str]:
    lines: list[str] = []
    for key in sorted(set(actual) | set(expected)):
        if key in actual and key in expected and actual[key] == expected[key]:
            continue
        special = _LIST_FIELDS.get(key)
        if special and isinstance(actual.get(key), list) and isinstance(expected.get(key), list):
            lines.extend(special(actual[key], expected[key]))
        elif key not in expected:
            lines.append(f"{key} {_show(actual[key])} is set, expected absent")
        elif key not in actual:
            lines.append(f"{key} is missing, expected {_show(expected[key])}")
        else:
            lines.extend(_diff_values(key, actual[key], expected[key]))
    return lines


def _record_label(section: str, key: str, record: Any) -> str:
    if section == "orders":
        return f"order {key}"
    if section == "users":
        return f"user {key}"
    name = record.get("name") if isinstance(record, Mapping) else None
    return f"product {key} ({name})" if name else f"product {key}"


def _cap(lines: list[str], limit: int) -> list[str]:
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], f"... and {len(lines) - limit} more differences"]


def diff_stores(final_store: Mapping[str, Any], expected_store: Mapping[str, Any]) -> list[str]:
    """Readable differences between two stores ({users, orders, products}), amounts rounded to
    cents. An empty list means the stores are equal as JSON."""
    reasons: list[str] = []
    for section in STORE_SECTIONS:
        if section not in expected_store:
            raise ValueError(f"expected store has no {section!r} section (keys: {sorted(expected_store)})")
        if section not in final_store:
            reasons.append(f"final store has no {section!r} section")
            continue
        actual, expected = final_store[section], expected_store[section]
        if actual == expected:  # the common case, and far cheaper than rounding ~1,500 records
            continue
        for key in sorted(set(actual) | set(expected)):
            have, want = actual.get(key), expected.get(key)
            if have == want:
                continue
            have, want = round_amounts(have), round_amounts(want)
            if have == want:
                continue
            label = _record_label(section, key, want if want is not None else have)
            reasons.extend(f"{label}: {line}" for line in _record_differences(have, want, MAX_REASONS_PER_RECORD))
    return reasons


def _record_differences(have: Any, want: Any, limit: int) -> list[str]:
    """What differs between one record as stored (`have`) and as expected (`want`), both already
    rounded, None for an absent record; at most `limit` lines and a count of the rest."""
    if want is None:
        return ["exists in the final store, expected absent"]
    if have is None:
        return ["missing from the final store"]
    if isinstance(have, Mapping) and isinstance(want, Mapping):
        return _cap(_diff_record(have, want) or ["differs"], limit)
    return [f"{_show(have)} != expected {_show(want)}"]


def wrong_writes(
    initial_store: Mapping[str, Any], expected_store: Mapping[str, Any], final_store: Mapping[str, Any]
) -> list[str]:
    """The records the run changed to something the expected actions do not give: a record whose
    final value differs both from the fresh (initial) store and from the expected store. One line
    per record, naming it and what differs from expected, e.g. "order #W2: status 'return
    requested' != expected 'delivered'".

    A record the run left as it was is never a wrong write, even when it should have changed
    (that is a miss, which diff_stores reports); nor is a record changed exactly as expected.
    Records are keyed and compared as in diff_stores (amounts rounded to cents). A section the
    final store lacks is skipped (diff_stores reports it)."""
    lines: list[str] = []
    for section in STORE_SECTIONS:
        for name, store in (("initial", initial_store), ("expected", expected_store)):
            if section not in store:
                raise ValueError(f"{name} store has no {section!r} section (keys: {sorted(store)})")
        if section not in final_store:
            continue
        before, expected, after = initial_store[section], expected_store[section], final_store[section]
        if after == before:  # the run wrote nothing here: the common case, and cheap
            continue
        for key in sorted(set(before) | set(after)):  # a record in neither was never written
            have, old = after.get(key), before.get(key)
            if have == old:
                continue
            want = expected.get(key)
            if have == want:
                continue
            have, old, want = round_amounts(have), round_amounts(old), round_amounts(want)
            if have in (old, want):
                continue
            label = _record_label(section, key, want if want is not None else have)
            lines.append(f"{label}: " + "; ".join(_record_differences(have, want, MAX_DIFFERENCES_PER_WRONG_WRITE)))
    return lines


# --- outcome and reply ---------------------------------------------------------------------------
def scored_outcome(result: Result, approval_errors: Mapping[str, str]) -> str:
    """pending_approval counts as resolved once its approvals are approved (CONTRACTS §4.2); an
    approval that could not be executed leaves it pending."""
    if result.outcome == "pending_approval" and not approval_errors:
        return "resolved"
    return result.outcome


def outcome_reasons(case: EvalCase, result: Result, approval_errors: Mapping[str, str]) -> list[str]:
    outcome = scored_outcome(result, approval_errors)
    if outcome == case.expected.outcome:
        return []
    reason = f"outcome {outcome!r} != expected {case.expected.outcome!r}"
    if approval_errors:
        reason += (
            " (approval failed: "
            + "; ".join(f"{approval_id}: {error}" for approval_id, error in sorted(approval_errors.items()))
            + ")"
        )
    elif result.outcome == "failed" and result.error:
        reason += f" (error: {result.error})"
    elif result.outcome == "escalated" and result.escalation is not None:
        reason += f" (escalation: {result.escalation.reason})"
    return [reason]


def reply_reasons(case: EvalCase, reply: str) -> list[str]:
    text = normalise_reply(reply)
    reasons = [
        f"reply lacks {wanted!r}" for wanted in case.expected.reply_includes if normalise_reply(wanted) not in text
    ]
    reasons += [
        f"reply contains excluded {banned!r}"
        for banned in case.expected.reply_excludes
        if normalise_reply(banned) in text
    ]
    return reasons


def score_case(
    case: EvalCase,
    result: Result,
    final_store: Mapping[str, Any],
    expected_store: Mapping[str, Any],
    *,
    approval_errors: Mapping[str, str] | None = None,
    initial_store: Mapping[str, Any] | None = None,
) -> CaseScore:
    """Score one run. `approval_errors` maps approval ids that could not be executed when the
    harness approved them to the error; such an approval does not turn pending into resolved.
    `initial_store` is the fresh store the run started from: with it, the score lists the run's
    wrong writes (without it, none are looked for). A wrong write is also a store difference, so
    it already fails the case; the list says which differences the run wrote."""
    errors = dict(approval_errors or {})
    reasons = (
        diff_stores(final_store, expected_store)
        + outcome_reasons(case, result, errors)
        + reply_reasons(case, result.reply)
    )
    written = [] if initial_store is None else wrong_writes(initial_store, expected_store, final_store)
    return CaseScore(passed=not reasons, reasons=reasons, outcome=scored_outcome(result, errors), wrong_writes=written)


def pass_rate(passed: int, total: int) -> float:
    return round(passed / total, 4) if total else 0.0


def tally_by_tag(cases: Iterable[tuple[Iterable[str], bool]]) -> dict[str, dict[str, float]]:
    """{tag: {passed, total, rate}} over (tags, passed) pairs; a case counts once per tag it has."""
    totals: Counter[str] = Counter()
    passes: Counter[str] = Counter()
    for tags, passed in cases:
        for tag in dict.fromkeys(tags):
            totals[tag] += 1
            passes[tag] += int(passed)
    return {
        tag: {"passed": passes[tag], "total": totals[tag], "rate": pass_rate(passes[tag], totals[tag])}
        for tag in sorted(totals)
    }


def count_wrong_writes(records: Iterable[int]) -> dict[str, int]:
    """{cases, records} over each case's number of wrong writes: the cases with at least one, and
    the wrong writes in all."""
    counts = [count for count in records if count]
    return {"cases": len(counts), "records": sum(counts)}


def tally_wrong_writes_by_tag(cases: Iterable[tuple[Iterable[str], int]]) -> dict[str, dict[str, int]]:
    """{tag: {cases, records}} over (tags, number of wrong writes) pairs; every tag appears, a case
    counts once per tag it has."""
    by_tag: dict[str, list[int]] = {}
    for tags, count in cases:
        for tag in dict.fromkeys(tags):
            by_tag.setdefault(tag, []).append(count)
    return {tag: count_wrong_writes(by_tag[tag]) for tag in sorted(by_tag)}
