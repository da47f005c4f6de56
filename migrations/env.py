"""Alembic environment: runs feedkeeper's migrations against the archive's SQLite file."""

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import feedkeeper.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from feedkeeper.store.search import include_object

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    """Run migrations on the connection handed over by feedkeeper, or on the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.begin() as conn:
        _run(conn)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copy
        compare_type=True,
        include_object=include_object,  # the FTS index is not a model
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
