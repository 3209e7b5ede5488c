"""The API's OpenAPI 3.1 description, built from its route list, and the reference page's view.

Request schemas come from the input models in `menus.forms`; the models below describe what
the API answers with (the board is assembled in `menus.board`; the tests check every answer
against these). Nothing here is written by hand per endpoint except a route's own metadata.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field
from starlette.convertors import IntegerConvertor

from chalkboard.menus.forms import BeverageKind, EntryStatus, SectionKind
from chalkboard.schedules.answers import Schedule, ScheduleRules

if TYPE_CHECKING:
    from chalkboard.menus.api.base import ApiRoute

REF = "#/components/schemas/{model}"
MAX_ID = 2**63 - 1
# The collections, in the reference page's order; a route belongs to the last one in its path.
TAGS = (
    "menus",
    "sections",
    "entries",
    "beverages",
    "serving-sizes",
    "images",
    "displays",  # menus by day-part (#16)
    "dayparts",  # schedules (#16)
    "planned-changes",
)
CONVERTOR = re.compile(r"{(\w+):\w+}")
# If-Match: one version, as the ETag gave it ("12"), weak (W/"12") or bare (12).
IF_MATCH = r'(W/)?("[0-9]{1,18}"|[0-9]{1,18})'
ERRORS = {
    400: "The body is not a JSON object, or If-Match is malformed.",
    401: "No valid API token (or session) was sent.",
    403: "The token is read-only, or a session call lacks its X-CSRF-Token header.",
    404: "The venue, or an id in the path or body, is not in the venue.",
    409: "The change cannot be made as asked: the message says why.",
    412: "If-Match names an older version: nothing was written; the answer has the current one.",
    413: "The body is too large.",
    415: "The file is not an image type the API accepts (JPEG, PNG, WebP or GIF).",
    422: "Fields are not valid: `fields` (or `rows`, for a CSV) says what to fix.",
}


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Menu(Answer):
    id: int
    name: str
    version: int


class MenuList(Answer):
    menus: list[Menu]


class ServingSize(Answer):
    id: int
    name: str
    volume_ml: float | None


class ServingSizeList(Answer):
    serving_sizes: list[ServingSize]


class BoardImage(Answer):
    """A beverage's image: `url` is about 480 px wide; `srcset` lists every width."""

    url: str
    srcset: str
    width: int
    height: int


class BeverageFields(Answer):
    id: int
    name: str
    producer: str
    style: str
    kind: BeverageKind
    abv: float | None
    ibu: int | None
    srm: float | None
    description: str
    tags: list[str]


class BoardBeverage(BeverageFields):
    image: BoardImage | None = Field(None, description="None when it has no image.")


class Beverage(BeverageFields):
    version: int = Field(description="Bumped by every change; send it back in If-Match.")
    image_id: int | None = Field(description="Its image (see /images), or None.")


class BeverageList(Answer):
    beverages: list[Beverage]


class BoardEntry(Answer):
    id: int
    tap_label: str
    status: EntryStatus
    keg_percent: float | None
    keg_size_ml: int | None
    keg_remaining_ml: int | None
    note: str
    prices: dict[str, int] = Field(description="Minor units (cents) by serving size id.")
    beverage: BoardBeverage
    # Schedules (#16): on a board shown at an instant, when a day-part changed a price.
    usual_prices: dict[str, int] | None = Field(None, description="Prices outside day-parts.")


class BoardSection(Answer):
    id: int
    name: str
    kind: SectionKind
    sizes: list[int] = Field(
        description="The serving sizes (ids, in the venue's order) this section prices by: "
        "the only price columns to show for it."
    )
    own_sizes: bool = Field(description="False: it uses all of the venue's sizes.")
    entries: list[BoardEntry]


class Board(Answer):
    """A whole menu as TVs show it; `menu.version` is its ETag."""

    menu: Menu
    sizes: list[ServingSize]
    sections: list[BoardSection]
    # Schedules (#16): present when the venue has day-parts; `schedule` on a board shown at
    # an instant (docs/schedules.md).
    dayparts: ScheduleRules | None = None
    schedule: Schedule | None = None


class KegLevel(Answer):
    entry_id: int
    status: EntryStatus
    keg_size_ml: int | None
    keg_remaining_ml: int | None
    keg_percent: float | None
    version: int = Field(description="The menu's new version.")


class Revision(Answer):
    version: int
    summary: str
    kind: Literal["create", "edit", "undo", "restore"]
    undone: bool
    actor: str = Field(description="The person's email or the API token's name.")
    created_at: datetime


class RevisionList(Answer):
    revisions: list[Revision]


class Imported(Answer):
    count: int
    ids: list[int]


