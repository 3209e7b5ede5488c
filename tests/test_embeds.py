"""Embeds: the public menu page, the mobile page and the public JSON; caching, framing,
cookies, escaping, live updates, the builder, the allowlist and the staff-only notes."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import html
import re
import secrets
import signal
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest

from chalkboard.embeds import forms
from chalkboard.embeds.cache import Embeds
from chalkboard.embeds.forms import EmbedOptions, normalize_origin, parse_frame_origins
from chalkboard.embeds.queries import get_published
from chalkboard.http.assets import Assets
from chalkboard.http.pages import create_templates
from chalkboard.live.feeds import MenuFeeds
from chalkboard.menus import operations
from chalkboard.menus import queries as menus
from chalkboard.settings import Settings
from tests.conftest import Browser, RunningServer

ACTOR = operations.Actor()
SECRET_NOTE = "KEG-IN-WALK-IN-BACK-LEFT"
XSS_NAME = "<script>alert('x')</script>\"quoted\" \u202egnp.exe \u05e9\u05dc\u05d5\u05dd"
XSS_DESCRIPTION = '<img src=x onerror="alert(1)"> & <b>bold</b> \u0645\u0631\u062d\u0628\u0627'


async def venue_id_of(db: asyncpg.Pool, slug: str) -> int:
    venue_id: int = await db.fetchval("SELECT id FROM venues WHERE slug = $1", slug)
    return venue_id


async def add(
    conn: Any, venue_id: int, menu_id: int, section_id: int, name: str, **fields: Any
) -> int:
    prices = fields.pop("prices", {})
    beverage_fields = {
        key: fields.pop(key) for key in ("producer", "style", "abv", "description") if key in fields
    }
    beverage = await menus.create_beverage(conn, venue_id=venue_id, name=name, **beverage_fields)
    _, entry_id = await operations.add_entry(
        conn,
        venue_id=venue_id,
        menu_id=menu_id,
        section_id=section_id,
        beverage_id=beverage.id,
        fields=fields,
        prices=prices,
        position=None,
        based_on=None,
        actor=ACTOR,
    )
    return entry_id


async def published_menu(db: asyncpg.Pool, slug: str) -> dict[str, Any]:
    """A menu with one entry of each status (and a staff note); its ids and public id."""
    venue_id = await venue_id_of(db, slug)
    async with db.acquire() as conn, conn.transaction():
        size = await operations.create_serving_size(
            conn, venue_id=venue_id, name="Pint", volume_ml=Decimal(568), actor=ACTOR
        )
        board = await operations.create_menu(conn, venue_id=venue_id, name="Draft", actor=ACTOR)
        menu_id = board["menu"]["id"]
        _, section_id = await operations.add_section(
            conn,
            venue_id=venue_id,
            menu_id=menu_id,
            based_on=None,
            name="Taps",
            kind="taps",
            actor=ACTOR,
        )
        on_tap = await add(
            conn,
            venue_id,
            menu_id,
            section_id,
            "Visible IPA",
            producer="Hop Works",
            style="IPA",
            abv=Decimal("6.5"),
            tap_label="2",
            note="Last pints!",
            private_note=SECRET_NOTE,
            prices={size.id: 650},
        )
        await add(conn, venue_id, menu_id, section_id, "Hidden Stout", status="hidden")
        await add(conn, venue_id, menu_id, section_id, "Coming Lager", status="on_deck")
        await add(conn, venue_id, menu_id, section_id, "Gone Porter", status="kicked")
        await add(conn, venue_id, menu_id, section_id, "Alpha Ale", tap_label="10")
    public_id = await db.fetchval("SELECT public_id FROM menus WHERE id = $1", menu_id)
    return {
        "venue_id": venue_id,
        "menu_id": menu_id,
        "section_id": section_id,
        "entry_id": on_tap,
        "public_id": public_id,
    }


async def rename(db: asyncpg.Pool, ids: dict[str, Any], name: str) -> None:
    async with db.acquire() as conn, conn.transaction():
        await operations.rename_menu(
            conn,
            name=name,
            venue_id=ids["venue_id"],
            menu_id=ids["menu_id"],
            based_on=None,
            actor=ACTOR,
        )


@pytest.fixture
async def anyone(live: RunningServer) -> AsyncIterator[httpx.AsyncClient]:
    """A visitor on someone else's website: no cookies, nobody signed in."""
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as client:
        yield client


