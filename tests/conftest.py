"""Shared fixtures: a real Postgres with the real migrations, and the real app over real HTTP.

The database is the embedded one (pgserver, under a temporary directory) unless
DATABASE_URL is set, in which case a fresh database is created on that server (the role
needs CREATEDB). Each test isolates itself by creating its own users and venues.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

from chalkboard.db import migrate
from chalkboard.db.pool import init_connection
from chalkboard.db.server import embedded_server
from chalkboard.serve import Server, uvicorn_config
from chalkboard.settings import Secret, Settings

TEST_SECRET_KEY = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
PASSWORD = "correct horse battery staple"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


def with_database(url: str, name: str) -> str:
    """The same server URL, pointing at another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """A Postgres server to create test databases on."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        yield configured
        return
    # Not under pytest's tmp dir: as root, pgserver runs postgres as another user, and any
    # pytest session starting meanwhile re-locks /tmp/pytest-of-root to 0700.
    home = Path(tempfile.mkdtemp(prefix="chalkboard-test-pg-"))
    server = embedded_server(home / "data")
    yield server.get_uri()
    server.cleanup()
    shutil.rmtree(home, ignore_errors=True)


@dataclass
class Databases:
    """Makes empty databases on the test server; drops them all at the end."""

    server_url: str
    created: list[str] = field(default_factory=list)

    async def create(self) -> str:
        name = f"chalkboard_test_{secrets.token_hex(6)}"
        admin = await asyncpg.connect(self.server_url)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        self.created.append(name)
        return with_database(self.server_url, name)

    async def drop_all(self) -> None:
        admin = await asyncpg.connect(self.server_url)
        try:
            for name in self.created:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture(scope="session")
async def databases(server_url: str) -> AsyncIterator[Databases]:
    made = Databases(server_url)
    yield made
    await made.drop_all()


@pytest.fixture(scope="session")
async def database_url(databases: Databases) -> str:
    """The suite's database, with every migration applied the way production applies them."""
    url = await databases.create()
    conn = await asyncpg.connect(url)
    try:
        await migrate.migrate(conn)
    finally:
        await conn.close()
    return url


@pytest.fixture(scope="session")
async def db(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on the suite's database, for arranging and checking data directly."""
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4, init=init_connection)
    assert pool is not None
    yield pool
    await pool.close()


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=Secret(database_url),
        secret_key=Secret(TEST_SECRET_KEY),
        public_base_url="http://127.0.0.1",
        data_dir=tmp_path_factory.mktemp("data"),
        shutdown_drain_seconds=1,
        # The tests play many clients from one machine, each with its own X-Forwarded-For
        # (production trusts only the ALB's subnets; the default trusts no one).
        trusted_proxies=("127.0.0.1",),
    )


@dataclass
class RunningServer:
    url: str
    settings: Settings


async def start_server(
    settings: Settings,
) -> tuple[Server, asyncio.Task[None], RunningServer]:
    """Serve the app on a free loopback port; its PUBLIC_BASE_URL is that port's URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = replace(settings, public_base_url=url)
    server = Server(uvicorn_config(settings))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()  # raises what stopped the server from starting
        await asyncio.sleep(0.02)
    return server, task, RunningServer(url, settings)


@pytest.fixture(scope="session")
async def live(settings: Settings) -> AsyncIterator[RunningServer]:
    """The real app under uvicorn on a free port, shared by the session's tests."""
    server, task, running = await start_server(settings)
    yield running
    server.should_exit = True
    await task


def answer(response: httpx.Response) -> str:
    """How a POST was answered: its status, and for a 303 where it leads ("303 /login")."""
    where = response.headers.get("location", "") if response.status_code == 303 else ""
    return f"{response.status_code} {where}".strip()


