"""Redirect after POST: what the next page must show once, in a short-lived signed cookie.

A form that comes back with errors, or an action whose answer is shown once (a new invite
link), answers 303 to a page instead of drawing that page under the POST's URL, where a
reload would send the form again. What the page must then show travels in a cookie: signed
with SECRET_KEY, HttpOnly, for that one path, for two minutes, and deleted once shown.
Passwords and CSRF tokens never go in its readable part. The one exception is `sealed`: a
value the page must give back that nobody may read on the way (the password typed on the
sign-up form, kept when only the email was wrong) is encrypted and authenticated with a key
derived from SECRET_KEY (Fernet, from `cryptography`: AES-CBC with HMAC-SHA256). A flash too
large for a cookie is not set (the caller then draws its page in place, as before).
"""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any

import orjson
from cryptography.fernet import Fernet, InvalidToken
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from chalkboard import tokens
from chalkboard.accounts.sessions import cookie_name
from chalkboard.settings import Settings

FLASH_COOKIE = "cb_flash"
MAX_AGE_SECONDS = 120
MAX_BYTES = 3500  # browsers keep cookies up to 4 KiB, name and attributes included
NEVER_KEPT = ("csrf_token", "password", "current_password", "new_password")


def _signature(settings: Settings, payload: str) -> str:
    return tokens.sign(settings.secret_key.reveal(), "flash:" + payload)


def _sealer(settings: Settings) -> Fernet:
    key = hashlib.sha256(b"flash-seal:" + settings.secret_key.reveal().encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def redirect(
    settings: Settings, url: str, *, sealed: dict[str, str] | None = None, **shown: Any
) -> Response | None:
    """303 to `url`, whose page then shows `shown` once (and `sealed`, encrypted, among its
    `values`); None when it is too large."""
    values = shown.get("values")
    if isinstance(values, dict):
        shown["values"] = {k: v for k, v in values.items() if k not in NEVER_KEPT}
    path = url.split("#", 1)[0].split("?", 1)[0]
    body = {"path": path, "until": int(time.time()) + MAX_AGE_SECONDS, "shown": shown}
    if sealed:
        body["sealed"] = _sealer(settings).encrypt(orjson.dumps(sealed)).decode()
    payload = base64.urlsafe_b64encode(orjson.dumps(body)).decode()
    value = f"{payload}.{_signature(settings, payload)}"
    if len(value) > MAX_BYTES:
        return None
    response = RedirectResponse(url, 303)
    response.set_cookie(
        cookie_name(FLASH_COOKIE, settings),
        value,
        max_age=MAX_AGE_SECONDS,
        path="/",
        secure=settings.is_https,
        httponly=True,
        samesite="lax",
    )
    return response


def take(request: Request, settings: Settings) -> dict[str, Any]:
    """What this page must show once (empty if nothing, expired, for another page, forged)."""
    value = request.cookies.get(cookie_name(FLASH_COOKIE, settings), "")
    payload, _, signature = value.partition(".")
    if not payload or not tokens.same(signature, _signature(settings, payload)):
        return {}
    try:
        body = orjson.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, orjson.JSONDecodeError):
        return {}
    if body.get("path") != request.url.path or body.get("until", 0) < time.time():
        return {}
    request.scope["chalkboard.flash_taken"] = True
    shown: dict[str, Any] = body.get("shown") or {}
    if sealed := body.get("sealed"):
        try:
            opened = orjson.loads(_sealer(settings).decrypt(sealed.encode(), MAX_AGE_SECONDS))
        except (InvalidToken, orjson.JSONDecodeError):
            opened = {}
        shown["values"] = {**shown.get("values", {}), **opened}
    return shown


def forget(request: Request, response: Response, settings: Settings) -> Response:
    """Delete the flash cookie once its page is drawn, so a reload shows the page plain."""
    if request.scope.get("chalkboard.flash_taken"):
        response.delete_cookie(
            cookie_name(FLASH_COOKIE, settings),
            path="/",
            secure=settings.is_https,
            httponly=True,
            samesite="lax",
        )
    return response
