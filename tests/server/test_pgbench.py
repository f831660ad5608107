"""pgbench (Debian's postgresql-client) end to end against `specdb serve`:
initialization with client-side generation (COPY FROM STDIN) and with
server-side generation (INSERT ... SELECT FROM generate_series), then
TPC-B-like runs in the simple, extended and prepared protocols with 1 and 4
clients and a select-only run, each with 0 failed transactions and the
balances consistent afterwards.

Run by ctest (server.pgbench) as:
    python3 tests/server/test_pgbench.py SPECDB_BINARY
"""

import os
import re
import subprocess
import sys
import threading
import time
import unittest

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_server as ts  # noqa: E402  (the Server class)

PGBENCH = "pgbench"


class Pgbench(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ts.Server()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def pgbench(self, *args, timeout=120):
        command = [PGBENCH, "-h", "127.0.0.1", "-p", str(self.server.port), "-U", "postgres", *args, "postgres"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        self.assertEqual(result.returncode, 0, f"{' '.join(command)}\n{result.stdout}\n{result.stderr}")
        self.assertNotIn("error", result.stderr.lower(), result.stderr)
        return result.stdout + result.stderr

    def query(self, sql):
        conn = psycopg2.connect(host="127.0.0.1", port=self.server.port, user="postgres", dbname="postgres")
        try:
            cur = conn.cursor()
            cur.execute(sql)
            return cur.fetchall()
        finally:
            conn.close()

    def counts(self):
        return self.query("SELECT (SELECT count(*) FROM pgbench_branches), (SELECT count(*) FROM pgbench_tellers), "
                          "(SELECT count(*) FROM pgbench_accounts), (SELECT count(*) FROM pgbench_history)")[0]

    def check_initialized(self, output):
        self.assertIn("creating primary keys...", output)
        self.assertIn("vacuuming...", output)
        self.assertEqual(self.counts(), (1, 10, 100000, 0))
        self.assertEqual(self.query("SELECT sum(abalance), min(aid), max(aid), count(DISTINCT bid) "
                                    "FROM pgbench_accounts"), [(0, 1, 100000, 1)])
        self.assertEqual(self.query("SELECT relname FROM pg_class WHERE relkind = 'i' AND relname LIKE 'pgbench_%' "
                                    "ORDER BY relname"),
                         [("pgbench_accounts_pkey",), ("pgbench_branches_pkey",), ("pgbench_tellers_pkey",)])

    def run_bench(self, *args):
        """One 10-second run; returns the number of transactions it did."""
        output = self.pgbench("-T", "10", *args, timeout=60)
        self.assertIn("number of failed transactions: 0 (0.000%)", output)
        processed = re.search(r"number of transactions actually processed: (\d+)", output)
        self.assertIsNotNone(processed, output)
        self.assertGreater(int(processed.group(1)), 0, output)
        return int(processed.group(1))

    def check_balances(self, transactions):
        """pgbench truncates pgbench_history before each run: it holds the
        last run's transactions; the balances add up over all runs."""
        history, accounts, tellers, branches = self.query(
            "SELECT (SELECT count(*) FROM pgbench_history), (SELECT sum(abalance) FROM pgbench_accounts), "
            "(SELECT sum(tbalance) FROM pgbench_tellers), (SELECT sum(bbalance) FROM pgbench_branches)")[0]
        self.assertEqual(history, transactions)
        self.assertEqual(accounts, tellers)
        self.assertEqual(accounts, branches)
        self.assertEqual(self.counts()[:3], (1, 10, 100000))

    def connect(self):
        return psycopg2.connect(host="127.0.0.1", port=self.server.port, user="postgres", dbname="postgres")

    def test_0_concurrent_update_read_committed(self):
        """An UPDATE waiting for another transaction's update of the same
        row goes on with the committed version (no 40001), as pgbench's
        updates of pgbench_branches need."""
        first, second = self.connect(), self.connect()
        try:
            setup = first.cursor()
            setup.execute("CREATE TABLE rc_counter (id int PRIMARY KEY, v int)")
            setup.execute("INSERT INTO rc_counter VALUES (1, 0), (2, 0)")
            first.commit()
            setup.execute("UPDATE rc_counter SET v = v + 1 WHERE id = 1")
            result = {}

            def update():
                cur = second.cursor()
                cur.execute("UPDATE rc_counter SET v = v + 10 WHERE id = 1")
                result["count"] = cur.rowcount
                second.commit()

            waiter = threading.Thread(target=update)
            waiter.start()
            time.sleep(0.5)
            self.assertTrue(waiter.is_alive())  # waits for the first transaction
            first.commit()
            waiter.join(timeout=30)
            self.assertEqual(result.get("count"), 1)
            self.assertEqual(self.query("SELECT id, v FROM rc_counter ORDER BY id"), [(1, 11), (2, 0)])
        finally:
            first.close()
            second.close()

    def test_1_client_side_initialization(self):
        self.check_initialized(self.pgbench("-i", "-s", "1"))

    def test_2_server_side_initialization_and_runs(self):
        self.check_initialized(self.pgbench("-i", "-I", "dtGvp", "-s", "1"))
        for args in (("-M", "simple", "-c", "4", "-j", "2"), ("-M", "extended"), ("-M", "prepared", "-c", "4", "-j", "2")):
            with self.subTest(args=args):
                self.check_balances(self.run_bench(*args))
        history = self.counts()[3]
        self.run_bench("-S", "-M", "simple", "-c", "4", "-j", "2")
        self.assertEqual(self.counts()[3], 0)  # truncated before the run; select-only adds none
        self.assertGreater(history, 0)


if __name__ == "__main__":
    ts.SPECDB = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
