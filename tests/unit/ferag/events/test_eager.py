"""``start_eagerly``: a coroutine runs in the caller until it ends or has to wait; what has to
wait finishes as a task, exactly as if the coroutine had been awaited."""

from __future__ import annotations

import asyncio

import pytest

from ferag.events.eager import start_eagerly


async def record(log: list[object], waits_on: asyncio.Future[int] | None = None) -> None:
    log.append("started")
    try:
        if waits_on is not None:
            log.append(("got", await waits_on))
    except ValueError as exc:
        log.append(("caught", str(exc)))
    finally:
        log.append("finally")


def start_waiting(log: list[object]) -> tuple[asyncio.Future[int], asyncio.Future[None]]:
    """``record`` started eagerly on a future nobody has set yet; the future, and the task that
    finishes the coroutine."""
    future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    rest = start_eagerly(record(log, future))
    assert rest is not None and log == ["started"], "ran up to its wait, in the caller"
    return future, rest


def test_a_coroutine_that_does_not_wait_has_ended_when_the_call_returns() -> None:
    async def scenario() -> None:
        log: list[object] = []
        assert start_eagerly(record(log)) is None
        assert log == ["started", "finally"]

    asyncio.run(scenario())


def test_a_coroutine_that_waits_is_finished_by_a_task_with_the_value_it_waited_for() -> None:
    async def scenario() -> None:
        log: list[object] = []
        future, rest = start_waiting(log)
        future.set_result(7)
        await rest
        assert log == ["started", ("got", 7), "finally"]

    asyncio.run(scenario())


def test_the_failure_of_what_it_waited_for_is_raised_inside_the_coroutine() -> None:
    async def scenario() -> None:
        log: list[object] = []
        future, rest = start_waiting(log)
        future.set_exception(ValueError("no"))
        await rest  # the coroutine handled it
        assert log == ["started", ("caught", "no"), "finally"]

    asyncio.run(scenario())


def test_cancelling_the_task_cancels_the_coroutine_where_it_waits() -> None:
    async def scenario() -> None:
        log: list[object] = []
        future, rest = start_waiting(log)
        await asyncio.sleep(0)
        rest.cancel()
        with pytest.raises(asyncio.CancelledError):
            await rest
        assert log == ["started", "finally"]
        assert future.cancelled(), "as with await, what it waited on is cancelled too"

    asyncio.run(scenario())


def test_an_error_before_the_first_wait_is_raised_to_the_caller() -> None:
    async def broken() -> None:
        raise LookupError("at once")

    async def scenario() -> None:
        with pytest.raises(LookupError, match="at once"):
            start_eagerly(broken())

    asyncio.run(scenario())


def test_a_coroutine_that_yields_to_the_loop_several_times_runs_to_its_end() -> None:
    async def steps(log: list[int]) -> None:
        for n in range(3):
            log.append(n)
            await asyncio.sleep(0 if n == 0 else 0.001)

    async def scenario() -> None:
        log: list[int] = []
        rest = start_eagerly(steps(log))
        assert rest is not None and log == [0]
        await rest
        assert log == [0, 1, 2]

    asyncio.run(scenario())
