"""TVs in the editor: pairing by code, settings, reload and revoke, each telling the TV by
NOTIFY in the same transaction; bad input is a 422 that writes nothing."""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from chalkboard.displays import queries
from chalkboard.displays.forms import THEME_KEYS
from chalkboard.displays.looks import BY_KEY, LOOKS
from chalkboard.displays.views import connection
from tests.conftest import Browser, answer

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
REFUSED = "That code is not valid or has expired"
DISPLAY_URL = re.compile(r"/v/[\w-]+/displays/(\d+)\?paired=1$")
SETTINGS = {
    "name": "Bar left",
    "orientation": "portrait",
    "columns": "2",
    "taps_per_page": "12",
    "rotation_seconds": "20",
    "font_scale": "1.25",
    "viewing_distance": "across",
    "background_color": "#000000",
    "text_color": "#FFFFFF",
    "accent_color": "#c0ffee",
    "show_abv": "on",
    "show_prices": "on",
}


async def new_code(db: asyncpg.Pool, valid_for: timedelta = timedelta(minutes=10)) -> str:
    """A pairing code as a fresh TV would get it (expired when valid_for is negative)."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(6))
    async with db.acquire() as conn, conn.transaction():
        assert await queries.create_pairing_code(conn, code=code, valid_for=valid_for)
    return code


async def new_menu(boss: Browser, slug: str, name: str = "Draft") -> int:
    created = await boss.submit(f"/v/{slug}/menus", {"name": name})
    found = re.search(r"/menus/(\d+)\?", created.headers["location"])
    assert found, created.text
    return int(found[1])


async def venue_displays(db: asyncpg.Pool, slug: str) -> list[dict[str, Any]]:
    rows = await db.fetch(
        "SELECT d.* FROM displays d JOIN venues v ON v.id = d.venue_id WHERE v.slug = $1",
        slug,
    )
    return [dict(r) for r in rows]


async def paired(boss: Browser, slug: str, db: asyncpg.Pool, menu_id: int | str = "") -> int:
    """Pair a fresh code as "Bar"; the new display's id."""
    code = await new_code(db)
    response = await boss.submit(
        f"/v/{slug}/displays/pair", {"code": code, "name": "Bar", "menu_id": str(menu_id)}
    )
    found = DISPLAY_URL.search(response.headers.get("location", ""))
    assert found, response.text
    return int(found[1])


@contextlib.asynccontextmanager
async def listening(database_url: str, channel: str) -> AsyncIterator[asyncio.Queue[str]]:
    """The payloads NOTIFY sends on `channel` while the block runs."""
    conn = await asyncpg.connect(database_url)
    heard: asyncio.Queue[str] = asyncio.Queue()
    await conn.add_listener(channel, lambda _c, _pid, _ch, payload: heard.put_nowait(payload))
    try:
        yield heard
    finally:
        await conn.close()


async def hear(heard: asyncio.Queue[str], payload: str) -> None:
    """Wait (briefly) for `payload`, skipping what other tests' requests sent meanwhile."""
    async with asyncio.timeout(5):
        while await heard.get() != payload:
            pass


# --- pairing -----------------------------------------------------------------------------


async def test_pairing_creates_the_display_claims_the_code_and_tells_the_tv(
    owner: tuple[Browser, str], db: asyncpg.Pool, database_url: str
) -> None:
    """The code as typed (any case, spaces) pairs: display, claimed code, display_paired."""
    boss, slug = owner
    menu_id = await new_menu(boss, slug)
    code = await new_code(db)
    async with listening(database_url, "display_paired") as heard:
        response = await boss.submit(
            f"/v/{slug}/displays/pair",
            {
                "code": f" {code[:3].lower()} {code[3:]} ",
                "name": "Bar left",
                "menu_id": str(menu_id),
            },
        )
        assert response.status_code == 303, response.text
        found = DISPLAY_URL.search(response.headers["location"])
        assert found
        display_id = int(found[1])
        await hear(heard, f"{code}:{display_id}")
    (display,) = await venue_displays(db, slug)
    assert (display["id"], display["name"], display["menu_id"]) == (display_id, "Bar left", menu_id)
    assert display["token_hash"] is None
    assert set(display["theme"]) == set(THEME_KEYS)
    claim = await db.fetchrow("SELECT * FROM pairing_codes WHERE code = $1", code)
    assert claim is not None
    assert claim["display_id"] == display_id
    assert claim["venue_id"] == display["venue_id"]
    assert claim["claimed_at"] is not None
    page = await boss.page(response.headers["location"])
    assert "Paired. The TV shows your menu within a few seconds." in page.text
    assert "Waiting for the TV…" in page.text


