"""The safety net under every log line: secrets in known shapes are replaced by ``[redacted]``
wherever they appear (messages, fields, exception text), however they got there.

Log calls are written not to carry secrets in the first place (route templates instead of
paths, no query strings, no headers); this catches what slips through, such as a library's
exception that quotes a URL with its token."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from functools import lru_cache
from typing import Any

REDACTED = "[redacted]"

_SECRET_WORDS = (
    r"api[_-]?key|apikey|key|token|[a-z]*_token|secret|[a-z]*_secret|password|passwd|pwd|passphrase"
    r"|signature|sig|x-amz-signature|x-amz-credential|x-goog-signature|credential|credentials"
    r"|auth|authorization|auth_token|access_token|refresh_token|id_token|code|jwt|session|cookie"
    r"|csrf_token|client_secret|private_key"
)
SECRET_NAME = re.compile(
    rf"^(?:{_SECRET_WORDS})$|(?:^|[_-])(?:key|token|secret|password|passwd|signature|cookie|session)s?$",
    re.IGNORECASE,
)
_CAMEL_SECRET_NAME = re.compile(r"[a-z0-9](?:Key|Token|Secret|Password|Signature|Cookie)s?$")


@lru_cache(maxsize=1024)
def is_secret_name(name: str) -> bool:
    """Whether values under this name are secrets wherever they are: form fields, query
    parameters, JSON keys, structured log fields (``password``, ``bot_token``, ``AuthToken``…)."""
    return bool(SECRET_NAME.search(name) or _CAMEL_SECRET_NAME.search(name))


_NAME = r"[A-Za-z][\w.-]*"


def _name_value(match: re.Match[str]) -> str:
    name, value = match.group(1), match.group(2)
    if not is_secret_name(name) or not value:
        return match.group(0)
    return f"{name}={REDACTED}"


def _quoted_pair(match: re.Match[str]) -> str:
    quote, name, colon, value_quote = match.group(1), match.group(2), match.group(3), match.group(4)
    if not is_secret_name(name) or not match.group(5):
        return match.group(0)
    return f"{quote}{name}{quote}{colon}{value_quote}{REDACTED}{value_quote}"


_PATTERNS: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    # Authorization schemes: "GenieKey 3f0c…", and "Bearer eyJ…", "Basic dXNlcjpw…", "Token abc1…"
    # when what follows looks like a credential (not "Token expired").
    (re.compile(r"(?i)\b(GenieKey)(\s+|%20|\+)[^\s\"',;&]+"), rf"\1\2{REDACTED}"),
    (
        re.compile(r"(?i)\b(Bearer|Basic|Token|Digest)(\s+|%20|\+)(?=[^\s\"',;&]*\d)[\w.~+/=-]{8,}"),
        rf"\1\2{REDACTED}",
    ),
    # Headers that are secrets whole: "Authorization: …", "Cookie: …", "Set-Cookie: …".
    (
        re.compile(
            r"(?im)\b((?:proxy-)?authorization|set-cookie|cookie|x-[\w-]*(?:key|token|secret|signature))"
            r"(\"?\s*[:=]\s*\"?)[^\n\"]+"
        ),
        rf"\1\2{REDACTED}",
    ),
    # name=value (query strings, form bodies, "key=value" text) with a secret's name.
    (
        re.compile(rf"(?i)(?<![\w.-])({_NAME})=([^&\s\"',;)\]}}>]+)"),
        _name_value,
    ),
    # "name": "value" (JSON, Python reprs) with a secret's name.
    (
        re.compile(rf"""(?i)(["'])({_NAME})\1(\s*:\s*)(["'])((?:\\.|(?!\4).)*)\4"""),
        _quoted_pair,
    ),
    # The query string of any absolute URL: signed URLs carry their signature or token there
    # under names nobody can list in advance.
    (re.compile(r"(?i)\b(https?://[^\s?#\"'<>]+)\?[^\s#\"'<>]+"), rf"\1?{REDACTED}"),
    # Credentials in URLs: scheme://user:password@host.
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]*):[^/\s@]+@"), rf"\1:{REDACTED}@"),
    # Slack tokens (xoxb-, xoxp-, xapp-…), webhooks and other platforms' token shapes.
    (re.compile(r"\b(?:xox[abposre]|xapp)-[A-Za-z0-9-]{8,}"), REDACTED),
    (re.compile(r"(?i)(hooks\.slack\.com/(?:services|workflows|triggers)/)[^\s\"'?#]+"), rf"\1{REDACTED}"),
    (re.compile(r"(/hooks/)[a-z0-9]{20,}"), rf"\1{REDACTED}"),
    # ntfy access tokens.
    (re.compile(r"\btk_[a-z0-9]{20,}\b"), REDACTED),
    # JSON Web Tokens (HipChat's, OIDC's): three base64url parts, the first a JSON header.
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"), REDACTED),
    # URLs with a secret in the path (chat link, calendar feed, ntfy action, chat request URLs).
    (
        re.compile(
            r"(/chat/link/|/calendar/|/act/|/chat/(?:mattermost|slack|hipchat)/[\w-]+/)(?!\{)[^\s\"'/?#]+"
        ),
        rf"\1{REDACTED}",
    ),
]


_MIGHT_HOLD_A_SECRET = re.compile(
    r"[=:@?]|hooks|/chat/|/calendar/|/act/|genie|bearer|basic|token|digest|xox|xapp|tk_|eyj", re.IGNORECASE
)
"""Text none of the shapes above can match without (most fields of most lines: a route template,
an address, a name), so that it is looked at once rather than by every pattern."""


_WRITTEN_BY_TOCSIN = frozenset({"timestamp", "level", "logger", "request_id"})
"""Fields the log set-up adds itself, never from outside (and "_record", structlog's own)."""


class Redactor:
    """Replaces secrets in text: the known shapes above, plus given values (the secrets in this
    process's settings: the secret key, the Twilio auth token, the SMTP password…)."""

    def __init__(self, known: Iterable[str] = ()) -> None:
        values = sorted({value for value in known if len(value) >= 6}, key=len, reverse=True)
        self._known = re.compile("|".join(re.escape(value) for value in values)) if values else None

    def text(self, text: str) -> str:
        if self._known is not None:
            text = self._known.sub(REDACTED, text)
        if not _MIGHT_HOLD_A_SECRET.search(text):
            return text
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {key: REDACTED if _secret_key(key) else self.value(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(item) for item in value]
        if isinstance(value, int | float | bool) or value is None:
            return value
        return self.text(str(value))

    def __call__(self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> Any:
        """The structlog processor: every field of the line, whatever its name."""
        for key in list(event_dict):
            if key.startswith("_") or key in _WRITTEN_BY_TOCSIN:
                continue
            event_dict[key] = REDACTED if _secret_key(key) else self.value(event_dict[key])
        return event_dict


def _secret_key(key: object) -> bool:
    return isinstance(key, str) and key != "event" and is_secret_name(key)
