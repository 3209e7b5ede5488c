"""Promo slides: staff add a picture or text slide for chosen TVs; the TVs hear of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg

from chalkboard.displays import queries as displays
from chalkboard.live.protocol import shown
from tests.builders import stored_image, venue_id_of
from tests.conftest import Browser
from tests.test_displays import hear, listening, paired

SLIDE = {"title": "Trivia night", "body": "Thursdays at 8", "seconds": "12"}


async def slide_rows(db: asyncpg.Pool, slug: str) -> list[dict[str, Any]]:
    rows = await db.fetch(
        "SELECT s.title, s.body, s.seconds, s.starts_on, s.ends_on, s.image_id,"
        " array(SELECT display_id FROM promo_slide_displays d WHERE d.slide_id = s.id) AS shown_on"
        " FROM promo_slides s JOIN venues v ON v.id = s.venue_id WHERE v.slug = $1 ORDER BY s.id",
        slug,
    )
    return [dict(row) for row in rows]


async def an_image(db: asyncpg.Pool, venue_id: int) -> int:
    async with db.acquire() as conn:
        image = await stored_image(conn, venue_id, sha256="c" * 64, width=1920, height=1080)
    return image.id


async def test_a_text_slide_goes_to_the_chosen_tvs_only(
    owner: tuple[Browser, str], db: asyncpg.Pool, database_url: str
) -> None:
    """Added for "Bar" but not "Patio": Bar hears display_changed and its display message
    carries the slide; Patio's does not; the page lists it."""
    boss, slug = owner
    bar = await paired(boss, slug, db)
    patio = await paired(boss, slug, db)
    url = f"/v/{slug}/displays/slides"
    await boss.page(url)
    async with listening(database_url, "display_changed") as heard:
        response = await boss.submit(url, {**SLIDE, f"display_{bar}": "on"})
        assert response.status_code == 303, response.text
        await hear(heard, f"{bar}:updated")
    assert await slide_rows(db, slug) == [
        {
            "title": "Trivia night",
            "body": "Thursdays at 8",
            "seconds": 12,
            "starts_on": None,
            "ends_on": None,
            "image_id": None,
            "shown_on": [bar],
        }
    ]
    venue_id = await venue_id_of(db, slug)
    async with db.acquire() as conn:
        on_bar = await displays.get_display(conn, venue_id=venue_id, display_id=bar)
        on_patio = await displays.get_display(conn, venue_id=venue_id, display_id=patio)
    assert on_bar is not None
    assert on_patio is not None
    (sent,) = shown(on_bar)["slides"]
    assert (sent["title"], sent["seconds"], sent["image"]) == ("Trivia night", 12, None)
    assert "slides" not in shown(on_patio)
    page = await boss.page(url)
    assert "Trivia night" in page.text


async def test_a_picture_slide_with_dates_and_its_image_cannot_be_deleted(
    owner: tuple[Browser, str], db: asyncpg.Pool
) -> None:
    """A picture slide from the library, for two days: the TV gets the picture's URL and the
    days; deleting the picture is refused while the slide shows it; deleting the slide works."""
    boss, slug = owner
    bar = await paired(boss, slug, db)
    venue_id = await venue_id_of(db, slug)
    image_id = await an_image(db, venue_id)
    url = f"/v/{slug}/displays/slides"
    await boss.page(url)
    response = await boss.submit(
        url,
        {
            "title": "",
            "image_id": str(image_id),
            "seconds": "8",
            "starts_on": "2030-01-01",
            "ends_on": "2030-01-02",
            f"display_{bar}": "on",
        },
    )
    assert response.status_code == 303, response.text
    async with db.acquire() as conn:
        display = await displays.get_display(conn, venue_id=venue_id, display_id=bar)
    assert display is not None
    (sent,) = shown(display)["slides"]
    assert (sent["starts_on"], sent["ends_on"]) == ("2030-01-01", "2030-01-02")
    assert sent["image"]["url"] == f"/media/{venue_id}/{'c' * 64}-1920.jpg"

    refused = await boss.submit(f"/v/{slug}/media/{image_id}/delete")
    assert refused.status_code == 409
    assert "promo slides without a title" in refused.text

    slide_id = await db.fetchval("SELECT id FROM promo_slides WHERE venue_id = $1", venue_id)
    page = await boss.page(url)
    assert f"/slides/{slide_id}/delete" in page.text
    deleted = await boss.submit(f"{url}/{slide_id}/delete")
    assert deleted.status_code == 303
    assert await slide_rows(db, slug) == []


async def test_an_incomplete_or_foreign_slide_is_422_and_writes_nothing(
    owner: tuple[Browser, str], new_browser: Callable[[], Browser], db: asyncpg.Pool
) -> None:
    """No title and no picture, days the wrong way round, 2 seconds, no TV, another venue's
    TV or picture: each refused with a message; no slide is written."""
    boss, slug = owner
    bar = await paired(boss, slug, db)
    other = new_browser()
    await other.sign_up()
    other_slug = await other.create_venue()
    foreign_tv = await paired(other, other_slug, db)
    foreign_image = await an_image(db, await venue_id_of(db, other_slug))
    url = f"/v/{slug}/displays/slides"
    await boss.page(url)
    mine = f"display_{bar}"
    cases = {
        "Give the slide a picture or a title": {"title": "", mine: "on"},
        "The last day comes before the first": {
            **SLIDE,
            "starts_on": "2030-02-02",
            "ends_on": "2030-02-01",
            mine: "on",
        },
        "Use 3 to 60 seconds.": {**SLIDE, "seconds": "2", mine: "on"},
        "Choose at least one TV": {**SLIDE},
        "Choose among this venue&#39;s TVs.": {**SLIDE, f"display_{foreign_tv}": "on"},
        "Choose one of your images.": {**SLIDE, "image_id": str(foreign_image), mine: "on"},
    }
    for message, values in cases.items():
        response = await boss.submit(url, values)
        assert response.status_code == 422, message
        assert message in response.text, message
    assert await slide_rows(db, slug) == []
