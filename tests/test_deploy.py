"""The deployment files cannot drift from the code, and the backup/restore drill works.

(a) Every ``ceasewatch …`` that a systemd unit, the compose file or docs/operations.md runs
names a real command with real options, and every variable of the example environment file is
one ceasewatch reads. (b) deploy/backup.sh and deploy/restore.sh — the very scripts
docs/operations.md tells the operator to run — take a PostgreSQL store with a signed checkpoint
to a dump and back into a new database, and the restored log has the same size and root and
holds the checkpoint; restoring an old backup against a newer checkpoint fails.
"""

from __future__ import annotations

import importlib.util
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from ceasewatch.cli import app
from ceasewatch.evidence.checkpoint import open_checkpoint
from ceasewatch.evidence.log import EvidenceLog, RecordIn
from ceasewatch.evidence.note import Verifier
from ceasewatch.evidence.publish import publish_once
from ceasewatch.store.home import Home
from ceasewatch.store.open import open_store
from tests.conftest import pg_schema_url

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
GUIDE = ROOT / "docs" / "operations.md"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
CLI = typer.main.get_command(app)
T0 = 1_771_372_800_000_000_000  # 2026-02-18T00:00:00Z
PENDING: set[str] = set()
"""Commands another change is adding: the guide may name them before they exist; once they do,
they are checked like every other."""


# -- (a) the commands and variables the deployment files name ------------------------------


def is_group(command: Any) -> bool:
    return hasattr(command, "commands")


def check_invocation(args: list[str], complete: bool = True, root: Any = CLI) -> list[str]:
    """Problems with one ``ceasewatch …`` command line (its words after ``ceasewatch``); a
    mention in running text (not ``complete``) may leave out required options and arguments."""
    command: Any = root
    path = [root.name or "ceasewatch"]
    rest = list(args)
    while is_group(command) and rest and not rest[0].startswith("-"):
        sub = command.commands.get(rest[0])
        if sub is None:
            if len(path) == 1 and rest[0] in PENDING:
                return []
            return [f"{' '.join(path)} has no command {rest[0]!r}"]
        path.append(rest.pop(0))
        command = sub
    where = " ".join(path)
    if is_group(command):
        return [f"{where} needs a subcommand"]
    options = {name: p for p in command.params for name in [*p.opts, *p.secondary_opts]}
    given: set[str] = set()
    problems = []
    words = iter(rest)
    positional = 0
    for word in words:
        if not word.startswith("-") or word == "-":
            positional += 1
            continue
        name, has_value, _ = word.partition("=")
        param = options.get(name)
        if param is None:
            problems.append(f"{where}: no option {name}")
            continue
        given.add(param.name or name)
        if not has_value and param.param_type_name == "option" and not param.is_flag:
            next(words, None)
    if not complete:
        return problems
    for param in command.params:
        if param.required and param.param_type_name == "option" and param.name not in given:
            problems.append(f"{where}: {param.opts[0]} is required")
    wanted = sum(1 for p in command.params if p.param_type_name == "argument" and p.required)
    if positional < wanted:
        problems.append(f"{where}: {wanted} argument(s) needed, {positional} given")
    return problems


def ceasewatch_args(words: list[str]) -> list[str] | None:
    """The words after the ``ceasewatch`` program in a command line, or None."""
    if len(words) >= 3 and words[0].endswith("sh") and words[1] == "-c":
        return ceasewatch_args(shlex.split(words[2]))
    for i, word in enumerate(words):
        if word == "exec":
            continue
        return words[i + 1 :] if word.rsplit("/", 1)[-1] == "ceasewatch" else None
    return None


def unit_lines(path: Path) -> dict[str, list[str]]:
    """``key=value`` settings of a unit file, continuation lines joined."""
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def no_substitutions(text: str) -> str:
    return re.sub(r"\$\([^()]*\)", "VALUE", text)


