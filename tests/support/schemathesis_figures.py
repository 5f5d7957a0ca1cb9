"""The figures of the schemathesis run (cases run, failing cases, per database), carried from the
test to the terminal summary through each report's user properties, so they survive pytest-xdist."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

PROPERTY = "schemathesis_figures"


@dataclass
class CaseTally:
    cases: int = 0
    failures: int = 0

    @contextmanager
    def counting(self) -> Iterator[None]:
        self.cases += 1
        try:
            yield
        except Exception:
            self.failures += 1
            raise


@dataclass
class Figures:
    """What the workers reported: per database, cases run and failing cases."""

    by_database: dict[str, list[int]] = field(default_factory=dict)

    def add(self, report: pytest.TestReport) -> None:
        for name, value in report.user_properties:
            if name == PROPERTY:
                database, cases, failures = value
                totals = self.by_database.setdefault(database, [0, 0])
                totals[0] += cases
                totals[1] += failures

    def lines(self) -> list[str]:
        return [
            f"schemathesis on {database}: {cases} cases run, failures: {failures}"
            for database, (cases, failures) in sorted(self.by_database.items())
        ]
