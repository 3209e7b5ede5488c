"""The JSON API for integrators (POS, keg sensors, scripts): /api/v1/venues/{slug}/...

The same changes as the editor, through `menus.operations`. Each route also declares what
its OpenAPI description needs besides the path (body, query, answer, If-Match), so the
document at /api/v1/openapi.json is built from this very list and cannot drift from it.

Every endpoint follows the same order:
  1. resolve the path's ids in the venue (404 before anything else, so another venue's ids
     never get as far as validation);
  2. read `If-Match: "<version>"` (the change is refused with 412 when the menu changed
     at all since), or `?based_on=<version>` (refused with 409 only when what the change
     changes changed since: menus/conflicts.py);
  3. read the body: not a JSON object is a 400; fields that do not validate are a 422 with a
     message per field, raised before anything is written;
  4. change, and answer with the new board or object and `ETag: "<version>"`.
"""

from __future__ import annotations

from chalkboard.http.routing import Access, AppRoute
from chalkboard.menus import openapi
from chalkboard.menus.api.base import (
    MAX_ID,
    MAX_IMPORT_BYTES,
    ApiRoute,
    BeverageSearch,
    Json,
    MergeBase,
    RevisionPage,
    actor_of,
    beverage_in_path,
    read_body,
)
from chalkboard.menus.api.library import (
    create_beverage,
    create_serving_size,
    delete_beverage,
    delete_serving_size,
    get_beverage,
    import_beverages,
    list_serving_sizes,
    search_beverages,
    update_beverage,
    update_serving_size,
)
from chalkboard.menus.api.menus import (
    add_entry,
    add_section,
    create_menu,
    delete_entry,
    delete_menu,
    delete_section,
    duplicate_entry,
    get_menu,
    kick_entry,
    list_menus,
    list_revisions,
    move_entry,
    move_section,
    record_pour,
    rename_menu,
    restore,
    undo,
    update_entry,
    update_section,
)
from chalkboard.menus.api.reference import api_docs, openapi_json
from chalkboard.menus.forms import (
    BeverageIn,
    EntryIn,
    EntryMove,
    EntryPatch,
    MenuIn,
    PourIn,
    RestoreIn,
    SectionIn,
    SectionMove,
    ServingSizeIn,
)

# For other domains' API routes (media/api.py): the same route class, reading and lookups.
__all__ = ["MAX_ID", "ApiRoute", "Json", "actor_of", "beverage_in_path", "read_body", "routes"]

MENU = "/menus/{menu_id:int}"
SECTION = MENU + "/sections/{section_id:int}"
ENTRY = MENU + "/entries/{entry_id:int}"
BEVERAGE = "/beverages/{beverage_id:int}"
SIZE = "/serving-sizes/{size_id:int}"

