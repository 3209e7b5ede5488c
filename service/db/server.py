"""Which Postgres to talk to: DATABASE_URL, or an embedded server (pgserver) under DATA_DIR."""

from __future__ import annotations

import warnings
from pathlib import Path

from chalkboard.settings import Settings


def database_url(settings: Settings) -> str:
    """The configured DATABASE_URL, or the embedded server's, started on first use.

    The embedded server outlives nothing: it stops when the last process using it exits,
    and its data stays under DATA_DIR/postgres for the next start.
    """
    if settings.database_url is not None:
        return settings.database_url.reveal()
    return start_embedded(settings.data_dir / "postgres")


def start_embedded(pgdata: Path) -> str:
    from platformdirs.api import RuntimeDirWarning

    pgdata.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # Containers have no XDG_RUNTIME_DIR; pgserver's lock file falls back to /tmp.
        warnings.simplefilter("ignore", RuntimeDirWarning)
        # Imported lazily: production never loads the bundled Postgres.
        from pgserver.postgres_server import get_server

        server = get_server(pgdata, cleanup_mode="stop")
    uri: str = server.get_uri()
    return uri
