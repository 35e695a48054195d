"""Benchmark of ingest over NATS JetStream into PostgreSQL, against plain file ingest.

    python bench/jetstream_ingest.py [--records 200000] [--publishers 4] [--batch 500]
                                     [--pg postgresql://postgres@127.0.0.1:5432/postgres]
                                     [--out bench/results/jetstream-ingest.json]

Records: four feeds (picks of UK and FR, detections of UK, tracks of DE; 40/20/20/20 %), one
JSON Lines file each, distinct ids. A private ``nats-server`` (loopback, a free port, its own
store folder in a temporary directory) is started and stopped by the benchmark. Phases, each
into a fresh PostgreSQL schema (database ``ceasewatch_bench``, dropped at the end):

- **end to end**: ``ceasewatch publish`` of every feed (one process each, all at once) while
  ``ceasewatch.ingest.jetstream.consume`` (this process) commits to the store: records per
  second from the first publish to the last durable commit, and the latency of each record from
  JetStream's stored timestamp (publish) to the end of its batch's commit, p50/p99. At
  saturation this latency is mostly the backlog's queueing;
- **publish alone** and **consume alone**: the same records published into a fresh stream
  first, then consumed from the full stream (the consumer's own rate);
- **paced**: one publisher offering ``--paced-rate`` records/s (below capacity) for
  ``--paced-s`` seconds: the latency from publish to durable commit, p50/p99, when the
  consumer keeps up;
- **baseline**: ``ceasewatch ingest`` of the same four files into PostgreSQL and into SQLite.

Bounded: every phase has a time limit (``--limit-s`` each); nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ceasewatch.evidence.log import EvidenceLog  # noqa: E402
from ceasewatch.ingest.jetstream import consume, consumer_state  # noqa: E402
from ceasewatch.store.open import open_store  # noqa: E402

SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"
CLI = [sys.executable, "-m", "ceasewatch.cli"]
# (source, contributor, share of the records, id field)
FEEDS = (
    ("picks", "UK", 0.4, "pick_id"),
    ("picks", "FR", 0.2, "pick_id"),
    ("detections", "UK", 0.2, "detection_id"),
    ("tracks", "DE", 0.2, "track_id"),
)
T = "2026-02-18T03:12:45.123456Z"
TEMPLATES: dict[str, dict[str, Any]] = {
    "picks": {"t_arrival": T, "t_sigma_s": 0.05, "signature": "impact", "snr_db": 14.2},
    "detections": {
        "t": T,
        "position": [37.95, 48.30],
        "pos_sigma_m": 25,
        "object_class": "artillery_ge_100mm",
        "class_confidence": 0.86,
        "count": 2,
    },
    "tracks": {
        "t_launch": T,
        "launch": [37.91, 48.41],
        "launch_cep_m": 60,
        "t_impact": "2026-02-18T03:13:05Z",
        "impact": [37.99, 48.33],
        "impact_cep_m": 40,
        "projectile": "artillery",
    },
}


def write_feeds(folder: Path, total: int) -> list[tuple[Path, str, str, int]]:
    feeds = []
    for source, contributor, share, id_field in FEEDS:
        count = round(total * share)
        path = folder / f"{source}-{contributor}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for number in range(count):
                sensor = f"{contributor[0]}{number % 211:03d}"
                record = {
                    id_field: f"{sensor}-{contributor}-{number:07d}",
                    "sensor_id": sensor,
                    **TEMPLATES[source],
                }
                out.write(json.dumps(record) + "\n")
        feeds.append((path, source, contributor, count))
    return feeds


class NatsServer:
    """A private nats-server on a free loopback port with its own store folder."""

    def __init__(self, store: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"nats://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [SERVER, "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", str(store)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nats-server did not start on port {self.port}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class CommitTimes:
    """Stands in for the consumer's sequence table: notes when each message's batch had
    committed (the consumer records sequences right after the commit, before the ack)."""

    def __init__(self) -> None:
        self.at_ns: dict[tuple[str, str, int], int] = {}

    def record(self, seen: Sequence[tuple[str, str, int]]) -> None:
        now = time.time_ns()
        for key in seen:
            self.at_ns.setdefault(key, now)

    def close(self) -> None:
        pass


def publish_all(
    feeds: list[tuple[Path, str, str, int]], url: str, stream: str, prefix: str, limit_s: float
) -> list[subprocess.Popen[bytes]]:
    return [
        subprocess.Popen(
            [
                *CLI,
                "publish",
                str(path),
                "--source",
                source,
                "--contributor",
                contributor,
                "--nats",
                url,
                "--stream",
                stream,
                "--prefix",
                prefix,
                "--state",
                str(path.with_name(f"{path.stem}-{stream}.seq.json")),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for path, source, contributor, _count in feeds
    ]


def wait_all(processes: list[subprocess.Popen[bytes]], limit_s: float) -> None:
    deadline = time.monotonic() + limit_s
    for process in processes:
        _out, err = process.communicate(timeout=max(1.0, deadline - time.monotonic()))
        if process.returncode != 0:
            raise RuntimeError(f"publish failed: {err.decode()[-500:]}")


def stored_times(url: str, stream: str, prefix: str, count: int) -> dict[Any, int]:
    """JetStream's stored timestamp of every message, by (contributor, source, sequence)."""

    async def run() -> dict[Any, int]:
        import nats

        nc = await nats.connect(url)
        try:
            js = nc.jetstream()
            sub = await js.pull_subscribe(f"{prefix}.>", stream=stream)
            times: dict[Any, int] = {}
            while len(times) < count:
                for msg in await sub.fetch(1000, timeout=10):
                    parts = msg.subject.split(".")
                    key = (parts[-1], parts[-2], int((msg.headers or {})["Ceasewatch-Seq"]))
                    stamp = msg.metadata.timestamp
                    times[key] = int(stamp.timestamp() * 1e6) * 1000
                    await msg.ack()
            return times
        finally:
            await nc.close()

    return asyncio.run(run())


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_consume(url: str, store_url: str, stream: str, prefix: str, batch: int, idle_s: float):  # type: ignore[no-untyped-def]
    store = open_store(store_url)
    log = EvidenceLog(store, salts=os.urandom)
    times = CommitTimes()
    try:
        result = consume(
            url,
            log,
            seen=times,  # type: ignore[arg-type]
            clock_ns=time.time_ns,
            stream=stream,
            prefix=prefix,
            durable=f"bench-{stream.lower()}",
            batch=batch,
            idle_s=idle_s,
        )
        size = log.size()
    finally:
        store.close()
    return result, times, size


