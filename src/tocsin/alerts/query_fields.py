"""The fields of the alert search language (see ``tocsin.alerts.query``) and the SQL each becomes.

Every condition built here is two-valued (never SQL NULL), so ``NOT`` always means "every other
alert", and is written so that SQLite and PostgreSQL return the same alerts.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, ColumnElement, and_, exists, func, or_, type_coerce
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

from tocsin.alerts.models import PRIORITIES, Alert, AlertResponder
from tocsin.teams.models import Team

WORD_CHAR = "[A-Za-z0-9_]"
NOT_WORD_CHAR = "[^A-Za-z0-9_]"
COMPARISONS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_INT64 = 2**63
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)


class FieldError(ValueError):
    """A value the field cannot take; the parser adds where it is in the query."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


Convert = Callable[[str], Any]
Build = Callable[[str, Any, bool], ColumnElement[bool]]
"""(operator, converted value, has wildcard) -> condition; the operator is ':' or a comparison."""


@dataclass(frozen=True)
class Field:
    name: str
    convert: Convert
    build: Build
    comparable: bool = False


class _PerDialect(ColumnElement[bool]):
    """One condition written twice: for SQLite (also the default) and for PostgreSQL."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True
    _traverse_internals = [
        ("sqlite", InternalTraversal.dp_clauseelement),
        ("postgresql", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, *, sqlite: ColumnElement[bool], postgresql: ColumnElement[bool]) -> None:
        self.sqlite = sqlite
        self.postgresql = postgresql

    @property
    def _from_objects(self) -> list[Any]:
        return list(dict.fromkeys([*self.sqlite._from_objects, *self.postgresql._from_objects]))


@compiles(_PerDialect)
def _compile_default(element: _PerDialect, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.sqlite, **kw)})"


@compiles(_PerDialect, "postgresql")
def _compile_postgresql(element: _PerDialect, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.postgresql, **kw)})"


# -- patterns -----------------------------------------------------------------------------------


def like_pattern(text: str, wildcard: bool) -> str:
    """A LIKE pattern (escape character backslash) matching ``text``, ``*`` as any run if wildcard."""
    out = []
    for char in text:
        if char in "\\%_":
            out.append("\\" + char)
        elif char == "*" and wildcard:
            out.append("%")
        else:
            out.append(char)
    return "".join(out)


def glob_pattern(text: str) -> str:
    """A SQLite GLOB pattern (case-sensitive) matching ``text`` with ``*`` as any run."""
    return "".join(char if char == "*" else f"[{char}]" if char in "?[" else char for char in text)


def _regex_literal(text: str, wildcard: bool) -> str:
    # Only ASCII punctuation is escaped: "\" + punctuation is that character in Python's re and in
    # PostgreSQL's ARE alike, while "\" + a letter is a class or an error in both.
    out = []
    for char in text:
        if char == "*" and wildcard:
            out.append(WORD_CHAR + "*")
        elif char.isascii() and not char.isalnum() and char != "_":
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def _word_edge(char: str, wildcard: bool) -> bool:
    return char.isalnum() or char == "_" or (wildcard and char == "*")


def word_pattern(text: str, wildcard: bool) -> str:
    """A case-insensitive regex finding the words of ``text`` as whole words (a phrase if several)."""
    words = text.split()
    body = r"\s+".join(_regex_literal(word, wildcard) for word in words)
    start = f"(^|{NOT_WORD_CHAR})" if _word_edge(words[0][0], wildcard) else ""
    end = f"({NOT_WORD_CHAR}|$)" if _word_edge(words[-1][-1], wildcard) else ""
    # Embedded options: both Python's re (SQLite's REGEXP) and PostgreSQL's ARE read a leading (?i).
    return f"(?i){start}{body}{end}"


# -- value conversions ----------------------------------------------------------------------------


def _text(value: str) -> str:
    return value


def _words(value: str) -> str:
    if not value.split():
        raise FieldError("expected a word to search for")
    return value


def _choice(name: str, choices: tuple[str, ...]) -> Convert:
    def convert(value: str) -> str:
        if value.lower() not in choices:
            raise FieldError(f"{name} must be {' or '.join(choices)}, got {value!r}")
        return value.lower()

    return convert


def _boolean(name: str) -> Convert:
    check = _choice(name, ("true", "false"))
    return lambda value: check(value) == "true"


def _priority(value: str) -> str:
    if value.upper() not in PRIORITIES:
        raise FieldError(f"priority must be one of {', '.join(PRIORITIES)}, got {value!r}")
    return value.upper()


def _integer(name: str) -> Convert:
    def convert(value: str) -> int:
        if not re.fullmatch(r"[+-]?[0-9]+", value):
            raise FieldError(f"{name} must be an integer, got {value!r}")
        number = int(value)
        if not -_INT64 <= number < _INT64:
            raise FieldError(f"{name} is out of range: {value}")
        return number

    return convert


def _epoch_ms(name: str) -> Convert:
    def convert(value: str) -> datetime:
        if not re.fullmatch(r"[+-]?[0-9]{1,16}", value):
            raise FieldError(f"{name} must be a time in epoch milliseconds, got {value!r}")
        try:
            moment = _EPOCH + timedelta(milliseconds=int(value))
            moment + _MILLISECOND  # the end of that millisecond must exist too
        except OverflowError:
            raise FieldError(f"{name} is out of range: {value}") from None
        return moment

    return convert


# -- conditions -----------------------------------------------------------------------------------


def _equals(column: Any) -> Build:
    return lambda op, value, wildcard: column == value


def _flag(column: Any) -> Build:
    return lambda op, value, wildcard: column.is_(value)


def _ordered(column: Any) -> Build:
    def build(op: str, value: Any, wildcard: bool) -> ColumnElement[bool]:
        return column == value if op == ":" else COMPARISONS[op](column, value)

    return build


def _moment(column: Any, *, nullable: bool = False) -> Build:
    """Compares at millisecond precision, as the API shows times: ``:`` means within that millisecond."""

    def build(op: str, value: datetime, wildcard: bool) -> ColumnElement[bool]:
        after = value + _MILLISECOND
        condition = {
            ":": and_(column >= value, column < after),
            "<": column < value,
            "<=": column < after,
            ">": column >= after,
            ">=": column >= value,
        }[op]
        return and_(column.is_not(None), condition) if nullable else condition

    return build


def insensitive_match(expression: Any, value: str, wildcard: bool) -> ColumnElement[bool]:
    """Case-insensitive equality, or LIKE when the value has a wildcard (lower() on both sides)."""
    if wildcard:
        return func.lower(expression).like(func.lower(like_pattern(value, True)), escape="\\")
    return func.lower(expression) == func.lower(value)


def sensitive_match(expression: Any, value: str, wildcard: bool) -> ColumnElement[bool]:
    """Case-sensitive equality, or a case-sensitive wildcard match (SQLite's LIKE ignores case)."""
    if not wildcard:
        return expression == value
    return _PerDialect(
        sqlite=expression.op("GLOB", is_comparison=True)(glob_pattern(value)),
        postgresql=expression.like(like_pattern(value, True), escape="\\"),
    )


def _insensitive(column: Any) -> Build:
    return lambda op, value, wildcard: insensitive_match(column, value, wildcard)


def _sensitive(column: Any) -> Build:
    return lambda op, value, wildcard: sensitive_match(column, value, wildcard)


def _word_match(column: Any) -> Build:
    return lambda op, value, wildcard: column.regexp_match(word_pattern(value, wildcard))


def _tags(op: str, value: str, wildcard: bool) -> ColumnElement[bool]:
    in_sqlite = func.json_each(Alert.tags).table_valued("value")
    if wildcard:
        in_postgresql = func.jsonb_array_elements_text(Alert.tags).table_valued("value").render_derived()
        return _PerDialect(
            sqlite=exists().where(in_sqlite.c.value.op("GLOB", is_comparison=True)(glob_pattern(value))),
            postgresql=exists().where(in_postgresql.c.value.like(like_pattern(value, True), escape="\\")),
        )
    return _PerDialect(
        sqlite=exists().where(in_sqlite.c.value == value),
        postgresql=type_coerce(Alert.tags, JSONB).contains([value]),
    )


def _teams(op: str, value: str, wildcard: bool) -> ColumnElement[bool]:
    return exists().where(
        AlertResponder.alert_id == Alert.id,
        AlertResponder.type == "team",
        AlertResponder.visible_only.is_(False),
        AlertResponder.ref_id == Team.id,
        insensitive_match(Team.name, value, wildcard),
    )


def _details(key: str) -> Build:
    def build(op: str, value: str, wildcard: bool) -> ColumnElement[bool]:
        detail = Alert.details[key].as_string()
        return and_(detail.is_not(None), sensitive_match(detail, value, wildcard))

    return build


def free_text(value: str, wildcard: bool) -> ColumnElement[bool]:
    """Words of message or description, or a case-insensitive substring of alias, entity or source."""
    pattern = word_pattern(value, wildcard)
    contains = func.lower("%" + like_pattern(value, wildcard) + "%")
    return or_(
        Alert.message.regexp_match(pattern),
        Alert.description.regexp_match(pattern),
        *(
            func.lower(column).like(contains, escape="\\")
            for column in (Alert.alias, Alert.entity, Alert.source)
        ),
    )


def _field(name: str, convert: Convert, build: Build, comparable: bool = False) -> Field:
    return Field(name, convert, build, comparable)


def _time(name: str, column: Any, *, nullable: bool = False) -> Field:
    return _field(name, _epoch_ms(name), _moment(column, nullable=nullable), comparable=True)


_FIELDS = [
    _field("status", _choice("status", ("open", "closed")), _equals(Alert.status)),
    _field("acknowledged", _boolean("acknowledged"), _flag(Alert.acknowledged)),
    _field("isSeen", _boolean("isSeen"), _flag(Alert.is_seen)),
    _field("seen", _boolean("seen"), _flag(Alert.is_seen)),
    _field("snoozed", _boolean("snoozed"), _flag(Alert.snoozed)),
    _field("priority", _priority, _ordered(Alert.priority), comparable=True),
    _field("owner", _text, _insensitive(Alert.owner)),
    _field("acknowledgedBy", _text, _insensitive(Alert.acknowledged_by)),
    _field("closedBy", _text, _insensitive(Alert.closed_by)),
    _field("tag", _text, _tags),
    _field("tags", _text, _tags),
    _field("teams", _text, _teams),
    _field("source", _text, _insensitive(Alert.source)),
    _field("alias", _text, _insensitive(Alert.alias)),
    _field("entity", _text, _insensitive(Alert.entity)),
    _field("integration.name", _text, _insensitive(Alert.integration_name)),
    _field("integration.type", _text, _insensitive(Alert.integration_type)),
    _field("message", _words, _word_match(Alert.message)),
    _field("description", _words, _word_match(Alert.description)),
    _field("tinyId", _integer("tinyId"), _ordered(Alert.tiny_id), comparable=True),
    _field("count", _integer("count"), _ordered(Alert.count), comparable=True),
    _time("createdAt", Alert.created_at),
    _time("updatedAt", Alert.updated_at),
    _time("lastOccurredAt", Alert.last_occurred_at),
    _time("snoozedUntil", Alert.snoozed_until, nullable=True),
    _field("id", _text, _sensitive(Alert.id)),
    _field("alertId", _text, _sensitive(Alert.id)),
]
_BY_NAME = {field.name.lower(): field for field in _FIELDS}
DETAILS_PREFIX = "details."
KNOWN_FIELDS = ", ".join(sorted([*(field.name for field in _FIELDS), "details.KEY"], key=str.lower))
COMPARABLE_FIELDS = ", ".join(field.name for field in _FIELDS if field.comparable)
FREE_TEXT = Field("text", _words, lambda op, value, wildcard: free_text(value, wildcard))


def lookup(name: str) -> Field | None:
    """The field called ``name`` (any case; the key of ``details.KEY`` keeps its case)."""
    if name.lower().startswith(DETAILS_PREFIX) and len(name) > len(DETAILS_PREFIX):
        key = name[len(DETAILS_PREFIX) :]
        return Field(DETAILS_PREFIX + key, _text, _details(key))
    return _BY_NAME.get(name.lower())
