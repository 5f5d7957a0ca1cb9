"""``/genie`` commands that act on alerts: one line per alert in the order given, the alert log
naming who acted and through what, and each alert changed or left alone on its own."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.chat.conftest import Chat, alert, log_of, raise_alert
from tests.chat.rendered_text import mentions
from tests.chat.visibility_replies import NO_RESPONDER
from tocsin.integrations import service as integrations
from tocsin.integrations.configuration import Changes
from tocsin.outbound import OutboundPolicy


@pytest.fixture
def chat(mattermost: Callable[..., Chat]) -> Chat:
    """A global integration that posts no alert activity itself: a change's reply is the
    channel's only word of it (see test_floods for one that does)."""
    return mattermost(forwarded=())


def test_ack_from_mattermost_by_a_linked_user_is_logged_as_their_tocsin_user(db, chat):
    chat.link("ann")
    tiny_id = raise_alert(db, "Disk full on db1")

    reply = chat.run(f"ack {tiny_id}", as_user="ann")

    assert reply.text == f"@ann acknowledged #{tiny_id} Disk full on db1"
    assert reply.in_channel
    assert "Alert acknowledged by ann@example.com via Mattermost" in log_of(db, tiny_id)
    assert alert(db, tiny_id).acknowledged_by == "ann@example.com"
    assert alert(db, tiny_id).owner == "ann@example.com"


def test_ack_by_an_unlinked_chat_user_is_logged_with_their_chat_handle(db, chat):
    tiny_id = raise_alert(db, "Disk full on db1")

    reply = chat.run(f"ack {tiny_id}", as_user="bob")

    assert reply.text == f"@bob acknowledged #{tiny_id} Disk full on db1"
    assert "Alert acknowledged by @bob (Mattermost)" in log_of(db, tiny_id)
    assert alert(db, tiny_id).acknowledged_by == "@bob"


def test_ack_of_several_alerts_answers_for_each_in_the_order_given(db, chat):
    chat.link("ann")
    first = raise_alert(db, "Disk full on db1")
    hidden = raise_alert(db, "Replica lag", team="db")  # ann is not in team db
    closed = raise_alert(db, "Old one")
    acked = raise_alert(db, "Seen already")
    chat.run(f"close {closed}", as_user="ann")
    chat.run(f"ack {acked}", as_user="ann")

    reply = chat.run(f"ack {first} 999 {hidden} {closed} {acked}", as_user="ann")

    assert reply.text.splitlines() == [
        f"@ann acknowledged #{first} Disk full on db1",
        "#999 not found",
        f"#{hidden} {NO_RESPONDER}",
        f"#{closed} is closed; it cannot be acknowledged",
        f"#{acked} was already acknowledged",
    ]
    assert reply.in_channel
    assert not alert(db, hidden).acknowledged
    assert not any("acknowledged" in line for line in log_of(db, closed))


def test_a_command_that_changes_no_alert_is_shown_only_to_the_caller(db, chat):
    tiny_id = raise_alert(db, "Disk full")
    chat.run(f"close {tiny_id}")

    reply = chat.run(f"close {tiny_id} 999")

    assert reply.text.splitlines() == [f"#{tiny_id} was already closed", "#999 not found"]
    assert not reply.in_channel


def test_close_several_alerts(db, chat):
    ids = [raise_alert(db, f"Alert {n}") for n in range(3)]

    reply = chat.run("close " + " ".join(map(str, ids)))

    assert reply.text.splitlines() == [f"@bob closed #{n} Alert {i}" for i, n in enumerate(ids)]
    assert all(alert(db, n).status == "closed" for n in ids)
    assert "Alert closed by @bob (Mattermost)" in log_of(db, ids[0])


def test_note_is_added_to_each_alert(db, chat):
    ids = [raise_alert(db, "One"), raise_alert(db, "Two")]

    reply = chat.run(f"note checking the disks to {ids[0]} {ids[1]}")

    assert reply.text.splitlines() == [
        f"@bob added a note to #{ids[0]} One",
        f"@bob added a note to #{ids[1]} Two",
    ]
    assert reply.in_channel
    assert "Note added by @bob (Mattermost)" in log_of(db, ids[1])


def test_addtag_adds_the_tags_and_a_full_alert_keeps_its_tags_while_the_others_get_them(db, chat):
    full = raise_alert(db, "Many tags", tags=[f"t{n}" for n in range(20)])
    roomy = raise_alert(db, "Few tags", tags=["disk"])

    reply = chat.run(f"addtag high priority,important to {full} {roomy}")

    assert reply.text.splitlines() == [
        f"#{full} not changed: An alert can have at most 20 tags; it would have 22",
        f"@bob added tags high priority, important to #{roomy} Few tags",
    ]
    assert alert(db, roomy).tags == ["disk", "high priority", "important"]
    assert alert(db, full).tags == [f"t{n}" for n in range(20)]
    assert not any("Tags added" in line for line in log_of(db, full))


def test_update_priority_of_an_alert(db, chat):
    tiny_id = raise_alert(db, "Slow queries")

    reply = chat.run(f"update priority to P2 for {tiny_id}")

    assert reply.text == f"@bob set priority P2 on #{tiny_id} Slow queries"
    assert alert(db, tiny_id).priority == "P2"
    assert "Priority changed from P3 to P2 by @bob (Mattermost)" in log_of(db, tiny_id)


