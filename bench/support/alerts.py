"""The alerts the routing benchmarks send: each has a word of its own (its token) in its message
and as its alias, found again in the e-mail and the chat post about it."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator

from bench.support.tocsin import TEAM

TOKEN = re.compile(rb"tb\d+x\d+y")
_runs = itertools.count(1)


def new_alerts(*, team: bool = True) -> Iterator[tuple[str, bytes]]:
    """(token, JSON body) of new alerts for the bench team (or for nobody), tokens never used
    before in this process."""
    run = next(_runs)
    responders = [{"type": "team", "name": TEAM}] if team else []
    for number in itertools.count(1):
        word = f"tb{run}x{number}y"
        body = {"message": f"Bench alert {word}", "alias": word, "responders": responders}
        yield word, json.dumps(body).encode()


def recorded(alerts: Iterator[tuple[str, bytes]], words: list[str]) -> Iterator[bytes]:
    """The bodies of ``alerts``, each one's token appended to ``words`` as it is taken."""
    for word, body in alerts:
        words.append(word)
        yield body
