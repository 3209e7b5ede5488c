"""Embeds: the public menu in an iframe, on a phone (QR code), and as JSON; and the builder.

The public routes are `BareRoute`s: no session is read, no CSRF seed is made and no cookie
is ever set, so they work with third-party cookies blocked and a CDN may cache them. They
hold no pooled connection except to read (and only when the caches miss). Every answer has
an ETag and a short `Cache-Control` with stale-while-revalidate; an unchanged menu is a 304.

The embed page sets its own CSP: `frame-ancestors` from the venue's allowlist (any site when
empty). Every other page keeps `frame-ancestors 'none'` (http/security.py).
"""

from __future__ import annotations

import asyncio
import html
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from chalkboard.embeds import queries
from chalkboard.embeds.cache import Embeds
from chalkboard.embeds.forms import (
    FONTS,
    SORTS,
    SWITCHES,
    EmbedOptions,
    parse_frame_origins,
    parse_options,
)
from chalkboard.embeds.queries import Published
from chalkboard.http.forms import FormErrors, form_values
from chalkboard.http.pages import render
from chalkboard.http.routing import Access, AppRoute, BareRoute, Context
from chalkboard.menus import queries as menus
from chalkboard.qr import qr_svg
from chalkboard.schedules.effective import period_end

# Short enough that an edit reaches visitors quickly even through the CDN; the CDN and
# browsers may show the old copy for a minute while they fetch the new one. Never past the
# schedule's next change, though (`cache_control`).
MAX_AGE, STALE_WHILE_REVALIDATE = 15, 60
CACHE_CONTROL = f"public, max-age={MAX_AGE}, stale-while-revalidate={STALE_WHILE_REVALIDATE}"
LOADER_CACHE_CONTROL = "public, max-age=3600, stale-while-revalidate=86400"
NOT_FOUND = "This menu is not published at this address (the link may have been replaced)."
# Comment lines keep the stream alive through the ALB (idle timeout 60 s) and proxies.
SSE_KEEPALIVE_SECONDS = 25.0
# EventSource waits this long (ms, with jitter) before reconnecting, e.g. after a deploy.
SSE_RETRY_MS = (1000, 4000)


def _embeds(request: Request) -> Embeds:
    embeds: Embeds = request.state.services.embeds
    return embeds


def _query(request: Request) -> str:
    query: bytes = request.scope["query_string"]
    return query.decode("latin-1")


def _options(request: Request, embeds: Embeds) -> EmbedOptions:
    options, errors = embeds.options(_query(request))
    if options is None:
        detail = " ".join(f"{name}: {message}" for name, message in errors.items())
        raise HTTPException(400, f"This embed address has a bad option. {detail}")
    return options


def _hint(request: Request) -> int:
    """The `v` parameter: a version the page knows exists (the live stream said so)."""
    return _version_hint(request.query_params.get("v")) if "v=" in _query(request) else 0


def _version_hint(value: str | None) -> int:
    if value and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return 0


async def _published(request: Request, embeds: Embeds, at_least: int = 0) -> tuple[Published, int]:
    public_id: str = request.path_params["public_id"]
    if not 16 <= len(public_id) <= 64:
        raise HTTPException(404, NOT_FOUND)
    found = await embeds.resolve(public_id, at_least=at_least)
    if found is None:
        raise HTTPException(404, NOT_FOUND)
    return found


def cache_control(period: str) -> str:
    """CACHE_CONTROL, cut so that no cache keeps the answer (fresh, then stale while it
    revalidates) past the next day-part boundary: happy-hour prices start on time through
    a CDN too."""
    ends = period_end(period)
    if ends is None:
        return CACHE_CONTROL
    left = max(0, int((ends - datetime.now(UTC)).total_seconds()))
    if left >= MAX_AGE + STALE_WHILE_REVALIDATE:
        return CACHE_CONTROL
    max_age = min(MAX_AGE, left)
    return f"public, max-age={max_age}, stale-while-revalidate={left - max_age}"