def deployed_commands() -> list[tuple[str, list[str]]]:
    """(where, words after ceasewatch) for every ceasewatch command the deployment runs."""
    found = []
    for unit in UNITS:
        for line in unit_lines(unit).get("ExecStart", []):
            args = ceasewatch_args(shlex.split(no_substitutions(line)))
            if args is not None:
                found.append((unit.name, args))
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    for name, service in compose["services"].items():
        entrypoint = service.get("entrypoint", ["ceasewatch"])
        if entrypoint == ["ceasewatch"]:
            command = service["command"]
            found.append(
                (f"compose {name}", shlex.split(command) if isinstance(command, str) else command)
            )
    return found


def shell_blocks(text: str) -> list[str]:
    """The contents of the fenced blocks marked ``sh`` (or unmarked), in order."""
    blocks: list[str] = []
    language: str | None = None
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith("```"):
            if language is None:
                language, lines = line[3:].strip(), []
            else:
                if language in {"", "sh"}:
                    blocks.append("\n".join(lines))
                language = None
        elif language is not None:
            lines.append(line)
    return blocks


def guide_commands() -> list[tuple[str, list[str], bool]]:
    """Every ceasewatch command line in the guide's shell blocks (complete), and every inline
    ``ceasewatch …`` mention in its text (partial)."""
    text = GUIDE.read_text(encoding="utf-8")
    found = []
    for block in shell_blocks(text):
        for line in block.replace("\\\n", " ").splitlines():
            line = no_substitutions(line.split(" #", 1)[0]).strip()
            if line.split(" ", 1)[0].rsplit("/", 1)[-1] != "ceasewatch":
                continue
            args = ceasewatch_args(shlex.split(line))
            if args is not None:
                found.append((f"docs: {line[:60]}", args, True))
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    for span in re.findall(r"`(ceasewatch [^`]+)`", prose.replace("\n", " ")):
        words = no_substitutions(span).split()
        found.append((f"docs: `{span}`", words[1:], False))
    return found


def test_the_checker_rejects_what_does_not_exist() -> None:
    assert check_invocation(["consume", "--idle-s", "60"]) == []
    assert check_invocation(["log", "publish", "--interval-s", "300", "--witness", "x"]) == []
    assert check_invocation(["stream", "consume"]) == ["ceasewatch has no command 'stream'"]
    assert check_invocation(["consume", "--tail"]) == ["ceasewatch consume: no option --tail"]
    assert check_invocation(["log", "publish"]) == [
        "ceasewatch log publish: --interval-s is required"
    ]
    assert check_invocation(["log", "export"]) == [
        "ceasewatch log export: 1 argument(s) needed, 0 given"
    ]
    assert check_invocation(["log"]) == ["ceasewatch log needs a subcommand"]
    assert check_invocation(["ingest", "x.jsonl", "-f", "picks"]) == []
    assert check_invocation(["ingest", "x.jsonl", "-q"]) == ["ceasewatch ingest: no option -q"]
    assert check_invocation(["log", "export", "--restricted"], complete=False) == []
    assert check_invocation(["log", "export", "--bogus"], complete=False) != []


def test_every_deployed_ceasewatch_command_is_real() -> None:
    commands = deployed_commands()
    named = {" ".join(args[:2]) for _where, args in commands}
    # one long-running piece each: ingest, API, publisher, witness, and the scheduled cycle
    assert {"consume --nats", "serve --state", "log publish", "witness serve"} <= named
    assert len(commands) >= 10, commands
    problems = [f"{where}: {p}" for where, args in commands for p in check_invocation(args)]
    assert not problems, problems


def test_every_command_in_the_guide_is_real() -> None:
    commands = guide_commands()
    assert sum(complete for *_, complete in commands) >= 7, commands
    assert sum(not complete for *_, complete in commands) >= 15, commands
    problems = [
        f"{where}: {p}"
        for where, args, complete in commands
        for p in check_invocation(args, complete)
    ]
    assert not problems, problems


def test_the_dask_commands_use_real_options() -> None:
    distributed = pytest.importorskip("distributed.cli.dask_scheduler")
    from distributed.cli import dask_worker

    roots = {"scheduler": distributed.main, "worker": dask_worker.main}
    lines = [line for unit in UNITS for line in unit_lines(unit).get("ExecStart", [])]
    found = [shlex.split(line)[1:] for line in lines if shlex.split(line)[0].endswith("/dask")]
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    found += [s["command"] for s in compose["services"].values() if s.get("entrypoint") == ["dask"]]
    assert sorted(args[0] for args in found) == ["scheduler", "scheduler", "worker", "worker"]
    problems = [p for args in found for p in check_invocation(args[1:], root=roots[args[0]])]
    assert not problems, problems
    assert check_invocation(["--no-such-option"], root=roots["worker"]) != []


