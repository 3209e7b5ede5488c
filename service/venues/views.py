"""Venues: create and switch between them, the team (members, invites) and API tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from chalkboard import tokens
from chalkboard.accounts import queries as accounts
from chalkboard.accounts import sessions
from chalkboard.accounts.forms import NewApiToken
from chalkboard.http import flash
from chalkboard.http.forms import FormErrors, form_values, validate
from chalkboard.http.pages import render
from chalkboard.http.routing import Access, AppRoute, Context
from chalkboard.mail.mailer import Mail
from chalkboard.menus import operations
from chalkboard.menus import queries as menus
from chalkboard.menus.views.showing import showing_now
from chalkboard.venues import queries
from chalkboard.venues import settings as venue_settings
from chalkboard.venues.forms import (
    MemberRole,
    NewInvite,
    NewVenue,
    slug_from_name,
    venue_form_choices,
)
from chalkboard.venues.queries import Invite, Venue

INVITE_PREFIX = "inv_"
LAST_OWNER = "A venue needs at least one owner. Make someone else an owner first."


async def create_venue_for(ctx: Context, form: NewVenue, owner_id: int) -> Venue | None:
    """The new venue with its owner, or None when the slug is taken."""
    venue = await queries.create_venue(ctx.conn, **form.model_dump())
    if venue is not None:
        await queries.add_member(ctx.conn, venue_id=venue.id, user_id=owner_id, role="owner")
    return venue


async def home(request: Request, ctx: Context) -> Response:
    return RedirectResponse("/venues" if ctx.viewer else "/login", 303)


async def venue_list(request: Request, ctx: Context) -> Response:
    memberships = await queries.list_memberships(ctx.conn, user_id=ctx.user.id)
    if len(memberships) == 1 and "all" not in request.query_params:
        return RedirectResponse(f"/v/{memberships[0].venue.slug}", 303)
    return await render(ctx, "venues.html")


async def new_venue_page(request: Request, ctx: Context) -> Response:
    settings = ctx.services.settings
    shown = flash.take(request, settings)  # a form that came back with errors
    defaults = {"timezone": "America/New_York", "currency": "USD", "volume_unit": "oz"}
    response = await render(
        ctx,
        "venue_new.html",
        values=shown.get("values", defaults),
        errors=FormErrors(shown.get("errors", {})),
        **venue_form_choices(),
    )
    return flash.forget(request, response, settings)


async def new_venue(request: Request, ctx: Context) -> Response:
    values = await form_values(request)
    if not values.get("slug", "").strip():
        values["slug"] = slug_from_name(values.get("name", ""))
    form, errors = validate(NewVenue, values)
    if form is not None:
        venue = await create_venue_for(ctx, form, ctx.user.id)
        if venue is not None:
            return RedirectResponse(f"/v/{venue.slug}", 303)
        errors = FormErrors(slug="Another venue already uses this web address; pick another.")
    back = flash.redirect(ctx.services.settings, "/venues/new", values=values, errors=dict(errors))
    return back or await render(
        ctx, "venue_new.html", 422, values=values, errors=errors, **venue_form_choices()
    )


async def venue_home(request: Request, ctx: Context) -> Response:
    """The venue's menus, each with its tap list and a way into the editor; a new menu form
    (which, refused, comes back here once with what was typed and why)."""
    boards = [
        await operations.current_board(ctx.conn, venue_id=ctx.venue.id, menu_id=menu.id)
        for menu in await menus.list_menus(ctx.conn, venue_id=ctx.venue.id)
    ]
    settings = ctx.services.settings
    shown = flash.take(request, settings)
    response = await render(
        ctx,
        "venue.html",
        boards=boards,
        showing={b["menu"]["id"]: showing_now(b, datetime.now(UTC)) for b in boards},
        values=shown.get("values", {}),
        errors=FormErrors(shown.get("errors", {})),
    )
    return flash.forget(request, response, settings)


# --- the team: members and invites -------------------------------------------------------


async def team_page(request: Request, ctx: Context, **extra: object) -> Response:
    members = await queries.list_members(ctx.conn, venue_id=ctx.venue.id)
    invites = (
        await queries.list_pending_invites(ctx.conn, venue_id=ctx.venue.id)
        if ctx.role == "owner"
        else []
    )
    extra.setdefault("errors", {})
    extra.setdefault("values", {"role": "editor"})
    status = int(str(extra.pop("status", 200)))
    return await render(ctx, "team.html", status, members=members, invites=invites, **extra)


def invite_mail(to: str, venue: str, role: str, link: str, sender: str) -> Mail:
    return Mail(
        to=to,
        subject=f"Join {venue} on Chalkboard",
        text=(
            f"{sender} invites you to edit the menus of {venue} on Chalkboard, as {role}.\n\n"
            f"Accept here (the link works once, within a week):\n{link}\n"
        ),
    )


def _team_url(ctx: Context) -> str:
    return f"/v/{ctx.venue.slug}/team"


async def team(request: Request, ctx: Context) -> Response:
    # After a POST (redirect after POST): a new invite's link, or an invite form's errors.
    shown = flash.take(request, ctx.services.settings)
    if "errors" in shown:
        shown["errors"] = FormErrors(shown["errors"])
    response = await team_page(request, ctx, **shown)
    return flash.forget(request, response, ctx.services.settings)


async def create_invite(request: Request, ctx: Context) -> Response:
    values = await form_values(request)
    form, errors = validate(NewInvite, values)
    if form is None:
        back = flash.redirect(
            ctx.services.settings, _team_url(ctx), values=values, errors=dict(errors)
        )
        return back or await team_page(request, ctx, status=422, values=values, errors=errors)
    token, token_hash = tokens.new_token(INVITE_PREFIX)
    await queries.create_invite(
        ctx.conn,
        venue_id=ctx.venue.id,
        token_hash=token_hash,
        role=form.role,
        note=form.note,
        created_by=ctx.user.id,
        valid_for=timedelta(days=ctx.services.settings.invite_valid_days),
    )
    link = f"{ctx.services.settings.public_base_url}/invite/{token}"
    if form.email is not None:
        mail = invite_mail(form.email, ctx.venue.name, form.role, link, ctx.user.email)
        mailer = ctx.services.mailer

        async def send() -> None:
            await mailer.send(mail)

        ctx.after_commit(send)
    back = flash.redirect(
        ctx.services.settings,
        _team_url(ctx),
        new_invite_link=link,
        new_invite_role=form.role,
        new_invite_email=form.email or "",
    )
    assert back is not None  # a link and a role fit in a cookie
    return back


async def revoke_invite(request: Request, ctx: Context) -> Response:
    if not await queries.revoke_invite(
        ctx.conn, venue_id=ctx.venue.id, invite_id=request.path_params["invite_id"]
    ):
        raise HTTPException(404, "No open invite with that id: it was used or withdrawn already.")
    return RedirectResponse(f"/v/{ctx.venue.slug}/team", 303)


def _back_to_team(ctx: Context, refused: str) -> Response:
    """A refused team form: 303 back to Team, which says why once (redirect after POST)."""
    back = flash.redirect(ctx.services.settings, _team_url(ctx), refused=refused)
    assert back is not None  # one sentence fits in a cookie
    return back


async def _not_as_asked(ctx: Context, user_id: int) -> Response:
    """Why a role change or removal did nothing: not a member (404, as for another venue's
    people), or the venue's last owner."""
    members = {m.user_id for m in await queries.list_members(ctx.conn, venue_id=ctx.venue.id)}
    if user_id not in members:
        raise HTTPException(404, "That person is not a member of this venue.")
    return _back_to_team(ctx, LAST_OWNER)


