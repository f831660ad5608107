#!/usr/bin/env python3
"""tests/catalog/compare_pg.py: spec/catalog.toml against a real PostgreSQL 15.

    python3 tests/catalog/compare_pg.py [--spec spec/catalog.toml]

Starts a throw-away PostgreSQL 15 server (Debian's postgresql-15 package; as
an unprivileged user when run as root, since PostgreSQL refuses root), asks it
through psql for every relation the spec declares, and compares: the relation
exists, its OID (when the spec gives one), kind and sharedness, and its
columns in order with their names, type names (pg_type.typname, which
format_type shows), typmods and not-null flags.  Every difference is reported;
any difference, or a server that cannot be started, fails the run (exit 1).
The server is always stopped and its folder removed.  Installs nothing:
scripts/install-deps.sh provides postgresql-15 and postgresql-client-15.
Run by ctest as catalog.matches_postgres.  Python 3.11 standard library only.
"""

import argparse
import difflib
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")
SERVER_USER = "postgres"  # Debian's postgresql-15 creates it; made here if missing
FIRST_PORT = 55432
KINDS = {"table": "r", "view": "v"}  # spec kind -> pg_class.relkind

COLUMNS_SQL = """
SELECT c.oid, c.relkind, c.relisshared, a.attname, t.typname,
       format_type(a.atttypid, a.atttypmod), a.atttypmod, a.attnotnull
FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
WHERE c.oid = to_regclass('{qualified}')
ORDER BY a.attnum
"""


class ServerError(Exception):
    """PostgreSQL could not be set up, started or queried."""


def run(argv, **kwargs):
    """Run a command, raising ServerError with its output when it fails."""
    result = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise ServerError(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result.stdout


def server_account():
    """(prefix running a command as the server's user, its uid, its gid).

    As root: SERVER_USER, created if missing; otherwise the current user."""
    if os.geteuid() != 0:
        return [], os.getuid(), os.getgid()
    try:
        account = pwd.getpwnam(SERVER_USER)
    except KeyError:
        run(["useradd", "--system", "--user-group", "--no-create-home", "--shell", "/bin/sh", SERVER_USER])
        account = pwd.getpwnam(SERVER_USER)
    prefix = ["setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--init-groups"]
    return prefix, account.pw_uid, account.pw_gid


def free_port():
    """The first port from FIRST_PORT on that nothing listens on."""
    for port in range(FIRST_PORT, FIRST_PORT + 1000):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise ServerError(f"no free port in {FIRST_PORT}-{FIRST_PORT + 999}")


class Postgres:
    """A PostgreSQL 15 server in a temporary folder, reachable only through
    a unix socket in that folder; a context manager that always cleans up."""

    def __enter__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="specdb-pg-"))
        try:
            self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start(self):
        self.as_user, uid, gid = server_account()
        os.chown(self.dir, uid, gid)
        self.port = free_port()
        self._as_server([str(PG_BIN / "initdb"), "-D", str(self.dir / "data"), "-U", "postgres", "-A", "trust",
                         "-E", "UTF8", "--locale=C", "--no-sync"])
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=''"
        try:
            self._as_server([str(PG_BIN / "pg_ctl"), "-D", str(self.dir / "data"), "-l", str(self.dir / "log"),
                             "-o", options, "-w", "-t", "60", "start"])
        except ServerError as exc:
            raise ServerError(f"{exc}\nserver log:\n{self._log()}") from None

    def _as_server(self, argv):
        return run(self.as_user + argv, cwd=self.dir)

    def _log(self):
        log = self.dir / "log"
        return log.read_text(errors="replace") if log.exists() else "(none)"

    def query(self, sql):
        """Rows of ``sql``, each a list of its columns as text."""
        out = run([str(PG_BIN / "psql"), "-X", "-At", "-F", "|", "-v", "ON_ERROR_STOP=1", "-h", str(self.dir),
                   "-p", str(self.port), "-U", "postgres", "-d", "postgres", "-c", sql])
        return [line.split("|") for line in out.splitlines()]

    def __exit__(self, *exc_info):
        try:
            if (self.dir / "data" / "postmaster.pid").exists():  # a server may be running
                self._stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def _stop(self):
        pg_ctl = [str(PG_BIN / "pg_ctl"), "-D", str(self.dir / "data"), "-w", "-t", "60", "stop"]
        try:
            self._as_server(pg_ctl + ["-m", "fast"])
        except ServerError:
            self._as_server(pg_ctl + ["-m", "immediate"])


