"""A plan: for each thing read from the other product, whether Tocsin would create it, change
it, already has it, or cannot carry it over (and why). Applying a plan runs each change in its
own transaction: a run that stops half-way leaves whole objects behind, and the next run's plan
finds them already there and goes on with the rest."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

CREATE = "create"
CHANGE = "change"
SAME = "same"
CANNOT = "cannot"
ACTIONS = (CREATE, CHANGE, SAME, CANNOT)


@dataclass
class Change:
    kind: str
    """What it is, in the singular: "user", "team"."""
    name: str
    action: str
    details: list[str] = field(default_factory=list)
    """What will be created or changed; for ``cannot``, why."""
    notes: list[str] = field(default_factory=list)
    """Parts that are not carried over, and why (the rest is)."""
    run: Callable[[Session], None] | None = None
    """Makes the change (``create`` and ``change`` only)."""
    report: list[str] = field(default_factory=list)
    """Lines to show as soon as the change is committed (a key it issued), filled by ``run``."""

    def lines(self) -> list[str]:
        head = f"{self.action:<7} {self.kind} {self.name}"
        if self.details:
            head += f": {'; '.join(self.details)}"
        return [head, *(f"        not carried over: {note}" for note in self.notes)]


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)

    def add(self, change: Change) -> None:
        self.changes.append(change)

    def add_existing(
        self,
        kind: str,
        name: str,
        additions: list[str],
        kept: list[str],
        notes: list[str],
        run: Callable[[Session], None],
    ) -> None:
        """An object Tocsin has already: the same when it lacks nothing, else a change that adds
        what it lacks (``additions``); ``kept`` says what it keeps although Opsgenie differs."""
        if additions:
            self.add(Change(kind, name, CHANGE, [*additions, *kept], notes, run))
        else:
            self.add(Change(kind, name, SAME, kept, notes))

    def to_make(self) -> list[Change]:
        return [change for change in self.changes if change.action in (CREATE, CHANGE)]

    def counts(self) -> Counter[str]:
        return Counter(change.action for change in self.changes)

    def summary(self) -> str:
        counts = self.counts()
        return ", ".join(
            f"{counts[action]} to {action}"
            if action in (CREATE, CHANGE)
            else f"{counts[action]} {_said(action)}"
            for action in ACTIONS
        )

    def lines(self) -> list[str]:
        return [line for change in self.changes for line in change.lines()]


def _said(action: str) -> str:
    return {SAME: "already in Tocsin", CANNOT: "that cannot be carried over"}[action]