async def remove_member(request: Request, ctx: Context) -> Response:
    user_id = request.path_params["user_id"]
    if not await queries.remove_member(ctx.conn, venue_id=ctx.venue.id, user_id=user_id):
        return await _not_as_asked(ctx, user_id)
    if user_id == ctx.user.id:
        return RedirectResponse("/venues", 303)
    return RedirectResponse(f"/v/{ctx.venue.slug}/team", 303)


async def change_role(request: Request, ctx: Context) -> Response:
    """Make a member an owner or an editor, without removing them (owners only)."""
    user_id = request.path_params["user_id"]
    form, _ = validate(MemberRole, await form_values(request))
    if form is None:
        return _back_to_team(ctx, "Choose owner or editor.")
    if not await queries.set_member_role(
        ctx.conn, venue_id=ctx.venue.id, user_id=user_id, role=form.role
    ):
        return await _not_as_asked(ctx, user_id)
    if user_id == ctx.user.id and form.role != "owner":
        return RedirectResponse(f"/v/{ctx.venue.slug}", 303)  # no longer sees the team page
    return RedirectResponse(_team_url(ctx), 303)


def _invite_problem(invite: Invite | None) -> HTTPException | None:
    if invite is None:
        return HTTPException(
            404,
            "This invite link is not valid. Check that you copied all of it, or ask for a new one.",
        )
    if invite.revoked_at is not None:
        return HTTPException(410, "This invite was withdrawn. Ask the venue's owner for a new one.")
    if invite.accepted_at is not None:
        return HTTPException(410, "This invite has already been used. Each link works once.")
    if invite.expires_at <= datetime.now(UTC):
        return HTTPException(
            410,
            f"This invite expired on {invite.expires_at:%d %b %Y}. Ask the venue's owner for a "
            "new one.",
        )
    return None