API_ROUTES = [
    ApiRoute("GET", "/menus", list_menus, answer=openapi.MenuList),
    ApiRoute(
        "POST",
        "/menus",
        create_menu,
        answer=openapi.Board,
        status=201,
        body=MenuIn,
        example={"name": "Draft list"},
    ),
    ApiRoute("GET", MENU, get_menu, answer=openapi.Board),
    ApiRoute(
        "PATCH",
        MENU,
        rename_menu,
        answer=openapi.Board,
        body=MenuIn,
        if_match=True,
        query=MergeBase,
        conflict=True,
        example={"name": "Summer drafts"},
    ),
    ApiRoute("DELETE", MENU, delete_menu, answer=None, status=204),
    ApiRoute(
        "POST",
        MENU + "/sections",
        add_section,
        answer=openapi.Board,
        status=201,
        body=SectionIn,
        if_match=True,
        example={"name": "On tap", "kind": "taps"},
    ),
    ApiRoute(
        "PATCH",
        SECTION,
        update_section,
        answer=openapi.Board,
        body=SectionIn,
        partial=True,
        if_match=True,
        query=MergeBase,
        conflict=True,
        example={"name": "Cans & bottles", "kind": "list"},
    ),
    ApiRoute(
        "DELETE",
        SECTION,
        delete_section,
        answer=openapi.Board,
        if_match=True,
        query=MergeBase,
        conflict=True,
    ),
    ApiRoute(
        "POST",
        SECTION + "/move",
        move_section,
        answer=openapi.Board,
        body=SectionMove,
        if_match=True,
        query=MergeBase,
        conflict=True,
        example={"position": 0},
    ),
    ApiRoute(
        "POST",
        MENU + "/entries",
        add_entry,
        answer=openapi.Board,
        status=201,
        body=EntryIn,
        if_match=True,
        query=MergeBase,
        conflict=True,
        example={
            "section_id": 1,
            "beverage_id": 1,
            "tap_label": "4",
            "keg_size_ml": 19500,
            "prices": {"1": 650, "2": 450},
        },
    ),
    ApiRoute(
        "PATCH",
        ENTRY,
        update_entry,
        answer=openapi.Board,
        body=EntryPatch,
        partial=True,
        if_match=True,
        query=MergeBase,
        conflict=True,
        example={"status": "on_deck", "prices": {"1": 700}},
    ),
    ApiRoute(
        "DELETE",
        ENTRY,
        delete_entry,
        answer=openapi.Board,
        if_match=True,
        query=MergeBase,
        conflict=True,
    ),
    ApiRoute(
        "POST",
        ENTRY + "/move",
        move_entry,
        answer=openapi.Board,
        body=EntryMove,
        if_match=True,
        query=MergeBase,
        conflict=True,
        example={"section_id": 1, "position": 0},
    ),
    ApiRoute(
        "POST",
        ENTRY + "/duplicate",
        duplicate_entry,
        answer=openapi.Board,
        status=201,
        if_match=True,
        query=MergeBase,
        conflict=True,
    ),
    ApiRoute(
        "POST",
        ENTRY + "/kick",
        kick_entry,
        answer=openapi.Board,
        if_match=True,
        query=MergeBase,
        conflict=True,
    ),
    ApiRoute(
        "POST",
        ENTRY + "/pours",
        record_pour,
        answer=openapi.KegLevel,
        body=PourIn,
        conflict=True,
        example={"volume_ml": 473},
    ),
    ApiRoute("POST", MENU + "/undo", undo, answer=openapi.Board, if_match=True, conflict=True),
    ApiRoute(
        "GET",
        MENU + "/revisions",
        list_revisions,
        answer=openapi.RevisionList,
        query=RevisionPage,
    ),
    ApiRoute(
        "POST",
        MENU + "/restore",
        restore,
        answer=openapi.Board,
        body=RestoreIn,
        if_match=True,
        example={"version": 3},
    ),
    ApiRoute(
        "GET",
        "/beverages",
        search_beverages,
        answer=openapi.BeverageList,
        query=BeverageSearch,
    ),
    ApiRoute(
        "POST",
        "/beverages",
        create_beverage,
        answer=openapi.Beverage,
        status=201,
        body=BeverageIn,
        example={
            "name": "Pliny the Elder",
            "producer": "Russian River",
            "style": "Double IPA",
            "abv": 8.0,
            "ibu": 100,
            "tags": ["hoppy"],
        },
    ),
    ApiRoute(
        "POST",
        "/beverages/import",
        import_beverages,
        answer=openapi.Imported,
        status=201,
        csv=True,
        max_body=MAX_IMPORT_BYTES,
    ),
    ApiRoute("GET", BEVERAGE, get_beverage, answer=openapi.Beverage),
    ApiRoute(
        "PATCH",
        BEVERAGE,
        update_beverage,
        answer=openapi.Beverage,
        body=BeverageIn,
        partial=True,
        if_match=True,
        example={"abv": 7.9, "description": "Fresh keg from the brewery."},
    ),
    ApiRoute("DELETE", BEVERAGE, delete_beverage, answer=None, status=204, conflict=True),
    ApiRoute("GET", "/serving-sizes", list_serving_sizes, answer=openapi.ServingSizeList),
    ApiRoute(
        "POST",
        "/serving-sizes",
        create_serving_size,
        answer=openapi.ServingSize,
        status=201,
        body=ServingSizeIn,
        example={"name": "Pint", "volume_ml": 473},
    ),
    ApiRoute(
        "PATCH",
        SIZE,
        update_serving_size,
        answer=openapi.ServingSize,
        body=ServingSizeIn,
        partial=True,
        example={"name": "Schooner"},
    ),
    ApiRoute("DELETE", SIZE, delete_serving_size, answer=None, status=204),
]

routes: list[AppRoute] = [
    *API_ROUTES,
    AppRoute("/api/v1/openapi.json", openapi_json, access=Access.PUBLIC, name="api.openapi"),
    AppRoute("/api/docs", api_docs, access=Access.PUBLIC, name="api.docs"),
]
