"""Migrations: apply to an empty database, idempotent, safe from two processes at once."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import asyncpg
import pytest

from chalkboard.app import SchemaBehindError, check_schema
from chalkboard.db import migrate
from tests.conftest import TEST_SECRET_KEY, Databases


async def applied(url: str) -> list[int]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT version FROM schema_migrations ORDER BY version")
        return [row["version"] for row in rows]
    finally:
        await conn.close()


async def test_migrations_apply_to_an_empty_database_and_are_idempotent(
    databases: Databases,
) -> None:
    """Every file applies once, in order; running again applies nothing."""
    url = await databases.create()
    conn = await asyncpg.connect(url)
    try:
        first = await migrate.migrate(conn)
        second = await migrate.migrate(conn)
        tables = {
            row["tablename"]
            for row in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        }
    finally:
        await conn.close()
    assert [m.version for m in first] == [m.version for m in migrate.available()]
    assert second == []
    assert {"users", "venues", "memberships", "sessions", "menus", "menu_entries"} <= tables


async def test_two_processes_migrating_at_once_do_not_collide(databases: Databases) -> None:
    """Two `chalkboard migrate` processes started together both succeed; each file runs once."""
    url = await databases.create()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": TEST_SECRET_KEY}

    async def run() -> tuple[int, bytes]:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "chalkboard",
            "migrate",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await process.communicate()
        return process.returncode or 0, output

    results = await asyncio.gather(run(), run())
    assert [code for code, _ in results] == [0, 0], results
    assert await applied(url) == [m.version for m in migrate.available()]


async def test_the_server_refuses_a_schema_that_is_behind(databases: Databases) -> None:
    """Starting on an unmigrated database fails with the command that fixes it."""
    url = await databases.create()
    pool = await asyncpg.create_pool(url, min_size=1, max_size=1)
    assert pool is not None
    try:
        with pytest.raises(SchemaBehindError, match="chalkboard migrate"):
            await check_schema(pool)
    finally:
        await pool.close()


async def test_migrate_check_reports_pending_migrations(databases: Databases) -> None:
    """`migrate --check` exits 1 naming what is pending, and 0 once up to date."""
    url = await databases.create()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": TEST_SECRET_KEY}

    async def check() -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "chalkboard",
            "migrate",
            "--check",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await process.communicate()
        return process.returncode or 0, output.decode()

    code, output = await check()
    assert code == 1
    assert "0001_accounts_and_venues" in output
    conn = await asyncpg.connect(url)
    try:
        await migrate.migrate(conn)
    finally:
        await conn.close()
    assert await check() == (0, "schema is up to date\n")


def test_migration_files_are_numbered_without_gaps() -> None:
    """Files are NNNN_name.sql, numbered 1, 2, 3… so their order is never in doubt."""
    versions = [m.version for m in migrate.available()]
    assert versions == list(range(1, len(versions) + 1))
    assert all(Path(m.path).read_text().strip() for m in migrate.available())
