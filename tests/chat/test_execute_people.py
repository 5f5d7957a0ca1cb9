"""``/genie oncall``, ``whoisoncall``, ``mute``, ``unmute`` and ``connect``: times in the person's
own time zone, acting for someone else only with the right to, and a link to connect or disconnect."""

from __future__ import annotations

from tests.chat.conftest import BASE_URL, identity, make_schedule
from tocsin.accounts import service as accounts
from tocsin.actors import SYSTEM
from tocsin.chat import linking
from tocsin.oncall import service as oncall


def _user(db, name):
    with db.read_session() as session:
        return accounts.get_user(session, f"{name}@example.com")


def _on_call_now(db, schedule_id, frozen_clock):
    with db.read_session() as session:
        return oncall.on_call(session, schedule_id, frozen_clock.now()).user_ids


def test_oncall_me_takes_the_callers_team_schedule_for_an_hour(db, chat, frozen_clock):
    schedule_id = make_schedule(db, "ops_schedule", "ops", ["lead"])
    chat.link("ann")

    reply = chat.run("oncall me", as_user="ann")

    assert reply.text == "ann@example.com is on call for ops_schedule until 10:00 UTC"
    assert reply.in_channel
    assert _on_call_now(db, schedule_id, frozen_clock) == [_user(db, "ann").id]


def test_oncall_until_is_shown_in_the_persons_time_zone(db, chat, frozen_clock):
    make_schedule(db, "ops_schedule", "ops", ["lead"])
    chat.link("ann")
    with db.write_session() as session:
        ann = accounts.get_user(session, "ann@example.com")
        accounts.update_user(session, actor=SYSTEM, user=ann, time_zone="Europe/Berlin")

    reply = chat.run("oncall me 45m for ops_schedule", as_user="ann")

    assert reply.text == "ann@example.com is on call for ops_schedule until 10:45 CET"


def test_oncall_for_someone_else_needs_the_right_to_manage_the_schedule(db, chat, frozen_clock):
    schedule_id = make_schedule(db, "ops_schedule", "ops", ["lead"])
    chat.link("ann")
    chat.link("lead")

    refused = chat.run("oncall bob@example.com 1d for ops_schedule", as_user="ann")
    done = chat.run("oncall ann@example.com 1d for ops_schedule", as_user="lead")

    assert (
        refused.text == "ann@example.com may not change on-call of schedule ops_schedule for bob@example.com"
    )
    assert not refused.in_channel
    assert (
        done.text == "ann@example.com is on call for ops_schedule until 2026-03-02 09:00 UTC (set by @lead)"
    )
    assert _on_call_now(db, schedule_id, frozen_clock) == [_user(db, "ann").id]


def test_oncall_me_needs_a_linked_account_and_an_unknown_target_lists_the_choices(db, chat, frozen_clock):
    make_schedule(db, "ops_schedule", "ops", ["lead"])
    chat.link("ann")

    assert chat.run("oncall me", as_user="bob").text == (
        "Taking on-call for yourself needs your Mattermost account connected to a Tocsin user. "
        "Run `/genie connect` to connect it."
    )
    assert chat.run("oncall me 2h for nowhere", as_user="ann").text == (
        "There is no team or schedule named 'nowhere'; choose one of: ops_schedule, all"
    )


def test_whoisoncall_lists_every_schedule_whoever_asks(db, chat, frozen_clock):
    make_schedule(db, "ops_schedule", "ops", ["ann", "lead"])
    make_schedule(db, "db_schedule", "db", ["bob"])
    make_schedule(db, "night watch", None, [])
    chat.link("ann")

    connected = chat.run("whoisoncall", as_user="ann")  # in team ops only
    unlinked = chat.run("whoisoncall", as_user="eve")  # through the global integration

    assert connected.text.splitlines() == [
        "On call now:",
        "- **db_schedule** (team db): bob@example.com",  # alone in the rotation: no hand-off
        "- **night watch**: no one",
        "- **ops_schedule** (team ops): ann@example.com until 2026-03-02 06:00 UTC",
    ]
    assert not connected.in_channel
    assert unlinked.text == connected.text


def test_mute_for_five_minutes_by_default_or_as_long_as_asked(db, chat, frozen_clock):
    chat.link("ann")

    first = chat.run("mute", as_user="ann")
    longer = chat.run("mute me 15", as_user="ann")

    assert first.text == "Notifications for ann@example.com muted until 09:05 UTC"
    assert first.in_channel
    assert longer.text == "Notifications for ann@example.com muted until 09:15 UTC"
    assert _user(db, "ann").muted_until == frozen_clock.now().replace(minute=15)


def test_muting_someone_else_needs_the_right_to_manage_them(db, chat, frozen_clock):
    chat.link("lead")

    refused = chat.run("mute ann@example.com 30", as_user="bob")
    done = chat.run("mute ann@example.com 30", as_user="lead")

    assert refused.text == "@bob may not change the mute of ann@example.com"
    assert done.text == "Notifications for ann@example.com muted until 09:30 UTC (by @lead)"


def test_unmute_clears_the_mute(db, chat, frozen_clock):
    chat.link("ann")
    chat.run("mute me 15", as_user="ann")

    reply = chat.run("unmute", as_user="ann")
    again = chat.run("unmute me", as_user="ann")

    assert reply.text == "Notifications for ann@example.com are no longer muted"
    assert reply.in_channel
    assert _user(db, "ann").muted_until is None
    assert again.text == "Notifications for ann@example.com were not muted."
    assert not again.in_channel


def _token(url: str) -> str:
    prefix = f"{BASE_URL}/chat/link/"
    assert url.startswith(prefix)
    return url[len(prefix) :]


def test_connect_offers_a_one_time_link_bound_to_the_chat_user(db, chat):
    reply = chat.run("connect", as_user="bob")

    (link,) = reply.links
    assert link.text == "Authenticate in Tocsin"
    assert reply.text == (
        f"[Authenticate in Tocsin]({link.url}) to connect your Mattermost account. "
        "The link works once, for 15 minutes. Once connected, your commands act as your Tocsin "
        "user, on only the alerts you may see (every alert for owners and admins; otherwise those "
        "with you, your team, a schedule you are in or an escalation naming you as a responder), "
        "and may change the configuration you may change; the alert log names you."
    )
    assert not reply.in_channel
    with db.read_session() as session:
        pending = linking.pending_link(session, _token(link.url))
        assert (pending.purpose, pending.chat_user_id, pending.integration_name) == (
            "connect",
            "u-bob",
            "ChatOps",
        )


def test_connect_when_connected_names_the_tocsin_user_and_offers_to_disconnect(db, chat):
    chat.link("ann")

    reply = chat.run("connect", as_user="ann")

    (link,) = reply.links
    assert reply.text == (
        "Your Mattermost account is connected to Tocsin user ann@example.com. "
        f"[Disconnect]({link.url}) (the link works once, for 15 minutes)"
    )
    with db.write_session() as session:
        assert linking.pending_link(session, _token(link.url)).purpose == "disconnect"
        linking.approve(session, token=_token(link.url), user=accounts.get_user(session, "ann@example.com"))
    with db.read_session() as session:
        assert linking.account_for(session, identity("ann")) is None
