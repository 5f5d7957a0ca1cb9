"""Answering in time: a command's reply comes at once when the work is quick, and is handed over
later (never lost, never twice) when it is not."""

from __future__ import annotations

import asyncio

import pytest

from tocsin.chat.deferral import reply_in_time, settled


def test_quick_work_is_answered_at_once_and_nothing_comes_later() -> None:
    later: list[str] = []

    async def scenario() -> str | None:
        async def work() -> str:
            return "done"

        async def hand_over(reply: str) -> None:
            later.append(reply)

        answered = await reply_in_time(work(), within=1.0, later=hand_over)
        await settled()
        return answered

    assert asyncio.run(scenario()) == "done"
    assert later == []


def test_slow_work_is_handed_over_once_it_is_done() -> None:
    later: list[str] = []

    async def scenario() -> str | None:
        release = asyncio.Event()

        async def work() -> str:
            await release.wait()
            return "ackall: 300 alerts acknowledged"

        async def hand_over(reply: str) -> None:
            later.append(reply)

        answered = await reply_in_time(work(), within=0.0, later=hand_over)
        assert later == []  # not before the work is done
        release.set()
        await settled()
        return answered

    assert asyncio.run(scenario()) is None
    assert later == ["ackall: 300 alerts acknowledged"]


def test_a_quick_failure_is_raised_to_the_caller() -> None:
    async def scenario() -> None:
        async def work() -> str:
            raise RuntimeError("database gone")

        async def hand_over(reply: str) -> None:
            raise AssertionError("nothing to hand over")

        await reply_in_time(work(), within=1.0, later=hand_over)

    with pytest.raises(RuntimeError, match="database gone"):
        asyncio.run(scenario())


def test_a_late_failure_is_logged_and_nothing_is_handed_over(caplog: pytest.LogCaptureFixture) -> None:
    later: list[str] = []

    async def scenario() -> None:
        async def work() -> str:
            await asyncio.sleep(0.01)
            raise RuntimeError("database gone")

        async def hand_over(reply: str) -> None:
            later.append(reply)

        assert await reply_in_time(work(), within=0.0, later=hand_over) is None
        await settled()

    asyncio.run(scenario())
    assert later == []
    assert "sent after its deadline failed" in caplog.text
