"""The alert search language of Opsgenie's ``query=`` parameter, compiled to SQL.

``parse`` turns a query into a small AST, checking every field and value; ``to_condition`` turns it
into one SQLAlchemy condition over ``Alert`` for ``select(Alert).where(...)``. Nothing is filtered
in Python, and the SQL returns the same alerts on SQLite and PostgreSQL.

Grammar (``NOT`` binds tighter than ``AND``, ``AND`` tighter than ``OR``; keywords in any case)::

    query   := [or]                      -- empty or blank: every alert
    or      := and ("OR" and)*
    and     := not (["AND"] not)*        -- side by side means AND
    not     := "NOT"* primary
    primary := "(" or ")" | term
    term    := FIELD op values | TEXT    -- TEXT alone: free-text search
    op      := ":" | "=" | "<" | "<=" | ">" | ">="
    values  := VALUE | "(" values joined by OR / AND / NOT / parentheses ")"

A value is a word or a double-quoted string (backslash escapes the next character, so ``\\"`` is
a quote). A word runs up to a space, a parenthesis or a quote, and takes in ``:``, ``=``, ``<``
and ``>`` glued to it (``alias:host:disk`` is the alias ``host:disk``); ``AND``, ``OR`` and ``NOT``
must be quoted to be values. ``field:(a OR b)`` is ``field:a OR field:b``.

Fields (names in any case):

* ``status`` (open, closed); ``acknowledged``, ``isSeen``/``seen``, ``snoozed`` (true, false);
  ``priority`` (P1-P5; comparisons compare the names, so ``priority<P3`` is P1 or P2).
* ``tinyId``, ``count``: integers, with ``:``/``=`` and every comparison.
* ``createdAt``, ``updatedAt``, ``lastOccurredAt``, ``snoozedUntil``: epoch milliseconds, compared
  at millisecond precision as the API shows times (``createdAt:T`` is within millisecond T,
  ``createdAt>T`` starts at T+1 ms). An alert without ``snoozedUntil`` matches no comparison.
* Case-insensitive exact text: ``owner``, ``acknowledgedBy``, ``closedBy``, ``source``, ``alias``,
  ``entity``, ``integration.name``, ``integration.type``, and ``teams`` (an alert a team, by name,
  responds to; not a team it is only visible to).
* Case-sensitive exact text: ``tag``/``tags`` (the alert has that tag), ``id``/``alertId``, and
  ``details.KEY`` (the detail KEY, which keeps its case, has that value).
* Words: ``message``, ``description``. The value's words must appear as whole words, in order,
  case-insensitively: ``message:disk`` finds "Disk full on host1" but not "diskette", and
  ``message:"disk full"`` finds "DISK  FULL!" but not "disk is full". Word characters are the
  ASCII letters, digits and ``_``; other characters separate words.
* Free text (a word or quoted string without a field): the words of ``message`` or
  ``description`` as above, OR a case-insensitive substring of ``alias``, ``entity`` or ``source``.

A ``*`` in an unquoted text value is a wildcard: any run of characters (for words, any run of word
characters: ``message:disk*`` finds "diskette"). Quoted, ``*`` is itself. ``%`` and ``_`` are
always themselves. Case-insensitivity uses the database's ``lower()``, which SQLite applies only to
ASCII letters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import ColumnElement, and_, or_, true

from tocsin.alerts.query_fields import (
    COMPARABLE_FIELDS,
    COMPARISONS,
    FREE_TEXT,
    KNOWN_FIELDS,
    Field,
    FieldError,
    lookup,
)
from tocsin.errors import InvalidInput

__all__ = ["And", "Node", "Not", "Or", "QuerySyntaxError", "Term", "parse", "to_condition"]

KEYWORDS = ("AND", "OR", "NOT")
MAX_NESTING = 32
_STOP = set('():=<>"')


class QuerySyntaxError(InvalidInput):
    """A query that cannot be read; the message says what went wrong, where, and near what."""

    def __init__(self, problem: str, text: str, position: int, hint: str = "") -> None:
        start = max(0, min(position, len(text)) - 10)
        excerpt = text[start : position + 10]
        super().__init__("query", f"{problem} at position {position} (near {excerpt!r}){hint}")
        self.position = position


@dataclass(frozen=True)
class Term:
    field: str | None
    """The field's name as documented (``details.KEY`` keeps KEY's case); None for free text."""
    op: str
    """``:`` (also for ``=``), ``<``, ``<=``, ``>`` or ``>=``."""
    value: str | int | bool | datetime
    wildcard: bool
    """The value was unquoted and has a ``*``."""
    position: int


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Node = Term | And | Or | Not


@dataclass(frozen=True)
class _Token:
    kind: str
    """``word``, ``string``, ``op``, ``(``, ``)`` or ``end``."""
    text: str
    """The word, the operator, or a string's value without quotes and escapes."""
    start: int
    end: int

    def is_keyword(self, *names: str) -> bool:
        return self.kind == "word" and self.text.upper() in (names or KEYWORDS)

    def describe(self) -> str:
        return "the end of the query" if self.kind == "end" else repr(self.text)


