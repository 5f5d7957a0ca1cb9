"""The figures of the schemathesis run (per database: cases run, operations, failed operations),
carried from the workers to the terminal summary through the reports, so they survive xdist."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

PROPERTY = "schemathesis_cases"
TEST_FILE = "tests/api/test_schemathesis.py"


@dataclass
class CaseTally:
    cases: int = 0


@dataclass
class Totals:
    cases: int = 0
    operations: int = 0
    failures: int = 0


@dataclass
class Figures:
    by_database: dict[str, Totals] = field(default_factory=dict)

    def add(self, report: pytest.TestReport) -> None:
        if not report.nodeid.startswith(TEST_FILE):
            return
        database = report.nodeid.rsplit("[", 1)[-1].rstrip("]")
        totals = self.by_database.setdefault(database, Totals())
        if report.when == "call":
            totals.operations += 1
            totals.failures += int(report.failed)
        for name, value in report.user_properties if report.when == "teardown" else ():
            if name == PROPERTY:
                totals.cases += value

    def lines(self) -> list[str]:
        return [
            f"schemathesis on {database}: {totals.cases} cases run over {totals.operations} operations, "
            f"failures: {totals.failures}"
            for database, totals in sorted(self.by_database.items())
        ]
