"""Per-process caches that let a traffic spike on one embed cost one render.

- `resolve(public_id)`: public id → the menu, its venue and its *current* version, without
  a database round trip on the hot path. Each resolved menu is followed through the hub's
  `MenuFeeds`, so a committed change (NOTIFY) raises the known version at once; the row is
  re-read at least every `RESOLVE_TTL_SECONDS` anyway (a rotated id, a new allowlist, a
  LISTEN connection that was down). Unknown ids are remembered for as long, so a flood of
  made-up ids does not become a flood of queries.
- `render(...)`: the page (or JSON) for (menu, version, keg levels, layout, options), built
  once: an LRU of tasks, so concurrent askers of one key share one build, like
  `live/boards.py`.
- Keg levels: pours make no version, so the resolved row carries a digest of the menu's
  levels, which keys the renders and ETags too. After a pour (`MenuFeeds.poured`) the rows
  of that menu's ids are read again — at once, then at most once a second per menu however
  fast a flow meter reports (as TVs get them, `live/levels.py`) — and the menu's feeds are
  told the new digest, so live pages fetch themselves once per change, not once per pour.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import jinja2
import orjson
from markupsafe import Markup
from starlette.datastructures import QueryParams

from chalkboard.embeds import public
from chalkboard.embeds import queries as embeds
from chalkboard.embeds.forms import EmbedOptions, parse_options
from chalkboard.embeds.queries import Published
from chalkboard.http.forms import FormErrors
from chalkboard.live.feeds import MenuFeed, MenuFeeds
from chalkboard.live.levels import LEVELS_EVERY_SECONDS
from chalkboard.live.throttle import Throttle
from chalkboard.menus import operations
from chalkboard.menus.board import Board
from chalkboard.schedules import effective as schedule
from chalkboard.shared_builds import SharedBuilds

# How stale a resolved public id may get when no NOTIFY arrives (rotation, allowlist, a
# LISTEN outage): the same second the issue allows for live updates.
RESOLVE_TTL_SECONDS = 1.0
CACHED_MENUS = 256
CACHED_UNKNOWN = 1024
# A few versions, layouts and option sets per menu.
CACHED_RENDERS = 512
# A version hint newer than what is known forces a re-read, at most this often per id.
FORCED_REFRESH_SECONDS = 0.1
PACKAGE_DIR = Path(__file__).parent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rendered:
    """A finished response body, and what its headers need."""

    body: bytes
    version: int


@dataclass
class _Known:
    published: Published
    feed: MenuFeed
    stack: contextlib.ExitStack
    fetched_at: float

    @property
    def version(self) -> int:
        return max(self.published.version, self.feed.version)


def content_version(web_dir: Path) -> str:
    """A digest of everything an embed's bytes depend on besides the data: its templates,
    static files and this package's code. It goes into every ETag, so a deploy that changes
    the page never answers 304 for the old one."""
    digest = hashlib.sha256()
    files = [
        *sorted((web_dir / "templates").glob("embed*.html")),
        *sorted((web_dir / "templates").glob("public_menu*.html")),
        *sorted((web_dir / "static").glob("*/embed*")),
        *sorted(PACKAGE_DIR.glob("*.py")),
    ]
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def style_of(options: EmbedOptions) -> str:
    """The page's inline style: validated hex colours and a fixed font stack, nothing typed."""
    return (
        f":root{{--bg:#{options.bg};--fg:#{options.fg};--accent:#{options.accent};"
        f"--font:{options.font_stack}}}"
    )


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


