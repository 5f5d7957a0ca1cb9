"""What a Mattermost post shows, what a person copies from it, and what Mattermost reads as
mentions in it, found by rendering the markdown as a CommonMark client does (markdown-it), not by
Tocsin's own rendering code."""

from __future__ import annotations

import html
import re
import unicodedata

from markdown_it import MarkdownIt

_PARSER = MarkdownIt("commonmark", {"html": False})
_TAG = re.compile(r"<[^>]*>")
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")


def copied(markdown: str) -> str:
    """The text a person selects and copies from the rendered post (tags gone, entities decoded)."""
    rendered = _PARSER.render(markdown).replace("<br />\n", "\n")
    return html.unescape(_TAG.sub("", rendered)).strip("\n")


def invisible(text: str) -> list[str]:
    """Characters in ``text`` a person would copy without seeing them."""
    return [char for char in text if char in _INVISIBLE or unicodedata.category(char) == "Cf"]


def _plain_runs(markdown: str) -> list[str]:
    """The runs of plain text of the post (code, links and line breaks end a run): where
    Mattermost's server looks for mentions (``markdown.Inspect`` over text nodes)."""
    runs: list[str] = []
    for block in _PARSER.parse(markdown):
        run = ""
        for child in block.children or []:
            if child.type in ("text", "text_special"):
                run += child.content
            else:
                runs.append(run)
                run = ""
        runs.append(run)
    return [run for run in runs if run]


def _mentions_in(text: str) -> list[str]:
    """Mattermost's server mention parser (``StandardMentionParser.ProcessText``) on plain text."""
    found = []
    words = re.split(r"[^\w:.\-@]", text)
    for word in (word.lstrip(":.-_") for word in words):
        if word.startswith("@") and len(word) > 1:
            found.append(word.rstrip(".-:"))
        else:
            found.extend(part for part in re.split(r"[.\-:]", word) if part.startswith("@") and len(part) > 1)
    return found


def mentions(markdown: str) -> list[str]:
    """The ``@names`` Mattermost would notify (if such people or ``@channel``/``@here``/``@all``
    exist) for a post of ``markdown``."""
    return [mention for run in _plain_runs(markdown) for mention in _mentions_in(run)]
