"""What an ntfy push says where the end-to-end tests do not look: shift notices in the person's
own time zone, and long alerts cut to what a phone shows."""

from __future__ import annotations

from types import SimpleNamespace

from tocsin.notify.ntfy_messages import TEXT_MAX, TITLE_MAX, alert_push, shift_push


def test_a_shift_notice_says_when_in_the_persons_time_zone():
    payload = {
        "kind": "schedule-start",
        "scheduleName": "ops_schedule",
        "start": "2026-03-02T08:00:00+00:00",
        "end": "2026-03-03T08:00:00+00:00",
    }
    push = shift_push(payload, topic="ann-pager", time_zone="Europe/Berlin", click="http://tocsin.test")
    assert push == {
        "topic": "ann-pager",
        "title": "On call for ops_schedule from Mon 09:00",
        "message": "Your shift starts soon: Mon 02 Mar 09:00 to Tue 03 Mar 09:00 (Europe/Berlin).",
        "priority": 3,
        "tags": ["calendar"],
        "click": "http://tocsin.test",
    }
    ending = shift_push({**payload, "kind": "schedule-end"}, topic="t", time_zone="UTC", click="")
    assert ending["title"] == "Your shift for ops_schedule ends at Tue 08:00"


def test_a_long_alert_is_cut_to_what_a_phone_shows():
    alert = SimpleNamespace(
        tiny_id=7, priority="P2", message="m" * 500, description="d" * 5000, tags=[f"t{n}" for n in range(20)]
    )
    push = alert_push(
        alert,  # type: ignore[arg-type]
        {"kind": "create-alert", "reason": "a responder"},
        topic="ann-pager",
        alert_url="http://tocsin.test/alerts/x",
        action_url=lambda action: f"http://tocsin.test/{action}",
    )
    assert len(push["title"]) == TITLE_MAX and push["title"].endswith("…")
    assert len(push["message"]) == TEXT_MAX and push["message"].endswith("…")
    assert push["tags"] == ["warning", *[f"t{n}" for n in range(8)]]
    assert [a["url"] for a in push["actions"]] == [
        "http://tocsin.test/acknowledge",
        "http://tocsin.test/close",
    ]
