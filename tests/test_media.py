"""Images: upload, validation, re-encoding, the local store, quotas, use and deletion."""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from PIL import Image, features

from chalkboard.displays.queries import Display
from chalkboard.live import protocol
from chalkboard.media import images
from chalkboard.settings import Settings, SettingsError
from tests import test_menu_api
from tests.conftest import Browser, RunningServer, start_server
from tests.test_displays import paired
from tests.test_menu_api import Venue, make_menu, new_token

venue = test_menu_api.venue  # the fixture: a fresh venue with a write token
MAX_PIXELS = 40_000_000


# --- files ---------------------------------------------------------------------------------


def jpeg(width: int = 640, height: int = 480, **options: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (180, 40, 40)).save(out, "JPEG", **options)
    return out.getvalue()


def png(width: int = 300, height: int = 200, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.effect_noise((width, height), 40).convert(mode).save(out, "PNG")
    return out.getvalue()


def pixel_bomb() -> bytes:
    """20000 x 20000 (400 megapixels) of one colour: about 50 KB of PNG."""
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")
    return out.getvalue()


def rotated_photo() -> bytes:
    """A 400x200 JPEG, red left half, blue right, tagged "rotate 90° to show" and with GPS."""
    image = Image.new("RGB", (400, 200), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 200, 200))
    exif = image.getexif()
    exif[0x0112] = 6  # orientation: the camera was turned; rotate 90° clockwise to show
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 12.0), 3: "W", 4: (0.0, 7.0, 39.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=95)
    return out.getvalue()


def files(name: str, data: bytes, content_type: str = "image/png") -> dict[str, Any]:
    return {"file": (name, data, content_type)}


ATTACKS = {
    "html renamed .png": (b"<!doctype html><html><body><script>alert(1)</script>", "image/png"),
    "php renamed .png": (b"<?php system($_GET['c']); ?>", "image/png"),
    "js renamed .png": (b"fetch('/api').then(r => r.text()).then(alert)\n" * 20, "image/png"),
    "jpeg/html polyglot": (
        jpeg(64, 64) + b"<html><script>alert(document.cookie)</script>",
        "image/jpeg",
    ),
    "jpeg with html comment": (jpeg(64, 64, comment=b"<script>alert(1)</script>"), "image/jpeg"),
    "svg with script": (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
        b"<script>alert(1)</script><rect width='10' height='10'/></svg>",
        "image/svg+xml",
    ),
    "pixel bomb": (pixel_bomb(), "image/png"),
    "truncated png": (png(400, 300)[:4000], "image/png"),
    "zero bytes": (b"", "image/png"),
    "text file": (b"name,abv\nStout,5.0\n", "text/csv"),
}


# --- helpers -------------------------------------------------------------------------------


@pytest.fixture
def media_dir(live: RunningServer) -> Path:
    return live.settings.data_dir / "media"


def stored_files(directory: Path) -> set[Path]:
    return {p for p in directory.rglob("*") if p.is_file()} if directory.exists() else set()


async def image_rows(db: asyncpg.Pool, venue_id: int) -> int:
    count: int = await db.fetchval("SELECT count(*) FROM images WHERE venue_id = $1", venue_id)
    return count


async def upload(api: httpx.AsyncClient, data: bytes, name: str = "photo.jpg") -> httpx.Response:
    return await api.post("images", files=files(name, data, "image/jpeg"))


# --- uploads -------------------------------------------------------------------------------


