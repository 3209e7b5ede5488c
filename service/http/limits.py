"""What the server refuses before any route sees the request.

At the protocol, `LimitedHttpProtocol` is uvicorn's httptools protocol with the limits the
parser itself lacks (it took a 16 MB header, 2,000 headers, and waited forever for the end
of a header block):
  - a header block (request line and headers) past MAX_HEADER_BYTES, or with more than
    MAX_HEADERS fields: 431, counted as the bytes arrive, so an unfinished block costs at
    most one read past the limit;
  - headers not finished within HEADER_SECONDS of the request's first read: 408; a new
    connection that sends nothing is closed after the keep-alive timeout, as an idle one
    between requests is (uvicorn's httptools protocol waited for it for ever).
The refused connection is closed after the answer. Such numbers leave every real client
far inside: browsers send 1 to 8 KiB of headers, the ALB forwards at most 64 KiB.

In the app, `RefuseControlCharacters` answers a path or query parameter holding control
characters (NUL, ESC, …) before any route hands it to Postgres, whose text cannot hold NUL:
404 for a path (nothing has such a name), 422 naming the query parameter.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from chalkboard.http.errors import error_response
from chalkboard.text import CONTROL

MAX_HEADER_BYTES = 32 * 1024
MAX_HEADERS = 100
HEADER_SECONDS = 10.0
# After a refusal, how long the client's bytes still in flight are read and dropped, so that
# closing does not reset the connection before the client has read the answer.
LINGER_SECONDS = 2.0
TOO_LARGE = (
    f"The request headers are too large (at most {MAX_HEADER_BYTES // 1024} KiB and "
    f"{MAX_HEADERS} fields): clear this site's cookies and try again."
)
TOO_SLOW = f"The request headers did not arrive within {HEADER_SECONDS:g} seconds."


class _Refused(Exception):
    """Raised from a parser callback to stop parsing a request that is refused."""


class LimitedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, with a size, count and time limit on the header block."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reading_headers = False
        self.unfinished = 0  # bytes received while the header block was not finished
        self.header_bytes = 0  # the request line and headers the parser has handed over
        self.header_count = 0
        self.header_timer: asyncio.TimerHandle | None = None
        self.refusal: tuple[int, str] | None = None

    # --- the connection ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.reading_headers = True
        # Until its first byte a new connection is idle, as between keep-alive requests, and
        # gets as long (browsers open spare connections before they need them).
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.refusal is not None:
            return  # lingering after a refusal: the client's bytes are dropped
        if self.reading_headers:
            self.unfinished += len(data)
        super().data_received(data)
        if self.refusal is not None or not self.reading_headers:
            return
        if self.unfinished > MAX_HEADER_BYTES:
            self.refuse(431, TOO_LARGE)
        else:
            # The clock starts when a read ends with the headers unfinished: most arrive
            # whole, in one read, and need no timer at all.
            self._start_header_timer()

    def send_400_response(self, msg: str) -> None:
        # A parser callback raised _Refused: answer with its status, not uvicorn's 400.
        if self.refusal is not None:
            self._answer(*self.refusal)
        else:
            super().send_400_response(msg)

    # --- parser callbacks -------------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.reading_headers = True
        self.header_bytes = self.header_count = 0

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self.header_count += 1
        if self.header_count > MAX_HEADERS:
            self._refuse_from_parser(431, TOO_LARGE)
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self.reading_headers = False
        self.unfinished = 0
        self._stop_header_timer()
        super().on_headers_complete()

    # --- limits -----------------------------------------------------------------------------

    def _count(self, size: int) -> None:
        self.header_bytes += size
        if self.header_bytes > MAX_HEADER_BYTES:
            self._refuse_from_parser(431, TOO_LARGE)

    def _refuse_from_parser(self, status: int, message: str) -> None:
        self.refusal = (status, message)
        raise _Refused  # httptools re-raises it as a parser error: see send_400_response

    def _start_header_timer(self) -> None:
        if self.header_timer is None:
            self.header_timer = self.loop.call_later(HEADER_SECONDS, self._headers_too_slow)

    def _stop_header_timer(self) -> None:
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None

    def _headers_too_slow(self) -> None:
        self.header_timer = None
        if self.reading_headers and not self.transport.is_closing():
            self.refuse(408, TOO_SLOW)

    def refuse(self, status: int, message: str) -> None:
        self.refusal = (status, message)
        self._answer(status, message)

    def _answer(self, status: int, message: str) -> None:
        """Answer `status` and close, unless a response is still being written (a pipelined
        request): then the connection closes after that response, and nothing more is read."""
        self._stop_header_timer()
        self._unset_keepalive_if_required()
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.keep_alive = False
            return
        body = message.encode()
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: text/plain; charset=utf-8\r\n",
            b"content-length: %d\r\n" % len(body),
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        if self.transport.can_write_eof():
            self.transport.write_eof()
            self.loop.call_later(LINGER_SECONDS, self.transport.close)
        else:
            self.transport.close()


class RefuseControlCharacters:
    """A path or query parameter with control characters is refused before any route runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            problem = self.problem(scope)
            if problem is not None:
                status, message = problem
                await error_response(Request(scope), status, message)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    @staticmethod
    def problem(scope: Scope) -> tuple[int, str] | None:
        if CONTROL.search(scope["path"]):
            return 404, "No page has this address: it contains control characters (such as NUL)."
        query = scope["query_string"].decode("latin-1")
        for name, value in parse_qsl(query, keep_blank_values=True):
            if CONTROL.search(name) or CONTROL.search(value):
                return 422, (
                    f"The query parameter `{CONTROL.sub('?', name)}` contains control "
                    "characters (such as NUL); remove them and try again."
                )
        return None
