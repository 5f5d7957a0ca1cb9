"""Reading a scrape as Prometheus would: prometheus-client's own text parser."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(text: str) -> Samples:
    """Every sample of a scrape, by (sample name, sorted labels)."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def families(text: str) -> set[str]:
    return {family.name for family in text_string_to_metric_families(text)}


def value(seen: Samples, name: str, **labels: str) -> float:
    """A sample's value; 0 for one not (yet) exposed, as a counter not yet counted."""
    return seen.get((name, tuple(sorted(labels.items()))), 0.0)


def grew(before: Samples, after: Samples, name: str, **labels: str) -> float:
    """How much a counter grew between two scrapes (counters are per process, shared by tests)."""
    return value(after, name, **labels) - value(before, name, **labels)
