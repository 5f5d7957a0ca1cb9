"""The fake Opsgenie answers as Opsgenie's configuration API does: the shapes of each resource,
paging of the users list, identifier switches, key checks, 429s and injected failures, and
who is on call in its schedules across a DST change, a restriction and overrides."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import opsgenie_sdk
import pytest

from tests.fakes import opsgenie_config_api
from tests.fakes.opsgenie_account import FULL_KEY, NO_CONFIG_KEY, READ_ONLY_KEY
from tests.fakes.opsgenie_config_api import TOO_MANY, FakeOpsgenie

fake_opsgenie = opsgenie_config_api.fake_opsgenie


@pytest.fixture
def og(fake_opsgenie: FakeOpsgenie) -> FakeOpsgenie:
    fake_opsgenie.reset()
    return fake_opsgenie


def get(og: FakeOpsgenie, path: str, key: str | None = FULL_KEY, **params: Any) -> httpx.Response:
    headers = {"Authorization": f"GenieKey {key}"} if key else {}
    return httpx.get(f"{og.base_url}{path}", params=params, headers=headers, trust_env=False)


def data(og: FakeOpsgenie, path: str, **params: Any) -> Any:
    answer = get(og, path, **params)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert isinstance(body["took"], float) and isinstance(body["requestId"], str)
    assert answer.headers["X-Request-ID"] == body["requestId"]
    return body["data"]


def has(obj: dict[str, Any], **types: type | tuple[type, ...]) -> None:
    for name, kind in types.items():
        assert isinstance(obj.get(name), kind), f"{name} of {obj} is not {kind}"


def test_users_contacts_notification_rules_and_roles_have_opsgenie_shapes(og: FakeOpsgenie) -> None:
    users = data(og, "/v2/users")
    assert len(users) == 30 and {u["role"]["name"] for u in users} == {"Owner", "Admin", "User", "Observer"}
    assert len({u["timeZone"].split("/")[0] for u in users}) == 3
    for user in users:
        has(
            user,
            id=str,
            username=str,
            fullName=str,
            role=dict,
            timeZone=str,
            blocked=bool,
            verified=bool,
            createdAt=str,
        )
        assert "userContacts" not in user
    ada = get(og, "/v2/users/ada.lovelace@acme.example", expand="contact").json()
    assert ada["expandable"] == ["contact"]
    assert {c["contactMethod"] for c in ada["data"]["userContacts"]} == {"email", "sms", "voice", "mobile"}
    contacts = data(og, f"/v2/users/{ada['data']['id']}/contacts")
    for contact in contacts:
        has(contact, id=str, method=str, to=str, status=dict, applyOrder=int)
    rules = data(og, "/v2/users/ada.lovelace@acme.example/notification-rules")
    assert {r["actionType"] for r in rules} == {"create-alert", "schedule-start"} and "steps" not in rules[0]
    rule = data(og, f"/v2/users/ada.lovelace@acme.example/notification-rules/{rules[0]['id']}")
    has(rule, criteria=dict, steps=list, repeat=dict, notificationTime=list)
    quiet = next(r for r in rules if r["name"] == "Quiet hours")
    full = data(og, f"/v2/users/ada.lovelace@acme.example/notification-rules/{quiet['id']}")
    assert full["timeRestriction"]["type"] == "time-of-day"
    steps = data(og, f"/v2/users/ada.lovelace@acme.example/notification-rules/{rule['id']}/steps")
    assert [s["sendAfter"]["timeAmount"] for s in steps] == [0, 5, 10] and steps[0]["_parent"]["id"] == rule[
        "id"
    ]
    assert data(og, "/v2/roles")[0]["extendedRole"] == "user"
    assert {t["name"] for t in data(og, "/v2/users/edsger.dijkstra@acme.example/teams")} == {
        "Data",
        "Support",
    }
    assert data(og, "/v2/users/ada.lovelace@acme.example/schedules")[0] == {
        "id": data(og, "/v2/schedules/Platform primary", identifierType="name")["id"],
        "name": "Platform primary",
        "enabled": True,
    }
    forwarding = data(og, "/v2/forwarding-rules")
    has(forwarding[0], id=str, alias=str, fromUser=dict, toUser=dict, startDate=str, endDate=str)


def test_teams_schedules_escalations_and_routing_rules_have_opsgenie_shapes(og: FakeOpsgenie) -> None:
    listed = get(og, "/v2/teams").json()
    assert len(listed["data"]) == 5 and all("members" not in t for t in listed["data"])
    team = data(og, f"/v2/teams/{listed['data'][1]['id']}")
    assert team["name"] == "Payments" and {m["role"] for m in team["members"]} == {
        "admin",
        "user",
        "responder",
    }
    assert all(set(m["user"]) == {"id", "username"} for m in team["members"])
    assert data(og, f"/v2/teams/{team['id']}/roles")[0]["rights"][0] == {
        "right": "manage-members",
        "granted": False,
    }
    routing = data(og, f"/v2/teams/{team['id']}/routing-rules")
    assert [r["order"] for r in routing] == list(range(len(routing))) and routing[-1]["isDefault"] is True
    assert {r["notify"]["type"] for r in routing} == {"schedule", "escalation", "none"}
    assert any(r.get("timeRestriction", {}).get("type") == "weekday-and-time-of-day" for r in routing)
    plain = data(og, "/v2/schedules")
    assert len(plain) == 6 and all("rotations" not in s for s in plain)
    schedules = data(og, "/v2/schedules", expand="rotation")
    rotations = [r for s in schedules for r in s["rotations"]]
    assert {r["type"] for r in rotations} == {"daily", "weekly"} and len(
        {s["timezone"] for s in schedules}
    ) == 6
    for rotation in rotations:
        has(rotation, id=str, name=str, startDate=str, type=str, length=int, participants=list)
    assert {r["timeRestriction"]["type"] for r in rotations if "timeRestriction" in r} == {
        "time-of-day",
        "weekday-and-time-of-day",
    }
    overrides = data(og, "/v2/schedules/Platform primary/overrides", scheduleIdentifierType="name")
    assert overrides[0]["user"]["type"] == "user" and overrides[0]["rotations"] == []
    assert (
        data(og, "/v2/schedules/Platform primary/overrides/nights-cover", scheduleIdentifierType="name")[
            "rotations"
        ][0]["name"]
        == "Weeknights"
    )
    escalations = data(og, "/v2/escalations")
    assert len(escalations) == 5
    for escalation in escalations:
        has(escalation, id=str, name=str, ownerTeam=dict, rules=list, repeat=dict)
        for rule in escalation["rules"]:
            assert set(rule) == {"condition", "notifyType", "delay", "recipient"}
            assert rule["delay"]["timeUnit"] == "minutes"


def test_heartbeats_maintenance_integrations_and_policies_have_opsgenie_shapes(og: FakeOpsgenie) -> None:
    heartbeats = data(og, "/v2/heartbeats")["heartbeats"]
    has(heartbeats[0], name=str, interval=int, intervalUnit=str, enabled=bool, expired=bool, lastPingTime=str)
    assert data(og, "/v2/heartbeats/warehouse-load")["expired"] is True
    assert {m["status"] for m in data(og, "/v1/maintenance", type="non-expired")} == {"active", "planned"}
    window = data(og, "/v1/maintenance")[0]
    assert (
        "rules" not in window
        and data(og, f"/v1/maintenance/{window['id']}")["rules"][0]["state"] == "enabled"
    )
    integrations = data(og, "/v2/integrations")
    assert {i["type"] for i in integrations} >= {"API", "Prometheus", "Email", "Webhook"}
    assert set(integrations[0]) == {"id", "name", "enabled", "type", "teamId"}
    shown = [data(og, f"/v2/integrations/{i['id']}") for i in integrations if i["type"] == "API"]
    assert ["apiKey" in i for i in shown] == [True, False] and shown[1]["ownerTeam"]["name"] == "Payments"
    assert data(og, f"/v2/integrations/{integrations[0]['id']}/actions")["create"][0]["type"] == "create"
    assert len(data(og, "/v2/integrations", type="API")) == 2
    assert [p["name"] for p in data(og, "/v2/policies/alert")] == ["Tag production", "Raise database alerts"]
    team_id = data(og, "/v2/teams/Support", identifierType="name")["id"]
    notification = data(og, "/v2/policies/notification", teamId=team_id)
    assert [p["type"] for p in notification] == ["notification", "notification"]
    policy = data(og, f"/v2/policies/{notification[1]['id']}", teamId=team_id)
    assert (
        policy["delayAction"]["delayOption"] == "next-time"
        and policy["timeRestrictions"]["type"] == "time-of-day"
    )
    assert get(og, "/v2/policies/notification").status_code == 422
    assert get(og, f"/v2/policies/{notification[1]['id']}").status_code == 404
    assert data(og, "/v2/account")["userCount"] == 30


@pytest.mark.parametrize("limit", [1, 7, 30, 100, 1000])
def test_paging_walks_every_user_exactly_once(og: FakeOpsgenie, limit: int) -> None:
    seen: list[str] = []
    answer = get(og, "/v2/users", limit=limit, offset=0, order="desc")
    first = answer.json()["paging"]["first"]
    while True:
        body = answer.json()
        assert body["totalCount"] == 30 and body["paging"]["first"] == first
        seen += [u["username"] for u in body["data"]]
        assert answer.headers["X-Paging-Last"] == body["paging"]["last"]
        if "next" not in body["paging"]:
            break
        assert (
            answer.headers["X-Paging-Next"] == body["paging"]["next"]
            and "order=desc" in body["paging"]["next"]
        )
        answer = httpx.get(body["paging"]["next"], headers={"Authorization": f"GenieKey {FULL_KEY}"})
    assert len(seen) == 30 and seen == sorted(set(seen), reverse=True)
    assert og.requests_to("/v2/users") == -(-30 // min(limit, 100))


def test_users_sort_search_and_bad_paging(og: FakeOpsgenie) -> None:
    by_name = [u["fullName"] for u in data(og, "/v2/users", sort="fullName")]
    assert by_name == sorted(by_name)
    assert [u["username"] for u in data(og, "/v2/users", query="role:owner")] == ["ada.lovelace@acme.example"]
    assert get(og, "/v2/users", limit=0).status_code == 422
    assert get(og, "/v2/users", sort="mood").status_code == 422


def test_identifier_switches(og: FakeOpsgenie) -> None:
    team = data(og, "/v2/teams/Mobile", identifierType="name")
    assert data(og, f"/v2/teams/{team['id']}")["name"] == "Mobile"
    missing = get(og, "/v2/teams/Mobile")
    assert missing.status_code == 404 and "Mobile" in missing.json()["message"]
    assert get(og, "/v2/teams/Mobile", identifierType="nickname").status_code == 422
    assert (
        data(og, "/v2/teams/Mobile/routing-rules", teamIdentifierType="name")[0]["timezone"] == "Asia/Tokyo"
    )
    assert data(og, "/v2/teams/Mobile/roles/responder", teamIdentifierType="name", identifierType="name")
    schedule = data(og, "/v2/schedules/Mobile APAC", identifierType="name")
    assert data(og, f"/v2/schedules/{schedule['id']}/rotations") == schedule["rotations"]
    assert get(og, "/v2/schedules/Mobile APAC/rotations").status_code == 404
    escalation = data(og, "/v2/escalations/Data escalation", identifierType="name")
    assert data(og, f"/v2/escalations/{escalation['id']}")["name"] == "Data escalation"
    rule = data(og, "/v2/forwarding-rules")[0]
    assert data(og, f"/v2/forwarding-rules/{rule['alias']}", identifierType="alias") == rule
    user = data(og, "/v2/users/grace.hopper@acme.example")
    assert data(og, f"/v2/users/{user['id']}") == user


def test_keys_are_checked(og: FakeOpsgenie) -> None:
    for key in (None, "not-a-key"):
        refused = get(og, "/v2/users", key=key)
        assert refused.status_code == 401 and refused.json()["message"] == "Could not authenticate"
    assert get(og, "/v2/users", key=NO_CONFIG_KEY).status_code == 403
    assert get(og, "/v2/account", key=NO_CONFIG_KEY).status_code == 200
    assert get(og, "/v2/users", key=READ_ONLY_KEY).status_code == 200
    write = {"json": {"name": "x"}, "trust_env": False}
    url = f"{og.base_url}/v2/teams"
    assert httpx.post(url, headers={"Authorization": f"GenieKey {READ_ONLY_KEY}"}, **write).status_code == 403  # type: ignore[arg-type]


def test_rate_limit_answers_and_counts(og: FakeOpsgenie) -> None:
    og.throttle("/v2/teams", first=2, retry_after=3)
    answers = [get(og, "/v2/teams") for _ in range(3)]
    assert [a.status_code for a in answers] == [429, 429, 200]
    assert answers[0].json()["message"] == TOO_MANY and answers[0].headers["Retry-After"] == "3"
    assert (
        answers[0].headers["X-RateLimit-State"] == "THROTTLED"
        and answers[2].headers["X-RateLimit-State"] == "OK"
    )
    assert og.requests_to("/v2/teams") == 3 and og.requests_to("/v2/escalations") == 0
    og.throttle("/v2/escalations", every=3)
    statuses = [get(og, "/v2/escalations") for _ in range(6)]
    assert [a.status_code for a in statuses] == [200, 200, 429, 200, 200, 429]
    assert "Retry-After" not in statuses[2].headers


def test_a_path_fails_once_then_answers(og: FakeOpsgenie) -> None:
    og.fail_once("/v2/schedules")
    assert get(og, "/v2/schedules").status_code == 500
    assert get(og, "/v2/schedules").status_code == 200
    og.fail_once("/v2/schedules", "close")
    with pytest.raises(httpx.RemoteProtocolError):
        get(og, "/v2/schedules")
    assert get(og, "/v2/schedules").status_code == 200 and og.requests_to("/v2/schedules") == 4


def on_call(og: FakeOpsgenie, schedule: str, at: str) -> list[str]:
    found = data(
        og, f"/v2/schedules/{schedule}/on-calls", scheduleIdentifierType="name", date=at, flat="true"
    )
    return [name.split("@")[0] for name in found["onCallRecipients"]]


@pytest.mark.parametrize(
    ("schedule", "at", "expected"),
    [
        # Weekly handoff at 09:00 New York time; a night rotation from 18:00 to 08:00.
        ("Platform primary", "2027-03-08T12:00:00Z", ["ada.lovelace", "adele.goldberg"]),
        ("Platform primary", "2027-03-08T13:30:00Z", ["ada.lovelace"]),
        ("Platform primary", "2027-03-08T14:30:00Z", ["donald.knuth"]),
        # After the switch to summer time on 2027-03-14 the handoff is at 13:00 UTC, not 14:00.
        ("Platform primary", "2027-03-15T12:59:00Z", ["donald.knuth"]),
        ("Platform primary", "2027-03-15T13:30:00+00:00", ["radia.perlman"]),
        ("Platform primary", "2027-03-15T09:30:00-04:00", ["radia.perlman"]),
        # A whole-schedule override, then one on the night rotation only.
        ("Platform primary", "2027-03-10T12:00:00Z", ["radia.perlman"]),
        ("Platform primary", "2027-03-15T04:00:00Z", ["donald.knuth", "yukihiro.matsumoto"]),
        ("Platform primary", "2027-03-15T08:00:00Z", ["donald.knuth", "satoshi.tajiri"]),
        # Monday 08:00 to Friday 18:00 Berlin time only; an override for three hours on Friday.
        ("Payments EU", "2027-03-12T10:00:00Z", ["sophie.wilson"]),
        ("Payments EU", "2027-03-12T16:59:00Z", ["frances.allen"]),
        ("Payments EU", "2027-03-13T12:00:00Z", []),
        ("Payments EU", "2027-03-15T06:59:00Z", []),
        # Office hours in Tokyo, two-day shifts, one of which is an empty slot.
        ("Mobile APAC", "2027-03-09T01:00:00Z", ["guido.rossum"]),
        ("Mobile APAC", "2027-03-09T10:00:00Z", []),
        ("Mobile APAC", "2027-03-11T01:00:00Z", []),
        ("Legacy pager", "2027-03-09T01:00:00Z", []),
    ],
)
def test_who_is_on_call(og: FakeOpsgenie, schedule: str, at: str, expected: list[str]) -> None:
    assert on_call(og, schedule, at) == expected


def test_on_calls_and_timeline_agree_over_fourteen_days(og: FakeOpsgenie) -> None:
    for schedule in ("Platform primary", "Support follow-the-sun", "Data Americas"):
        timeline = data(
            og, f"/v2/schedules/{schedule}/timeline", identifierType="name", interval=2, expand="base"
        )
        assert (
            timeline["startDate"] == "2027-03-08T12:00:00Z" and timeline["endDate"] == "2027-03-22T12:00:00Z"
        )
        for rotation in timeline["finalTimeline"]["rotations"]:
            for period in rotation["periods"][:12]:
                start = datetime.fromisoformat(period["startDate"])
                middle = start + (datetime.fromisoformat(period["endDate"]) - start) / 2
                assert period["recipient"]["name"].split("@")[0] in on_call(og, schedule, middle.isoformat())
        assert timeline["baseTimeline"]["rotations"]


def test_next_on_calls_and_the_on_calls_of_every_schedule(og: FakeOpsgenie) -> None:
    found = data(og, "/v2/schedules/Platform primary/next-on-calls", scheduleIdentifierType="name")
    assert [p["name"] for p in found["exactNextOnCallRecipients"]] == ["ada.lovelace@acme.example"]
    assert found["nextOnCallRecipients"][0]["type"] == "user"
    weekend = data(
        og,
        "/v2/schedules/Payments EU/next-on-calls",
        scheduleIdentifierType="name",
        date="2027-03-13T12:00:00Z",
    )
    assert [p["name"] for p in weekend["nextOnCallRecipients"]] == ["frances.allen@acme.example"]
    everyone = data(og, "/v2/schedules/on-calls")
    assert len(everyone) == 6 and everyone[0]["onCallParticipants"][0]["name"] == "ada.lovelace@acme.example"
    assert (
        get(og, "/v2/schedules/Payments EU/on-calls", scheduleIdentifierType="name", date="soon").status_code
        == 422
    )


def test_opsgenies_python_client_reads_the_fake(og: FakeOpsgenie) -> None:
    conf = opsgenie_sdk.Configuration()
    conf.host = og.base_url
    conf.api_key["Authorization"] = FULL_KEY
    conf.retry_enabled = False
    client = opsgenie_sdk.ApiClient(configuration=conf)
    heartbeats = opsgenie_sdk.HeartbeatApi(api_client=client).list_heart_beats().data.heartbeats
    assert [h.name for h in heartbeats] == [
        "nightly-backup",
        "payments-gateway",
        "warehouse-load",
        "old-cron",
    ]
    assert opsgenie_sdk.AccountApi(api_client=client).get_info().data.user_count == 30
