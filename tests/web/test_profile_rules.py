"""The notification rules editor on the profile: create a rule with its first step, add, reorder
and remove steps, turn a rule off and on, reorder rules, delete one; all through the service
behind /v2/users/{identifier}/notification-rules, so the API shows each change."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.accounts.people import Client
from tests.web.profile_people import ADA, MAX, api_fixture, notice_after, people_fixture, signed_in_as, submit  # noqa: F401
from tocsin.accounts import service as accounts
from tocsin.actors import SYSTEM
from tocsin.db import Database
from tocsin.notify import contacts, rules

RULES = f"/v2/users/{ADA}/notification-rules"


def rules_of(api: Client) -> list[dict[str, Any]]:
    return [api.data(f"{RULES}/{meta['id']}") for meta in api.data(RULES)]


def steps_of(rule: dict[str, Any]) -> list[tuple[str, int]]:
    return [(step["contact"]["to"], step["sendAfter"]["timeAmount"]) for step in rule["steps"]]


@pytest.fixture
def phone(db: Database, people) -> str:
    """Ada's ntfy topic (needs no verification): its contact id."""
    with db.write_session() as session:
        ada = accounts.get_user(session, ADA)
        return contacts.add_contact(session, actor=SYSTEM, user=ada, method="ntfy", to="ada-pager").id


def email_id(api: Client) -> str:
    return next(c["id"] for c in api.data(f"/v2/users/{ADA}/contacts") if c["method"] == "email")


def test_a_rule_made_on_the_profile_is_the_apis_and_its_steps_can_be_added_reordered_and_removed(
    http: TestClient, api: Client, phone: str
) -> None:
    signed_in_as(http, ADA)

    page = notice_after(
        http,
        submit(
            http,
            "/profile/rules",
            name="P1 escalate",
            action_type="create-alert",
            contact_id=phone,
            after="0",
        ),
    )

    assert "Created the rule P1 escalate." in page
    created = next(rule for rule in rules_of(api) if rule["name"] == "P1 escalate")
    assert (created["actionType"], created["enabled"], steps_of(created)) == (
        "create-alert",
        True,
        [("ada-pager", 0)],
    )
    base = f"/profile/rules/{created['id']}"

    notice_after(http, submit(http, f"{base}/steps", contact_id=email_id(api), after="10"))
    assert steps_of(api.data(f"{RULES}/{created['id']}")) == [("ada-pager", 0), ("ada@example.com", 10)]

    notice_after(http, submit(http, f"{base}/steps/1/up"))
    assert steps_of(api.data(f"{RULES}/{created['id']}")) == [("ada@example.com", 10), ("ada-pager", 0)]

    notice_after(http, submit(http, f"{base}/steps/0/down"))
    assert steps_of(api.data(f"{RULES}/{created['id']}")) == [("ada-pager", 0), ("ada@example.com", 10)]

    notice_after(http, submit(http, f"{base}/steps/0/remove"))
    assert steps_of(api.data(f"{RULES}/{created['id']}")) == [("ada@example.com", 10)]


