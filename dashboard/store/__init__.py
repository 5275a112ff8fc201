"""The workspace store: database engines, the workspace and its tables, the schema of each
import kind, roles and permissions, the author of a write, and the Alembic migrations.

Everything written goes through :class:`dashboard.store.workspace.Workspace`, which checks
permissions and logs each write in the same transaction.
"""