def end_to_end(args: argparse.Namespace, feeds: Any, server: NatsServer, total: int) -> dict:  # type: ignore[type-arg]
    stream, prefix = "BENCHE2E", "benche2e"
    store_url = new_schema(args.pg)
    start = time.time_ns()
    publishers = publish_all(feeds, server.url, stream, prefix, args.limit_s)
    # The consumer waits up to 8 s for the first message (the publishers start up meanwhile)
    # and stops once nothing came for 8 s; a consumer that stopped while publishers stalled
    # is followed by another.
    _result, times, size = run_consume(server.url, store_url, stream, prefix, args.batch, 8.0)
    wait_all(publishers, args.limit_s)
    if len(times.at_ns) < total:
        _more, extra, size = run_consume(server.url, store_url, stream, prefix, args.batch, 3.0)
        times.at_ns.update(extra.at_ns)
    if len(times.at_ns) != total:
        raise RuntimeError(f"end to end: {len(times.at_ns)} of {total} records committed")
    last_commit = max(times.at_ns.values())
    stored = stored_times(server.url, stream, prefix, total)
    latencies_ms = [(times.at_ns[k] - t) / 1e6 for k, t in stored.items() if k in times.at_ns]
    elapsed_s = (last_commit - start) / 1e9
    state = consumer_state(server.url, stream=stream, durable=f"bench-{stream.lower()}")
    print(f"[end to end] {total / elapsed_s:,.0f} records/s", flush=True)
    return {
        "records": total,
        "committed": len(times.at_ns),
        "log_entries": size,
        "seconds": round(elapsed_s, 2),
        "records_per_s": round(total / elapsed_s),
        "latency_publish_to_commit_ms": {
            "p50": round(percentile(latencies_ms, 0.50), 1),
            "p99": round(percentile(latencies_ms, 0.99), 1),
            "max": round(max(latencies_ms), 1),
            "measured": len(latencies_ms),
        },
        "pending_after": state.pending + state.ack_pending,
    }


