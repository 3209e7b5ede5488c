"""What valid menu input looks like, for the editor's forms and the JSON API alike.

The API takes and returns prices in integer minor units (cents); the editor's forms take
them as typed ("4.50") and convert with `display.to_minor`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from chalkboard.http.forms import text

BeverageKind = Literal[
    "beer", "cider", "mead", "seltzer", "wine", "cocktail", "non_alcoholic", "food", "other"
]
EntryStatus = Literal["on_tap", "on_deck", "kicked", "hidden"]
SectionKind = Literal["taps", "list"]

MAX_PRICE_MINOR = 100_000_000
MAX_KEG_ML = 1_000_000


BeverageName = Annotated[str, text(120, 1)]
Producer = Annotated[str, text(120)]
Style = Annotated[str, text(80)]
Description = Annotated[str, text(2000)]
TapLabel = Annotated[str, text(12)]
Note = Annotated[str, text(200)]
PrivateNote = Annotated[str, text(500)]
Name = Annotated[str, text(80, 1)]
SizeName = Annotated[str, text(40, 1)]
Tag = Annotated[str, text(24, 1)]
Price = Annotated[int, Field(ge=0, le=MAX_PRICE_MINOR)]
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class Strict(BaseModel):
    # Unknown fields are an error, not silently dropped: a typo in an integration shows up.
    model_config = ConfigDict(extra="forbid")


class BeverageIn(Strict):
    name: BeverageName
    producer: Producer = ""
    style: Style = ""
    kind: BeverageKind = "beer"
    abv: Annotated[Decimal, Field(ge=0, le=Decimal("99.99"), decimal_places=2)] | None = None
    ibu: Annotated[int, Field(ge=0, le=999)] | None = None
    srm: Annotated[Decimal, Field(ge=0, le=100, decimal_places=1)] | None = None
    description: Description = ""
    tags: Annotated[list[Tag], Field(max_length=10)] = []


class EntryFields(Strict):
    """The fields of an entry that belong to its place on a menu (not to the beverage)."""

    tap_label: TapLabel = ""
    status: EntryStatus = "on_tap"
    keg_percent: Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)] | None = None
    keg_size_ml: Annotated[int, Field(ge=1, le=MAX_KEG_ML)] | None = None
    keg_remaining_ml: Annotated[int, Field(ge=0, le=MAX_KEG_ML)] | None = None
    note: Note = ""
    # For staff only (the editor and the API): never on a TV, an embed or the public JSON.
    private_note: PrivateNote = ""


class EntryIn(EntryFields):
    section_id: Id
    beverage_id: Id
    prices: dict[Id, Price] = {}
    position: Annotated[int, Field(ge=0)] | None = None


def unsent() -> Any:
    """The default of a PATCH field that needs a value when sent: None, meaning "not sent".

    Pydantic does not validate defaults, so leaving the field out is fine while sending null
    fails validation with a message for that field.
    """
    return Field(default=None)


class EntryPatchFields(Strict):
    """A partial change: only the fields sent are changed (`model_fields_set`). Keg fields
    may be sent as null to clear them."""

    beverage_id: Id = unsent()
    tap_label: TapLabel = unsent()
    status: EntryStatus = unsent()
    keg_percent: Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)] | None = None
    keg_size_ml: Annotated[int, Field(ge=1, le=MAX_KEG_ML)] | None = None
    keg_remaining_ml: Annotated[int, Field(ge=0, le=MAX_KEG_ML)] | None = None
    note: Note = unsent()
    private_note: PrivateNote = unsent()


class EntryPatch(EntryPatchFields):
    """A partial change: only the fields sent are changed (`model_fields_set`). Keg fields
    may be sent as null to clear them; `prices`, when sent, are all the entry's prices."""

    prices: dict[Id, Price] = unsent()


class EntryMove(Strict):
    section_id: Id
    position: Annotated[int, Field(ge=0)]


class SectionIn(Strict):
    name: Name
    kind: SectionKind = "taps"
    sizes: Annotated[list[Id], Field(max_length=50)] | None = Field(
        None,
        description="The serving sizes (ids) this section prices by, e.g. a glass for "
        "cocktails; null or left out: all of the venue's, including ones added later.",
    )


class SectionMove(Strict):
    position: Annotated[int, Field(ge=0)]


class MenuIn(Strict):
    name: Name


class ServingSizeIn(Strict):
    name: SizeName
    volume_ml: Annotated[Decimal, Field(gt=0, le=100_000, decimal_places=1)] | None = None


class PourIn(Strict):
    """What a flow meter or keg scale reports: volume served since its last report."""

    volume_ml: Annotated[int, Field(ge=1, le=100_000)]


class RestoreIn(Strict):
    version: Annotated[int, Field(ge=1, le=2**63 - 1)]