def test_units_run_as_a_dedicated_user_hardened_and_restarted() -> None:
    assert len(UNITS) >= 7
    for unit in UNITS:
        settings = unit_lines(unit)
        assert settings.get("User") == ["ceasewatch"], unit.name
        assert settings.get("NoNewPrivileges") == ["yes"], unit.name
        assert settings.get("ProtectSystem") == ["strict"], unit.name
        assert settings.get("ReadWritePaths"), unit.name
        if any(ceasewatch_args(shlex.split(line)) for line in settings["ExecStart"]):
            assert settings.get("EnvironmentFile") == ["/etc/ceasewatch/ceasewatch.env"]
        if settings.get("Type") != ["oneshot"]:
            assert settings.get("Restart", [""])[0] in {"always", "on-failure"}, unit.name


def test_the_example_environment_holds_exactly_the_variables_ceasewatch_reads() -> None:
    example = (DEPLOY / "ceasewatch.env.example").read_text(encoding="utf-8")
    names = re.findall(r"^([A-Z][A-Z0-9_]*)=", example, flags=re.M)
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "src").rglob("*.py"))
    read = set(re.findall(r"(?:environ\.get|environ\[|getenv)\(?\s*[\"']([A-Z0-9_]+)", source))
    assert {"CEASEWATCH_HOME", "CEASEWATCH_STORE"} <= read
    assert sorted(names) == sorted(read), (names, read)


def test_the_guide_is_linked_and_names_the_drill_scripts() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/operations.md)" in readme
    guide = GUIDE.read_text(encoding="utf-8")
    for name in ["deploy/backup.sh", "deploy/restore.sh", "ceasewatch.env.example"]:
        assert name in guide, name
        assert (ROOT / name if "/" in name else DEPLOY / name).is_file(), name


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_accepts_every_unit_and_timer() -> None:
    """systemd's own parser: an unknown key, a bad value or a broken timer is reported; only the
    programs that exist on a deployed host, not here, may be missing."""
    files = [*UNITS, *sorted((DEPLOY / "systemd").glob("*.timer"))]
    done = subprocess.run(["systemd-analyze", "verify", *map(str, files)],
                          capture_output=True, text=True)  # fmt: skip
    elsewhere = r"(/opt/ceasewatch/\.venv/bin/\w+|/usr/sbin/nats-server)"
    absent = re.compile(rf"^[\w.@-]+: Command {elsewhere} is not executable: No such file or "
                        r"directory$")  # fmt: skip
    problems = [x for x in (done.stderr + done.stdout).splitlines() if x and not absent.match(x)]
    assert not problems, "\n".join(problems)


