"""TV layout pass: how long the TV app takes to lay out a 26-entry board, 1080p and 4K, in
headless Chromium as is and with its CPU throttled 4x (DevTools `Emulation.setCPUThrottlingRate`,
a stand-in for a slow TV stick).

Starts Chalkboard (`chalkboard serve --migrate --demo` on a throwaway embedded Postgres) for
the real /tv page and a small protocol server in this process that hands the page a display
and the board (12 beers, 8 cocktails, 6 snacks: three price layouts). Each case then pushes
the board again `--repeat` times (a new version each time) and reads what the page measured
around its layout engine (`data-layout-ms`: every block measurement and the packing, from the
first font tried to the chosen layout; `data-layout-passes`: how many measurements). Both
throttle rates run side by side in one run. Prints a table and writes
bench/results/tv_render.json.

    .venv/bin/python bench/tv_render.py [--repeat 15] [--look taproom]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
from pathlib import Path
from typing import Any

import websockets
from idle_memory import demo_server, free_port  # bench/idle_memory.py, beside this file
from playwright.async_api import async_playwright, expect
from websockets.asyncio.server import ServerConnection, serve

BENCH = Path(__file__).parent
RESULTS = BENCH / "results" / "tv_render.json"
TOKEN = "dt_bench"
SCREENS = [(1920, 1080), (3840, 2160)]
THROTTLES = [1, 4]
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"]
SIZES = [
    {"id": 1, "name": "Half", "volume_ml": 236.6},
    {"id": 2, "name": "Pint", "volume_ml": 473.2},
    {"id": 3, "name": "Cocktail", "volume_ml": None},
    {"id": 4, "name": "Plate", "volume_ml": None},
]
STYLES = ["Pilsner", "New England IPA", "Imperial Stout", "Gose", "Saison", "West Coast IPA"]


def item(n: int, name: str, prices: dict[str, int], **beverage: Any) -> dict[str, Any]:
    return {
        "id": n,
        "tap_label": str(n),
        "status": "on_tap",
        "keg_percent": beverage.pop("keg", None),
        "note": "New" if n == 3 else None,
        "prices": prices,
        "beverage": {"id": 100 + n, "name": name, "image": None, "ibu": None, **beverage},
    }


def board_message(version: int) -> dict[str, Any]:
    """The 26-entry board: beers by the glass (with producer, style, ABV, keg), cocktails and
    snacks at one price each."""
    beers = [
        item(
            n,
            f"{'Barrel-Aged ' if n % 4 == 0 else ''}{STYLES[n % 6]} No. {n}",
            {"1": 450 + 25 * n, "2": 700 + 25 * n},
            producer=f"Brewery {n}",
            style=STYLES[n % 6],
            abv=4.0 + n / 2,
            keg=95.0 - 7 * n,
        )
        for n in range(1, 13)
    ]
    cocktails = [item(20 + n, f"Cocktail {n}", {"3": 1200 + 50 * n}) for n in range(8)]
    snacks = [item(40 + n, f"Snack plate {n}", {"4": 600 + 100 * n}) for n in range(6)]
    return {
        "type": "board",
        "version": version,
        "venue": {"name": "The Bench Taproom", "currency": "USD", "volume_unit": "oz"},
        "board": {
            "menu": {"id": 1, "name": f"Tonight {version}", "version": version},
            "sizes": SIZES,
            "sections": [
                {"id": 1, "name": "On tap", "kind": "taps", "entries": beers},
                {"id": 2, "name": "Cocktails", "kind": "list", "entries": cocktails},
                {"id": 3, "name": "Snacks", "kind": "list", "entries": snacks},
            ],
        },
    }


class Protocol:
    """Greets every TV with its display and the board; `push` sends a new version to all."""

    def __init__(self, look: str) -> None:
        self.look = look
        self.sockets: set[ServerConnection] = set()
        self.version = 1

    async def handle(self, ws: ServerConnection) -> None:
        self.sockets.add(ws)
        try:
            await ws.recv()  # hello
            display = {"id": 1, "name": "Bench", "orientation": "landscape"}
            display["theme"] = {"look": self.look}
            await ws.send(json.dumps({"type": "display", "display": display}))
            await ws.send(json.dumps(board_message(self.version)))
            async for _ in ws:
                await ws.send(json.dumps({"type": "pong"}))
        except websockets.ConnectionClosed:
            pass
        finally:
            self.sockets.discard(ws)

    async def push(self) -> int:
        self.version += 1
        for ws in list(self.sockets):
            await ws.send(json.dumps(board_message(self.version)))
        return self.version


async def measure(base: str, look: str, repeat: int) -> list[dict[str, Any]]:
    protocol = Protocol(look)
    port = free_port()
    rows = []
    async with (
        serve(protocol.handle, "127.0.0.1", port, compression=None),
        async_playwright() as playwright,
    ):
        browser = await playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM") or shutil.which("chromium"),
            args=CHROMIUM_ARGS,
        )
        for width, height in SCREENS:
            for rate in THROTTLES:
                context = await browser.new_context(viewport={"width": width, "height": height})
                await context.add_init_script(
                    "if (location.pathname === '/tv')"
                    f" localStorage.setItem('chalkboard.tv.token', '{TOKEN}')"
                )
                page = await context.new_page()
                cdp = await context.new_cdp_session(page)
                await cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
                await page.goto(f"{base}/tv?ws=ws://127.0.0.1:{port}/")
                await page.wait_for_selector("#stage[data-fonts=ready]", timeout=60_000)
                times, passes = [], []
                for _ in range(repeat):
                    version = await protocol.push()
                    # expect() polls from here: the page's CSP refuses wait_for_function's eval.
                    await expect(page.locator(".board-menu")).to_have_text(f"Tonight {version}")
                    stage = page.locator("#stage")
                    times.append(float(await stage.get_attribute("data-layout-ms") or "nan"))
                    passes.append(int(await stage.get_attribute("data-layout-passes") or 0))
                entries = await page.locator(".board-columns .entry").count()
                columns = await page.locator(".board-columns .column").count()
                counter = page.locator(".board-pages")
                pages = "1" if await counter.is_hidden() else await counter.text_content()
                rows.append(
                    {
                        "screen": f"{width}x{height}",
                        "cpu_throttle": rate,
                        "look": look,
                        "layout_ms_median": round(statistics.median(times), 1),
                        "layout_ms_p90": round(sorted(times)[int(0.9 * (len(times) - 1))], 1),
                        "layout_ms_max": round(max(times), 1),
                        "measure_passes": statistics.median(passes),
                        "entries_on_page_1": entries,
                        "columns": columns,
                        "pages": pages,
                        "samples": len(times),
                    }
                )
                await context.close()
        await browser.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--look", default="taproom")
    args = parser.parse_args()
    with demo_server("chalkboard-bench-tv-") as base:
        rows = asyncio.run(measure(base, args.look, args.repeat))

    print(f"\nTV layout pass, 26-entry board, look {args.look!r} ({args.repeat} pushes each)")
    header = (
        f"{'screen':<10} {'CPU':>4} {'median ms':>10} {'p90 ms':>8} {'max ms':>8} "
        f"{'passes':>7} {'columns':>8} {'pages':>6}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['screen']:<10} {str(row['cpu_throttle']) + 'x':>4} "
            f"{row['layout_ms_median']:>10} {row['layout_ms_p90']:>8} {row['layout_ms_max']:>8} "
            f"{row['measure_passes']:>7} {row['columns']:>8} {row['pages']:>6}"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"look": args.look, "rows": rows}, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(BENCH.parent)}")


if __name__ == "__main__":
    main()