async def test_an_upload_is_stored_as_immutable_width_variants_served_at_its_url(
    venue: Venue, live: RunningServer, media_dir: Path, db: asyncpg.Pool
) -> None:
    """201 with variants 160…1920 px (none wider than the upload), each served immutable."""
    response = await upload(venue.api, jpeg(2000, 1000), "../../etc/passwd.jpg")
    assert response.status_code == 201, response.text
    image = response.json()
    assert image["format"] == "jpeg"
    assert (image["width"], image["height"]) == (2000, 1000)
    assert image["name"] == "passwd.jpg"
    assert [v["width"] for v in image["variants"]] == [160, 480, 960, 1920, 2000]
    assert image["url"] == image["variants"][1]["url"]
    assert image["srcset"].startswith(f"{image['variants'][0]['url']} 160w, ")
    assert response.headers["location"].endswith(f"/images/{image['id']}")
    async with httpx.AsyncClient(base_url=live.url) as anonymous:
        for variant in image["variants"]:
            key = variant["url"].removeprefix("/")
            assert re.fullmatch(rf"media/{venue.id}/[0-9a-f]{{64}}-{variant['width']}\.jpg", key), (
                key
            )
            served = await anonymous.get(variant["url"])
            assert served.status_code == 200
            assert served.headers["content-type"] == "image/jpeg"
            assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
            assert served.headers["x-content-type-options"] == "nosniff"
            # Content-addressed: the key names the bytes' own hash.
            assert hashlib.sha256(served.content).hexdigest() in key
            assert Image.open(io.BytesIO(served.content)).size == (
                variant["width"],
                variant["height"],
            )
            assert (media_dir / key.removeprefix("media/")).is_file()
        missing = await anonymous.get(f"/media/{venue.id}/{'0' * 64}-160.jpg")
        assert missing.status_code == 404
        assert (await anonymous.get("/media/../../pyproject.toml")).status_code == 404
    assert await db.fetchval("SELECT stored_bytes FROM images WHERE id = $1", image["id"]) == sum(
        v["bytes"] + sum(a["bytes"] for a in v["alternates"]) for v in image["variants"]
    )


async def test_the_widths_pages_draw_get_smaller_avif_and_webp_alternates(
    venue: Venue, live: RunningServer
) -> None:
    """Variants up to 960 px also come as AVIF and WebP where smaller, each smaller than
    the next (a browser takes the first it can show), served as its type."""
    response = await upload(venue.api, jpeg(2000, 1000, quality=95))
    assert response.status_code == 201, response.text
    variants = response.json()["variants"]
    modern = ["image/avif", "image/webp"] if features.check("avif") else ["image/webp"]
    async with httpx.AsyncClient(base_url=live.url) as anonymous:
        for variant in variants:
            alternates = variant["alternates"]
            if variant["width"] > 960:
                assert alternates == [], variant["width"]
                continue
            kinds = [a["content_type"] for a in alternates]
            assert kinds, variant["width"]
            assert kinds == [kind for kind in modern if kind in kinds]  # best first
            sizes = [a["bytes"] for a in alternates] + [variant["bytes"]]
            assert sizes == sorted(set(sizes)), sizes  # each strictly smaller than the next
            for alternate in alternates:
                served = await anonymous.get(alternate["url"])
                assert served.status_code == 200
                assert served.headers["content-type"] == alternate["content_type"]
                assert len(served.content) == alternate["bytes"]
                decoded = Image.open(io.BytesIO(served.content))
                assert decoded.size == (variant["width"], variant["height"])


async def test_the_same_file_twice_is_one_image(venue: Venue, db: asyncpg.Pool) -> None:
    """Uploading identical bytes again answers the image already in the library."""
    data = png(500, 400)
    first = (await venue.api.post("images", files=files("a.png", data))).json()
    second = (await venue.api.post("images", files=files("b.png", data))).json()
    assert first["id"] == second["id"]
    assert await image_rows(db, venue.id) == 1
    listing = (await venue.api.get("images")).json()
    assert [i["id"] for i in listing["images"]] == [first["id"]]
    assert listing["stored_bytes"] == first["stored_bytes"]


