"""Venues, the team, invites and switching between venues."""

from __future__ import annotations

import re
from collections.abc import Callable

import asyncpg

from tests import test_menu_api
from tests.conftest import Browser, RunningServer, answer
from tests.test_displays import paired
from tests.test_media import jpeg, stored_files
from tests.test_menu_api import Venue, api_client, make_menu, new_token
from tests.test_schedules_api import ahead, happy_hour

venue = test_menu_api.venue  # the fixture: a fresh venue with a write token

INVITE_LINK = re.compile(r'value="(http://[^"]+/invite/(inv_[^"]+))"')


def shown_timezone(page: str) -> str:
    """The time zone the venue form shows."""
    found = re.search(r'<input id="f-timezone"[^>]*value="([^"]*)"', page)
    assert found, "the form has the time zone field"
    return found[1]


async def invite(owner: Browser, slug: str, role: str = "editor") -> str:
    """Create an invite in the venue and return its path (/invite/<token>)."""
    response = await owner.submit(f"/v/{slug}/invites", {"role": role, "note": "new bartender"})
    # Redirect after POST: a reload of the page showing the link does not make another invite.
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/v/{slug}/team"
    page = await owner.page(response.headers["location"])
    found = INVITE_LINK.search(page.text)
    assert found, "the invite link is shown once after creating it"
    assert not INVITE_LINK.search((await owner.page(f"/v/{slug}/team")).text), "only once"
    return f"/invite/{found[2]}"


async def test_invited_editor_joins_and_can_work_in_the_venue(
    owner: tuple[Browser, str], new_browser: Callable[[], Browser], db: asyncpg.Pool
) -> None:
    """Sign-up -> venue -> invite -> accept: the new editor sees the venue and its team."""
    boss, slug = owner
    path = await invite(boss, slug)
    staff = new_browser()
    landing = await staff.page(path)
    assert landing.status_code == 200
    assert "Create an account to join" in landing.text
    email = await staff.sign_up()
    joined = await staff.submit(path)
    assert joined.status_code == 303
    assert joined.headers["location"] == f"/v/{slug}"
    assert (await staff.page(f"/v/{slug}")).status_code == 200
    team = await staff.page(f"/v/{slug}/team")
    assert email in team.text
    role = await db.fetchval(
        "SELECT m.role FROM memberships m JOIN users u ON u.id = m.user_id "
        "JOIN venues v ON v.id = m.venue_id WHERE u.email = $1 AND v.slug = $2",
        email,
        slug,
    )
    assert role == "editor"
    refused = await staff.submit(f"/v/{slug}/invites", {"role": "owner"})
    assert refused.status_code == 403


async def test_an_invite_works_once(
    owner: tuple[Browser, str], new_browser: Callable[[], Browser]
) -> None:
    """The second person to use a link is told it was already used."""
    boss, slug = owner
    path = await invite(boss, slug)
    first, second = new_browser(), new_browser()
    await first.sign_up()
    await second.sign_up()
    assert (await first.submit(path)).status_code == 303
    again = await second.submit(path)
    assert again.status_code == 410
    assert "already been used" in again.text
    assert (await second.get(f"/v/{slug}")).status_code == 404


async def test_expired_withdrawn_and_unknown_invites_explain_themselves(
    owner: tuple[Browser, str], browser: Browser, db: asyncpg.Pool
) -> None:
    """Expired -> 410 "expired", withdrawn -> 410 "withdrawn", made-up -> 404."""
    boss, slug = owner
    expired = await invite(boss, slug)
    await db.execute(
        "UPDATE invites SET expires_at = now() - interval '1 hour' WHERE token_hash = sha256($1)",
        expired.removeprefix("/invite/").encode(),
    )
    response = await browser.page(expired)
    assert response.status_code == 410
    assert "expired" in response.text

    withdrawn = await invite(boss, slug)
    invite_id = await db.fetchval(
        "SELECT id FROM invites WHERE token_hash = sha256($1)",
        withdrawn.removeprefix("/invite/").encode(),
    )
    assert (await boss.submit(f"/v/{slug}/invites/{invite_id}/revoke")).status_code == 303
    response = await browser.page(withdrawn)
    assert response.status_code == 410
    assert "withdrawn" in response.text

    response = await browser.page("/invite/inv_made-up")
    assert response.status_code == 404
    assert "not valid" in response.text


