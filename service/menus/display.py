"""How menu values read to a person: prices in the venue's currency, volumes in its unit."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision

ML_PER_US_FL_OZ = Decimal("29.5735")


def price(minor_units: int, currency: str, locale: str = "en_US") -> str:
    """1250, "USD" -> "$12.50"; 1250, "JPY" -> "¥1,250". Exact: no float on the way."""
    amount = Decimal(minor_units).scaleb(-get_currency_precision(currency))
    return str(format_currency(amount, currency, locale=locale))


def typed_price(minor_units: int, currency: str) -> str:
    """450 -> "4.50": minor units as staff type them, for the value an edit form starts at."""
    return f"{Decimal(minor_units).scaleb(-get_currency_precision(currency)):f}"


def to_minor(typed: str, currency: str) -> int:
    """What staff type ("4.50", "$4.50", "4,50", "4") -> minor units (450). ValueError if not."""
    digits = get_currency_precision(currency)
    cleaned = typed.strip().lstrip("$€£¥").strip().replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except ArithmeticError:
        raise ValueError(f"{typed!r} is not a price: type it like 4.50") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{typed!r} is not a price: type it like 4.50")
    minor = amount.scaleb(digits)
    if minor != minor.to_integral_value():
        raise ValueError(f"{currency} prices have at most {digits} decimals")
    return int(minor)


def volume(ml: Decimal | float | None, unit: str) -> str:
    """A serving size in the venue's unit: 473 ml -> "16 oz"; 500 ml -> "500 ml"."""
    if ml is None:
        return ""
    amount = Decimal(str(ml))
    if unit == "oz":
        return f"{(amount / ML_PER_US_FL_OZ).quantize(Decimal('1')):f} oz"
    return f"{amount.quantize(Decimal('1')):f} ml"


def typed_volume(ml: Decimal | float | None, unit: str) -> str:
    """473 ml -> "16" in an oz venue, "473" in an ml one: the value an edit form starts at."""
    if ml is None:
        return ""
    amount = Decimal(str(ml))
    shown = amount / ML_PER_US_FL_OZ if unit == "oz" else amount
    return f"{shown.quantize(Decimal('0.1')).normalize():f}"


def to_ml(typed: str, unit: str) -> Decimal:
    """What staff type, in the venue's unit ("16" oz) -> millilitres (473.2). ValueError if not."""
    try:
        amount = Decimal(typed.strip().replace(",", "."))
    except ArithmeticError:
        raise ValueError(f"{typed!r} is not a number: type it like 16 or 473") from None
    if not amount.is_finite():
        raise ValueError(f"{typed!r} is not a number: type it like 16 or 473")
    ml = amount * ML_PER_US_FL_OZ if unit == "oz" else amount
    return ml.quantize(Decimal("0.1"))


def abv(value: float | None) -> str:
    """5.0 -> "5.0%"; 12.25 -> "12.3%"."""
    return "" if value is None else f"{value:.1f}%"
