"""At once, then at most once a period per key: for work that reads the latest state (keg
levels after pours), where calls arriving meanwhile ride on the next run."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

# Keys whose next allowed run is remembered; the oldest are forgotten first (a forgotten key
# may run once sooner, nothing worse).
REMEMBERED = 10_000


class Throttle:
    """`throttle(key)` runs `work(key)` now, or when `every` seconds have passed since its last
    run; a call while a run is waiting adds nothing, since that run reads the state as it is
    then. `spawn` starts the run as a task its owner keeps (and cancels on shutdown)."""

    def __init__(
        self,
        every: float,
        work: Callable[[int], Awaitable[None]],
        spawn: Callable[[Coroutine[Any, Any, None]], None],
    ) -> None:
        self.every, self.work, self.spawn = every, work, spawn
        self._next: dict[int, float] = {}  # key → when its next run may start (loop time)
        self._waiting: set[int] = set()

    def __call__(self, key: int) -> None:
        if key not in self._waiting:
            self._waiting.add(key)
            self.spawn(self._run(key))

    async def _run(self, key: int) -> None:
        loop = asyncio.get_running_loop()
        try:
            await asyncio.sleep(max(0.0, self._next.get(key, 0.0) - loop.time()))
        finally:
            # Before the work reads: a call during the read schedules the next run.
            self._waiting.discard(key)
        self._next.pop(key, None)  # to the end: the least recently run are forgotten first
        self._next[key] = loop.time() + self.every
        if len(self._next) > REMEMBERED:
            self._next.pop(next(iter(self._next)))
        await self.work(key)