def _matches(request: Request, etag: str) -> bool:
    """If-None-Match names this ETag (weak or strong, in a list, or `*`)."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    return any(tag.strip() in ("*", etag, "W/" + etag) for tag in header.split(","))


def frame_ancestors(published: Published) -> str:
    return "'self' " + " ".join(published.frame_origins) if published.frame_origins else "*"


def page_csp(style_hash: str, ancestors: str, live_origin: str = "") -> str:
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            f"style-src 'self' {style_hash}",
            "img-src 'self' data: https:",
            f"connect-src 'self' {live_origin}".rstrip(),
            "base-uri 'none'",
            "form-action 'none'",
            f"frame-ancestors {ancestors}",
        ]
    )


async def _page(request: Request, layout: str) -> Response:
    embeds = _embeds(request)
    options = _options(request, embeds)
    hint = _hint(request)
    published, version = await _published(request, embeds, at_least=hint)

    def build(etag: str) -> dict[str, str]:
        ancestors = frame_ancestors(published) if layout == "embed" else "'none'"
        headers = {
            "content-security-policy": page_csp(
                embeds.style_hash(options), ancestors, embeds.live_origin
            ),
        }
        if layout != "embed":
            headers["x-frame-options"] = "DENY"
        return headers

    period = await embeds.period(published, version)
    headers = embeds.head(published, version, layout + period, options, build)
    headers = {**headers, "cache-control": cache_control(period)}
    if version < hint:
        # A version asked for but not known here yet: answer what there is, uncached, so
        # neither a CDN nor the browser keeps it under that version's URL.
        headers = {**headers, "cache-control": "no-store"}
    if _matches(request, headers["etag"]):
        return Response(status_code=304, headers=headers)
    page = await embeds.page(published, version, options, layout, period)
    return Response(page.body, media_type="text/html; charset=utf-8", headers=headers)


async def embed_page(request: Request) -> Response:
    """The embed, for an iframe on the bar's website."""
    return await _page(request, "embed")


async def public_menu(request: Request) -> Response:
    """The same menu as a full page for phones (the QR code on the table)."""
    return await _page(request, "page")


JSON_CORS = {
    "access-control-allow-origin": "*",
    "access-control-expose-headers": "ETag",
}


async def public_json(request: Request) -> Response:
    """The menu as JSON, for developers who build their own; any site may fetch it."""
    if request.method == "OPTIONS":
        return Response(
            status_code=204,
            headers={
                **JSON_CORS,
                "access-control-allow-methods": "GET, HEAD",
                "access-control-allow-headers": "If-None-Match",
                "access-control-max-age": "86400",
            },
        )
    embeds = _embeds(request)
    hint = _hint(request)
    published, version = await _published(request, embeds, at_least=hint)
    period = await embeds.period(published, version)
    headers = embeds.head(
        published,
        version,
        "json" + period,
        None,
        lambda etag: JSON_CORS,
    )
    headers = {**headers, "cache-control": cache_control(period)}
    if version < hint:
        headers = {**headers, "cache-control": "no-store"}
    if _matches(request, headers["etag"]):
        return Response(status_code=304, headers=headers)
    body = await embeds.json(published, version, period)
    return Response(body.body, media_type="application/json", headers=headers)


