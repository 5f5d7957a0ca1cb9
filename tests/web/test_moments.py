"""Times on pages are in the viewer's own time zone, summer time included, and written the same way
whatever their language."""

from __future__ import annotations

from datetime import UTC, datetime

from tocsin.accounts.models import User
from tocsin.web.moments import when


def viewer(time_zone: str) -> User:
    return User(username="ada@example.com", role="user", time_zone=time_zone)


def test_a_moment_is_shown_in_the_viewers_zone_with_its_summer_and_winter_names() -> None:
    winter = datetime(2026, 1, 15, 21, 30, tzinfo=UTC)
    summer = datetime(2026, 7, 15, 21, 30, tzinfo=UTC)

    assert when(winter, viewer("Europe/Berlin")) == {
        "iso": "2026-01-15T21:30:00.000Z",
        "shown": "2026-01-15 22:30 CET",
    }
    assert when(summer, viewer("Europe/Berlin"))["shown"] == "2026-07-15 23:30 CEST"  # type: ignore[index]
    assert when(summer, viewer("America/New_York"))["shown"] == "2026-07-15 17:30 EDT"  # type: ignore[index]


def test_no_viewer_or_an_unknown_zone_reads_utc_and_no_moment_is_none() -> None:
    moment = datetime(2026, 1, 15, 21, 30, tzinfo=UTC)

    assert when(moment, None)["shown"] == "2026-01-15 21:30 UTC"  # type: ignore[index]
    assert when(moment, viewer("Mars/Olympus"))["shown"] == "2026-01-15 21:30 UTC"  # type: ignore[index]
    assert when(None, viewer("UTC")) is None
