"""A clash says truthfully who changed the thing first: another person or token by name, or
the same account on another device or tab."""

from __future__ import annotations

from chalkboard.menus import openapi
from tests import test_menu_api
from tests.test_menu_api import TOKEN, Venue, api_client, error, make_menu

venue = test_menu_api.venue  # the fixture: a fresh venue with a write token


async def test_a_clash_names_who_changed_it_or_says_it_was_you_elsewhere(venue: Venue) -> None:
    """The same token saving from a stale version is told it changed the note elsewhere; a
    second token is told the first one's name."""
    menu = await make_menu(venue.api)
    entry = f"menus/{menu.id}/entries/{menu.entry_id}"
    await venue.api.patch(entry, json={"note": "Fresh keg"})

    mine = await venue.api.patch(f"{entry}?based_on={menu.version}", json={"note": "Mine"})
    message = error(mine, 409)["message"]
    assert message.startswith(
        "You changed Landlord: note on another device or tab while you were editing"
    ), message

    created = await venue.owner.submit(
        f"/v/{venue.slug}/tokens", {"name": "Keg scale", "scope": "write"}
    )
    found = TOKEN.search(created.text)
    assert found, created.text
    async with api_client(venue.owner, venue.slug, found[1]) as scale:
        theirs = await scale.patch(f"{entry}?based_on={menu.version}", json={"note": "Theirs"})
    message = error(theirs, 409)["message"]
    assert message.startswith("write changed Landlord: note while you were editing"), message
    board = openapi.Board.model_validate(theirs.json()["current"]).model_dump()
    assert board["sections"][0]["entries"][0]["note"] == "Fresh keg"
