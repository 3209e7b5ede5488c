"""The venue's logo, chosen on the venue settings page: TVs, the phone page and the public JSON
show it at once; removing it takes it off; a bad choice changes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import asyncpg
import httpx

from tests.conftest import Browser, answer
from tests.test_displays import listening, new_menu, paired
from tests.test_media import jpeg
from tests.test_menu_api import api_client, new_token

SETTINGS = {
    "name": "The Crown",
    "timezone": "Europe/London",
    "currency": "GBP",
    "volume_unit": "ml",
}


async def public_json(anyone: httpx.AsyncClient, public_id: str, logo: object) -> httpx.Response:
    """The public JSON once its venue logo is `logo` (a process re-reads within a second)."""
    for _ in range(40):
        found = await anyone.get(f"/api/v1/public/menus/{public_id}")
        if found.json()["venue"]["logo"] == logo:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"the public JSON never showed logo {logo!r}: {found.text[:300]}")


async def test_the_logo_is_chosen_shown_everywhere_and_removed(
    owner: tuple[Browser, str],
    new_browser: Callable[[], Browser],
    db: asyncpg.Pool,
    database_url: str,
) -> None:
    """Saving a logo on the settings page stores it, tells the TVs, gives each menu a version
    named in History, and the phone page and public JSON show it (a new ETag); "No image"
    removes it the same way."""
    boss, slug = owner
    menu_id = await new_menu(boss, slug)
    display_id = await paired(boss, slug, db, menu_id)
    async with api_client(boss, slug, await new_token(boss, slug, "write")) as api:
        uploaded = await api.post("images", files={"file": ("crown.jpg", jpeg(), "image/jpeg")})
        assert uploaded.status_code == 201, uploaded.text
    image = uploaded.json()
    public_id = await db.fetchval("SELECT public_id FROM menus WHERE id = $1", menu_id)
    anyone = new_browser()
    before = await public_json(anyone, public_id, None)

    page = await boss.page(f"/v/{slug}/settings")
    assert "No logo yet" in page.text
    assert f'<option value="{image["id"]}">' in page.text, "the picker lists the images"
    version = await db.fetchval("SELECT version FROM menus WHERE id = $1", menu_id)
    async with listening(database_url, "display_changed") as heard:
        saved = await boss.submit(
            f"/v/{slug}/settings", {**SETTINGS, "logo_image_id": str(image["id"])}
        )
        assert answer(saved) == f"303 /v/{slug}/settings?saved=1"
        assert await asyncio.wait_for(heard.get(), 5) == f"{display_id}:updated", "TVs are told"
    logo_id = await db.fetchval("SELECT logo_image_id FROM venues WHERE slug = $1", slug)
    assert logo_id == image["id"]
    summaries = await db.fetch(
        "SELECT summary FROM menu_revisions WHERE menu_id = $1 AND version > $2", menu_id, version
    )
    assert "Changed the venue's logo" in [r["summary"] for r in summaries]

    page = await boss.page(f"/v/{slug}/settings?saved=1")
    assert 'class="logo-preview"' in page.text
    assert f'<option value="{image["id"]}" selected>' in page.text
    shown = await public_json(anyone, public_id, image["url"])
    assert shown.headers["etag"] != before.headers["etag"]
    phone = await anyone.get(f"/m/{public_id}")
    assert f'<img class="logo" src="{image["url"]}"' in phone.text

    removed = await boss.submit(f"/v/{slug}/settings", {**SETTINGS, "logo_image_id": ""})
    assert answer(removed) == f"303 /v/{slug}/settings?saved=1"
    assert await db.fetchval("SELECT logo_image_id FROM venues WHERE slug = $1", slug) is None
    await public_json(anyone, public_id, None)
    assert 'class="logo"' not in (await anyone.get(f"/m/{public_id}")).text
    latest = await db.fetchval(
        "SELECT summary FROM menu_revisions WHERE menu_id = $1 ORDER BY version DESC LIMIT 1",
        menu_id,
    )
    assert latest == "Removed the venue's logo"


async def test_another_venues_image_or_a_made_up_id_is_refused_and_changes_nothing(
    owner: tuple[Browser, str], new_browser: Callable[[], Browser], db: asyncpg.Pool
) -> None:
    """Another venue's image id or a made-up one comes back to the page with a message on the
    logo field (the same for both); nothing is saved, not even the rest of the form."""
    boss, slug = owner
    other = new_browser()
    await other.sign_up()
    other_slug = await other.create_venue()
    async with api_client(other, other_slug, await new_token(other, other_slug, "write")) as api:
        theirs = (await api.post("images", files={"file": ("x.jpg", jpeg(), "image/jpeg")})).json()
    await boss.page(f"/v/{slug}/settings")
    for chosen in (str(theirs["id"]), "999999999", "abc"):
        refused = await boss.submit(
            f"/v/{slug}/settings", {**SETTINGS, "name": "Renamed", "logo_image_id": chosen}
        )
        assert answer(refused) == f"303 /v/{slug}/settings"
        page = await boss.follow(refused)
        assert "Choose one of your images" in page.text
        assert 'value="Renamed"' in page.text, "what was typed stays"
    row = await db.fetchrow("SELECT name, logo_image_id FROM venues WHERE slug = $1", slug)
    assert row["name"] != "Renamed"
    assert row["logo_image_id"] is None