async def invite_page(request: Request, ctx: Context) -> Response:
    invite = await queries.get_invite(
        ctx.conn, token_hash=tokens.hash_token(request.path_params["token"])
    )
    if (problem := _invite_problem(invite)) is not None:
        raise problem
    assert invite is not None
    venue = await queries.get_venue(ctx.conn, venue_id=invite.venue_id)
    return await render(ctx, "invite.html", invite=invite, venue=venue, path=request.url.path)


async def accept_invite(request: Request, ctx: Context) -> Response:
    token_hash = tokens.hash_token(request.path_params["token"])
    invite = await queries.claim_invite(ctx.conn, token_hash=token_hash, user_id=ctx.user.id)
    if invite is None:
        problem = _invite_problem(await queries.get_invite(ctx.conn, token_hash=token_hash))
        raise problem or HTTPException(409, "This invite was just used. Each link works once.")
    await queries.add_member(
        ctx.conn, venue_id=invite.venue_id, user_id=ctx.user.id, role=invite.role
    )
    venue = await queries.get_venue(ctx.conn, venue_id=invite.venue_id)
    assert venue is not None
    return RedirectResponse(f"/v/{venue.slug}", 303)


# --- API tokens ---------------------------------------------------------------------------


async def tokens_page(request: Request, ctx: Context, **extra: object) -> Response:
    api_tokens = await accounts.list_api_tokens(ctx.conn, venue_id=ctx.venue.id)
    extra.setdefault("errors", {})
    extra.setdefault("values", {"scope": "read"})
    status = int(str(extra.pop("status", 200)))
    return await render(ctx, "tokens.html", status, api_tokens=api_tokens, **extra)


async def api_tokens(request: Request, ctx: Context) -> Response:
    return await tokens_page(request, ctx)


async def create_api_token(request: Request, ctx: Context) -> Response:
    values = await form_values(request)
    form, errors = validate(NewApiToken, values)
    if form is None:
        return await tokens_page(request, ctx, status=422, values=values, errors=errors)
    secret, token_hash = sessions.new_api_token()
    await accounts.create_api_token(
        ctx.conn,
        venue_id=ctx.venue.id,
        name=form.name,
        token_hash=token_hash,
        scope=form.scope,
        created_by=ctx.user.id,
    )
    return await tokens_page(request, ctx, status=201, new_token=secret)


async def revoke_api_token(request: Request, ctx: Context) -> Response:
    if not await accounts.revoke_api_token(
        ctx.conn, venue_id=ctx.venue.id, token_id=request.path_params["token_id"]
    ):
        raise HTTPException(404, "No live API token with that id: it may be revoked already.")
    return RedirectResponse(f"/v/{ctx.venue.slug}/tokens", 303)


# --- JSON API -----------------------------------------------------------------------------


async def api_venue(request: Request, ctx: Context) -> Response:
    venue = ctx.venue
    return JSONResponse(
        {
            "slug": venue.slug,
            "name": venue.name,
            "timezone": venue.timezone,
            "currency": venue.currency,
            "volume_unit": venue.volume_unit,
        }
    )


routes = [
    AppRoute("/", home, access=Access.PUBLIC),
    AppRoute("/venues", venue_list, access=Access.SIGNED_IN),
    AppRoute("/venues/new", new_venue_page, access=Access.SIGNED_IN),
    AppRoute("/venues/new", new_venue, access=Access.SIGNED_IN, methods=["POST"]),
    AppRoute("/v/{slug}", venue_home, access=Access.VENUE),
    AppRoute("/v/{slug}/team", team, access=Access.VENUE),
    *venue_settings.routes,
    AppRoute("/v/{slug}/invites", create_invite, access=Access.VENUE_OWNER, methods=["POST"]),
    AppRoute(
        "/v/{slug}/invites/{invite_id:int}/revoke",
        revoke_invite,
        access=Access.VENUE_OWNER,
        methods=["POST"],
    ),
    AppRoute(
        "/v/{slug}/members/{user_id:int}/role",
        change_role,
        access=Access.VENUE_OWNER,
        methods=["POST"],
    ),
    AppRoute(
        "/v/{slug}/members/{user_id:int}/remove",
        remove_member,
        access=Access.VENUE_OWNER,
        methods=["POST"],
    ),
    AppRoute("/v/{slug}/tokens", api_tokens, access=Access.VENUE_OWNER),
    AppRoute("/v/{slug}/tokens", create_api_token, access=Access.VENUE_OWNER, methods=["POST"]),
    AppRoute(
        "/v/{slug}/tokens/{token_id:int}/revoke",
        revoke_api_token,
        access=Access.VENUE_OWNER,
        methods=["POST"],
    ),
    AppRoute("/invite/{token}", invite_page, access=Access.PUBLIC),
    AppRoute("/invite/{token}", accept_invite, access=Access.SIGNED_IN, methods=["POST"]),
    AppRoute("/api/v1/venues/{slug}", api_venue, access=Access.API),
]
