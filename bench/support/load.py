"""Load generators: a minimal asyncio HTTP/1.1 client over keep-alive connections, so that it
takes as little as possible of the CPU it shares with the server it measures.

- ``closed_loop``: N clients, each sending its next request when the last is answered;
- ``open_loop``: requests sent on a schedule (a fixed rate), whether or not earlier ones have
  been answered, each on an idle connection or a new one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` lie (nan for none)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


@dataclass
class Result:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    client_cpu: float = 0.0
    """CPU seconds the load generator itself used (it shares the machine with the server)."""
    first_error: str = ""

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def ms(self, fraction: float) -> float:
        return percentile(self.latencies, fraction) * 1000


@dataclass
class Target:
    """Where requests go: ``POST path`` with these headers; ``expect`` is the status of success."""

    port: int
    path: str
    headers: dict[str, str]
    expect: int

    def head(self) -> bytes:
        lines = [f"POST {self.path} HTTP/1.1", "Host: bench", "Content-Type: application/json"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        return ("\r\n".join(lines) + "\r\n").encode()


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


async def _connect(target: Target) -> Connection:
    return await asyncio.open_connection("127.0.0.1", target.port)


async def exchange(connection: Connection, head: bytes, body: bytes) -> tuple[int, bytes, bool]:
    """One request on a keep-alive connection: the answer's status and body, and whether the
    server keeps the connection open (gunicorn's sync workers close it after every answer)."""
    reader, writer = connection
    writer.write(head + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    status_line = await reader.readuntil(b"\r\n")
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (
            line.partition(b":") for line in (await reader.readuntil(b"\r\n\r\n")).split(b"\r\n")
        )
    }
    answer = await reader.readexactly(int(headers.get(b"content-length", b"0")))
    return int(status_line.split(b" ", 2)[1]), answer, headers.get(b"connection", b"").lower() != b"close"


async def exchange_kept(
    target: Target, connection: Connection, head: bytes, body: bytes, *, reused: bool
) -> tuple[int, bytes, bool, Connection]:
    """``exchange``, on a new connection again when a reused one turns out closed by the server
    (uvicorn closes connections idle for 5 s; it had not read the request, as HTTP clients
    assume when they resend on a stale kept-alive connection)."""
    try:
        status, answer, kept = await exchange(connection, head, body)
    except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError) as closed:
        answered_in_part = isinstance(closed, asyncio.IncompleteReadError) and bool(closed.partial)
        if not reused or answered_in_part:
            raise
        connection[1].close()
        connection = await _connect(target)
        status, answer, kept = await exchange(connection, head, body)
    return status, answer, kept, connection


async def _again(target: Target, connection: Connection, kept: bool) -> Connection:
    """The connection for the next request: the same one, or a new one if the server closed it."""
    if kept:
        return connection
    connection[1].close()
    return await _connect(target)


def _count(result: Result, target: Target, status: int, answer: bytes, latency: float) -> None:
    result.latencies.append(latency)
    result.requests += 1
    if status != target.expect:
        result.errors += 1
        result.first_error = result.first_error or f"{status} {answer[:200]!r}"


async def closed_loop(
    target: Target, bodies: Iterator[bytes], clients: int, seconds: float, count: int | None = None
) -> Result:
    """``clients`` connections sending one request after another for ``seconds`` (or until
    ``count`` requests in all have been sent)."""
    result = Result()
    head = target.head()
    deadline = time.perf_counter() + seconds
    sent = 0

    async def client() -> None:
        nonlocal sent
        connection = await _connect(target)
        try:
            while time.perf_counter() < deadline and (count is None or sent < count):
                sent += 1
                started = time.perf_counter()
                status, answer, kept = await exchange(connection, head, next(bodies))
                _count(result, target, status, answer, time.perf_counter() - started)
                connection = await _again(target, connection, kept)
        finally:
            connection[1].close()

    started, cpu_started = time.perf_counter(), time.process_time()
    await asyncio.gather(*(client() for _ in range(clients)))
    result.seconds = time.perf_counter() - started
    result.client_cpu = time.process_time() - cpu_started
    return result


async def open_loop(
    target: Target,
    bodies: Iterator[tuple[str, bytes]],
    rate: float,
    seconds: float,
    on_sent: Callable[[str, float], None],
) -> Result:
    """``rate`` requests a second for ``seconds``, on schedule: each is sent at its time whether
    or not the earlier ones have been answered. ``bodies`` yields (token, body); ``on_sent`` is
    told each token and the moment (``time.perf_counter()``) its request was written.
    ``seconds`` of the result runs from the first request sent to the last answer."""
    result = Result()
    head = target.head()
    idle: list[Connection] = []
    pending: set[asyncio.Task[None]] = set()

    async def send(token: str, body: bytes) -> None:
        reused = bool(idle)
        connection = idle.pop() if idle else await _connect(target)
        sent = time.perf_counter()
        on_sent(token, sent)
        status, answer, kept, connection = await exchange_kept(target, connection, head, body, reused=reused)
        _count(result, target, status, answer, time.perf_counter() - sent)
        idle.append(await _again(target, connection, kept))

    started, cpu_started = time.perf_counter(), time.process_time()
    total = int(rate * seconds)
    for number in range(total):
        delay = started + number / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(send(*next(bodies)))
        pending.add(task)
        task.add_done_callback(pending.discard)
    await asyncio.gather(*pending)
    result.seconds = time.perf_counter() - started
    result.client_cpu = time.process_time() - cpu_started
    for _, writer in idle:
        writer.close()
    return result
