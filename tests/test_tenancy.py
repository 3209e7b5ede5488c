"""Tenancy is absolute: every venue-scoped route, probed with another venue's ids, is a 404.

The route list comes from the app itself, so a new route cannot escape: an unclassified
route, or a path parameter this test has no probe value for, fails the test.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
from starlette.routing import Mount

from chalkboard.app import create_app
from chalkboard.displays import queries as displays
from chalkboard.http.routing import Access, AppRoute, BareRoute, SocketRoute
from chalkboard.menus import operations
from chalkboard.menus import queries as menus
from chalkboard.promos import queries as promos
from chalkboard.schedules import dayparts
from chalkboard.schedules import queries as schedules
from chalkboard.schedules.forms import DayPartIn
from chalkboard.settings import Settings
from tests.builders import priced_menu, stored_image
from tests.conftest import Browser
from tests.test_venues import invite

VENUE_SCOPED = {Access.VENUE, Access.VENUE_OWNER, Access.API}
PARAM = re.compile(r"{(\w+)(?::\w+)?}")

SNAPSHOT = """
SELECT
  (SELECT json_agg(m ORDER BY user_id) FROM memberships m WHERE venue_id = $1) AS members,
  (SELECT json_agg(i ORDER BY id) FROM invites i WHERE venue_id = $1) AS invites,
  (SELECT json_agg(t.* ORDER BY id) FROM (SELECT id, name, scope, revoked_at FROM api_tokens
    WHERE venue_id = $1) t) AS tokens,
  (SELECT row_to_json(v) FROM venues v WHERE id = $1) AS venue,
  (SELECT json_agg(r.snapshot ORDER BY version) FROM menu_revisions r WHERE venue_id = $1)
    AS boards,
  (SELECT json_agg(b ORDER BY id) FROM beverages b WHERE venue_id = $1) AS beverages,
  (SELECT json_agg(z ORDER BY id) FROM serving_sizes z WHERE venue_id = $1) AS sizes,
  (SELECT json_agg(d ORDER BY id) FROM displays d WHERE venue_id = $1) AS displays,
  (SELECT json_agg(i ORDER BY id) FROM images i WHERE venue_id = $1) AS images,
  (SELECT json_agg(p ORDER BY id) FROM promo_slides p WHERE venue_id = $1) AS slides,
  (SELECT json_agg(p ORDER BY slide_id, display_id) FROM promo_slide_displays p
    WHERE venue_id = $1) AS slide_displays,
  (SELECT json_agg(d ORDER BY id) FROM dayparts d WHERE venue_id = $1) AS dayparts,
  (SELECT json_agg(p ORDER BY daypart_id) FROM daypart_prices p WHERE venue_id = $1)
    AS daypart_prices,
  (SELECT json_agg(p ORDER BY id) FROM planned_changes p WHERE venue_id = $1) AS planned,
  (SELECT json_agg(r ORDER BY display_id, daypart_id) FROM display_daypart_menus r
    WHERE venue_id = $1) AS daypart_menus
