"""The core's markdown replies as Slack and HipChat show them: the core's own markup (bold, code,
lists, its links) comes through, one line per line of the reply, and text from outside stays inert:
no mention, no link, no tag it did not ask for."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.chat.conftest import BASE_URL, Chat, raise_alert
from tocsin.actors import SYSTEM
from tocsin.alerts.service import AlertRef, find_alert
from tocsin.chat.alert_card import follow_up_text
from tocsin.chat.command_types import UsageError
from tocsin.chat.help import code, help_text, usage_text
from tocsin.chat.markdown import ZERO_WIDTH_SPACE, escape
from tocsin.chat.rendering import hipchat_html, plain_text, slack_mrkdwn
from tocsin.db import Database

HOSTILE = [
    "<!channel>",
    "<!here|here>",
    "*bold*",
    "_it_ ~gone~",
    "[x](http://evil)",
    "@here",
    "&amp;",
    "a|b>c",
    "<https://evil.test|click>",
    "**loud** `code` #1",
]
SLACK_LINK = re.compile(r"<([^<>|]*)\|([^<>]*)>")
HIPCHAT_TAG = re.compile(r"</?([a-z]+)")


def slack_reads(mrkdwn: str) -> str:
    """The characters Slack shows of mrkdwn text (its three entities decoded, zero-width spaces
    invisible), formatting aside."""
    text = mrkdwn.replace(ZERO_WIDTH_SPACE, "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def hipchat_tags(html: str) -> set[str]:
    return set(HIPCHAT_TAG.findall(html))


def test_the_list_of_commands_keeps_its_lines_bold_headings_code_and_items():
    markdown = help_text(None)
    lines = markdown.split("\n")

    slack = slack_mrkdwn(markdown).split("\n")
    assert len(slack) == len(lines)
    assert slack[1] == "*Alerts*"
    assert slack[2].startswith("• `/genie ack [tinyID tinyID2..]` Acknowledge alerts.")
    assert "**" not in "".join(slack) and "- `" not in "".join(slack)

    hipchat = hipchat_html(markdown)
    assert hipchat.count("<br>") == len(lines) - 1
    assert "<b>Alerts</b><br>• <code>/genie ack [tinyID tinyID2..]</code> Acknowledge alerts." in hipchat
    assert hipchat_tags(hipchat) == {"b", "br", "code"}

    plain = plain_text(markdown).split("\n")
    assert plain[1] == "Alerts"
    assert plain[2].startswith("• /genie ack [tinyID tinyID2..] Acknowledge alerts.")
    assert not any(mark in "".join(plain) for mark in ("`", "**"))


def test_help_on_a_family_keeps_the_blank_line_between_commands():
    markdown = help_text("list")
    assert "\n\n" in markdown
    assert slack_mrkdwn(markdown).split("\n\n") == [slack_mrkdwn(part) for part in markdown.split("\n\n")]
    assert "</code><br><br><b>/genie list integrations</b>" in hipchat_html(markdown)
    assert plain_text(help_text("ack")).split("\n") == [
        "/genie ack Acknowledge alerts.",
        "/genie ack [tinyID tinyID2..]",
        "TinyIds are written 12 or #12, separated by spaces or commas; at most 50.",
        "Examples: /genie ack 1 2 3, /genie ack 1",
    ]


def test_a_usage_error_with_outside_text_in_a_code_span():
    markdown = usage_text(UsageError(f"{code('<!channel> `x`')} is not a number.", command="ack"))

    slack = slack_mrkdwn(markdown).split("\n")
    assert slack[0].startswith("*/genie ack*: ") and "<" not in slack[0]
    assert slack_reads(slack[0]) == "*/genie ack*: <!channel> `x` is not a number."
    assert slack[1:] == ["Usage: `/genie ack [tinyID tinyID2..]`", "Example: `/genie ack 1 2 3`"]

    assert hipchat_html(markdown) == (
        "<b>/genie ack</b>: <code>&lt;!channel&gt; `x`</code> is not a number.<br>"
        "Usage: <code>/genie ack [tinyID tinyID2..]</code><br>Example: <code>/genie ack 1 2 3</code>"
    )


def test_code_spans_keep_their_text_and_escape_for_slack():
    assert slack_mrkdwn("`a <b> & c`") == "`a &lt;b&gt; &amp; c`"
    assert slack_reads(slack_mrkdwn(code("a`b"))) == "a`b"
    assert slack_mrkdwn("```\nif a < b:\n    go()\n```") == "```\nif a &lt; b:\n    go()\n```"
    assert hipchat_html("```\nif a < b:\n    go()\n```") == "<pre>if a &lt; b:\n    go()</pre>"


def test_emphasis_links_and_line_breaks():
    markdown = "**b** *i* _j_ [docs](https://tocsin.test/docs?a=1&b=2)  \nnext\\\nlast"
    assert slack_mrkdwn(markdown) == "*b* _i_ _j_ <https://tocsin.test/docs?a=1&amp;b=2|docs>\nnext\nlast"
    assert hipchat_html(markdown) == (
        '<b>b</b> <i>i</i> <i>j</i> <a href="https://tocsin.test/docs?a=1&amp;b=2">docs</a><br>next<br>last'
    )
    assert plain_text(markdown) == "b i j docs\nnext\nlast"


def test_the_connect_reply_links_to_its_authentication_page(chat: Chat):
    reply = chat.run("connect", as_user="zed")
    (link,) = reply.links
    assert link.text == "Authenticate in Tocsin" and link.url.startswith(BASE_URL)

    assert SLACK_LINK.findall(slack_mrkdwn(reply.text)) == [(link.url.replace("&", "&amp;"), link.text)]
    assert f'<a href="{link.url.replace("&", "&amp;")}">Authenticate in Tocsin</a> to connect' in (
        hipchat_html(reply.text)
    )
    assert plain_text(reply.text).startswith("Authenticate in Tocsin to connect your Mattermost account.")


def _follow_up(db: Database, tiny_id: int, event: dict[str, Any]) -> str:
    with db.read_session() as session:
        alert = find_alert(session, AlertRef(str(tiny_id), "tiny"), SYSTEM)
        return follow_up_text(session, alert, event, base_url=BASE_URL)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_follow_up_about_a_hostile_alert_links_only_to_the_alert(chat: Chat, db: Database, hostile: str):
    tiny_id = raise_alert(db, f"disk full {hostile} on db1")
    markdown = _follow_up(db, tiny_id, {"action": "Acknowledge", "by": hostile})

    slack = slack_mrkdwn(markdown)
    ((url, text),) = SLACK_LINK.findall(slack)
    assert url.startswith(f"{BASE_URL}/") and text == f"#{tiny_id}"
    # Slack mentions only in its <!here>, <@U123> forms: a typed "@here" reads as text.
    assert slack.count("<") == 1 and "<!" not in slack and "<@" not in slack
    shown = slack_reads(SLACK_LINK.sub(r"\2", slack))
    assert shown == f"#{tiny_id} disk full {hostile} on db1 acknowledged by {hostile}"

    hipchat = hipchat_html(markdown)
    assert hipchat_tags(hipchat) == {"a"} and hipchat.count("<a ") == 1
    assert plain_text(markdown).replace(ZERO_WIDTH_SPACE, "") == shown


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_inside_a_link_keeps_the_link_whole(hostile: str):
    markdown = f"**{escape(hostile)}** [{escape(hostile)}](https://tocsin.test/alert/1)"

    slack = slack_mrkdwn(markdown)
    ((url, text),) = SLACK_LINK.findall(slack)
    assert url == "https://tocsin.test/alert/1" and slack_reads(text) == hostile
    assert slack.count("<") == slack.count(">") == 1 and slack.endswith(">")

    hipchat = hipchat_html(markdown)
    assert hipchat_tags(hipchat) == {"a", "b"}
    ((href, anchored),) = re.findall(r'<a href="([^"]*)">(.*?)</a>', hipchat)
    assert href == "https://tocsin.test/alert/1"
    assert html.unescape(anchored).replace(ZERO_WIDTH_SPACE, "") == hostile


def test_slack_formatting_characters_of_outside_text_open_nothing():
    slack = slack_mrkdwn(escape("*bold* _it_ ~gone~ `code` > quote"))
    assert not re.search(rf"[^{ZERO_WIDTH_SPACE}][*_~`]|[*_~`][^{ZERO_WIDTH_SPACE}]", slack)
    assert slack_reads(slack) == "*bold* _it_ ~gone~ `code` > quote"


OUTSIDE_TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n\t "))


def _reads(text: str) -> str:
    """``text`` with zero-width spaces gone and every run of whitespace one space: markdown
    drops blanks at the ends of lines and blank lines between paragraphs."""
    return " ".join(text.replace(ZERO_WIDTH_SPACE, "").split())


@given(OUTSIDE_TEXT)
def test_escaped_text_reads_as_itself(text: str):
    markdown = escape(text)
    assert _reads(plain_text(markdown)) == _reads(text)
    assert slack_reads(slack_mrkdwn(markdown)) == plain_text(markdown).replace(ZERO_WIDTH_SPACE, "")


@given(OUTSIDE_TEXT)
def test_escaped_text_makes_no_tags_or_slack_links(text: str):
    markdown = escape(text)
    assert "<" not in hipchat_html(markdown).replace("<br>", "")
    assert "<" not in slack_mrkdwn(markdown) and ">" not in slack_mrkdwn(markdown)
