"""A day-part boundary's server-side cost: what a task does for each menu it shows at the
instant happy hour begins, beside what it does for an ordinary edit's push.

Not the issue's whole benchmark (10,000 TVs across 1,000 venues, end to end, see
docs/schedules.md): this measures, in one process and one run, the CPU each side needs
before the bytes go to the sockets (the write itself is the same code for both:
live/frames.py, measured by bench/fanout.py):

  boundary   for each of N menus: transform the board (`effective`: the clock maths over
             the next 8 days, day-part prices and rules), note its stretch, serialize and
             frame it (`Boards._build`), as live/boards.py does
  edit       for each of N menus: serialize and frame its board as the push of an edit does
             (the edit's own database work is not counted)

Prints a table and writes bench/results/boundary.json.

    .venv/bin/python bench/boundary.py --menus 1000
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chalkboard.live.boards import Boards
from chalkboard.schedules.effective import Stretches, effective, stretch_of
from chalkboard.venues.queries import Venue

BENCH = Path(__file__).parent
RESULTS = BENCH / "results" / "boundary.json"
ENTRIES = 20
SIZES = (1, 2)
# Friday 16:00 in London: the instant happy hour begins.
BOUNDARY = datetime(2026, 1, 9, 16, tzinfo=UTC)


def board(menu_id: int) -> dict[str, Any]:
    """A 20-entry board, two sizes, whose venue has a weekday happy hour pricing every pint."""
    entries = [
        {
            "id": menu_id * 100 + n,
            "tap_label": str(n + 1),
            "status": "on_tap",
            "keg_percent": 57.5,
            "keg_size_ml": 19500,
            "keg_remaining_ml": 11212,
            "note": "",
            "prices": {"1": 450 + n, "2": 700 + n},
            "beverage": {
                "id": n,
                "name": f"Beer number {n}",
                "producer": "A brewery",
                "style": "Pale ale",
                "kind": "beer",
                "abv": 5.2,
                "ibu": 40,
                "srm": 6.0,
                "description": "Hoppy, bright and dangerously drinkable." * 2,
                "tags": ["hoppy"],
                "image": None,
            },
        }
        for n in range(ENTRIES)
    ]
    window = {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "16:00", "end": "18:00"}
    return {
        "menu": {"id": menu_id, "name": "Draft", "version": 7},
        "sizes": [{"id": s, "name": f"Size {s}", "volume_ml": 473.0} for s in SIZES],
        "sections": [{"id": menu_id, "name": "On tap", "kind": "taps", "entries": entries}],
        "dayparts": {
            "timezone": "Europe/London",
            "parts": [
                {
                    "id": 1,
                    "name": "Happy hour",
                    "windows": [{**window, "overnight": False}],
                    "prices": {str(e["id"]): {"2": 500} for e in entries},
                    "entries": {},
                    "sections": {},
                }
            ],
        },
    }


def timed(work: Any, items: list[Any]) -> list[float]:
    took = []
    for item in items:
        start = time.perf_counter()
        work(item)
        took.append(time.perf_counter() - start)
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--menus", type=int, default=1000)
    args = parser.parse_args()
    venue = Venue(1, "bench", "Bench", "Europe/London", "GBP", "ml")
    boards = [board(n + 1) for n in range(args.menus)]
    stretches = Stretches(args.menus)

    def boundary(stored: dict[str, Any]) -> None:
        # What live/boards.py does for a menu at a boundary.
        shown = effective(stored, BOUNDARY)
        stretches.record((stored["menu"]["id"], 7), stretch_of(shown))
        Boards._build(shown, venue)

    def edit(shown: dict[str, Any]) -> None:
        Boards._build(shown, venue)

    rows = {"boundary": timed(boundary, boards), "edit": timed(edit, boards)}
    summary: dict[str, Any] = {"menus": args.menus, "entries_per_menu": ENTRIES}
    print(f"{args.menus} menus of {ENTRIES} entries, one task")
    print(f"{'':10} {'total ms':>9} {'per menu µs p50':>16} {'p99':>8}")
    for name, took in rows.items():
        ordered = sorted(took)
        p50 = statistics.median(ordered) * 1e6
        p99 = ordered[int(len(ordered) * 0.99) - 1] * 1e6
        total = sum(took) * 1e3
        print(f"{name:10} {total:9.1f} {p50:16.0f} {p99:8.0f}")
        summary[name] = {"total_ms": round(total, 1), "p50_us": round(p50), "p99_us": round(p99)}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(BENCH.parent)}")


if __name__ == "__main__":
    main()
