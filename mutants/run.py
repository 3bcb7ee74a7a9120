"""The mutation runner (`make mutants`, `python -m mutants.run [NAME ...]`): each mutation of
mutations.py is applied to its own scratch copy of the repository, and its tests are run there on
SQLite and on PostgreSQL; one line per mutation says which test caught it, or SURVIVED.

Exit status 0 only when every mutation was caught on every backend it applies to. Anything that
would make a catch meaningless is an error (exit 2) rather than a catch: an anchor missing or
repeated, a mutated file that does not compile, the tests failing without any mutation (the
baseline run), a pytest run that ends otherwise than with failed tests (collection error,
usage error, timeout), or a test run that imports beat_sync from anywhere but the scratch copy.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from mutants.mutations import BACKENDS, MUTATIONS, Mutation

REPO = Path(__file__).resolve().parents[1]
# `make test`'s default PostgreSQL server and database (the Makefile's PG_URL).
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/beat_sync"
RUN_TIMEOUT = 900  # seconds for one pytest run; far above any of the selected tests
# pytest's exit status when tests failed (0: all passed; anything else: the run itself failed).
TESTS_FAILED = 1
FAILURE_LINE = re.compile(r"^(?:FAILED|ERROR) (?P<node>.+?)(?: - .*)?$")


class RunnerError(Exception):
    """Something that makes a mutation's result meaningless; ends the run with exit 2."""


@dataclass(frozen=True)
class Outcome:
    word: str  # "caught", "SURVIVED", "SKIPPED", "n/a", "ERROR"
    detail: str = ""

    def __str__(self) -> str:
        if self.word == "caught":
            return self.detail
        return f"{self.word} ({self.detail})" if self.detail else self.word


def tracked_files(root: Path) -> list[str]:
    """The files git tracks or would track (untracked but not ignored): uncommitted work is
    mutated and tested as it is, while .venv, databases and caches are not copied."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return sorted({name for name in listed.split("\0") if name and (root / name).is_file()})


def copy_tree(files: list[str], source: Path, target: Path) -> Path:
    for name in files:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / name, target / name, follow_symlinks=False)
    return target


def check_anchors(mutations: tuple[Mutation, ...], root: Path) -> list[str]:
    """Why any edit cannot be applied exactly as written (an empty list when all can)."""
    problems = []
    for mutation in mutations:
        for edit in mutation.edits:
            path = root / edit.path
            count = path.read_text().count(edit.anchor) if path.is_file() else 0
            if count != 1 or edit.anchor == edit.replacement:
                first = edit.anchor.strip().splitlines()[0]
                problems.append(
                    f"{mutation.name}: {edit.path}: the anchor {first!r} occurs {count} times "
                    "(must be exactly once: update mutants/mutations.py to the code as it is now)"
                )
    return problems


def mutate(mutation: Mutation, copy: Path) -> None:
    for edit in mutation.edits:
        path = copy / edit.path
        text = path.read_text()
        path.write_text(text.replace(edit.anchor, edit.replacement, 1))
    for edit in mutation.edits:
        path = copy / edit.path
        if path.suffix == ".py":
            try:
                compile(path.read_text(), str(path), "exec")
            except SyntaxError as exc:
                raise RunnerError(
                    f"{mutation.name}: the mutated {edit.path} does not compile: {exc}"
                ) from exc


def postgres_answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname or "localhost", parts.port or 5432), 1).close()
    except OSError:
        return False
    return True


def backend_env(backend: str, copy: Path, pg_url: str, scratch: Path) -> dict[str, str]:
    """The environment of a pytest run in `copy` (also inherited by the processes tests start:
    PYTHONPATH puts the copy's beat_sync before the editable install's)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTHONPATH")}
    env.pop("BEAT_SYNC_REQUIRE_POSTGRES", None)
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(copy), os.environ.get("PYTHONPATH")])),
        PYTHONDONTWRITEBYTECODE="1",
        MUTANTS_SCRATCH=str(copy),
    )
    if backend == "postgresql":
        env.update(DATABASE_URL=pg_url, BEAT_SYNC_REQUIRE_POSTGRES="1")
    else:
        # A file, as `make test-sqlite` sets it, so that processes a test starts can open it
        # (one for every run: made by the baseline, reused after it as on PostgreSQL).
        env["BEAT_SYNC_SQLITE_TEST_NAME"] = str(scratch / "test.sqlite3")
    return env


