"""Followers of a menu that are not TVs (live embeds): each learns the newest version, and
the newest keg levels (a short digest of them), nothing more.

A feed holds only the latest version and levels it was told of, so a follower that falls
behind skips straight to the newest board and costs no memory however many edits or pours it
missed. Pours make no version (they are events): `poured` hands them to whoever reads the
levels for this process (embeds/cache.py, once a second at most per menu), which then tells
the feeds the new digest.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator


class MenuFeed:
    """Async-iterate for each newer version of one menu; the iteration ends on `close`."""

    def __init__(self, venue_id: int, menu_id: int, version: int) -> None:
        self.venue_id = venue_id
        self.menu_id = menu_id
        self.version = version
        self.levels = ""  # a digest of the menu's keg levels; "" until one is heard of
        self.closed = False
        self._woken = asyncio.Event()

    def offer(self, version: int) -> None:
        if version > self.version:
            self.version = version
            self._woken.set()

    def offer_levels(self, levels: str) -> None:
        if levels != self.levels:
            self.levels = levels
            self._woken.set()

    def close(self) -> None:
        self.closed = True
        self._woken.set()

    def __aiter__(self) -> MenuFeed:
        return self

    async def __anext__(self) -> int:
        """The version, once the version or the levels changed (read `levels` for those)."""
        await self._woken.wait()
        self._woken.clear()
        if self.closed:
            raise StopAsyncIteration
        return self.version


class MenuFeeds:
    """Every feed of one process, by menu. The hub tells it of each change (and of what it
    re-read after a LISTEN reconnect), and closes the feeds when the process drains."""

    def __init__(self) -> None:
        self.by_menu: dict[int, set[MenuFeed]] = {}
        # Who reads a menu's levels after a pour (embeds/cache.py); None: nobody in this process.
        self.on_pour: Callable[[int], None] | None = None

    @contextlib.contextmanager
    def follow(self, *, venue_id: int, menu_id: int, version: int) -> Iterator[MenuFeed]:
        """Follow `menu_id` (of `venue_id`, already checked by the caller) from `version`."""
        feed = MenuFeed(venue_id, menu_id, version)
        self.by_menu.setdefault(menu_id, set()).add(feed)
        try:
            yield feed
        finally:
            feeds = self.by_menu.get(menu_id)
            if feeds is not None:
                feeds.discard(feed)
                if not feeds:
                    del self.by_menu[menu_id]

    def changed(self, menu_id: int, version: int) -> None:
        for feed in self.by_menu.get(menu_id, ()):
            feed.offer(version)

    def poured(self, menu_id: int) -> None:
        """The menu's keg levels moved (NOTIFY keg_levels)."""
        if self.on_pour is not None and menu_id in self.by_menu:
            self.on_pour(menu_id)

    def levels_changed(self, menu_id: int, levels: str) -> None:
        for feed in self.by_menu.get(menu_id, ()):
            feed.offer_levels(levels)

    def followed(self) -> dict[int, int]:
        """Menu id → venue id of every menu with a follower."""
        return {menu_id: next(iter(feeds)).venue_id for menu_id, feeds in self.by_menu.items()}

    def close_all(self) -> None:
        for feeds in self.by_menu.values():
            for feed in feeds:
                feed.close()
