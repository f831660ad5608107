"""Isolation tests: the same interleavings against specdb and PostgreSQL 15.

    python3 tests/isolation/run_isolation.py --specdb BIN [SPEC_DIR_OR_FILE ...]

Each spec file (tests/isolation/specs/*.spec) describes one case: setup
statements and the steps of two or three sessions T1..T3 (psycopg2,
autocommit off, one thread per session). Every case runs at READ COMMITTED,
REPEATABLE READ and SERIALIZABLE on a fresh `specdb serve` and on a
PostgreSQL 15 started by the test; the transcripts (rows read, command tags,
SQLSTATEs of errors, which step blocks and when it finishes) must be equal.
PostgreSQL decides what is expected, so the spec files hold no
expectations. Exit status 0 when every case matches. The cases listed in
pending.txt (known differences) are left out; --pending runs only those.
See README.md.
"""

import argparse
import queue
import sys
import threading
import time
from pathlib import Path

from isolation_common import Postgres, Specdb, connect, postgres_dsn

import psycopg2

HERE = Path(__file__).resolve().parent
LEVELS = ["READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"]
BLOCK_TIMEOUT = 1.0   # a step not done by then is "blocked"
WAIT_TIMEOUT = 30.0   # how long a session's next step waits for its blocked one
DEFAULT_SETUP = ["drop table if exists test",
                 "create table test (id int primary key, value int)",
                 "insert into test (id, value) values (1, 10), (2, 20)"]
DEFAULT_CHECK = ["select * from test order by id"]


class Spec:
    """A parsed spec file: `setup:`, `check:`, `levels:` and `Tn:` lines."""

    def __init__(self, path):
        self.name = path.stem
        self.setup, self.check, self.steps, self.levels = [], [], [], LEVELS
        for number, line in enumerate(path.read_text().splitlines(), 1):
            line = line.split(" -- ")[0].strip()
            if not line or line.startswith("#"):
                continue
            key, _, sql = line.partition(":")
            key, sql = key.strip(), sql.strip()
            if key == "setup":
                self.setup.append(sql)
            elif key == "check":
                self.check.append(sql)
            elif key == "levels":
                self.levels = [level.strip().upper() for level in sql.split(",")]
            elif key[:1] == "T" and key[1:].isdigit():
                self.steps.append((key, sql))
            else:
                raise SystemExit(f"{path}:{number}: unknown line: {line}")
        self.setup = self.setup or DEFAULT_SETUP
        self.check = self.check or DEFAULT_CHECK
        self.sessions = sorted({session for session, _ in self.steps})


def outcome(cursor, sql):
    """What a client observes of one statement: rows (sorted) or the command
    tag, or the SQLSTATE of its error."""
    try:
        cursor.execute(sql)
    except psycopg2.Error as exc:
        return f"ERROR {exc.pgcode}" if exc.pgcode else f"ERROR {type(exc).__name__}: {exc}".strip()
    if cursor.description is not None:
        return "rows " + repr(sorted(cursor.fetchall(), key=repr))
    return cursor.statusmessage


class Session:
    """One connection driven by its own thread, so a step may block."""

    def __init__(self, dsn, level):
        self.conn = connect(dsn, isolation=level)
        self.cursor = self.conn.cursor()
        self.jobs = queue.Queue()
        self.pending = None   # (label, done event, result list) of a running step
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while True:
            job = self.jobs.get()
            if job is None:
                return
            sql, done, result = job
            result.append(outcome(self.cursor, sql))
            done.set()

    def submit(self, label, sql):
        done, result = threading.Event(), []
        self.pending = (label, done, result)
        self.jobs.put((sql, done, result))

    def wait(self, timeout):
        """The pending step's outcome if it finished within timeout, else None."""
        label, done, result = self.pending
        if not done.wait(timeout):
            return None
        self.pending = None
        return result[0]

    def close(self):
        if self.pending is not None and not self.pending[1].wait(WAIT_TIMEOUT):
            self.conn.cancel()
            self.pending[1].wait(WAIT_TIMEOUT)
        self.jobs.put(None)
        self.thread.join(WAIT_TIMEOUT)
        try:
            self.conn.rollback()
        except psycopg2.Error:
            pass
        self.conn.close()