class Embeds:
    def __init__(
        self,
        pool: asyncpg.Pool,
        feeds: MenuFeeds,
        env: jinja2.Environment,
        web_dir: Path,
        *,
        live_origin: str = "",
    ) -> None:
        self.pool = pool
        # Where pages served through a CDN find their live stream ("": their own origin).
        self.live_origin = live_origin
        self.feeds = feeds
        self.env = env
        self.content_version = content_version(web_dir)
        self.loader = (web_dir / "static" / "js" / "embed.js").read_bytes()
        self.loader_etag = '"' + hashlib.sha256(self.loader).hexdigest()[:24] + '"'
        self._styles: dict[str, str] = {}
        self._options: dict[str, tuple[EmbedOptions | None, FormErrors]] = {}
        self._heads: OrderedDict[tuple[Any, ...], dict[str, str]] = OrderedDict()
        self._known: OrderedDict[str, _Known] = OrderedDict()
        self._unknown: OrderedDict[str, float] = OrderedDict()
        self._lookups: dict[str, asyncio.Task[Published | None]] = {}
        self._renders: SharedBuilds[tuple[Any, ...], Rendered] = SharedBuilds(CACHED_RENDERS)
        # Schedules (#16): (menu, version) -> the day-parts' current stretch and its end.
        self._stretches = schedule.Stretches(CACHED_RENDERS)
        # Keg levels: pours re-read a menu's rows at once, then at most once a second.
        self._tasks: set[asyncio.Task[None]] = set()
        self._read_levels_soon = Throttle(LEVELS_EVERY_SECONDS, self._read_levels, self._spawn)
        feeds.on_pour = self.poured

    # --- public id → menu and version ---------------------------------------------------------

    async def resolve(self, public_id: str, *, at_least: int = 0) -> tuple[Published, int] | None:
        """The published menu and its current version; None for an unknown or revoked id.

        `at_least`: a version the caller knows exists (from a live update); when this
        process has not heard of it yet, the row is read again rather than trusted."""
        now = asyncio.get_running_loop().time()
        known = self._known.get(public_id)
        if known is not None:
            fresh = now - known.fetched_at < RESOLVE_TTL_SECONDS
            # A version newer than the row read (a live hint, or this process's feed): the
            # row is read again, so a venue change that came with it (name, logo) shows now.
            newer = max(at_least, known.feed.version) > known.published.version
            behind = newer and now - known.fetched_at >= FORCED_REFRESH_SECONDS
            if fresh and not behind:
                self._known.move_to_end(public_id)
                return known.published, known.version
        elif (seen := self._unknown.get(public_id)) is not None and (
            now - seen < RESOLVE_TTL_SECONDS
        ):
            return None
        try:
            published = await self._lookup(public_id)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
            if known is None:
                raise
            # The database is away (a failover takes a minute or two): a public menu keeps
            # showing what it showed; its feed still moves it on if NOTIFY comes back first.
            return known.published, known.version
        now = asyncio.get_running_loop().time()
        if published is None:
            self._forget(public_id)
            self._unknown[public_id] = now
            self._unknown.move_to_end(public_id)
            while len(self._unknown) > CACHED_UNKNOWN:
                self._unknown.popitem(last=False)
            return None
        self._unknown.pop(public_id, None)
        known = self._known.get(public_id)
        if known is None or known.published.menu_id != published.menu_id:
            self._forget(public_id)
            stack = contextlib.ExitStack()
            feed = stack.enter_context(
                self.feeds.follow(
                    venue_id=published.venue_id,
                    menu_id=published.menu_id,
                    version=published.version,
                )
            )
            known = _Known(published, feed, stack, now)
            self._known[public_id] = known
            while len(self._known) > CACHED_MENUS:
                self._known.popitem(last=False)[1].stack.close()
        else:
            known.published, known.fetched_at = published, now
            self._known.move_to_end(public_id)
        return known.published, known.version

    async def _lookup(self, public_id: str) -> Published | None:
        lookup = self._lookups.get(public_id)
        if lookup is None:
            lookup = asyncio.create_task(self._read(public_id))
            self._lookups[public_id] = lookup
            lookup.add_done_callback(lambda _: self._lookups.pop(public_id, None))
        return await asyncio.shield(lookup)

    async def _read(self, public_id: str) -> Published | None:
        async with self.pool.acquire() as conn:
            return await embeds.get_published(conn, public_id=public_id)

    def _forget(self, public_id: str) -> None:
        known = self._known.pop(public_id, None)
        if known is not None:
            known.stack.close()

    def forget(self, *, public_id: str | None = None, venue_id: int | None = None) -> None:
        """Drop what this process knows of an id (rotated) or a venue's ids (new allowlist),
        so this process answers from the database at once; others within RESOLVE_TTL."""
        for known_id, known in list(self._known.items()):
            if known_id == public_id or known.published.venue_id == venue_id:
                self._forget(known_id)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def close(self) -> None:
        for public_id in list(self._known):
            self._forget(public_id)
        for task in self._tasks:
            task.cancel()

    # --- keg levels ---------------------------------------------------------------------------

    def poured(self, menu_id: int) -> None:
        """The menu's keg levels moved: read its rows again (at once, or with the next read a
        second on: as TVs get them, live/levels.py)."""
        self._read_levels_soon(menu_id)

    async def _read_levels(self, menu_id: int) -> None:
        loop = asyncio.get_running_loop()
        levels = None
        for public_id, known in list(self._known.items()):
            if known.published.menu_id != menu_id:
                continue
            try:
                published = await self._read(public_id)  # not a read begun before the pour
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
                log.warning("could not read the keg levels of menu %s", menu_id, exc_info=True)
                return  # the next pour, or the row's TTL, tries again
            if published is not None and self._known.get(public_id) is known:
                known.published, known.fetched_at = published, loop.time()
                levels = published.levels
        if levels is not None:
            self.feeds.levels_changed(menu_id, levels)

    # --- rendered pages --------------------------------------------------------------------

    async def board(self, published: Published, version: int) -> Board:
        """The board at `version` (its stored snapshot), or the current one if that is gone."""
        async with self.pool.acquire() as conn:
            return await operations.board_at(
                conn, venue_id=published.venue_id, menu_id=published.menu_id, version=version
            )

    async def period(self, published: Published, version: int) -> str:
        """Schedules (#16): which stretch of the venue's day-parts it is now ('' without
        any). Part of every render key and ETag, so a day-part boundary is a new page; read
        from the board once per stretch."""
        now = datetime.now(UTC)
        key = (published.menu_id, version)
        found = self._stretches.current(key, now)
        if found is None:
            found = self._stretches.learn(key, await self.board(published, version), now)
        return found

    @staticmethod
    def _venue_key(published: Published) -> tuple[str, str, str, str]:
        return (published.venue_name, published.currency, published.volume_unit, published.logo_url)

    async def page(
        self,
        published: Published,
        version: int,
        options: EmbedOptions,
        layout: str,
        period: str = "",
    ) -> Rendered:
        """The embed (`layout="embed"`) or mobile page (`"page"`) at `version`, as it shows
        in the schedule's `period`."""
        key = (
            published.menu_id,
            version,
            published.levels,
            layout,
            options.key,
            self._venue_key(published),
            period,
        )

        async def build() -> Rendered:
            board = schedule.effective(await self.board(published, version), datetime.now(UTC))
            style = style_of(options)
            html = self.env.get_template(
                "embed.html" if layout == "embed" else "public_menu.html"
            ).render(
                board=board,
                menu=board["menu"],
                sizes=board["sizes"],
                sections=public.shown_sections(board, options),
                venue=published,
                options=options,
                # Validated hex colours and a fixed font stack: nothing a person typed.
                style=Markup(style),  # noqa: S704
                public_id=published.public_id,
                live_origin=self.live_origin,
                query=options.key,
                layout=layout,
            )
            return Rendered(html.encode(), board["menu"]["version"])

        return await self._renders.get(key, build)

    async def json(self, published: Published, version: int, period: str = "") -> Rendered:
        key = (
            published.menu_id,
            version,
            published.levels,
            "json",
            "",
            self._venue_key(published),
            period,
        )

        async def build() -> Rendered:
            board = schedule.effective(await self.board(published, version), datetime.now(UTC))
            body = orjson.dumps(public.public_board(board, published))
            return Rendered(body, board["menu"]["version"])

        return await self._renders.get(key, build)

    def options(self, query: str) -> tuple[EmbedOptions | None, FormErrors]:
        """The options of a raw query string, parsed once per distinct string."""
        found = self._options.get(query)
        if found is None:
            if len(self._options) >= CACHED_RENDERS:
                self._options.clear()
            found = self._options[query] = parse_options(QueryParams(query))
        return found

    def head(
        self,
        published: Published,
        version: int,
        kind: str,
        options: EmbedOptions | None,
        build: Callable[[str], dict[str, str]],
    ) -> dict[str, str]:
        """The headers of an answer (ETag first), built by `build(etag)` once per distinct
        (id, version, kind, options, allowlist): a 304 then costs dictionary lookups."""
        key = (published, version, kind, options.key if options else "")
        found = self._heads.get(key)
        if found is None:
            etag = self.etag(published, version, kind, options.key if options else "")
            found = self._heads[key] = {"etag": etag, **build(etag)}
            while len(self._heads) > CACHED_RENDERS:
                self._heads.popitem(last=False)
        return found

    def style_hash(self, options: EmbedOptions) -> str:
        """The CSP source ('sha256-…') of the page's inline style for these options."""
        found = self._styles.get(options.key)
        if found is None:
            if len(self._styles) >= CACHED_RENDERS:
                self._styles.clear()
            found = self._styles[options.key] = csp_hash(style_of(options))
        return found

    def etag(self, published: Published, version: int, kind: str, options_key: str = "") -> str:
        parts = "\0".join(
            [
                published.public_id,
                str(version),
                published.levels,
                kind,
                options_key,
                *self._venue_key(published),
                self.content_version,
            ]
        )
        return '"' + hashlib.sha256(parts.encode()).hexdigest()[:24] + '"'
