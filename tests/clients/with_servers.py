"""Run a client test program against a fresh `specdb serve` (and, with
--postgres, a throw-away PostgreSQL 15 too), then stop the servers.

    python3 tests/clients/with_servers.py --specdb BIN [--postgres] -- PROGRAM ARGS...

In ARGS, @SPECDB@ and @POSTGRES@ become libpq connection strings of the two
servers; the program also gets PGHOST, PGPORT, PGUSER and PGDATABASE in its
environment (node-postgres reads them): specdb's, or PostgreSQL's with
--env-postgres (to check that a test's expectations are PostgreSQL's).  The exit status is
the program's, or 1 when specdb did not stop cleanly (a sanitizer report
makes it exit non-zero).  Used by the ctests clients.* (tests/CMakeLists.txt).
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "server"))
sys.path.insert(0, str(HERE.parent / "catalog"))

import test_server  # noqa: E402  (the Server class of server.protocol)
from compare_pg import Postgres  # noqa: E402


def run(args, postgres):
    specdb = test_server.Server()
    try:
        conninfo = {"@SPECDB@": f"host=127.0.0.1 port={specdb.port} user=postgres dbname=postgres"}
        if postgres:
            conninfo["@POSTGRES@"] = f"host={postgres.dir} port={postgres.port} user=postgres dbname=postgres"
        argv = [conninfo.get(a, a) for a in args.program]
        host, port = ("127.0.0.1", specdb.port) if not args.env_postgres else (postgres.dir, postgres.port)
        env = dict(os.environ, PGHOST=str(host), PGPORT=str(port), PGUSER="postgres", PGDATABASE="postgres")
        status = subprocess.run(argv, env=env, timeout=args.timeout).returncode
    finally:
        try:
            specdb.stop()
        except RuntimeError as exc:
            print(f"with_servers.py: {exc}", file=sys.stderr)
            status = 1
    return status


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specdb", required=True)
    parser.add_argument("--postgres", action="store_true", help="also start PostgreSQL 15 (@POSTGRES@)")
    parser.add_argument("--env-postgres", action="store_true", help="PG* variables name PostgreSQL (implies --postgres)")
    parser.add_argument("--timeout", type=int, default=300)
    parser.add_argument("program", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.program[:1] == ["--"]:
        args.program = args.program[1:]
    test_server.SPECDB = args.specdb
    if not args.postgres and not args.env_postgres:
        return run(args, None)
    with Postgres() as postgres:
        return run(args, postgres)


if __name__ == "__main__":
    sys.exit(main())
