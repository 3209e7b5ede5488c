"""What a valid promo slide looks like, as the slides form sends it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from chalkboard.displays.forms import in_range, none_if_blank
from chalkboard.http.forms import FormErrors, text, validate

DEFAULT_SECONDS = 10
Seconds = Annotated[
    int,
    BeforeValidator(in_range(int, 3, 60, "Use 3 to 60 seconds.")),
    BeforeValidator(lambda value: DEFAULT_SECONDS if value in ("", None) else value),
]
Day = Annotated[date | None, BeforeValidator(none_if_blank)]
ImageId = Annotated[
    Annotated[int, Field(ge=1, le=2**63 - 1)] | None, BeforeValidator(none_if_blank)
]


class SlideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, text(80)] = ""
    body: Annotated[str, text(280)] = ""
    image_id: ImageId = None
    seconds: Seconds = DEFAULT_SECONDS
    starts_on: Day = None
    ends_on: Day = None
    display_ids: list[int] = []

    @model_validator(mode="after")
    def complete(self) -> SlideIn:
        if self.image_id is None and not self.title:
            raise ValueError("Give the slide a picture or a title (or both).")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("The last day comes before the first: swap them.")
        if not self.display_ids:
            raise ValueError("Choose at least one TV to show it.")
        return self


def slide_input(values: dict[str, str]) -> tuple[SlideIn | None, FormErrors]:
    """The form's fields; each TV is a checkbox named display_<id>, sent only when ticked."""
    typed: dict[str, Any] = {
        key: values.get(key, "")
        for key in ("title", "body", "image_id", "seconds", "starts_on", "ends_on")
    }
    typed["display_ids"] = sorted(
        int(key.removeprefix("display_"))
        for key in values
        if key.startswith("display_") and key.removeprefix("display_").isdigit() and len(key) < 30
    )
    return validate(SlideIn, typed)
