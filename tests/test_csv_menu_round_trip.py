"""A menu's spreadsheet goes out and comes back whole: sizes per section, keg levels, and
errors that say which row, which column and what was typed."""

from __future__ import annotations

import asyncpg

from tests.conftest import Browser
from tests.test_editor_views import DONE, Menu, new_menu

SECTION_SIZES = """
SELECT s.name, array_agg(z.name ORDER BY z.position) FILTER (WHERE z.id IS NOT NULL) AS sizes
FROM menu_sections s
LEFT JOIN section_sizes ss ON ss.section_id = s.id
LEFT JOIN serving_sizes z ON z.id = ss.serving_size_id
WHERE s.menu_id = $1 GROUP BY s.id ORDER BY s.position
"""


async def test_a_menu_exported_and_imported_keeps_its_section_sizes_and_keg_levels(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """Taps priced by Half and Pint, Cocktails by the Glass, a keg at 35 %: the download is
    named after the menu, and imported into a new menu it comes back the same."""
    menu = await new_menu(owner, db)
    boss, slug = owner
    assert (await boss.submit(f"/v/{slug}/sizes", {"name": "Glass", "volume": "175"})).is_redirect
    menu.version = await menu.db_version()  # a new size is a change to every menu
    taps = await menu.ids("menu_sections", name="On tap")
    half, pint, glass = [
        await menu.ids("serving_sizes", name=name) for name in ("Half", "Pint", "Glass")
    ]
    await menu.save(
        f"/sections/{taps}",
        name="On tap",
        kind="taps",
        sizes_shown="1",
        **{f"size_{half}": "1", f"size_{pint}": "1"},
    )
    await menu.save(
        "/sections", name="Cocktails", kind="list", sizes_shown="1", **{f"size_{glass}": "1"}
    )
    cocktails = await menu.ids("menu_sections", name="Cocktails")
    await menu.save(
        f"/sections/{taps}/entries",
        beverage_id=str(await menu.ids("beverages", name="Foghorn Pils")),
        tap_label="1",
        **{f"price_{half}": "3.20", f"price_{pint}": "5.80"},
    )
    pils = await menu.ids("menu_entries", tap_label="1")
    await menu.save(
        f"/entries/{pils}", tap_label="1", status="on_tap", keg_percent="35",
        **{f"price_{half}": "3.20", f"price_{pint}": "5.80"},
    )  # fmt: skip
    await menu.save(
        f"/sections/{cocktails}/entries", new_name="Negroni", new_kind="cocktail",
        **{f"price_{glass}": "9.50"},
    )  # fmt: skip
    await menu.save("/rename", name="Draft list")

    exported = await boss.get(f"{menu.url}/export.csv")
    assert exported.headers["content-disposition"] == (
        f'attachment; filename="{slug}-draft-list.csv"'
    )
    created = await boss.submit(f"/v/{slug}/menus", {"name": "Copy"})
    found = DONE.search(created.headers["location"])
    assert found
    copy = Menu(boss, slug, db, int(found[1]), int(found[2]))
    await copy.save("/import", csv=exported.text)

    sizes = [(r["name"], r["sizes"]) for r in await db.fetch(SECTION_SIZES, copy.id)]
    assert sizes == [("On tap", ["Half", "Pint"]), ("Cocktails", ["Glass"])]
    assert [(e["beverage"], e["keg_percent"], e["prices"]) for e in await copy.entries()] == [
        ("Foghorn Pils", 35, {"Half": 320, "Pint": 580}),
        ("Negroni", None, {"Glass": 950}),
    ]
    again = await boss.get(f"{copy.url}/export.csv")
    assert again.text.splitlines()[1:] == exported.text.splitlines()[1:]


async def test_a_bad_cell_is_named_by_row_column_and_what_was_typed(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """Messages read as a person would write them, never pydantic's; nothing is imported."""
    menu = await new_menu(owner, db)
    bad = (
        "section,tap,name,abv,keg_percent,Pint\n"
        "On tap,1,Foghorn Pils,4.8,50,6.20\n"
        "On tap,2,Ghost Gose,strong,lots,\n"
        'On tap,3,Night Shift,,,"4,5x"\n'
    )
    refused = (await menu.refused("/import", csv=bad)).text
    assert "Row 3, ABV: &#39;strong&#39; is not a number: type it like 4.5." in refused
    assert "Row 3, Keg left (%): &#39;lots&#39; is not a number: type it like 4.5." in refused
    assert "Row 4, Pint price: &#39;4,5x&#39; is not a price: type it like 4.50." in refused
    assert "Input should be" not in refused
    assert await menu.entries() == []
