"""Reading forms and JSON into pydantic models, with a message per field a person can act on."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, StringConstraints, ValidationError
from pydantic_core import ErrorDetails
from starlette.requests import Request

from chalkboard.http.routing import MAX_FORM_FIELDS

Model = TypeVar("Model", bound=BaseModel)
# Postgres text cannot hold NUL, and no other control character belongs in a name or a
# note (tab and line breaks do, in longer text): refuse them with a message naming the field.
NO_CONTROL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def text(max_length: int, min_length: int = 0) -> StringConstraints:
    """Stored text: trimmed, within bounds, no control characters but tab and line breaks."""
    return StringConstraints(
        strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=NO_CONTROL
    )


class FormErrors(dict[str, str]):
    """field name -> message; `__all__` for a message about the form as a whole."""


def field_message(error: ErrorDetails) -> str:
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    kind = error["type"]
    if kind == "missing":
        return "This field is required."
    if error.get("input", ...) is None and (kind.endswith("_type") or kind == "literal_error"):
        return "This field cannot be null; leave it out to keep it."
    if kind == "string_too_short":
        return (
            "This field is required."
            if ctx.get("min_length") == 1
            else (f"Use at least {ctx['min_length']} characters.")
        )
    if kind == "string_too_long":
        return f"Use at most {ctx['max_length']} characters."
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == NO_CONTROL:
        return "Remove the invisible control characters from this text."
    if kind == "literal_error":
        return f"Choose one of: {ctx.get('expected', '')}."
    return error["msg"].rstrip(".") + "."


def errors_of(exc: ValidationError) -> FormErrors:
    errors = FormErrors()
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "__all__"
        errors.setdefault(field, field_message(error))
    return errors


async def form_values(request: Request) -> dict[str, str]:
    form = await request.form(max_fields=MAX_FORM_FIELDS, max_files=0)
    return {key: value for key, value in form.items() if isinstance(value, str)}


def validate(model: type[Model], values: dict[str, Any]) -> tuple[Model | None, FormErrors]:
    try:
        return model.model_validate(values), FormErrors()
    except ValidationError as exc:
        return None, errors_of(exc)
