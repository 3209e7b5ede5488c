"""Which Postgres to talk to: DATABASE_URL, or an embedded server (pgserver) under DATA_DIR."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from chalkboard.settings import Settings

if TYPE_CHECKING:
    from pgserver.postgres_server import PostgresServer


def database_url(settings: Settings) -> str:
    """The configured DATABASE_URL, or the embedded server's, started on first use.

    The embedded server outlives nothing: it stops when the last process using it exits,
    and its data stays under DATA_DIR/postgres for the next start.
    """
    if settings.database_url is not None:
        return settings.database_url.reveal()
    uri: str = embedded_server(settings.data_dir / "postgres").get_uri()
    return uri


def embedded_server(pgdata: Path) -> PostgresServer:
    """The pgserver instance for this data dir, started (and initialized) when needed."""
    from platformdirs.api import RuntimeDirWarning

    pgdata.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # Containers have no XDG_RUNTIME_DIR; pgserver's lock file falls back to /tmp.
        warnings.simplefilter("ignore", RuntimeDirWarning)
        # Imported lazily: production never loads the bundled Postgres.
        from pgserver.postgres_server import get_server

        return get_server(pgdata, cleanup_mode="stop")
