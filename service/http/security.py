"""Security headers on every response. A route may set its own CSP (embeds relax framing)
and its own caching (static files, images, the public embed and the TV app)."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline script or style anywhere: pages load only their own hashed static files.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


PRIVATE = "private, no-store"
PER_CALLER = "Cookie, Authorization"


def security_headers(*, https: bool) -> dict[str, str]:
    headers = {
        "content-security-policy": CONTENT_SECURITY_POLICY,
        "x-content-type-options": "nosniff",
        "referrer-policy": "strict-origin-when-cross-origin",
        "x-frame-options": "DENY",
        "cross-origin-opener-policy": "same-origin",
        "permissions-policy": "camera=(), microphone=(), geolocation=()",
        # Every other answer is for whoever asked (a signed-in page, an API answer, a form
        # with a CSRF token): no shared cache may keep it, no browser may show it from its
        # cache after sign-out, and a cache that ignores that still keys it per caller.
        "cache-control": PRIVATE,
    }
    if https:
        headers["strict-transport-security"] = "max-age=63072000; includeSubDomains"
    return headers


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.headers = security_headers(https=https)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                own_csp = "content-security-policy" in headers
                if "cache-control" not in headers:
                    headers.add_vary_header(PER_CALLER)
                for name, value in self.headers.items():
                    # A route that sets its own CSP decides framing; X-Frame-Options would veto it.
                    if name not in headers and not (own_csp and name == "x-frame-options"):
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