@pytest.mark.parametrize("state", ["unknown", "expired", "used"])
async def test_a_code_that_cannot_be_claimed_is_refused_and_creates_no_display(
    owner: tuple[Browser, str], db: asyncpg.Pool, state: str
) -> None:
    """An unknown, expired or already used code is refused with a clear message; no display."""
    boss, slug = owner
    if state == "unknown":
        code = "".join(secrets.choice(ALPHABET) for _ in range(6))
    elif state == "expired":
        code = await new_code(db, valid_for=timedelta(seconds=-1))
    else:
        code = await new_code(db)
        ok = await boss.submit(f"/v/{slug}/displays/pair", {"code": code, "name": "First"})
        assert ok.status_code == 303, ok.text
    before = await venue_displays(db, slug)
    refused = await boss.submit(f"/v/{slug}/displays/pair", {"code": code, "name": "Bar"})
    assert answer(refused) == f"303 /v/{slug}/displays/pair", "back to the form"
    response = await boss.follow(refused)
    assert REFUSED in response.text
    assert f'value="{code}"' in response.text, "the code typed stays"
    assert await venue_displays(db, slug) == before


async def test_a_code_pairs_one_display_in_one_venue_only(
    owner: tuple[Browser, str], new_browser: Callable[[], Browser], db: asyncpg.Pool
) -> None:
    """Once a venue claimed a code, another venue typing the same code is refused."""
    boss, slug = owner
    code = await new_code(db)
    assert (await boss.submit(f"/v/{slug}/displays/pair", {"code": code, "name": "A"})).is_redirect
    rival = new_browser()
    await rival.sign_up()
    rival_slug = await rival.create_venue()
    response = await rival.submit(f"/v/{rival_slug}/displays/pair", {"code": code, "name": "B"})
    assert REFUSED in (await rival.follow(response)).text
    assert await venue_displays(db, rival_slug) == []
    owner_of_code = await db.fetchval(
        "SELECT v.slug FROM pairing_codes p JOIN venues v ON v.id = p.venue_id WHERE code = $1",
        code,
    )
    assert owner_of_code == slug


async def test_the_pair_form_checks_every_field_and_writes_nothing(
    owner: tuple[Browser, str], new_browser: Callable[[], Browser], db: asyncpg.Pool
) -> None:
    """A malformed code, a blank name or another venue's menu: back to the form with a
    message per field, code unclaimed."""
    boss, slug = owner
    other = new_browser()
    await other.sign_up()
    other_menu = await new_menu(other, await other.create_venue())
    code = await new_code(db)

    bad = await boss.follow(
        await boss.submit(f"/v/{slug}/displays/pair", {"code": "AB1", "name": " "})
    )
    assert "Type the 6 letters and digits the TV shows" in bad.text
    assert re.search(r'id="pair-name-error">This field is required\.', bad.text)
    foreign = await boss.follow(
        await boss.submit(
            f"/v/{slug}/displays/pair", {"code": code, "name": "Bar", "menu_id": str(other_menu)}
        )
    )
    assert "Choose one of this venue&#39;s menus." in foreign.text
    assert await venue_displays(db, slug) == []
    assert await db.fetchval("SELECT claimed_at FROM pairing_codes WHERE code = $1", code) is None


