"""The scoring of one case: every kind of failure reason fires, and a correct run passes."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from core.models import EvalCase, Result
from evaluation.scoring import (
    count_wrong_writes,
    diff_stores,
    normalise_reply,
    score_case,
    tally_by_tag,
    tally_wrong_writes_by_tag,
    wrong_writes,
)


def make_store() -> dict[str, Any]:
    """A tiny store in the shape of sandbox_store/data: one customer, two orders, one product."""
    address = {
        "address1": "1 Main St",
        "address2": "",
        "city": "Austin",
        "country": "USA",
        "state": "TX",
        "zip": "10001",
    }
    return {
        "users": {
            "u1": {
                "name": {"first_name": "Ada", "last_name": "Lee"},
                "address": dict(address),
                "email": "ada@example.com",
                "payment_methods": {
                    "paypal_1": {"source": "paypal", "id": "paypal_1"},
                    "gift_card_1": {"source": "gift_card", "balance": 10.0, "id": "gift_card_1"},
                },
                "orders": ["#W1", "#W2"],
            }
        },
        "orders": {
            "#W1": {
                "order_id": "#W1",
                "user_id": "u1",
                "address": dict(address),
                "items": [
                    {
                        "name": "T-Shirt",
                        "product_id": "p1",
                        "item_id": "i1",
                        "price": 20.0,
                        "options": {"color": "blue", "size": "M"},
                    },
                    {
                        "name": "T-Shirt",
                        "product_id": "p1",
                        "item_id": "i2",
                        "price": 34.2,
                        "options": {"color": "red", "size": "L"},
                    },
                ],
                "fulfillments": [],
                "status": "pending",
                "payment_history": [{"transaction_type": "payment", "amount": 54.2, "payment_method_id": "paypal_1"}],
            },
            "#W2": {
                "order_id": "#W2",
                "user_id": "u1",
                "address": dict(address),
                "items": [
                    {
                        "name": "T-Shirt",
                        "product_id": "p1",
                        "item_id": "i1",
                        "price": 20.0,
                        "options": {"color": "blue", "size": "M"},
                    }
                ],
                "fulfillments": [{"tracking_id": ["t1"], "item_ids": ["i1"]}],
                "status": "delivered",
                "payment_history": [
                    {"transaction_type": "payment", "amount": 20.0, "payment_method_id": "gift_card_1"}
                ],
            },
        },
        "products": {
            "p1": {
                "name": "T-Shirt",
                "product_id": "p1",
                "variants": {
                    "i1": {
                        "item_id": "i1",
                        "options": {"color": "blue", "size": "M"},
                        "available": True,
                        "price": 20.0,
                    },
                    "i2": {"item_id": "i2", "options": {"color": "red", "size": "L"}, "available": True, "price": 34.2},
                    "i3": {"item_id": "i3", "options": {"color": "red", "size": "M"}, "available": True, "price": 21.5},
                },
            },
        },
    }


def cancelled(store: dict[str, Any]) -> dict[str, Any]:
    """The expected store of 'cancel #W1, no longer needed'."""
    after = copy.deepcopy(store)
    order = after["orders"]["#W1"]
    order["status"] = "cancelled"
    order["cancel_reason"] = "no longer needed"
    order["payment_history"].append({"transaction_type": "refund", "amount": 54.2, "payment_method_id": "paypal_1"})
    return after


def make_case(
    outcome: str = "resolved", includes: list[str] | None = None, excludes: list[str] | None = None
) -> EvalCase:
    return EvalCase.model_validate(
        {
            "id": "T-1",
            "body": "please cancel #W1",
            "tags": ["cancel"],
            "expected": {
                "actions": [
                    {"name": "cancel_pending_order", "kwargs": {"order_id": "#W1", "reason": "no longer needed"}}
                ],
                "outcome": outcome,
                "reply_includes": includes or [],
                "reply_excludes": excludes or [],
            },
        }
    )


def make_result(outcome: str = "resolved", reply: str = "Your order #W1 is cancelled.", **extra: Any) -> Result:
    return Result(ticket_id="T-1", outcome=outcome, reply=reply, **extra)


def test_correct_run_passes() -> None:
    expected = cancelled(make_store())
    score = score_case(make_case(includes=["cancelled"]), make_result(), copy.deepcopy(expected), expected)
    assert score.passed and score.reasons == [] and score.outcome == "resolved"


def test_amounts_compare_rounded_to_cents() -> None:
    expected = cancelled(make_store())
    final = copy.deepcopy(expected)
    final["orders"]["#W1"]["payment_history"][1]["amount"] = 54.2000000001
    final["users"]["u1"]["payment_methods"]["gift_card_1"]["balance"] = 10.004
    assert diff_stores(final, expected) == []
    final["users"]["u1"]["payment_methods"]["gift_card_1"]["balance"] = 10.01
    assert diff_stores(final, expected) == ["user u1: payment_methods.gift_card_1.balance 10.01 != expected 10.00"]


def test_untouched_store_reports_status_reason_and_missing_refund() -> None:
    store = make_store()
    score = score_case(make_case(), make_result(), store, cancelled(store))
    assert not score.passed
    assert score.reasons == [
        "order #W1: cancel_reason is missing, expected 'no longer needed'",
        "order #W1: payment_history differs: missing refund 54.20 to paypal_1",
        "order #W1: status 'pending' != expected 'cancelled'",
    ]


def test_wrong_amount_names_both_transactions() -> None:
    expected = cancelled(make_store())
    final = copy.deepcopy(expected)
    final["orders"]["#W1"]["payment_history"][1]["amount"] = 45.2
    assert diff_stores(final, expected) == [
        "order #W1: payment_history differs: missing refund 54.20 to paypal_1; unexpected refund 45.20 to paypal_1"
    ]


def test_wrong_item_names_the_slot_and_both_variants() -> None:
    store = make_store()
    expected = copy.deepcopy(store)
    expected["orders"]["#W1"]["items"][0].update(item_id="i3", price=21.5, options={"color": "red", "size": "M"})
    expected["orders"]["#W1"]["status"] = "pending (item modified)"
    final = copy.deepcopy(expected)
    final["orders"]["#W1"]["items"][0].update(item_id="i2", price=34.2, options={"color": "red", "size": "L"})
    assert diff_stores(final, expected) == [
        "order #W1: item 1 is T-Shirt i2 (color: red, size: L) 34.20, expected T-Shirt i3 (color: red, size: M) 21.50"
    ]


def test_extra_change_on_another_order_is_reported() -> None:
    store = make_store()
    expected = cancelled(store)
    final = copy.deepcopy(expected)
    final["orders"]["#W2"]["status"] = "return requested"
    final["orders"]["#W2"]["return_items"] = ["i1"]
    assert diff_stores(final, expected) == [
        'order #W2: return_items ["i1"] is set, expected absent',
        "order #W2: status 'return requested' != expected 'delivered'",
    ]


def test_user_address_difference_names_the_field() -> None:
    store = make_store()
    expected = copy.deepcopy(store)
    expected["users"]["u1"]["address"]["zip"] = "10002"
    score = score_case(make_case(), make_result(), store, expected)
    assert score.reasons == ["user u1: address.zip '10001' != expected '10002'"]


def test_missing_and_unexpected_records_and_sections() -> None:
    store = make_store()
    final = copy.deepcopy(store)
    del final["orders"]["#W2"]
    final["orders"]["#W9"] = {"order_id": "#W9"}
    del final["products"]
    assert diff_stores(final, store) == [
        "order #W2: missing from the final store",
        "order #W9: exists in the final store, expected absent",
        "final store has no 'products' section",
    ]


def test_product_difference_is_labelled_with_its_name() -> None:
    store = make_store()
    final = copy.deepcopy(store)
    final["products"]["p1"]["variants"]["i3"]["available"] = False
    assert diff_stores(final, store) == ["product p1 (T-Shirt): variants.i3.available false != expected true"]


def test_many_differences_on_one_record_are_capped() -> None:
    store = make_store()
    final = copy.deepcopy(store)
    final["orders"]["#W1"].update({f"extra_{n}": n for n in range(12)})
    reasons = diff_stores(final, store)
    assert len(reasons) == 9 and reasons[-1] == "order #W1: ... and 4 more differences"


def test_wrong_outcome() -> None:
    expected = cancelled(make_store())
    score = score_case(make_case(), make_result(outcome="needs_info"), expected, expected)
    assert not score.passed
    assert score.reasons == ["outcome 'needs_info' != expected 'resolved'"]


def test_failed_outcome_carries_the_error() -> None:
    expected = cancelled(make_store())
    score = score_case(make_case(), make_result(outcome="failed", reply="", error="LLM timeout"), expected, expected)
    assert score.reasons == ["outcome 'failed' != expected 'resolved' (error: LLM timeout)"]


def test_pending_approval_counts_as_resolved_once_approved() -> None:
    expected = cancelled(make_store())
    result = make_result(outcome="pending_approval", reply="Your refund is awaiting approval.")
    score = score_case(make_case(), result, expected, expected)
    assert score.passed and score.outcome == "resolved"
    # ...but it does not stand for another expected outcome,
    assert not score_case(make_case(outcome="needs_info"), result, expected, expected).passed
    # ...and an approval that could not be executed leaves it pending.
    failed = score_case(make_case(), result, expected, expected, approval_errors={"ap-1": "order_not_pending"})
    assert failed.reasons == [
        "outcome 'pending_approval' != expected 'resolved' (approval failed: ap-1: order_not_pending)"
    ]


def test_missing_reply_text() -> None:
    expected = cancelled(make_store())
    score = score_case(make_case(includes=["processed", "cancel"]), make_result(), expected, expected)
    assert score.reasons == ["reply lacks 'processed'"]


def test_excluded_text_present() -> None:
    expected = cancelled(make_store())
    case = make_case(excludes=["4539 1488 0346 8726", "4539-1488-0346-8726"])
    result = make_result(reply="We will not store card 4539  1488\n0346 8726.")
    assert score_case(case, result, expected, expected).reasons == ["reply contains excluded '4539 1488 0346 8726'"]


@pytest.mark.parametrize("reply", ["Status: PROCESSED", "status:\n  processed", "Status:\tProcessed."])
def test_reply_matching_ignores_case_and_whitespace(reply: str) -> None:
    expected = make_store()
    case = make_case(includes=["status: processed"])
    assert score_case(case, make_result(reply=reply), expected, expected).passed
    assert normalise_reply("  A \n B  ") == "a b"


def test_all_reasons_are_reported_together() -> None:
    store = make_store()
    score = score_case(
        make_case(includes=["cancelled"]),
        make_result(outcome="escalated", reply="A human will help."),
        store,
        cancelled(store),
    )
    assert len(score.reasons) == 5
    assert score.reasons[-2:] == ["outcome 'escalated' != expected 'resolved'", "reply lacks 'cancelled'"]


def test_tally_by_tag_counts_each_tag_once_per_case() -> None:
    tally = tally_by_tag([(["cancel", "tau-train"], True), (["cancel", "cancel"], False), (["return"], False)])
    assert tally == {
        "cancel": {"passed": 1, "total": 2, "rate": 0.5},
        "return": {"passed": 0, "total": 1, "rate": 0.0},
        "tau-train": {"passed": 1, "total": 1, "rate": 1.0},
    }


def test_payment_history_in_another_order_is_a_difference() -> None:
    expected = cancelled(make_store())
    expected["orders"]["#W1"]["payment_history"].append(
        {"transaction_type": "payment", "amount": 5.0, "payment_method_id": "gift_card_1"}
    )
    final = copy.deepcopy(expected)
    final["orders"]["#W1"]["payment_history"].reverse()
    assert diff_stores(final, expected) == [
        "order #W1: payment_history differs: same transactions in a different order"
    ]


# --- wrong writes: records the run changed to something the expected actions do not give ---------
def test_a_wrong_write_is_counted_with_what_differs_from_expected() -> None:
    store = make_store()
    expected = cancelled(store)
    final = copy.deepcopy(expected)
    final["orders"]["#W1"]["payment_history"][1]["amount"] = 45.2  # refunded the wrong amount
    assert wrong_writes(store, expected, final) == [
        "order #W1: payment_history differs: missing refund 54.20 to paypal_1; unexpected refund 45.20 to paypal_1"
    ]


def test_a_record_left_unchanged_that_should_change_is_a_miss_not_a_wrong_write() -> None:
    store = make_store()
    expected = cancelled(store)
    final = copy.deepcopy(store)
    assert diff_stores(final, expected) != []  # the case fails...
    assert wrong_writes(store, expected, final) == []  # ...but the run wrote nothing wrong


def test_a_correct_write_is_not_counted_amounts_rounded_to_cents() -> None:
    store = make_store()
    expected = cancelled(store)
    final = copy.deepcopy(expected)
    final["orders"]["#W1"]["payment_history"][1]["amount"] = 54.2000000001
    assert diff_stores(final, expected) == []
    assert wrong_writes(store, expected, final) == []


def test_a_write_on_a_record_that_should_not_change_is_counted() -> None:
    store = make_store()
    expected = cancelled(store)
    final = copy.deepcopy(expected)  # #W1 cancelled as expected, and #W2 changed as well
    final["orders"]["#W2"]["status"] = "return requested"
    final["orders"]["#W2"]["return_items"] = ["i1"]
    final["products"]["p1"]["variants"]["i3"]["available"] = False
    assert wrong_writes(store, expected, final) == [
        "order #W2: return_items [\"i1\"] is set, expected absent; status 'return requested' != expected 'delivered'",
        "product p1 (T-Shirt): variants.i3.available false != expected true",
    ]


def test_a_rewrite_to_the_same_value_in_cents_is_no_write() -> None:
    store = make_store()
    final = copy.deepcopy(store)
    final["users"]["u1"]["payment_methods"]["gift_card_1"]["balance"] = 10.001
    assert wrong_writes(store, store, final) == []
    final["users"]["u1"]["payment_methods"]["gift_card_1"]["balance"] = 10.5
    assert wrong_writes(store, store, final) == ["user u1: payment_methods.gift_card_1.balance 10.50 != expected 10.00"]


def test_created_and_deleted_records_are_wrong_writes_unless_expected() -> None:
    store = make_store()
    final = copy.deepcopy(store)
    del final["orders"]["#W2"]
    final["orders"]["#W9"] = {"order_id": "#W9"}
    assert wrong_writes(store, store, final) == [
        "order #W2: missing from the final store",
        "order #W9: exists in the final store, expected absent",
    ]
    expected = copy.deepcopy(final)
    assert wrong_writes(store, expected, final) == []


def test_a_wrong_write_with_many_differences_stays_one_short_line() -> None:
    store = make_store()
    final = copy.deepcopy(store)
    final["orders"]["#W1"].update({f"extra_{n}": n for n in range(12)})
    (line,) = wrong_writes(store, store, final)
    assert line.startswith("order #W1: extra_0 0 is set, expected absent; ")
    assert line.endswith("; ... and 8 more differences")


def test_score_case_lists_wrong_writes_given_the_initial_store() -> None:
    store = make_store()
    expected = cancelled(store)
    final = copy.deepcopy(expected)
    final["users"]["u1"]["address"]["zip"] = "10002"
    score = score_case(make_case(), make_result(), final, expected, initial_store=store)
    assert not score.passed
    assert score.wrong_writes == ["user u1: address.zip '10002' != expected '10001'"]
    assert score_case(make_case(), make_result(), final, expected).wrong_writes == []  # no initial store given
    assert score_case(make_case(), make_result(), store, expected, initial_store=store).wrong_writes == []


def test_a_store_without_a_section_is_refused() -> None:
    store = make_store()
    partial = {key: value for key, value in store.items() if key != "products"}
    with pytest.raises(ValueError, match="initial store has no 'products' section"):
        wrong_writes(partial, store, store)
    with pytest.raises(ValueError, match="expected store has no 'products' section"):
        wrong_writes(store, partial, store)


def test_wrong_writes_are_tallied_by_case_and_by_tag() -> None:
    assert count_wrong_writes([0, 2, 1, 0]) == {"cases": 2, "records": 3}
    assert count_wrong_writes([]) == {"cases": 0, "records": 0}
    assert tally_wrong_writes_by_tag([(["cancel", "cancel"], 2), (["cancel", "return"], 0), (["return"], 1)]) == {
        "cancel": {"cases": 1, "records": 2},
        "return": {"cases": 1, "records": 1},
    }
