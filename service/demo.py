"""The demo venue: a believable taproom to click around in, created once and then left alone."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from chalkboard.accounts import passwords
from chalkboard.accounts import queries as accounts
from chalkboard.db import Conn
from chalkboard.menus import operations
from chalkboard.menus import queries as menus
from chalkboard.venues import queries as venues

DEMO_EMAIL = "demo@chalkboard.example"
DEMO_PASSWORD = "pints-and-pixels"  # dev only: `serve --demo` refuses to run in production
DEMO_SLUG = "demo-taproom"
KEG_ML = 58674  # a US half-barrel

SIZES = [("Taster", "148"), ("Half", "296"), ("Pint", "473"), ("Growler", "1893")]
# tap, name, producer, style, abv, ibu, description, tags, status, keg %, prices per size (cents)
# An on-deck beverage waits for a tap: Big Sky Red goes on tap 3 when the stout kicks.
TAPS = [
    (
        "1",
        "Foghorn Pils",
        "Harbor Light Brewing",
        "German Pilsner",
        "5.0",
        35,
        "Crisp, floral, bone-dry finish.",
        ["Crisp"],
        "on_tap",
        "82",
        [250, 450, 700, 2200],
    ),
    (
        "2",
        "Juice Box",
        "Two Rivers Ales",
        "Hazy IPA",
        "6.8",
        45,
        "Mango, orange peel and soft bitterness.",
        ["New"],
        "on_tap",
        "64",
        [300, 550, 850, 2600],
    ),
    (
        "3",
        "Night Shift",
        "Harbor Light Brewing",
        "Oatmeal Stout",
        "5.9",
        30,
        "Coffee, cocoa, silky on nitro.",
        ["Nitro"],
        "on_tap",
        "37",
        [300, 500, 800, 2400],
    ),
    (
        "4",
        "Orchard Gold",
        "Kettle Hill Cider Co.",
        "Dry Cider",
        "6.2",
        None,
        "Heirloom apples, bright and tart.",
        ["Gluten-free"],
        "on_tap",
        "91",
        [300, 550, 850, 2600],
    ),
    (
        "5",
        "Sour Patch Kid",
        "Two Rivers Ales",
        "Raspberry Sour",
        "4.5",
        8,
        "Tart raspberry, a little funk.",
        [],
        "on_tap",
        "12",
        [300, 550, 900, 2800],
    ),
    (
        "3",
        "Big Sky Red",
        "Prairie Works",
        "Amber Ale",
        "5.4",
        28,
        "Toffee malt, clean finish.",
        [],
        "on_deck",
        None,
        [250, 450, 700, 2200],
    ),
]
CANS = [
    ("Trail Mix", "Prairie Works", "Session IPA", "4.3", 40, "16 oz can", 650),
    ("Zero Hour", "Harbor Light Brewing", "Non-alcoholic Lager", "0.4", 15, "12 oz can", 500),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    slug: str


async def ensure_demo(conn: Conn) -> DemoLogin:
    """Create the demo login and venue when missing; an existing demo keeps its edits."""
    login = DemoLogin(DEMO_EMAIL, DEMO_PASSWORD, DEMO_SLUG)
    user = await accounts.get_user_by_email(conn, email=DEMO_EMAIL)
    if user is None:
        user = await accounts.create_user(
            conn, email=DEMO_EMAIL, password_hash=await passwords.hash_password(DEMO_PASSWORD)
        )
        assert user is not None
    if await venues.get_venue_by_slug(conn, slug=DEMO_SLUG) is not None:
        return login
    venue = await venues.create_venue(
        conn,
        slug=DEMO_SLUG,
        name="The Demo Taproom",
        timezone="America/Denver",
        currency="USD",
        volume_unit="oz",
    )
    assert venue is not None
    await venues.add_member(conn, venue_id=venue.id, user_id=user.id, role="owner")
    sizes = [
        await menus.create_serving_size(conn, venue_id=venue.id, name=name, volume_ml=Decimal(ml))
        for name, ml in SIZES
    ]
    actor = operations.Actor(user_id=user.id)

    draft = await operations.create_menu(conn, venue_id=venue.id, name="Draft", actor=actor)

    async def pour_the_taps() -> str:
        section = await menus.create_section(
            conn, venue_id=venue.id, menu_id=draft["menu"]["id"], name="On Tap", kind="taps"
        )
        for tap, name, producer, style, abv, ibu, about, tags, status, keg, prices in TAPS:
            beverage = await menus.create_beverage(
                conn,
                venue_id=venue.id,
                name=name,
                producer=producer,
                style=style,
                abv=Decimal(abv),
                ibu=ibu,
                description=about,
                tags=tags,
                kind="cider" if "Cider" in style else "beer",
            )
            entry_id = await menus.insert_entry(
                conn,
                venue_id=venue.id,
                section_id=section,
                beverage_id=beverage.id,
                tap_label=tap,
                status=status,
                keg_percent=Decimal(keg) if keg else None,
                keg_size_ml=KEG_ML,
                keg_remaining_ml=int(KEG_ML * int(keg) / 100) if keg else None,
            )
            await menus.set_prices(
                conn,
                venue_id=venue.id,
                entry_id=entry_id,
                prices={size.id: cents for size, cents in zip(sizes, prices, strict=True)},
            )
        return "Added the sample tap list"

    await operations.change_menu(
        conn,
        venue_id=venue.id,
        menu_id=draft["menu"]["id"],
        based_on=None,
        actor=actor,
        edit=pour_the_taps,
    )

    bottles = await operations.create_menu(
        conn, venue_id=venue.id, name="Cans & Bottles", actor=actor
    )

    async def stock_the_fridge() -> str:
        section = await menus.create_section(
            conn, venue_id=venue.id, menu_id=bottles["menu"]["id"], name="Cans", kind="list"
        )
        for name, producer, style, abv, ibu, note, cents in CANS:
            beverage = await menus.create_beverage(
                conn,
                venue_id=venue.id,
                name=name,
                producer=producer,
                style=style,
                abv=Decimal(abv),
                ibu=ibu,
                kind="non_alcoholic" if Decimal(abv) < 1 else "beer",
            )
            entry_id = await menus.insert_entry(
                conn, venue_id=venue.id, section_id=section, beverage_id=beverage.id, note=note
            )
            await menus.set_prices(
                conn, venue_id=venue.id, entry_id=entry_id, prices={sizes[2].id: cents}
            )
        return "Added the sample cans"

    await operations.change_menu(
        conn,
        venue_id=venue.id,
        menu_id=bottles["menu"]["id"],
        based_on=None,
        actor=actor,
        edit=stock_the_fridge,
    )
    return login
