"""Bounded load test of the API's ingest on loopback: capacity, overload, and nothing lost.

    python bench/api_load.py [--seconds 60] [--probe-seconds 10] [--state DIR]
                             [--out bench/results/api-load.json]

A copy of a state folder (the quiet day, seed 3, built as tests/api/conftest.py builds it,
unless ``--state`` names one to copy) is served by uvicorn on 127.0.0.1 on a free port, in a
child process with the service's default settings (2 ingest slots, 8 waiting; the 16 producers
exceed those 10 places, so overload shows as 429s).

1. **Capacity** (the baseline): one client posts batches of ``--batch`` status records, each
   with an Idempotency-Key, waiting for each answer, for ``--probe-seconds``: acknowledged
   records per second.
2. **Overload**: ``--producers`` threads offer twice that rate for ``--seconds`` (paced; a batch
   turned away with 429 is offered again, with its key, at its thread's next turn) while one
   reader GETs /api/violations (analyst) and /api/aggregates in turn.

Recorded: acknowledged records and rate, 429s, other errors, read latency p50/p99, the server's
RSS (VmRSS of /proc/<pid>/status) once a second, and — after the run, from the store itself —
that every acknowledged record is in the log (``lost`` must be 0). Stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import httpx  # noqa: E402

from ceasewatch.api.tokens import Principal, Role, TokenKey  # noqa: E402

SERVER = """
import sys, uvicorn
from pathlib import Path
from ceasewatch.commands.serve import build_app
uvicorn.run(build_app(Path(sys.argv[1])), host="127.0.0.1", port=int(sys.argv[2]),
            log_level="warning")
