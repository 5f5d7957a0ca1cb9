"""Bot-mode card edits: how soon after an action on an alert its card is edited in place.

Serves Tocsin for real (uvicorn in this process, engine included, SQLite) beside a fake
Mattermost over HTTP on loopback, with two integrations forwarding notes: one in bot mode (its
cards are patched with ``PUT /api/v4/posts/{id}/patch``) and one through an incoming webhook
(the baseline: the follow-up post of the same action, measured in the same run). Raises
``--alerts`` alerts, waits for their cards, then adds notes through the API at ``--rate``
actions per second for ``--seconds``, spread over the alerts, and prints p50/p99/max of
action → patch received by the fake and action → webhook post received. An action's time is
when its request was sent (so the figures include the API call). The goal: p99 ≤ 1 s at 50/s.

Then it raises alerts up to ``--ackall`` open ones and types ``/genie ackall`` into the bot's
integration (Mattermost's slash command request): the goal is one edit per card and one summary
post per channel (the bot's and the webhook's), not a post per alert; it prints the counts and
how long until the last card was edited.

    .venv/bin/python bench/bench_card_edits.py
    .venv/bin/python bench/bench_card_edits.py --rate 50 --seconds 20 --alerts 50
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.support.load import percentile  # noqa: E402
from tests.fakes.mattermost import FakeMattermost  # noqa: E402
from tests.support.chat_integration import LOOPBACK, add_chat_integration  # noqa: E402
from tests.support.factories import make_integration  # noqa: E402
from tests.support.http_receiver import Answer, Received  # noqa: E402
from tests.support.server import LiveServer, live_settings  # noqa: E402

from tocsin.db import Database  # noqa: E402
from tocsin.integrations.chat_bots import BotChanges  # noqa: E402
from tocsin.integrations.configuration import Changes  # noqa: E402
from tocsin.migrate import upgrade  # noqa: E402

BOT_CHANNEL, HOOK_CHANNEL = "alerts-bot", "alerts-hook"
FORWARDED = ["Create", "AddNote", "Acknowledge"]
NOTE = re.compile(r"benchnote(\d+)x")


class TimedMattermost(FakeMattermost):
    """The fake Mattermost, noting when each request arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: list[tuple[float, Received]] = []
        self._arrivals_lock = threading.Lock()

    def _serve(self, request: Received) -> Answer:
        with self._arrivals_lock:
            self.arrivals.append((time.perf_counter(), request))
        return super()._serve(request)


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what}")
        time.sleep(0.05)


async def act(
    server: str, key: str, tiny_ids: list[int], rate: float, seconds: float
) -> list[tuple[float, int, str]]:
    """Notes added at ``rate`` per second: (sent at, tiny id, note) of each."""
    sent: list[tuple[float, int, str]] = []
    count = int(rate * seconds)
    started = time.perf_counter()
    async with httpx.AsyncClient(
        base_url=server, headers={"Authorization": f"GenieKey {key}"}, timeout=30
    ) as client:

        async def one(number: int) -> None:
            tiny_id, note = tiny_ids[number % len(tiny_ids)], f"benchnote{number}x"
            await asyncio.sleep(max(0.0, started + number / rate - time.perf_counter()))
            sent.append((time.perf_counter(), tiny_id, note))
            answer = await client.post(f"/v2/alerts/{tiny_id}/notes?identifierType=tiny", json={"note": note})
            if answer.status_code >= 300:
                raise SystemExit(f"adding a note failed: {answer.status_code} {answer.text}")

        await asyncio.gather(*(one(number) for number in range(count)))
    return sent


@dataclass(frozen=True)
class Bulk:
    alerts: int
    edits_min: int
    edits_max: int
    bot_posts: int
    hook_posts: int
    seconds: float


