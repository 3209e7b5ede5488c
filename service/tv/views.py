"""The TV app's page, assets and pairing QR codes under /tv.

tv-client/ is plain files. Two of them are small templates: `index.html` (the page) and
`sw.js` (the service worker) name the other files as `{{ asset tv.js }}`, filled in with the
content-hashed URLs, so a deploy changes the page, the worker's bytes (the browser installs
the new worker) and every asset URL together. Nothing is read at import: the files are read
and hashed once, on the first request.
"""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.types import Receive, Scope, Send

from chalkboard.http.assets import Assets
from chalkboard.http.routing import BareRoute
from chalkboard.http.security import CONTENT_SECURITY_POLICY
from chalkboard.qr import qr_svg
from chalkboard.settings import REPO_ROOT, Settings

TV_CLIENT_DIR = REPO_ROOT / "tv-client"
ASSETS_PREFIX = "/tv/assets"
PAIRING_CODE = re.compile(r"[A-Z2-9]{6}")
PLACEHOLDER = re.compile(r"\{\{ (asset ([\w./-]+)|version) \}\}")
QR_CACHE = "public, max-age=600"
# In dev (and tests) the page may be pointed at another WebSocket server on this machine
# with `/tv?ws=ws://127.0.0.1:PORT/`; production's CSP only allows the site's own origin.
DEV_SOCKETS = "ws://127.0.0.1:* ws://localhost:*"


class TvClient:
    """tv-client/ on disk: its assets by content hash, and its two templates filled in."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @functools.cached_property
    def assets(self) -> Assets:
        return Assets(self.directory, prefix=ASSETS_PREFIX)

    @functools.cached_property
    def version(self) -> str:
        """One digest of every file: changes whenever anything the TV runs changes."""
        joined = "\n".join(f"{path}:{digest}" for path, digest in self.assets.digests.items())
        return hashlib.sha256(joined.encode()).hexdigest()[:12]

    def render(self, name: str) -> str:
        def fill(match: re.Match[str]) -> str:
            return self.version if match[1] == "version" else self.assets.url(match[2])

        return PLACEHOLDER.sub(fill, (self.directory / name).read_text(encoding="utf-8"))

    @functools.cached_property
    def page(self) -> str:
        return self.render("index.html")

    @functools.cached_property
    def service_worker(self) -> str:
        return self.render("sw.js")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI app mounted at /tv/assets."""
        await self.assets(scope, receive, send)


def tv_csp(settings: Settings) -> str:
    """The default CSP, with the site's WebSocket origin and the CDN in connect-src, and
    framing by the site itself.

    CSP Level 3 lets 'self' match ws(s) to the same host, but the older Chrome engines in
    TVs predate that and need the origin spelled out. The service worker fetches (and
    caches) the board's images itself, which connect-src governs: the CDN must be named.
    """
    parts = urlsplit(settings.public_base_url)
    socket_origin = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"
    sources = f"connect-src 'self' {socket_origin}"
    images = "img-src 'self' data: https:"
    if settings.cdn_base_url is not None:
        cdn = urlsplit(settings.cdn_base_url)
        sources += f" {cdn.scheme}://{cdn.netloc}"
        images += f" {cdn.scheme}://{cdn.netloc}"
    if settings.env == "dev":
        sources += f" {DEV_SOCKETS}"
    policy = CONTENT_SECURITY_POLICY.replace("connect-src 'self'", sources)
    # The editor frames the TV page as its preview (docs/tv.md); no other site may.
    policy = policy.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
    return policy.replace("img-src 'self' data: https:", images)


PAIRING_QR_TITLE = "Scan to pair this screen"

client = TvClient(TV_CLIENT_DIR)


async def tv_page(request: Request) -> Response:
    settings: Settings = request.state.services.settings
    return HTMLResponse(
        client.page,
        headers={"cache-control": "no-cache", "content-security-policy": tv_csp(settings)},
    )


async def service_worker(request: Request) -> Response:
    # Served from /tv/ so it may control /tv/…; the page itself is /tv (no slash), which only
    # a worker allowed the scope "/tv" covers.
    settings: Settings = request.state.services.settings
    return Response(
        client.service_worker,
        media_type="text/javascript",
        headers={
            "cache-control": "no-cache",
            "service-worker-allowed": "/tv",
            "content-security-policy": tv_csp(settings),
        },
    )


async def pairing_qr(request: Request) -> Response:
    code = request.path_params["code"]
    if not PAIRING_CODE.fullmatch(code):
        raise HTTPException(404, "There is no such pairing code.")
    settings: Settings = request.state.services.settings
    return Response(
        qr_svg(f"{settings.public_base_url}/pair?code={code}", title=PAIRING_QR_TITLE, scale=8),
        media_type="image/svg+xml",
        headers={"cache-control": QR_CACHE},
    )


routes: list[BaseRoute] = [
    BareRoute("/tv", tv_page),
    BareRoute("/tv/sw.js", service_worker),
    BareRoute("/tv/qr/{code}.svg", pairing_qr),
    Mount(ASSETS_PREFIX, app=client, name="tv_assets"),
]