"""


async def menu_objects(db: asyncpg.Pool, venue_id: int) -> dict[str, int]:
    """A priced menu, a display on it, an image (the beverage's and a slide's), a day-part
    pricing the entry and switching the display, and a planned change; their ids."""
    actor = operations.Actor()
    async with db.acquire() as conn, conn.transaction():
        built = await priced_menu(conn, venue_id, menu="Draft", beverage="Secret Stout", price=700)
        menu_id, entry_id = built.menu_id, built.entry_id
        display = await displays.create_display(
            conn, venue_id=venue_id, name="Bar TV", menu_id=menu_id
        )
        image = await stored_image(conn, venue_id, sha256="b" * 64)
        await menus.set_beverage_image(
            conn, venue_id=venue_id, beverage_id=built.beverage_id, image_id=image.id
        )
        slide_id = await promos.create_slide(
            conn,
            venue_id=venue_id,
            title="Trivia night",
            body="",
            image_id=image.id,
            seconds=10,
            starts_on=None,
            ends_on=None,
            display_ids=[display.id],
        )
        daypart = await dayparts.save_daypart(
            conn,
            venue_id=venue_id,
            daypart_id=None,
            form=DayPartIn.model_validate(
                {
                    "name": "Happy hour",
                    "windows": [{"days": ["fri"], "start": "16:00", "end": "18:00"}],
                    "entries": [{"entry_id": entry_id, "prices": {built.size_id: 500}}],
                }
            ),
            actor=actor,
        )
        await displays.replace_menu_rules(
            conn, venue_id=venue_id, display_id=display.id, rules=[(daypart.id, menu_id)]
        )
        planned = await schedules.create_planned(
            conn,
            venue_id=venue_id,
            menu_id=menu_id,
            run_at=datetime.now(UTC) + timedelta(days=7),
            change={"rename": "Later"},
            planned_by="test",
            actor_user_id=None,
            actor_token_id=None,
        )
        board = await operations.current_board(conn, venue_id=venue_id, menu_id=menu_id)
    return {
        "daypart_id": daypart.id,
        "planned_id": planned.id,
        "image_id": image.id,
        "display_id": display.id,
        "size_id": built.size_id,
        "beverage_id": built.beverage_id,
        "menu_id": menu_id,
        "section_id": built.section_id,
        "entry_id": entry_id,
        "version": board["menu"]["version"],
        "slide_id": slide_id,
    }


def test_every_route_declares_who_may_call_it(settings: Settings) -> None:
    """Each route is an AppRoute/BareRoute/SocketRoute with an Access level, or a static mount."""
    unclassified = []
    for route in create_app(settings).routes:
        if isinstance(route, Mount) and route.path in ("/static", "/tv/assets"):
            continue
        if not isinstance(route, AppRoute | BareRoute | SocketRoute) or not isinstance(
            route.access, Access
        ):
            unclassified.append(getattr(route, "path", repr(route)))
    assert unclassified == [], f"routes without a declared Access: {unclassified}"


async def test_another_venues_objects_are_404_on_every_venue_route(
    settings: Settings, new_browser: Callable[[], Browser], db: asyncpg.Pool
) -> None:
    """Venue B's owner gets 404 for every venue route of venue A, and A's data is unchanged."""
    alice = new_browser()
    await alice.sign_up()
    slug_a = await alice.create_venue("Alice's Alehouse")
    invite_path = await invite(alice, slug_a)
    await alice.submit(f"/v/{slug_a}/tokens", {"name": "POS", "scope": "write"})
    venue_a = await db.fetchrow(
        "SELECT v.id, m.user_id FROM venues v JOIN memberships m ON m.venue_id = v.id "
        "WHERE v.slug = $1",
        slug_a,
    )
    ids_of_a = {
        "invite_id": await db.fetchval("SELECT id FROM invites WHERE venue_id = $1", venue_a["id"]),
        "token_id": await db.fetchval(
            "SELECT id FROM api_tokens WHERE venue_id = $1", venue_a["id"]
        ),
        "user_id": venue_a["user_id"],
        **await menu_objects(db, venue_a["id"]),
    }
    before = dict(await db.fetchrow(SNAPSHOT, venue_a["id"]))

    bob = new_browser()
    await bob.sign_up()
    slug_b = await bob.create_venue("Bob's Brewpub")
    token_b = re.search(
        r'value="(cbt_[^"]+)"',
        (await bob.submit(f"/v/{slug_b}/tokens", {"name": "B", "scope": "write"})).text,
    )
    assert token_b

    probed = 0
    for route in create_app(settings).routes:
        if not isinstance(route, AppRoute) or route.access not in VENUE_SCOPED:
            continue
        params = PARAM.findall(route.path)
        unknown = set(params) - {"slug", *ids_of_a}
        assert not unknown, f"{route.path}: give this test a probe value for {unknown}"
        # A's slug with A's ids; and B's own slug with A's ids (when the route has any).
        attempts = [{"slug": slug_a, **ids_of_a}]
        if len(params) > 1:
            attempts.append({"slug": slug_b, **ids_of_a})
        for values in attempts:
            path = PARAM.sub(lambda m, v=values: str(v[m[1]]), route.path)
            for method in sorted(route.methods or []):
                if method == "HEAD":
                    continue
                if method == "GET":
                    response = await bob.get(path)
                elif route.access is Access.API:
                    # Path ids are resolved before the body is read: an empty body still 404s.
                    response = await bob.request(
                        method, path, json={}, headers={"X-CSRF-Token": bob.csrf_token}
                    )
                else:
                    response = await bob.request(
                        method,
                        path,
                        data={
                            "csrf_token": bob.csrf_token,
                            "role": "owner",
                            "name": "x",
                            "scope": "write",
                        },
                    )
                assert response.status_code == 404, f"{method} {path}: {response.status_code}"
                probed += 1
            if route.access is Access.API and "GET" in (route.methods or ()):
                bearer = await bob.get(path, headers={"Authorization": f"Bearer {token_b[1]}"})
                assert bearer.status_code == 404, f"Bearer GET {path}"
    assert probed >= 10
    assert dict(await db.fetchrow(SNAPSHOT, venue_a["id"])) == before
    # And A's invite is still usable by the person it was meant for.
    assert (await new_browser().page(invite_path)).status_code == 200


async def test_api_tokens_open_only_their_own_venue(owner: tuple[Browser, str]) -> None:
    """A read token reads its venue; a bad token is 401; a revoked token stops working."""
    boss, slug = owner
    created = await boss.submit(f"/v/{slug}/tokens", {"name": "Keg scale", "scope": "read"})
    token = re.search(r'value="(cbt_[^"]+)"', created.text)
    assert token
    headers = {"Authorization": f"Bearer {token[1]}"}
    async with httpx.AsyncClient(base_url=str(boss.base_url)) as api:
        response = await api.get(f"/api/v1/venues/{slug}", headers=headers)
        assert response.status_code == 200
        assert response.json()["slug"] == slug
        bad = await api.get(f"/api/v1/venues/{slug}", headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401
        assert "not valid" in bad.json()["error"]["message"]
        listing = await boss.page(f"/v/{slug}/tokens")
        token_id = re.search(rf"/v/{slug}/tokens/(\d+)/revoke", listing.text)
        assert token_id
        await boss.submit(f"/v/{slug}/tokens/{token_id[1]}/revoke")
        revoked = await api.get(f"/api/v1/venues/{slug}", headers=headers)
        assert revoked.status_code == 401


def test_public_menus_are_reached_only_by_their_public_id(settings: Settings) -> None:
    """Public menu routes name no venue or menu id; staff embed routes are venue-scoped."""
    public, staff = [], []
    for route in create_app(settings).routes:
        path = getattr(route, "path", "")
        if "public_id" in path:
            public.append(route)
        elif "/embed" in path and path.startswith("/v/"):
            staff.append(route)
    assert {r.path for r in public} >= {"/embed/{public_id}", "/m/{public_id}"}
    for route in public:
        # Bare: no session is read and no cookie set; the id is the only thing it trusts.
        assert isinstance(route, BareRoute), route.path
        assert set(PARAM.findall(route.path)) == {"public_id"}, route.path
    assert len(staff) >= 4
    assert all(isinstance(r, AppRoute) and r.access in VENUE_SCOPED for r in staff)


def test_operator_pages_read_no_session(settings: Settings) -> None:
    """/ops/* spans every venue: bare routes behind METRICS_TOKEN, never a venue session."""
    operator = [
        r for r in create_app(settings).routes if getattr(r, "path", "").startswith("/ops/")
    ]
    assert {r.path for r in operator} >= {"/ops/cost"}
    assert all(isinstance(r, BareRoute) for r in operator)
