"""Regular expressions that cannot hang the server.

Two defences: at parse time, patterns are length-capped and any pattern with nested repetition
(a repeated group that itself contains an unbounded repetition, like ``(a+)+`` or ``(.*a){20}``)
is refused, since backtracking over it can take exponential time; at match time, every match
runs with a timeout, so anything the check misses (``(a|a)*``, back-references) still stops, and
a timeout counts as no match."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import regex

MAX_PATTERN_LENGTH = 500
MATCH_TIMEOUT_SECONDS = 0.05

log = logging.getLogger(__name__)

NESTED_REPETITION = (
    "nested repetition can take exponential time; {what} (near position {position}). "
    "Repeat a single item instead, e.g. 'a+' rather than '(a+)+'"
)


class UnsafePattern(ValueError):
    """Why a pattern is refused, in words for whoever wrote it."""


def compile_pattern(pattern: str) -> regex.Pattern[str]:
    """Compile ``pattern`` or raise UnsafePattern saying what is wrong with it."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise UnsafePattern(f"the pattern is {len(pattern)} characters long; at most {MAX_PATTERN_LENGTH}")
    try:
        compiled = regex.compile(pattern)
    except regex.error as error:
        raise UnsafePattern(f"not a valid regular expression: {error}") from None
    check_repetition(pattern)
    return compiled


def full_match(compiled: regex.Pattern[str], text: str) -> bool:
    """Whether ``text`` matches as a whole; a match that runs out of time counts as none."""
    try:
        return compiled.fullmatch(text, timeout=MATCH_TIMEOUT_SECONDS) is not None
    except TimeoutError:
        log.warning("regular expression %r timed out on a %d-character value", compiled.pattern, len(text))
        return False


@dataclass
class _Group:
    start: int
    unbounded: bool = False
    """Contains a repetition without upper bound (``*``, ``+``, ``{n,}``)."""
    variable: bool = False
    """Contains a repetition of varying count above one (``{1,5}``), or an unbounded one."""
    last: tuple[bool, bool] | None = field(default=None)
    """(unbounded, variable) of the last item, for a quantifier that follows it."""


def check_repetition(pattern: str) -> None:
    """Refuse a repeated item that contains a repetition which can match in many ways: a group
    repeated more than once containing an unbounded repetition (``(a+)+``, ``(a*)*``,
    ``(.*a){20}``), or a group repeated without bound containing a repetition of varying
    count (``(a{1,5})+``)."""
    stack = [_Group(0)]
    position = 0
    while position < len(pattern):
        char = pattern[position]
        top = stack[-1]
        if char == "\\":
            position += 2
            top.last = (False, False)
            continue
        if char == "[":
            position = _end_of_class(pattern, position)
            top.last = (False, False)
            continue
        if char == "(":
            if pattern.startswith("(?#", position):
                position = pattern.find(")", position) + 1 or len(pattern)
                continue
            stack.append(_Group(position))
            position += 1
            continue
        if char == ")" and len(stack) > 1:
            inner = stack.pop()
            top = stack[-1]
            top.last = (inner.unbounded, inner.variable)
            top.unbounded |= inner.unbounded
            top.variable |= inner.variable
            position += 1
            continue
        quantifier = _quantifier_at(pattern, position)
        if quantifier is None:
            top.last = (False, False) if char not in "|^$" else None
            position += 1
            continue
        low, high, length = quantifier
        if top.last is not None:
            inner_unbounded, inner_variable = top.last
            if inner_unbounded and (high is None or high > 1):
                raise UnsafePattern(
                    NESTED_REPETITION.format(
                        what="a repeated group contains an unbounded repetition", position=position
                    )
                )
            if inner_variable and high is None:
                raise UnsafePattern(
                    NESTED_REPETITION.format(
                        what="a group repeated without bound contains a repetition of varying count",
                        position=position,
                    )
                )
        top.unbounded |= high is None
        top.variable |= high is None or (high > 1 and low != high)
        top.last = None  # a quantifier on a quantifier is a lazy/possessive mark, not a repetition
        position += length
        if position < len(pattern) and pattern[position] in "?+":
            position += 1


def _end_of_class(pattern: str, position: int) -> int:
    """The position after the ``]`` closing the character class opened at ``position``."""
    position += 1
    if position < len(pattern) and pattern[position] == "^":
        position += 1
    if position < len(pattern) and pattern[position] == "]":
        position += 1
    while position < len(pattern) and pattern[position] != "]":
        position += 2 if pattern[position] == "\\" else 1
    return position + 1


def _quantifier_at(pattern: str, position: int) -> tuple[int, int | None, int] | None:
    """(minimum, maximum or None for unbounded, length) of a quantifier at ``position``."""
    char = pattern[position]
    if char == "*":
        return 0, None, 1
    if char == "+":
        return 1, None, 1
    if char == "?":
        return 0, 1, 1
    if char != "{":
        return None
    end = pattern.find("}", position)
    if end < 0:
        return None
    low, comma, high = pattern[position + 1 : end].partition(",")
    if not (low.isdigit() or (comma and not low)) or (high and not high.isdigit()):
        return None
    minimum = int(low or 0)
    maximum = (int(high) if high else None) if comma else minimum
    return minimum, maximum, end - position + 1
