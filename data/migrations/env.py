"""Alembic environment: run by ``data.store.Store`` in code, or by the alembic CLI.

``Store`` hands over its own connection (already inside a transaction that
holds the database's write lock), so two workers opening the store at once
cannot both create the tables. Run from the command line
(``alembic -c data/migrations/alembic.ini ...``), it opens
``HEXALIGN_DATABASE_URL`` or the default SQLite file.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine


def run_migrations() -> None:
    """Upgrade (or downgrade) on the given connection, or on the configured URL."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from common.settings import Settings
    from data.store import normalise_url

    url = context.config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url
    engine = create_engine(normalise_url(url))
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    context.configure(connection=connection, render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; give a database URL")
run_migrations()
