"""What a valid email, password and API token request look like (web forms and CLI alike)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, EmailStr, StringConstraints
from pydantic.networks import validate_email
from pydantic_core import PydanticCustomError

from chalkboard.accounts import passwords
from chalkboard.http.forms import text


def _lower(value: str) -> str:
    return value.strip().lower()


def _looks_like_email(value: object) -> object:
    # email-validator's own words ("value is not a valid email address: The part after the
    # @-sign…") are for developers; people get one sentence.
    if isinstance(value, str):
        try:
            validate_email(value.strip())
        except PydanticCustomError:
            raise ValueError("Enter an email address like name@example.com.") from None
    return value


Email = Annotated[EmailStr, BeforeValidator(_looks_like_email), AfterValidator(_lower)]
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


class ForgotPassword(BaseModel):
    email: Email


class NewPasswordIn(BaseModel):
    password: NewPassword


class ChangePassword(BaseModel):
    current_password: Annotated[
        str, StringConstraints(min_length=1, max_length=passwords.MAX_LENGTH)
    ]
    password: NewPassword


class ChangeEmail(BaseModel):
    email: Email
    current_password: Annotated[
        str, StringConstraints(min_length=1, max_length=passwords.MAX_LENGTH)
    ]
