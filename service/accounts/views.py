"""Sign up, sign in, sign out (here or everywhere)."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from chalkboard.accounts import passwords, queries, sessions
from chalkboard.accounts.forms import Credentials, SignUp
from chalkboard.http.forms import FormErrors, form_values, validate
from chalkboard.http.pages import render
from chalkboard.http.routing import Access, AppRoute, Context

# Throttling: per email (guessing one account) and per address (spraying many accounts).
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 10
MAX_FAILURES_PER_ADDRESS = 50
WRONG_CREDENTIALS = "That email and password do not match. Check both and try again."


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


async def signup_page(request: Request, ctx: Context) -> Response:
    if ctx.viewer:
        return RedirectResponse(safe_next(request.query_params.get("next")), 303)
    return await render(
        ctx, "signup.html", values={}, errors={}, next=request.query_params.get("next", "")
    )


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
    # A typo in the email does not make them type the password again.
    return await render(
        ctx, "signup.html", 422, values=values, errors=errors, next=values.get("next", "")
    )


async def login_page(request: Request, ctx: Context) -> Response:
    if ctx.viewer:
        return RedirectResponse(safe_next(request.query_params.get("next")), 303)
    return await render(
        ctx, "login.html", values={}, errors={}, next=request.query_params.get("next", "")
    )


async def login(request: Request, ctx: Context) -> Response:
    values = await form_values(request)
    next_value = values.get("next", "")
    form, errors = validate(Credentials, values)
    values.pop("password", None)
    if form is None:
        return await render(ctx, "login.html", 422, values=values, errors=errors, next=next_value)

    address = client_ip(request)
    by_email, by_address = await queries.count_recent_failures(
        ctx.conn, email=form.email, client_ip=address, window=FAILURE_WINDOW
    )
    if by_email >= MAX_FAILURES_PER_EMAIL or by_address >= MAX_FAILURES_PER_ADDRESS:
        minutes = int(FAILURE_WINDOW.total_seconds() // 60)
        errors = FormErrors(
            __all__=f"Too many sign-in attempts. Wait {minutes} minutes and try again, or ask "
            "a venue owner to reset your password."
        )
        response: Response = await render(
            ctx, "login.html", 429, values=values, errors=errors, next=next_value
        )
        response.headers["Retry-After"] = str(int(FAILURE_WINDOW.total_seconds()))
        return response

    found = await queries.get_user_for_login(ctx.conn, email=form.email)
    stored_hash = found[1] if found else None
    if found is None or not await passwords.verify_password(stored_hash, form.password):
        # The failure is committed with this request's transaction: it must count.
        await queries.record_login_failure(ctx.conn, email=form.email, client_ip=address)
        errors = FormErrors(__all__=WRONG_CREDENTIALS)
        return await render(ctx, "login.html", 401, values=values, errors=errors, next=next_value)

    user, stored_hash = found
    if passwords.needs_rehash(stored_hash):
        await queries.set_password_hash(
            ctx.conn, user_id=user.id, password_hash=await passwords.hash_password(form.password)
        )
    await queries.clear_login_failures(ctx.conn, email=form.email)
    response = RedirectResponse(safe_next(next_value), 303)
    await sessions.sign_in(request, response, ctx.conn, ctx.services.settings, user)
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
    AppRoute("/login", login, access=Access.PUBLIC, methods=["POST"]),
    AppRoute("/logout", logout, access=Access.SIGNED_IN, methods=["POST"]),
    AppRoute("/logout-everywhere", logout_everywhere, access=Access.SIGNED_IN, methods=["POST"]),
    AppRoute("/account", account_page, access=Access.SIGNED_IN),
]
