"""Where log lines go and what they look like: every logger of the process (Tocsin's, uvicorn's,
SQLAlchemy's warnings, the engine's) writes through the standard ``logging`` module to one
handler on stderr, whose structlog formatter renders the line as JSON (``TOCSIN_LOG_FORMAT=json``)
or as readable text, after the redaction processor has taken secrets out of it."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import MutableMapping
from contextlib import suppress
from types import TracebackType
from typing import Any

import orjson
import structlog
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from structlog.typing import Processor

from tocsin.config import Settings
from tocsin.ops.redaction import Redactor
from tocsin.ops.request_context import add_request_id

QUIET_LOGGERS = {
    "uvicorn.access": logging.CRITICAL + 1,  # it prints raw paths with query strings: never
    "aiosqlite": logging.WARNING,
    "asyncio": logging.WARNING,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "alembic": logging.WARNING,  # "Context impl SQLiteImpl." on every start
}


def configure(settings: Settings) -> None:
    """Set up logging for this process (``tocsin serve``, each worker, ``tocsin engine``)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(settings))
    root = logging.getLogger()
    for existing in root.handlers[:]:
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    for name in ("uvicorn", "uvicorn.error", "sqlalchemy", "alembic"):
        logger = logging.getLogger(name)  # their own handlers (if any) would print a second line
        logger.handlers.clear()
        logger.propagate = True
    for name, level in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(max(level, root.level))
    logging.captureWarnings(True)  # SQLAlchemy's and others' warnings become log lines too

    structlog.configure(
        processors=[*_shared(settings), structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    _log_uncaught_exceptions()


def formatter(settings: Settings) -> logging.Formatter:
    """Renders any ``logging`` record (structlog's or another library's) as the line to write:
    redacted, then JSON or text."""
    renderer: Processor = (
        structlog.processors.JSONRenderer(serializer=_json) if settings.log_format == "json" else _render_text
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared(settings),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            Redactor(known_secrets(settings)),
            _first_the_usual_fields,
            renderer,
        ],
    )


def _shared(settings: Settings) -> list[Processor]:
    """What every line gets, whichever logger wrote it."""
    return [
        structlog.contextvars.merge_contextvars,
        add_request_id,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        _timestamper(settings),
    ]


def access_log_on(settings: Settings) -> bool:
    """Access lines: as set, else on in JSON mode and off in text mode (as before they existed)."""
    return settings.access_log if settings.access_log is not None else settings.log_format == "json"


def known_secrets(settings: Settings) -> list[str]:
    """The secrets this process holds in its settings: redacted by value wherever they appear."""
    values = [
        _secret_key(settings),
        settings.smtp_password,
        settings.twilio_auth_token,
        settings.ntfy_token,
        settings.oidc_client_secret,
    ]
    if settings.database_url:
        with suppress(ArgumentError):  # not a URL SQLAlchemy reads: the database will say so itself
            values.append(make_url(settings.database_url).password or "")
    return [value for value in values if value]


def _secret_key(settings: Settings) -> str:
    """The configured key, or the one kept in the data directory (made now if there is none yet,
    as ``tocsin serve`` would a moment later)."""
    try:
        return settings.effective_secret_key
    except OSError:  # a data directory it cannot write: the command that needs the key will say so
        return settings.secret_key


def uvicorn_options() -> dict[str, Any]:
    """What ``uvicorn.run`` needs so that it leaves logging as ``configure`` set it."""
    return {"log_config": None, "access_log": False}


def _timestamper(settings: Settings) -> Processor:
    if settings.log_format == "json":
        return structlog.processors.TimeStamper(fmt="iso", utc=True)
    return structlog.processors.TimeStamper(fmt="%Y-%m-%d %H:%M:%S", utc=False)


USUAL_FIELDS = ("timestamp", "level", "logger", "event")


def _first_the_usual_fields(logger: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> Any:
    """The same fields first on every line, for people who read them."""
    return {
        **{key: event_dict[key] for key in USUAL_FIELDS if key in event_dict},
        **{key: value for key, value in event_dict.items() if key not in USUAL_FIELDS},
    }


def _json(value: Any, **_: Any) -> str:
    return orjson.dumps(value, default=str).decode()


def _render_text(logger: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> str:
    """``2026-01-05 10:00:00 INFO tocsin.engine: message key=value``, then any traceback."""
    timestamp = event_dict.pop("timestamp", "")
    level = str(event_dict.pop("level", method_name)).upper()
    name = event_dict.pop("logger", "")
    event = event_dict.pop("event", "")
    exception = event_dict.pop("exception", None)
    fields = " ".join(f"{key}={value}" for key, value in event_dict.items() if value is not None)
    line = f"{timestamp} {level} {name}: {event}" + (f" {fields}" if fields else "")
    return f"{line}\n{exception}" if exception else line


def _log_uncaught_exceptions() -> None:
    """An exception nobody caught (in the main thread or another) becomes a log line, not bare
    traceback text on stderr."""
    crash_log = logging.getLogger("tocsin.crash")

    def main_hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, trace)
            return
        crash_log.critical("uncaught exception", exc_info=(kind, error, trace))

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        thread = args.thread.name if args.thread else "?"
        crash_log.error("uncaught exception in thread %s", thread, exc_info=args.exc_value)

    sys.excepthook = main_hook
    threading.excepthook = thread_hook