def test_the_last_step_cannot_be_removed_and_a_rule_needs_a_first_step(
    http: TestClient, api: Client, people
) -> None:
    signed_in_as(http, ADA)
    (default,) = rules_of(api)

    refused = submit(http, f"/profile/rules/{default['id']}/steps/0/remove")

    assert refused.status_code == 422
    assert "A rule needs at least one step: delete the rule instead." in refused.text
    assert steps_of(rules_of(api)[0]) == [("ada@example.com", 0)]
    refused = submit(
        http, "/profile/rules", name="Nothing", action_type="create-alert", contact_id="", after="0"
    )
    assert refused.status_code == 422
    assert "Choose a contact method for the first step: a rule needs one." in refused.text
    assert [rule["name"] for rule in api.data(RULES)] == ["New alert"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "", "action_type": "create-alert"}, "Name must be 1 to 100 characters."),
        ({"name": "Odd", "action_type": "alert-snoozed"}, "ActionType must be one of create-alert"),
        (
            {"name": "Late", "action_type": "create-alert", "after": "-5"},
            "SendAfter must be 0 to 10080 minutes.",
        ),
        ({"name": "Late", "action_type": "create-alert", "after": "later"}, "After must be a whole number"),
    ],
)
def test_a_rule_the_service_refuses_is_explained_and_not_made(
    http: TestClient, api: Client, people, fields: dict[str, str], message: str
) -> None:
    signed_in_as(http, ADA)

    refused = submit(http, "/profile/rules", contact_id=email_id(api), **{"after": "0", **fields})

    assert refused.status_code == 422
    assert message in refused.text
    assert [rule["name"] for rule in api.data(RULES)] == ["New alert"]


def test_a_rule_is_turned_off_and_on_moved_and_deleted(http: TestClient, api: Client, people) -> None:
    signed_in_as(http, ADA)
    contact = email_id(api)
    notice_after(
        http, submit(http, "/profile/rules", name="Second", action_type="create-alert", contact_id=contact)
    )
    first, second = api.data(RULES)

    page = notice_after(http, submit(http, f"/profile/rules/{first['id']}/disable"))
    assert "Disabled the rule New alert." in page
    assert [rule["enabled"] for rule in api.data(RULES)] == [False, True]
    notice_after(http, submit(http, f"/profile/rules/{first['id']}/enable"))
    assert [rule["enabled"] for rule in api.data(RULES)] == [True, True]

    notice_after(http, submit(http, f"/profile/rules/{second['id']}/up"))
    assert [rule["name"] for rule in api.data(RULES)] == ["Second", "New alert"]

    page = notice_after(http, submit(http, f"/profile/rules/{second['id']}/delete"))
    assert "Deleted the rule Second." in page
    assert [rule["name"] for rule in api.data(RULES)] == ["New alert"]


def test_a_shift_rule_keeps_how_long_before_the_shift_it_notifies(
    http: TestClient, api: Client, people
) -> None:
    signed_in_as(http, ADA)

    notice_after(
        http,
        submit(
            http,
            "/profile/rules",
            name="Shift soon",
            action_type="schedule-start",
            notification_time="1-hour-ago",
            contact_id=email_id(api),
        ),
    )

    rule = next(rule for rule in rules_of(api) if rule["name"] == "Shift soon")
    assert rule["notificationTime"] == ["1-hour-ago"]
    assert "Your on-call shift starts (1 hour before)" in http.get("/profile").text


def test_another_persons_rule_cannot_be_changed_from_your_profile(
    http: TestClient, api: Client, people
) -> None:
    (adas,) = api.data(RULES)
    signed_in_as(http, MAX)

    for action in ("disable", "delete", "steps/0/remove", "up"):
        refused = submit(http, f"/profile/rules/{adas['id']}/{action}")
        assert refused.status_code == 404, action
        assert "does not exist" in refused.text
    assert api.data(RULES) == [adas]
    assert steps_of(rules_of(api)[0]) == [("ada@example.com", 0)]


def _priorities(*names: str) -> dict[str, Any]:
    return {
        "type": "match-any-condition",
        "conditions": [
            {"field": "priority", "operation": "equals", "expectedValue": name, "not": False, "order": n}
            for n, name in enumerate(names)
        ],
    }


def _rule_section(page: str, name: str) -> str:
    start = page.index(f">{name}</h3>")
    return page[start : page.index("</article>", start)]


