"""The store: one interface, SQLite (embedded default) and PostgreSQL implementations."""