def drop_test_database(url: str) -> None:
    """Drop the PostgreSQL test database the runs reused (pytest-django's name: test_NAME)."""
    import psycopg

    parts = urlsplit(url)
    name = f"test_{parts.path.lstrip('/')}"
    # Through the server's maintenance database, as Django creates test databases: the
    # database the URL names need not exist.
    try:
        with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}"')
    except psycopg.Error as exc:
        print(f"mutants: warning: the test database {name} was not dropped: {exc}".strip())


def check_imports(copy: Path, env: dict[str, str]) -> None:
    """A process started outside the copy (as `beat-sync` is, from .venv/bin) imports the
    copy's beat_sync; mutants.guard checks the pytest process itself."""
    found = subprocess.run(
        [sys.executable, "-c", "import beat_sync; print(beat_sync.__file__)"],
        cwd="/",
        env=env,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if not Path(found).resolve().is_relative_to(copy.resolve()):
        raise RunnerError(f"a process with the runner's environment imports {found!r}, not {copy}")


def run_tests(
    tests: tuple[str, ...], copy: Path, env: dict[str, str], database: str = "--reuse-db"
) -> tuple[int, str]:
    """pytest on `tests` in `copy`, stopping at the first failure. The test database is made
    by the baseline run (`--create-db`) and reused by the others (migrating it again for every
    run would double the runner's time); tests flush or roll back what they write."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-x",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "mutants.guard",
        database,
        "--rootdir",
        str(copy),
        *tests,
    ]
    try:
        done = subprocess.run(
            command,
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return -1, f"timed out after {RUN_TIMEOUT} s"
    return done.returncode, done.stdout + done.stderr


def first_failure(output: str) -> str | None:
    for line in output.splitlines():
        match = FAILURE_LINE.match(line)
        if match:
            return match["node"]
    return None


def tail(output: str, lines: int = 30) -> str:
    return "\n".join("    " + line for line in output.splitlines()[-lines:])


def judge(status: int, output: str) -> Outcome:
    if status == 0:
        return Outcome("SURVIVED", "every selected test passed")
    failed = first_failure(output)
    if status == TESTS_FAILED and failed:
        return Outcome("caught", failed)
    return Outcome("ERROR", f"pytest exit status {status}\n{tail(output)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mutants.run", description=__doc__)
    parser.add_argument("names", nargs="*", help="only these mutations (default: all)")
    parser.add_argument("--backend", choices=BACKENDS, action="append", help="default: both")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--keep", action="store_true", help="keep the scratch copies")
    parser.add_argument("--verbose", action="store_true", help="print each mutated run's output")
    parser.add_argument(
        "--jobs",
        type=int,
        default=2,
        help="pytest runs at once, one per database (default 2: SQLite and PostgreSQL together)",
    )
    args = parser.parse_args(argv)

    known = {m.name: m for m in MUTATIONS}
    unknown = [name for name in args.names if name not in known]
    if unknown:
        parser.error(f"unknown mutation {', '.join(unknown)}; known: {', '.join(known)}")
    mutations = tuple(known[name] for name in args.names) if args.names else MUTATIONS
    if args.list:
        for m in mutations:
            print(f"{m.name}: breaks {m.breaks!r}; caught by {', '.join(m.tests)}")
        return 0

    problems = check_anchors(mutations, REPO)
    for problem in problems:
        print(f"ANCHOR    {problem}")
    if problems:
        return 2

    pg_url = os.environ.get("DATABASE_URL") or DEFAULT_PG_URL
    server = f"{urlsplit(pg_url).hostname}:{urlsplit(pg_url).port or 5432}"  # no password
    backends = {}
    for backend in args.backend or BACKENDS:
        skipped = None
        if backend == "postgresql" and not postgres_answers(pg_url):
            if os.environ.get("BEAT_SYNC_REQUIRE_POSTGRES") == "1":
                print(f"ERROR     PostgreSQL is required but nothing answers on {server}")
                return 2
            skipped = Outcome("SKIPPED", f"no server answers on {server}")
        backends[backend] = skipped
    print(f"mutants: {len(mutations)} mutations; PostgreSQL on {server}", flush=True)

    started = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="beat-sync-mutants-"))
    try:
        return _run(
            mutations, backends, pg_url, scratch, started, args.keep, args.verbose, args.jobs
        )
    except RunnerError as exc:
        print(f"ERROR     {exc}")
        return 2
    finally:
        if "postgresql" in backends and not backends["postgresql"]:
            drop_test_database(pg_url)
        if args.keep:
            print(f"mutants: scratch copies kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def _run(
    mutations: tuple[Mutation, ...],
    backends: dict[str, Outcome | None],
    pg_url: str,
    scratch: Path,
    started: float,
    keep: bool = False,
    verbose: bool = False,
    jobs: int = 2,
) -> int:
    files = tracked_files(REPO)
    base = copy_tree(files, REPO, scratch / "baseline")

    # Baseline: the selected tests pass on the unmutated copy, or no failure could mean a catch.
    ready = [backend for backend, skipped in backends.items() if not skipped]
    selected = {
        backend: tuple(
            dict.fromkeys(t for m in mutations if backend in m.backends for t in m.tests)
        )
        for backend in ready
    }
    for backend in ready:
        check_imports(base, backend_env(backend, base, pg_url, scratch))

    def baseline(backend: str) -> tuple[int, str]:
        env = backend_env(backend, base, pg_url, scratch)
        return run_tests(selected[backend], base, env, "--create-db")

    # The backends run side by side (each has its own test database): most of a run's time is
    # waiting (process start, the tests' holds and sleeps), not computing.
    pool = ThreadPoolExecutor(max_workers=jobs)
    for backend, (status, output) in zip(ready, pool.map(baseline, ready), strict=True):
        if status != 0:
            raise RunnerError(
                f"baseline on {backend}: the selected tests fail without any mutation "
                f"(pytest exit status {status}):\n{tail(output)}"
            )
        print(f"baseline  {backend}: {len(selected[backend])} test ids pass unmutated", flush=True)

    counts = {"caught": 0, "SURVIVED": 0, "ERROR": 0}
    width = max(len(m.name) for m in mutations)
    for mutation in mutations:
        copy = copy_tree(files, base, scratch / mutation.name)
        mutate(mutation, copy)
        outcomes: dict[str, Outcome] = {}
        running = {}
        for backend, skipped in backends.items():
            if skipped:
                outcomes[backend] = skipped
            elif backend not in mutation.backends:
                outcomes[backend] = Outcome("n/a", mutation.not_run)
            else:
                env = backend_env(backend, copy, pg_url, scratch)
                running[backend] = pool.submit(run_tests, mutation.tests, copy, env)
        for backend, future in running.items():
            status, output = future.result()
            if verbose:
                print(f"--- {mutation.name} on {backend}:\n{output}", flush=True)
            outcomes[backend] = judge(status, output)
        outcomes = {backend: outcomes[backend] for backend in backends}
        words = {o.word for o in outcomes.values()}
        word = "ERROR" if "ERROR" in words else "SURVIVED" if "SURVIVED" in words else "caught"
        counts[word] += 1
        # Backends with the same outcome share it: "sqlite, postgresql: tests/...::test_x".
        shared: dict[str, list[str]] = {}
        for backend, outcome in outcomes.items():
            shared.setdefault(str(outcome), []).append(backend)
        line = "  ".join(f"{', '.join(names)}: {text}" for text, names in shared.items())
        print(f"{word:<9} {mutation.name:<{width}}  {line}", flush=True)
        if not keep:
            shutil.rmtree(copy, ignore_errors=True)

    pool.shutdown()
    elapsed = time.monotonic() - started
    print(
        f"mutants: {counts['caught']} caught, {counts['SURVIVED']} survived, "
        f"{counts['ERROR']} errors, in {elapsed:.0f} s"
    )
    if counts["ERROR"]:
        return 2
    return 1 if counts["SURVIVED"] else 0


if __name__ == "__main__":
    sys.exit(main())
