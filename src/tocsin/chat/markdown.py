"""Text from outside (alert messages, descriptions, notes, tags, people's names) made inert before
it goes into a chat post: it renders as the characters it is, mentions nobody and links nowhere.

Nothing is inserted that a person would copy: what they select in the rendered post, pasted back
into ``/genie``, is what the text was (decision 0027).

- Markdown specials are backslash-escaped (CommonMark renders ``\\*`` as ``*``, and the backslash is
  not in the rendered text), and so are the characters that start a list, quote or heading at the
  beginning of a line. An ``_`` between two letters or digits (``ops_team_schedule``) can open no
  emphasis, in CommonMark or in Mattermost's web renderer, and stays as it is.
- ``<``, ``>`` and ``&`` become HTML entities: Mattermost turns the Slack forms ``<!channel>``,
  ``<!here>``, ``<!all>`` and ``<url|text>`` into mentions and links on the server, whatever
  backslashes stand before them; entities it only renders.
- An ``@`` that starts a word (``@channel``, ``@here``, ``@bob``, also after ``.`` or ``-``) goes
  with its word into a code span: Mattermost looks for mentions only in plain text, never in code,
  and the code span copies as the word itself. An ``@`` inside a word (``alice@acme.com``) mentions
  nobody and stays as it is. Slack and HipChat show such a code span as plain text (in their
  formats a typed ``@here`` mentions nobody; see ``is_guarded_mention``).
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
READ_ALL = "read all in Tocsin"
"""The link after a text shortened in a post."""

_SPECIALS = frozenset("\\`*_~[]#|$")
"""``$`` for Mattermost's inline LaTeX; ``!`` needs none (an image needs ``[`` too), nor ``(``
and ``)`` (a link needs ``[`` and ``]``, always escaped)."""
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
_MENTION = re.compile(r"@[\w.\-]+")
"""What Mattermost reads as a mention where the ``@`` starts a word; the name may be followed by
``.`` or ``-`` that ends a sentence."""

_LINE_START = re.compile(r"^([ \t]*)([-+=]|\d{1,9}[.)])", re.MULTILINE)
"""What makes a line a list item or a setext heading underline."""
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)
"""An indented line after a blank one is a code block, where entities show as typed."""
_BLANKS = re.compile(r"\s+")


def _word_char(char: str) -> bool:
    """Whether ``char`` continues a word, so an ``@`` after it starts no mention."""
    return char.isalnum() or char == "_"


def _alphanumeric(char: str) -> bool:
    """An ASCII letter or digit: Mattermost's web renderer (``\\b`` in JavaScript) knows no other."""
    return char.isascii() and char.isalnum()


def _pieces(text: str) -> list[str]:
    """The escaped form of each character (or guarded mention) of ``text``, in order."""
    text = _INDENT.sub("", _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))
    starts = {match.end() - 1 for match in _LINE_START.finditer(text)}
    pieces: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        before = text[index - 1] if index else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        mention = _MENTION.match(text, index) if char == "@" and not _word_char(before) else None
        if mention:
            pieces.append(f"`{mention.group()}`")
            index = mention.end()
            continue
        if char in _ENTITIES:
            pieces.append(_ENTITIES[char])
        elif char == "_" and _alphanumeric(before) and _alphanumeric(after):
            pieces.append(char)
        elif char in _SPECIALS or index in starts:
            pieces.append("\\" + char)
        else:
            pieces.append(char)
        index += 1
    return pieces


def is_guarded_mention(code: str) -> bool:
    """Whether a code span's text is a mention ``escape`` put there to keep it inert."""
    return _MENTION.fullmatch(code) is not None


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


def shortened(text: str, *, limit: int, url: str, one_line: bool = False) -> str:
    """``text`` as ``escape`` (or ``escape_line``) gives it, within ``limit`` runes; when it had to
    be cut, it ends with a link to ``url``, where it is shown whole."""
    shape = escape_line if one_line else escape
    whole = shape(text, limit=len(_ENTITIES["&"]) * len(text) + 1)  # an escape is at most 5 runes
    if len(whole) <= limit:
        return whole
    more = f" [{READ_ALL}]({url})"
    return shape(text, limit=max(limit - len(more), len(ELLIPSIS))) + more


def plain(text: str, *, limit: int = MAX_RUNES) -> str:
    """``text`` for places shown without markdown (a notification's ``fallback``, an attachment's
    linked title, a footer): on one line, Slack's ``<...>`` forms broken (a zero-width space after
    ``<``), nothing else changed. Mattermost looks for mentions in none of these places."""
    line = _BLANKS.sub(" ", _CONTROLS.sub("", text)).strip()
    line = line.replace("<", "<" + ZERO_WIDTH_SPACE)
    return line if len(line) <= limit else line[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS
