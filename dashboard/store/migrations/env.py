"""Alembic environment: run on the connection that :func:`dashboard.store.migrations.upgrade` gives.

There is no ``alembic.ini``: migrations are run by the workspace itself
(:meth:`dashboard.store.workspace.Workspace.create`), inside its transaction and lock.
"""

from __future__ import annotations

from alembic import context

from dashboard.store.migrations import include_name
from dashboard.store.workspace import METADATA

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=METADATA,
    render_as_batch=connection.dialect.name == "sqlite",
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
