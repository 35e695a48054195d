"""The log and the derived results (the tables of ceasewatch's first server store).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = """
CREATE TABLE IF NOT EXISTS meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    idx bigint PRIMARY KEY, kind text NOT NULL, leaf bytea NOT NULL,
    received_ns bigint NOT NULL, "full" bytea);
CREATE TABLE IF NOT EXISTS nodes (
    level smallint NOT NULL, idx bigint NOT NULL, hash bytea NOT NULL,
    PRIMARY KEY (level, idx));
CREATE TABLE IF NOT EXISTS record_keys (
    source text NOT NULL, record_id text NOT NULL, digest bytea NOT NULL, entry bigint NOT NULL,
    PRIMARY KEY (source, record_id, digest));
CREATE TABLE IF NOT EXISTS sealed (
    entry bigint NOT NULL, path text NOT NULL, salt bytea NOT NULL, value bytea NOT NULL,
    PRIMARY KEY (entry, path));
CREATE TABLE IF NOT EXISTS checkpoints (
    size bigint PRIMARY KEY, root bytea NOT NULL, note bytea NOT NULL, created_ns bigint NOT NULL);
CREATE TABLE IF NOT EXISTS cosignatures (
    size bigint NOT NULL, line bytea NOT NULL, PRIMARY KEY (size, line));
CREATE TABLE IF NOT EXISTS result_runs (
    run_id text PRIMARY KEY, stage text NOT NULL, log_size bigint NOT NULL,
    inputs text NOT NULL, summary text NOT NULL, created_ns bigint NOT NULL);
CREATE TABLE IF NOT EXISTS result_items (
    run_id text NOT NULL, kind text NOT NULL, seq integer NOT NULL, item_id text NOT NULL,
    body text NOT NULL, PRIMARY KEY (run_id, kind, seq));
INSERT INTO meta (key, value) VALUES ('schema', '1') ON CONFLICT DO NOTHING;
"""


def upgrade() -> None:
    op.execute(TABLES)


def downgrade() -> None:
    raise NotImplementedError("the log is never dropped by a migration")
