"""The chat command core's replies (markdown in the small subset of ``tocsin.chat.markdown``) in the
formats of platforms that do not take markdown: Slack's mrkdwn, HipChat's notification HTML and
plain text.

The markdown is parsed by markdown-it (CommonMark, raw HTML off) and its token stream written out
again. The source's line structure is kept (the core writes one result per line): a block starts
as many lines after the previous one as it did in the source."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

from tocsin.chat.markdown import ZERO_WIDTH_SPACE, is_guarded_mention

_PARSER = MarkdownIt("commonmark", {"html": False})
_LEAVES = frozenset({"paragraph_open", "heading_open", "fence", "code_block", "hr"})
"""Blocks holding text; list items start a line too, before the paragraph inside them."""


class _Format:
    """Plain text; the other formats override what they mark up or escape."""

    newline = "\n"
    strong = ("", "")
    em = ("", "")
    rule = "———"

    def text(self, text: str) -> str:
        return text

    def code(self, text: str) -> str:
        return self.text(text)

    def block_code(self, text: str) -> str:
        return self.text(text).replace("\n", self.newline)

    def link(self, url: str, text: str) -> str:
        return text

    def render(self, markdown: str) -> str:
        out: list[str] = []
        line = 0  # the last source line written so far
        for token in _PARSER.parse(markdown):
            if token.map and (token.type in _LEAVES or token.type == "list_item_open"):
                if out and token.map[0] > line:
                    out.append(self.newline * (token.map[0] - line))
                line = token.map[0] if token.type == "list_item_open" else token.map[1] - 1
            match token.type:
                case "list_item_open":
                    out.append(f"{token.info}{token.markup} " if token.info else "• ")
                case "inline":
                    out.append(self.inline(token.children or []))
                case "fence" | "code_block":
                    out.append(self.block_code(token.content.removesuffix("\n")))
                case "heading_open" | "heading_close":
                    out.append(self.strong[token.nesting < 0])
                case "hr":
                    out.append(self.text(self.rule))
        return "".join(out)

    def inline(self, children: Sequence[Token]) -> str:
        out: list[str] = []
        links: list[tuple[str, int]] = []  # open links: their URL, where their text starts in out
        for child in children:
            match child.type:
                case "text":
                    out.append(self.text(child.content))
                case "softbreak" | "hardbreak":
                    out.append(self.newline)
                case "code_inline":
                    out.append(self.code(child.content))
                case "strong_open" | "strong_close":
                    out.append(self.strong[child.nesting < 0])
                case "em_open" | "em_close":
                    out.append(self.em[child.nesting < 0])
                case "link_open":
                    links.append((str(child.attrs.get("href", "")), len(out)))
                case "link_close":
                    url, start = links.pop()
                    out[start:] = [self.link(url, "".join(out[start:]))]
                case "image":
                    out.append(self.link(str(child.attrs.get("src", "")), self.text(child.content)))
        return "".join(out)


_SLACK_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_SLACK_MARKER = re.compile(r"(?<![A-Za-z0-9])[*_~`]|[*_~`](?![A-Za-z0-9])")
"""A formatting character Slack could read as opening or closing: one not between two letters or
digits (``ops_team_schedule`` and ``2*3`` format nothing, and people copy them as they are)."""
_SLACK_QUOTE = re.compile(r"^&gt;", re.MULTILINE)


class _Slack(_Format):
    strong = ("*", "*")
    em = ("_", "_")

    def text(self, text: str) -> str:
        # Slack has no escape for its formatting characters; one with a (zero-width) space on
        # either side opens and closes nothing, as Slack's advice for a literal "*" has it.
        escaped = _SLACK_MARKER.sub(
            lambda marker: f"{ZERO_WIDTH_SPACE}{marker.group()}{ZERO_WIDTH_SPACE}",
            text.translate(_SLACK_ESCAPES),
        )
        # "&gt;" at the start of a line is a quote in Slack.
        return _SLACK_QUOTE.sub(ZERO_WIDTH_SPACE + "&gt;", escaped)

    def code(self, text: str) -> str:
        if "`" in text or is_guarded_mention(text):
            return self.text(text)
        return f"`{text.translate(_SLACK_ESCAPES)}`"

    def block_code(self, text: str) -> str:
        return "```\n" + text.translate(_SLACK_ESCAPES).replace("```", f"``{ZERO_WIDTH_SPACE}`") + "\n```"

    def link(self, url: str, text: str) -> str:
        # markdown-it percent-encodes "|", "<" and ">" in a URL, so the first "|" ends it.
        return f"<{url.translate(_SLACK_ESCAPES)}|{text.replace(chr(10), ' ')}>" if url else text


class _HipChat(_Format):
    newline = "<br>"
    strong = ("<b>", "</b>")
    em = ("<i>", "</i>")

    def text(self, text: str) -> str:
        return html.escape(text)

    def code(self, text: str) -> str:
        # HTML notifications mention nobody: a mention kept inert for Mattermost is plain here.
        return html.escape(text) if is_guarded_mention(text) else f"<code>{html.escape(text)}</code>"

    def block_code(self, text: str) -> str:
        return f"<pre>{html.escape(text)}</pre>"

    def link(self, url: str, text: str) -> str:
        return f'<a href="{html.escape(url)}">{text}</a>' if url else text


def slack_mrkdwn(markdown: str) -> str:
    """``markdown`` in Slack's mrkdwn: ``*bold*``, ``_italic_``, ``<url|text>``, code, "• " items;
    ``&``, ``<``, ``>`` of text as entities, so nothing in it becomes a mention or a link."""
    return _Slack().render(markdown)


def hipchat_html(markdown: str) -> str:
    """``markdown`` as HipChat notification HTML (no ``<p>``): ``<b>``, ``<i>``, ``<a href>``,
    ``<code>``, ``<pre>``, lines joined by ``<br>``, items as "• " lines, all text escaped."""
    return _HipChat().render(markdown)


def plain_text(markdown: str) -> str:
    """What a person reads of ``markdown``: markup gone, links as their text, entities decoded."""
    return _Format().render(markdown)
