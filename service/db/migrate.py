"""Schema migrations: numbered .sql files applied in order, each in its own transaction.

Safe to run from several processes at once (an advisory lock serializes them) and to run
again (applied versions are recorded in schema_migrations). Expand/contract only: every
migration must work with the code that is already running.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from chalkboard.db import Conn

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
FILENAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# Any fixed 64-bit number; it names "the migration lock" for every Chalkboard process.
ADVISORY_LOCK_ID = 0x43484B42  # "CHKB"

CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""
SELECT_APPLIED = "SELECT version FROM schema_migrations ORDER BY version"
INSERT_APPLIED = "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)"
TABLE_EXISTS = "SELECT to_regclass('schema_migrations') IS NOT NULL"
LOCK = "SELECT pg_advisory_lock($1)"
UNLOCK = "SELECT pg_advisory_unlock($1)"
# A migration waits at most this long for a table lock, so it never queues live traffic
# behind it for long; it fails instead, and is retried by running `chalkboard migrate` again.
LOCAL_TIMEOUTS = "SET LOCAL lock_timeout = '10s'; SET LOCAL statement_timeout = '10min'"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")


def available(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = FILENAME.match(path.name)
        if match is None:
            raise RuntimeError(f"migration file {path.name} is not named NNNN_snake_case.sql")
        migrations.append(Migration(int(match[1]), match[2], path))
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"two migration files share a number in {directory}")
    return migrations


async def applied_versions(conn: Conn) -> set[int]:
    if not await conn.fetchval(TABLE_EXISTS):
        return set()
    return {row["version"] for row in await conn.fetch(SELECT_APPLIED)}


async def pending(conn: Conn) -> list[Migration]:
    done = await applied_versions(conn)
    return [m for m in available() if m.version not in done]


async def migrate(conn: Conn) -> list[Migration]:
    """Apply every pending migration; return the ones this call applied."""
    await conn.execute(LOCK, ADVISORY_LOCK_ID)
    try:
        await conn.execute(CREATE_TABLE)
        todo = await pending(conn)  # read under the lock: another process may have just run
        for migration in todo:
            async with conn.transaction():
                await conn.execute(LOCAL_TIMEOUTS)
                await conn.execute(migration.sql())
                await conn.execute(INSERT_APPLIED, migration.version, migration.name)
        return todo
    finally:
        await conn.execute(UNLOCK, ADVISORY_LOCK_ID)
