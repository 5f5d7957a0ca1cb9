"""``{{message}}``-style placeholders in the fields an alert policy sets, filled from the
incoming alert: message, alias, description, source, entity, priority, tags (comma-separated),
and ``{{details.KEY}}`` (Opsgenie's ``{{extraProperties.KEY}}`` too; a missing key is empty)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from tocsin.conditions import AlertFacts
from tocsin.errors import InvalidInput

PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s]*)\s*\}\}")
NAMES = ("message", "alias", "description", "source", "entity", "priority", "tags")
DETAIL_PREFIXES = ("details.", "extraProperties.")


def check(template: str, field: str) -> None:
    """Refuse a placeholder that names nothing the alert has."""
    for name in PLACEHOLDER.findall(template):
        if name in NAMES or (name.startswith(DETAIL_PREFIXES) and name.partition(".")[2]):
            continue
        raise InvalidInput(
            field,
            f"unknown placeholder {{{{{name}}}}}; allowed: "
            + ", ".join(f"{{{{{allowed}}}}}" for allowed in NAMES)
            + ", {{details.KEY}}, {{extraProperties.KEY}}",
        )


def check_all(templates: Iterable[tuple[str, str]]) -> None:
    for template, field in templates:
        check(template, field)


def render(template: str, facts: AlertFacts) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "tags":
            return ", ".join(facts.tags)
        if name in NAMES:
            return str(getattr(facts, name))
        return facts.details.get(name.partition(".")[2], "")

    return PLACEHOLDER.sub(value, template)
