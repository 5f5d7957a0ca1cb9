"""The alert list's address: reading its parameters (tab, search, filters, sort, page) into a view,
with a message saying what to fix for any it cannot take, and writing links that change one
parameter and keep the others."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from tocsin.alerts.list_filters import SORTS, STATES
from tocsin.alerts.models import PRIORITIES

TABS = {"open": "Open", "acknowledged": "Acknowledged", "closed": "Closed", "all": "All"}
SORT_LABELS = {
    "created": "Created",
    "updated": "Last updated",
    "occurred": "Last occurred",
    "priority": "Priority",
    "count": "Count",
    "tiny": "Number",
}
PAGE_SIZES = (25, 50, 100)
DEFAULT_SIZE = 50
MAX_PAGE = 10_000
TAG_MAX = 50
TEAM_MAX = 100
assert set(TABS) == set(STATES) and set(SORT_LABELS) == set(SORTS)


@dataclass(frozen=True)
class ListParams:
    tab: str = "open"
    query: str = ""
    team: str = ""
    """A team's name ("" for every team)."""
    priorities: tuple[str, ...] = ()
    tag: str = ""
    sort: str = "created"
    order: str = "desc"
    page: int = 1
    size: int = DEFAULT_SIZE
    select_all: bool = False
    problems: list[str] = field(default_factory=list, compare=False)
    """What could not be read, one message each; the page shows them and lists nothing."""

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    def pairs(self, **changes: Any) -> list[tuple[str, str]]:
        """The parameters that differ from the defaults, after ``changes``."""
        view = replace(self, **changes)
        defaults = ListParams()
        pairs: list[tuple[str, str]] = []
        for name in ("tab", "query", "team", "tag", "sort", "order", "page", "size"):
            value = getattr(view, name)
            if value != getattr(defaults, name):
                pairs.append((name, str(value)))
        pairs.extend(("priority", priority) for priority in view.priorities)
        if view.select_all:
            pairs.append(("select", "all"))
        return pairs

    def link(self, **changes: Any) -> str:
        """``?…`` for this view with ``changes`` (a different tab or filter goes back to page 1
        unless the change names the page)."""
        if "page" not in changes and set(changes) - {"select_all"}:
            changes["page"] = 1
        changes.setdefault("select_all", False)
        encoded = urlencode(self.pairs(**changes))
        return f"?{encoded}" if encoded else "?"


def read(params: QueryParams | Mapping[str, str]) -> ListParams:
    problems: list[str] = []
    get = params.get
    many = params.getlist if isinstance(params, QueryParams) else lambda name: [params.get(name, "")]

    tab = get("tab") or "open"
    if tab not in TABS:
        problems.append(f"tab must be one of {', '.join(TABS)}, not {tab!r}")
        tab = "open"
    priorities = []
    for value in many("priority"):
        if not value:
            continue
        if value.upper() not in PRIORITIES:
            problems.append(f"priority must be one of {', '.join(PRIORITIES)}, not {value!r}")
        elif value.upper() not in priorities:
            priorities.append(value.upper())
    sort = get("sort") or "created"
    if sort not in SORTS:
        problems.append(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
        sort = "created"
    order = get("order") or "desc"
    if order not in ("asc", "desc"):
        problems.append(f"order must be asc or desc, not {order!r}")
        order = "desc"
    size = _number(get("size"), DEFAULT_SIZE, "size", problems)
    if size not in PAGE_SIZES:
        problems.append(f"size must be one of {', '.join(map(str, PAGE_SIZES))}, not {size}")
        size = DEFAULT_SIZE
    page = _number(get("page"), 1, "page", problems)
    if not 1 <= page <= MAX_PAGE:
        problems.append(f"page must be from 1 to {MAX_PAGE}, not {page}")
        page = 1
    tag = (get("tag") or "").strip()
    if len(tag) > TAG_MAX or "\x00" in tag:
        problems.append(f"a tag has at most {TAG_MAX} characters and no NUL character")
        tag = ""
    team = (get("team") or "").strip()
    if len(team) > TEAM_MAX or "\x00" in team:
        problems.append(f"a team name has at most {TEAM_MAX} characters and no NUL character")
        team = ""
    return ListParams(
        tab=tab,
        query=get("query") or "",
        team=team,
        priorities=tuple(sorted(priorities)),
        tag=tag,
        sort=sort,
        order=order,
        page=page,
        size=size,
        select_all=get("select") == "all",
        problems=problems,
    )


def _number(text: str | None, default: int, name: str, problems: list[str]) -> int:
    if not text:
        return default
    if not text.isdigit() or len(text) > 9:
        problems.append(f"{name} must be a whole number, not {text[:20]!r}")
        return default
    return int(text)
