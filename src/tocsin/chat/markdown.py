"""Text from outside (alert messages, descriptions, notes, tags, people's names) made inert before
it goes into a chat post: it renders as the characters it is, mentions nobody and links nowhere.

- Markdown specials are backslash-escaped (CommonMark renders ``\\*`` as ``*``), and so are
  the characters that start a list, quote or heading at the beginning of a line.
- ``<``, ``>`` and ``&`` become HTML entities: Mattermost turns the Slack forms ``<!channel>``,
  ``<!here>``, ``<!all>`` and ``<url|text>`` into mentions and links on the server, whatever
  backslashes stand before them; entities it only renders.
- Every ``@`` is followed by a zero-width space (U+200B), which breaks ``@channel``, ``@all``,
  ``@here`` and any ``@name`` while reading the same.
- Leading blanks of lines go (CommonMark drops them from paragraphs anyway; indented after a
  blank line, a line would become a code block that shows ``&lt;`` as typed).
- Control characters go; lengths are capped, so one long field cannot push a post over
  Mattermost's limit (16383 runes; 4000 on very old databases)."""

from __future__ import annotations

import re

MAX_RUNES = 16383
"""The most a Mattermost post may hold (``PostMessageMaxRunesV2``); Python counts runes alike."""
POST_TEXT_LIMIT = 4000
"""What a post's text is kept within: every Mattermost database takes it (``V1`` limit)."""
ELLIPSIS = "…"
ZERO_WIDTH_SPACE = "\u200b"

_SPECIALS = frozenset("\\`*_~[]()#|$")
"""``$`` for Mattermost's inline LaTeX; ``!`` needs none (an image needs ``[`` too)."""
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
_LINE_START = re.compile(r"^([ \t]*)([-+=]|\d{1,9}[.)])", re.MULTILINE)
"""What makes a line a list item or a setext heading underline."""
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)
"""An indented line after a blank one is a code block, where entities show as typed."""
_BLANKS = re.compile(r"\s+")


def _pieces(text: str) -> list[str]:
    """The escaped form of each character of ``text``, in order."""
    text = _INDENT.sub("", _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))
    starts = {match.end() - 1 for match in _LINE_START.finditer(text)}
    pieces = []
    for index, char in enumerate(text):
        if char in _ENTITIES:
            pieces.append(_ENTITIES[char])
        elif char in _SPECIALS or index in starts:
            pieces.append("\\" + char)
        elif char == "@":
            pieces.append("@" + ZERO_WIDTH_SPACE)
        else:
            pieces.append(char)
    return pieces


def _joined(pieces: list[str], limit: int) -> str:
    """The pieces, or as many as fit within ``limit`` runes with an ellipsis after them; an
    escape is never cut in half."""
    if sum(len(piece) for piece in pieces) <= limit:
        return "".join(pieces)
    kept, used = [], len(ELLIPSIS)
    for piece in pieces:
        if used + len(piece) > limit:
            break
        kept.append(piece)
        used += len(piece)
    return "".join(kept).rstrip() + ELLIPSIS


def escape(text: str, *, limit: int = MAX_RUNES) -> str:
    """``text`` to show in markdown as it is (line breaks kept), at most ``limit`` runes."""
    return _joined(_pieces(text), limit)


def escape_line(text: str, *, limit: int = MAX_RUNES) -> str:
    """Like ``escape``, for one line: runs of blanks and line breaks become one space."""
    return escape(_BLANKS.sub(" ", text).strip(), limit=limit)


def plain(text: str, *, limit: int = MAX_RUNES) -> str:
    """``text`` for places shown without markdown (a notification's ``fallback``, an attachment's
    linked title, a footer): on one line, mentions broken, Slack's ``<...>`` forms broken (a
    zero-width space after ``<``), nothing else changed."""
    line = _BLANKS.sub(" ", _CONTROLS.sub("", text)).strip()
    line = line.replace("@", "@" + ZERO_WIDTH_SPACE).replace("<", "<" + ZERO_WIDTH_SPACE)
    return line if len(line) <= limit else line[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS
