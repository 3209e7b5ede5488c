"""What a valid email, password and API token request look like (web forms and CLI alike)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, EmailStr, StringConstraints

from chalkboard.accounts import passwords
from chalkboard.http.forms import text


def _lower(value: str) -> str:
    return value.strip().lower()


Email = Annotated[EmailStr, AfterValidator(_lower)]
NewPassword = Annotated[
    str, StringConstraints(min_length=passwords.MIN_LENGTH, max_length=passwords.MAX_LENGTH)
]


class Credentials(BaseModel):
    email: Email
    password: Annotated[str, StringConstraints(min_length=1, max_length=passwords.MAX_LENGTH)]


class SignUp(BaseModel):
    email: Email
    password: NewPassword


class NewApiToken(BaseModel):
    name: Annotated[str, text(100, 1)]
    scope: Literal["read", "write"]
