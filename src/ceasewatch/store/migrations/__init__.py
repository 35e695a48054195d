"""The server store's schema, as Alembic migrations (``ceasewatch store upgrade``)."""
