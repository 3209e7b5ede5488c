"""The menu editor and the venue's library and serving sizes: server-rendered pages for
staff, enhanced by web/static/js/editor.js. One module per concern; the routes are here."""

from __future__ import annotations

from typing import Any

from chalkboard.http.routing import Access, AppRoute, Endpoint
from chalkboard.menus.views.editing import editor
from chalkboard.menus.views.entries import (
    add_entry,
    duplicate_entry,
    kick,
    move_entry,
    remove_entry,
    update_entry,
)
from chalkboard.menus.views.library import (
    IMPORT_MAX_BODY,
    beverages,
    create_beverage,
    delete_beverage,
    export_beverages,
    import_beverages,
    update_beverage,
)
from chalkboard.menus.views.menus import (
    create_menu,
    delete_menu,
    export_menu,
    history,
    import_menu,
    rename_menu,
    restore,
    restore_page,
    undo,
)
from chalkboard.menus.views.sections import (
    add_section,
    move_section,
    remove_section,
    update_section,
)
from chalkboard.menus.views.sizes import create_size, delete_size, sizes, update_size

# --- routes --------------------------------------------------------------------------------

MENU = "/v/{slug}/menus/{menu_id:int}"
SECTION = MENU + "/sections/{section_id:int}"
ENTRY = MENU + "/entries/{entry_id:int}"
BEVERAGE = "/v/{slug}/beverages/{beverage_id:int}"
SIZE = "/v/{slug}/sizes/{size_id:int}"


def _post(path: str, endpoint: Endpoint, **options: Any) -> AppRoute:
    return AppRoute(path, endpoint, access=Access.VENUE, methods=["POST"], **options)


routes: list[AppRoute] = [
    _post("/v/{slug}/menus", create_menu),
    AppRoute(MENU, editor, access=Access.VENUE),
    _post(MENU + "/rename", rename_menu),
    AppRoute(MENU + "/delete", delete_menu, access=Access.VENUE_OWNER, methods=["POST"]),
    _post(MENU + "/undo", undo),
    AppRoute(MENU + "/history", history, access=Access.VENUE),
    AppRoute(MENU + "/export.csv", export_menu, access=Access.VENUE),
    _post(MENU + "/import", import_menu, max_body=IMPORT_MAX_BODY),
    AppRoute(MENU + "/history/{version:int}", restore_page, access=Access.VENUE),
    _post(MENU + "/history/{version:int}/restore", restore),
    _post(MENU + "/sections", add_section),
    _post(SECTION, update_section),
    _post(SECTION + "/move", move_section),
    _post(SECTION + "/remove", remove_section),
    _post(SECTION + "/entries", add_entry),
    _post(ENTRY, update_entry),
    _post(ENTRY + "/move", move_entry),
    _post(ENTRY + "/duplicate", duplicate_entry),
    _post(ENTRY + "/remove", remove_entry),
    _post(ENTRY + "/kick", kick),
    AppRoute("/v/{slug}/beverages", beverages, access=Access.VENUE),
    AppRoute("/v/{slug}/beverages.csv", export_beverages, access=Access.VENUE),
    _post("/v/{slug}/beverages", create_beverage),
    _post("/v/{slug}/beverages/import", import_beverages, max_body=IMPORT_MAX_BODY),
    _post(BEVERAGE, update_beverage),
    _post(BEVERAGE + "/delete", delete_beverage),
    AppRoute("/v/{slug}/sizes", sizes, access=Access.VENUE),
    _post("/v/{slug}/sizes", create_size),
    _post(SIZE, update_size),
    _post(SIZE + "/delete", delete_size),
]