async def test_the_pair_form_fills_in_the_code_from_the_link(owner: tuple[Browser, str]) -> None:
    """The QR link's code is filled in, normalized, and the venue's first menu is chosen."""
    boss, slug = owner
    menu_id = await new_menu(boss, slug)
    page = await boss.page(f"/v/{slug}/displays/pair?code=k7qx3m")
    assert page.status_code == 200
    assert 'name="code" type="text" value="K7QX3M"' in page.text
    assert f'<option value="{menu_id}" selected>' in page.text


# --- the QR code's link --------------------------------------------------------------------


async def test_the_pair_link_takes_a_one_venue_person_to_its_pair_form(
    owner: tuple[Browser, str],
) -> None:
    """/pair?code= redirects a member of one venue straight to its pair form, code kept."""
    boss, slug = owner
    response = await boss.get("/pair?code=k7qx3m")
    assert response.status_code == 303
    assert response.headers["location"] == f"/v/{slug}/displays/pair?code=K7QX3M"


async def test_the_pair_link_asks_which_venue_when_there_are_several(
    owner: tuple[Browser, str],
) -> None:
    """A member of several venues picks one; each link carries the code."""
    boss, slug = owner
    second = await boss.create_venue()
    page = await boss.page("/pair?code=K7QX3M")
    assert page.status_code == 200
    for venue in (slug, second):
        assert f'href="/v/{venue}/displays/pair?code=K7QX3M"' in page.text


async def test_the_pair_link_asks_a_stranger_to_sign_in_first(
    new_browser: Callable[[], Browser],
) -> None:
    """Not signed in: the QR link goes to sign-in, which comes back to it."""
    response = await new_browser().get("/pair?code=K7QX3M")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/pair%3Fcode%3DK7QX3M"


# --- settings, reload, revoke ------------------------------------------------------------


async def test_saving_settings_updates_the_display_and_tells_the_tv(
    owner: tuple[Browser, str], db: asyncpg.Pool, database_url: str
) -> None:
    """Rename, reassign and theme are saved together, then display_changed '<id>:updated'."""
    boss, slug = owner
    first, second = await new_menu(boss, slug), await new_menu(boss, slug, "Happy hour")
    display_id = await paired(boss, slug, db, first)
    url = f"/v/{slug}/displays/{display_id}"
    await boss.page(url)
    async with listening(database_url, "display_changed") as heard:
        response = await boss.submit(url, {**SETTINGS, "menu_id": str(second)})
        assert response.status_code == 303, response.text
        assert response.headers["location"] == f"{url}?saved=1"
        await hear(heard, f"{display_id}:updated")
    (display,) = await venue_displays(db, slug)
    assert (display["name"], display["menu_id"], display["orientation"]) == (
        "Bar left",
        second,
        "portrait",
    )
    assert display["theme"] == {
        "columns": 2,
        "taps_per_page": 12,
        "rotation_seconds": 20,
        "font_scale": 1.25,
        "viewing_distance": "across",
        "look": "taproom",
        "font": "",
        "background_color": "#000000",
        "text_color": "#ffffff",
        "accent_color": "#c0ffee",
        "show_abv": True,
        "show_ibu": False,
        "show_style": False,
        "show_producer": False,
        "show_prices": True,
        "show_keg": False,
        "show_srm": False,
        "show_tap_numbers": False,
        "show_descriptions": False,
        "show_images": False,
        "background_image": "",
        "logo_image": "",
    }
    page = await boss.page(response.headers["location"])
    assert "Saved." in page.text
    assert 'name="show_abv" checked' in page.text
    assert 'name="show_ibu">' in page.text


