"""What a valid venue and invite look like (web forms and CLI alike)."""

from __future__ import annotations

import datetime
import functools
import importlib.resources
import re
import zoneinfo
from typing import Annotated, Any, Literal

from babel import Locale
from babel.numbers import get_currency_name, get_territory_currencies, list_currencies
from pydantic import AfterValidator, BaseModel, BeforeValidator

from chalkboard.accounts.forms import Email
from chalkboard.http.forms import text

SLUG = re.compile(r"^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$")


@functools.cache
def timezones() -> frozenset[str]:
    """Every name zoneinfo knows, old aliases too: a venue saved as Asia/Calcutta keeps working."""
    return frozenset(zoneinfo.available_timezones())


@functools.cache
def current_timezones() -> tuple[str, ...]:
    """The zones the picker offers: the IANA database's zone.tab (from the `tzdata` package,
    so it is the same on every machine), which names each country's zones by their current
    names (Asia/Kolkata, Europe/Kyiv) and leaves out the backward aliases (Asia/Calcutta,
    Europe/Kiev). Not zone1970.tab: it merges countries that have shared clocks since 1970,
    so Amsterdam, Oslo or Stockholm would not be there to find."""
    table = importlib.resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text()
    names = {
        line.split("\t")[2] for line in table.splitlines() if line and not line.startswith("#")
    }
    return tuple(sorted(name for name in names if name in timezones()))


@functools.cache
def currencies() -> frozenset[str]:
    return frozenset(list_currencies())


# What the pickers offer first; the rest follow in alphabetical order.
COMMON_TIMEZONES = (
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Toronto",
    "America/Vancouver", "Europe/London", "Europe/Dublin", "Europe/Paris", "Europe/Berlin",
    "Europe/Amsterdam", "Europe/Brussels", "Europe/Madrid", "Europe/Rome", "Europe/Prague",
    "Europe/Stockholm", "Australia/Sydney", "Australia/Melbourne", "Pacific/Auckland",
    "Asia/Tokyo", "UTC",
)  # fmt: skip
COMMON_CURRENCIES = (
    "USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "SEK", "NOK", "DKK", "CZK", "PLN",
    "JPY", "MXN", "BRL",
)  # fmt: skip
REGIONS = ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe",
           "Indian", "Pacific")  # fmt: skip


def _place_label(tz: str) -> str:
    return tz.replace("_", " ")


def _currency_label(code: str) -> str:
    return f"{code} — {get_currency_name(code, locale='en')}"


@functools.cache
def venue_form_choices() -> dict[str, Any]:
    """The pickers of the new-venue and settings forms."""
    return {
        "timezones": timezone_choices(),
        "currencies": currency_choices(),
        "units": [("oz", "US fluid ounces (oz)"), ("ml", "Millilitres (ml)")],
    }


def timezone_choices() -> list[str]:
    """Common zones first, then every current place name (no aliases, no "Factory")."""
    common = set(COMMON_TIMEZONES)
    return [*COMMON_TIMEZONES, *(tz for tz in current_timezones() if tz not in common)]


@functools.cache
def currency_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Common currencies first, then every currency some country uses today (no obsolete
    ones, like DEM or the old Zimbabwe dollars)."""
    today = datetime.date.today()
    in_use = {
        code
        for territory in Locale("en").territories
        for code in get_territory_currencies(str(territory), today)
    }
    return [
        ("Common", [(code, _currency_label(code)) for code in COMMON_CURRENCIES]),
        ("All currencies", [(code, _currency_label(code)) for code in sorted(in_use)]),
    ]


def check_slug(value: str) -> str:
    value = value.strip().lower()
    if not SLUG.match(value):
        raise ValueError(
            "Use 1 to 40 lowercase letters, digits and hyphens, starting and ending with a letter "
            "or digit (for example: the-tap-room)."
        )
    return value


def check_timezone(value: str) -> str:
    """A zone name as listed, or typed loosely: any case, spaces for underscores, or just the
    city when only one zone has it ("new york", "Kolkata")."""
    value = value.strip()
    if value in timezones():
        return value
    typed = re.sub(r"\s+", "_", value).lower()
    found = [
        tz for tz in current_timezones() if typed in (tz.lower(), tz.rsplit("/", 1)[-1].lower())
    ]
    if len(found) != 1:
        raise ValueError("Choose a time zone from the list, like Europe/London or America/Denver.")
    return found[0]


def check_currency(value: str) -> str:
    value = value.strip().upper()
    if value not in currencies():
        raise ValueError("Use a three-letter currency code such as USD, EUR or GBP.")
    return value


def slug_from_name(name: str) -> str:
    """A suggested slug: "The Tap Room & Co." -> "the-tap-room-co"."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].strip("-")


class NewVenue(BaseModel):
    name: Annotated[str, text(100, 1)]
    slug: Annotated[str, AfterValidator(check_slug)]
    timezone: Annotated[str, AfterValidator(check_timezone)]
    currency: Annotated[str, AfterValidator(check_currency)]
    volume_unit: Literal["ml", "oz"]


class VenueSettings(BaseModel):
    name: Annotated[str, text(100, 1)]
    timezone: Annotated[str, AfterValidator(check_timezone)]
    currency: Annotated[str, AfterValidator(check_currency)]
    volume_unit: Literal["ml", "oz"]


class MemberRole(BaseModel):
    role: Literal["owner", "editor"]


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


class NewInvite(BaseModel):
    role: Literal["owner", "editor"]
    note: Annotated[str, text(200)] = ""
    # Given: the link is also mailed there (it is shown on the page either way).
    email: Annotated[Email | None, BeforeValidator(_blank_is_none)] = None