def test_a_rule_for_some_priorities_is_made_shown_and_changed(
    http: TestClient, api: Client, phone: str
) -> None:
    signed_in_as(http, ADA)

    page = notice_after(
        http,
        submit(
            http,
            "/profile/rules",
            name="Wake me",
            action_type="create-alert",
            contact_id=phone,
            after="0",
            priority=["P1", "P2"],
            priorities_shown="1",
        ),
    )

    created = next(rule for rule in rules_of(api) if rule["name"] == "Wake me")
    assert created["criteria"] == _priorities("P1", "P2")
    assert "A new alert · for P1, P2 alerts" in _rule_section(page, "Wake me")
    assert "A new alert · for every alert" in _rule_section(page, "New alert")

    page = notice_after(http, submit(http, f"/profile/rules/{created['id']}/priorities", priority=["P3"]))
    assert "The rule Wake me is now for P3 alerts." in page
    assert api.data(f"{RULES}/{created['id']}")["criteria"] == _priorities("P3")

    every = ["P1", "P2", "P3", "P4", "P5"]
    notice_after(http, submit(http, f"/profile/rules/{created['id']}/priorities", priority=every))
    assert api.data(f"{RULES}/{created['id']}")["criteria"] == {"type": "match-all"}


def test_every_priority_ticked_or_a_shift_rule_is_for_every_alert(
    http: TestClient, api: Client, phone: str
) -> None:
    signed_in_as(http, ADA)
    every = ["P1", "P2", "P3", "P4", "P5"]

    for name, action in (("All new", "create-alert"), ("Shift", "schedule-start")):
        fields = {"name": name, "action_type": action, "contact_id": phone, "priority": every[:2]}
        if action == "create-alert":
            fields["priority"] = every
        notice_after(http, submit(http, "/profile/rules", after="0", priorities_shown="1", **fields))
        rule = next(rule for rule in rules_of(api) if rule["name"] == name)
        assert rule["criteria"] == {"type": "match-all"}, name


def test_criteria_from_the_api_are_shown_in_words(
    http: TestClient, api: Client, db: Database, people
) -> None:
    (rule,) = api.data(RULES)
    criteria = {
        "type": "match-all-conditions",
        "conditions": [
            {"field": "priority", "operation": "greater-than", "expectedValue": "P3"},
            {"field": "tags", "operation": "contains", "expectedValue": "db", "not": True},
        ],
    }
    with db.write_session() as session:
        ada = accounts.get_user(session, ADA)
        rules.update_rule(session, actor=SYSTEM, user=ada, rule_id=rule["id"], criteria=criteria)
    signed_in_as(http, ADA)

    shown = _rule_section(http.get("/profile").text, "New alert")

    assert (
        "for alerts matching: priority is more urgent than P3 and tags does not contain &#39;db&#39;" in shown
    )


def test_no_priority_ticked_is_refused_and_changes_nothing(http: TestClient, api: Client, phone: str) -> None:
    (rule,) = api.data(RULES)
    signed_in_as(http, ADA)

    refused = submit(
        http,
        "/profile/rules",
        name="Never",
        action_type="create-alert",
        contact_id=phone,
        priorities_shown="1",
    )
    assert refused.status_code == 422
    assert "Tick at least one priority" in refused.text
    refused = submit(http, f"/profile/rules/{rule['id']}/priorities")
    assert refused.status_code == 422 and "Tick at least one priority" in refused.text
    refused = submit(http, f"/profile/rules/{rule['id']}/priorities", priority=["P9"])
    assert refused.status_code == 422 and "&#39;P9&#39; is not a priority" in refused.text
    assert [r["name"] for r in api.data(RULES)] == ["New alert"]
    assert api.data(f"{RULES}/{rule['id']}")["criteria"] == {"type": "match-all"}


def test_another_persons_rule_priorities_cannot_be_changed(http: TestClient, api: Client, people) -> None:
    (adas,) = api.data(RULES)
    signed_in_as(http, MAX)

    refused = submit(http, f"/profile/rules/{adas['id']}/priorities", priority=["P1"])

    assert refused.status_code == 404
    assert api.data(f"{RULES}/{adas['id']}")["criteria"] == {"type": "match-all"}