def load_relations(path):
    """The spec's [[relation]] entries, each with its columns' defaults filled in."""
    relations = tomllib.loads(Path(path).read_text(encoding="utf-8"))["relation"]
    for relation in relations:
        for column in relation["columns"]:
            column.setdefault("typmod", -1)
            column.setdefault("not_null", False)
    return relations


def describe(name, typname, typmod, not_null):
    return f"{name} {typname}{f' typmod {typmod}' if typmod != -1 else ''}{' not null' if not_null else ''}"


def compare_relation(relation, rows):
    """Differences between a spec relation and PostgreSQL's ``rows`` for it."""
    qualified = f"{relation['schema']}.{relation['name']}"
    if not rows:
        return [f"{qualified}: no such relation in PostgreSQL"]
    oid, relkind, shared = rows[0][0], rows[0][1], rows[0][2] == "t"
    differences = []
    if relation.get("oid") is not None and relation["oid"] != int(oid):
        differences.append(f"{qualified}: spec OID {relation['oid']}, PostgreSQL's is {oid}")
    if KINDS[relation["kind"]] != relkind:
        differences.append(f"{qualified}: spec kind {relation['kind']}, PostgreSQL's relkind is '{relkind}'")
    if relation.get("shared", False) != shared:
        differences.append(f"{qualified}: spec shared = {relation.get('shared', False)}, "
                           f"PostgreSQL's relisshared is {shared}")
    return differences + compare_columns(qualified, relation["columns"], rows)


def compare_columns(qualified, columns, rows):
    """Differences between the spec's columns and PostgreSQL's, aligned with
    difflib so that one missing or extra column is reported once."""
    ours = [describe(c["name"], c["type"], c["typmod"], c["not_null"]) for c in columns]
    theirs = [describe(name, typname, int(typmod), not_null == "t")
              for _, _, _, name, typname, _, typmod, not_null in rows]
    shown = {text: row[5] for text, row in zip(theirs, rows)}
    differences = []
    matcher = difflib.SequenceMatcher(a=ours, b=theirs, autojunk=False)
    for tag, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if tag == "equal":
            continue
        for offset in range(max(a_end - a_start, b_end - b_start)):
            spec = ours[a_start + offset] if a_start + offset < a_end else None
            pg = theirs[b_start + offset] if b_start + offset < b_end else None
            where = f"column {a_start + offset + 1}" if spec else f"PostgreSQL's column {b_start + offset + 1}"
            pg_text = f"{pg} (format_type: {shown[pg]})" if pg else "nothing"
            differences.append(f"{qualified} {where}: spec has {spec or 'nothing'}, PostgreSQL has {pg_text}")
    return differences


def main(argv=None):
    root = Path(__file__).resolve().parent.parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", default=str(root / "spec" / "catalog.toml"), help="the catalog spec to check")
    args = parser.parse_args(argv)
    relations = load_relations(args.spec)
    try:
        with Postgres() as server:
            number, version = server.query("SELECT current_setting('server_version_num'), version()")[0]
            if not number.startswith("15"):
                raise ServerError(f"expected PostgreSQL 15, the server is {version}")
            version = version.split(" on ")[0]
            differences = []
            for relation in relations:
                sql = COLUMNS_SQL.format(qualified=f"{relation['schema']}.{relation['name']}")
                differences += compare_relation(relation, server.query(sql))
    except ServerError as exc:
        print(f"cannot run PostgreSQL 15: {exc}", file=sys.stderr)
        return 1
    for difference in differences:
        print(difference, file=sys.stderr)
    columns = sum(len(relation["columns"]) for relation in relations)
    if differences:
        print(f"{len(differences)} differences between {args.spec} and {version}", file=sys.stderr)
        return 1
    print(f"{len(relations)} relations, {columns} columns match {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
