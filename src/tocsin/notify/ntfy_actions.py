"""``POST /webhooks/ntfy/act/{token}``: a tap on an ntfy push's Acknowledge or Close button.

The ntfy app sends the request from the phone with nothing but the link, so the link is the
credential (``ntfy_tokens``): it names one action, one alert and the person the push was for,
and expires. The person then acts under the API's rules (an alert they may no longer see is
refused) and the alert log says "Alert acknowledged by ann@example.com via ntfy push". Every
answer is one line of JSON (``{"message": …}``) and none is a 5xx: the app shows a failed tap,
and clears the notification only on a 2xx."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse

from tocsin import clock
from tocsin.accounts.models import User
from tocsin.actors import SYSTEM
from tocsin.alerts import actions
from tocsin.alerts.service import AlertRef, find_alert
from tocsin.config import Settings
from tocsin.errors import AlertActionRefused, AlertNotFound, AlertNotVisible, TocsinError
from tocsin.notify import ntfy_tokens
from tocsin.ops import request_context
from tocsin.teams import service as teams

router = APIRouter(prefix="/webhooks/ntfy", include_in_schema=False)
CHANNEL = "ntfy push"
"""How the alert log names the way the person acted: "… by ann@example.com via ntfy push"."""
DONE = {"acknowledge": "Acknowledged", "close": "Closed"}


@dataclass(frozen=True)
class Answer:
    status: int
    message: str

    def response(self) -> JSONResponse:
        return JSONResponse({"message": self.message}, status_code=self.status)


@router.post("/act/{token}")
async def act(request: Request, token: str) -> JSONResponse:
    settings: Settings = request.app.state.settings
    try:
        link = ntfy_tokens.verify(settings.effective_secret_key, token, clock.now())
    except ntfy_tokens.RefusedLink as refused:
        return Answer(refused.status, refused.message).response()
    answer: Answer = await request.app.state.writer.run(lambda session: carry_out(session, link))
    return answer.response()


def carry_out(session: Session, link: ntfy_tokens.ActionLink) -> Answer:
    """Do what the button says, as its person; what to answer the phone."""
    user = session.get(User, link.user_id)
    if user is None:
        return Answer(403, "the person this push was sent to is no longer a Tocsin user")
    if not user.is_active:
        return Answer(403, "the person this push was sent to is deactivated in Tocsin")
    actor = teams.actor_for_user(session, user, channel=CHANNEL)
    request_context.note_actor(actor)
    ref = AlertRef(link.alert_id)
    try:
        with session.begin_nested():
            if link.action == "acknowledge":
                outcome = actions.acknowledge(session, ref=ref, actor=actor)
            else:
                outcome = actions.close(session, ref=ref, actor=actor)
    except AlertNotFound:
        return Answer(410, "the alert no longer exists")
    except AlertNotVisible:
        return Answer(403, f"{user.username} may not act on this alert")
    except AlertActionRefused as refused:
        return Answer(409, refused.message)
    except TocsinError as error:
        return Answer(409, f"not changed: {error.message}")
    alert = find_alert(session, AlertRef(outcome.alert_id), SYSTEM)
    if outcome.status.startswith("Alert is already "):
        return Answer(200, f"#{alert.tiny_id} {outcome.status[len('Alert ') :]}: {alert.message}")
    return Answer(200, f"{DONE[link.action]} #{alert.tiny_id} {alert.message}")
