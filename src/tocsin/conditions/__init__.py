"""One condition engine for integration filters and policies."""

from tocsin.conditions.facts import AlertFacts, facts_of_alert
from tocsin.conditions.filters import FIELDS, MATCH_EVERYTHING, OPERATIONS, Condition, Filter, parse_filter

__all__ = [
    "FIELDS",
    "MATCH_EVERYTHING",
    "OPERATIONS",
    "AlertFacts",
    "Condition",
    "Filter",
    "facts_of_alert",
    "parse_filter",
]
