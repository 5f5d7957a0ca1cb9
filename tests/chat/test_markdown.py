"""Text from outside shown in chat posts renders as the characters it is: no mentions, no
formatting, no links, never longer than Mattermost takes, and what a person copies from the post
is the text itself (no invisible characters)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from tests.chat.rendered_text import copied, invisible, mentions
from tocsin.chat.markdown import MAX_RUNES, escape, escape_line, plain


def test_mentions_of_everyone_and_of_people_notify_nobody_and_copy_as_typed():
    for text in ("@channel", "@here please look", "@all", "ping @bob and @ann.", "see.@all", "x-@here"):
        assert mentions(text), text  # the check sees them unescaped
        escaped = escape(text)
        assert mentions(escaped) == [], escaped
        assert copied(escaped) == text
        assert not invisible(escaped)
    assert escape("@channel") == "`@channel`"


def test_addresses_and_names_are_left_as_they_are():
    for text in ("alice@acme.com", "ops_team_schedule", "db-1.prod", "disk (db1) 98%", "a_1_b"):
        assert escape(text) == text
        assert copied(escape(text)) == text


def test_slack_style_announcements_and_links_are_neutralised():
    escaped = escape("<!channel> <!here> <!all> <https://evil.example|click me>")
    assert "<" not in escaped and ">" not in escaped
    assert "&lt;!channel&gt;" in escaped
    assert "&lt;https://evil.example\\|click me&gt;" in escaped
    assert copied(escaped) == "<!channel> <!here> <!all> <https://evil.example|click me>"


def test_formatting_links_and_code_render_literally():
    assert escape("**bold** _it_ ~~gone~~") == "\\*\\*bold\\*\\* \\_it\\_ \\~\\~gone\\~\\~"
    assert escape("[x](javascript:alert(1))") == "\\[x\\](javascript:alert(1))"
    assert escape("run `rm -rf /`") == "run \\`rm -rf /\\`"
    assert escape("a | b") == "a \\| b"
    assert escape("C:\\temp") == "C:\\\\temp"
    assert escape("_private __dunder__ x_") == "\\_private \\_\\_dunder\\_\\_ x\\_"
    for text in ("**bold** _it_", "[x](javascript:alert(1))", "a_b_ c", "snake_case_ *x*"):
        assert copied(escape(text)) == text
        assert "<em>" not in escape(text) and "<a" not in escape(text)


def test_lines_cannot_become_headings_quotes_lists_or_rules():
    text = "# Heading\n> quoted\n- item\n+ item\n12. numbered\n3) other\n===\n---\nplain - text"
    escaped = escape(text)
    assert escaped.split("\n") == [
        "\\# Heading",
        "&gt; quoted",
        "\\- item",
        "\\+ item",
        "12\\. numbered",
        "3\\) other",
        "\\===",
        "\\---",
        "plain - text",
    ]
    assert copied(escaped) == text


def _reads(text: str) -> str:
    """``text`` with every run of blanks one space: CommonMark drops blanks at the ends of lines."""
    return " ".join(text.split())


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_whatever_the_text_it_copies_as_itself_and_mentions_nobody(text):
    escaped = escape(text)
    # Control characters go on purpose (a carriage return is a line break).
    meant = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text.replace("\r", "\n"))
    assert _reads(copied(escaped)) == _reads(meant)
    assert mentions(escaped) == []
    assert "<" not in escaped
    assert len(invisible(escaped)) == len(invisible(text))


def test_long_text_is_cut_to_the_limit_without_breaking_an_escape():
    assert len(escape("x" * 20000)) == MAX_RUNES
    assert escape("x" * 20000).endswith("…")
    cut = escape("&" * 5000, limit=3000)
    assert len(cut) <= 3000 and re.fullmatch(r"(&amp;)+…", cut)
    assert re.fullmatch(r"(`@ab` )*`@ab`…", escape("@ab " * 100, limit=51))
    assert escape("short", limit=10) == "short"


def test_one_line_contexts_collapse_line_breaks_and_control_characters_go():
    assert escape_line("disk\nfull\r\n\ton   db-1 ") == "disk full on db-1"
    assert escape("bell\x07 and nul\x00") == "bell and nul"
    assert escape("two\r\nlines") == "two\nlines"


def test_plain_text_for_notifications_breaks_slack_forms_only():
    shown = plain("[P1] #12 @channel <!here> **disk**\nfull alice@acme.com")
    assert shown == "[P1] #12 @channel <\u200b!here> **disk** full alice@acme.com"
    assert "<!here>" not in shown
    assert len(plain("y" * 500, limit=100)) == 100
