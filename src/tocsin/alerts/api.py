"""The v2 Alert API: create, and every read. Actions live in ``api_actions``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session
from starlette.requests import Request

from tocsin.actors import Actor
from tocsin.alerts import ingest, listing, reads, requests, service
from tocsin.alerts.api_common import IdentifierType
from tocsin.alerts.json_views import alert_json, log_json, note_json, recipient_json, request_json
from tocsin.alerts.schemas import CreateAlertPayload
from tocsin.alerts.search_limits import SearchLimits
from tocsin.api.auth import alert_reader, alert_writer
from tocsin.api.envelope import JSONBody, accepted, ok, request_id
from tocsin.db import Database
from tocsin.errors import InvalidInput, NotFound
from tocsin.wire_types import MAX_OFFSET
from tocsin.writer import Batched

# Keys travel in a header browsers cannot send cross-site, so a body without a Content-Type is
# read as JSON, as Opsgenie does for scripts that leave the header out.
router = APIRouter(prefix="/v2/alerts", strict_content_type=False)
Reader = Annotated[Actor, Depends(alert_reader)]
Writer = Annotated[Actor, Depends(alert_writer)]
Order = Literal["asc", "desc"]


def _db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


def _url(request: Request, path: str, **params: Any) -> str:
    query = urlencode({key: value for key, value in params.items() if value is not None})
    return f"{request.app.state.settings.base_url}{path}?{query}"


def _create_and_record(session: Session, items: list[tuple[ingest.NewAlert, str]]) -> list[Exception | None]:
    """Create the alerts of many requests at once and keep each request's outcome."""
    outcomes = ingest.create_alerts(session, [new_alert for new_alert, _ in items])
    records = [
        requests.row(
            request_id=rid,
            action="Create",
            success=True,
            status=_create_status(outcome),
            alert_id=outcome.alert_id,
            alias=outcome.alias,
            integration_id=new_alert.actor.integration_id,
        )
        for (new_alert, rid), outcome in zip(items, outcomes, strict=True)
        if isinstance(outcome, ingest.CreateOutcome)
    ]
    requests.record_many(session, records)
    return [None if isinstance(outcome, ingest.CreateOutcome) else outcome for outcome in outcomes]


def _create_status(outcome: ingest.CreateOutcome) -> str:
    return f"Alert deduplicated; count is {outcome.count}" if outcome.deduplicated else "Created alert"


CREATE_ALERTS = Batched("alert creates", _create_and_record)


@router.post("", status_code=202)
async def create_alert(request: Request, body: CreateAlertPayload, actor: Writer) -> JSONBody:
    return await create(request, body, actor)


async def create(request: Request, body: CreateAlertPayload, actor: Actor) -> JSONBody:
    """Store the alert (written before the answer) and answer 202, for the route above and for
    the create lane (``tocsin.alerts.create_lane``) alike."""
    if not body.source:
        body.source = request.client.host if request.client else ""
    new_alert = ingest.NewAlert(body, actor.with_on_behalf_of(body.user))
    await request.app.state.writer.run_item(CREATE_ALERTS, (new_alert, request_id(request)))
    return accepted(request)


def _search_limits(request: Request) -> SearchLimits:
    return SearchLimits.of(request.app.state.settings)


@router.get("/requests/{request_id}")
def request_status(request: Request, request_id: str, actor: Reader) -> JSONBody:
    with _db(request).read_session() as session:
        record = requests.get(session, request_id)
        if record is None:
            raise NotFound(f"Request {request_id} does not exist")
        return ok(request, request_json(record))


@router.get("/count")
def count_alerts(
    request: Request,
    actor: Reader,
    query: str | None = None,
    search_identifier: Annotated[str | None, Query(alias="searchIdentifier")] = None,
) -> JSONBody:
    _no_saved_searches(search_identifier)
    limits = _search_limits(request)
    limits.check(query)
    with _db(request).read_session() as session, limits.time_limited(session):
        return ok(request, {"count": listing.count_alerts(session, scope=actor.scope, query=query)})


