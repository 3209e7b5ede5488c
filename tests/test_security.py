"""Security headers, body limits and malformed input: clear 4xx answers that change nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import asyncpg
import httpx
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from chalkboard.accounts.sessions import cookie_name
from chalkboard.app import create_app
from chalkboard.http.routing import Access, AppRoute, Context
from chalkboard.http.security import SecurityHeaders
from chalkboard.settings import Settings
from tests.conftest import PASSWORD, Browser, RunningServer


def assert_strict_headers(response: httpx.Response) -> None:
    csp = response.headers["content-security-policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp, (response.url, directive)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert response.headers["x-frame-options"] == "DENY"


async def test_every_kind_of_response_carries_the_security_headers(
    owner: tuple[Browser, str],
) -> None:
    """Pages, redirects, errors, static files, health checks and the API all get them."""
    boss, slug = owner
    css = (await boss.page(f"/v/{slug}")).text.split('href="/static/')[1].split('"')[0]
    for path in [
        f"/v/{slug}",
        "/",
        "/no-such-page",
        f"/static/{css}",
        "/healthz",
        "/readyz",
        "/api/v1/venues/nope",
        "/invite/nope",
    ]:
        assert_strict_headers(await boss.get(path))
    assert_strict_headers(await boss.post("/logout"))  # 403: no CSRF token
    assert "strict-transport-security" not in (await boss.get("/healthz")).headers


async def test_hsts_and_host_prefixed_cookies_over_https() -> None:
    """Served over https: HSTS on, and cookies named __Host- (no subdomain can plant them)."""
    app = Starlette(routes=[Route("/", lambda request: PlainTextResponse("ok"))])
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(SecurityHeaders(app, https=True)), base_url="https://x"
    )
    async with client:
        response = await client.get("/")
    assert response.headers["strict-transport-security"].startswith("max-age=")
    https = Settings(public_base_url="https://menu.example.com")
    assert cookie_name("cb_session", https) == "__Host-cb_session"


async def test_oversized_bodies_are_refused_with_or_without_content_length(
    browser: Browser, db: asyncpg.Pool
) -> None:
    """413 at the cap whether the body declares its size or streams it chunked; no user made."""
    await browser.page("/signup")
    padding = "x" * (70 * 1024)
    email = "big-body@example.com"
    declared = await browser.post(
        "/signup",
        data={
            "csrf_token": browser.csrf_token,
            "email": email,
            "password": PASSWORD,
            "pad": padding,
        },
    )
    assert declared.status_code == 413
    assert "too large" in declared.text

    body = f"csrf_token={browser.csrf_token}&email={email}&password=x&pad={padding}".encode()

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 8192):
            yield body[start : start + 8192]

    chunked = await browser.post(
        "/signup",
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert chunked.status_code == 413
    assert await db.fetchval("SELECT count(*) FROM users WHERE email = $1", email) == 0


async def test_malformed_forms_get_a_4xx_not_a_crash(browser: Browser, db: asyncpg.Pool) -> None:
    """Binary junk, broken multipart and missing fields answer 4xx with a message."""
    await browser.page("/signup")
    junk = await browser.post(
        "/signup",
        content=b"\xff\xfe\x00garbage=%%%",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert 400 <= junk.status_code < 500
    broken = await browser.post(
        "/signup",
        content=b'--xx\r\nContent-Disposition: form-data; name="email"\r\n\r\nunterminated',
        headers={"content-type": "multipart/form-data; boundary=xx"},
    )
    assert 400 <= broken.status_code < 500
    missing = await browser.follow(await browser.submit("/signup", {}))
    assert "This field is required" in missing.text
    assert await db.fetchval("SELECT count(*) FROM users WHERE email = ''") == 0


async def test_static_files_are_immutable_only_under_their_current_hash(
    live: RunningServer,
) -> None:
    """The hashed URL is cached forever; a stale hash still works but is not cached."""
    async with httpx.AsyncClient(base_url=live.url) as client:
        page = await client.get("/login")
        path = page.text.split('href="/static/')[1].split('"')[0]
        fresh = await client.get(f"/static/{path}")
        assert fresh.status_code == 200
        assert fresh.headers["cache-control"] == "public, max-age=31536000, immutable"
        stale = await client.get("/static/000000000000/" + path.split("/", 1)[1])
        assert stale.status_code == 200
        assert stale.headers["cache-control"] == "no-cache"
        assert (await client.get("/static/000000000000/css/nope.css")).status_code == 404


async def test_sign_in_redirects_only_within_the_site(
    new_browser: Callable[[], Browser],
) -> None:
    """`next` pointing at another site is ignored after sign-in (no open redirect)."""
    email = await new_browser().sign_up()
    person = new_browser()
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        await person.page("/login")
        response = await person.submit(
            "/login", {"email": email, "password": PASSWORD, "next": target}
        )
        assert response.headers["location"] == "/venues", target


async def test_after_commit_work_runs_only_once_the_transaction_has_committed(
    settings: Settings,
) -> None:
    """Work an endpoint leaves for after the commit (deleting stored files) runs when the
    request's transaction commits, and never when the request fails and rolls back; if the
    work itself fails, the answer still says the change was saved (it was)."""
    done: list[str] = []

    async def endpoint(request: Request, ctx: Context) -> Response:
        step = request.query_params["step"]

        async def work() -> None:
            if step == "broken":
                raise OSError("the store is unreachable")
            done.append(step)

        ctx.after_commit(work)
        if request.query_params.get("fail"):
            raise HTTPException(409, "Refused after registering the work.")
        return PlainTextResponse("ok")

    app = create_app(settings)
    app.router.routes.append(AppRoute("/after-commit", endpoint, access=Access.PUBLIC))
    async with app.router.lifespan_context(app) as state:

        async def with_state(scope: Scope, receive: Receive, send: Send) -> None:
            await app({**scope, "state": dict(state or {})}, receive, send)

        transport = httpx.ASGITransport(app=with_state)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            assert (await client.get("/after-commit?step=kept")).status_code == 200
            assert (await client.get("/after-commit?step=dropped&fail=1")).status_code == 409
            assert (await client.get("/after-commit?step=broken")).status_code == 200
    assert done == ["kept"]
