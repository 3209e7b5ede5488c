"""Routes that know who may call them.

Every endpoint is declared as an `AppRoute` with an `Access` level. At the edge, before the
endpoint runs, the route:
  - reads the whole request body, within its limits (http/bodies.py), holding no connection;
  - opens one connection (waiting a bounded time for it: 503 when the pool stays busy) and
    one transaction for the whole request (committed when the endpoint returns a
    response, rolled back when it raises);
  - resolves the caller (session cookie or Bearer API token) and, for venue routes, the
    venue named by `{slug}` — which must be one the caller belongs to, or the answer is 404;
  - checks the CSRF token on every state-changing request made with a cookie.
Endpoints receive `(request, ctx)` and never touch sessions, tokens or transactions.
"""

from __future__ import annotations

import contextlib
import enum
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from chalkboard.accounts import queries as accounts
from chalkboard.accounts import sessions
from chalkboard.accounts.queries import ApiToken, User
from chalkboard.db import Conn
from chalkboard.http import bodies
from chalkboard.venues import queries as venues
from chalkboard.venues.queries import Membership, Venue

if TYPE_CHECKING:
    from chalkboard.app import Services

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
log = logging.getLogger("chalkboard.http")
DEFAULT_MAX_BODY = 64 * 1024
MAX_FORM_FIELDS = 200


class Access(enum.Enum):
    """Who may call a route. Every route in the app has exactly one."""

    PUBLIC = "public"  # anyone; the signed-in user, if any, is known
    SIGNED_IN = "signed-in"  # a signed-in user
    VENUE = "venue"  # a member (owner or editor) of the venue named by {slug}
    VENUE_OWNER = "venue-owner"  # an owner of the venue named by {slug}
    API = "api"  # a venue API token (Bearer) or a member's session, for the venue {slug}


class SignInRequired(Exception):
    """The route needs a signed-in user and there is none: HTML goes to /login, API gets 401."""


class PoolExhausted(Exception):
    """No database connection came free in time: the app is overloaded (503, try again)."""


class DatabaseUnreachable(Exception):
    """Connecting to the database failed (it is restarting, failing over, or gone): 503."""


