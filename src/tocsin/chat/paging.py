"""Long lists in chat answers, a page at a time: the page asked for, and a last line that says
how many more there are and how to see them (the command for the next page, and the web page
that shows them all, where Tocsin has one). A channel is no place for a hundred lines, and every
platform caps a message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tocsin.chat.help import code
from tocsin.errors import InvalidInput

PAGE_SIZE = 20
"""Lines listed on one page."""


@dataclass(frozen=True)
class SeeAll:
    """Where Tocsin's web pages show the whole list."""

    text: str
    url: str


def first_index(page: int) -> int:
    """Where ``page`` (from 1) starts in the whole list."""
    return (page - 1) * PAGE_SIZE


def page_count(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def paged(
    lines: Sequence[str],
    *,
    page: int,
    command: str,
    total: int | None = None,
    see_all: SeeAll | None = None,
) -> list[str]:
    """Page ``page`` of a list of ``total`` lines, and what to type for the next one.

    ``lines`` is the whole list, or with ``total`` given, the page's lines alone (fetched with
    ``first_index``). ``command`` is what follows ``/genie`` to list it again ("list teams").
    A page past the end is refused, naming the command for the first."""
    if total is None:
        total, lines = len(lines), lines[first_index(page) : first_index(page) + PAGE_SIZE]
    pages = page_count(total)
    if page > pages:
        only = "There is only one page" if pages == 1 else f"There are only {pages} pages"
        raise InvalidInput("page", f"{only}; {code(f'/genie {command}', limit=200)} shows the first.")
    shown = list(lines)
    after = total - first_index(page) - len(shown)
    elsewhere = f" or [{see_all.text}]({see_all.url})" if see_all else ""
    if after > 0:
        next_page = code(f"/genie {command} page {page + 1}", limit=200)
        shown.append(f"… and {after} more (page {page} of {pages}): {next_page}{elsewhere}")
    elif pages > 1:
        shown.append(f"Page {page} of {pages}.")
    return shown
