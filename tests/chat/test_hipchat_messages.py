"""HipChat's 10000 characters: a long answer loses whole lines at its end (its HTML stays whole),
one line too long alone becomes cut plain text, and either is a body the fake HipChat takes."""

from __future__ import annotations

from tests.fakes.hipchat_model import MAX_MESSAGE, body_problem, read_html
from tocsin.chat.platforms.hipchat_messages import capped, notification, private_message
from tocsin.chat.replies import Reply


def test_a_long_answer_keeps_whole_lines_and_says_it_was_cut() -> None:
    markdown = "\n".join(
        f"- **#{number}** [Disk & CPU](http://tocsin.test/alerts/{number})" for number in range(900)
    )

    shown = capped(markdown)

    assert len(shown) <= MAX_MESSAGE
    assert shown.endswith("<br>…")
    last_line = shown.split("<br>")[-2]
    assert last_line.startswith("• <b>#") and last_line.endswith("</a>")
    assert "Disk & CPU" in read_html(shown)


def test_one_line_too_long_becomes_cut_plain_text() -> None:
    shown = capped("**" + "&amp;" * 5000 + "**")

    assert len(shown) <= MAX_MESSAGE and shown.endswith("…")
    assert "<b>" not in shown and not shown[:-1].endswith("&amp")
    assert set(read_html(shown)[:-1]) == {"&"}


def test_answers_are_bodies_hipchat_takes() -> None:
    long_reply = Reply("\n".join(["a line of an answer"] * 2000), in_channel=True)
    assert body_problem(notification(long_reply), notification=True) is None
    assert body_problem(private_message(Reply("help")), notification=False) is None
    assert notification(Reply("x")) | {"message": ""} == {
        "message": "",
        "message_format": "html",
        "color": "yellow",
        "notify": False,
        "from": "Tocsin",
    }