def paced_publisher(url: str, stream: str, prefix: str, rate: float, count: int) -> None:
    """Publish ``count`` picks at ``rate`` a second, as ``publish_file`` numbers and names them
    (run in its own process, so that it does not share the consumer's interpreter)."""

    async def run() -> None:
        import nats

        from ceasewatch.ingest.jetstream import SEQ_HEADER, ensure_stream

        nc = await nats.connect(url)
        try:
            js = nc.jetstream()
            await ensure_stream(js, stream, prefix)
            start = time.monotonic()
            for number in range(count):
                delay = start + number / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                record_id = f"P{number % 211:03d}-PACE-{number:07d}"
                line = json.dumps(
                    {
                        "pick_id": record_id,
                        "sensor_id": f"P{number % 211:03d}",
                        **TEMPLATES["picks"],
                    }
                )
                headers = {SEQ_HEADER: str(number + 1), "Nats-Msg-Id": f"PACE/picks/{record_id}"}
                await js.publish(f"{prefix}.picks.PACE", line.encode(), headers=headers)
        finally:
            await nc.close()

    asyncio.run(run())


def paced(args: argparse.Namespace, server: NatsServer) -> dict:  # type: ignore[type-arg]
    """Latency below capacity: one publisher at ``--paced-rate`` records/s while the consumer
    keeps up; publish (JetStream's stored time) to the end of the batch's commit."""
    import multiprocessing

    stream, prefix = "BENCHPACE", "benchpace"
    count = round(args.paced_rate * args.paced_s)
    store_url = new_schema(args.pg)
    publisher = multiprocessing.get_context("spawn").Process(
        target=paced_publisher, args=(server.url, stream, prefix, args.paced_rate, count)
    )
    publisher.start()
    try:
        _result, times, _size = run_consume(server.url, store_url, stream, prefix, args.batch, 5.0)
    finally:
        publisher.join(timeout=args.limit_s)
        if publisher.is_alive():
            publisher.kill()
    if len(times.at_ns) != count:
        raise RuntimeError(f"paced: {len(times.at_ns)} of {count} records committed")
    stored = stored_times(server.url, stream, prefix, count)
    latencies_ms = [(times.at_ns[k] - t) / 1e6 for k, t in stored.items()]
    p50, p99 = percentile(latencies_ms, 0.50), percentile(latencies_ms, 0.99)
    print(f"[paced]      {args.paced_rate:,.0f} records/s: p50 {p50:.0f} ms, p99 {p99:.0f} ms")
    return {
        "offered_records_per_s": args.paced_rate,
        "records": count,
        "latency_publish_to_commit_ms": {
            "p50": round(p50, 1),
            "p99": round(p99, 1),
            "max": round(max(latencies_ms), 1),
        },
    }