async def test_invalid_settings_come_back_per_field_and_write_nothing(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """A colour 'red', 9 columns and a 1-second rotation: 303 back to the TV's page (a
    reload sends nothing again), which shows a message for each once; row unchanged."""
    boss, slug = owner
    display_id = await paired(boss, slug, db)
    before = await venue_displays(db, slug)
    response = await boss.submit(
        f"/v/{slug}/displays/{display_id}",
        {**SETTINGS, "background_color": "red", "columns": "9", "rotation_seconds": "1"},
    )
    assert answer(response) == f"303 /v/{slug}/displays/{display_id}"
    response = await boss.follow(response)
    for field in ("background_color", "columns", "rotation_seconds"):
        assert f'id="d-{field}-error"' in response.text, field
    assert "Use a colour like #1f6f5c" in response.text
    assert "Choose auto or 1 to 4 columns." in response.text
    assert 'value="Bar left"' in response.text, "what was typed is kept"
    assert await venue_displays(db, slug) == before
    again = await boss.page(f"/v/{slug}/displays/{display_id}")
    assert "Use a colour like #1f6f5c" not in again.text, "shown once: a reload is clean"


async def test_a_display_cannot_show_another_venues_menu(
    owner: tuple[Browser, str], new_browser: Callable[[], Browser], db: asyncpg.Pool
) -> None:
    """Reassigning to another venue's menu id is refused on the menu field; nothing changes."""
    boss, slug = owner
    display_id = await paired(boss, slug, db)
    other = new_browser()
    await other.sign_up()
    other_menu = await new_menu(other, await other.create_venue())
    before = await venue_displays(db, slug)
    response = await boss.submit(
        f"/v/{slug}/displays/{display_id}", {**SETTINGS, "menu_id": str(other_menu)}
    )
    response = await boss.follow(response)
    assert 'id="d-menu_id-error">Choose one of this venue&#39;s menus.' in response.text
    assert await venue_displays(db, slug) == before


async def test_reload_tells_the_tv_to_reload(
    owner: tuple[Browser, str], db: asyncpg.Pool, database_url: str
) -> None:
    """Reload TV sends display_changed '<id>:reload' and changes nothing."""
    boss, slug = owner
    display_id = await paired(boss, slug, db)
    before = await venue_displays(db, slug)
    async with listening(database_url, "display_changed") as heard:
        response = await boss.submit(f"/v/{slug}/displays/{display_id}/reload")
        assert response.status_code == 303
        await hear(heard, f"{display_id}:reload")
    assert await venue_displays(db, slug) == before


async def test_revoke_stops_the_token_and_tells_the_tv(
    owner: tuple[Browser, str], db: asyncpg.Pool, database_url: str
) -> None:
    """Revoke clears the token, sends '<id>:revoked'; the TV leaves the list, its page is 404."""
    boss, slug = owner
    display_id = await paired(boss, slug, db)
    code = await db.fetchval("SELECT code FROM pairing_codes WHERE display_id = $1", display_id)
    async with db.acquire() as conn:
        assert await queries.set_display_token(conn, code=code, token_hash=secrets.token_bytes(32))
    async with listening(database_url, "display_changed") as heard:
        response = await boss.submit(f"/v/{slug}/displays/{display_id}/revoke")
        assert response.status_code == 303
        await hear(heard, f"{display_id}:revoked")
    (display,) = await venue_displays(db, slug)
    assert display["revoked_at"] is not None
    assert display["token_hash"] is None
    listing = await boss.page(response.headers["location"])
    assert "Revoked Bar" in listing.text
    assert f"/displays/{display_id}" not in listing.text
    assert (await boss.get(f"/v/{slug}/displays/{display_id}")).status_code == 404
    again = await boss.submit(f"/v/{slug}/displays/{display_id}/reload")
    assert again.status_code == 404


async def test_the_list_says_which_tvs_are_online(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """A TV seen just now is Online, with its app version, screen and menu."""
    boss, slug = owner
    menu_id = await new_menu(boss, slug, "Taps")
    display_id = await paired(boss, slug, db, menu_id)
    code = await db.fetchval("SELECT code FROM pairing_codes WHERE display_id = $1", display_id)
    async with db.acquire() as conn:
        await queries.set_display_token(conn, code=code, token_hash=secrets.token_bytes(32))
        await queries.record_seen(conn, {display_id: ("1.4.0", "1920x1080")})
    page = await boss.page(f"/v/{slug}/displays")
    assert re.search(
        r'<span class="badge">Online</span>\s*<div class="muted small">Taps', page.text
    )
    assert "app 1.4.0 · 1920x1080" in page.text


@pytest.mark.parametrize(
    ("token", "seen_ago", "said"),
    [
        (False, None, (False, "Waiting for the TV…")),
        (True, None, (False, "Never connected")),
        (True, timedelta(seconds=30), (True, "Online")),
        (True, timedelta(minutes=5), (False, "Last seen 5 min ago")),
        (True, timedelta(hours=3), (False, "Last seen 3 h ago")),
        (True, timedelta(days=3), (False, "Last seen 05 Mar 2026")),
    ],
)
def test_connection_status_reads_naturally(
    token: bool, seen_ago: timedelta | None, said: tuple[bool, str]
) -> None:
    """Waiting until the TV has its token; online within 90 s; else when it was last seen."""
    now = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    display = queries.Display(
        1,
        1,
        "Bar",
        None,
        "landscape",
        {},
        token,
        now,
        None if seen_ago is None else now - seen_ago,
        "",
        "",
        None,
    )
    assert connection(display, now=now, tz=ZoneInfo("Europe/London")) == said


TAPROOM_COLOURS = {
    "background_color": "#111417",
    "text_color": "#f3efe6",
    "accent_color": "#e0b45a",
}


async def test_a_new_look_brings_its_palette_unless_the_colours_were_changed(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """Picking the café look with the colours untouched takes the café palette; picking neon
    with colours of one's own keeps them. Both looks are stored."""
    boss, slug = owner
    display_id = await paired(boss, slug, db)
    url = f"/v/{slug}/displays/{display_id}"
    page = await boss.page(url)
    for look in LOOKS:
        assert f'name="look" value="{look.key}"' in page.text
        assert look.label in page.text
    response = await boss.submit(url, {**SETTINGS, **TAPROOM_COLOURS, "look": "cafe"})
    assert response.status_code == 303, response.text
    (display,) = await venue_displays(db, slug)
    cafe = BY_KEY["cafe"]
    assert display["theme"]["look"] == "cafe"
    assert {key: display["theme"][key] for key in cafe.palette()} == cafe.palette()

    own = {"background_color": "#202020", "text_color": "#fafafa", "accent_color": "#00aaff"}
    response = await boss.submit(url, {**SETTINGS, **own, "look": "neon", "font": "atkinson"})
    assert response.status_code == 303, response.text
    (display,) = await venue_displays(db, slug)
    assert (display["theme"]["look"], display["theme"]["font"]) == ("neon", "atkinson")
    assert {key: display["theme"][key] for key in own} == own


async def test_the_look_samples_show_prices_in_the_venues_currency(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """A pound venue's look samples price its beers in pounds, not dollars."""
    boss, slug = owner
    display_id = await paired(boss, slug, db)
    await db.execute("UPDATE venues SET currency = 'GBP' WHERE slug = $1", slug)
    page = await boss.page(f"/v/{slug}/displays/{display_id}")
    assert '<span class="lp-price">£7.00</span>' in page.text
    assert "$" not in page.text.split('class="look-preview', 1)[1].split("</fieldset>", 1)[0]


async def test_an_unknown_look_or_font_is_refused_and_writes_nothing(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """look=disco and font=comic: a message for each, the row unchanged."""
    boss, slug = owner
    display_id = await paired(boss, slug, db)
    before = await venue_displays(db, slug)
    response = await boss.submit(
        f"/v/{slug}/displays/{display_id}", {**SETTINGS, "look": "disco", "font": "comic"}
    )
    response = await boss.follow(response)
    assert "Choose one of the looks shown." in response.text
    assert "Choose one of the fonts listed." in response.text
    assert await venue_displays(db, slug) == before
