"""The floor Tocsin is compared with (``bench/compare.py``): a FastAPI app that only parses a
create-alert request into Tocsin's own pydantic model and answers 202 as Tocsin does, storing
nothing and checking no key.

    .venv/bin/uvicorn --app-dir bench bare_app:app --port 8090 --no-access-log
"""

from __future__ import annotations

import uuid

from fastapi import FastAPI

from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.api.envelope import JSONBody

app = FastAPI()


@app.post("/v2/alerts", status_code=202)
async def create_alert(body: CreateAlertPayload) -> JSONBody:
    answer = {"result": "Request will be processed", "took": 0.0, "requestId": str(uuid.uuid4())}
    return JSONBody(answer, status_code=202)