@dataclass
class Context:
    """What an endpoint knows about its request, resolved at the edge."""

    request: Request
    services: Services
    conn: Conn
    csrf_token: str
    viewer: User | None = None
    membership: Membership | None = None
    token: ApiToken | None = None
    prepared: Any = None  # what the route's `prepare` made of the request, if it has one
    # Work outside the database that must wait for the commit (deleting stored files).
    committed: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def after_commit(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run `work` once the request's transaction has committed (never, if it fails)."""
        self.committed.append(work)

    @property
    def user(self) -> User:
        if self.viewer is None:
            raise RuntimeError("ctx.user on a route that does not require sign-in")
        return self.viewer

    @property
    def venue(self) -> Venue:
        if self.membership is None:
            raise RuntimeError("ctx.venue on a route that is not venue-scoped")
        return self.membership.venue

    @property
    def role(self) -> str:
        return self.membership.role if self.membership else "none"


Endpoint = Callable[[Request, Context], Awaitable[Response]]
Prepare = Callable[[Request, Context], Awaitable[Any]]


class BareRoute(Route):
    """A public route that needs no session and no transaction: health checks and metrics."""

    access = Access.PUBLIC


class SocketRoute(WebSocketRoute):
    """A WebSocket route: public at the handshake; the endpoint authenticates the first message.

    The endpoint is called as is, without Starlette's exception-handling wrapper: a socket
    lives for months, the wrapper's frames would live as long (and wrap every send), and an
    endpoint answers its own errors with close codes.
    """

    access = Access.PUBLIC

    def __init__(self, path: str, endpoint: Callable[[WebSocket], Awaitable[None]]) -> None:
        super().__init__(path, endpoint)
        self.session = endpoint

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.session(WebSocket(scope, receive=receive, send=send))


class AppRoute(Route):
    """A Starlette route whose endpoint takes (request, ctx) and whose access is declared.

    `prepare` is slow work on the request that must not hold a database connection (an
    upload arriving over a phone's Wi-Fi, then decoded; a password hash checked): it runs
    after the access checks, in a transaction of their own, and before the endpoint's
    transaction, which checks access again. Its result is `ctx.prepared`; what it must
    write at once it writes in short transactions of its own (`transaction`). With
    `streams_body`, `prepare` reads the body itself (an upload), so the route takes CSRF
    from the X-CSRF-Token header only.
    """

    def __init__(
        self,
        path: str,
        endpoint: Endpoint,
        *,
        access: Access,
        methods: Sequence[str] = ("GET",),
        name: str | None = None,
        max_body: int = DEFAULT_MAX_BODY,
        prepare: Prepare | None = None,
        streams_body: bool = False,
    ) -> None:
        if access in (Access.VENUE, Access.VENUE_OWNER, Access.API) and "{slug}" not in path:
            raise ValueError(f"{path}: a venue-scoped route must name its venue with {{slug}}")
        self.access = access
        self.max_body = max_body
        self.handler = endpoint
        self.prepare = prepare
        self.streams_body = streams_body and prepare is not None
        super().__init__(path, _Edge(self), methods=list(methods), name=name or endpoint.__name__)

    async def asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, bodies.limited(receive, scope, self.max_body))
        services: Services = request.state.services
        prepared = None
        try:
            if self.prepare is not None and self.streams_body:
                # Only a member may upload, and decoding waits its turn (MEDIA_WORKERS): an
                # upload is not counted among the bodies one address may have arriving.
                ctx = await self.checked(request, services)
                prepared = await self.prepare(request, ctx)
            else:
                with services.arrivals.arriving(scope):
                    await request.body()  # kept by the request for the endpoint and its form
                if self.prepare is not None:
                    ctx = await self.checked(request, services)
                    prepared = await self.prepare(request, ctx)
        except ClientDisconnect:
            return  # the client left before its request was whole: there is nobody to answer
        async with transaction(services) as conn:
            ctx = await self.resolve(request, services, conn)
            ctx.prepared = prepared
            await self.check_csrf(request, ctx)
            response = await self.handler(request, ctx)
        for work in ctx.committed:
            try:
                await work()
            # The change is saved: answering with an error would tell the user it was not.
            except Exception:
                log.exception("work after the commit failed (the change itself is saved)")
        sessions.remember_csrf_seed(request, response, services.settings)
        await response(scope, receive, send)

    async def checked(self, request: Request, services: Services) -> Context:
        """Who may do this, checked before `prepare`'s slow work, in a short transaction."""
        async with transaction(services) as conn:
            ctx = await self.resolve(request, services, conn)
            await self.check_csrf(request, ctx)
        return ctx

    async def check_csrf(self, request: Request, ctx: Context) -> None:
        if request.method not in SAFE_METHODS and ctx.token is None:
            await check_csrf(request, ctx, header_only=self.streams_body)

    async def resolve(self, request: Request, services: Services, conn: Conn) -> Context:
        settings = services.settings
        ctx = Context(request, services, conn, sessions.csrf_token(request, settings))
        if self.access is Access.API:
            bearer = sessions.bearer_token(request)
            if bearer is not None:
                ctx.token = await accounts.use_api_token(conn, token_hash=bearer)
                if ctx.token is None:
                    raise HTTPException(401, "This API token is not valid or has been revoked.")
                venue = await venues.get_venue(conn, venue_id=ctx.token.venue_id)
                if venue is None or venue.slug != request.path_params["slug"]:
                    raise HTTPException(404, "Venue not found.")
                if request.method not in SAFE_METHODS and ctx.token.scope != "write":
                    raise HTTPException(403, "This API token is read-only; create a write token.")
                ctx.membership = Membership(venue, role="token")
                return ctx
        ctx.viewer = await sessions.current_user(request, conn, settings)
        if self.access is Access.PUBLIC:
            return ctx
        if ctx.viewer is None:
            raise SignInRequired
        if self.access is Access.SIGNED_IN:
            return ctx
        ctx.membership = await venues.get_membership(
            conn, slug=request.path_params["slug"], user_id=ctx.viewer.id
        )
        if ctx.membership is None:
            raise HTTPException(404, "Venue not found, or you are not a member of it.")
        if self.access is Access.VENUE_OWNER and ctx.membership.role != "owner":
            raise HTTPException(403, "Only the venue's owners can do this.")
        return ctx


class _Edge:
    """The ASGI app Starlette calls for an AppRoute (it would wrap a bare method as a handler)."""

    def __init__(self, route: AppRoute) -> None:
        self.route = route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.route.asgi(scope, receive, send)


@contextlib.asynccontextmanager
async def transaction(services: Services) -> AsyncIterator[Conn]:
    """One pooled connection in one transaction. The wait for a free connection is bounded:
    an overloaded app answers 503 at once rather than leaving everyone waiting."""
    try:
        conn = await services.pool.acquire(timeout=services.settings.db_acquire_seconds)
    except TimeoutError:  # before OSError, its base class
        raise PoolExhausted from None
    except OSError as exc:  # refused, no such socket, no such host: it is not there now
        raise DatabaseUnreachable from exc
    try:
        async with conn.transaction():
            yield conn
    finally:
        await services.pool.release(conn)


async def check_csrf(request: Request, ctx: Context, *, header_only: bool = False) -> None:
    sent = request.headers.get("x-csrf-token")
    if (
        sent is None
        and not header_only
        and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        )
    ):
        form: FormData = await request.form(max_fields=MAX_FORM_FIELDS, max_files=0)
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not sent or not sessions.csrf_matches(sent, ctx.csrf_token):
        raise HTTPException(
            403,
            "This form has expired or came from another site. Go back, reload the page and "
            "try again.",
        )
