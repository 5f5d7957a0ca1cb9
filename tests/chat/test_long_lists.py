"""Long lists in ``/genie`` answers come a page at a time: the page, how many more there are, the
command for the next page (typed as shown, it works) and, where Tocsin has one, a link to the web
page that shows them all."""

from __future__ import annotations

import re

import pytest

from tests.chat.conftest import Chat, make_schedule, raise_alert
from tests.chat.genie_world import Genie
from tests.chat.rendered_text import copied
from tocsin.chat.command_types import UsageError
from tocsin.chat.commands import parse
from tocsin.db import Database
from tocsin.teams import service as teams

NEXT = re.compile(r"`/genie ([^`]+)`")


def _next_command(text: str) -> str:
    """The command the last line of an answer offers, as a person would copy it."""
    (command,) = NEXT.findall(text.splitlines()[-1])
    return command


def test_open_alerts_come_twenty_at_a_time_with_the_next_page_and_the_web_page(db: Database, chat: Chat):
    for number in range(1, 46):
        raise_alert(db, f"disk full on db{number}")

    first = chat.run("list", as_user="eve").text.splitlines()

    assert first[0] == "Open alerts (45):"
    assert [line.split()[0] for line in first[1:-1]] == [f"#{n}" for n in range(45, 25, -1)]
    assert first[-1] == (
        "… and 25 more (page 1 of 3): `/genie list page 2` or "
        "[see them in Tocsin](http://tocsin.test/alerts?query=status%3Aopen)"
    )
    second = chat.run(_next_command("\n".join(first)), as_user="eve").text.splitlines()
    assert [line.split()[0] for line in second[1:-1]] == [f"#{n}" for n in range(25, 5, -1)]
    third = chat.run(_next_command("\n".join(second)), as_user="eve").text.splitlines()
    assert [line.split()[0] for line in third[1:-1]] == [f"#{n}" for n in range(5, 0, -1)]
    assert third[-1] == "Page 3 of 3."
    past_the_end = chat.run("list page 4", as_user="eve").text
    assert past_the_end == "There are only 3 pages; `/genie list` shows the first."


def test_a_short_list_has_no_pages(db: Database, chat: Chat):
    raise_alert(db, "disk full")

    assert chat.run("list", as_user="eve").text.splitlines() == ["Open alerts (1):", "#1 [P3] disk full"]
    past_the_end = chat.run("list page 2", as_user="eve").text
    assert past_the_end == "There is only one page; `/genie list` shows the first."


def test_the_next_page_of_a_search_keeps_the_search(db: Database, chat: Chat):
    with db.write_session() as session:
        for number in range(1, 26):
            teams.create_team(session, name=f"squad-{number:02}")

    first = chat.run("list teams starts with squad", as_user="eve").text
    assert first.splitlines()[0] == "Teams starting with squad (25):"
    assert _next_command(first) == "list teams starts with squad page 2"
    assert "[see them in Tocsin](http://tocsin.test/teams)" in first.splitlines()[-1]

    second = chat.run(_next_command(first), as_user="eve").text.splitlines()
    assert second[1:] == [f"- squad-{number}" for number in range(21, 26)] + ["Page 2 of 2."]


def test_whoisoncall_is_paged_on_every_platform(genie: Genie):
    for number in range(1, 25):
        make_schedule(genie.db, f"rota_{number:02}", None, [])

    answer = genie("whoisoncall")  # 25 schedules with the world's weekend_schedule

    shown = copied(answer.text) if genie.fake.__class__.__name__ == "FakeMattermost" else answer.text
    lines = [line for line in shown.splitlines() if line]
    assert len(lines) == 22 and lines[-1].startswith("… and 5 more (page 1 of 2): /genie whoisoncall page 2")
    second = genie("whoisoncall page 2").text
    assert "weekend_schedule" in second and "Page 2 of 2." in second


NOT_PAGES = ["list page 0", "list page two", "whoisoncall page 1001", "list teams page -1"]


@pytest.mark.parametrize("text", NOT_PAGES)
def test_a_page_that_is_not_a_number_says_so(text: str):
    with pytest.raises(UsageError, match="is not a page number; pages are numbered from 1 to 1000"):
        parse(text)
