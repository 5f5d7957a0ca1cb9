"""What a call about an alert says and what its keys do: the alert read out, then 1 to
acknowledge, 2 to close, 3 to escalate to the next rule; the menu once more when no key is
pressed, then goodbye. A key acts as the person the call is for (named by the call's token),
under the same rules as the API, and the call says what happened."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tocsin.accounts.models import User
from tocsin.actors import Actor
from tocsin.alerts import actions
from tocsin.alerts.actions import ActionOutcome
from tocsin.alerts.models import Alert
from tocsin.alerts.service import AlertRef
from tocsin.chat.results import run_on_one
from tocsin.escalations.next_rule import escalate_to_next
from tocsin.notify import twilio_urls
from tocsin.notify.twilio_tokens import CallAbout, read_call_token
from tocsin.notify.twilio_twiml import Twiml
from tocsin.notify.twilio_voice import spoken
from tocsin.ops import request_context
from tocsin.teams.service import actor_for_user

CHANNEL = "phone call"
MENU = "Press 1 to acknowledge, 2 to close, or 3 to escalate to the next responder."
GOODBYE = "Goodbye."


def _acknowledge(session: Session, ref: AlertRef, actor: Actor) -> ActionOutcome:
    return actions.acknowledge(session, ref=ref, actor=actor)


def _close(session: Session, ref: AlertRef, actor: Actor) -> ActionOutcome:
    return actions.close(session, ref=ref, actor=actor)


def _escalate(session: Session, ref: AlertRef, actor: Actor) -> ActionOutcome:
    return escalate_to_next(session, ref=ref, actor=actor)


KEYS = {
    "1": ("acknowledged", _acknowledge),
    "2": ("closed", _close),
    "3": ("escalated to the next responder", _escalate),
}


class CallDocuments:
    """The TwiML documents of calls placed by this server (its base URL and secret key)."""

    def __init__(self, base_url: str, secret_key: str) -> None:
        self.base_url = base_url
        self.secret_key = secret_key

    def alert(self, session: Session, token: str, *, again: bool) -> str:
        """The alert read out, waiting for a key."""
        found = self._found(session, token)
        if isinstance(found, str):
            return found
        alert, _ = found
        if alert.status == "closed":
            return _ending(f"Alert {alert.tiny_id} is closed already.")
        intro = "Once more: " if again else "Hello, this is Tocsin with an alert. "
        twiml = Twiml().gather(twilio_urls.keys_url(self.base_url, token), intro + spoken(alert), MENU)
        if again:
            return twiml.say(f"No key was pressed. {GOODBYE}").hangup().xml()
        return twiml.redirect(twilio_urls.call_url(self.base_url, token, again=True)).xml()

    def keys(self, session: Session, token: str, digits: str) -> str:
        """What a key press did."""
        found = self._found(session, token)
        if isinstance(found, str):
            return found
        alert, user = found
        key = KEYS.get(digits.strip()[:1])
        if key is None:
            return (
                Twiml()
                .say("Sorry, that key does nothing here.")
                .redirect(twilio_urls.call_url(self.base_url, token, again=True))
                .xml()
            )
        done, action = key
        actor = actor_for_user(session, user, channel=CHANNEL)
        request_context.note_actor(actor)
        result = run_on_one(session, f"#{alert.tiny_id}", AlertRef(alert.id), actor, action)
        if result.changed:
            return _ending(f"Alert {alert.tiny_id} {done}.")
        if result.hidden:
            return _ending(f"You may not act on alert {alert.tiny_id}.")
        return _ending(f"Alert {alert.tiny_id} {result.problem}.")

    def _found(self, session: Session, token: str) -> tuple[Alert, User] | str:
        """The call's alert and person, or the document that ends a call whose token is bad."""
        about: CallAbout | None = read_call_token(self.secret_key, token)
        if about is None:
            return _ending("This call has expired. Please answer the alert in Tocsin.")
        alert, user = session.get(Alert, about.alert_id), session.get(User, about.user_id)
        if alert is None or user is None:
            return _ending("This alert no longer exists.")
        return alert, user


def _ending(words: str) -> str:
    return Twiml().say(f"{words} {GOODBYE}").hangup().xml()
