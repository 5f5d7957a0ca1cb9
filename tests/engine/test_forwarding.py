"""Forwarding rules in the engine: while a rule lasts, the person it forwards to is e-mailed in
the place of the one it forwards from (to a real SMTP server); before and after, the person
themselves. Chains are followed and a circle stops."""

from __future__ import annotations

from datetime import timedelta

from tests.engine.test_escalation_flow import first_recipients, logs, recipients
from tocsin.actors import SYSTEM
from tocsin.notify import forwarding_rules
from tocsin.notify.forwarding_rules import RuleSpec


def forward(db, source, target, start, end, alias=None):
    with db.write_session() as session:
        spec = RuleSpec(from_user=source, to_user=target, start=start, end=end, alias=alias)
        return forwarding_rules.create_rule(session, actor=SYSTEM, spec=spec).id


def responder(username):
    return [{"type": "user", "username": username}]


def test_a_persons_alerts_go_to_whom_they_forward_to_while_the_rule_lasts(
    db, engine, smtp, frozen_clock, make_user_and_alert
):
    people = make_user_and_alert
    people.user("ada@example.com")
    people.user("bob@example.com")
    now = frozen_clock.now()
    forward(db, "ada@example.com", "bob@example.com", now + timedelta(hours=1), now + timedelta(hours=3))

    before = people.alert(message="before", responders=responder("ada@example.com"))
    engine.tick()
    assert first_recipients(smtp) == ["ada@example.com"]

    frozen_clock.advance(timedelta(hours=2))
    during = people.alert(message="during", responders=responder("ada@example.com"))
    engine.tick()
    assert first_recipients(smtp) == ["ada@example.com", "bob@example.com"]
    assert "bob@example.com notified instead of ada@example.com (forwarding rule)" in logs(db, during)
    assert set(recipients(db, during)) == {"bob@example.com"}
    assert "in place of ada@example.com" in smtp.received[1].body

    frozen_clock.advance(timedelta(hours=1))  # the rule ended
    people.alert(message="after", responders=responder("ada@example.com"))
    engine.tick()
    assert first_recipients(smtp)[-1] == "ada@example.com"
    assert "instead of" not in " ".join(logs(db, before))


def test_chains_are_followed_and_a_circle_stops_before_it_closes(
    db, engine, smtp, frozen_clock, make_user_and_alert
):
    people = make_user_and_alert
    for name in ("ada", "bob", "cy"):
        people.user(f"{name}@example.com")
    now, later = frozen_clock.now(), frozen_clock.now() + timedelta(days=1)
    forward(db, "ada@example.com", "bob@example.com", now, later)
    forward(db, "bob@example.com", "cy@example.com", now, later)
    forward(db, "cy@example.com", "ada@example.com", now, later)

    for_ada = people.alert(message="for ada", responders=responder("ada@example.com"))
    engine.tick()
    # Ada → Bob → Cy, and Cy → Ada would close the circle: Cy is told.
    assert first_recipients(smtp) == ["cy@example.com"]
    assert set(recipients(db, for_ada)) == {"cy@example.com"}

    for_bob = people.alert(message="for bob", responders=responder("bob@example.com"))
    engine.tick()
    assert first_recipients(smtp)[-1] == "ada@example.com"
    assert "ada@example.com notified instead of bob@example.com (forwarding rule)" in logs(db, for_bob)