async def live(request: Request) -> Response:
    """Server-sent events: `version` each time the menu changes (its `id` is the version,
    so a reconnecting EventSource resumes with Last-Event-ID), and `levels` (a digest, `lv`
    of the page URL) when pours moved the keg levels: at most about once a second, however
    fast a flow meter reports. Holds no pooled connection."""
    services = request.state.services
    published, current = await _published(request, _embeds(request))
    start = max(
        _version_hint(request.headers.get("last-event-id")),
        _version_hint(request.query_params.get("v")),
    )
    retry = random.randint(*SSE_RETRY_MS)  # noqa: S311 (jitter, no secret)
    headers = {
        "cache-control": "no-store",
        "x-accel-buffering": "no",
        # Pages served through the CDN (EMBED_BASE_URL) follow this stream on the ALB.
        "access-control-allow-origin": "*",
    }
    if services.draining.is_set():
        # Going away: come back (to another task) after the retry delay.
        return Response(f"retry: {retry}\n\n", media_type="text/event-stream", headers=headers)

    shown_levels = request.query_params.get("lv", "")[:32]  # the levels the page shows

    async def events() -> AsyncIterator[str]:
        yield f"retry: {retry}\n\n"
        with services.hub.feeds.follow(
            venue_id=published.venue_id, menu_id=published.menu_id, version=start
        ) as feed:
            sent_version, feed.levels = start, shown_levels
            feed.offer(current)  # behind already: the first event says so at once
            if shown_levels:
                feed.offer_levels(published.levels)
            sent_levels = feed.levels
            while not services.draining.is_set():
                try:
                    version = await asyncio.wait_for(anext(feed), SSE_KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                except StopAsyncIteration:
                    return  # the process is draining; the browser reconnects elsewhere
                if version > sent_version:  # the page fetched for it has today's levels
                    sent_version, sent_levels = version, feed.levels
                    yield f"id: {version}\nevent: version\ndata: {version}\n\n"
                elif feed.levels != sent_levels:  # no id: Last-Event-ID stays the version
                    sent_levels = feed.levels
                    yield f"event: levels\ndata: {sent_levels}\n\n"

    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


async def loader(request: Request) -> Response:
    """/embed.js: the one-line loader. A stable URL (it is pasted into other sites), cached
    for an hour, revalidated by ETag."""
    embeds = _embeds(request)
    headers = {"etag": embeds.loader_etag, "cache-control": LOADER_CACHE_CONTROL}
    if _matches(request, embeds.loader_etag):
        return Response(status_code=304, headers=headers)
    return Response(embeds.loader, media_type="text/javascript; charset=utf-8", headers=headers)


# --- staff: the builder, the QR code, the allowlist, rotation -----------------------------


async def _menu_public_id(request: Request, ctx: Context) -> tuple[menus.MenuSummary, str]:
    menu_id: int = request.path_params["menu_id"]
    menu = await menus.get_menu(ctx.conn, venue_id=ctx.venue.id, menu_id=menu_id)
    public_id = await queries.get_public_id(ctx.conn, venue_id=ctx.venue.id, menu_id=menu_id)
    if menu is None or public_id is None:
        raise HTTPException(404, "No such menu in this venue.")
    return menu, public_id


def _urls(ctx: Context, public_id: str, options: EmbedOptions) -> dict[str, str]:
    settings = ctx.services.settings
    base = settings.embed_base_url or settings.public_base_url
    query = f"?{options.key}" if options.key else ""
    embed_path = f"/embed/{public_id}{query}"
    return {
        "origin": base,
        "embed_path": embed_path,
        "embed": base + embed_path,
        "page": f"{base}/m/{public_id}{query}",
        "json": f"{base}/api/v1/public/menus/{public_id}",
        "loader": f"{base}/embed.js",
    }


def snippets(urls: dict[str, str], menu_name: str) -> dict[str, str]:
    """The two snippets a bar pastes into its website builder."""
    title = html.escape(menu_name)
    embed, path = html.escape(urls["embed"]), html.escape(urls["embed_path"])
    return {
        "iframe": (
            f'<iframe src="{embed}" title="{title}" '
            'style="width:100%;height:700px;border:0" loading="lazy"></iframe>'
        ),
        "script": (
            f'<script src="{urls["loader"]}" data-chalkboard="{path}" '
            f'data-title="{title}" async></script>'
        ),
    }


async def builder(request: Request, ctx: Context) -> Response:
    """Pick options, see the embed live, copy a snippet; the QR code for the mobile page."""
    menu, public_id = await _menu_public_id(request, ctx)
    options, errors = parse_options(request.query_params)
    status = 200 if options is not None else 422
    shown = options or EmbedOptions()
    values: dict[str, Any] = (
        {name: getattr(shown, name) for name in EmbedOptions.model_fields}
        if options is not None
        else {**shown.model_dump(), **request.query_params}
    )
    urls = _urls(ctx, public_id, shown)
    return await render(
        ctx,
        "embed_builder.html",
        status,
        menu=menu,
        public_id=public_id,
        values=values,
        errors=errors,
        defaults=EmbedOptions().model_dump(),
        switches=SWITCHES,
        fonts=FONTS,
        sorts=SORTS,
        urls=urls,
        snippets=snippets(urls, menu.name),
        base=f"/v/{ctx.venue.slug}/menus/{menu.id}",
    )


async def qr_code(request: Request, ctx: Context) -> Response:
    """The mobile page's address as a QR code (SVG), to print for the tables."""
    menu, public_id = await _menu_public_id(request, ctx)
    options, _ = parse_options(request.query_params)
    url = _urls(ctx, public_id, options or EmbedOptions())["page"]
    return Response(
        qr_svg(url, title=f"Scan for the {menu.name} menu", scale=10),
        media_type="image/svg+xml",
        headers={"cache-control": "private, no-cache"},
    )


async def print_qr(request: Request, ctx: Context) -> Response:
    """A page to print: the QR code, big, with the venue and menu name."""
    menu, public_id = await _menu_public_id(request, ctx)
    options, _ = parse_options(request.query_params)
    urls = _urls(ctx, public_id, options or EmbedOptions())
    return await render(
        ctx,
        "embed_print.html",
        menu=menu,
        urls=urls,
        query=(options or EmbedOptions()).key,
        base=f"/v/{ctx.venue.slug}/menus/{menu.id}",
    )


async def rotate(request: Request, ctx: Context) -> Response:
    """Replace the menu's public id: every embed, QR code and link with the old one stops."""
    menu, old = await _menu_public_id(request, ctx)
    await queries.rotate_public_id(ctx.conn, venue_id=ctx.venue.id, menu_id=menu.id)
    ctx.services.embeds.forget(public_id=old)
    return RedirectResponse(f"/v/{ctx.venue.slug}/menus/{menu.id}/embed?rotated=1", 303)


async def embeds_page(
    request: Request,
    ctx: Context,
    *,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
) -> Response:
    """The venue's embeds: each menu's builder, and which sites may frame them."""
    origins = await queries.get_frame_origins(ctx.conn, venue_id=ctx.venue.id)
    return await render(
        ctx,
        "embed_sites.html",
        status,
        menus=await menus.list_menus(ctx.conn, venue_id=ctx.venue.id),
        origins=origins,
        values=values or {"origins": "\n".join(origins)},
        errors=errors or {},
        saved=request.query_params.get("saved") == "1",
    )


async def embed_sites(request: Request, ctx: Context) -> Response:
    return await embeds_page(request, ctx)


async def save_sites(request: Request, ctx: Context) -> Response:
    """Owners only: which sites may frame this venue's embeds (empty: any site)."""
    values = await form_values(request)
    text = values.get("origins", "")
    try:
        if len(text) > 4000:
            raise ValueError("That list is too long: keep it under 4,000 characters.")
        origins = parse_frame_origins(text)
    except ValueError as exc:
        return await embeds_page(
            request, ctx, status=422, values=values, errors=FormErrors(origins=str(exc))
        )
    await queries.set_frame_origins(ctx.conn, venue_id=ctx.venue.id, origins=origins)
    ctx.services.embeds.forget(venue_id=ctx.venue.id)
    return RedirectResponse(f"/v/{ctx.venue.slug}/embeds?saved=1", 303)


EMBED = "/v/{slug}/menus/{menu_id:int}/embed"

routes: list[AppRoute | BareRoute] = [
    BareRoute("/embed.js", loader),
    BareRoute("/embed/{public_id}", embed_page),
    BareRoute("/embed/{public_id}/live", live),
    BareRoute("/m/{public_id}", public_menu),
    BareRoute("/api/v1/public/menus/{public_id}", public_json, methods=["GET", "OPTIONS"]),
    AppRoute("/v/{slug}/embeds", embed_sites, access=Access.VENUE),
    AppRoute("/v/{slug}/embeds", save_sites, access=Access.VENUE_OWNER, methods=["POST"]),
    AppRoute(EMBED, builder, access=Access.VENUE),
    AppRoute(EMBED + "/qr.svg", qr_code, access=Access.VENUE),
    AppRoute(EMBED + "/print", print_qr, access=Access.VENUE),
    AppRoute(EMBED + "/rotate", rotate, access=Access.VENUE_OWNER, methods=["POST"]),
]
