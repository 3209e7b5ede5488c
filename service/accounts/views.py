"""Sign up, sign in, sign out (here or everywhere).

A refused sign-up or sign-in answers 303 back to its form (redirect after POST: a reload
never sends a password again), which shows once what was typed and why (`http/flash.py`).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from chalkboard.accounts import passwords, queries, sessions
from chalkboard.accounts.forms import Credentials, SignUp
from chalkboard.accounts.queries import User
from chalkboard.http import flash
from chalkboard.http.forms import FormErrors, form_values, validate
from chalkboard.http.pages import render
from chalkboard.http.routing import Access, AppRoute, Context, transaction

# Throttling: per email (guessing one account) and per address (spraying many accounts).
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 10
MAX_FAILURES_PER_ADDRESS = 50
WRONG_CREDENTIALS = "That email and password do not match. Check both and try again."
TOO_MANY = (
    "Too many sign-in attempts. Wait {} minutes and try again, or ask a venue owner to reset "
    "your password."
)


def safe_next(target: str | None) -> str:
    """Only same-site paths: `next` must never send someone to another site after sign-in."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/venues"


def client_ip(request: Request) -> str | None:
    host = request.client.host if request.client else None
    try:
        return str(ipaddress.ip_address(host)) if host else None
    except ValueError:
        return None


def _form_url(path: str, next_value: str) -> str:
    return f"{path}?next={quote(next_value)}" if next_value else path


async def _form_page(request: Request, ctx: Context, template: str) -> Response:
    """The sign-up or sign-in form: empty, or as a refused POST left it (once)."""
    if ctx.viewer:
        return RedirectResponse(safe_next(request.query_params.get("next")), 303)
    settings = ctx.services.settings
    shown = flash.take(request, settings)
    response = await render(
        ctx,
        template,
        values=shown.get("values", {}),
        errors=FormErrors(shown.get("errors", {})),
        next=request.query_params.get("next", ""),
    )
    return flash.forget(request, response, settings)


async def signup_page(request: Request, ctx: Context) -> Response:
    return await _form_page(request, ctx, "signup.html")


async def signup(request: Request, ctx: Context) -> Response:
    values = await form_values(request)
    next_path = safe_next(values.get("next"))
    form, errors = validate(SignUp, values)
    if form is not None:
        user = await queries.create_user(
            ctx.conn, email=form.email, password_hash=await passwords.hash_password(form.password)
        )
        if user is None:
            errors = FormErrors(email="An account with this email already exists. Sign in instead.")
            values.pop("password", None)
        else:
            response = RedirectResponse(next_path if values.get("next") else "/venues/new", 303)
            await sessions.sign_in(request, response, ctx.conn, ctx.services.settings, user)
            return response
    # A typo in the email does not make them type the password again: it comes back sealed.
    password = values.get("password", "")
    back = flash.redirect(
        ctx.services.settings,
        _form_url("/signup", values.get("next", "")),
        values=values,
        errors=dict(errors),
        sealed={"password": password} if password and "password" not in errors else None,
    )
    return back or await render(
        ctx, "signup.html", 422, values=values, errors=errors, next=values.get("next", "")
    )


async def login_page(request: Request, ctx: Context) -> Response:
    return await _form_page(request, ctx, "login.html")


@dataclass(frozen=True)
class SignInAttempt:
    """What `check_sign_in` made of a sign-in: the account, when the password matched, or the
    page to answer with (status and errors)."""

    values: dict[str, str]
    status: int = 200
    errors: FormErrors = field(default_factory=FormErrors)
    user: User | None = None
    email: str = ""
    new_hash: str | None = None  # the password rehashed with today's parameters, if due


