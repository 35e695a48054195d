#!/bin/sh
# Restore a backup made by backup.sh into a NEW database and a NEW home folder, then check it
# (docs/operations.md, "Backup and restore"):
#
#   restore.sh BACKUP_DIR TARGET_DB_URL NEW_HOME [CHECKPOINT]
#
# TARGET_DB_URL is postgresql://USER@HOST:PORT/NEWDB, a database that must not exist yet (it is
# created here; nothing is ever restored over a live store). CHECKPOINT is the newest checkpoint
# you trust, e.g. the one a witness or a party holds; default: the newest in the backup. The
# restored log must hold it: the same root at its size, under the log's own key.
#
# Exit 0 when the restored store is sound and holds CHECKPOINT; 1 when a check fails; 2 for bad
# arguments. The role in TARGET_DB_URL must be allowed to create databases and the extensions
# the backup lists (PostGIS: a superuser). CEASEWATCH, PYTHON (the Python ceasewatch is installed
# in), PG_RESTORE, PSQL and CREATEDB name the programs when they are not on PATH.
set -eu

[ $# -ge 3 ] && [ $# -le 4 ] || { echo "usage: $0 BACKUP_DIR TARGET_DB_URL NEW_HOME [CHECKPOINT]" >&2; exit 2; }
backup=$1
target=$2
home=$3
CEASEWATCH=${CEASEWATCH:-ceasewatch}
PYTHON=${PYTHON:-python3}
PG_RESTORE=${PG_RESTORE:-pg_restore}
CREATEDB=${CREATEDB:-createdb}
PSQL=${PSQL:-psql}
here=$(cd "$(dirname "$0")" && pwd)

case $target in
    *\?*) echo "error: give TARGET_DB_URL without parameters (the schema comes from the backup)" >&2
        exit 2 ;;
    postgresql://*/* | postgres://*/*) ;;
    *) echo "error: TARGET_DB_URL must be postgresql://USER@HOST:PORT/NEWDB" >&2; exit 2 ;;
esac
for name in store.dump home.tar MANIFEST SHA256SUMS; do
    [ -f "$backup/$name" ] || { echo "error: $backup/$name is missing: not a backup.sh folder" >&2; exit 2; }
done
(cd "$backup" && sha256sum --quiet -c SHA256SUMS) || { echo "error: the backup's checksums do not match" >&2; exit 1; }
schema=$(sed -n 's/^schema=//p' "$backup/MANIFEST")
extensions=$(sed -n 's/^extensions=//p' "$backup/MANIFEST")

# 1. The home: keys (mode 0700/0600, as ceasewatch writes them) and checkpoints.
mkdir "$home"  # fails when it exists
chmod 0700 "$home"
tar -C "$home" -xf "$backup/home.tar"
chmod 0700 "$home/keys"
chmod 0600 "$home/keys"/*.key
checkpoint=${4:-$home/checkpoints/latest}

# 2. The store, into a database created for it.
"$CREATEDB" --maintenance-db="${target%/*}/postgres" "${target##*/}"
for extension in $extensions; do
    "$PSQL" "$target" -Xq -v ON_ERROR_STOP=1 -c "CREATE EXTENSION IF NOT EXISTS \"$extension\""
done
"$PG_RESTORE" --exit-on-error --no-owner --dbname="$target" "$backup/store.dump"
store=$target
[ -n "$schema" ] && store="$target?schema=$schema"

# 3. The checks: the store against itself, then against the checkpoint kept outside it.
"$CEASEWATCH" log check --home "$home" --store "$store" || exit 1
"$PYTHON" "$here/check_restore.py" --home "$home" --store "$store" --checkpoint "$checkpoint" \
    || exit 1
echo "restored: CEASEWATCH_HOME=$home CEASEWATCH_STORE=$store"
