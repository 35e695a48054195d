"""Exporting the log as a C2SP tlog-tiles tree that any party can verify offline.

Layout of an export folder::

    checkpoint              the signed checkpoint (with the witnesses' cosignatures)
    tile/…                  hash tiles and entry bundles (C2SP tlog-tiles)
    external/<sha256>       entries too large for a bundle (their leaves hold digest and salt)
    checkpoints/<size>      every checkpoint the log signed up to this one
    restricted/<first>.jsonl only with ``restricted=True``: the sealed values and their salts, one
                            line each (index, path, salt, value), 10,000 entries a file
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

RESTRICTED_CHUNK = 10_000
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
    restricted_values: int


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
            for start in range(0, row.size, RESTRICTED_CHUNK):
                lines = [
                    json.dumps(
                        {
                            "index": sealed.index,
                            "path": sealed.path,
                            "salt": base64.b64encode(sealed.salt).decode(),
                            "value": base64.b64encode(sealed.value).decode(),
                        }
                    )
                    for sealed in reader.sealed(start, min(row.size, start + RESTRICTED_CHUNK))
                ]
                if lines:
                    text = "\n".join(lines) + "\n"
                    write_durably(directory / "restricted" / f"{start}.jsonl", text.encode())
                    count += len(lines)
    write_durably(directory / "checkpoint", log.published(row))
    readme = README.format(folder=directory, key=signer.verifier_key())
    write_durably(directory / "README.txt", readme.encode())
    return Exported(directory, row, custody, count)