async def test_venue_form_validates_every_field_and_writes_nothing(
    browser: Browser, db: asyncpg.Pool
) -> None:
    """Bad slug, time zone, currency, unit or name: 303 back to the form (redirect after
    POST), which shows the field's message and what was typed; no venue."""
    await browser.sign_up()
    good = {
        "name": "Good",
        "slug": "validation-check",
        "timezone": "Europe/London",
        "currency": "GBP",
        "volume_unit": "ml",
    }
    cases = [
        ({"slug": "Bad Slug!"}, "lowercase letters, digits and hyphens"),
        ({"slug": "-edge-"}, "lowercase letters, digits and hyphens"),
        ({"timezone": "Mars/Olympus"}, "Choose a time zone"),
        ({"currency": "DOGE"}, "three-letter currency code"),
        ({"volume_unit": "pints"}, "Choose one of"),
        ({"name": "x" * 101}, "at most 100 characters"),
        ({"name": "   "}, "This field is required"),
        ({"name": "Null\x00Byte"}, "invisible control characters"),
    ]
    for change, message in cases:
        response = await browser.submit("/venues/new", {**good, **change})
        assert answer(response) == "303 /venues/new", change
        page = await browser.follow(response)
        assert message in page.text, change
        if "name" not in change:
            assert 'value="Good"' in page.text, "what was typed stays"
    assert await db.fetchval("SELECT count(*) FROM venues WHERE slug = 'validation-check'") == 0


async def test_a_taken_slug_is_refused_kindly(owner: tuple[Browser, str], browser: Browser) -> None:
    """Creating a venue at an address already in use asks for another."""
    _, slug = owner
    await browser.sign_up()
    response = await browser.submit(
        "/venues/new",
        {
            "name": "Copycat",
            "slug": slug,
            "timezone": "UTC",
            "currency": "USD",
            "volume_unit": "oz",
        },
    )
    page = await browser.follow(response)
    assert "already uses this web address" in page.text
    assert 'value="Copycat"' in page.text


async def test_empty_slug_is_made_from_the_name(browser: Browser, db: asyncpg.Pool) -> None:
    """Leaving the address empty derives it from the venue's name."""
    await browser.sign_up()
    name = f"Ye Olde Tap & Barrel {id(browser) % 100000}"
    response = await browser.submit(
        "/venues/new",
        {"name": name, "slug": "", "timezone": "UTC", "currency": "EUR", "volume_unit": "ml"},
    )
    assert response.status_code == 303
    slug = await db.fetchval("SELECT slug FROM venues WHERE name = $1", name)
    assert slug.startswith("ye-olde-tap-barrel-")


async def test_a_user_in_several_venues_can_switch_between_them(browser: Browser) -> None:
    """With two venues, /venues lists both and each venue page links to the other."""
    await browser.sign_up()
    first = await browser.create_venue("First Pub")
    second = await browser.create_venue("Second Pub")
    listing = await browser.page("/venues")
    assert listing.status_code == 200
    assert f"/v/{first}" in listing.text
    assert f"/v/{second}" in listing.text
    page = await browser.page(f"/v/{first}")
    assert f'href="/v/{second}"' in page.text


