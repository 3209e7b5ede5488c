"""Passwords: forgot (a reset link by email), reset with that link, and change while signed in.

A reset link is a 256-bit token; only its SHA-256 is stored. It works once, for an hour,
and using it closes the person's other open links and ends every session they had (whoever
knew the old password is out). The forgot form answers the same whether or not the email
has an account, so it does not tell a stranger who has one; at most three links go out per
person per hour. The mail is sent only once the request has committed (`ctx.after_commit`).
"""

from __future__ import annotations

from datetime import timedelta

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from chalkboard import tokens
from chalkboard.accounts import passwords, queries, sessions
from chalkboard.accounts.forms import ChangePassword, ForgotPassword, NewPasswordIn
from chalkboard.http.forms import FormErrors, form_values, validate
from chalkboard.http.pages import render
from chalkboard.http.routing import Access, AppRoute, Context
from chalkboard.mail.mailer import Mail

RESET_PREFIX = "rst_"
RESET_VALID_FOR = timedelta(hours=1)
RESETS_PER_HOUR = 3
WRONG_PASSWORD = "That is not your current password."
LINK_GONE = (
    "This reset link has expired or was already used. Ask for a new one: links work once, "
    "for an hour."
)


def reset_mail(to: str, link: str) -> Mail:
    return Mail(
        to=to,
        subject="Reset your Chalkboard password",
        text=(
            "Someone (we hope you) asked to reset the password of your Chalkboard account.\n\n"
            f"Choose a new password here (the link works once, for an hour):\n{link}\n\n"
            "If it was not you, ignore this mail: your password stays as it is.\n"
        ),
    )


async def forgot_page(request: Request, ctx: Context) -> Response:
    return await render(
        ctx, "forgot.html", values={}, errors={}, sent="sent" in request.query_params
    )


async def forgot(request: Request, ctx: Context) -> Response:
    values = await form_values(request)
    form, errors = validate(ForgotPassword, values)
    if form is None:
        return await render(ctx, "forgot.html", 422, values=values, errors=errors, sent=False)
    user = await queries.get_user_by_email(ctx.conn, email=form.email)
    window = timedelta(hours=1)
    if user is not None and (
        await queries.count_recent_resets(ctx.conn, user_id=user.id, window=window)
        < RESETS_PER_HOUR
    ):
        token, token_hash = tokens.new_token(RESET_PREFIX)
        await queries.create_password_reset(
            ctx.conn, token_hash=token_hash, user_id=user.id, valid_for=RESET_VALID_FOR
        )
        mail = reset_mail(user.email, f"{ctx.services.settings.public_base_url}/reset/{token}")
        mailer = ctx.services.mailer

        async def send() -> None:
            await mailer.send(mail)

        ctx.after_commit(send)
    # The same answer either way (redirect after POST): no hint of who has an account.
    return RedirectResponse("/forgot?sent=1", 303)


async def reset_page(request: Request, ctx: Context) -> Response:
    token_hash = tokens.hash_token(request.path_params["token"])
    if await queries.password_reset_user(ctx.conn, token_hash=token_hash) is None:
        raise HTTPException(410, LINK_GONE)
    return await render(ctx, "reset.html", errors={}, path=request.url.path)


async def reset(request: Request, ctx: Context) -> Response:
    values = await form_values(request)
    form, errors = validate(NewPasswordIn, values)
    token_hash = tokens.hash_token(request.path_params["token"])
    if form is None:
        if await queries.password_reset_user(ctx.conn, token_hash=token_hash) is None:
            raise HTTPException(410, LINK_GONE)
        return await render(ctx, "reset.html", 422, errors=errors, path=request.url.path)
    user_id = await queries.claim_password_reset(ctx.conn, token_hash=token_hash)
    user = None if user_id is None else await queries.get_user(ctx.conn, user_id=user_id)
    if user is None:
        raise HTTPException(410, LINK_GONE)
    await _new_password(ctx, user.id, form.password)
    response = RedirectResponse("/venues", 303)
    await sessions.sign_in(request, response, ctx.conn, ctx.services.settings, user)
    return response


async def _new_password(ctx: Context, user_id: int, password: str) -> None:
    """Store the new password and end every session the person had."""
    await queries.set_password_hash(
        ctx.conn, user_id=user_id, password_hash=await passwords.hash_password(password)
    )
    await queries.delete_user_sessions(ctx.conn, user_id=user_id)


async def change_page(request: Request, ctx: Context) -> Response:
    return await render(ctx, "password.html", errors={})


async def change(request: Request, ctx: Context) -> Response:
    values = await form_values(request)
    form, errors = validate(ChangePassword, values)
    if form is not None:
        found = await queries.get_user_for_login(ctx.conn, email=ctx.user.email)
        assert found is not None
        if not await passwords.verify_password(found[1], form.current_password):
            errors = FormErrors(current_password=WRONG_PASSWORD)
        else:
            await _new_password(ctx, ctx.user.id, form.password)
            response = RedirectResponse("/account?password=changed", 303)
            # A new session here; every other device is signed out.
            await sessions.sign_in(request, response, ctx.conn, ctx.services.settings, ctx.user)
            return response
    return await render(ctx, "password.html", 422, errors=errors)


routes = [
    AppRoute("/forgot", forgot_page, access=Access.PUBLIC),
    AppRoute("/forgot", forgot, access=Access.PUBLIC, methods=["POST"]),
    AppRoute("/reset/{token}", reset_page, access=Access.PUBLIC),
    AppRoute("/reset/{token}", reset, access=Access.PUBLIC, methods=["POST"]),
    AppRoute("/account/password", change_page, access=Access.SIGNED_IN),
    AppRoute("/account/password", change, access=Access.SIGNED_IN, methods=["POST"]),
]