@pytest.fixture
async def menu(owner: tuple[Browser, str], db: asyncpg.Pool) -> dict[str, Any]:
    return await published_menu(db, owner[1])


# --- what the public sees ----------------------------------------------------------------


async def test_the_embed_shows_what_is_on_tap_and_nothing_private(
    anyone: httpx.AsyncClient, menu: dict[str, Any]
) -> None:
    """On-tap entries with their facts, note and price; no hidden, on-deck, kicked or staff note."""
    response = await anyone.get(f"/embed/{menu['public_id']}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    for shown in ("Visible IPA", "Hop Works", "IPA", "6.5%", "Last pints!", "£6.50", "Pint"):
        assert shown in page, shown
    for absent in ("Hidden Stout", "Coming Lager", "Gone Porter", SECRET_NOTE):
        assert absent not in page, absent
    deck = (await anyone.get(f"/embed/{menu['public_id']}?deck=1&kicked=1")).text
    assert "Coming Lager" in deck
    assert "Coming soon" in deck
    assert "Gone Porter" in deck
    assert "All gone" in deck
    assert "Hidden Stout" not in deck
    assert SECRET_NOTE not in deck


async def test_options_in_the_url_change_the_look(
    anyone: httpx.AsyncClient, menu: dict[str, Any]
) -> None:
    """Fields can be hidden, the order changed, and colours set (allowed by the CSP's hash)."""
    base = f"/embed/{menu['public_id']}"
    plain = (await anyone.get(base)).text
    assert '<span class="tap" dir="auto">2</span>' in plain
    bare = (await anyone.get(base + "?tap=0&brewery=0&prices=0&notes=0&title=0")).text
    assert 'class="tap"' not in bare
    assert "Hop Works" not in bare
    assert "£6.50" not in bare
    assert "Last pints!" not in bare
    assert "Draft</h1>" not in bare
    assert "Draft</h1>" in plain
    by_tap = (await anyone.get(base + "?sort=tap")).text
    by_name = (await anyone.get(base + "?sort=name")).text
    assert by_tap.index("Visible IPA") < by_tap.index("Alpha Ale")  # tap 2 before tap 10
    assert by_name.index("Alpha Ale") < by_name.index("Visible IPA")
    coloured = await anyone.get(base + "?bg=%23102030&font=serif")
    style = re.search(r"<style>(.*?)</style>", coloured.text, re.S)
    assert style
    assert "--bg:#102030" in style[1]
    assert "Georgia" in style[1]
    digest = base64.b64encode(hashlib.sha256(style[1].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in coloured.headers["content-security-policy"]


async def test_bad_options_are_a_400_that_names_the_option(
    anyone: httpx.AsyncClient, menu: dict[str, Any]
) -> None:
    """A colour that is not hex or an unknown sort answers 400 saying what to write."""
    bad = await anyone.get(f"/embed/{menu['public_id']}?bg=tomato")
    assert bad.status_code == 400
    assert "bg" in bad.text
    assert "six hex digits" in bad.text
    sort = await anyone.get(f"/m/{menu['public_id']}?sort=random")
    assert sort.status_code == 400
    assert "sort" in sort.text
    assert "set-cookie" not in bad.headers


async def test_user_text_renders_as_text_in_html_and_json(
    anyone: httpx.AsyncClient, owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """Script tags, quotes and RTL overrides in names and descriptions are escaped, not run."""
    ids = await published_menu(db, owner[1])
    async with db.acquire() as conn, conn.transaction():
        await add(
            conn,
            ids["venue_id"],
            ids["menu_id"],
            ids["section_id"],
            XSS_NAME,
            description=XSS_DESCRIPTION,
            note='"><svg onload=alert(2)>',
        )
    await asyncio.sleep(0.1)
    for path in (f"/embed/{ids['public_id']}?desc=1", f"/m/{ids['public_id']}?desc=1&v=99"):
        page = await anyone.get(path)
        # A menu changed a moment ago: this process may not know the version yet (v=99).
        text = page.text
        for raw in ("<script>alert", "<img src=x", "<svg onload", "<b>bold"):
            assert raw not in text, (path, raw)
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&#34;quoted&#34;" in text
        assert "\u202egnp.exe \u05e9\u05dc\u05d5\u05dd</bdi>" in text
        assert '<p class="desc" dir="auto">&lt;img src=x onerror=&#34;alert(1)&#34;&gt;' in text
    data = (await anyone.get(f"/api/v1/public/menus/{ids['public_id']}")).json()
    names = [e["beverage"]["name"] for s in data["sections"] for e in s["entries"]]
    assert XSS_NAME in names


async def test_the_public_json_has_cors_and_only_public_fields(
    anyone: httpx.AsyncClient, menu: dict[str, Any]
) -> None:
    """Any origin may read it; hidden entries, staff notes and internal ids are not in it."""
    path = f"/api/v1/public/menus/{menu['public_id']}"
    response = await anyone.get(path, headers={"Origin": "https://dev.example.com"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    assert SECRET_NOTE not in response.text
    assert "Hidden Stout" not in response.text
    data = response.json()
    assert data["venue"]["currency"] == "GBP"
    entries = [e for s in data["sections"] for e in s["entries"]]
    assert {e["status"] for e in entries} == {"on_tap", "on_deck", "kicked"}
    ipa = next(e for e in entries if e["beverage"]["name"] == "Visible IPA")
    assert set(ipa) == {"id", "tap_label", "status", "keg_percent", "note", "prices", "beverage"}
    assert "private_note" not in response.text
    assert "venue_id" not in response.text
    preflight = await anyone.options(
        path,
        headers={
            "Origin": "https://dev.example.com",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert preflight.status_code == 204
    assert "If-None-Match" in preflight.headers["access-control-allow-headers"]


async def test_unknown_and_replaced_public_ids_are_404(
    anyone: httpx.AsyncClient, owner: tuple[Browser, str], menu: dict[str, Any]
) -> None:
    """A made-up id is 404 everywhere; after the owner replaces the id, the old one is 404 too."""
    for made_up in (secrets.token_urlsafe(16), "short", "x" * 200):
        for path in ("/embed/{}", "/m/{}", "/api/v1/public/menus/{}", "/embed/{}/live"):
            response = await anyone.get(path.format(made_up))
            assert response.status_code == 404, path.format(made_up)
    json_404 = await anyone.get(f"/api/v1/public/menus/{secrets.token_urlsafe(16)}")
    assert json_404.json()["error"]["status"] == 404
    old = menu["public_id"]
    assert (await anyone.get(f"/embed/{old}")).status_code == 200
    boss, slug = owner
    await boss.page(f"/v/{slug}/menus/{menu['menu_id']}/embed")
    rotated = await boss.submit(f"/v/{slug}/menus/{menu['menu_id']}/embed/rotate")
    assert rotated.status_code == 303
    for path in ("/embed/{}", "/m/{}", "/api/v1/public/menus/{}"):
        assert (await anyone.get(path.format(old))).status_code == 404
    builder = await boss.page(rotated.headers["location"])
    new = re.search(r"/embed/([A-Za-z0-9_-]{22})", builder.text)
    assert new
    assert new[1] != old
    assert (await anyone.get(f"/embed/{new[1]}")).status_code == 200


# --- caching ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["/embed/{}", "/m/{}", "/api/v1/public/menus/{}"])
async def test_an_unchanged_menu_is_a_304_and_a_change_a_new_etag(
    kind: str, anyone: httpx.AsyncClient, db: asyncpg.Pool, menu: dict[str, Any]
) -> None:
    """ETag + short max-age with stale-while-revalidate; 304 until the menu changes."""
    path = kind.format(menu["public_id"])
    first = await anyone.get(path)
    etag = first.headers["etag"]
    cache_control = first.headers["cache-control"]
    assert "public" in cache_control
    assert "max-age=15" in cache_control
    assert "stale-while-revalidate=60" in cache_control
    again = await anyone.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    # The 304 repeats the framing policy, so a cache that refreshes its headers from it keeps it.
    if kind != "/api/v1/public/menus/{}":
        csp = again.headers["content-security-policy"]
        assert csp == first.headers["content-security-policy"]
    assert (
        await anyone.get(path, headers={"If-None-Match": 'W/"other", ' + etag})
    ).status_code == 304
    await rename(db, menu, "Draft (new)")
    for _ in range(40):  # the NOTIFY reaches the server within a second
        changed = await anyone.get(path, headers={"If-None-Match": etag})
        if changed.status_code == 200:
            break
        await asyncio.sleep(0.05)
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert "Draft (new)" in changed.text


async def test_equivalent_option_spellings_share_one_etag(
    anyone: httpx.AsyncClient, menu: dict[str, Any]
) -> None:
    """Defaults spelled out, upper-case hex or extra tracking parameters: one cache entry."""
    base = f"/embed/{menu['public_id']}"
    plain = (await anyone.get(base)).headers["etag"]
    spelled = await anyone.get(base + "?tap=1&bg=FFFFFF&utm_source=newsletter")
    assert spelled.headers["etag"] == plain
    assert (await anyone.get(base + "?tap=0")).headers["etag"] != plain


async def test_a_spike_on_one_embed_costs_one_render(
    db: asyncpg.Pool, settings: Settings, menu: dict[str, Any]
) -> None:
    """Fifty concurrent asks for one (menu, version, options) read and render the board once."""
    assets = Assets(settings.web_dir / "static", prefix="/static")
    templates = create_templates(settings.web_dir / "templates", assets)
    reads = 0

    class Counting(Embeds):
        async def board(self, *args: Any, **kwargs: Any) -> Any:
            nonlocal reads
            reads += 1
            return await super().board(*args, **kwargs)

    embeds = Counting(db, MenuFeeds(), templates.env, settings.web_dir)
    found = await embeds.resolve(menu["public_id"])
    assert found is not None
    published, version = found
    options = EmbedOptions(tap=False)
    pages = await asyncio.gather(
        *[embeds.page(published, version, options, "embed") for _ in range(50)]
    )
    assert reads == 1
    assert len({page.body for page in pages}) == 1
    await embeds.page(published, version, EmbedOptions(), "embed")
    assert reads == 2
    embeds.close()


async def test_a_resolved_id_follows_the_menus_feed(
    db: asyncpg.Pool, settings: Settings, menu: dict[str, Any]
) -> None:
    """A change heard through the hub's feed raises the known version without a query."""
    assets = Assets(settings.web_dir / "static", prefix="/static")
    feeds = MenuFeeds()
    embeds = Embeds(
        db, feeds, create_templates(settings.web_dir / "templates", assets).env, settings.web_dir
    )
    found = await embeds.resolve(menu["public_id"])
    assert found is not None
    assert feeds.followed() == {menu["menu_id"]: menu["venue_id"]}
    feeds.changed(menu["menu_id"], found[1] + 3)
    again = await embeds.resolve(menu["public_id"])
    assert again is not None
    assert again[1] == found[1] + 3
    embeds.close()
    assert feeds.followed() == {}


# --- no cookies, framing ----------------------------------------------------------------------


async def test_public_pages_set_no_cookies_even_for_signed_in_staff(
    owner: tuple[Browser, str], anyone: httpx.AsyncClient, menu: dict[str, Any]
) -> None:
    """Embed, mobile page, JSON, loader and 404s set no cookie, and are the same for everyone."""
    boss, _ = owner
    paths = [
        f"/embed/{menu['public_id']}",
        f"/m/{menu['public_id']}",
        f"/api/v1/public/menus/{menu['public_id']}",
        "/embed.js",
        f"/embed/{secrets.token_urlsafe(16)}",
    ]
    for path in paths:
        for client in (anyone, boss):
            response = await client.get(path)
            assert "set-cookie" not in response.headers, path
        seen, staff = await anyone.get(path), await boss.get(path)
        if seen.status_code == 200:  # (a 404 page names its own request id)
            assert seen.content == staff.content, path
    async with anyone.stream("GET", f"/embed/{menu['public_id']}/live") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert "set-cookie" not in stream.headers


async def test_embeds_may_be_framed_as_the_allowlist_says(
    owner: tuple[Browser, str], anyone: httpx.AsyncClient, menu: dict[str, Any], db: asyncpg.Pool
) -> None:
    """Any site by default; after the owner lists sites, only those (and our own pages)."""
    path = f"/embed/{menu['public_id']}"
    default = await anyone.get(path)
    assert "frame-ancestors *" in default.headers["content-security-policy"]
    assert "x-frame-options" not in default.headers
    mobile = await anyone.get(f"/m/{menu['public_id']}")
    assert "frame-ancestors 'none'" in mobile.headers["content-security-policy"]
    assert mobile.headers["x-frame-options"] == "DENY"

    boss, slug = owner
    await boss.page(f"/v/{slug}/embeds")
    saved = await boss.submit(
        f"/v/{slug}/embeds", {"origins": "bar.example.com\n*.Example.org, http://localhost:8080"}
    )
    assert saved.status_code == 303
    csp = (await anyone.get(path)).headers["content-security-policy"]
    assert (
        "frame-ancestors 'self' https://bar.example.com https://*.example.org "
        "http://localhost:8080" in csp
    )
    page = await boss.page(f"/v/{slug}/embeds")
    assert "https://bar.example.com" in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]

    bad = await boss.submit(f"/v/{slug}/embeds", {"origins": "https://ok.example.com/menu page"})
    assert bad.status_code == 422
    assert "is not a site address" in bad.text
    stored = await db.fetchval("SELECT embed_origins FROM venues WHERE slug = $1", slug)
    assert stored == ["https://bar.example.com", "https://*.example.org", "http://localhost:8080"]
    cleared = await boss.submit(f"/v/{slug}/embeds", {"origins": ""})
    assert cleared.status_code == 303
    assert "frame-ancestors *" in (await anyone.get(path)).headers["content-security-policy"]


def test_frame_origins_are_normalized_or_refused_with_a_reason() -> None:
    """Bare hosts get https, wildcards need a domain, paths, quotes and `*` alone are refused."""
    assert normalize_origin("Example.COM") == "https://example.com"
    assert normalize_origin("*.example.com") == "https://*.example.com"
    assert normalize_origin("http://localhost:8080/") == "http://localhost:8080"
    for bad, reason in [
        ("*", "not a site address"),
        ("https://example.com/path", "not a site address"),
        ("'self'", "not a site address"),
        ("example.com;script-src", "not a site address"),
        ("ftp://example.com", "not a site address"),
        ("*.com", "wildcard needs a domain"),
        ("example.com:99999", "port"),
    ]:
        with pytest.raises(ValueError, match=reason):
            normalize_origin(bad)
    assert parse_frame_origins("a.example.com a.example.com") == ["https://a.example.com"]
    with pytest.raises(ValueError, match="at most 20"):
        parse_frame_origins(" ".join(f"s{n}.example.com" for n in range(21)))


def test_options_have_one_canonical_key() -> None:
    """The key lists only what differs from the defaults, in a fixed order."""
    assert EmbedOptions().key == ""
    options, errors = forms.parse_options({"tap": "no", "bg": "#ABCDEF", "sort": "abv"})
    assert options is not None
    assert not errors
    assert options.key == "bg=abcdef&sort=abv&tap=0"
    _, errors = forms.parse_options({"font": "comic", "ibu": "maybe"})
    assert set(errors) == {"font", "ibu"}


# --- live ------------------------------------------------------------------------------------


async def next_event(lines: AsyncIterator[str]) -> dict[str, str]:
    event: dict[str, str] = {}
    async for line in lines:
        if not line:
            if "data" in event:
                return event
            event = {}  # a block without data, e.g. `retry:`
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(": ")
        event[name] = value
    raise AssertionError("the stream ended")


async def test_the_live_stream_resumes_from_a_version_and_pushes_changes(
    anyone: httpx.AsyncClient, db: asyncpg.Pool, menu: dict[str, Any]
) -> None:
    """Behind: the current version at once; then each change within a second, id = version."""
    current = await db.fetchval("SELECT version FROM menus WHERE id = $1", menu["menu_id"])
    live = f"/embed/{menu['public_id']}/live"
    async with anyone.stream("GET", f"{live}?v=1") as stream:
        assert stream.headers["cache-control"] == "no-store"
        lines = stream.aiter_lines()
        retry = await anext(lines)
        assert retry.startswith("retry: ")
        assert 1000 <= int(retry.removeprefix("retry: ")) <= 4000  # jitter
        first = await asyncio.wait_for(next_event(lines), 5)
        assert first == {"id": str(current), "event": "version", "data": str(current)}
        await rename(db, menu, "Renamed live")
        pushed = await asyncio.wait_for(next_event(lines), 1.0)
        assert pushed["data"] == str(current + 1)
    # Resuming with Last-Event-ID at the current version: nothing until the next change.
    headers = {"Last-Event-ID": str(current + 1)}
    async with anyone.stream("GET", live, headers=headers) as stream:
        lines = stream.aiter_lines()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(next_event(lines), 0.5)
    async with anyone.stream("GET", live, headers=headers) as stream:
        lines = stream.aiter_lines()
        await rename(db, menu, "Renamed again")
        assert (await asyncio.wait_for(next_event(lines), 1.0))["data"] == str(current + 2)


async def test_a_version_hint_newer_than_known_is_not_cached(
    anyone: httpx.AsyncClient, menu: dict[str, Any]
) -> None:
    """Asking for a version this server has not seen answers the newest it has, uncached."""
    path = f"/embed/{menu['public_id']}"
    assert (await anyone.get(f"{path}?v=1")).headers["cache-control"].startswith("public")
    ahead = await anyone.get(f"{path}?v=999999")
    assert ahead.status_code == 200
    assert ahead.headers["cache-control"] == "no-store"


# --- the loader and the builder -----------------------------------------------------------


async def test_the_loader_has_a_stable_cached_url(anyone: httpx.AsyncClient) -> None:
    """/embed.js is JavaScript, cached for an hour, revalidated by ETag."""
    loader = await anyone.get("/embed.js")
    assert loader.status_code == 200
    assert loader.headers["content-type"].startswith("text/javascript")
    assert "max-age=3600" in loader.headers["cache-control"]
    assert "event.origin" in loader.text
    assert "event.source" in loader.text
    again = await anyone.get("/embed.js", headers={"If-None-Match": loader.headers["etag"]})
    assert again.status_code == 304


async def test_the_builder_offers_both_snippets_a_preview_and_a_qr_code(
    owner: tuple[Browser, str], menu: dict[str, Any]
) -> None:
    """The snippets carry the chosen options; the QR code is an SVG of the mobile page."""
    boss, slug = owner
    base = f"/v/{slug}/menus/{menu['menu_id']}/embed"
    page = await boss.page(base + "?tap=0&bg=000000")
    assert page.status_code == 200
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    pid = menu["public_id"]
    snippets = {
        name: html.unescape(text)
        for name, text in re.findall(r'data-snippet="(\w+)">(.*?)</textarea>', page.text, re.S)
    }
    assert snippets["script"] == (
        f'<script src="{boss.base_url}/embed.js" data-chalkboard="/embed/{pid}?bg=000000&amp;tap=0"'
        ' data-title="Draft" async></script>'
    )
    assert snippets["iframe"].startswith(
        f'<iframe src="{boss.base_url}/embed/{pid}?bg=000000&amp;tap=0" title="Draft"'
    )
    assert "/embed.js" in page.text
    assert "&lt;iframe src=" in page.text
    assert f'src="/embed/{pid}?bg=000000&amp;tap=0"' in page.text  # the preview
    assert f"/m/{pid}?bg=000000&amp;tap=0" in page.text
    qr = await boss.get(base + "/qr.svg?tap=0")
    assert qr.status_code == 200
    assert qr.headers["content-type"] == "image/svg+xml"
    assert qr.text.lstrip().startswith("<svg")
    printable = await boss.page(base + "/print?tap=0")
    assert printable.status_code == 200
    assert "qr.svg?tap=0" in printable.text
    bad = await boss.page(base + "?accent=orange")
    assert bad.status_code == 422
    assert "six hex digits" in bad.text


async def test_only_owners_replace_ids_or_change_the_allowlist(
    owner: tuple[Browser, str],
    new_browser: Callable[[], Browser],
    menu: dict[str, Any],
    db: asyncpg.Pool,
) -> None:
    """An editor sees the builder and the allowlist but gets 403 changing either."""
    boss, slug = owner
    team = await boss.submit(f"/v/{slug}/invites", {"role": "editor"})
    team = await boss.page(team.headers["location"])  # redirect after POST, link shown once
    link = re.search(r"/invite/inv_[A-Za-z0-9_-]+", team.text)
    assert link
    editor = new_browser()
    await editor.sign_up()
    await editor.page(link[0])
    assert (await editor.submit(link[0])).status_code == 303
    assert (await editor.page(f"/v/{slug}/menus/{menu['menu_id']}/embed")).status_code == 200
    sites = await editor.page(f"/v/{slug}/embeds")
    assert sites.status_code == 200
    assert "Any site may embed" in sites.text
    rotate = await editor.submit(f"/v/{slug}/menus/{menu['menu_id']}/embed/rotate")
    assert rotate.status_code == 403
    change = await editor.submit(f"/v/{slug}/embeds", {"origins": "evil.example.com"})
    assert change.status_code == 403
    assert (
        await db.fetchval("SELECT public_id FROM menus WHERE id = $1", menu["menu_id"])
        == (menu["public_id"])
    )


# --- staff notes ------------------------------------------------------------------------------


async def test_staff_notes_stay_in_the_editor(
    owner: tuple[Browser, str], anyone: httpx.AsyncClient, db: asyncpg.Pool, menu: dict[str, Any]
) -> None:
    """Saved from the editor, shown there, kept by undo; never in the board, API, TV or embed."""
    boss, slug = owner
    editor_url = f"/v/{slug}/menus/{menu['menu_id']}"
    page = await boss.page(editor_url)
    assert SECRET_NOTE in page.text
    version = await db.fetchval("SELECT version FROM menus WHERE id = $1", menu["menu_id"])
    saved = await boss.submit(
        f"{editor_url}/entries/{menu['entry_id']}",
        {
            "based_on": str(version),
            "tap_label": "2",
            "status": "on_tap",
            "note": "Last pints!",
            "private_note": "Swap the coupler on Friday",
        },
    )
    assert saved.status_code == 303, saved.text
    assert "Swap the coupler on Friday" in (await boss.page(editor_url)).text
    await boss.submit(f"{editor_url}/undo", {"based_on": str(version + 1)})
    await boss.submit(f"{editor_url}/undo", {"based_on": str(version + 2)})
    after_undo = await db.fetchval(
        "SELECT private_note FROM menu_entries WHERE id = $1", menu["entry_id"]
    )
    assert after_undo == "Swap the coupler on Friday"
    snapshots = await db.fetch(
        "SELECT snapshot::text AS s FROM menu_revisions WHERE menu_id = $1", menu["menu_id"]
    )
    assert snapshots
    assert all("Swap the coupler" not in r["s"] for r in snapshots)
    assert all("private_note" not in r["s"] for r in snapshots)
    api = await boss.get(f"/api/v1/venues/{slug}/menus/{menu['menu_id']}")
    assert api.status_code == 200
    assert "Swap the coupler" not in api.text
    await asyncio.sleep(0.1)
    for path in (f"/embed/{menu['public_id']}?v=999", f"/api/v1/public/menus/{menu['public_id']}"):
        assert "Swap the coupler" not in (await anyone.get(path)).text
    too_long = await boss.submit(
        f"{editor_url}/entries/{menu['entry_id']}",
        {"based_on": str(version + 3), "tap_label": "2", "private_note": "x" * 501},
    )
    assert too_long.status_code == 303  # back to the editor, which says what to fix
    assert "at most 500 characters" in (await boss.page(too_long.headers["location"])).text


async def test_the_api_sets_staff_notes_but_never_answers_with_them(
    owner: tuple[Browser, str], db: asyncpg.Pool, menu: dict[str, Any]
) -> None:
    """PATCH private_note over the API stores it; the board it answers with leaves it out."""
    boss, slug = owner
    await boss.page(f"/v/{slug}")
    response = await boss.patch(
        f"/api/v1/venues/{slug}/menus/{menu['menu_id']}/entries/{menu['entry_id']}",
        json={"private_note": "From the POS"},
        headers={"X-CSRF-Token": boss.csrf_token},
    )
    assert response.status_code == 200, response.text
    assert "From the POS" not in response.text
    stored = await db.fetchval(
        "SELECT private_note FROM menu_entries WHERE id = $1", menu["entry_id"]
    )
    assert stored == "From the POS"


async def test_the_published_row_is_read_by_public_id_only(
    db: asyncpg.Pool, menu: dict[str, Any]
) -> None:
    """The public id names exactly one menu and its venue; ids are 22 URL-safe characters."""
    async with db.acquire() as conn:
        published = await get_published(conn, public_id=menu["public_id"])
        assert published is not None
        assert (published.menu_id, published.venue_id) == (menu["menu_id"], menu["venue_id"])
        assert await get_published(conn, public_id=menu["public_id"][:-1] + "_") is None or (
            menu["public_id"].endswith("_")
        )
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", menu["public_id"])


async def test_live_streams_end_when_the_server_drains(
    serve: Callable[..., Any], db: asyncpg.Pool, menu: dict[str, Any]
) -> None:
    """On SIGTERM an open stream ends (the browser reconnects elsewhere) and the process exits."""
    url, process = await serve()
    current = await db.fetchval("SELECT version FROM menus WHERE id = $1", menu["menu_id"])
    path = f"/embed/{menu['public_id']}/live?v={current}"
    async with (
        httpx.AsyncClient(base_url=url, timeout=30) as client,
        client.stream("GET", path) as stream,
    ):
        lines = stream.aiter_lines()
        assert (await anext(lines)).startswith("retry: ")
        process.send_signal(signal.SIGTERM)

        async def rest() -> list[str]:
            return [line async for line in lines]

        remaining = await asyncio.wait_for(rest(), 10)
    assert all(not line or line.startswith(":") for line in remaining), remaining
    # uvicorn re-raises the signal once it has shut down cleanly.
    assert await asyncio.to_thread(process.wait, 20) in (0, -signal.SIGTERM)


async def test_a_known_menu_keeps_answering_while_the_database_is_away(
    db: asyncpg.Pool, settings: Settings, menu: dict[str, Any]
) -> None:
    """A failed re-read serves the last known version; an id never seen still fails."""
    assets = Assets(settings.web_dir / "static", prefix="/static")
    env = create_templates(settings.web_dir / "templates", assets).env
    down = False

    class Flaky(Embeds):
        async def _read(self, public_id: str) -> Any:
            if down:
                raise ConnectionRefusedError("the database is failing over")
            return await super()._read(public_id)

    embeds = Flaky(db, MenuFeeds(), env, settings.web_dir)
    found = await embeds.resolve(menu["public_id"])
    assert found is not None
    down = True
    await asyncio.sleep(1.05)  # past the re-read interval
    assert await embeds.resolve(menu["public_id"]) == found
    with pytest.raises(ConnectionRefusedError):
        await embeds.resolve(secrets.token_urlsafe(16))
    embeds.close()