async def test_the_last_owner_cannot_be_removed(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """The only owner is not offered Leave or Make editor; sent anyway, the form comes back
    to Team with why (redirect after POST), and they stay an owner."""
    boss, slug = owner
    user_id = await db.fetchval(
        "SELECT m.user_id FROM memberships m JOIN venues v ON v.id = m.venue_id WHERE v.slug = $1",
        slug,
    )
    team = await boss.page(f"/v/{slug}/team")
    assert "Leave" not in team.text, "the sole owner is not offered what cannot be done"
    assert "Make editor" not in team.text
    assert "the only owner" in team.text, "and is told why"
    response = await boss.submit(f"/v/{slug}/members/{user_id}/remove")
    assert answer(response) == f"303 /v/{slug}/team", "refused: back to Team, not a bare page"
    page = (await boss.follow(response)).text
    assert "at least one owner" in page
    assert 'role="alert"' in page
    assert "Someone else changed" not in page, "nobody else changed anything"
    assert "at least one owner" not in (await boss.page(f"/v/{slug}/team")).text, "once"
    assert (await boss.get(f"/v/{slug}")).status_code == 200


async def test_owner_removes_an_editor(
    owner: tuple[Browser, str], new_browser: Callable[[], Browser], db: asyncpg.Pool
) -> None:
    """A removed editor loses the venue at once (404)."""
    boss, slug = owner
    path = await invite(boss, slug)
    staff = new_browser()
    email = await staff.sign_up()
    await staff.submit(path)
    user_id = await db.fetchval("SELECT id FROM users WHERE email = $1", email)
    assert (await boss.submit(f"/v/{slug}/members/{user_id}/remove")).status_code == 303
    assert (await staff.get(f"/v/{slug}")).status_code == 404


async def test_an_owner_changes_a_members_role_without_removing_them(
    owner: tuple[Browser, str], new_browser: Callable[[], Browser], db: asyncpg.Pool
) -> None:
    """Make an editor an owner and back; the last owner cannot make themselves an editor;
    an editor cannot change roles."""
    boss, slug = owner
    path = await invite(boss, slug)
    staff = new_browser()
    email = await staff.sign_up()
    await staff.submit(path)
    staff_id = await db.fetchval("SELECT id FROM users WHERE email = $1", email)
    boss_id = await db.fetchval(
        "SELECT m.user_id FROM memberships m JOIN venues v ON v.id = m.venue_id "
        "WHERE v.slug = $1 AND m.user_id <> $2",
        slug,
        staff_id,
    )

    async def role(user_id: int) -> str:
        found: str = await db.fetchval(
            "SELECT m.role FROM memberships m JOIN venues v ON v.id = m.venue_id "
            "WHERE v.slug = $1 AND m.user_id = $2",
            slug,
            user_id,
        )
        return found

    await staff.page(f"/v/{slug}")
    refused = await staff.submit(f"/v/{slug}/members/{boss_id}/role", {"role": "editor"})
    assert refused.status_code == 403, "editors do not manage the team"
    alone = await boss.submit(f"/v/{slug}/members/{boss_id}/role", {"role": "editor"})
    assert answer(alone) == f"303 /v/{slug}/team"
    assert "at least one owner" in (await boss.follow(alone)).text
    assert await role(boss_id) == "owner"

    team = await boss.page(f"/v/{slug}/team")
    assert "Make owner" in team.text
    made = await boss.submit(f"/v/{slug}/members/{staff_id}/role", {"role": "owner"})
    assert (made.status_code, made.headers["location"]) == (303, f"/v/{slug}/team")
    assert await role(staff_id) == "owner"
    stepped_down = await boss.submit(f"/v/{slug}/members/{boss_id}/role", {"role": "editor"})
    assert (stepped_down.status_code, stepped_down.headers["location"]) == (303, f"/v/{slug}")
    assert (await role(boss_id), await role(staff_id)) == ("editor", "owner")
    bad = await staff.submit(f"/v/{slug}/members/{boss_id}/role", {"role": "admin"})
    assert answer(bad) == f"303 /v/{slug}/team"
    assert "Choose owner or editor." in (await staff.follow(bad)).text


async def test_an_owner_renames_the_venue_and_changes_its_currency_and_units(
    owner: tuple[Browser, str], new_browser: Callable[[], Browser], db: asyncpg.Pool
) -> None:
    """Venue settings: the pickers list common choices first and no "Factory" or obsolete
    currency; a save updates the venue and gives each menu a new version (TVs show it); a
    bad value comes back with its message; editors cannot open it."""
    boss, slug = owner
    created = await boss.submit(f"/v/{slug}/menus", {"name": "Draft"})
    assert created.status_code == 303
    page = await boss.page(f"/v/{slug}/settings")
    assert page.status_code == 200
    assert '<optgroup label="Common">' in page.text
    assert 'value="Factory"' not in page.text
    assert 'value="DEM"' not in page.text, "no obsolete currencies"
    assert 'value="GBP"' in page.text

    saved = await boss.submit(
        f"/v/{slug}/settings",
        {"name": "The Crown", "timezone": "Europe/London", "currency": "GBP", "volume_unit": "ml"},
    )
    assert (saved.status_code, saved.headers["location"]) == (303, f"/v/{slug}/settings?saved=1")
    row = await db.fetchrow(
        "SELECT name, timezone, currency, volume_unit FROM venues WHERE slug = $1", slug
    )
    assert tuple(row) == ("The Crown", "Europe/London", "GBP", "ml")
    summary = await db.fetchval(
        "SELECT r.summary FROM menu_revisions r JOIN venues v ON v.id = r.venue_id "
        "WHERE v.slug = $1 ORDER BY r.version DESC LIMIT 1",
        slug,
    )
    assert summary == "Changed the venue's settings"
    page = await boss.page(f"/v/{slug}/settings?saved=1")
    assert shown_timezone(page.text) == "Europe/London"

    bad = await boss.submit(
        f"/v/{slug}/settings",
        {"name": "", "timezone": "Factory/Nowhere", "currency": "GBP", "volume_unit": "ml"},
    )
    assert bad.status_code == 303
    page = await boss.page(bad.headers["location"])
    assert "Choose a time zone from the list" in page.text
    assert await db.fetchval("SELECT name FROM venues WHERE slug = $1", slug) == "The Crown"

    path = await invite(boss, slug)
    staff = new_browser()
    await staff.sign_up()
    await staff.submit(path)
    assert (await staff.get(f"/v/{slug}/settings")).status_code == 403


async def test_an_owner_downloads_the_data_then_deletes_the_venue(
    owner: tuple[Browser, str], db: asyncpg.Pool, live: RunningServer
) -> None:
    """The export has the venue, its menus and beverages; deleting needs the name typed, then
    everything goes: rows, the images' files, and the venue (404)."""
    boss, slug = owner
    assert (await boss.submit(f"/v/{slug}/menus", {"name": "Draft"})).status_code == 303
    async with api_client(boss, slug, await new_token(boss, slug, "write")) as api:
        uploaded = await api.post("images", files={"file": ("p.jpg", jpeg(), "image/jpeg")})
        assert uploaded.status_code == 201, uploaded.text
    media = live.settings.data_dir / "media"
    venue_id = await db.fetchval("SELECT id FROM venues WHERE slug = $1", slug)
    mine = {p for p in stored_files(media) if f"/{venue_id}/" in str(p)}
    assert mine, "the image's files are stored"

    exported = await boss.get(f"/v/{slug}/export.json")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    data = exported.json()
    assert data["venue"]["slug"] == slug
    assert [m["menu"]["name"] for m in data["menus"]] == ["Draft"]
    assert len(data["images"]) == 1

    await boss.page(f"/v/{slug}/settings")
    wrong = await boss.submit(f"/v/{slug}/delete", {"confirm": "delete"})
    assert wrong.status_code == 303
    assert "Type the venue" in (await boss.page(wrong.headers["location"])).text
    assert await db.fetchval("SELECT count(*) FROM venues WHERE id = $1", venue_id) == 1

    name = await db.fetchval("SELECT name FROM venues WHERE id = $1", venue_id)
    gone = await boss.submit(f"/v/{slug}/delete", {"confirm": f" {name} "})
    assert (gone.status_code, gone.headers["location"]) == (303, "/venues?all")
    assert await db.fetchval("SELECT count(*) FROM venues WHERE id = $1", venue_id) == 0
    assert await db.fetchval("SELECT count(*) FROM menus WHERE venue_id = $1", venue_id) == 0
    assert await db.fetchval("SELECT count(*) FROM images WHERE venue_id = $1", venue_id) == 0
    assert not mine & stored_files(media), "its files are deleted"
    assert (await boss.get(f"/v/{slug}")).status_code == 404


async def test_a_bad_menu_name_comes_back_to_the_venue_page_and_makes_no_menu(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """A blank or over-long menu name: 303 back to the venue's page (a reload sends nothing
    again), which shows the message and what was typed once; no menu is made."""
    boss, slug = owner
    for name, message in (("   ", "This field is required"), ("x" * 500, "at most 80")):
        refused = await boss.submit(f"/v/{slug}/menus", {"name": name})
        assert answer(refused) == f"303 /v/{slug}"
        page = await boss.follow(refused)
        assert message in page.text
        assert message not in (await boss.page(f"/v/{slug}")).text, "shown once"
    assert 'value="' + "x" * 200 + '"' in page.text, "what was typed stays (enough to fix)"
    count = "SELECT count(*) FROM menus m JOIN venues v ON v.id = m.venue_id WHERE v.slug = $1"
    assert await db.fetchval(count, slug) == 0


async def test_a_mistyped_delete_confirmation_keeps_the_settings_form_as_saved(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """A refused delete leaves the settings form showing the venue's saved values, the error
    by the delete field and a summary saying the venue was not deleted (qa #3)."""
    boss, slug = owner
    await boss.page(f"/v/{slug}/settings")
    wrong = await boss.submit(f"/v/{slug}/delete", {"confirm": "Not the name"})
    assert wrong.status_code == 303
    assert wrong.headers["location"].endswith("#delete"), "it lands by the delete field"
    page = (await boss.follow(wrong)).text
    name = await db.fetchval("SELECT name FROM venues WHERE slug = $1", slug)
    assert f'value="{name}"' in page, "the name field keeps the saved name"
    assert shown_timezone(page) == "Europe/London"
    assert '<option value="GBP" selected>' in page
    assert '<option value="ml" selected>' in page
    assert "Nothing was saved" not in page, "no settings save was attempted"
    assert "The venue was not deleted" in page
    delete_section = page.split('id="delete"', 1)[1]
    assert 'id="e-confirm"' in delete_section
    assert "Type the venue" in delete_section
    assert 'value="Not the name"' in delete_section, "what was typed stays to correct"

    resaved = await boss.submit(
        f"/v/{slug}/settings",
        {"name": name, "timezone": "Europe/London", "currency": "GBP", "volume_unit": "ml"},
    )
    assert resaved.status_code == 303
    row = await db.fetchrow("SELECT timezone, currency FROM venues WHERE slug = $1", slug)
    assert tuple(row) == ("Europe/London", "GBP")


async def test_the_export_holds_everything_the_venue_owns_and_no_secrets(
    venue: Venue, db: asyncpg.Pool
) -> None:
    """The data download has day-parts with their prices and show/hide rules, planned
    changes, TVs with their settings, promo slides, staff notes, which image is the logo,
    and API token names; never a token or password hash (qa #9)."""
    boss, slug, api = venue.owner, venue.slug, venue.api
    menu = await make_menu(api)
    daypart = {
        **happy_hour(menu),
        "sections": [{"section_id": menu.section_id, "shows": "only"}],
    }
    assert (await api.post("dayparts", json=daypart)).status_code == 201
    planned = {"run_at": ahead(7 * 86400), "rename": "Summer"}
    assert (await api.post(f"menus/{menu.id}/planned-changes", json=planned)).status_code == 201
    note = {"private_note": "Keg in the walk-in, back left"}
    patched = await api.patch(f"menus/{menu.id}/entries/{menu.entry_id}", json=note)
    assert patched.status_code == 200, patched.text
    uploaded = await api.post("images", files={"file": ("logo.jpg", jpeg(), "image/jpeg")})
    assert uploaded.status_code == 201, uploaded.text
    logo_id = uploaded.json()["id"]
    await boss.page(f"/v/{slug}/settings")
    settings = {"name": "The Crown", "timezone": "Europe/London", "currency": "GBP"}
    saved = await boss.submit(
        f"/v/{slug}/settings", {**settings, "volume_unit": "ml", "logo_image_id": str(logo_id)}
    )
    assert answer(saved) == f"303 /v/{slug}/settings?saved=1"
    display_id = await paired(boss, slug, db, menu.id)
    slide = {"title": "Trivia night", "body": "Thursdays", "seconds": "12"}
    added = await boss.submit(
        f"/v/{slug}/displays/slides", {**slide, f"display_{display_id}": "on"}
    )
    assert added.status_code == 303, added.text

    exported = await boss.get(f"/v/{slug}/export.json")
    assert exported.status_code == 200
    data = exported.json()
    (part,) = data["dayparts"]
    assert part["name"] == "Happy hour"
    assert part["windows"][0]["start"] == "16:00"
    assert part["prices"] == [
        {"entry_id": menu.entry_id, "serving_size_id": menu.size_id, "price_minor": 300}
    ]
    assert part["visibility"] == [
        {"section_id": menu.section_id, "entry_id": None, "shows": "only"}
    ]
    (change,) = data["planned_changes"]
    assert (change["menu_id"], change["change"], change["state"]) == (
        menu.id,
        {"rename": "Summer"},
        "pending",
    )
    (tv,) = data["displays"]
    assert (tv["id"], tv["name"], tv["menu_id"]) == (display_id, "Bar", menu.id)
    assert "theme" in tv
    assert "orientation" in tv
    (promo,) = data["promo_slides"]
    assert (promo["title"], promo["seconds"], promo["display_ids"]) == (
        "Trivia night",
        12,
        [display_id],
    )
    entries = [e for m in data["menus"] for s in m["sections"] for e in s["entries"]]
    assert {e["id"]: e["staff_note"] for e in entries}[menu.entry_id] == note["private_note"]
    assert data["venue"]["logo_image_id"] == logo_id
    assert [(i["id"], i["is_logo"]) for i in data["images"]] == [(logo_id, True)]
    assert [t["name"] for t in data["api_tokens"]] == ["write"]
    text = exported.text
    for secret in ("token_hash", "password_hash", "$argon2"):
        assert secret not in text
    hashes = await db.fetch(
        "SELECT encode(token_hash, 'hex') AS h FROM api_tokens WHERE venue_id = $1 "
        "UNION ALL SELECT encode(token_hash, 'hex') FROM displays "
        "WHERE venue_id = $1 AND token_hash IS NOT NULL",
        venue.id,
    )
    assert hashes
    assert not any(row["h"] in text for row in hashes), "no token hash, in any spelling"


async def test_the_time_zone_picker_lists_current_names_common_first_and_keeps_a_legacy_one(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """The suggestions have current names only (Asia/Kolkata, not Asia/Calcutta), common
    ones first; a venue saved under an old alias still shows and saves it; a city typed
    loosely is understood, and a made-up one is refused (qa #13)."""
    boss, slug = owner
    page = (await boss.page(f"/v/{slug}/settings")).text
    listed = re.findall(r'<option value="([^"]+)"></option>', page.split('id="timezone-list"')[1])
    for current in ("Asia/Kolkata", "Europe/Kyiv", "Asia/Ho_Chi_Minh", "Europe/Amsterdam"):
        assert current in listed
    for alias in ("Asia/Calcutta", "Europe/Kiev", "Asia/Saigon", "Asia/Rangoon", "US/Eastern"):
        assert alias not in listed
    assert "America/Buenos_Aires" not in listed, "the current name is America/Argentina/…"
    assert "Factory" not in listed
    assert listed[0] == "America/New_York", "common ones first"
    assert listed.index("Europe/London") < listed.index("Africa/Abidjan")
    assert len(listed) == len(set(listed)), "each zone once"

    await db.execute("UPDATE venues SET timezone = 'Asia/Calcutta' WHERE slug = $1", slug)
    page = (await boss.page(f"/v/{slug}/settings")).text
    assert shown_timezone(page) == "Asia/Calcutta", "a saved legacy name is shown as it is"
    form = {"name": "The Crown", "currency": "GBP", "volume_unit": "ml"}
    kept = await boss.submit(f"/v/{slug}/settings", {**form, "timezone": "Asia/Calcutta"})
    assert answer(kept) == f"303 /v/{slug}/settings?saved=1"
    assert await db.fetchval("SELECT timezone FROM venues WHERE slug = $1", slug) == "Asia/Calcutta"

    for typed, meant in (("new york", "America/New_York"), ("Kolkata", "Asia/Kolkata")):
        saved = await boss.submit(f"/v/{slug}/settings", {**form, "timezone": typed})
        assert answer(saved) == f"303 /v/{slug}/settings?saved=1"
        assert await db.fetchval("SELECT timezone FROM venues WHERE slug = $1", slug) == meant
    refused = await boss.submit(f"/v/{slug}/settings", {**form, "timezone": "Atlantis"})
    assert "Choose a time zone from the list" in (await boss.follow(refused)).text
    assert await db.fetchval("SELECT timezone FROM venues WHERE slug = $1", slug) == "Asia/Kolkata"
