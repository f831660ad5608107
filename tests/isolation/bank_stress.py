"""Bank-transfer stress over `specdb serve`: nothing acknowledged is lost.

    python3 tests/isolation/bank_stress.py --specdb BIN [--seconds N]

8 client threads (psycopg2) move random amounts between 100 accounts, at
REPEATABLE READ and then at SERIALIZABLE, retrying 40001 and 40P01. Each
transfer updates both accounts and inserts its id into `transfers` in the
same transaction; a client counts it acknowledged once COMMIT returned.
Checked after each run: the total of the balances is unchanged; every
acknowledged id is in `transfers`; every account's balance is its opening
balance plus what `transfers` says it received minus what it sent (so no
update was lost and no transfer half applied).

Then the same with a kill -9 of the server halfway through: the server is
restarted on its data directory and the same checks run (a transfer whose
COMMIT got no answer may or may not be there; every other acknowledged
one must). 30 s per run; SPECDB_SOAK=1 runs 300 s.
"""

import argparse
import os
import random
import sys
import threading
import time

import psycopg2

from isolation_common import Specdb, connect

ACCOUNTS = 100
CLIENTS = 8
OPENING = 1000
RETRY_CODES = {"40001", "40P01"}


class Client(threading.Thread):
    def __init__(self, number, dsn, level, stop, kill):
        super().__init__(daemon=True)
        self.number, self.dsn, self.level, self.stop, self.kill = number, dsn, level, stop, kill
        self.acknowledged = []
        self.retries = 0
        self.error = None
        self.random = random.Random(number)

    def run(self):
        try:
            conn = connect(self.dsn, isolation=self.level)
            self.transfer_loop(conn)
            conn.close()
        except psycopg2.Error as exc:
            if not (self.kill and exc.pgcode is None):  # else: the server was killed
                self.error = exc
        except Exception as exc:  # reported by the main thread
            self.error = exc

    def transfer_loop(self, conn):
        count = 0
        while not self.stop.is_set():
            count += 1
            ident = self.number * 10_000_000 + count
            src, dst = self.random.sample(range(1, ACCOUNTS + 1), 2)
            amount = self.random.randint(1, 50)
            while not self.stop.is_set():
                try:
                    self.transfer(conn, ident, src, dst, amount)
                    self.acknowledged.append(ident)
                    break
                except psycopg2.Error as exc:
                    if exc.pgcode in RETRY_CODES:
                        self.retries += 1
                        conn.rollback()
                        continue
                    raise

    @staticmethod
    def transfer(conn, ident, src, dst, amount):
        cur = conn.cursor()
        cur.execute("update accounts set balance = balance - %s where id = %s", (amount, src))
        cur.execute("update accounts set balance = balance + %s where id = %s", (amount, dst))
        cur.execute("insert into transfers (id, src, dst, amount) values (%s, %s, %s, %s)",
                    (ident, src, dst, amount))
        conn.commit()


def setup(dsn):
    conn = connect(dsn, autocommit=True)
    cur = conn.cursor()
    cur.execute("drop table if exists accounts")
    cur.execute("drop table if exists transfers")
    cur.execute("create table accounts (id int primary key, balance bigint not null)")
    cur.execute("create table transfers (id bigint primary key, src int not null, dst int not null,"
                " amount int not null)")
    cur.execute("insert into accounts select g, %s from generate_series(1, %s) g", (OPENING, ACCOUNTS))
    conn.close()


def check(dsn, clients, label):
    """The checks of the module docstring; a list of failures."""
    conn = connect(dsn, autocommit=True)
    cur = conn.cursor()
    cur.execute("select id, balance from accounts")
    balances = dict(cur.fetchall())
    cur.execute("select id, src, dst, amount from transfers")
    transfers = cur.fetchall()
    conn.close()
    failures = []
    total = sum(balances.values())
    if len(balances) != ACCOUNTS or total != ACCOUNTS * OPENING:
        failures.append(f"{label}: {len(balances)} accounts, total {total}, expected {ACCOUNTS * OPENING}")
    present = {t[0] for t in transfers}
    acknowledged = [i for c in clients for i in c.acknowledged]
    missing = [i for i in acknowledged if i not in present]
    if missing:
        failures.append(f"{label}: {len(missing)} acknowledged transfers missing, e.g. {missing[:5]}")
    expected = {a: OPENING for a in range(1, ACCOUNTS + 1)}
    for _, src, dst, amount in transfers:
        expected[src] -= amount
        expected[dst] += amount
    wrong = [a for a in expected if balances.get(a) != expected[a]]
    if wrong:
        failures.append(f"{label}: {len(wrong)} balances disagree with the transfers, e.g. account {wrong[0]}: "
                        f"{balances.get(wrong[0])} vs {expected[wrong[0]]}")
    retries = sum(c.retries for c in clients)
    print(f"{label}: {len(acknowledged)} acknowledged, {len(present)} present, {retries} retries of 40001/40P01, "
          f"total {total}", flush=True)
    return failures


def run(server, level, seconds, kill):
    label = f"{level}{' with kill -9' if kill else ''}"
    setup(server.dsn())
    stop = threading.Event()
    clients = [Client(n, server.dsn(), level, stop, kill) for n in range(CLIENTS)]
    for client in clients:
        client.start()
    if kill:
        time.sleep(seconds / 2)
        server.kill()
        stop.set()
        for client in clients:
            client.join(60)
        server.start()
    else:
        time.sleep(seconds)
        stop.set()
        for client in clients:
            client.join(60)
    failures = [f"{label}: client {c.number} failed: {c.error!r}" for c in clients if c.error is not None]
    failures += [f"{label}: client {c.number} did not stop" for c in clients if c.is_alive()]
    return failures + check(server.dsn(), clients, label)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specdb", required=True)
    parser.add_argument("--seconds", type=float, default=300 if os.environ.get("SPECDB_SOAK") == "1" else 30)
    args = parser.parse_args()
    failures = []
    server = Specdb(args.specdb)
    try:
        for level in ("REPEATABLE READ", "SERIALIZABLE"):
            failures += run(server, level, args.seconds, kill=False)
        for level in ("REPEATABLE READ", "SERIALIZABLE"):
            failures += run(server, level, args.seconds, kill=True)
    finally:
        server.stop()
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
