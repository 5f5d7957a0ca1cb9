"""Disabling, enabling and removing contact methods on the profile, as the API does it: removing
one also removes the rule steps that send to it, and the page says which rules lost a step."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.accounts.people import Client
from tests.web.profile_people import ADA, MAX, api_fixture, notice_after, people_fixture, signed_in_as, submit  # noqa: F401

CONTACTS = f"/v2/users/{ADA}/contacts"


def contact_id(api: Client, to: str) -> str:
    return next(contact["id"] for contact in api.data(CONTACTS) if contact["to"] == to)


def test_a_contact_is_disabled_and_enabled_again(http: TestClient, api: Client, people) -> None:
    signed_in_as(http, ADA)
    email = contact_id(api, ADA)

    page = notice_after(http, submit(http, f"/profile/contacts/{email}/disable"))

    assert f"Disabled {ADA}: no rule sends to it until you enable it." in page
    assert api.data(f"{CONTACTS}/{email}")["status"]["enabled"] is False
    assert f'action="/profile/contacts/{email}/enable"' in page

    notice_after(http, submit(http, f"/profile/contacts/{email}/enable"))

    assert api.data(f"{CONTACTS}/{email}")["status"]["enabled"] is True


def test_removing_a_contact_removes_its_rule_steps_and_says_so(http: TestClient, api: Client, people) -> None:
    signed_in_as(http, ADA)
    notice_after(http, submit(http, "/profile/contacts", method="ntfy", to="ada-pager"))
    pager = contact_id(api, "ada-pager")
    (rule,) = api.data(f"/v2/users/{ADA}/notification-rules")
    notice_after(http, submit(http, f"/profile/rules/{rule['id']}/steps", contact_id=pager, after="5"))

    before = http.get("/profile").text
    (row,) = [row for row in before.split("<tr>") if "<td>ada-pager</td>" in row]
    assert '<span class="used-by">In the rules New alert.</span>' in row

    page = notice_after(http, submit(http, f"/profile/contacts/{pager}/remove"))

    assert "Removed ada-pager, and its steps in the rules New alert." in page
    assert [contact["to"] for contact in api.data(CONTACTS)] == [ADA]
    steps = api.data(f"/v2/users/{ADA}/notification-rules/{rule['id']}")["steps"]
    assert [step["contact"]["to"] for step in steps] == [ADA]


def test_another_persons_contact_cannot_be_changed_from_your_profile(
    http: TestClient, api: Client, people
) -> None:
    email = contact_id(api, ADA)
    signed_in_as(http, MAX)

    for action in ("disable", "remove"):
        refused = submit(http, f"/profile/contacts/{email}/{action}")
        assert refused.status_code == 404
        assert "does not exist" in refused.text
    assert api.data(f"{CONTACTS}/{email}")["status"]["enabled"] is True