class RowProblem(Answer):
    row: int = Field(description="As a spreadsheet numbers it: the header is row 1.")
    field: str
    message: str


class ErrorDetail(Answer):
    status: int
    message: str
    fields: dict[str, str] | None = None
    rows: list[RowProblem] | None = None
    current_version: int | None = None
    clashes: list[str] | None = Field(
        None, description='On 409 after based_on: what changed since, e.g. "Jaipur: Pint price".'
    )


class Error(Answer):
    error: ErrorDetail
    current: Board | None = Field(None, description="On 412 or 409: the menu as it is now.")


class Components:
    """Collects the schemas the document refers to."""

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {}

    def add(self, name: str, schema: dict[str, Any]) -> dict[str, str]:
        self.schemas.update(schema.pop("$defs", {}))
        self.schemas[name] = schema
        return {"$ref": REF.format(model=name)}

    def model(self, model: type[BaseModel]) -> dict[str, str]:
        if issubclass(model, Answer):
            return self.add(
                model.__name__, model.model_json_schema(ref_template=REF, mode="serialization")
            )
        return self.add(model.__name__, model.model_json_schema(ref_template=REF))

    def body(self, route: ApiRoute) -> dict[str, str]:
        assert route.body is not None
        if not route.partial:
            return self.model(route.body)
        # A partial change: nothing is required and nothing defaults (left out = unchanged).
        schema = route.body.model_json_schema(ref_template=REF)
        schema.pop("required", None)
        for field in schema["properties"].values():
            field.pop("default", None)
        name = route.body.__name__
        return self.add(
            name if name.endswith("Patch") else name.removesuffix("In") + "Patch", schema
        )


def _parameters(route: ApiRoute) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = []
    for name, convertor in route.param_convertors.items():
        schema = (
            {"type": "integer", "minimum": 0, "maximum": MAX_ID}
            if isinstance(convertor, IntegerConvertor)
            else {"type": "string"}
        )
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    parameters[0]["description"] = "The venue's web address, as in /v/<slug>."
    if route.query is not None:
        query = route.query.model_json_schema()
        for name, schema in query["properties"].items():
            described = (
                {"description": schema.pop("description")} if "description" in schema else {}
            )
            parameters.append(
                {"name": name, "in": "query", "required": False, "schema": schema, **described}
            )
    if route.if_match:
        parameters.append(
            {
                "name": "If-Match",
                "in": "header",
                "required": False,
                "description": 'Make the change only if the version is still this one: "12".',
                "schema": {"type": "string", "pattern": f"^{IF_MATCH}$"},
            }
        )
    return parameters


def _error_codes(route: ApiRoute) -> list[int]:
    codes = {401, 404}
    if route.method != "GET":
        codes.add(403)
    if route.body is not None or route.csv:
        codes |= {400, 413, 422}
    if route.upload:
        codes |= {400, 409, 413, 415, 422}
    if route.query is not None:
        codes.add(422)
    if route.if_match:
        codes |= {400, 412}
    if route.conflict:
        codes.add(409)
    return sorted(codes)


def _operation(route: ApiRoute, components: Components) -> dict[str, Any]:
    summary = (route.view.__doc__ or "").strip()
    etag = {"ETag": {"description": 'The version, e.g. "12".', "schema": {"type": "string"}}}
    success: dict[str, Any] = {"description": "Done." if route.answer is None else "OK."}
    if route.answer is not None:
        success["content"] = {"application/json": {"schema": components.model(route.answer)}}
        if "version" in route.answer.model_fields or route.answer is Board:
            success["headers"] = etag
    responses = {str(route.status): success}
    error = {"application/json": {"schema": components.model(Error)}}
    for code in _error_codes(route):
        responses[str(code)] = {"description": ERRORS[code], "content": error}
    if route.if_match:
        responses["412"]["headers"] = etag
    operation: dict[str, Any] = {
        "operationId": route.view.__name__,
        "summary": summary,
        "tags": [max(TAGS, key=lambda tag: route.path.rfind(f"/{tag}"))],
        "parameters": _parameters(route),
        "responses": responses,
    }
    if route.body is not None:
        content: dict[str, Any] = {"schema": components.body(route)}
        if route.example is not None:
            content["example"] = route.example
        operation["requestBody"] = {"required": True, "content": {"application/json": content}}
    if route.csv:
        operation["requestBody"] = {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE}},
        }
    if route.upload:
        operation["requestBody"] = {"required": True, "content": {"multipart/form-data": UPLOAD}}
    return operation