def _tokens(text: str) -> list[_Token]:
    if "\x00" in text:  # PostgreSQL cannot take it in a parameter
        raise QuerySyntaxError("a NUL character is not allowed", text, text.index("\x00"))
    tokens: list[_Token] = []
    at = 0
    while at < len(text):
        char = text[at]
        if char.isspace():
            at += 1
        elif char in "()":
            tokens.append(_Token(char, char, at, at + 1))
            at += 1
        elif char in ":=<>":
            width = 2 if char in "<>" and text.startswith("=", at + 1) else 1
            tokens.append(_Token("op", text[at : at + width], at, at + width))
            at += width
        elif char == '"':
            tokens.append(_quoted(text, at))
            at = tokens[-1].end
        else:
            end = at
            while end < len(text) and not text[end].isspace() and text[end] not in _STOP:
                end += 1
            tokens.append(_Token("word", text[at:end], at, end))
            at = end
    tokens.append(_Token("end", "", len(text), len(text)))
    return tokens


def _quoted(text: str, start: int) -> _Token:
    chars: list[str] = []
    at = start + 1
    while at < len(text):
        char = text[at]
        if char == '"':
            return _Token("string", "".join(chars), start, at + 1)
        if char == "\\" and at + 1 < len(text):
            at += 1
            char = text[at]
        chars.append(char)
        at += 1
    raise QuerySyntaxError("unterminated quoted value", text, start)


class _Operand(Protocol):
    what: str

    def __call__(self, after: _Token | None) -> Node: ...


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.at = 0
        self.depth = 0

    def peek(self) -> _Token:
        return self.tokens[self.at]

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at = min(self.at + 1, len(self.tokens) - 1)
        return token

    def fail(self, problem: str, token: _Token, hint: str = "") -> QuerySyntaxError:
        return QuerySyntaxError(problem, self.text, token.start, hint)

    def query(self) -> Node:
        if self.peek().kind == "end":
            return And(())
        node = self.any_of(_Terms(self))
        token = self.peek()
        if token.kind == ")":
            raise self.fail("unexpected ')' without a matching '('", token)
        if token.kind != "end":  # an operator: nothing else can follow a complete query
            raise self.fail(f"expected a field name before {token.text!r}", token)
        return node

    def any_of(self, operand: _Operand, after: _Token | None = None) -> Node:
        items = [self.all_of(operand, after)]
        while self.peek().is_keyword("OR"):
            items.append(self.all_of(operand, self.take()))
        return items[0] if len(items) == 1 else Or(tuple(items))

    def all_of(self, operand: _Operand, after: _Token | None) -> Node:
        items = [self.negated(operand, after)]
        while True:
            token = self.peek()
            if token.is_keyword("AND"):
                items.append(self.negated(operand, self.take()))
            elif token.kind in ("word", "string", "(") and not token.is_keyword("OR"):
                items.append(self.negated(operand, None))
            else:
                break
        return items[0] if len(items) == 1 else And(tuple(items))

    def negated(self, operand: _Operand, after: _Token | None) -> Node:
        negations = 0
        while self.peek().is_keyword("NOT"):
            after = self.take()
            negations += 1
        node = self.primary(operand, after)
        return Not(node) if negations % 2 else node

    def primary(self, operand: _Operand, after: _Token | None) -> Node:
        token = self.peek()
        if token.kind == "(":
            if self.depth >= MAX_NESTING:
                raise self.fail(f"parentheses nested deeper than {MAX_NESTING}", token)
            self.depth += 1
            node = self.any_of(operand, self.take())
            self.depth -= 1
            if self.peek().kind == "end":
                raise self.fail("unclosed '('", token)
            if self.peek().kind != ")":  # an operator
                if isinstance(operand, _Terms):
                    raise self.fail(f"expected a field name before {self.peek().text!r}", self.peek())
                raise self.fail(f"expected ')' for the '(' at position {token.start}", self.peek())
            self.take()
            return node
        if token.kind in ("word", "string") and not token.is_keyword():
            return operand(after)
        if token.kind == "op" and isinstance(operand, _Terms):
            raise self.fail(f"expected a field name before {token.text!r}", token)
        raise self.expected(operand.what, after)

    def expected(self, what: str, after: _Token | None) -> QuerySyntaxError:
        token = self.peek()
        if after is None:
            return self.fail(f"expected {what}, found {token.describe()}", token)
        return self.fail(f"expected {what} after {after.text!r}", token)


