"""Every form the profile added is refused without the page's token (a forged or stale form),
and changes nothing that the API shows."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.accounts.people import Client
from tests.web.profile_people import ADA, api_fixture, people_fixture, signed_in_as  # noqa: F401

FORMS = [
    ("/profile/details", {"full_name": "Forged", "time_zone": "Asia/Tokyo", "date_format": "iso-12h"}),
    ("/profile/mute", {"minutes": "60"}),
    ("/profile/unmute", {}),
    ("/profile/quiet-hours", {"start": "22:00", "end": "07:00"}),
    ("/profile/quiet-hours/clear", {}),
    ("/profile/rules", {"name": "Forged", "action_type": "create-alert", "contact_id": "{email}"}),
    ("/profile/rules/{rule}/disable", {}),
    ("/profile/rules/{rule}/delete", {}),
    ("/profile/rules/{rule}/steps", {"contact_id": "{email}", "after": "5"}),
    ("/profile/rules/{rule}/steps/0/down", {}),
    ("/profile/rules/{rule}/priorities", {"priority": "P1"}),
    ("/profile/contacts/{email}/disable", {}),
    ("/profile/contacts/{email}/remove", {}),
]


def state(api: Client) -> dict[str, Any]:
    base = f"/v2/users/{ADA}"
    rules = api.data(f"{base}/notification-rules")
    return {
        "user": api.data(base),
        "quiet": api.data(f"{base}/quiet-hours"),
        "contacts": api.data(f"{base}/contacts"),
        "rules": [api.data(f"{base}/notification-rules/{rule['id']}") for rule in rules],
    }


@pytest.mark.parametrize("token", ["", "forged"])
def test_profile_forms_without_the_pages_token_change_nothing(
    http: TestClient, api: Client, people, token: str
) -> None:
    signed_in_as(http, ADA)
    before = state(api)
    ids = {"rule": before["rules"][0]["id"], "email": before["contacts"][0]["id"]}

    for action, fields in FORMS:
        data = {name: value.format(**ids) for name, value in fields.items()}
        refused = http.post(action.format(**ids), data={**data, "csrf_token": token})
        assert refused.status_code == 400, action
        assert "Your session expired; please try again." in refused.text

    assert state(api) == before
