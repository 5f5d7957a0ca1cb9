"""Text from outside shown in chat posts renders as the characters it is: no mentions, no
formatting, no links, and never longer than Mattermost takes."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from tocsin.chat.markdown import MAX_RUNES, ZERO_WIDTH_SPACE, escape, escape_line, plain

LIVE_MENTION = re.compile(r"@(?!\u200b)")


def rendered(markdown: str) -> str:
    """What a CommonMark renderer shows for escaped text: backslash escapes and entities
    resolved (the zero-width space is there, but shows as nothing)."""
    unescaped = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)
    return html.unescape(unescaped).replace(ZERO_WIDTH_SPACE, "")


def test_mentions_of_everyone_and_of_people_are_broken():
    for text in ("@channel", "@here please look", "@all", "ping @bob and @ann", "ada@example.com"):
        escaped = escape(text)
        assert not LIVE_MENTION.search(escaped), escaped
        assert rendered(escaped) == text
    assert escape("@channel") == "@\u200bchannel"


def test_slack_style_announcements_and_links_are_neutralised():
    escaped = escape("<!channel> <!here> <!all> <https://evil.example|click me>")
    assert "<" not in escaped and ">" not in escaped
    assert "&lt;!channel&gt;" in escaped
    assert "&lt;https://evil.example\\|click me&gt;" in escaped
    assert rendered(escaped) == "<!channel> <!here> <!all> <https://evil.example|click me>"


def test_formatting_links_and_code_render_literally():
    assert escape("**bold** _it_ ~~gone~~") == "\\*\\*bold\\*\\* \\_it\\_ \\~\\~gone\\~\\~"
    assert escape("[x](javascript:alert(1))") == "\\[x\\]\\(javascript:alert\\(1\\)\\)"
    assert escape("run `rm -rf /`") == "run \\`rm -rf /\\`"
    assert escape("a | b") == "a \\| b"
    assert escape("C:\\temp") == "C:\\\\temp"


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
    assert rendered(escaped) == text


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs"))))
def test_whatever_the_text_it_renders_as_itself_and_mentions_nobody(text):
    escaped = escape(text)
    # Blanks that start a line are dropped on purpose: CommonMark would not show them either.
    assert rendered(escaped) == re.sub(r"^[ \t]+", "", text, flags=re.MULTILINE)
    assert not LIVE_MENTION.search(escaped)
    assert "<" not in escaped


def test_long_text_is_cut_to_the_limit_without_breaking_an_escape():
    assert len(escape("x" * 20000)) == MAX_RUNES
    assert escape("x" * 20000).endswith("…")
    cut = escape("&" * 5000, limit=3000)
    assert len(cut) <= 3000 and re.fullmatch(r"(&amp;)+…", cut)
    assert re.fullmatch(r"(@\u200b)+…", escape("@" * 100, limit=51))
    assert escape("short", limit=10) == "short"


def test_one_line_contexts_collapse_line_breaks_and_control_characters_go():
    assert escape_line("disk\nfull\r\n\ton   db-1 ") == "disk full on db-1"
    assert escape("bell\x07 and nul\x00") == "bell and nul"
    assert escape("two\r\nlines") == "two\nlines"


def test_plain_text_for_notifications_breaks_mentions_and_slack_forms_only():
    shown = plain("[P1] #12 @channel <!here> **disk**\nfull")
    assert shown == "[P1] #12 @\u200bchannel <\u200b!here> **disk** full"
    assert "<!here>" not in shown and not LIVE_MENTION.search(shown)
    assert len(plain("y" * 500, limit=100)) == 100
