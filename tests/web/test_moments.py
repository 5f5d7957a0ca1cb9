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


def test_the_date_format_the_viewer_chose_is_honoured() -> None:
    moment = datetime(2026, 12, 7, 21, 30, tzinfo=UTC)
    ada = viewer("Europe/Berlin")

    shown = {}
    for date_format in ("iso", "iso-12h", "day-month-dots", "day-month-slashes", "month-day-12h"):
        ada.date_format = date_format
        shown[date_format] = when(moment, ada)["shown"]  # type: ignore[index]

    assert shown == {
        "iso": "2026-12-07 22:30 CET",
        "iso-12h": "2026-12-07 10:30 PM CET",
        "day-month-dots": "07.12.2026 22:30 CET",
        "day-month-slashes": "07/12/2026 22:30 CET",
        "month-day-12h": "12/07/2026 10:30 PM CET",
    }


def test_a_user_with_no_format_stored_yet_or_an_unknown_one_reads_iso() -> None:
    moment = datetime(2026, 12, 7, 9, 5, tzinfo=UTC)
    ada = viewer("UTC")
    ada.date_format = "klingon"

    assert when(moment, ada)["shown"] == "2026-12-07 09:05 UTC"  # type: ignore[index]
    assert when(moment, viewer("UTC"))["shown"] == "2026-12-07 09:05 UTC"  # type: ignore[index]