UPLOAD = {
    "schema": {
        "type": "object",
        "properties": {
            "file": {
                "type": "string",
                "format": "binary",
                "description": "The image: JPEG, PNG, WebP or GIF (its first frame).",
            }
        },
        "required": ["file"],
    },
    "encoding": {"file": {"contentType": "image/jpeg, image/png, image/webp, image/gif"}},
}
CSV_EXAMPLE = (
    "name,producer,style,kind,abv,ibu,tags\n"
    "Heady Topper,The Alchemist,Double IPA,beer,8.0,75,hoppy|local\n"
    "Dry Cider,Aval,,cider,6.0,,\n"
)
DESCRIPTION = (
    "Change a venue's menus, beverage library, serving sizes and images. Authenticate "
    "with a venue API token (`Authorization: Bearer <token>`; read tokens may only GET), or with a "
    "signed-in session plus its `X-CSRF-Token` header on changes. Every change to a menu "
    'answers with the new board and `ETag: "<version>"`; send that back as `If-Match` to '
    "make a change conditional (412 if someone changed the menu since). Prices are integer "
    'minor units (cents). Errors are `{"error": {"status", "message", ...}}`.'
)


def document(routes: Iterable[ApiRoute]) -> dict[str, Any]:
    """The OpenAPI 3.1 document for `routes`."""
    components = Components()
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        path = CONVERTOR.sub(r"{\1}", route.path)
        paths.setdefault(path, {})[route.method.lower()] = _operation(route, components)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Chalkboard API", "version": "1", "description": DESCRIPTION},
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.schemas.items())),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A venue API token, made by an owner on the API tokens "
                    "page or with `chalkboard token create`.",
                }
            },
        },
        "security": [{"bearerAuth": []}],
    }


# --- the reference page -------------------------------------------------------------------


def _type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(_type(s) for s in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    if schema.get("type") == "array":
        return f"list of {_type(schema.get('items', {}))}"
    if schema.get("type") == "object" and "additionalProperties" in schema:
        return f"object of {_type(schema['additionalProperties'])}"
    return str(schema.get("type", "any"))


LIMITS = {
    "minLength": "at least {} characters",
    "maxLength": "at most {} characters",
    "minimum": "≥ {}",
    "exclusiveMinimum": "> {}",
    "maximum": "≤ {}",
    "maxItems": "at most {} items",
}


def _limits(schema: dict[str, Any]) -> str:
    return ", ".join(
        text.format(branch[key])
        for branch in [schema, *schema.get("anyOf", [])]
        for key, text in LIMITS.items()
        if key in branch and not (key == "minLength" and branch[key] == 0)
    )


def _fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "type": _type(field),
            "required": name in required,
            "limits": _limits(field),
            "description": field.get("description", ""),
        }
        for name, field in schema.get("properties", {}).items()
    ]


def _curl(base_url: str, method: str, path: str, operation: dict[str, Any]) -> str:
    url = base_url + re.sub(r"{(\w+)}", lambda m: "my-bar" if m[1] == "slug" else "1", path)
    words = [] if method == "get" else ["-X", method.upper()]
    words.append(url)
    if any(p["name"] == "If-Match" for p in operation["parameters"]):
        words += ["-H", 'If-Match: "12"']
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        example = orjson.dumps(content["application/json"].get("example", {})).decode()
        words += ["-H", "Content-Type: application/json", "-d", example]
    if "text/csv" in content:
        words += ["-H", "Content-Type: text/csv", "--data-binary", "@beverages.csv"]
    if "multipart/form-data" in content:
        words += ["-F", "file=@logo.png"]
    # In double quotes, so that the shell fills in the token.
    return f'curl -H "Authorization: Bearer $CHALKBOARD_TOKEN" {shlex.join(words)}'


def reference(document: dict[str, Any], base_url: str) -> dict[str, Any]:
    """What the reference page shows, grouped by collection, read from `document`."""
    schemas = document["components"]["schemas"]
    groups: dict[str, list[dict[str, Any]]] = {tag: [] for tag in TAGS}
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            body_schema = schemas[_type(body["schema"])] if body is not None else {"properties": {}}
            groups[operation["tags"][0]].append(
                {
                    "id": operation["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": operation["summary"],
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "type": _type(p["schema"]),
                            "description": p.get("description", ""),
                        }
                        for p in operation["parameters"]
                    ],
                    "fields": _fields(body_schema),
                    "responses": [
                        (code, answer["description"])
                        for code, answer in operation["responses"].items()
                    ],
                    "curl": _curl(base_url, method, path, operation),
                }
            )
    return {
        "title": document["info"]["title"],
        "description": document["info"]["description"],
        "groups": [(tag, endpoints) for tag, endpoints in groups.items() if endpoints],
    }
