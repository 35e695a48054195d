"""Benchmark of durable ingest and of offline verification.

    python bench/ingest.py [--repeat 3] [--pg postgresql://postgres@127.0.0.1:5432/postgres]
                           [--verify-leaves 1000000] [--out bench/results/ingest.json]

Records: the peak-day scenario (seed 7, dense deployment) as the simulator writes it, parsed
by the ingest adapters, replayed ``--repeat`` times with distinct ids. For each store (SQLite
file; PostgreSQL when a server answers):

- **group commit, saturated**: 8 producer threads each submit 5 records at a time and wait for
  the acknowledgement (closed loop): durable records per second and ack latency p50/p99;
- **group commit at 3,000 records/s offered** (open loop, paced): ack latency p50/p99 at the
  goal's rate, and whether it keeps up;
- **baseline, one transaction per record** (the naive writer), same records, one thread.

Goal: >= 3,000 records/s sustained with ack p99 <= 250 ms. Then verification of an export of
``--verify-leaves`` entries (goal: < 30 s), against the floor of only hashing the leaves.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ceasewatch.agreement.catalog import resolve  # noqa: E402
from ceasewatch.evidence import merkle  # noqa: E402
from ceasewatch.evidence.checkpoint import Checkpoint, sign_checkpoint  # noqa: E402
from ceasewatch.evidence.log import EvidenceLog, RecordIn  # noqa: E402
from ceasewatch.evidence.note import Signer  # noqa: E402
from ceasewatch.evidence.tiles import write_tiles  # noqa: E402
from ceasewatch.evidence.verify import verify_export  # noqa: E402
from ceasewatch.ingest.adapters import ADAPTERS, detect_format  # noqa: E402
from ceasewatch.ingest.base import Accepted  # noqa: E402
from ceasewatch.ingest.committer import GroupCommitter  # noqa: E402
from ceasewatch.sim.deployment import generate as generate_deployment  # noqa: E402
from ceasewatch.sim.run import simulate  # noqa: E402
from ceasewatch.sim.scenarios import scenario  # noqa: E402
from ceasewatch.store.open import open_store  # noqa: E402

GOAL_RPS = 3_000
GOAL_P99_MS = 250.0
GOAL_VERIFY_S = 30.0
PRODUCERS = 8
CHUNK = 5


def peak_day_records(repeat: int) -> list[RecordIn]:
    agreement = resolve("ua-2026")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        sensors = generate_deployment(agreement, "dense", seed=7)
        simulate(agreement, scenario("peak-day"), 7, out, deployment=sensors)
        base: list[Accepted] = []
        for path in sorted(out.iterdir()):
            if path.is_file() and path.stat().st_size:
                data = path.read_bytes()
                kind = detect_format(path.name, data[:65_536])
                base += [a for a in ADAPTERS[kind].parse(data) if isinstance(a, Accepted)]
    records = []
    for round_ in range(repeat):
        for a in base:
            record_id = a.record_id if round_ == 0 else f"{a.record_id}#r{round_}"
            record = dict(a.record)
            if round_:
                record["replay"] = round_
            records.append(RecordIn(a.kind, record_id, record, a.raw, a.source_time_ns))
    return records


def percentiles(latencies_s: Sequence[float]) -> dict[str, float]:
    ordered = sorted(latencies_s)

    def at(q: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {"p50_ms": at(0.50), "p99_ms": at(0.99), "max_ms": round(1000 * ordered[-1], 2)}


def saturated(log: EvidenceLog, records: list[RecordIn]) -> dict[str, object]:
    chunks = [records[i : i + CHUNK] for i in range(0, len(records), CHUNK)]
    latencies: list[float] = []
    lock = threading.Lock()
    with GroupCommitter(log, time.time_ns) as committer:

        def produce(mine: list[list[RecordIn]]) -> None:
            local = []
            for chunk in mine:
                start = time.perf_counter()
                committer.submit(chunk).result()
                local.append(time.perf_counter() - start)
            with lock:
                latencies.extend(local)

        threads = [
            threading.Thread(target=produce, args=(chunks[p::PRODUCERS],)) for p in range(PRODUCERS)
        ]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
        batches = committer.batches
    return {
        "records": len(records),
        "seconds": round(elapsed, 2),
        "records_per_s": round(len(records) / elapsed),
        "transactions": batches,
        **percentiles(latencies),
    }


def paced(log: EvidenceLog, records: list[RecordIn], rate: float) -> dict[str, object]:
    chunks = [records[i : i + CHUNK] for i in range(0, len(records), CHUNK)]
    latencies: list[float] = []
    done = threading.Event()
    remaining = [len(chunks)]
    lock = threading.Lock()

    def finished(start: float) -> Callable[[object], None]:
        def note(_future: object) -> None:
            with lock:
                latencies.append(time.perf_counter() - start)
                remaining[0] -= 1
                if remaining[0] == 0:
                    done.set()

        return note

    with GroupCommitter(log, time.time_ns) as committer:
        begin = time.perf_counter()
        for number, chunk in enumerate(chunks):
            due = begin + number * CHUNK / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            start = time.perf_counter()
            committer.submit(chunk).add_done_callback(finished(start))
        done.wait()
        elapsed = time.perf_counter() - begin
    return {
        "offered_records_per_s": rate,
        "records": len(records),
        "achieved_records_per_s": round(len(records) / elapsed),
        **percentiles(latencies),
    }


def naive(log: EvidenceLog, records: list[RecordIn]) -> dict[str, object]:
    latencies = []
    start = time.perf_counter()
    for record in records:
        begin = time.perf_counter()
        log.append_records([record], time.time_ns())
        latencies.append(time.perf_counter() - begin)
    elapsed = time.perf_counter() - start
    return {
        "records": len(records),
        "records_per_s": round(len(records) / elapsed),
        **percentiles(latencies),
    }


def one_store(name: str, url: str, records: list[RecordIn], naive_count: int) -> dict:  # type: ignore[type-arg]
    print(f"[{name}] group commit, saturated, {len(records):,} records", flush=True)
    result: dict[str, object] = {}
    store = open_store(url)
    result["group_commit_saturated"] = saturated(EvidenceLog(store, salts=os.urandom), records)
    store.close()
    print(f"[{name}]   {result['group_commit_saturated']}", flush=True)
    second = [
        RecordIn(r.source, r.record_id + "#p", {**r.record, "paced": 1}, r.raw, r.source_time_ns)
        for r in records[: GOAL_RPS * 15]
    ]
    store = open_store(url)
    result["group_commit_at_goal_rate"] = paced(
        EvidenceLog(store, salts=os.urandom), second, GOAL_RPS
    )
    store.close()
    print(f"[{name}]   {result['group_commit_at_goal_rate']}", flush=True)
    third = [
        RecordIn(r.source, r.record_id + "#n", {**r.record, "naive": 1}, r.raw, r.source_time_ns)
        for r in records[:naive_count]
    ]
    store = open_store(url)
    result["baseline_one_transaction_per_record"] = naive(
        EvidenceLog(store, salts=os.urandom), third
    )
    store.close()
    print(f"[{name}]   baseline {result['baseline_one_transaction_per_record']}", flush=True)
    saturated_rps = result["group_commit_saturated"]["records_per_s"]  # type: ignore[index]
    at_goal = result["group_commit_at_goal_rate"]
    result["meets_goal"] = bool(
        saturated_rps >= GOAL_RPS  # type: ignore[operator]
        and at_goal["p99_ms"] <= GOAL_P99_MS  # type: ignore[index]
        and at_goal["achieved_records_per_s"] >= 0.97 * GOAL_RPS  # type: ignore[index]
    )
    result["speedup_over_baseline"] = round(
        saturated_rps / result["baseline_one_transaction_per_record"]["records_per_s"],
        1,  # type: ignore[index,operator]
    )
    return result


def verification(leaves_count: int) -> dict[str, object]:
    print(f"[verify] building an export of {leaves_count:,} entries", flush=True)
    template = (
        '{"format":"ceasewatch-evidence/1","kind":"record","raw":{"bytes":150,"seal":"%s"},'
        '"received":"2026-02-18T03:12:45.123456789Z","record":{"pick_id":"A%07d",'
        '"sensor_id":"A0017","snr_db":14.2,"t_arrival":"2026-02-18T03:12:45.123456Z",'
        '"t_sigma_s":0.05},"record_id":"A%07d","signature":{"status":"unsigned"},'
        '"source":"picks","source_time":"2026-02-18T03:12:45.123456000Z"}'
    )
    seal = "ab" * 32
    leaves = [(template % (seal, n, n)).encode() for n in range(leaves_count)]
    signer = Signer.generate("bench.example/log", bytes(32))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        root = write_tiles(folder, leaves, len(leaves))
        write_s = time.perf_counter() - start
        note = sign_checkpoint(Checkpoint(signer.name, len(leaves), root), signer)
        (folder / "checkpoint").write_bytes(note)
        start = time.perf_counter()
        finding = verify_export(folder, signer.verifier_key())
        verify_s = time.perf_counter() - start
    start = time.perf_counter()
    assert merkle.root_hash(leaves) == root
    floor_s = time.perf_counter() - start
    print(f"[verify]   {verify_s:.1f} s, ok={finding.ok}", flush=True)
    return {
        "entries": leaves_count,
        "entry_bytes": len(leaves[0]),
        "write_tiles_s": round(write_s, 2),
        "verify_s": round(verify_s, 2),
        "verified": finding.ok,
        "baseline_hash_only_s": round(floor_s, 2),
        "goal_s": GOAL_VERIFY_S,
        "meets_goal": finding.ok and verify_s < GOAL_VERIFY_S,
    }


def pg_url(admin: str) -> str | None:
    try:
        import psycopg

        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as con:
            found = con.execute("SELECT 1 FROM pg_database WHERE datname='ceasewatch_bench'")
            if not found.fetchone():
                con.execute("CREATE DATABASE ceasewatch_bench")
    except Exception as exc:  # noqa: BLE001
        print(f"[postgres] skipped: {exc}", flush=True)
        return None
    return admin.rsplit("/", 1)[0] + "/ceasewatch_bench?schema=b_" + uuid.uuid4().hex[:12]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--naive", type=int, default=3_000, help="records for the baseline")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--verify-leaves", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ingest.json")
    args = parser.parse_args()

    records = peak_day_records(args.repeat)
    print(f"peak-day records: {len(records):,} ({args.repeat} replays)", flush=True)
    results: dict[str, object] = {
        "benchmark": "ingest",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "goal": {"records_per_s": GOAL_RPS, "ack_p99_ms": GOAL_P99_MS},
        "producers": PRODUCERS,
        "records_per_submission": CHUNK,
        "stores": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_url = str(Path(tmp) / "bench.sqlite")
        results["stores"]["sqlite"] = one_store("sqlite", sqlite_url, records, args.naive)  # type: ignore[index]
    url = pg_url(args.pg)
    if url:
        results["stores"]["postgres"] = one_store("postgres", url, records, args.naive)  # type: ignore[index]
    results["verify"] = verification(args.verify_leaves)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