async def check_sign_in(request: Request, ctx: Context) -> SignInAttempt:
    """Count the attempt, then check the password, holding no pooled connection meanwhile:
    the hash takes about 100 ms of a worker thread, and thirty sign-ins at once must not hold
    thirty connections (or every page of the site would wait)."""
    values = await form_values(request)
    form, errors = validate(Credentials, values)
    values.pop("password", None)
    if form is None:
        return SignInAttempt(values, 422, errors)
    address = client_ip(request)
    async with transaction(ctx.services) as conn:
        # Counted before the password is checked, taking turns per email and per address,
        # and committed at once: thirty at once still get at most the limit's checks.
        await queries.wait_login_turn(conn, email=form.email, client_ip=address)
        by_email, by_address = await queries.count_recent_failures(
            conn, email=form.email, client_ip=address, window=FAILURE_WINDOW
        )
        if by_email >= MAX_FAILURES_PER_EMAIL or by_address >= MAX_FAILURES_PER_ADDRESS:
            minutes = int(FAILURE_WINDOW.total_seconds() // 60)
            return SignInAttempt(values, 429, FormErrors(__all__=TOO_MANY.format(minutes)))
        # A failure until the password proves right (then all of them are forgotten).
        await queries.record_login_failure(conn, email=form.email, client_ip=address)
        found = await queries.get_user_for_login(conn, email=form.email)
    # Checked even when no account has this email (against a decoy hash): the answer takes
    # as long either way, so its timing does not tell which emails have accounts.
    matched = await passwords.verify_password(found[1] if found else None, form.password)
    if found is None or not matched:
        return SignInAttempt(values, 401, FormErrors(__all__=WRONG_CREDENTIALS))
    user, stored_hash = found
    new_hash = None
    if passwords.needs_rehash(stored_hash):
        new_hash = await passwords.hash_password(form.password)
    return SignInAttempt(values, user=user, email=form.email, new_hash=new_hash)


async def login(request: Request, ctx: Context) -> Response:
    attempt: SignInAttempt = ctx.prepared
    next_value = attempt.values.get("next", "")
    if attempt.user is None and attempt.status != 429:
        back = flash.redirect(
            ctx.services.settings,
            _form_url("/login", next_value),
            values=attempt.values,
            errors=dict(attempt.errors),
        )
        if back is not None:
            return back
    if attempt.user is None:
        # Throttled: a 429 with Retry-After, drawn in place (sending it again is refused too).
        page: Response = await render(
            ctx,
            "login.html",
            attempt.status,
            values=attempt.values,
            errors=attempt.errors,
            next=next_value,
        )
        if attempt.status == 429:
            page.headers["Retry-After"] = str(int(FAILURE_WINDOW.total_seconds()))
        return page
    if attempt.new_hash is not None:
        await queries.set_password_hash(
            ctx.conn, user_id=attempt.user.id, password_hash=attempt.new_hash
        )
    await queries.clear_login_failures(ctx.conn, email=attempt.email)
    response = RedirectResponse(safe_next(next_value), 303)
    await sessions.sign_in(request, response, ctx.conn, ctx.services.settings, attempt.user)
    return response


async def logout(request: Request, ctx: Context) -> Response:
    response = RedirectResponse("/login", 303)
    await sessions.sign_out(request, response, ctx.conn, ctx.services.settings)
    return response


async def logout_everywhere(request: Request, ctx: Context) -> Response:
    """End every session of this user: on this phone, the office PC, the one left at the bar."""
    await queries.delete_user_sessions(ctx.conn, user_id=ctx.user.id)
    response = RedirectResponse("/login", 303)
    await sessions.sign_out(request, response, ctx.conn, ctx.services.settings)
    return response


async def account_page(request: Request, ctx: Context) -> Response:
    return await render(ctx, "account.html")


routes = [
    AppRoute("/signup", signup_page, access=Access.PUBLIC),
    AppRoute("/signup", signup, access=Access.PUBLIC, methods=["POST"]),
    AppRoute("/login", login_page, access=Access.PUBLIC),
    AppRoute("/login", login, access=Access.PUBLIC, methods=["POST"], prepare=check_sign_in),
    AppRoute("/logout", logout, access=Access.SIGNED_IN, methods=["POST"]),
    AppRoute("/logout-everywhere", logout_everywhere, access=Access.SIGNED_IN, methods=["POST"]),
    AppRoute("/account", account_page, access=Access.SIGNED_IN),
]