@router.get("")
def list_alerts(
    request: Request,
    actor: Reader,
    query: str | None = None,
    search_identifier: Annotated[str | None, Query(alias="searchIdentifier")] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    sort: Annotated[str, Query(json_schema_extra={"enum": list(listing.SORT_COLUMNS)})] = "createdAt",
    order: Order = "desc",
) -> JSONBody:
    _no_saved_searches(search_identifier)
    if sort not in listing.SORT_COLUMNS:
        raise InvalidInput("sort", f"sort must be one of {', '.join(listing.SORT_COLUMNS)}")
    limits = _search_limits(request)
    limits.check(query)
    with _db(request).read_session() as session, limits.time_limited(session):
        alerts, responders = listing.list_alerts(
            session, scope=actor.scope, query=query, offset=offset, limit=limit, sort=sort, order=order
        )
        total = listing.count_alerts(session, scope=actor.scope, query=query)
        data = [alert_json(alert, responders[alert.id], full=False) for alert in alerts]

    def page(at: int) -> str:
        return _url(request, "/v2/alerts", query=query, offset=at, limit=limit, sort=sort, order=order)

    paging = {"first": page(0), "last": page(max(0, (total - 1) // limit * limit))}
    if offset + limit < total:
        paging["next"] = page(offset + limit)
    if offset > 0:
        paging["prev"] = page(max(0, offset - limit))
    return ok(request, data, paging=paging)


def _no_saved_searches(search_identifier: str | None) -> None:
    if search_identifier:
        raise InvalidInput("searchIdentifier", "saved searches are not supported; pass the search as query=")


@router.get("/{identifier}")
def get_alert(request: Request, identifier: str, actor: Reader, id_type: IdentifierType = "id") -> JSONBody:
    with _db(request).read_session() as session:
        alert, responders = reads.alert_with_responders(session, service.AlertRef(identifier, id_type), actor)
        return ok(request, alert_json(alert, responders, full=True))


def _entry_page(
    offset: Annotated[str | None, Query(pattern="^[0-9]{0,18}$")] = None,
    direction: Literal["next", "prev"] = "next",
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
    order: Order = "desc",
) -> reads.Page:
    return reads.Page(offset=offset, direction=direction, limit=limit, order=order)


EntryPage = Annotated[reads.Page, Depends(_entry_page)]
ENTRY_KINDS: dict[str, tuple[Callable[..., list[Any]], Callable[[Any], dict[str, Any]]]] = {
    "logs": (reads.logs, log_json),
    "notes": (reads.notes, note_json),
}


def _entries(
    request: Request, identifier: str, id_type: str, actor: Actor, page: reads.Page, kind: str
) -> JSONBody:
    read, render = ENTRY_KINDS[kind]
    with _db(request).read_session() as session:
        data = [render(entry) for entry in read(session, service.AlertRef(identifier, id_type), actor, page)]
    paging = _entry_paging(request, f"/v2/alerts/{identifier}/{kind}", data, page.limit, page.order)
    return ok(request, data, paging=paging)


@router.get("/{identifier}/logs")
def list_logs(
    request: Request, identifier: str, actor: Reader, page: EntryPage, id_type: IdentifierType = "id"
) -> JSONBody:
    return _entries(request, identifier, id_type, actor, page, "logs")


@router.get("/{identifier}/notes")
def list_notes(
    request: Request, identifier: str, actor: Reader, page: EntryPage, id_type: IdentifierType = "id"
) -> JSONBody:
    return _entries(request, identifier, id_type, actor, page, "notes")


def _entry_paging(
    request: Request, path: str, data: list[dict[str, Any]], limit: int, order: str
) -> dict[str, str]:
    id_type = request.query_params.get("identifierType")
    paging = {"first": _url(request, path, identifierType=id_type, limit=limit, order=order)}
    if len(data) == limit:
        paging["next"] = _url(
            request,
            path,
            identifierType=id_type,
            offset=data[-1]["offset"],
            direction="next",
            limit=limit,
            order=order,
        )
    return paging


@router.get("/{identifier}/recipients")
def list_recipients(
    request: Request, identifier: str, actor: Reader, id_type: IdentifierType = "id"
) -> JSONBody:
    with _db(request).read_session() as session:
        rows = reads.recipients(session, service.AlertRef(identifier, id_type), actor)
        return ok(request, [recipient_json(recipient, username) for recipient, username in rows])
