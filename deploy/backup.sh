#!/bin/sh
# Back up a ceasewatch installation into a new folder (docs/operations.md, "Backup and restore"):
#
#   backup.sh OUT_DIR [--export]
#
# Run it on the log publisher's host, with the services' environment
# (set -a; . /etc/ceasewatch/ceasewatch.env; set +a). It writes:
#   OUT_DIR/home.tar      keys/ (the log's private signing key) and checkpoints/ of $CEASEWATCH_HOME
#   OUT_DIR/store.dump    the PostgreSQL store, pg_dump custom format (one schema when the URL
#                         names one with ?schema=NAME)
#   OUT_DIR/MANIFEST      the schema, the database's extensions, the log's status at the start
#   OUT_DIR/export/       with --export: a restricted export of the log, verified here
#   OUT_DIR/SHA256SUMS    checksums of all of the above
# home.tar holds a private key: keep OUT_DIR on encrypted media that only the operator reads.
#
# CEASEWATCH, PG_DUMP and PSQL name the programs when they are not on PATH.
set -eu

usage() {
    echo "usage: $0 OUT_DIR [--export]" >&2
    exit 2
}
[ $# -ge 1 ] && [ $# -le 2 ] || usage
out=$1
export_log=no
if [ $# -eq 2 ]; then
    [ "$2" = "--export" ] || usage
    export_log=yes
fi
: "${CEASEWATCH_HOME:?set CEASEWATCH_HOME: the state folder holding keys/ and checkpoints/}"
: "${CEASEWATCH_STORE:?set CEASEWATCH_STORE: postgresql://USER@HOST:PORT/DB[?schema=NAME]}"
CEASEWATCH=${CEASEWATCH:-ceasewatch}
PG_DUMP=${PG_DUMP:-pg_dump}
PSQL=${PSQL:-psql}

case $CEASEWATCH_STORE in
    postgresql://* | postgres://*) ;;
    *) echo "error: CEASEWATCH_STORE is not a postgresql:// URL; back up a SQLite store" \
        "by copying it with sqlite3 .backup" >&2; exit 2 ;;
esac
if [ ! -f "$CEASEWATCH_HOME/keys/log.key" ]; then
    echo "error: $CEASEWATCH_HOME/keys/log.key is missing: run this on the log publisher's host" >&2
    exit 2
fi
if [ ! -f "$CEASEWATCH_HOME/checkpoints/latest" ]; then
    echo "error: no checkpoint in $CEASEWATCH_HOME/checkpoints yet: a restore could not be" \
        "checked; run ceasewatch log checkpoint (or let ceasewatch log publish run) first" >&2
    exit 2
fi

# The libpq URL without ceasewatch's own ?schema=NAME parameter, and that schema.
schema=$(printf '%s' "$CEASEWATCH_STORE" | sed -n 's/.*[?&]schema=\([a-z0-9_]*\).*/\1/p')
conn=$(printf '%s' "$CEASEWATCH_STORE" \
    | sed -e 's/\([?&]\)schema=[a-z0-9_]*&\{0,1\}/\1/' -e 's/[?&]$//')

mkdir "$out"  # fails when it exists: a backup never overwrites another

# 1. The keys and the published checkpoints, first: every checkpoint file copied here was
#    committed to the store before it was written, so the dump below holds it too.
set -- keys checkpoints
[ -d "$CEASEWATCH_HOME/witness" ] && set -- "$@" witness
tar -C "$CEASEWATCH_HOME" -cf "$out/home.tar" "$@"

# 2. The log's status, and with --export an independent, verifiable copy of the log (its
#    custody entry lands in the log before the dump, so the dump records it).
{
    echo "schema=$schema"
    # extensions live outside the schema (PostGIS's types in public): restore.sh creates them
    echo "extensions=$("$PSQL" "$conn" -XAtc \
        "SELECT string_agg(extname, ' ' ORDER BY extname) FROM pg_extension WHERE extname <> 'plpgsql'")"
    echo "started=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    "$CEASEWATCH" log status
} > "$out/MANIFEST"
if [ "$export_log" = yes ]; then
    "$CEASEWATCH" log export "$out/export" --restricted --to backup --actor backup
    "$CEASEWATCH" log key > "$out/log.vkey"
    "$CEASEWATCH" verify "$out/export" --key "$out/log.vkey" \
        --since "$CEASEWATCH_HOME/checkpoints/latest"
fi

# 3. The store: one consistent snapshot, whatever keeps writing meanwhile.
if [ -n "$schema" ]; then
    "$PG_DUMP" --format=custom --schema="$schema" --file="$out/store.dump" "$conn"
else
    "$PG_DUMP" --format=custom --file="$out/store.dump" "$conn"
fi

(cd "$out" && find . -type f ! -name SHA256SUMS | sort | xargs sha256sum > SHA256SUMS)
echo "backup written to $out"
