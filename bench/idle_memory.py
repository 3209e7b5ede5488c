"""Memory of an idle Chalkboard server, beside a bare Starlette app under the same uvicorn.

Starts `chalkboard serve --migrate --demo` on a throwaway embedded Postgres, warms it with a
sign-in and a few page views, lets it settle, and reads its RSS; then does the same for a
one-route Starlette app with identical uvicorn settings. Prints a table and writes
bench/results/idle.json.

    .venv/bin/python bench/idle_memory.py
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil

RESULTS = Path(__file__).parent / "results" / "idle.json"
HELLO_APP = """
import uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
app = Starlette(routes=[Route("/healthz", lambda request: PlainTextResponse("ok"))])
uvicorn.run(app, host="127.0.0.1", port={port}, ws="websockets-sansio",
            ws_per_message_deflate=False, log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited early with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} not ready after {timeout}s")


@contextlib.contextmanager
def demo_server(prefix: str) -> Iterator[str]:
    """`chalkboard serve --migrate --demo` on a fresh data dir and a free port, ready; its URL."""
    with tempfile.TemporaryDirectory(prefix=prefix) as data_dir:
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
            "DATA_DIR": data_dir,
            "PORT": str(port),
            "LOG_LEVEL": "WARNING",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "chalkboard", "serve", "--migrate", "--demo"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(f"{base}/readyz", process, timeout=120)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=60)


def settle_rss_mib(pid: int, seconds: float = 3.0) -> float:
    time.sleep(seconds)
    return psutil.Process(pid).memory_info().rss / 2**20


def measure_chalkboard(data_dir: str) -> float:
    port = free_port()
    env = {**os.environ, "DATA_DIR": data_dir, "PORT": str(port), "LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "chalkboard", "serve", "--migrate", "--demo"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(f"{base}/readyz", process)
        with httpx.Client(base_url=base, follow_redirects=True) as client:
            page = client.get("/login").text
            token = re.search(r'name="csrf-token" content="([^"]+)"', page)
            assert token, "sign-in page has a CSRF token"
            client.post(
                "/login",
                data={
                    "csrf_token": token[1],
                    "email": "demo@chalkboard.example",
                    "password": "pints-and-pixels",
                },
            )
            for _ in range(20):
                client.get("/v/demo-taproom")
        return settle_rss_mib(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def measure_hello() -> float:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", HELLO_APP.format(port=port)])
    try:
        wait_ready(f"http://127.0.0.1:{port}/healthz", process)
        for _ in range(20):
            httpx.get(f"http://127.0.0.1:{port}/healthz")
        return settle_rss_mib(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="chalkboard-bench-") as data_dir:
        chalkboard = measure_chalkboard(data_dir)
    hello = measure_hello()
    rows = [("chalkboard serve (idle, warmed)", chalkboard), ("bare Starlette hello", hello)]
    print(f"{'process':<34} {'RSS MiB':>8}")
    for name, mib in rows:
        print(f"{name:<34} {mib:>8.1f}")
    print(f"{'difference':<34} {chalkboard - hello:>8.1f}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "chalkboard_idle_rss_mib": round(chalkboard, 1),
                "hello_idle_rss_mib": round(hello, 1),
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
