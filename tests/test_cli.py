"""The `chalkboard` command: help everywhere, and the admin verbs against the real database."""

from __future__ import annotations

import argparse
import re
import secrets
import subprocess
import sys
from collections.abc import Callable

import asyncpg
import httpx

from chalkboard.cli import build_parser
from tests.conftest import PASSWORD, Browser, RunningServer, answer

Cli = Callable[..., subprocess.CompletedProcess[str]]


def verbs(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += verbs(sub, (*prefix, name))
    return found


def test_every_verb_has_help() -> None:
    """`--help` works on the command and on each verb, and describes it."""
    paths = verbs(build_parser())
    assert ("token", "create") in paths
    assert ("user", "create") in paths
    assert ("passwd",) in paths
    for path in paths:
        result = subprocess.run(
            [sys.executable, "-m", "chalkboard", *path, "--help"],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert result.returncode == 0, (path, result.stderr)
        assert "usage: chalkboard" in result.stdout


async def test_admin_verbs_create_a_working_user_venue_and_token(
    cli: Cli, live: RunningServer, new_browser: Callable[[], Browser]
) -> None:
    """user create -> venue create -> token create: the user signs in and the token reads."""
    email = f"cli-{secrets.token_hex(4)}@example.com"
    slug = f"cli-{secrets.token_hex(4)}"
    made = cli("user", "create", email, "--password-stdin", stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    venue = cli(
        "venue",
        "create",
        "--owner",
        email,
        "--name",
        "CLI Cellar",
        "--slug",
        slug,
        "--currency",
        "eur",
        "--unit",
        "ml",
        "--timezone",
        "Europe/Berlin",
    )
    assert venue.returncode == 0, venue.stderr
    token = cli("token", "create", "--venue", slug, "--name", "POS", "--scope", "write")
    assert token.returncode == 0, token.stderr
    secret = token.stdout.strip().splitlines()[-1]
    assert secret.startswith("cbt_")

    assert (await new_browser().sign_in(email)).status_code == 303
    async with httpx.AsyncClient(base_url=live.url) as api:
        response = await api.get(
            f"/api/v1/venues/{slug}", headers={"Authorization": f"Bearer {secret}"}
        )
    assert response.status_code == 200
    assert response.json() == {
        "slug": slug,
        "name": "CLI Cellar",
        "timezone": "Europe/Berlin",
        "currency": "EUR",
        "volume_unit": "ml",
    }


def test_admin_verbs_explain_bad_input(cli: Cli) -> None:
    """Bad email, taken email, unknown owner, unknown venue: exit 1 with a reason, no trace."""
    bad = cli("user", "create", "not-an-email", "--password-stdin", stdin=PASSWORD + "\n")
    assert bad.returncode == 1
    assert "email" in bad.stderr
    assert "Traceback" not in bad.stderr
    short = cli("user", "create", "ok@example.com", "--password-stdin", stdin="short\n")
    assert short.returncode == 1
    assert "at least 8 characters" in short.stderr
    orphan = cli("venue", "create", "--owner", "nobody@example.com", "--name", "X", "--slug", "x1")
    assert orphan.returncode == 1
    assert "no user with email" in orphan.stderr
    lost = cli("token", "create", "--venue", "no-such-venue", "--name", "x")
    assert lost.returncode == 1
    assert "no venue" in lost.stderr


async def test_passwd_changes_the_password_and_signs_out_everywhere(
    cli: Cli, new_browser: Callable[[], Browser]
) -> None:
    """After `passwd`, the old password fails, the new one works, old sessions are gone."""
    person = new_browser()
    email = await person.sign_up()
    changed = cli("passwd", email, "--password-stdin", stdin="a brand new passphrase\n")
    assert changed.returncode == 0, changed.stderr
    assert (await person.get("/account")).status_code == 303
    assert answer(await new_browser().sign_in(email)) == "303 /login"
    assert (await new_browser().sign_in(email, "a brand new passphrase")).status_code == 303


def test_demo_is_idempotent_and_keeps_edits(cli: Cli) -> None:
    """`demo` twice gives the same login and does not duplicate the sample tap list."""
    first = cli("demo")
    second = cli("demo")
    assert first.returncode == second.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert re.search(r"sign in as \S+@\S+ / \S+", first.stdout)


async def test_demo_venue_has_a_sample_tap_list(cli: Cli, db: asyncpg.Pool) -> None:
    """The demo venue has menus, priced entries and an on-deck beverage to kick to."""
    assert cli("demo").returncode == 0
    counts = await db.fetchrow(
        "SELECT count(DISTINCT m.id) AS menus, count(e.id) AS entries, "
        "count(e.id) FILTER (WHERE e.status = 'on_deck') AS on_deck "
        "FROM venues v JOIN menus m ON m.venue_id = v.id "
        "JOIN menu_sections s ON s.menu_id = m.id JOIN menu_entries e ON e.section_id = s.id "
        "WHERE v.slug = 'demo-taproom'"
    )
    assert counts["menus"] == 2
    assert counts["entries"] >= 6
    assert counts["on_deck"] == 1


def test_serve_refuses_the_demo_in_production(cli: Cli) -> None:
    """`serve --demo` in production stops with a reason instead of creating a known login."""
    result = cli(
        "serve",
        "--demo",
        env={"CHALKBOARD_ENV": "production", "PUBLIC_BASE_URL": "https://menu.example.com"},
    )
    assert result.returncode == 1
    assert "development only" in result.stderr