def ackall(server: str, key: str, fake: TimedMattermost, request_url: str, total: int) -> Bulk:
    """Alerts raised up to ``total`` open ones, then ``/genie ackall`` typed through the bot's
    integration; what reached each channel once every card was edited."""
    with httpx.Client(base_url=server, headers={"Authorization": f"GenieKey {key}"}, timeout=30) as client:
        for number in range(len(fake.cards(BOT_CHANNEL)), total):
            answer = client.post("/v2/alerts", json={"message": f"bench alert {number}"})
            assert answer.status_code == 202, answer.text
    wait_for(lambda: len(fake.cards(BOT_CHANNEL)) == total, 120, "the cards")
    time.sleep(1.0)  # the webhook channel's creation posts settle
    cards = fake.cards(BOT_CHANNEL)
    edits_before = {card.id: len(card.edits) for card in cards}
    posts_before = len(fake.posts(BOT_CHANNEL)), len(fake.posts(HOOK_CHANNEL))
    fake.arrivals.clear()
    started = time.perf_counter()
    form = {"team_id": "t1", "team_domain": "acme", "user_id": "u1", "user_name": "ann", "channel_id": "c1"}
    answer = httpx.post(server + urlsplit(request_url).path, data=form | {"text": "ackall"}, timeout=60)
    assert answer.status_code == 200, answer.text
    wait_for(lambda: all(len(card.edits) > edits_before[card.id] for card in cards), 120, "every card edited")
    time.sleep(2.0)  # anything more that would come (a post per alert) has time to arrive
    last_edit = max(at for at, request in fake.arrivals if request.method == "PUT")
    edits = [len(card.edits) - edits_before[card.id] for card in cards]
    return Bulk(
        alerts=len(cards),
        edits_min=min(edits),
        edits_max=max(edits),
        bot_posts=len(fake.posts(BOT_CHANNEL)) - posts_before[0],
        hook_posts=len(fake.posts(HOOK_CHANNEL)) - posts_before[1],
        seconds=last_edit - started,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=50.0, help="actions per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--alerts", type=int, default=50)
    parser.add_argument("--ackall", type=int, default=200, help="open alerts when /genie ackall is typed")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as work, TimedMattermost() as fake:
        database_url = f"sqlite:///{work}/tocsin.db"
        upgrade(database_url)
        settings = live_settings(database_url, work).model_copy(
            update={"outbound_allow": LOOPBACK, "engine_tick_seconds": 0.05}
        )
        db = Database(database_url)
        _, key = make_integration(db, "bench-api")
        token = fake.new_bot(channels=(BOT_CHANNEL,))
        bot = BotChanges(server_url=fake.base_url, token=token, channel_id=fake.channel(BOT_CHANNEL).id)
        _, request_url = add_chat_integration(
            db, settings, "Mattermost", Changes(bot=bot, outgoing_actions=FORWARDED), "bot"
        )
        hook = Changes(url=fake.new_hook(channel=HOOK_CHANNEL), outgoing_actions=FORWARDED)
        add_chat_integration(db, settings, "Mattermost", hook, "hook")
        with LiveServer(settings) as server:
            with httpx.Client(base_url=server.url, headers={"Authorization": f"GenieKey {key}"}) as client:
                for number in range(args.alerts):
                    answer = client.post("/v2/alerts", json={"message": f"bench alert {number}"})
                    assert answer.status_code == 202, answer.text
            wait_for(lambda: len(fake.cards(BOT_CHANNEL)) == args.alerts, 60, "the cards")
            card_of_tiny = {
                int(post.attachments[0]["title"].split()[0][1:]): post.id for post in fake.cards(BOT_CHANNEL)
            }
            fake.arrivals.clear()
            sent = asyncio.run(act(server.url, key, sorted(card_of_tiny), args.rate, args.seconds))
            wait_for(
                lambda: len([1 for _, r in fake.arrivals if r.method == "PUT"]) >= len(sent), 60, "the edits"
            )
            wait_for(
                lambda: len(fake.posts(HOOK_CHANNEL)) >= args.alerts + len(sent), 60, "the webhook posts"
            )
            note_arrivals = list(fake.arrivals)
            bulk = ackall(server.url, key, fake, request_url, args.ackall)
        db.dispose()
    fake.arrivals[:] = note_arrivals

    patches: dict[str, list[float]] = defaultdict(list)
    hooked: dict[str, float] = {}
    for at, request in fake.arrivals:
        if request.method == "PUT":
            patches[request.path.split("/")[4]].append(at)
        elif request.path.startswith("/hooks/"):
            for number in NOTE.findall(request.body.decode()):
                hooked[number] = at
    to_patch, to_hook = [], []
    per_alert: dict[int, int] = defaultdict(int)
    for at, tiny_id, note in sorted(sent):
        # the k-th patch of a card answers the k-th action on its alert (they are delivered in order)
        index = per_alert[tiny_id]
        per_alert[tiny_id] += 1
        to_patch.append(patches[card_of_tiny[tiny_id]][index] - at)
        number = note.removeprefix("benchnote").removesuffix("x")
        if number in hooked:
            to_hook.append(hooked[number] - at)

    def line(name: str, values: list[float]) -> str:
        return (
            f"{name:<30} n={len(values):<5} p50 {percentile(values, 0.5) * 1000:7.1f} ms   "
            f"p99 {percentile(values, 0.99) * 1000:7.1f} ms   max {max(values) * 1000:7.1f} ms"
        )

    print(f"{len(sent)} notes at {args.rate:g}/s over {args.alerts} alerts (SQLite)")
    print(line("action -> card patched", to_patch))
    print(line("action -> webhook post (base)", to_hook))
    print("goal: card patched within 1 s (p99):", "met" if percentile(to_patch, 0.99) <= 1.0 else "NOT met")
    print(
        f"/genie ackall on {bulk.alerts} alerts: edits per card {bulk.edits_min}-{bulk.edits_max}, "
        f"new posts: bot channel {bulk.bot_posts}, webhook channel {bulk.hook_posts}; "
        f"last card edited {bulk.seconds:.2f} s after the command"
    )
    met = bulk.edits_min == bulk.edits_max == 1 and bulk.bot_posts == bulk.hook_posts == 1
    print("goal: one edit per card, one summary post per channel:", "met" if met else "NOT met")


if __name__ == "__main__":
    main()
