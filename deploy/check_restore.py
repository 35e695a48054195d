"""Check a restored store against a checkpoint kept outside it (run by restore.sh).

    python check_restore.py --home NEW_HOME --store URL --checkpoint FILE

The checkpoint must carry the signature of the log key in NEW_HOME/keys/log.key, and the
restored log must hold it: at least its size, and the same root at that size. Exit 0 when it
does, 1 when it does not (with what is missing), 2 for bad arguments. Nothing is written.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ceasewatch.errors import CeasewatchError
from ceasewatch.evidence.checkpoint import open_checkpoint
from ceasewatch.evidence.log import EvidenceLog
from ceasewatch.evidence.note import Verifier
from ceasewatch.store.home import Home
from ceasewatch.store.open import open_store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True, help="the restored home folder")
    parser.add_argument("--store", required=True, help="the restored store's URL")
    parser.add_argument("--checkpoint", type=Path, required=True, help="a checkpoint note file")
    args = parser.parse_args(argv)

    home = Home(args.home)
    if not home.key_path("log").is_file():
        print(f"error: {home.key_path('log')} is missing: restore the keys", file=sys.stderr)
        return 2
    try:
        note = args.checkpoint.read_bytes()
    except OSError as error:
        print(
            f"error: cannot read the checkpoint {args.checkpoint}: {error.strerror}",
            file=sys.stderr,
        )
        return 2
    try:
        verifier = Verifier.from_key(home.signer("log").verifier_key())
        checkpoint, _ = open_checkpoint(note, verifier)
        store = open_store(args.store)
        try:
            log = EvidenceLog(store, salts=os.urandom)
            size = log.size()
            if size < checkpoint.size:
                print(
                    f"FAILED: the restored log has {size:,} entries but the checkpoint "
                    f"{args.checkpoint} has {checkpoint.size:,}: {checkpoint.size - size:,} "
                    "entries accepted after this backup are missing; restore a later backup, "
                    "or have the contributors resend (ceasewatch gaps) before going live"
                )
                return 1
            if log.root(checkpoint.size) != checkpoint.root:
                print(
                    f"FAILED: the restored log's root at size {checkpoint.size:,} is "
                    f"{log.root(checkpoint.size).hex()}, the checkpoint signed "
                    f"{checkpoint.root.hex()}: this is not the log that was checkpointed"
                )
                return 1
            root = log.root(size)
        finally:
            store.close()
    except CeasewatchError as error:
        print(f"FAILED: {error}")
        return 1
    print(
        f"OK: the restored log has {size:,} entries, root {root.hex()}; it holds the "
        f"checkpoint {args.checkpoint} (size {checkpoint.size:,}, root {checkpoint.root.hex()}), "
        f"signed by {verifier.name}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