"""


@dataclass
class Tally:
    """What the clients saw; one lock for all of it."""

    acked: list[str] = field(default_factory=list)
    refused_429: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    read_ms: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors[what] = self.errors.get(what, 0) + 1


def quiet_day_state(work: Path, given: Path | None) -> Path:
    """A state folder to serve: a copy of ``given``, or the quiet day built afresh."""
    target = work / "state"
    if given is not None:
        shutil.copytree(given, target)
        return target
    from ceasewatch.agreement.catalog import resolve
    from ceasewatch.pipeline import adjudication_demo, evidence_demo, fusion_demo

    out = work / "demo"
    agreement = resolve(None)
    evidence_demo(agreement, out, scenario_name="quiet-day", seed=3)
    adjudication_demo(agreement, out, fusion_demo(agreement, out))
    shutil.copytree(out / "state", target)
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def batch_body(prefix: str, sensor: str, count: int) -> tuple[bytes, list[str]]:
    ids = [f"{prefix}-{n}" for n in range(count)]
    lines = [
        json.dumps(
            {
                "status_id": i,
                "sensor_id": sensor,
                "t_start": "2026-02-18T01:00:00Z",
                "t_end": "2026-02-18T01:05:00Z",
                "state": "up",
                "interval_s": 60,
            }
        )
        for i in ids
    ]
    return ("\n".join(lines) + "\n").encode(), ids


def post(client: httpx.Client, body: bytes, key: str, tally: Tally) -> int:
    try:
        answer = client.post(
            "/api/ingest/status", content=body, headers={"Idempotency-Key": key}, timeout=60
        )
    except httpx.HTTPError as exc:
        tally.error(type(exc).__name__)
        return 0
    if answer.status_code == 429:
        with tally.lock:
            tally.refused_429 += 1
    elif answer.status_code != 200:
        tally.error(str(answer.status_code))
    return answer.status_code


def capacity(base: str, token: str, sensor: str, seconds: float, batch: int) -> float:
    """Records per second acknowledged to one client waiting for each answer."""
    tally = Tally()
    records = 0
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers) as client:
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            body, ids = batch_body(f"probe-{uuid.uuid4().hex[:8]}", sensor, batch)
            if post(client, body, uuid.uuid4().hex, tally) == 200:
                records += len(ids)
        return records / (time.perf_counter() - start)


def producer(
    base: str, token: str, sensor: str, rate_batches: float, until: float, batch: int, t: Tally
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    interval = 1.0 / rate_batches
    pending: tuple[bytes, list[str], str] | None = None
    next_at = time.perf_counter()
    with httpx.Client(base_url=base, headers=headers) as client:
        while True:
            now = time.perf_counter()
            if now >= until:
                return
            if now < next_at:
                time.sleep(min(next_at - now, until - now))
                continue
            next_at = max(next_at + interval, now - interval)  # no burst to catch up
            if pending is None:
                body, ids = batch_body(f"load-{uuid.uuid4().hex[:12]}", sensor, batch)
                pending = (body, ids, uuid.uuid4().hex)
            if post(client, pending[0], pending[2], t) == 200:
                with t.lock:
                    t.acked.extend(pending[1])
                pending = None


def reader(base: str, token: str, until: float, tally: Tally) -> None:
    paths = ("/api/violations?limit=100", "/api/aggregates")
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
        turn = 0
        while time.perf_counter() < until:
            start = time.perf_counter()
            try:
                answer = client.get(paths[turn % 2], timeout=30)
            except httpx.HTTPError as exc:
                tally.error("read " + type(exc).__name__)
                continue
            if answer.status_code != 200:
                tally.error(f"read {answer.status_code}")
            with tally.lock:
                tally.read_ms.append((time.perf_counter() - start) * 1000)
            turn += 1


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def wait_ready(base: str, process: subprocess.Popen[bytes], limit_s: float = 60) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped at start (exit {process.returncode})")
        try:
            if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not answer {base}/api/health within {limit_s:.0f} s")


def missing_from_log(state: Path, ids: list[str]) -> int:
    from ceasewatch.store.open import open_store

    store = open_store(state / "evidence.sqlite")
    try:
        with store.read() as log:
            found = log.find("status", ids)
    finally:
        store.close()
    return len(set(ids) - set(found))


def run(args: argparse.Namespace, work: Path) -> dict[str, object]:
    print("building the state folder…", flush=True)
    state = quiet_day_state(work, args.state)
    key = TokenKey.load_or_create(state / "keys")
    now = int(time.time())
    operator = key.issue(Principal(Role.OPERATOR, "bench"), now, 3600)
    analyst = key.issue(Principal(Role.ANALYST, "bench"), now, 3600)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(state), str(port)])
    try:
        wait_ready(base, server)
        from ceasewatch.api.catalog import Catalog  # the same registry the service reads
        from ceasewatch.store.open import open_store

        store = open_store(state / "evidence.sqlite")
        sensor = next(iter(Catalog(state, store).sensor_ids()))
        store.close()
        print(f"probing one client's capacity for {args.probe_seconds} s…", flush=True)
        baseline = capacity(base, operator, sensor, args.probe_seconds, args.batch)
        target = 2 * baseline
        print(f"baseline {baseline:.0f} records/s; offering {target:.0f} for {args.seconds} s")
        tally = Tally()
        rss: list[tuple[float, int | None]] = []
        start = time.perf_counter()
        until = start + args.seconds
        per_thread = target / args.batch / args.producers
        threads = [
            threading.Thread(
                target=producer,
                args=(base, operator, sensor, per_thread, until, args.batch, tally),
            )
            for _ in range(args.producers)
        ]
        threads.append(threading.Thread(target=reader, args=(base, analyst, until, tally)))
        for thread in threads:
            thread.start()
        while time.perf_counter() < until:
            rss.append((round(time.perf_counter() - start, 1), rss_kib(server.pid)))
            time.sleep(1.0)
        for thread in threads:
            thread.join(120)
        elapsed = time.perf_counter() - start
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    lost = missing_from_log(state, tally.acked)
    kib = [k for _t, k in rss if k is not None]
    return {
        "bench": "api_load",
        "when_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "settings": {
            "ingest_slots": 2,
            "ingest_queue": 8,
            "batch_records": args.batch,
            "producers": args.producers,
            "seconds": args.seconds,
        },
        "baseline_records_per_s": round(baseline, 1),
        "offered_records_per_s": round(target, 1),
        "acknowledged_records": len(tally.acked),
        "acknowledged_records_per_s": round(len(tally.acked) / elapsed, 1),
        "refused_429": tally.refused_429,
        "other_errors": tally.errors,
        "reads": len(tally.read_ms),
        "read_latency_ms": {
            "p50": percentile(tally.read_ms, 0.5),
            "p99": percentile(tally.read_ms, 0.99),
        },
        "server_rss_mib": {
            "first": round(kib[0] / 1024, 1) if kib else None,
            "max": round(max(kib) / 1024, 1) if kib else None,
            "last": round(kib[-1] / 1024, 1) if kib else None,
            "series": [(t, None if k is None else round(k / 1024, 1)) for t, k in rss],
        },
        "lost_acknowledged_records": lost,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the overload")
    parser.add_argument("--probe-seconds", type=float, default=10.0, help="capacity probe")
    parser.add_argument("--batch", type=int, default=200, help="status records per request")
    parser.add_argument("--producers", type=int, default=16, help="posting threads")
    parser.add_argument("--state", type=Path, default=None, help="a state folder to copy")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/api-load.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="api-load-") as tmp:
        result = run(args, Path(tmp))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    shown = {k: v for k, v in result.items() if k != "server_rss_mib"}
    print(json.dumps(shown, indent=2))
    print(f"wrote {args.out}")
    if result["lost_acknowledged_records"]:
        raise SystemExit("acknowledged records are missing from the log")


if __name__ == "__main__":
    main()
