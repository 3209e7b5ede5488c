"""Changing your email: asked for with the current password, done by a link mailed to the
new address.

The link is a 256-bit token; only its SHA-256 is stored. It works once, for a day, and using
it closes the person's other open links. The email changes only when the link is used, so a
typo in the new address changes nothing; the old address is then told. Like a password
change, it ends every other session: whoever was signed in elsewhere signs in again with the
new address. An address another account has is refused plainly (sign-up says the same, so it
tells nothing new); at most three links go out per person per hour. Mail is sent only once
the request has committed (`ctx.after_commit`).
"""

from __future__ import annotations

from datetime import timedelta

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from chalkboard import tokens
from chalkboard.accounts import passwords, queries, sessions
from chalkboard.accounts.forms import ChangeEmail
from chalkboard.accounts.recovery import WRONG_PASSWORD
from chalkboard.http import flash
from chalkboard.http.forms import FormErrors, form_values, validate
from chalkboard.http.pages import render
from chalkboard.http.routing import Access, AppRoute, Context
from chalkboard.mail.mailer import Mail

EMAIL_PREFIX = "eml_"
EMAIL_LINK_VALID_FOR = timedelta(days=1)
EMAIL_LINKS_PER_HOUR = 3
FORM_URL = "/account/email"
SAME_EMAIL = "That is already your email."
TAKEN = "Another Chalkboard account uses that email. Choose a different address."
TOO_MANY = "Three links were sent in the last hour. Use one of them, or try again later."
LINK_GONE = (
    "This link has expired or was already used. Ask for a new one on your account page: "
    "links work once, for a day."
)


def confirm_mail(to: str, link: str) -> Mail:
    return Mail(
        to=to,
        subject="Confirm your new Chalkboard email",
        text=(
            "Someone (we hope you) asked to use this address for their Chalkboard account.\n\n"
            f"Confirm it here (the link works once, for a day):\n{link}\n\n"
            "If it was not you, ignore this mail: nothing changes.\n"
        ),
    )


def changed_notice(to: str, new_email: str) -> Mail:
    return Mail(
        to=to,
        subject="Your Chalkboard email was changed",
        text=(
            f"Your Chalkboard account now signs in as {new_email} instead of this address, "
            "and every device signed in to it was signed out.\n\n"
            "If it was not you, reply to this mail or ask a venue owner for help at once.\n"
        ),
    )


async def change_page(request: Request, ctx: Context) -> Response:
    settings = ctx.services.settings
    shown = flash.take(request, settings)
    response = await render(
        ctx,
        "email.html",
        values=shown.get("values", {}),
        errors=FormErrors(shown.get("errors", {})),
    )
    return flash.forget(request, response, settings)


async def _refusal(ctx: Context, form: ChangeEmail) -> FormErrors:
    """Why this change cannot be asked for (empty: it can)."""
    found = await queries.get_user_for_login(ctx.conn, email=ctx.user.email)
    assert found is not None
    if not await passwords.verify_password(found[1], form.current_password):
        return FormErrors(current_password=WRONG_PASSWORD)
    if form.email == ctx.user.email:
        return FormErrors(email=SAME_EMAIL)
    if await queries.get_user_by_email(ctx.conn, email=form.email) is not None:
        return FormErrors(email=TAKEN)
    recent = await queries.count_recent_email_changes(
        ctx.conn, user_id=ctx.user.id, window=timedelta(hours=1)
    )
    return FormErrors(__all__=TOO_MANY) if recent >= EMAIL_LINKS_PER_HOUR else FormErrors()


async def change(request: Request, ctx: Context) -> Response:
    """Mail a confirmation link to the new address; nothing else changes yet."""
    values = await form_values(request)
    form, errors = validate(ChangeEmail, values)
    if form is not None:
        errors = await _refusal(ctx, form)
    if form is None or errors:
        back = flash.redirect(ctx.services.settings, FORM_URL, values=values, errors=dict(errors))
        return back or await render(ctx, "email.html", 422, values=values, errors=errors)
    token, token_hash = tokens.new_token(EMAIL_PREFIX)
    await queries.create_email_change(
        ctx.conn,
        token_hash=token_hash,
        user_id=ctx.user.id,
        new_email=form.email,
        valid_for=EMAIL_LINK_VALID_FOR,
    )
    link = f"{ctx.services.settings.public_base_url}/account/email/{token}"
    mail, mailer = confirm_mail(form.email, link), ctx.services.mailer

    async def send() -> None:
        await mailer.send(mail)

    ctx.after_commit(send)
    return RedirectResponse("/account?email=sent", 303)


async def confirm_page(request: Request, ctx: Context) -> Response:
    """The link asks before it changes anything (mail scanners open links too)."""
    token_hash = tokens.hash_token(request.path_params["token"])
    asked = await queries.open_email_change(ctx.conn, token_hash=token_hash)
    if asked is None:
        raise HTTPException(410, LINK_GONE)
    return await render(ctx, "email_confirm.html", new_email=asked.new_email, path=request.url.path)


async def confirm(request: Request, ctx: Context) -> Response:
    """Change the email, tell the old address, and end every other session."""
    token_hash = tokens.hash_token(request.path_params["token"])
    asked = await queries.open_email_change(ctx.conn, token_hash=token_hash)
    if asked is None or not await queries.claim_email_change(ctx.conn, token_hash=token_hash):
        raise HTTPException(410, LINK_GONE)
    if not await queries.set_email(ctx.conn, user_id=asked.user_id, email=asked.new_email):
        raise HTTPException(409, TAKEN)
    await queries.delete_user_sessions(ctx.conn, user_id=asked.user_id)
    notice, mailer = changed_notice(asked.old_email, asked.new_email), ctx.services.mailer

    async def send() -> None:
        await mailer.send(notice)

    ctx.after_commit(send)
    settings = ctx.services.settings
    if ctx.viewer and ctx.user.id == asked.user_id:  # this device stays signed in
        response = RedirectResponse("/account?email=changed", 303)
        user = await queries.get_user(ctx.conn, user_id=asked.user_id)
        assert user is not None
        await sessions.sign_in(request, response, ctx.conn, settings, user)
        return response
    return RedirectResponse("/login?email=changed", 303)


routes = [
    AppRoute(FORM_URL, change_page, access=Access.SIGNED_IN),
    AppRoute(FORM_URL, change, access=Access.SIGNED_IN, methods=["POST"]),
    AppRoute("/account/email/{token}", confirm_page, access=Access.PUBLIC),
    AppRoute("/account/email/{token}", confirm, access=Access.PUBLIC, methods=["POST"]),
]
