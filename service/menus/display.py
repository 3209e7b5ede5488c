"""How menu values read to a person: prices in the venue's currency, volumes in its unit."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision

ML_PER_US_FL_OZ = Decimal("29.5735")


def price(minor_units: int, currency: str, locale: str = "en_US") -> str:
    """1250, "USD" -> "$12.50"; 1250, "JPY" -> "¥1,250". Exact: no float on the way."""
    amount = Decimal(minor_units).scaleb(-get_currency_precision(currency))
    return str(format_currency(amount, currency, locale=locale))


def volume(ml: Decimal | float | None, unit: str) -> str:
    """A serving size in the venue's unit: 473 ml -> "16 oz"; 500 ml -> "500 ml"."""
    if ml is None:
        return ""
    amount = Decimal(str(ml))
    if unit == "oz":
        return f"{(amount / ML_PER_US_FL_OZ).quantize(Decimal('1')):f} oz"
    return f"{amount.quantize(Decimal('1')):f} ml"


def abv(value: float | None) -> str:
    """5.0 -> "5.0%"; 12.25 -> "12.3%"."""
    return "" if value is None else f"{value:.1f}%"
