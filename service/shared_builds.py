"""An LRU of things built on demand, where concurrent askers of one key share one build."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class SharedBuilds(Generic[K, V]):
    """The last `size` builds by key. A spike (a reconnect storm, a viral embed) builds each
    thing once however many ask at the same time; a failed build is forgotten, so the next
    asker tries again."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._builds: OrderedDict[K, asyncio.Task[V]] = OrderedDict()

    async def get(self, key: K, build: Callable[[], Awaitable[V]]) -> V:
        task = self._builds.get(key)
        if task is None:
            task = asyncio.ensure_future(build())
            task.add_done_callback(lambda done: self._forget_failed(key, done))
            self._builds[key] = task
            while len(self._builds) > self.size:
                self._builds.popitem(last=False)
        else:
            self._builds.move_to_end(key)
        # Shielded: one asker going away must not cancel the build the others wait for.
        return await asyncio.shield(task)

    def forget(self, key: K) -> None:
        """What was built for `key` is out of date: the next asker builds it again."""
        self._builds.pop(key, None)

    def _forget_failed(self, key: K, task: asyncio.Task[V]) -> None:
        if (task.cancelled() or task.exception() is not None) and self._builds.get(key) is task:
            del self._builds[key]
