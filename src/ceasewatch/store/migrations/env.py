"""Alembic's environment for the server store: it runs on the connection and in the schema that
:mod:`ceasewatch.store.migrate` hands it (never from an alembic.ini of its own)."""

from __future__ import annotations

from alembic import context

config = context.config
connection = config.attributes["connection"]
schema = config.attributes.get("schema")

context.configure(
    connection=connection,
    target_metadata=None,
    version_table_schema=schema,
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