def run_case(dsn, spec, level):
    """The transcript of one case at one isolation level."""
    admin = connect(dsn, autocommit=True)
    cursor = admin.cursor()
    for sql in spec.setup:
        cursor.execute(sql)
    sessions = {name: Session(dsn, level) for name in spec.sessions}
    transcript = []
    try:
        for number, (name, sql) in enumerate(spec.steps, 1):
            session = sessions[name]
            if session.pending is not None:
                label = session.pending[0]
                result = session.wait(WAIT_TIMEOUT)
                if result is None:
                    transcript.append(f"{label} still blocked when {name} must go on: case stopped")
                    break
                transcript.append(f"  {label} finished late -> {result}")
            label = f"step {number} {name}"
            session.submit(label, sql)
            result = session.wait(BLOCK_TIMEOUT)
            transcript.append(f"{label}: {sql} -> {'blocked' if result is None else result}")
            for other in sessions.values():
                if other is not session and other.pending is not None:
                    label = other.pending[0]
                    finished = other.wait(BLOCK_TIMEOUT)
                    if finished is not None:
                        transcript.append(f"  {label} unblocked -> {finished}")
    finally:
        for session in sessions.values():
            session.close()
    for sql in spec.check:
        transcript.append(f"after: {sql} -> {outcome(cursor, sql)}")
    admin.close()
    return transcript


def load_pending():
    """{(spec name, level): reason} of pending.txt."""
    pending = {}
    for line in (HERE / "pending.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            case, _, reason = line.partition(":")
            name, _, level = case.partition(" at ")
            pending[(name.strip(), level.strip().upper())] = reason.strip()
    return pending


def load_specs(paths):
    files = []
    for path in paths:
        path = Path(path)
        files += sorted(path.glob("*.spec")) if path.is_dir() else [path]
    return [Spec(path) for path in files]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specdb", required=True)
    parser.add_argument("--verbose", action="store_true", help="print every transcript")
    parser.add_argument("--pending", action="store_true", help="run only the cases of pending.txt")
    parser.add_argument("specs", nargs="*", default=[str(HERE / "specs")])
    args = parser.parse_args()
    pending = load_pending()
    specs = load_specs(args.specs)
    for spec in specs:
        spec.levels = [level for level in spec.levels if ((spec.name, level) in pending) == args.pending]
    specs = [spec for spec in specs if spec.levels]
    failures = []
    with Postgres() as pg:
        pg_dsn = postgres_dsn(pg)
        admin = connect(pg_dsn, autocommit=True)
        # Deadlocks are found after deadlock_timeout (1 s by default): well
        # within a step's BLOCK_TIMEOUT, so the victim's step reports 40P01.
        admin.cursor().execute("alter system set deadlock_timeout = '100ms'")
        admin.cursor().execute("select pg_reload_conf()")
        admin.close()
        specdb = Specdb(args.specdb, "deadlock_timeout=100ms")  # as PostgreSQL below
        try:
            for spec in specs:
                for level in spec.levels:
                    expected = run_case(pg_dsn, spec, level)
                    actual = run_case(specdb.dsn(), spec, level)
                    same = expected == actual
                    reason = f" (pending: {pending[(spec.name, level)]})" if args.pending else ""
                    print(f"{'ok  ' if same else 'DIFF'} {spec.name} at {level}{reason}", flush=True)
                    if not same or args.verbose:
                        for want, got in zip_longest(expected, actual):
                            mark = "  " if want == got else "!!"
                            print(f"    {mark} PostgreSQL: {want}\n    {mark} specdb:     {got}")
                    if not same:
                        failures.append(f"{spec.name} at {level}")
        finally:
            specdb.stop()
    if failures:
        print(f"{len(failures)} case(s) differ from PostgreSQL 15: " + "; ".join(failures))
        return 1
    print(f"all {sum(len(s.levels) for s in specs)} cases match PostgreSQL 15")
    return 0


def zip_longest(a, b):
    for i in range(max(len(a), len(b))):
        yield (a[i] if i < len(a) else None), (b[i] if i < len(b) else None)


if __name__ == "__main__":
    sys.exit(main())