async def test_a_photo_comes_back_upright_with_no_exif(venue: Venue, live: RunningServer) -> None:
    """A JPEG with GPS EXIF and orientation 6 is turned upright and stripped of all metadata."""
    response = await upload(venue.api, rotated_photo())
    assert response.status_code == 201, response.text
    image = response.json()
    assert (image["width"], image["height"]) == (200, 400)
    async with httpx.AsyncClient(base_url=live.url) as anonymous:
        for variant in image["variants"]:
            served = Image.open(io.BytesIO((await anonymous.get(variant["url"])).content))
            assert served.height == 2 * served.width
            assert dict(served.getexif()) == {}
            assert "exif" not in served.info
            assert "icc_profile" not in served.info
            # The red half, on the left as taken, is on top once turned upright.
            red, _, blue = served.getpixel((served.width // 2, served.height // 8))
            assert (red > 200, blue < 60) == (True, True)
            red, _, blue = served.getpixel((served.width // 2, served.height * 7 // 8))
            assert (blue > 200, red < 60) == (True, True)


async def test_transparent_pngs_stay_png_and_gif_keeps_its_first_frame(venue: Venue) -> None:
    """A logo with transparency stays PNG (with alpha); an animated GIF becomes a still."""
    logo = (await venue.api.post("images", files=files("logo.png", png(300, 120, "RGBA")))).json()
    assert logo["format"] == "png"
    assert {v["content_type"] for v in logo["variants"]} == {"image/jpeg"}  # noise: opaque
    out = io.BytesIO()
    clear = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    clear.paste((10, 200, 10, 255), (0, 0, 150, 120))
    clear.save(out, "PNG")
    see_through = (await venue.api.post("images", files=files("logo.png", out.getvalue()))).json()
    assert {v["content_type"] for v in see_through["variants"]} == {"image/png"}
    out = io.BytesIO()
    frames = [Image.new("P", (120, 80), colour) for colour in (3, 90, 200)]
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    gif = await venue.api.post("images", files=files("dance.gif", out.getvalue(), "image/gif"))
    assert gif.status_code == 201, gif.text
    assert gif.json()["format"] == "gif"
    out = io.BytesIO()
    Image.new("RGB", (800, 600)).save(out, "WEBP")
    webp = await venue.api.post("images", files=files("a.webp", out.getvalue(), "image/webp"))
    assert webp.status_code == 201
    assert webp.json()["format"] == "webp"


@pytest.mark.parametrize("attack", ATTACKS)
async def test_the_attack_corpus_is_refused_and_nothing_is_stored(
    attack: str, venue: Venue, media_dir: Path, db: asyncpg.Pool
) -> None:
    """Each file is a 4xx with a message; no row and no object is written."""
    data, content_type = ATTACKS[attack]
    before = stored_files(media_dir)
    response = await venue.api.post("images", files=files("innocent.png", data, content_type))
    assert 400 <= response.status_code < 500, response.text
    assert response.status_code in (413, 415, 422)
    assert response.json()["error"]["message"]
    assert await image_rows(db, venue.id) == 0
    assert stored_files(media_dir) == before


async def test_the_refusals_say_what_to_do(venue: Venue) -> None:
    """SVG, a bomb, a damaged file and an empty one each get their own clear message."""
    messages = {}
    for name in (
        "svg with script",
        "pixel bomb",
        "truncated png",
        "zero bytes",
        "php renamed .png",
    ):
        data, content_type = ATTACKS[name]
        response = await venue.api.post("images", files=files("x", data, content_type))
        messages[name] = (response.status_code, response.json()["error"]["message"])
    assert messages["svg with script"][0] == 415
    assert "SVG" in messages["svg with script"][1]
    assert messages["pixel bomb"] == (422, messages["pixel bomb"][1])
    assert "megapixels" in messages["pixel bomb"][1]
    assert "damaged or incomplete" in messages["truncated png"][1]
    assert "empty" in messages["zero bytes"][1]
    assert "web page code" in messages["php renamed .png"][1]


async def test_oversized_uploads_are_413_with_or_without_content_length(
    venue: Venue, live: RunningServer, media_dir: Path, db: asyncpg.Pool
) -> None:
    """Past MEDIA_MAX_UPLOAD_BYTES: 413 whether Content-Length says so or the body is chunked."""
    before = stored_files(media_dir)
    cap = live.settings.media_max_upload_bytes
    big = jpeg(64, 64) + b"\0" * cap
    declared = await venue.api.post("images", files=files("big.jpg", big, "image/jpeg"))
    assert declared.status_code == 413
    assert "too large" in declared.json()["error"]["message"]

    boundary = "chalkboardboundary"

    async def chunked() -> AsyncIterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="b.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        for _ in range(cap // (1024 * 1024) + 2):
            yield b"\xff" * (1024 * 1024)
        yield f"\r\n--{boundary}--\r\n".encode()

    try:
        response = await venue.api.post(
            "images",
            content=chunked(),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        assert response.status_code == 413
        assert "content-length" not in response.request.headers
    except httpx.WriteError:
        pass  # the server answered 413 and closed while the body was still being sent
    assert await image_rows(db, venue.id) == 0
    assert stored_files(media_dir) == before


async def test_a_slow_upload_holds_no_database_connection(venue: Venue, db: asyncpg.Pool) -> None:
    """While an upload's body trickles in (a phone on the bar's Wi-Fi), no transaction is
    open for it: the pool serves everyone else, and the idle-in-transaction timeout cannot
    kill the upload. It is stored once the body is in."""
    boundary = "chalkboardboundary"
    halfway, resume = asyncio.Event(), asyncio.Event()
    photo = jpeg(320, 240)

    async def trickle() -> AsyncIterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="s.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode() + photo[:1000]
        halfway.set()
        await resume.wait()
        yield photo[1000:] + f"\r\n--{boundary}--\r\n".encode()

    sending = asyncio.create_task(
        venue.api.post(
            "images",
            content=trickle(),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
    )
    await halfway.wait()
    await asyncio.sleep(0.3)  # the server has the first part and waits for the rest
    open_transactions = await db.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
    )
    resume.set()
    response = await sending
    assert open_transactions == 0
    assert response.status_code == 201, response.text
    assert await image_rows(db, venue.id) == 1


async def test_not_multipart_or_no_file_is_400(venue: Venue) -> None:
    """A raw body or a form without `file` is a 400 that says how to send an image."""
    raw = await venue.api.post("images", content=jpeg(), headers={"Content-Type": "image/jpeg"})
    assert raw.status_code == 400
    assert "multipart/form-data" in raw.json()["error"]["message"]
    fieldless = await venue.api.post("images", data={"name": "x"}, files={"other": ("a", b"x")})
    assert fieldless.status_code == 400


async def test_another_venues_token_cannot_upload_or_see_images(
    venue: Venue, new_browser: Callable[[], Browser], db: asyncpg.Pool
) -> None:
    """Venue B's token on venue A's routes: 404, and nothing is stored for either venue."""
    image = (await upload(venue.api, jpeg())).json()
    other = new_browser()
    await other.sign_up()
    other_slug = await other.create_venue()
    token = await new_token(other, other_slug, "write")
    headers = {"Authorization": f"Bearer {token}"}
    base = f"/api/v1/venues/{venue.slug}"
    async with httpx.AsyncClient(base_url=str(other.base_url), headers=headers) as intruder:
        upload_as_b = await intruder.post(f"{base}/images", files=files("a.jpg", png()))
        assert upload_as_b.status_code == 404
        assert (await intruder.get(f"{base}/images/{image['id']}")).status_code == 404
        assert (await intruder.delete(f"{base}/images/{image['id']}")).status_code == 404
        own = f"/api/v1/venues/{other_slug}"
        assert (await intruder.get(f"{own}/images/{image['id']}")).status_code == 404
        assert (await intruder.delete(f"{own}/images/{image['id']}")).status_code == 404
    assert await image_rows(db, venue.id) == 1
    other_id = await db.fetchval("SELECT id FROM venues WHERE slug = $1", other_slug)
    assert await image_rows(db, other_id) == 0


async def test_a_read_token_cannot_upload(venue: Venue) -> None:
    """Uploading is a change: a read-only token gets 403."""
    async with await venue.client("read") as reader:
        assert (await upload(reader, jpeg())).status_code == 403
        assert (await reader.get("images")).status_code == 200


async def test_the_editor_uploads_with_its_session_and_csrf_header(
    owner: tuple[Browser, str],
) -> None:
    """The page's session uploads with X-CSRF-Token; without it the upload is refused."""
    boss, slug = owner
    page = await boss.page(f"/v/{slug}/media")
    assert page.status_code == 200
    assert 'data-upload="/api/v1/venues/' in page.text
    path = f"/api/v1/venues/{slug}/images"
    refused = await boss.post(path, files=files("a.jpg", jpeg()))
    assert refused.status_code == 403
    assert (await boss.get(f"/api/v1/venues/{slug}/images")).json()["images"] == []
    accepted = await boss.post(
        path, files=files("a.jpg", jpeg()), headers={"X-CSRF-Token": boss.csrf_token}
    )
    assert accepted.status_code == 201, accepted.text
    listing = await boss.page(f"/v/{slug}/media")
    assert f'id="image-{accepted.json()["id"]}"' in listing.text


# --- quota -----------------------------------------------------------------------------------


@pytest.fixture
async def small_quota(settings: Settings, tmp_path: Path) -> AsyncIterator[RunningServer]:
    """A second server whose venues may store 200 KB of images."""
    limited = replace(settings, media_quota_bytes=200_000, data_dir=tmp_path)
    server, task, running = await start_server(limited)
    yield running
    server.should_exit = True
    await task


async def test_the_venue_quota_refuses_an_upload_with_a_clear_message(
    small_quota: RunningServer, new_browser: Any, db: asyncpg.Pool
) -> None:
    """Past MEDIA_QUOTA_BYTES the upload is a 409 that says how much is used; nothing stored."""
    boss = Browser(base_url=small_quota.url, follow_redirects=False, timeout=30)
    async with boss:
        await boss.sign_up()
        slug = await boss.create_venue()
        headers = {"X-CSRF-Token": boss.csrf_token}
        path = f"/api/v1/venues/{slug}/images"
        first = await boss.post(path, files=files("a.png", png(200, 150)), headers=headers)
        assert first.status_code == 201, first.text
        assert first.json()["stored_bytes"] < 200_000
        second = await boss.post(path, files=files("b.png", png(1200, 900)), headers=headers)
        assert second.status_code == 409
        assert "storage is full" in second.json()["error"]["message"]
        venue_id = await db.fetchval("SELECT id FROM venues WHERE slug = $1", slug)
        assert await image_rows(db, venue_id) == 1
        variants = first.json()["variants"]
        assert len(stored_files(small_quota.settings.data_dir / "media")) == len(variants) + sum(
            len(v["alternates"]) for v in variants
        )


# --- use and deletion ------------------------------------------------------------------------


async def test_a_beverage_image_goes_on_the_board_and_bumps_its_menus(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """PUT …/beverages/{id}/image: the menus listing it get a version whose board has the image."""
    menu = await make_menu(venue.api)
    image = (await upload(venue.api, jpeg(1200, 800))).json()
    beverage_id = menu.beverage_ids[0]
    response = await venue.api.put(f"beverages/{beverage_id}/image", json={"image_id": image["id"]})
    assert response.status_code == 200, response.text
    assert response.json()["image_id"] == image["id"]
    board = (await venue.api.get(f"menus/{menu.id}")).json()
    assert board["menu"]["version"] == menu.version + 1
    shown = board["sections"][0]["entries"][0]["beverage"]["image"]
    assert shown == {
        "url": image["variants"][1]["url"],
        "srcset": ", ".join(f"{v['url']} {v['width']}w" for v in image["variants"]),
        "width": 480,
        "height": 320,
        "sources": [
            {
                "type": kind,
                "srcset": ", ".join(
                    f"{a['url']} {v['width']}w"
                    for v in image["variants"]
                    for a in v["alternates"]
                    if a["content_type"] == kind
                ),
            }
            for kind in ("image/avif", "image/webp")
            if any(a["content_type"] == kind for v in image["variants"] for a in v["alternates"])
        ],
    }
    summary = await db.fetchval(
        "SELECT summary FROM menu_revisions WHERE menu_id = $1 ORDER BY version DESC LIMIT 1",
        menu.id,
    )
    assert summary == "New image for Landlord"
    cleared = await venue.api.put(f"beverages/{beverage_id}/image", json={"image_id": None})
    assert cleared.json()["image_id"] is None
    board = (await venue.api.get(f"menus/{menu.id}")).json()
    assert board["sections"][0]["entries"][0]["beverage"]["image"] is None
    unknown = await venue.api.put(f"beverages/{beverage_id}/image", json={"image_id": 2**62})
    assert unknown.status_code == 404


async def test_deleting_an_image_in_use_says_where_it_is_used(
    venue: Venue, db: asyncpg.Pool, media_dir: Path
) -> None:
    """In use by a beverage, a TV's theme and the venue logo: 409 naming each; then 204."""
    menu = await make_menu(venue.api)
    image = (await upload(venue.api, jpeg(900, 600))).json()
    boss, slug = venue.owner, venue.slug
    await venue.api.put(f"beverages/{menu.beverage_ids[0]}/image", json={"image_id": image["id"]})
    display_id = await paired(boss, slug, db, menu.id)
    saved = await boss.submit(
        f"/v/{slug}/displays/{display_id}/images",
        {"background_image_id": str(image["id"]), "logo_image_id": ""},
    )
    assert saved.status_code == 303
    logo = await boss.submit(f"/v/{slug}/logo", {"image_id": str(image["id"])})
    assert logo.status_code == 303

    refused = await venue.api.delete(f"images/{image['id']}")
    assert refused.status_code == 409
    message = refused.json()["error"]["message"]
    assert "Landlord" in message
    assert "Bar" in message  # the TV
    assert "logo" in message
    page = await boss.submit(f"/v/{slug}/media/{image['id']}/delete")
    assert page.status_code == 409
    assert "Landlord" in page.text

    await venue.api.put(f"beverages/{menu.beverage_ids[0]}/image", json={"image_id": None})
    await boss.submit(
        f"/v/{slug}/displays/{display_id}/images",
        {"background_image_id": "", "logo_image_id": ""},
    )
    await boss.submit(f"/v/{slug}/logo", {"image_id": ""})
    assert (await venue.api.delete(f"images/{image['id']}")).status_code == 204
    assert await image_rows(db, venue.id) == 0
    for variant in image["variants"]:
        assert not (media_dir / variant["url"].removeprefix("/media/")).exists()


async def test_a_display_theme_and_message_carry_the_chosen_images(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """The TV's background is the widest variant, its logo the ~480 px one (or the venue's)."""
    boss, slug = venue.owner, venue.slug
    background = (await upload(venue.api, jpeg(2400, 1350))).json()
    logo = (await upload(venue.api, png(600, 300))).json()
    display_id = await paired(boss, slug, db)
    await boss.submit(
        f"/v/{slug}/displays/{display_id}/images",
        {"background_image_id": str(background["id"]), "logo_image_id": str(logo["id"])},
    )
    theme = await db.fetchval("SELECT theme FROM displays WHERE id = $1", display_id)
    assert theme["background_image"] == background["variants"][-1]["url"]
    assert theme["logo_image"] == logo["variants"][1]["url"]
    page = await boss.page(f"/v/{slug}/displays/{display_id}")
    assert f'<option value="{background["id"]}" selected>' in page.text

    await boss.submit(f"/v/{slug}/logo", {"image_id": str(logo["id"])})
    await boss.submit(
        f"/v/{slug}/displays/{display_id}/images",
        {"background_image_id": "", "logo_image_id": ""},
    )
    async with db.acquire() as conn:
        from chalkboard.displays import queries as displays

        display = await displays.get_display(conn, venue_id=venue.id, display_id=display_id)
    assert display is not None
    assert protocol.shown(display)["images"] == {
        "logo": logo["variants"][1]["url"],
        "background": None,
    }


def test_a_display_without_images_has_no_images_in_its_message() -> None:
    """The display message names images only when there is one to show."""
    from datetime import UTC, datetime

    bare = Display(1, 1, "TV", None, "landscape", {}, True, datetime.now(UTC), None, "", "", None)
    assert "images" not in protocol.shown(bare)
    themed = replace(bare, theme={"background_image": "https://cdn.example/media/1/a-3840.jpg"})
    assert protocol.shown(themed)["images"]["background"].endswith("-3840.jpg")


async def test_the_beverage_page_sets_an_image_from_the_library(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """The beverage form picks a library image; the list shows its thumbnail."""
    menu = await make_menu(venue.api)
    image = (await upload(venue.api, jpeg(500, 500), "stout.jpg")).json()
    boss, slug = venue.owner, venue.slug
    beverage_id = menu.beverage_ids[1]
    await boss.page(f"/v/{slug}/beverages")
    saved = await boss.submit(
        f"/v/{slug}/beverages/{beverage_id}/image", {"image_id": str(image["id"])}
    )
    assert saved.status_code == 303
    assert (
        await db.fetchval("SELECT image_id FROM beverages WHERE id = $1", beverage_id)
        == image["id"]
    )
    page = await boss.page(saved.headers["location"])
    assert f'src="{image["variants"][0]["url"]}"' in page.text
    bogus = await boss.submit(f"/v/{slug}/beverages/{beverage_id}/image", {"image_id": "99999999"})
    assert bogus.status_code == 404


# --- settings and the processing module -------------------------------------------------------


def test_s3_needs_a_cdn_base_url() -> None:
    """S3_BUCKET without CDN_BASE_URL names what to set; a bad endpoint URL is named too."""
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"S3_BUCKET": "media", "S3_ENDPOINT_URL": "localhost:9000"})
    assert "CDN_BASE_URL is required with S3_BUCKET" in str(refused.value)
    assert "S3_ENDPOINT_URL must be an absolute" in str(refused.value)
    good = Settings.from_env(
        {
            "S3_BUCKET": "media",
            "CDN_BASE_URL": "https://d1.cloudfront.net/",
            "MEDIA_QUOTA_BYTES": "5",
        }
    )
    assert good.cdn_base_url == "https://d1.cloudfront.net"
    assert good.media_quota_bytes == 5


@pytest.fixture
def pillow() -> Iterator[None]:
    limit = Image.MAX_IMAGE_PIXELS
    images.configure_pillow(MAX_PIXELS)
    yield
    Image.MAX_IMAGE_PIXELS = limit


def test_widths_never_upscale() -> None:
    """Variants stop at the image's own width (and at 4K)."""
    assert images.widths_for(100) == [100]
    assert images.widths_for(480) == [160, 480]
    assert images.widths_for(1200) == [160, 480, 960, 1200]
    assert images.widths_for(8000) == [160, 480, 960, 1920, 3840]


def test_a_big_jpeg_is_decoded_at_a_reduced_scale(pillow: None) -> None:
    """A 7680-wide JPEG becomes 3840 at most, its reported size still the original."""
    processed = images.process(jpeg(7680, 4320), max_pixels=MAX_PIXELS)
    assert (processed.width, processed.height) == (7680, 4320)
    assert processed.variants[-1].width == 3840


async def test_processing_does_not_block_the_event_loop(pillow: None, venue: Venue) -> None:
    """While a 24 MP image is re-encoded, the loop keeps ticking (it runs in a thread)."""
    data = jpeg(6000, 4000)
    ticks = 0
    done = asyncio.Event()

    async def tick() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    response = await upload(venue.api, data)
    done.set()
    await ticker
    assert response.status_code == 201
    assert ticks >= 10
