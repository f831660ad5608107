#!/usr/bin/env python3
"""pgbench against specdb and PostgreSQL 15 side by side, and memory per idle
connection of both.  Not a test: it prints numbers (bench/README.md).

Both servers start on fresh data directories on free ports with their
defaults (fsync and synchronous_commit on); PostgreSQL runs as user
postgres.  Each is loaded the same way (pgbench -i -s SCALE; when specdb
does not take that yet, `pgbench -i -I dtGvp`; failing that, the same tables
made and filled by SQL), then pgbench runs TPC-B-like and select-only (-S)
with 1 and 8 clients, -M prepared, for --seconds each, --runs times; the
table shows the median TPS of each and the ratio specdb / PostgreSQL.

Memory: --idle connections are opened to each server and left idle.
specdb: the growth of the server's RSS divided by the connections.
PostgreSQL: the mean RSS, PSS and USS (private pages) of the backends.

    python3 bench/pgbench_vs_pg.py --specdb build/specdb [--seconds 10] [--runs 3]
"""

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import psycopg2

PGBIN = "/usr/lib/postgresql/15/bin"

# pgbench's own tables, made and filled on the server (pgbench -i -I dtGvp
# without the fillfactor option and with the keys declared inline).
INIT_SQL = """
drop table if exists pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers;
create table pgbench_history(tid int,bid int,aid int,delta int,mtime timestamp,filler char(22));
create table pgbench_tellers(tid int not null primary key,bid int,tbalance int,filler char(84));
create table pgbench_accounts(aid int not null primary key,bid int,abalance int,filler char(84));
create table pgbench_branches(bid int not null primary key,bbalance int,filler char(88));
insert into pgbench_branches(bid,bbalance) select bid, 0 from generate_series(1, {scale}) as bid;
insert into pgbench_tellers(tid,bid,tbalance) select tid, (tid - 1) / 10 + 1, 0
  from generate_series(1, {scale} * 10) as tid;
insert into pgbench_accounts(aid,bid,abalance,filler) select aid, (aid - 1) / 100000 + 1, 0, ''
  from generate_series(1, {scale} * 100000) as aid;
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres").close()
            return
        except psycopg2.OperationalError:
            time.sleep(0.1)
    raise RuntimeError(f"no server on port {port}")


class Specdb:
    name = "specdb"

    def __init__(self, binary, root):
        self.port = free_port()
        self.log = open(os.path.join(root, "specdb.log"), "w")
        self.proc = subprocess.Popen([binary, "serve", "-D", os.path.join(root, "specdb"), "--port", str(self.port),
                                      "--set", "max_connections=200"],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(self.port)

    def rss_kb(self):
        return proc_kb(self.proc.pid, "status", "VmRSS")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=120)
        self.log.close()


class Postgres:
    name = "PostgreSQL 15"

    def __init__(self, root):
        self.port = free_port()
        self.data = os.path.join(root, "pg")
        shutil.chown(root, "postgres")
        as_postgres([f"{PGBIN}/initdb", "-D", self.data, "-A", "trust", "-U", "postgres"])
        as_postgres([f"{PGBIN}/pg_ctl", "-D", self.data, "-l", os.path.join(root, "pg.log"), "-w", "start",
                     "-o", f"-p {self.port} -k {root} -c listen_addresses=127.0.0.1"])
        wait_for(self.port)

    def stop(self):
        as_postgres([f"{PGBIN}/pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"])


def as_postgres(args):
    subprocess.run(["runuser", "-u", "postgres", "--"] + args, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def proc_kb(pid, file, field):
    total = 0
    with open(f"/proc/{pid}/{file}") as f:
        for line in f:
            name, _, rest = line.partition(":")
            if name in (field if isinstance(field, tuple) else (field,)):
                total += int(rest.split()[0])
    return total


def pgbench(port, *args):
    return subprocess.run(["pgbench", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", *args, "postgres"],
                          capture_output=True, text=True)


def load(server, scale, method):
    """Load pgbench's tables; the method that worked."""
    methods = [method] if method else ["pgbench -i", "pgbench -i -I dtGvp", "sql"]
    for m in methods:
        if m == "sql":
            out = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                                  str(server.port), "-U", "postgres", "postgres"],
                                 input=INIT_SQL.format(scale=scale), capture_output=True, text=True)
        else:
            out = pgbench(server.port, *m.split()[1:], "-s", str(scale))
        if out.returncode == 0:
            return m
        print(f"{server.name}: {m} failed: {out.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
    raise RuntimeError(f"could not load pgbench's tables into {server.name}")


def tps(server, clients, select_only, seconds):
    args = ["-n", "-M", "prepared", "-c", str(clients), "-j", str(clients), "-T", str(seconds)]
    if select_only:
        args.append("-S")
    out = pgbench(server.port, *args)
    match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", out.stdout)
    if out.returncode != 0 or not match:
        raise RuntimeError(f"pgbench on {server.name} failed: {out.stdout}{out.stderr}")
    if failed and int(failed.group(1)) > 0:
        print(f"{server.name}: {failed.group(1)} failed transactions", file=sys.stderr)
    return float(match.group(1))


def idle_connections(port, n):
    conns = [psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres") for _ in range(n)]
    for c in conns:
        c.autocommit = True
        with c.cursor() as cur:
            cur.execute("SELECT 1")
    time.sleep(1)
    return conns


def specdb_memory(server, n):
    warm = idle_connections(server.port, 1)
    before = server.rss_kb()
    conns = idle_connections(server.port, n)
    after = server.rss_kb()
    for c in conns + warm:
        c.close()
    return (after - before) / n


def postgres_memory(server, n):
    conns = idle_connections(server.port, n)
    pids = []
    for c in conns:
        with c.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            pids.append(cur.fetchone()[0])
    rss = statistics.mean(proc_kb(p, "smaps_rollup", "Rss") for p in pids)
    pss = statistics.mean(proc_kb(p, "smaps_rollup", "Pss") for p in pids)
    uss = statistics.mean(proc_kb(p, "smaps_rollup", ("Private_Clean", "Private_Dirty")) for p in pids)
    for c in conns:
        c.close()
    return rss, pss, uss


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--specdb", default="build/specdb")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--idle", type=int, default=90, help="idle connections (PostgreSQL's default max_connections is 100)")
    ap.add_argument("--load", choices=["pgbench -i", "pgbench -i -I dtGvp", "sql"],
                    help="how to load the tables (default: the first that works on specdb)")
    args = ap.parse_args()

    root = tempfile.mkdtemp(prefix="specdb-pgbench-")
    os.chmod(root, 0o755)
    specdb = postgres = None
    try:
        specdb = Specdb(os.path.abspath(args.specdb), root)
        postgres = Postgres(root)
        method = load(specdb, args.scale, args.load)
        load(postgres, args.scale, method)
        print(f"pgbench -M prepared, scale {args.scale}, {args.seconds} s per run, median of {args.runs} runs; "
              f"tables loaded by: {method}; {os.cpu_count()} CPUs")
        print(f"{'workload':<16} {'clients':>7} {'specdb TPS':>12} {'PG15 TPS':>12} {'specdb/PG':>10}")
        for select_only in (False, True):
            for clients in (1, 8):
                results = {}
                for server in (specdb, postgres):
                    results[server.name] = statistics.median(
                        tps(server, clients, select_only, args.seconds) for _ in range(args.runs))
                a, b = results[specdb.name], results[postgres.name]
                workload = "select-only" if select_only else "TPC-B-like"
                print(f"{workload:<16} {clients:>7} {a:>12.0f} {b:>12.0f} {a / b:>10.2f}", flush=True)
        per_conn = specdb_memory(specdb, args.idle)
        rss, pss, uss = postgres_memory(postgres, args.idle)
        print(f"\nmemory per idle connection ({args.idle} connections)")
        print(f"  specdb:        {per_conn:8.0f} kB (server RSS growth / connections)")
        print(f"  PostgreSQL 15: {uss:8.0f} kB USS, {pss:8.0f} kB PSS, {rss:8.0f} kB RSS (mean per backend)")
    finally:
        if specdb:
            specdb.stop()
        if postgres:
            postgres.stop()
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
