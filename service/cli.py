"""The `chalkboard` command: serve, migrate, demo, and the admin verbs. `--help` on each."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from typing import Any

from pydantic import BaseModel, ValidationError

from chalkboard.accounts import passwords
from chalkboard.accounts import queries as accounts
from chalkboard.accounts.forms import NewApiToken, SignUp
from chalkboard.accounts.sessions import new_api_token
from chalkboard.cost import commands as cost
from chalkboard.db import migrate
from chalkboard.db.pool import connect
from chalkboard.http.forms import errors_of
from chalkboard.media import commands as media
from chalkboard.settings import Settings, SettingsError
from chalkboard.venues import queries as venues
from chalkboard.venues.forms import NewVenue


class CommandError(Exception):
    """A problem the person at the terminal can fix; printed without a traceback."""


def parse(model: type[BaseModel], **values: Any) -> Any:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(f"{field}: {message}" for field, message in errors_of(exc).items())
        raise CommandError(problems) from None


def read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise CommandError("no terminal to ask for a password: pass --password-stdin")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise CommandError("the two passwords differ")
    return first


# --- verbs -------------------------------------------------------------------------------


async def cmd_migrate(settings: Settings, args: argparse.Namespace) -> None:
    async with connect(settings) as conn:
        if args.check:
            missing = await migrate.pending(conn)
            if missing:
                raise CommandError(
                    "pending migrations: " + ", ".join(f"{m.version:04d}_{m.name}" for m in missing)
                )
            print("schema is up to date")
            return
        done = await migrate.migrate(conn)
    for m in done:
        print(f"applied {m.version:04d}_{m.name}")
    print("schema is up to date" if not done else f"{len(done)} migration(s) applied")


async def cmd_demo(settings: Settings, args: argparse.Namespace) -> None:
    from chalkboard import demo

    async with connect(settings) as conn, conn.transaction():
        login = await demo.ensure_demo(conn)
    print(f"demo venue ready: sign in as {login.email} / {login.password}")


async def cmd_user_create(settings: Settings, args: argparse.Namespace) -> None:
    form = parse(SignUp, email=args.email, password=read_password(args))
    async with connect(settings) as conn:
        user = await accounts.create_user(
            conn, email=form.email, password_hash=await passwords.hash_password(form.password)
        )
    if user is None:
        raise CommandError(f"a user with email {form.email} already exists")
    print(f"created user {user.email} (id {user.id})")


async def cmd_passwd(settings: Settings, args: argparse.Namespace) -> None:
    form = parse(SignUp, email=args.email, password=read_password(args))
    async with connect(settings) as conn, conn.transaction():
        user = await accounts.get_user_by_email(conn, email=form.email)
        if user is None:
            raise CommandError(f"no user with email {form.email}")
        await accounts.set_password_hash(
            conn, user_id=user.id, password_hash=await passwords.hash_password(form.password)
        )
        await accounts.delete_user_sessions(conn, user_id=user.id)
        await accounts.clear_login_failures(conn, email=user.email)
    print(f"password changed for {user.email}; their sessions were signed out")


async def cmd_venue_create(settings: Settings, args: argparse.Namespace) -> None:
    form = parse(
        NewVenue,
        name=args.name,
        slug=args.slug,
        timezone=args.timezone,
        currency=args.currency,
        volume_unit=args.unit,
    )
    async with connect(settings) as conn, conn.transaction():
        owner = await accounts.get_user_by_email(conn, email=args.owner.strip().lower())
        if owner is None:
            raise CommandError(f"no user with email {args.owner}: create it with `user create`")
        venue = await venues.create_venue(conn, **form.model_dump())
        if venue is None:
            raise CommandError(f"the slug {form.slug!r} is taken")
        await venues.add_member(conn, venue_id=venue.id, user_id=owner.id, role="owner")
    print(f"created venue {venue.name} at /v/{venue.slug}, owned by {owner.email}")


async def cmd_token_create(settings: Settings, args: argparse.Namespace) -> None:
    form = parse(NewApiToken, name=args.name, scope=args.scope)
    async with connect(settings) as conn:
        venue = await venues.get_venue_by_slug(conn, slug=args.venue)
        if venue is None:
            raise CommandError(f"no venue with slug {args.venue!r}")
        secret, token_hash = new_api_token()
        await accounts.create_api_token(
            conn,
            venue_id=venue.id,
            name=form.name,
            token_hash=token_hash,
            scope=form.scope,
            created_by=None,
        )
    print(f"{form.scope} token {form.name!r} for {venue.slug} (shown once, keep it safe):")
    print(secret)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> None:
    from chalkboard.serve import run

    run(settings, migrate_first=args.migrate, demo=args.demo)


# --- parser ------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chalkboard",
        description="Chalkboard: the live digital tap list. Configured by environment "
        "variables (see docs/configuration.md); with no DATABASE_URL it runs an embedded "
        "Postgres under DATA_DIR.",
    )
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    serve = verbs.add_parser("serve", help="run the web server", description="Run the web server.")
    serve.add_argument(
        "--migrate", action="store_true", help="apply migrations first (single instance only)"
    )
    serve.add_argument(
        "--demo", action="store_true", help="create the demo venue and print its login (dev)"
    )
    serve.set_defaults(run=cmd_serve)

    mig = verbs.add_parser(
        "migrate",
        help="apply database migrations",
        description="Apply pending migrations. "
        "Safe to run from several processes at once, and again.",
    )
    mig.add_argument(
        "--check", action="store_true", help="only report; exit 1 when migrations are pending"
    )
    mig.set_defaults(run=cmd_migrate)

    demo = verbs.add_parser(
        "demo",
        help="create the demo venue and login",
        description="Create (or refresh) the demo venue with a sample tap list and a demo login.",
    )
    demo.set_defaults(run=cmd_demo)

    user = verbs.add_parser("user", help="manage users", description="Manage users.")
    user_verbs = user.add_subparsers(dest="user_verb", required=True, metavar="VERB")
    user_create = user_verbs.add_parser(
        "create", help="create a user", description="Create a user."
    )
    user_create.add_argument("email")
    user_create.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin"
    )
    user_create.set_defaults(run=cmd_user_create)

    passwd = verbs.add_parser(
        "passwd",
        help="set a user's password",
        description="Set a user's password and sign out all their sessions.",
    )
    passwd.add_argument("email")
    passwd.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin"
    )
    passwd.set_defaults(run=cmd_passwd)

    venue = verbs.add_parser("venue", help="manage venues", description="Manage venues.")
    venue_verbs = venue.add_subparsers(dest="venue_verb", required=True, metavar="VERB")
    venue_create = venue_verbs.add_parser(
        "create", help="create a venue", description="Create a venue owned by an existing user."
    )
    venue_create.add_argument("--owner", required=True, help="email of the owning user")
    venue_create.add_argument("--name", required=True)
    venue_create.add_argument("--slug", required=True, help="the venue's address: /v/SLUG")
    venue_create.add_argument("--timezone", default="America/New_York")
    venue_create.add_argument("--currency", default="USD", help="ISO 4217 code, e.g. USD, EUR")
    venue_create.add_argument("--unit", default="oz", choices=["ml", "oz"], help="volume unit")
    venue_create.set_defaults(run=cmd_venue_create)

    token = verbs.add_parser(
        "token", help="manage venue API tokens", description="Manage venue API tokens."
    )
    token_verbs = token.add_subparsers(dest="token_verb", required=True, metavar="VERB")
    token_create = token_verbs.add_parser(
        "create",
        help="create an API token",
        description="Create a venue API token for the "
        "JSON API (`Authorization: Bearer <token>`). It is printed once.",
    )
    token_create.add_argument("--venue", required=True, help="the venue's slug")
    token_create.add_argument("--name", required=True, help="what it is for, e.g. 'POS sync'")
    token_create.add_argument("--scope", choices=["read", "write"], default="read")
    token_create.set_defaults(run=cmd_token_create)
    cost.register(verbs)
    media.register(verbs)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        result = args.run(settings, args)
        if asyncio.iscoroutine(result):
            asyncio.run(result)
    except (SettingsError, CommandError, cost.CostError) as exc:
        print(f"chalkboard: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
