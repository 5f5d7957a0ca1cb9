"""``GET /settings``: where each kind of configuration lives (integrations, escalations,
heartbeats, maintenance windows, policies), so the header needs one link, not five."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from tocsin.config import Settings
from tocsin.web.pages import render, signed_in_user, to_login

AREAS = (
    ("/settings/integrations", "Integrations", "Where alerts come in and go out (webhooks, chat)."),
    ("/escalations", "Escalations", "Who is paged, in what order, when nobody acknowledges."),
    ("/heartbeats", "Heartbeats", "Alerts when a job or a system stops checking in."),
    ("/maintenance", "Maintenance windows", "Silence alerts from some integrations or policies for a while."),
    ("/policies", "Policies", "Change or drop alerts as they arrive, and hold back notifications."),
)


def install(app: FastAPI, settings: Settings) -> None:
    @app.get("/settings", include_in_schema=False)
    def settings_hub(request: Request) -> Response:
        user = signed_in_user(request)
        if user is None:
            return to_login(request)
        return render(request, "settings.html", user=user, areas=AREAS)
