"""Contact methods: the /v2/users/{identifier}/contacts API and who may change whose."""

from __future__ import annotations

import pytest

from tests.accounts.people import actor_of, user
from tocsin.errors import PermissionDenied
from tocsin.notify import contacts, rules


def _contacts(api, who: str = "ann@example.com") -> list[tuple[str, str, bool]]:
    return [(c["method"], c["to"], c["status"]["enabled"]) for c in api.data(f"/v2/users/{who}/contacts")]


def test_add_get_change_switch_and_delete_a_contact(api, cast):
    created = api.post(
        f"/v2/users/{cast['ann']}/contacts", json={"method": "email", "to": "Ann.Pager@Example.org"}
    )
    assert created.status_code == 201, created.text
    assert created.json()["result"] == "Created"
    contact_id = created.json()["data"]["id"]
    assert created.json()["data"] == {"id": contact_id}
    base = f"/v2/users/ann@example.com/contacts/{contact_id}"
    assert api.data(base) == {
        "id": contact_id,
        "method": "email",
        "to": "ann.pager@example.org",
        "status": {"enabled": True, "verified": True},
    }
    listed = api.data("/v2/users/ann@example.com/contacts")
    assert [(c["to"], c["applyOrder"]) for c in listed] == [
        ("ann.pager@example.org", 0),
        ("ann@example.com", 1),
    ]

    changed = api.patch(base, json={"to": "ann.phone@example.org"})
    assert changed.status_code == 200 and changed.json() | {"took": 0, "requestId": ""} == {
        "result": "Updated",
        "data": {"id": contact_id},
        "took": 0,
        "requestId": "",
    }
    disabled = api.post(f"{base}/disable")
    assert disabled.status_code == 200 and disabled.json()["result"] == "Disabled"
    assert api.data(base)["status"] == {"enabled": False, "verified": True}
    enabled = api.post(f"{base}/enable")
    assert enabled.status_code == 200 and enabled.json()["result"] == "Enabled"
    assert api.data(base)["to"] == "ann.phone@example.org"
    assert api.data(base)["status"] == {"enabled": True, "verified": True}

    deleted = api.delete(base)
    assert deleted.status_code == 200 and deleted.json()["result"] == "Deleted"
    assert _contacts(api) == [("email", "ann@example.com", True)]
    gone = api.get(base)
    assert (
        gone.status_code == 404
        and gone.json()["message"] == f"contact {contact_id!r} of ann@example.com does not exist"
    )


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (
            {"method": "pager", "to": "+33 6 12 34 56 78"},
            "method",
            "method must be one of email, sms, voice, ntfy, mattermost, slack, got 'pager'",
        ),
        (
            {"method": "sms", "to": "0612345678"},
            "to",
            "to must be a phone number with its country code, such as +4915112345678; got '0612345678'",
        ),
        (
            {"method": "voice", "to": "+49 123"},
            "to",
            "to must be a phone number with its country code, such as +4915112345678; got '+49 123'",
        ),
        (
            {"method": "ntfy", "to": "my topic!"},
            "to",
            "to must be an ntfy topic (letters, digits, - and _, at most 64) or a topic's URL on your "
            "own ntfy server, such as https://ntfy.example.com/alice-pager; got 'my topic!'",
        ),
        (
            {"method": "email", "to": "not an address"},
            "to",
            "to must be an e-mail address, got 'not an address'",
        ),
        ({"method": "email"}, "to", "Field required"),
    ],
    ids=[
        "unknown-method",
        "sms-without-country",
        "voice-too-short",
        "ntfy-bad-topic",
        "bad-address",
        "no-address",
    ],
)
def test_bad_contacts_are_422s_naming_the_field(api, cast, payload, field, message):
    response = api.post("/v2/users/ann@example.com/contacts", json=payload)
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == {field: message}
    assert _contacts(api) == [("email", "ann@example.com", True)]