class Browser(httpx.AsyncClient):
    """An HTTP client that behaves like one person's browser: cookies, CSRF tokens, an IP."""

    csrf_token: str = ""

    async def page(self, path: str) -> httpx.Response:
        response = await self.get(path)
        found = CSRF_META.search(response.text)
        if found and found[1]:
            self.csrf_token = found[1]
        return response

    async def submit(self, path: str, data: dict[str, str] | None = None) -> httpx.Response:
        """POST a form the way the page would, with its CSRF token."""
        if not self.csrf_token:
            await self.page("/login")
        return await self.post(path, data={"csrf_token": self.csrf_token, **(data or {})})

    async def follow(self, response: httpx.Response) -> httpx.Response:
        """The page a form's 303 leads to (redirect after POST), loaded as the browser would."""
        assert response.status_code == 303, (response.status_code, response.text[:300])
        return await self.page(response.headers["location"])

    async def sign_up(self, email: str | None = None, password: str = PASSWORD) -> str:
        email = email or f"user-{secrets.token_hex(5)}@example.com"
        response = await self.submit("/signup", {"email": email, "password": password})
        assert response.status_code == 303, response.text
        await self.page("/account")
        return email

    async def sign_in(self, email: str, password: str = PASSWORD) -> httpx.Response:
        response = await self.submit("/login", {"email": email, "password": password})
        await self.page("/account")
        return response

    async def create_venue(self, name: str | None = None, **fields: str) -> str:
        slug = fields.pop("slug", f"venue-{secrets.token_hex(5)}")
        form = {
            "name": name or f"The {slug}",
            "slug": slug,
            "timezone": "Europe/London",
            "currency": "GBP",
            "volume_unit": "ml",
            **fields,
        }
        response = await self.submit("/venues/new", form)
        assert response.status_code == 303, response.text
        return slug


@pytest.fixture
async def new_browser(live: RunningServer) -> AsyncIterator[Callable[[], Browser]]:
    """Makes browsers (each its own cookies and client address); closes them after the test."""
    opened: list[Browser] = []

    def make() -> Browser:
        address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
        browser = Browser(
            base_url=live.url,
            follow_redirects=False,
            headers={"X-Forwarded-For": address},
            timeout=30,
        )
        opened.append(browser)
        return browser

    yield make
    for browser in opened:
        await browser.aclose()


@pytest.fixture
async def browser(new_browser: Callable[[], Browser]) -> Browser:
    return new_browser()


@pytest.fixture
async def owner(new_browser: Callable[[], Browser]) -> tuple[Browser, str]:
    """A signed-in owner of a fresh venue: (their browser, the venue's slug)."""
    person = new_browser()
    await person.sign_up()
    return person, await person.create_venue()


@pytest.fixture
def cli(settings: Settings) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Runs `chalkboard …` in a subprocess against the suite's database."""

    def run(
        *args: str, stdin: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        assert settings.database_url is not None
        environment = {
            **os.environ,
            "DATABASE_URL": settings.database_url.reveal(),
            "SECRET_KEY": TEST_SECRET_KEY,
            **(env or {}),
        }
        return subprocess.run(
            [sys.executable, "-m", "chalkboard", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=environment,
            timeout=120,
            check=False,
            cwd=Path(__file__).parent.parent,
        )

    return run


STARTUP_SECONDS = 60
ServerProcess = tuple[str, subprocess.Popen[bytes]]  # its URL and its process


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
async def serve(
    settings: Settings, tmp_path: Path
) -> AsyncIterator[Callable[..., Awaitable[ServerProcess]]]:
    """Starts `chalkboard serve` processes on the suite's database (on a free port, or the
    one given, e.g. to restart a server; `public_url` when reached through a proxy); kills
    any still running after the test."""
    started: list[subprocess.Popen[bytes]] = []

    async def start(port: int | None = None, public_url: str | None = None) -> ServerProcess:
        assert settings.database_url is not None
        port = port or free_port()
        url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DATABASE_URL": settings.database_url.reveal(),
            "SECRET_KEY": TEST_SECRET_KEY,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "PUBLIC_BASE_URL": public_url or url,
            "SHUTDOWN_DRAIN_SECONDS": "1",
            "TRUSTED_PROXIES": "127.0.0.1",  # as in `settings`: tests pick client addresses
        }
        log_path = tmp_path / f"serve-{port}-{len(started)}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(  # noqa: ASYNC220 (starts it; never waits here)
                [sys.executable, "-m", "chalkboard", "serve"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=Path(__file__).parent.parent,
            )
        started.append(process)
        async with httpx.AsyncClient(base_url=url) as client:
            for _ in range(STARTUP_SECONDS * 10):
                assert process.poll() is None, log_path.read_text()
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        return url, process
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"{url} did not become ready")

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
