"""Micro-batching with fair scheduling and failure isolation.

A request is submitted as a list of small *units* of work (the app cuts documents into
sentences, see :mod:`.app`).  A single worker builds each model call from the units of every
waiting request, **round-robin**: one unit from each request in turn, until the call holds
``max_batch`` units or ``max_cost`` cost (words).  A request that was cut into thousands of
units therefore shares every model call with the requests that arrive after it, and a
one-sentence request waits for at most the model call already running, however large the
requests ahead of it.  The first request of a call waits up to ``max_wait_ms`` for company.

The model runs in a worker thread, so the event loop keeps accepting requests.  When a model
call fails, its units are retried one at a time, so a unit that fails only fails its own
request; every other request of the call still gets its answer.

:meth:`MicroBatcher.close` stops the worker, fails the requests still waiting and returns
without waiting for the model call in progress (which is at most one bounded call).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from mosaicner.errors import MosaicnerError

In = TypeVar("In")
Out = TypeVar("Out")


class BatcherClosedError(MosaicnerError):
    """The server is shutting down; the request was not processed."""


@dataclass
class BatchStats:
    requests: int = 0
    documents: int = 0
    units: int = 0  # pieces of work (sentences) processed
    batches: int = 0  # model calls
    largest_batch: int = 0  # most units in one model call
    retried_batches: int = 0  # model calls that failed and were retried unit by unit
    failed_requests: int = 0


@dataclass(eq=False)
class _Job(Generic[In, Out]):
    units: list[In]
    future: asyncio.Future[list[Out]]
    next: int = 0  # index of the next unit to schedule
    results: list[Out | None] = field(default_factory=list)
    done: int = 0

    @property
    def alive(self) -> bool:
        return not self.future.done()

    @property
    def pending(self) -> bool:
        return self.next < len(self.units)


class MicroBatcher(Generic[In, Out]):
    """Run ``fn`` on fair, bounded batches of the units of concurrent ``submit`` calls."""

    def __init__(
        self,
        fn: Callable[[list[In]], Sequence[Out]],
        *,
        max_batch: int = 64,
        max_wait_ms: float = 5.0,
        max_cost: float | None = None,
        cost: Callable[[In], float] | None = None,
    ) -> None:
        self.fn = fn
        self.max_batch = max(1, int(max_batch))
        self.max_wait = max_wait_ms / 1000.0
        self.max_cost = max_cost
        self.cost = cost or (lambda _: 1.0)
        self.stats = BatchStats()
        self._jobs: deque[_Job[In, Out]] = deque()
        self._wakeup: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mosaicner-model")

    def _ensure_started(self) -> asyncio.Event:
        loop = asyncio.get_running_loop()
        if (
            self._wakeup is None
            or self._loop is not loop
            or self._task is None
            or self._task.done()
        ):
            self._loop = loop
            self._wakeup = asyncio.Event()
            self._jobs = deque(j for j in self._jobs if j.alive)
            self._task = loop.create_task(self._worker(self._wakeup))
        return self._wakeup

    async def submit(self, units: list[In], *, documents: int | None = None) -> list[Out]:
        """Results of ``fn`` for ``units``, in order; raises what ``fn`` raised for them."""
        if self._closed:
            raise BatcherClosedError("the server is shutting down", hint="retry on another server")
        self.stats.requests += 1
        self.stats.documents += len(units) if documents is None else documents
        if not units:
            return []
        wakeup = self._ensure_started()
        fut: asyncio.Future[list[Out]] = asyncio.get_running_loop().create_future()
        job: _Job[In, Out] = _Job(list(units), fut, results=[None] * len(units))
        self._jobs.append(job)
        wakeup.set()
        try:
            return await fut
        except asyncio.CancelledError:  # the client went away: drop its remaining units
            fut.cancel()
            raise

    async def close(self) -> None:
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for job in self._jobs:
            if job.alive:
                job.future.set_exception(BatcherClosedError("the server is shutting down"))
        self._jobs.clear()
        self._executor.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------------ scheduling
    def _pending_units(self) -> int:
        return sum(len(j.units) - j.next for j in self._jobs if j.alive)

    def _take(self) -> list[tuple[_Job[In, Out], int]]:
        """The next call's units: one from each waiting request in turn (round-robin)."""
        taken: list[tuple[_Job[In, Out], int]] = []
        cost = 0.0
        while self._jobs and len(taken) < self.max_batch:
            job = self._jobs.popleft()
            if not job.alive or not job.pending:
                continue
            unit_cost = float(self.cost(job.units[job.next]))
            if taken and self.max_cost is not None and cost + unit_cost > self.max_cost:
                self._jobs.appendleft(job)
                break
            taken.append((job, job.next))
            job.next += 1
            cost += unit_cost
            if job.pending:
                self._jobs.append(job)
        return taken

    async def _worker(self, wakeup: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        while True:
            while not any(j.alive and j.pending for j in self._jobs):
                wakeup.clear()
                await wakeup.wait()
            if self.max_wait > 0 and self._pending_units() < self.max_batch:
                await asyncio.sleep(self.max_wait)  # let concurrent requests join this call
            taken = self._take()
            if not taken:
                continue
            units = [job.units[i] for job, i in taken]
            self.stats.batches += 1
            self.stats.units += len(units)
            self.stats.largest_batch = max(self.stats.largest_batch, len(units))
            try:
                results: Sequence[Out] = await loop.run_in_executor(self._executor, self.fn, units)
                if len(results) != len(units):
                    raise RuntimeError(f"{len(results)} results for {len(units)} units")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if len(taken) == 1:
                    self._fail(taken[0][0], exc)
                    continue
                self.stats.retried_batches += 1
                for job, i in taken:  # isolate: each unit alone, failures stay with their job
                    if not job.alive:
                        continue
                    try:
                        (one,) = await loop.run_in_executor(self._executor, self.fn, [job.units[i]])
                    except asyncio.CancelledError:
                        raise
                    except Exception as unit_exc:
                        self._fail(job, unit_exc)
                    else:
                        self._deliver(job, i, one)
                continue
            for (job, i), out in zip(taken, results, strict=True):
                self._deliver(job, i, out)

    def _deliver(self, job: _Job[In, Out], index: int, out: Out) -> None:
        if not job.alive:
            return
        job.results[index] = out
        job.done += 1
        if job.done == len(job.units):
            job.future.set_result(list(job.results))  # type: ignore[arg-type]

    def _fail(self, job: _Job[In, Out], exc: BaseException) -> None:
        if job.alive:
            self.stats.failed_requests += 1
            job.future.set_exception(exc)


__all__ = ["BatchStats", "BatcherClosedError", "MicroBatcher"]
