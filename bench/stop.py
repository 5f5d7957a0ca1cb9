"""Stop drill: how long ``tocsin serve`` takes to stop on SIGTERM while chat posts wait for a
retry, and whether any post is lost by stopping.

A real ``tocsin serve`` (engine inside, fresh database) has a team-owned Mattermost integration
whose incoming webhook, an HTTP server in this process, answers 503. ``--alerts`` team alerts are
created; once every post waits in the outbox and the webhook has refused the engine, the server gets
SIGTERM and the seconds until it exits are printed (or that it had not exited within ``--wait``
seconds, when it is killed). Then the webhook answers again, the server is started once more on
the same database, and every expected post must arrive (and every e-mail notification).

    .venv/bin/python bench/stop.py                        # both databases
    .venv/bin/python bench/stop.py --backend sqlite --alerts 50 --wait 30
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support.alerts import new_alerts, recorded
from bench.support.databases import BACKENDS, Databases, chosen
from bench.support.listeners import ChatListener, MailListener
from bench.support.load import closed_loop
from bench.support.tocsin import Server, posts_waiting, wait_until


def _waiting_after_failure(database_url: str, expected: int) -> bool:
    """Every post is in the outbox, undelivered, and the webhook has refused at least once."""
    waiting, failed = posts_waiting(database_url)
    return waiting >= expected and failed > 0


def drill(
    backend: str, dbs: Databases, mail: MailListener, chat: ChatListener, args: argparse.Namespace
) -> str:
    words: list[str] = []
    bodies = recorded(new_alerts(), words)

    settings = {"TOCSIN_OUTBOUND_ALLOW": "127.0.0.0/8", **mail.settings()}
    with Server(dbs.fresh(backend), settings, mattermost_hook=chat.hook) as server:
        chat.refuse()
        created = asyncio.run(closed_loop(server.target, bodies, 8, 600, args.alerts))
        url = server.env["TOCSIN_DATABASE_URL"]
        tried = wait_until(lambda: _waiting_after_failure(url, len(words)), args.wait * 4, 0.5)
        took = server.stop_serving(args.wait)
        chat.recover()
        server.serve()
        posts, mails = chat.arrivals.first, mail.arrivals.first
        wait_until(lambda: all(word in posts and word in mails for word in words), args.redeliver, 0.2)
    lost_posts = sum(word not in posts for word in words)
    lost_mails = sum(word not in mails for word in words)
    stopped = (
        f"stopped {took:.1f} s after SIGTERM" if took is not None else f"not stopped within {args.wait:.0f} s"
    )
    return (
        f"{backend}: {len(words)} alerts ({created.errors} refused), "
        f"all posts waiting after a failure before SIGTERM: {'yes' if tried else 'no'}; "
        f"{stopped}; after a restart {lost_posts} posts and {lost_mails} e-mails missing "
        f"(waited up to {args.redeliver:.0f} s)"
    )


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--backend", choices=BACKENDS, default="both")
    parser.add_argument("--alerts", type=int, default=300, help="alerts whose posts wait for a retry")
    parser.add_argument("--wait", type=float, default=30, help="seconds to wait for the server to exit")
    parser.add_argument("--redeliver", type=float, default=120, help="seconds to wait for the posts after")
    args = parser.parse_args()
    with Databases() as dbs, MailListener() as mail, ChatListener() as chat:
        for backend in chosen(args.backend):
            print(drill(backend, dbs, mail, chat, args), flush=True)


if __name__ == "__main__":
    main()