def publish_then_consume(args: argparse.Namespace, feeds: Any, server: NatsServer, total: int):  # type: ignore[no-untyped-def]
    stream, prefix = "BENCHSEP", "benchsep"
    start = time.monotonic()
    wait_all(publish_all(feeds, server.url, stream, prefix, args.limit_s), args.limit_s)
    publish_s = time.monotonic() - start
    print(f"[publish]    {total / publish_s:,.0f} records/s", flush=True)
    store_url = new_schema(args.pg)
    start_ns = time.time_ns()
    result, times, size = run_consume(server.url, store_url, stream, prefix, args.batch, 2.0)
    consume_s = (max(times.at_ns.values()) - start_ns) / 1e9
    print(f"[consume]    {total / consume_s:,.0f} records/s", flush=True)
    return {
        "publish": {
            "publishers": len(feeds),
            "seconds": round(publish_s, 2),
            "records_per_s": round(total / publish_s),
        },
        "consume": {
            "batch": args.batch,
            "new": result.new,
            "receipts": result.receipts,
            "log_entries": size,
            "seconds": round(consume_s, 2),
            "records_per_s": round(total / consume_s),
        },
    }


def file_ingest(name: str, store_url: str, feeds: Any, total: int, home: Path) -> dict:  # type: ignore[type-arg]
    env = {**os.environ, "CEASEWATCH_HOME": str(home), "CEASEWATCH_STORE": store_url}
    command = [*CLI, "ingest", *(str(path) for path, *_rest in feeds)]
    start = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1800)
    seconds = time.monotonic() - start
    if done.returncode != 0:
        raise RuntimeError(f"ingest into {name} failed: {done.stderr[-500:]}")
    print(f"[file {name}] {total / seconds:,.0f} records/s", flush=True)
    return {"seconds": round(seconds, 2), "records_per_s": round(total / seconds)}


SCHEMAS: list[str] = []


def new_schema(admin: str) -> str:
    import psycopg

    with psycopg.connect(admin, autocommit=True, connect_timeout=3) as con:
        found = con.execute("SELECT 1 FROM pg_database WHERE datname='ceasewatch_bench'")
        if not found.fetchone():
            con.execute("CREATE DATABASE ceasewatch_bench")
    bench = admin.rsplit("/", 1)[0] + "/ceasewatch_bench"
    with psycopg.connect(bench, autocommit=True, connect_timeout=3) as con:
        con.execute("CREATE EXTENSION IF NOT EXISTS postgis")  # the store's places need it
    schema = "jb_" + uuid.uuid4().hex[:12]
    SCHEMAS.append(schema)
    return admin.rsplit("/", 1)[0] + f"/ceasewatch_bench?schema={schema}"


def drop_schemas(admin: str) -> None:
    import psycopg

    with psycopg.connect(admin.rsplit("/", 1)[0] + "/ceasewatch_bench", autocommit=True) as con:
        for schema in SCHEMAS:
            con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--limit-s", type=float, default=1200.0, help="time limit per phase")
    parser.add_argument("--paced-rate", type=float, default=500.0, help="records/s offered")
    parser.add_argument("--paced-s", type=float, default=30.0, help="seconds of paced load")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "jetstream-ingest.json"
    )
    args = parser.parse_args()
    results: dict[str, Any] = {
        "benchmark": "jetstream-ingest",
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
        },
    }
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        feeds = write_feeds(tmp, args.records)
        total = sum(feed[3] for feed in feeds)
        results["records"] = total
        results["feeds"] = [f"{source}/{contributor}: {n}" for _p, source, contributor, n in feeds]
        server = NatsServer(tmp / "nats")
        try:
            results["end_to_end_postgres"] = end_to_end(args, feeds, server, total)
            results.update(publish_then_consume(args, feeds, server, total))
            results["paced_postgres"] = paced(args, server)
            results["baseline_file_ingest"] = {
                "postgres": file_ingest("postgres", new_schema(args.pg), feeds, total, tmp / "h1"),
                "sqlite": file_ingest("sqlite", str(tmp / "b.sqlite"), feeds, total, tmp / "h2"),
            }
        finally:
            server.stop()
            drop_schemas(args.pg)
    results["machine"]["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