class _Terms:
    """Reads ``field:value`` terms and free text."""

    what = "a search term"

    def __init__(self, parser: _Parser) -> None:
        self.parser = parser

    def __call__(self, after: _Token | None) -> Node:
        parser = self.parser
        token = parser.take()
        if parser.peek().kind != "op":
            return _Values(parser, FREE_TEXT, ":").term(token, token.text, quoted=token.kind == "string")
        op = parser.take()
        if token.kind == "string":
            raise parser.fail(f"expected a field name before {op.text!r}, not a quoted value", token)
        field = lookup(token.text)
        if field is None:
            raise parser.fail(f"unknown field {token.text!r}", token, f"; known fields: {KNOWN_FIELDS}")
        if op.text in COMPARISONS and not field.comparable:
            raise parser.fail(
                f"{field.name} cannot be compared with {op.text!r}",
                op,
                f"; only these fields can: {COMPARABLE_FIELDS}",
            )
        values = _Values(parser, field, ":" if op.text == "=" else op.text)
        if parser.peek().kind == "(":
            return parser.primary(values, op)
        return values(_Token("op", token.text + op.text, token.start, op.end))


class _Values:
    """Reads the values of one field, after its operator."""

    what = "a value"

    def __init__(self, parser: _Parser, field: Field, op: str) -> None:
        self.parser = parser
        self.field = field
        self.op = op

    def __call__(self, after: _Token | None) -> Node:
        token = self.parser.peek()
        if token.kind not in ("word", "string") or token.is_keyword():
            raise self.parser.expected(self.what, after)
        self.parser.take()
        if token.kind == "string":
            return self.term(token, token.text, quoted=True)
        text, end = token.text, token.end
        while (glued := self.parser.peek()).start == end and glued.kind in ("word", "op"):
            text, end = text + glued.text, self.parser.take().end
        return self.term(token, text)

    def term(self, token: _Token, text: str, *, quoted: bool = False) -> Term:
        try:
            value = self.field.convert(text)
        except FieldError as error:
            raise self.parser.fail(error.message, token) from None
        field = None if self.field is FREE_TEXT else self.field.name
        return Term(field, self.op, value, not quoted and "*" in text, token.start)


def parse(text: str) -> Node:
    """The AST of ``text``; raises ``QuerySyntaxError`` saying where the query went wrong."""
    return _Parser(text).query()


def compile_node(node: Node) -> ColumnElement[bool]:
    if isinstance(node, Term):
        field = FREE_TEXT if node.field is None else lookup(node.field)
        assert field is not None, node.field
        return field.build(node.op, node.value, node.wildcard)
    if isinstance(node, Not):
        return ~compile_node(node.item)
    if isinstance(node, Or):
        return or_(*(compile_node(item) for item in node.items))
    if not node.items:
        return true()
    return and_(*(compile_node(item) for item in node.items))


def to_condition(text: str) -> ColumnElement[bool]:
    """The SQL condition for the query ``text`` (every alert when it is empty or blank)."""
    return compile_node(parse(text))
