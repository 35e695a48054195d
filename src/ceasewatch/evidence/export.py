"""Exporting the log as a C2SP tlog-tiles tree that any party can verify offline.

Layout of an export folder::

    checkpoint              the signed checkpoint (with the witnesses' cosignatures)
    tile/…                  hash tiles and entry bundles (C2SP tlog-tiles)
    external/<sha256>       entries too large for a bundle (their leaves hold digest and salt)
    checkpoints/<size>      every checkpoint the log signed up to this one
    restricted/<index>.json only with ``restricted=True``: the sealed values and their salts
    README.txt              how to verify it

The export is itself an act of custody: before writing, a ``custody`` entry (who, to whom,
whether restricted values are included) is appended, and the checkpoint exported covers it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path

from ceasewatch.errors import InputError
from ceasewatch.evidence.base import CheckpointRow
from ceasewatch.evidence.durable import write_durably
from ceasewatch.evidence.log import EvidenceLog
from ceasewatch.evidence.note import Signer
from ceasewatch.evidence.tiles import write_tiles
from ceasewatch.model.time import format_ns

README = """This folder is an export of a ceasewatch evidence log (C2SP tlog-tiles layout).

To check it, with nothing but this folder and the log's verifier key:

    ceasewatch verify {folder} --key '{key}'

It recomputes every entry's hash, every hash tile and the tree head, checks the signature on
`checkpoint`, and exits 0 only if everything matches. Keep the checkpoint you verify today: next
time, `--since that-checkpoint` proves the log only grew since.
"""


@dataclass(frozen=True)
class Exported:
    directory: Path
    checkpoint: CheckpointRow
    custody_index: int
    restricted_entries: int


def export_log(
    log: EvidenceLog,
    directory: Path,
    signer: Signer,
    now_ns: int,
    *,
    actor: str,
    recipient: str,
    restricted: bool = False,
) -> Exported:
    """Append the custody entry, sign a checkpoint covering it, and write the export."""
    if directory.exists() and any(directory.iterdir()):
        raise InputError(f"{directory} is not empty; export into a new folder")
    custody = log.append_event(
        "custody",
        {
            "action": "export",
            "actor": actor,
            "to": recipient,
            "restricted": restricted,
            "time": format_ns(now_ns, 9),
        },
        now_ns,
    )
    row = log.checkpoint(signer, now_ns)
    directory.mkdir(parents=True, exist_ok=True)
    with log.store.read() as reader:
        root = write_tiles(directory, reader.leaves(0, row.size), row.size)
        if root != row.root:
            raise RuntimeError("the exported tiles do not reproduce the signed root")
        for index, full in reader.externals(0, row.size):
            leaf = json.loads(reader.entry(index).leaf)
            write_durably(directory / "external" / leaf["sha256"], full)
        for earlier in reader.checkpoints():
            if earlier.size <= row.size:
                write_durably(directory / "checkpoints" / str(earlier.size), earlier.note)
        count = 0
        if restricted:
            for index in range(row.size):
                sealed = reader.sealed(index)
                if sealed:
                    count += 1
                    payload = [
                        {
                            "path": s.path,
                            "salt": base64.b64encode(s.salt).decode(),
                            "value": base64.b64encode(s.value).decode(),
                        }
                        for s in sealed
                    ]
                    write_durably(
                        directory / "restricted" / f"{index}.json",
                        json.dumps(payload, indent=1).encode(),
                    )
    write_durably(directory / "checkpoint", log.published(row))
    readme = README.format(folder=directory, key=signer.verifier_key())
    write_durably(directory / "README.txt", readme.encode())
    return Exported(directory, row, custody, count)