@pytest.mark.skipif(shutil.which("nats-server") is None, reason="no nats-server here")
def test_the_nats_configuration_is_valid() -> None:
    done = subprocess.run(
        ["nats-server", "-t", "-c", str(DEPLOY / "nats.conf")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr + done.stdout


# -- (b) the backup and restore drill, on the real PostgreSQL server -----------------------


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from pg_schema_url()


def pick(number: int) -> RecordIn:
    record = {
        "pick_id": f"D001-{number:06d}",
        "sensor_id": "D001",
        "t_arrival": "2026-02-18T03:12:45.123456Z",
        "t_sigma_s": 0.05,
    }
    return RecordIn("picks", str(record["pick_id"]), record, repr(record).encode(), T0 + number)


def append_picks(url: str, numbers: range) -> None:
    store = open_store(url)
    try:
        outcomes = EvidenceLog(store, salts=random.Random(7).randbytes).append_records(
            [pick(n) for n in numbers], T0
        )
        assert {o.status for o in outcomes} == {"new"}
    finally:
        store.close()


def tools_env(home: Path, url: str) -> dict[str, str]:
    bin_dir = Path(sys.executable).parent
    pg_bin = "/usr/lib/postgresql/15/bin"
    return {
        **os.environ,
        "PATH": os.pathsep.join([pg_bin, str(bin_dir), os.environ.get("PATH", "")]),
        "CEASEWATCH_HOME": str(home),
        "CEASEWATCH_STORE": url,
        "CEASEWATCH": str(bin_dir / "ceasewatch"),
        "PYTHON": sys.executable,
    }


def run(args: list[str | Path], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], env=env, capture_output=True, text=True, timeout=300
    )


def state(url: str) -> tuple[int, bytes, bytes | None]:
    store = open_store(url)
    try:
        log = EvidenceLog(store, salts=os.urandom)
        latest = log.latest_checkpoint()
        return log.size(), log.root(), None if latest is None else latest.note
    finally:
        store.close()


def drop_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sign_checkpoint(home: Path, url: str) -> None:
    """What ``ceasewatch log checkpoint`` (and the publisher) does, without starting a process."""
    store = open_store(url)
    try:
        log = EvidenceLog(store, salts=os.urandom)
        home_ = Home(home)
        publish_once(log, home_.signer("log", log.origin()), time.time_ns(), home_.checkpoints, [])
    finally:
        store.close()


def load_check_restore() -> Any:
    spec = importlib.util.spec_from_file_location("check_restore", DEPLOY / "check_restore.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_backup_and_restore_round_trip(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    env = tools_env(home, pg_url)
    if shutil.which("pg_dump", path=env["PATH"]) is None:
        pytest.skip("no pg_dump")
    append_picks(pg_url, range(40))
    sign_checkpoint(home, pg_url)
    assert (home / "checkpoints" / "latest").is_file()

    backup = tmp_path / "backup"
    made = run([DEPLOY / "backup.sh", backup, "--export"], env)
    assert made.returncode == 0, made.stdout + made.stderr
    for name in ["store.dump", "home.tar", "MANIFEST", "SHA256SUMS", "export", "log.vkey"]:
        assert (backup / name).exists(), name
    size, root, _ = state(pg_url)
    assert size == 41  # the 40 picks and the custody entry of the export

    server = pg_url.split("?", 1)[0].rsplit("/", 1)[0]
    target = f"cw_restore_{uuid.uuid4().hex[:12]}"
    try:
        restored_home = tmp_path / "restored"
        done = run([DEPLOY / "restore.sh", backup, f"{server}/{target}", restored_home], env)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "OK: the restored log has 41 entries" in done.stdout
        schema = pg_url.split("?schema=", 1)[1]
        restored_url = f"{server}/{target}?schema={schema}"
        restored_size, restored_root, note = state(restored_url)
        assert (restored_size, restored_root) == (size, root)
        assert note is not None
        verifier = Verifier.from_key(Home(home).signer("log").verifier_key())
        checkpoint, _ = open_checkpoint(note, verifier)
        assert checkpoint.size == size and checkpoint.root == root
        assert (restored_home / "keys" / "log.key").read_bytes() == (
            home / "keys" / "log.key"
        ).read_bytes()

        # The live log grows and publishes again: the backup no longer holds the newest
        # checkpoint, and restore.sh's check says what is missing instead of passing.
        append_picks(pg_url, range(40, 45))
        sign_checkpoint(home, pg_url)
        check = load_check_restore().main
        newest = str(home / "checkpoints" / "latest")
        capsys.readouterr()
        args = ["--home", str(restored_home), "--store", restored_url, "--checkpoint"]
        assert check([*args, newest]) == 1
        out = capsys.readouterr().out
        assert "has 41 entries but the checkpoint" in out
        assert "5 entries accepted after this backup are missing" in out
        # a checkpoint of another log (another key) is refused, not matched by size
        other = tmp_path / "other"
        Home(other).signer("log", "other.example/log")
        assert check(["--home", str(other), "--store", restored_url, "--checkpoint", newest]) == 1
        assert "FAILED" in capsys.readouterr().out
        assert check([*args, str(restored_home / "checkpoints" / "latest")]) == 0
    finally:
        drop_database(server, target)
