"""Publishing a checkpoint: sign the tree head, have the witnesses cosign it, write it out.

Each witness is sent ``add-checkpoint`` with the size it last cosigned (remembered per witness
in the store) and a consistency proof from there. When the witness knows another size (it
answers 409 with it), the request is made again once from that size. A witness that refuses
or cannot be reached does not stop publication: the checkpoint is published with the
cosignatures it got, and each refusal is reported, because a refusal to cosign is news.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ceasewatch.evidence.durable import write_durably
from ceasewatch.evidence.log import EvidenceLog
from ceasewatch.evidence.note import Signer
from ceasewatch.evidence.witness import WitnessError
from ceasewatch.evidence.witness_http import WitnessHTTPError, request_cosignature

TIMEOUT_S = 10.0


def publish_once(
    log: EvidenceLog,
    signer: Signer,
    now_ns: int,
    folder: Path | None,
    witnesses: Sequence[str],
) -> tuple[bytes, list[str]]:
    """Sign (or reuse) the checkpoint of the current size, collect cosignatures, and write
    ``folder/<size>`` and ``folder/latest``. Returns the published note and the problems."""
    row = log.checkpoint(signer, now_ns)
    problems: list[str] = []
    lines: list[bytes] = []
    for url in witnesses:
        try:
            lines.append(_cosign(log, url, row.note, row.size))
        except WitnessError as exc:
            problems.append(str(exc))
    if lines:
        log.add_cosignatures(row.size, lines)
    note = log.published(row)
    if folder is not None:
        write_durably(folder / str(row.size), note)
        write_durably(folder / "latest", note)
    return note, problems


def _cosign(log: EvidenceLog, url: str, note: bytes, size: int) -> bytes:
    key = f"witness-size:{url}"
    with log.store.read() as reader:
        known = reader.meta(key)
    old = int(known) if known is not None else 0
    for attempt in range(2):
        old = min(old, size)
        proof = log.consistency_proof(old, size) if 0 < old < size else []
        try:
            line = request_cosignature(url, note, old, proof, TIMEOUT_S)
        except WitnessHTTPError as exc:
            latest = exc.latest_size
            if attempt == 0 and latest is not None and latest != old:
                if latest > size:
                    raise WitnessError(
                        f"witness {url} has cosigned size {latest} of this log, larger than "
                        f"ours ({size}): it has seen a tree this store does not hold"
                    ) from exc
                old = latest
                continue
            raise
        with log.store.write() as writer:
            writer.set_meta(key, str(size))
        return line
    raise WitnessError(f"witness {url} did not accept the checkpoint")  # pragma: no cover
