"""The latest message of a thread answering the earlier one: a message that declines or corrects
what was asked before leaves the earlier request unwritten."""

from __future__ import annotations

from offline_model.playbooks.manager import ticket_reading
from offline_model.understanding import thread_answers
from offline_model.understanding.ticket import TicketView, parse_ticket, split_quoted

EARLIER = "Please send my order with the desk lamp to 12 Oak Lane, Springfield, IL 62704."


def test_an_answer_that_keeps_or_takes_back_declines() -> None:
    assert thread_answers.declines("Thinking about it more, we'll keep the order as it is. Thanks for waiting!")
    assert thread_answers.declines("Please disregard my last message, it was meant for someone else.")
    assert thread_answers.declines("I'm still thinking about the kettle, please don't touch it yet.")
    assert not thread_answers.declines("Yes, that's right, please go ahead.")


def test_an_answer_that_corrects_the_earlier_words() -> None:
    assert thread_answers.corrects("Close - it's 21 Oak Lane, not 12.", EARLIER)
    assert thread_answers.corrects("Sorry, there was a typo in the zip code.", EARLIER)
    # less than was asked: 'only the lamp for now'
    assert thread_answers.corrects("Only the lamp for now, the rest I'll decide next week.", EARLIER)
    # 'not' before words the earlier message never said corrects nothing
    assert thread_answers.corrects("Yes please, and not a day later than Friday.", EARLIER) is None


def test_a_correcting_answer_leaves_the_earlier_request_unread() -> None:
    ticket = TicketView(body="Almost: the house is number 21, not 12.", thread=[("customer", EARLIER)])
    reading = ticket_reading(ticket)
    assert reading.writes and not reading.understood
    confirmed = TicketView(body="Yes, that's the right address.", thread=[("customer", EARLIER)])
    assert ticket_reading(confirmed).understood


def test_a_declining_answer_asks_for_nothing() -> None:
    ticket = TicketView(body="On second thought we'll keep that order after all.", thread=[("customer", EARLIER)])
    assert not ticket_reading(ticket).writes


def test_quoted_lines_are_an_earlier_message() -> None:
    body = "> Please cancel my order with the kettle.\n\nPlease ignore that, it was sent by mistake."
    own, quoted = split_quoted(body)
    assert own == "Please ignore that, it was sent by mistake."
    assert quoted == "Please cancel my order with the kettle."
    assert split_quoted("> only a quote") == ("> only a quote", "")


def test_quoted_lines_are_never_read_as_a_request() -> None:
    task = (
        "Resolve support ticket T1.\n<ticket>\nChannel: email\nFrom: a@example.com\nSubject: (none)\nMessage:\n"
        "> We can return the lamp and the kettle for you - shall we go ahead?\n\n"
        "Thanks, I'll think about it.\n</ticket>"
    )
    view = parse_ticket(task)
    assert view.thread == [("quoted", "We can return the lamp and the kettle for you - shall we go ahead?")]
    assert "return the lamp" in view.customer_text  # still read for injections and refusals
    assert not ticket_reading(view).writes
