"""Micro-batching: concurrent requests merged into one model call.

Requests queue up; a single worker takes the first, waits up to ``max_wait_ms`` for more (or
until ``max_batch_documents`` documents are waiting), and runs the model once for all of them
in a worker thread, so the event loop keeps accepting requests while the model runs.  Under
load, requests that arrive during a model call are merged into the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")


@dataclass
class BatchStats:
    requests: int = 0
    documents: int = 0
    batches: int = 0
    largest_batch: int = 0


class MicroBatcher(Generic[In, Out]):
    """Merge concurrent ``submit`` calls into calls of ``fn`` on the concatenated items."""

    def __init__(
        self,
        fn: Callable[[list[In]], Sequence[Out]],
        *,
        max_batch: int = 64,
        max_wait_ms: float = 5.0,
    ) -> None:
        self.fn = fn
        self.max_batch = max_batch
        self.max_wait = max_wait_ms / 1000.0
        self.stats = BatchStats()
        self._queue: asyncio.Queue[tuple[list[In], asyncio.Future[list[Out]]]] | None = None
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mosaicner-model")

    def _ensure_started(self) -> asyncio.Queue[tuple[list[In], asyncio.Future[list[Out]]]]:
        loop = asyncio.get_running_loop()
        if self._queue is None or self._loop is not loop or self._task is None or self._task.done():
            self._loop = loop
            self._queue = asyncio.Queue()
            self._task = loop.create_task(self._worker(self._queue))
        return self._queue

    async def submit(self, items: list[In]) -> list[Out]:
        if not items:
            return []
        queue = self._ensure_started()
        fut: asyncio.Future[list[Out]] = asyncio.get_running_loop().create_future()
        await queue.put((items, fut))
        return await fut

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._executor.shutdown(wait=False)

    async def _worker(
        self, queue: asyncio.Queue[tuple[list[In], asyncio.Future[list[Out]]]]
    ) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await queue.get()]
            n = len(batch[0][0])
            deadline = loop.time() + self.max_wait
            while n < self.max_batch:
                try:
                    item = queue.get_nowait()
                except asyncio.QueueEmpty:
                    remaining = deadline - loop.time()
                    if remaining <= 0:
                        break
                    try:
                        item = await asyncio.wait_for(queue.get(), remaining)
                    except TimeoutError:
                        break
                batch.append(item)
                n += len(item[0])
            flat = [x for items, _ in batch for x in items]
            self.stats.requests += len(batch)
            self.stats.documents += len(flat)
            self.stats.batches += 1
            self.stats.largest_batch = max(self.stats.largest_batch, len(flat))
            try:
                results = await loop.run_in_executor(self._executor, self.fn, flat)
            except Exception as exc:  # every waiting request gets the error
                for _, fut in batch:
                    if not fut.done():
                        fut.set_exception(exc)
                continue
            pos = 0
            for items, fut in batch:
                if not fut.done():
                    fut.set_result(list(results[pos : pos + len(items)]))
                pos += len(items)


__all__ = ["BatchStats", "MicroBatcher"]