def test_exec_runs_a_custom_action_and_an_undefined_one_is_refused(db, chat):
    with db.write_session() as session:
        integrations.create_integration(
            session,
            type="Webhook",
            name="runner",
            changes=Changes(url="https://hooks.example.test/run", custom_actions=["restart"]),
            outbound=OutboundPolicy.parse("hooks.example.test"),
        )
    with_action = raise_alert(db, "Web down", actions=["restart"])
    without = raise_alert(db, "Disk full")

    reply = chat.run(f"exec restart on {with_action} {without}")

    assert reply.text.splitlines() == [
        f"@bob ran restart on #{with_action} Web down",
        f"#{without} not changed: Action 'restart' is not defined for this alert (defined: none)",
    ]
    assert "Custom action 'restart' executed by @bob (Mattermost)" in log_of(db, with_action)


def test_assign_to_a_user_by_email(db, chat):
    tiny_id = raise_alert(db, "Disk full")

    reply = chat.run(f"assign {tiny_id} to ann@example.com")

    assert reply.text == f"@bob made ann@example.com owner of #{tiny_id} Disk full"
    assert alert(db, tiny_id).owner == "ann@example.com"
    assert "Alert owner changed to ann@example.com by @bob (Mattermost)" in log_of(db, tiny_id)


def test_assign_to_a_chat_mention_goes_to_the_linked_tocsin_user(db, chat):
    chat.link("annie", "ann")
    tiny_id = raise_alert(db, "Disk full")

    reply = chat.run(f"assign {tiny_id} to @annie", mentions={"annie": "u-annie"})

    assert reply.text == f"@bob made ann@example.com owner of #{tiny_id} Disk full"
    assert alert(db, tiny_id).owner == "ann@example.com"


def test_assign_to_a_mention_of_an_unlinked_chat_user_says_how_to_link_and_changes_nothing(db, chat):
    tiny_id = raise_alert(db, "Disk full")

    reply = chat.run(f"assign {tiny_id} to @carol", mentions={"carol": "u-carol"})

    assert reply.text == "@carol has no linked Tocsin account; they can run `/genie connect`"
    assert not reply.in_channel
    assert alert(db, tiny_id).owner == ""


def test_assign_to_an_unknown_user_changes_nothing(db, chat):
    tiny_id = raise_alert(db, "Disk full")

    reply = chat.run(f"assign {tiny_id} to nobody@example.com")

    assert reply.text == "There is no Tocsin user nobody@example.com; name them by e-mail or @mention"
    assert not reply.in_channel
    assert alert(db, tiny_id).owner == ""


def test_own_makes_the_linked_user_the_owner_and_needs_a_link(db, chat):
    chat.link("lead")
    tiny_id = raise_alert(db, "Disk full")

    refused = chat.run(f"own {tiny_id}", as_user="bob")
    reply = chat.run(f"own {tiny_id}", as_user="lead")

    assert refused.text == (
        "Taking ownership needs your Mattermost account connected to a Tocsin user. "
        "Run `/genie connect` to connect it."
    )
    assert not refused.in_channel
    assert reply.text == f"@lead took ownership of #{tiny_id} Disk full"
    assert alert(db, tiny_id).owner == "lead@example.com"


def test_ackall_acknowledges_every_unacknowledged_open_alert_the_caller_may_see(db, chat):
    chat.link("ann")
    ours = [raise_alert(db, "Ours one"), raise_alert(db, "Ours two")]
    theirs = raise_alert(db, "Theirs", team="db")
    closed = raise_alert(db, "Closed")
    chat.run(f"close {closed}", as_user="ann")
    acked = raise_alert(db, "Acked")
    chat.run(f"ack {acked}", as_user="ann")

    reply = chat.run("ackall", as_user="ann")

    assert reply.text.splitlines() == [
        "@ann acknowledged 2 open alerts:",
        f"#{ours[0]} Ours one",
        f"#{ours[1]} Ours two",
    ]
    assert reply.in_channel
    assert not alert(db, theirs).acknowledged
    assert chat.run("ackall", as_user="ann").text == "There are no unacknowledged open alerts you can see."


def test_closeall_lists_at_most_twenty_alerts_and_counts_the_rest(db, chat):
    ids = [raise_alert(db, f"Alert {n}") for n in range(23)]

    reply = chat.run("closeall")

    lines = reply.text.splitlines()
    assert lines[0] == "@bob closed 23 open alerts:"
    assert lines[1:21] == [f"#{n} Alert {i}" for i, n in enumerate(ids[:20])]
    assert lines[21:] == ["… and 3 more"]
    assert all(alert(db, n).status == "closed" for n in ids)


def test_alert_messages_in_replies_cannot_mention_the_channel(db, chat):
    tiny_id = raise_alert(db, "@channel *wake up*")

    reply = chat.run(f"ack {tiny_id}")

    assert "@channel" not in mentions(reply.text) and "`@channel`" in reply.text
    assert "\\*wake up\\*" in reply.text


def test_notification_buttons_act_as_the_person_who_pressed_them(db, chat):
    chat.link("ann")
    first, second = raise_alert(db, "Disk full"), raise_alert(db, "CPU hot")
    first_id, second_id = alert(db, first).id, alert(db, second).id

    assert chat.press("ack", first_id, as_user="ann").text == f"@ann acknowledged #{first} Disk full"
    assert chat.press("ack", first_id, as_user="ann").text == f"#{first} was already acknowledged"
    assert chat.press("own", second_id, as_user="ann").text == f"@ann took ownership of #{second} CPU hot"
    assert chat.press("close", second_id, as_user="bob").text == f"@bob closed #{second} CPU hot"
    assert chat.press("close", "no-such-alert").text == "That alert no longer exists."
    assert chat.press("own", first_id, as_user="bob").text.startswith(
        "Taking ownership needs your Mattermost"
    )
    assert "Alert acknowledged by ann@example.com via Mattermost" in log_of(db, first)
    assert "Alert closed by @bob (Mattermost)" in log_of(db, second)
