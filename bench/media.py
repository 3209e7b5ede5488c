"""Images: upload-to-URL latency per image size, and what a CDN absorbs with immutable URLs.

Starts `chalkboard serve --migrate --demo` on a throwaway embedded Postgres with the local
store (the `make run` default), signs in as the demo owner and:

1. uploads images of several sizes (fresh bytes each time, so nothing is deduplicated) and
   times each from the start of the POST to the first byte-complete GET of the URL it
   answered (validation, re-encoding into widths, storing, the row, then serving);
2. for the demo board's beverage images, the bytes one embed or phone view downloads at the
   widths it draws (4rem: the 160 px variant at 1x, 480 px at 3x), as JPEG only (before
   AVIF/WebP alternates) and as browsers that take WebP, or AVIF and WebP, get them (after);
3. gives the demo board's beverages images, a TV a background and the venue a logo, reads the
   `Cache-Control` the store really sends for each of those URLs, and replays VIEWS TV/embed
   views spread over a day across POPS CDN edge locations through a simple shared-cache
   model that honours `max-age`/`immutable`/`no-cache` — beside the same views against an
   origin that says `no-cache` (every view revalidated at the origin: a 304 once a POP has
   the bytes), one with a 5-minute `max-age` (what mutable URLs would allow), and no CDN at
   all (every view a full GET from the bucket).

Prints a table and writes bench/results/media.json.

    .venv/bin/python bench/media.py [--views 10000] [--pops 12] [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))
from idle_memory import demo_server

RESULTS = Path(__file__).parent / "results" / "media.json"
SLUG = "demo-taproom"
SIZES = {  # name: (width, height)
    "small (800x600)": (800, 600),
    "medium (2000x1500)": (2000, 1500),
    "4K (3840x2160)": (3840, 2160),
    "12 MP photo (4000x3000)": (4000, 3000),
}
DAY = 24 * 3600


def photo(width: int, height: int, seed: int) -> bytes:
    """A photo-like JPEG: smooth gradients plus a little noise (compresses like a photo)."""
    rng = random.Random(seed)
    gradient = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 18 + rng.random())
    image = Image.merge("RGB", (gradient, noise, gradient.transpose(Image.Transpose.ROTATE_180)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue() + rng.randbytes(8)  # a trailer Pillow ignores: unique bytes


def sign_in(client: httpx.Client) -> str:
    page = client.get("/login").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert token, "the sign-in page has a CSRF token"
    client.post(
        "/login",
        data={
            "csrf_token": token[1],
            "email": "demo@chalkboard.example",
            "password": "pints-and-pixels",
        },
    )
    page = client.get(f"/v/{SLUG}/media").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert token, "signed in"
    return token[1]


def upload(client: httpx.Client, csrf: str, data: bytes, name: str) -> dict[str, object]:
    response = client.post(
        f"/api/v1/venues/{SLUG}/images",
        files={"file": (name, data, "image/jpeg")},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 201, response.text
    image: dict[str, object] = response.json()
    return image


def latencies(client: httpx.Client, csrf: str, repeat: int) -> list[dict[str, object]]:
    rows = []
    for label, (width, height) in SIZES.items():
        times, stored = [], 0
        files = [photo(width, height, seed) for seed in range(repeat)]
        for n, data in enumerate(files):
            started = time.perf_counter()
            image = upload(client, csrf, data, f"{label}-{n}.jpg")
            served = client.get(str(image["url"]))
            assert served.status_code == 200
            times.append((time.perf_counter() - started) * 1000)
            stored = int(str(image["stored_bytes"]))
        times.sort()
        rows.append(
            {
                "size": label,
                "upload_kb": round(len(files[0]) / 1024),
                "variants_kb": round(stored / 1024),
                "p50_ms": round(statistics.median(times), 1),
                "max_ms": round(times[-1], 1),
                "uploads": repeat,
            }
        )
    return rows


@dataclass(frozen=True)
class Asset:
    url: str
    bytes: int
    cache_control: str


def board_assets(client: httpx.Client, csrf: str) -> tuple[list[Asset], list[dict[str, object]]]:
    """Images on the demo board (every beverage's ~480 px image), a logo, a background; and
    the beverage images as the API describes them."""
    menus = client.get(f"/api/v1/venues/{SLUG}/menus").json()["menus"]
    board = client.get(f"/api/v1/venues/{SLUG}/menus/{menus[0]['id']}").json()
    urls = []
    images = []
    beverages = [e["beverage"]["id"] for s in board["sections"] for e in s["entries"]]
    for n, beverage_id in enumerate(beverages):
        image = upload(client, csrf, photo(1200, 900, 1000 + n), f"beverage-{n}.jpg")
        images.append(image)
        client.put(
            f"/api/v1/venues/{SLUG}/beverages/{beverage_id}/image",
            json={"image_id": image["id"]},
            headers={"X-CSRF-Token": csrf},
        )
        urls.append(str(image["url"]))
    logo = upload(client, csrf, photo(600, 300, 2000), "logo.jpg")
    urls.append(str(logo["url"]))
    background = upload(client, csrf, photo(3840, 2160, 3000), "background.jpg")
    variants = background["variants"]
    assert isinstance(variants, list)
    urls.append(str(variants[-1]["url"]))
    assets = []
    for url in urls:
        served = client.get(url)
        assets.append(Asset(url, len(served.content), served.headers.get("cache-control", "")))
    return assets, images


VIEW_WIDTHS = {"embed at 1x (160 px)": 160, "phone at 3x (480 px)": 480}
# What a browser can show: it takes the first <source> of a type it knows, else the <img>.
FORMATS = {
    "JPEG only (before)": set(),
    "WebP browser": {"image/webp"},
    "AVIF+WebP browser": {"image/avif", "image/webp"},
}


def view_bytes(client: httpx.Client, images: list[dict[str, object]]) -> dict[str, dict[str, int]]:
    """Bytes one view of the board's beverage images downloads, by screen and by what the
    browser can show, as served."""
    table: dict[str, dict[str, int]] = {}
    for screen, width in VIEW_WIDTHS.items():
        row = {}
        for name, shows in FORMATS.items():
            total = 0
            for image in images:
                variants = image["variants"]
                assert isinstance(variants, list)
                chosen = next((v for v in variants if v["width"] >= width), variants[-1])
                shown = [a for a in chosen["alternates"] if a["content_type"] in shows]
                url = shown[0]["url"] if shown else chosen["url"]
                total += len(client.get(url).content)
            row[name] = total
        table[screen] = row
    return table


def max_age(cache_control: str) -> float:
    """Seconds a shared cache may serve a copy without asking the origin (0: always ask)."""
    directives = [d.strip().lower() for d in cache_control.split(",")]
    if "no-cache" in directives or "no-store" in directives or "private" in directives:
        return 0
    for directive in directives:
        if directive.startswith(("s-maxage=", "max-age=")):
            return float(directive.split("=", 1)[1])
    return 0


def replay(
    assets: list[Asset], cache_control: str | None, views: int, pops: int
) -> dict[str, float]:
    """VIEWS views at random times of a day, each at a random POP, each fetching every asset.
    A POP serves a fresh copy itself; otherwise it asks the origin (a full response, or a
    304 revalidation when it holds a stale copy)."""
    rng = random.Random(7)
    times = sorted(rng.uniform(0, DAY) for _ in range(views))
    fetched: dict[tuple[int, str], float] = {}  # (pop, url) -> when the copy was fetched
    requests = origin_full = origin_revalidated = 0
    origin_bytes = edge_bytes = 0
    for at in times:
        pop = rng.randrange(pops)
        for asset in assets:
            requests += 1
            edge_bytes += asset.bytes
            age_limit = max_age(cache_control if cache_control is not None else asset.cache_control)
            got = fetched.get((pop, asset.url))
            if got is not None and at - got < age_limit:
                continue
            if got is None:
                origin_full += 1
                origin_bytes += asset.bytes
            else:
                origin_revalidated += 1  # a conditional GET: 304, no body
            fetched[(pop, asset.url)] = at
    origin = origin_full + origin_revalidated
    return {
        "requests": requests,
        "origin_requests": origin,
        "origin_full": origin_full,
        "origin_revalidated": origin_revalidated,
        "cdn_share": round(1 - origin / requests, 4),
        "origin_mib": round(origin_bytes / 2**20, 1),
        "served_mib": round(edge_bytes / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", type=int, default=10_000)
    parser.add_argument("--pops", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with (
        demo_server("chalkboard-bench-media-") as base,
        httpx.Client(base_url=base, follow_redirects=True, timeout=120) as client,
    ):
        csrf = sign_in(client)
        rows = latencies(client, csrf, args.repeat)
        assets, images = board_assets(client, csrf)
        per_view = view_bytes(client, images)

    print(f"\nUpload to URL (local store, {args.repeat} uploads each, 2-core sandbox)")
    print(f"{'image':<26} {'upload KB':>10} {'variants KB':>12} {'p50 ms':>8} {'max ms':>8}")
    for row in rows:
        print(
            f"{row['size']:<26} {row['upload_kb']:>10} {row['variants_kb']:>12} "
            f"{row['p50_ms']:>8} {row['max_ms']:>8}"
        )
    print(f"\nBytes per board view: {len(images)} beverage images, as served")
    print(f"{'screen':<24}" + "".join(f"{name:>20}" for name in FORMATS))
    for screen, row in per_view.items():
        before = row["JPEG only (before)"]
        cells = [f"{before / 1024:>17.1f} KB"] + [
            f"{row[name] / 1024:>8.1f} KB ({row[name] / before - 1:+.0%})"
            for name in list(FORMATS)[1:]
        ]
        print(f"{screen:<24}" + "".join(f"{cell:>20}" for cell in cells))
    policies = {
        "immutable (as served)": None,
        "max-age=300 (mutable URLs)": "public, max-age=300",
        "no-cache (origin every view)": "no-cache",
    }
    cdn = {name: replay(assets, header, args.views, args.pops) for name, header in policies.items()}
    straight = cdn["immutable (as served)"]["requests"]
    served_mib = cdn["immutable (as served)"]["served_mib"]
    cdn["no CDN (every view from S3)"] = {
        "requests": straight,
        "origin_requests": straight,
        "origin_full": straight,
        "origin_revalidated": 0,
        "cdn_share": 0.0,
        "origin_mib": served_mib,
        "served_mib": served_mib,
    }
    served = {a.cache_control for a in assets}
    print(
        f"\nCDN model: {args.views} views in a day over {args.pops} POPs, "
        f"{len(assets)} images a view ({sum(a.bytes for a in assets) / 1024:.0f} KB); "
        f"served with {sorted(served)}"
    )
    print(f"{'policy':<30} {'requests':>9} {'origin':>8} {'CDN share':>10} {'origin MiB':>11}")
    for name, result in cdn.items():
        print(
            f"{name:<30} {result['requests']:>9} {result['origin_requests']:>8} "
            f"{result['cdn_share']:>10.2%} {result['origin_mib']:>11}"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "upload_to_url": rows,
                "board_view_bytes": per_view,
                "cdn": {
                    "views": args.views,
                    "pops": args.pops,
                    "images_per_view": len(assets),
                    "bytes_per_view": sum(a.bytes for a in assets),
                    "served_cache_control": sorted(served),
                    "policies": cdn,
                },
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nwrote {RESULTS}")


if __name__ == "__main__":
    main()