def test_duplicates_and_missing_things(api, cast):
    duplicate = api.post(
        "/v2/users/ann@example.com/contacts", json={"method": "email", "to": "ANN@example.com"}
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["message"] == "ann@example.com already has the email contact ann@example.com"
    [bobs] = api.data("/v2/users/bob@example.com/contacts")
    # Bob's contact is not Ann's, whoever asks.
    assert api.get(f"/v2/users/ann@example.com/contacts/{bobs['id']}").status_code == 404
    assert (
        api.patch(
            f"/v2/users/ann@example.com/contacts/{bobs['id']}", json={"to": "x@example.com"}
        ).status_code
        == 404
    )
    missing_user = api.get("/v2/users/ghost@example.com/contacts")
    assert (
        missing_user.status_code == 404
        and missing_user.json()["message"] == "user 'ghost@example.com' does not exist"
    )
    other = api.post(
        "/v2/users/ann@example.com/contacts", json={"method": "email", "to": "ann2@example.com"}
    ).json()
    clash = api.patch(
        f"/v2/users/ann@example.com/contacts/{other['data']['id']}", json={"to": "ann@example.com"}
    )
    assert clash.status_code == 409
    assert _contacts(api) == [("email", "ann2@example.com", True), ("email", "ann@example.com", True)]


def test_who_may_change_whose_contacts(db, cast):
    attempts = {}
    with db.write_session() as session:
        for actor in ("admin", "lead", "ann", "bob"):
            for target in ("ann", "bob", "eve"):
                try:
                    contacts.add_contact(
                        session,
                        actor=actor_of(session, actor),
                        user=user(session, target),
                        method="email",
                        to=f"{target}-by-{actor}@example.org",
                    )
                    attempts[actor, target] = True
                except PermissionDenied as refused:
                    assert (
                        refused.message
                        == f"{actor}@example.com may not change the contact methods of {target}@example.com"
                    )
                    attempts[actor, target] = False
    assert {pair for pair, done in attempts.items() if done} == {
        ("admin", "ann"),
        ("admin", "bob"),
        ("admin", "eve"),
        ("lead", "ann"),
        ("ann", "ann"),
        ("bob", "bob"),
    }
    with db.read_session() as session, pytest.raises(PermissionDenied):
        contacts.list_contacts(session, actor=actor_of(session, "eve"), user=user(session, "ann"))


def test_keys_and_contacts(account_key, integration_key, cast):
    ops_key = integration_key("ops monitor", team="ops")
    refused = ops_key.post(
        "/v2/users/ann@example.com/contacts", json={"method": "email", "to": "a@example.org"}
    )
    assert refused.status_code == 403
    assert refused.json()["message"] == "ops monitor may not change the contact methods of ann@example.com"
    assert ops_key.get("/v2/users/ann@example.com/contacts").status_code == 403
    global_key = integration_key("Prometheus")
    assert (
        global_key.post(
            "/v2/users/ann@example.com/contacts", json={"method": "email", "to": "a@example.org"}
        ).status_code
        == 201
    )
    assert account_key("read").get("/v2/users/ann@example.com/contacts").status_code == 403
    assert account_key("read", "configuration").get("/v2/users/ann@example.com/contacts").status_code == 200


def test_disabled_or_deleted_contacts_are_not_notified(db, api, cast):
    extra = api.post(
        "/v2/users/ann@example.com/contacts", json={"method": "email", "to": "ann.pager@example.org"}
    ).json()
    pager = extra["data"]["id"]
    created = api.post(
        "/v2/users/ann@example.com/notification-rules",
        json={
            "name": "Pager too",
            "actionType": "create-alert",
            "steps": [
                {
                    "contact": {"method": "email", "to": "ann.pager@example.org"},
                    "sendAfter": {"timeAmount": 2},
                }
            ],
        },
    )
    assert created.status_code == 201, created.text

    def addresses() -> list[str]:
        with db.read_session() as session:
            return [step.address for step in rules.steps_for(session, cast["ann"], "create-alert")]

    assert addresses() == ["ann@example.com", "ann.pager@example.org"]
    api.post(f"/v2/users/ann@example.com/contacts/{pager}/disable")
    assert addresses() == ["ann@example.com"]
    api.post(f"/v2/users/ann@example.com/contacts/{pager}/enable")
    assert addresses() == ["ann@example.com", "ann.pager@example.org"]
    api.delete(f"/v2/users/ann@example.com/contacts/{pager}")
    assert addresses() == ["ann@example.com"]
    rule = api.data(f"/v2/users/ann@example.com/notification-rules/{created.json()['data']['id']}")
    assert rule["steps"] == []
