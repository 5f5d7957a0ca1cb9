"""Persistent connections to one SMTP server, shared by the engine's e-mail sends: at most ``size``
open at once, each carrying one message after another, so an e-mail costs MAIL, RCPT and DATA
instead of a connection, EHLO, STARTTLS, login and QUIT of its own.

A server may close a connection that sat idle (most do after a minute or so, some say
"421" first). A message that meets such a connection is sent once more on a fresh one before its
failure counts. Connections idle for longer than ``keepalive`` seconds are closed rather than
tried. Like ``outbound_clients.ClientPool``, the pool belongs to the event loop it runs in: in
another loop (the earlier one ended) it starts afresh; ``close`` ends it with the engine."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from email.message import Message

import aiosmtplib

KEEPALIVE_SECONDS = 30.0


def connection_gone(error: BaseException) -> bool:
    """Whether ``error`` says the connection is no longer there (rather than that the server
    answered about this message)."""
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return error.code == 421  # "service not available, closing transmission channel"
    return isinstance(error, ConnectionError)  # SMTPServerDisconnected is one


class SmtpPool:
    def __init__(
        self, connect: Callable[[], aiosmtplib.SMTP], *, size: int, keepalive: float = KEEPALIVE_SECONDS
    ) -> None:
        self.connect = connect
        """A new, not yet connected ``aiosmtplib.SMTP`` for the server (TLS and login included)."""
        self.size = size
        self.keepalive = keepalive
        self._idle: list[tuple[aiosmtplib.SMTP, float]] = []
        self._slots = asyncio.Semaphore(size)
        self._loop: asyncio.AbstractEventLoop | None = None

    async def send(self, message: Message) -> None:
        self._in_this_loop()
        async with self._slots:
            connection, reused = await self._take()
            try:
                await connection.send_message(message)
            except Exception as error:
                if not (reused and connection_gone(error)):
                    self._put_back_or_close(connection, error)
                    raise
                connection.close()
                connection = await self._fresh()
                try:
                    await connection.send_message(message)
                except BaseException as again:
                    self._put_back_or_close(connection, again)
                    raise
            except BaseException:  # cancelled mid-conversation: the connection's state is unknown
                connection.close()
                raise
            self._idle.append((connection, time.monotonic()))

    async def close(self) -> None:
        """Say goodbye on every idle connection; the pool may be used again afterwards."""
        idle, self._idle = self._idle, []
        if self._loop is not asyncio.get_running_loop():
            return  # connections of an ended loop cannot be used (or closed)
        for connection, _ in idle:
            with contextlib.suppress(Exception):
                await connection.quit(timeout=1.0)
            connection.close()

    def _in_this_loop(self) -> None:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._idle, self._slots, self._loop = [], asyncio.Semaphore(self.size), loop

    async def _take(self) -> tuple[aiosmtplib.SMTP, bool]:
        """An idle connection that may still be open (True), or a new one (False)."""
        now = time.monotonic()
        while self._idle:
            connection, since = self._idle.pop()
            if connection.is_connected and now - since < self.keepalive:
                return connection, True
            connection.close()
        return await self._fresh(), False

    async def _fresh(self) -> aiosmtplib.SMTP:
        connection = self.connect()
        try:
            await connection.connect()
        except BaseException:
            connection.close()
            raise
        return connection

    def _put_back_or_close(self, connection: aiosmtplib.SMTP, error: BaseException) -> None:
        """After the server refused the message the client has reset the conversation (RSET): the
        connection serves on. After anything else (a timeout, a cancel) its state is unknown."""
        answered = isinstance(error, (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused))
        if answered and not connection_gone(error) and connection.is_connected:
            self._idle.append((connection, time.monotonic()))
        else:
            connection.close()
