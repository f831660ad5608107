#!/usr/bin/env python3
"""psql's describe commands against specdb and PostgreSQL 15, compared.

Starts a throw-away PostgreSQL 15 (tests/catalog/compare_pg.py's Postgres:
initdb -E UTF8 --locale=C, as user postgres, on a free port) and a
`specdb serve` on a fresh data directory, creates the same schema in both,
runs the same psql script (\\l \\dn \\dt \\d \\di \\dv \\ds \\df \\du \\x
\\timing ...) with PostgreSQL 15's psql against each, and compares the two
outputs line by line.  The only differences allowed are the ones MASKS
names, each with its reason; anything else, an error in either output
included, fails the test with a diff.

Run by ctest (server.psql_meta) as:
    python3 tests/server/test_psql_meta.py SPECDB_BINARY
"""

import difflib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "catalog"))
from compare_pg import PG_BIN, Postgres  # noqa: E402

SPECDB = None  # set from argv
PSQL = str(PG_BIN / "psql")

SCHEMA = """
CREATE SCHEMA app;
CREATE TABLE app.customers (
    id serial PRIMARY KEY,
    email varchar(120) NOT NULL UNIQUE,
    name text NOT NULL DEFAULT 'anonymous',
    balance numeric(10,2) DEFAULT 0 CHECK (balance >= 0),
    created timestamp(3) DEFAULT now(),
    "Mixed Case" boolean DEFAULT true
);
CREATE TABLE app.orders (
    order_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES app.customers(id) ON DELETE CASCADE,
    placed date NOT NULL DEFAULT CURRENT_DATE,
    status char(1) DEFAULT 'n' CHECK (status IN ('n', 'p', 's')),
    qty smallint CHECK (qty > 0 AND qty < 1000),
    price double precision DEFAULT -1.5,
    note varchar DEFAULT 'it''s',
    UNIQUE (customer_id, placed)
);
CREATE INDEX orders_placed_idx ON app.orders (placed DESC, status);
CREATE UNIQUE INDEX customers_name_balance ON app.customers (name, balance NULLS FIRST);
CREATE TABLE items (
    sku text,
    price numeric CHECK (price > 0.5 OR price IS NULL),
    weight real DEFAULT 2,
    tags text[] DEFAULT '{}',
    flag boolean,
    CONSTRAINT items_pk PRIMARY KEY (sku)
);
CREATE TABLE lines (
    order_id bigint REFERENCES app.orders ON UPDATE RESTRICT,
    sku text REFERENCES items(sku) ON DELETE SET NULL,
    n integer DEFAULT 1 + 2 * 3,
    PRIMARY KEY (order_id, sku)
);
CREATE SEQUENCE app.ticket_seq START 100 INCREMENT 5;
CREATE SEQUENCE down_seq AS integer INCREMENT -1 MINVALUE -50 MAXVALUE 10 START 0 CYCLE CACHE 3;
CREATE VIEW app.big_customers AS SELECT id, email FROM app.customers WHERE balance > 1000;
CREATE VIEW item_names AS SELECT sku, price * 2 AS double_price FROM items;
COMMENT ON SCHEMA app IS 'application tables';
COMMENT ON TABLE app.customers IS 'who buys';
COMMENT ON COLUMN app.customers.email IS 'login address';
COMMENT ON COLUMN items.price IS 'in "euro"';
COMMENT ON VIEW item_names IS 'names only';
COMMENT ON SEQUENCE app.ticket_seq IS 'tickets';
COMMENT ON INDEX app.orders_placed_idx IS 'by day';
COMMENT ON CONSTRAINT items_pk ON items IS 'the key';
COMMENT ON TABLE lines IS 'gone soon';
COMMENT ON TABLE lines IS NULL;
INSERT INTO app.customers (email, name, balance) VALUES ('a@example.com', 'Ann', 10.5), ('b@example.com', 'Bob', 0);
"""

SCRIPT = r"""
\l
\dn
\dn+
\dt
\dt app.*
\dt *.orders
\d app.customers
\d app.orders
\d items
\d lines
\d app.big_customers
\d item_names
\d app.ticket_seq
\d down_seq
\d app.customers_id_seq
\d app.orders_placed_idx
\d app.customers_name_balance
\d items_pk
\d+ app.customers
\d+ items
\d+ lines
\di
\di app.*
\dv
\dv app.*
\ds
\ds app.*
\df
\du
\x
SELECT id, email, name, balance FROM app.customers ORDER BY id;
\x
\timing on
SELECT count(*) AS n FROM app.customers;
\timing off
SELECT current_database(), current_schema(), current_user, pg_backend_pid() > 0 AS has_pid;
SELECT format_type('app.customers'::regclass::oid, NULL), format_type(1043, 14), format_type(1700, 655366),
       format_type(1114, 3), format_type(1042, -1), format_type(1042, NULL);
SELECT has_table_privilege('app.customers', 'SELECT'), pg_table_is_visible('items'::regclass),
       pg_table_is_visible('app.customers'::regclass);
SELECT pg_get_indexdef('app.orders_placed_idx'::regclass), pg_get_indexdef('app.orders_placed_idx'::regclass, 2, true);
SELECT conname, pg_get_constraintdef(oid), pg_get_constraintdef(oid, true) FROM pg_constraint
 WHERE conrelid IN ('app.orders'::regclass, 'items'::regclass, 'lines'::regclass) ORDER BY conname;
SELECT a.attname, pg_get_expr(d.adbin, d.adrelid), pg_get_expr(d.adbin, d.adrelid, true)
  FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
 WHERE d.adrelid IN ('app.customers'::regclass, 'app.orders'::regclass, 'items'::regclass, 'lines'::regclass)
 ORDER BY d.adrelid::regclass::text, a.attnum;
SELECT pg_get_serial_sequence('app.customers', 'id'), pg_get_serial_sequence('app.orders', 'order_id');
SELECT pg_encoding_to_char(6), array_to_string(ARRAY[1, NULL, 3], ','), array_to_string(ARRAY['a', NULL], '-', '*');
SELECT relname FROM pg_class WHERE relname OPERATOR(pg_catalog.~) '^(orders)$' COLLATE pg_catalog.default;
SELECT obj_description('app.ticket_seq'::regclass, 'pg_class'), obj_description('app'::regnamespace, 'pg_namespace'),
       obj_description('lines'::regclass, 'pg_class'), col_description('items'::regclass, 2),
       col_description('items'::regclass, 1), obj_description(oid, 'pg_constraint')
  FROM pg_constraint WHERE conname = 'items_pk';
SELECT 'x'::text COLLATE "C" < 'y', ARRAY[1, 2] || ARRAY[3], (ARRAY[[1, 2], [3, 4]])[2][1], '7 8'::int2vector::int2[];
"""

# Statements that fail: the same errors (SQLSTATE text, position) as PostgreSQL.
ERRORS = r"""
COMMENT ON TABLE app.big_customers IS 'wrong kind';
COMMENT ON COLUMN items IS 'unqualified';
COMMENT ON COLUMN app.customers.nope IS 'no column';
COMMENT ON CONSTRAINT nope ON items IS 'no constraint';
SELECT 1 COLLATE "C";
SELECT 'a' COLLATE "no_such";
"""

# The differences allowed, each a regular expression and its replacement,
# applied to both outputs before they are compared.
MASKS = [
    # How long a statement took differs from run to run (\timing on).
    (re.compile(r"^Time: \d+\.\d+ ms$", re.M), "Time: <masked>"),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Specdb:
    """A `specdb serve` on a fresh data directory, on a free port."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="specdb-psqlmeta-")
        self.port = free_port()
        self.log = open(os.path.join(self.dir, "log"), "w+")
        self.proc = subprocess.Popen([SPECDB, "serve", "-D", os.path.join(self.dir, "data"), "--port", str(self.port)],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline and self.proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("specdb did not start")

    def stop(self):
        """Stop with SIGTERM; fails unless the server exited 0 (sanitizer
        builds exit non-zero on a leak or an error)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
        self.log.seek(0)
        log = self.log.read()
        self.log.close()
        shutil.rmtree(self.dir)
        if self.proc.returncode != 0:
            raise RuntimeError(f"specdb exited with status {self.proc.returncode}: {log}")


def psql(host, port, script):
    """psql's whole output (errors included, in order) for `script`."""
    env = dict(os.environ, PGTZ="UTC", PGDATESTYLE="ISO, MDY", PAGER="", LC_ALL="C.UTF-8")
    result = subprocess.run([PSQL, "-X", "-q", "-h", host, "-p", str(port), "-U", "postgres", "-d", "postgres",
                             "-P", "pager=off", "-f", "-"],
                            input=script, capture_output=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env, timeout=120)
    return result.stdout.replace("psql:<stdin>:", "psql:")


def masked(text):
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


class PsqlMetaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = Postgres().__enter__()
        try:
            cls.specdb = Specdb()
        except BaseException:
            cls.pg.__exit__(None, None, None)
            raise
        for host, port in ((str(cls.pg.dir), cls.pg.port), ("127.0.0.1", cls.specdb.port)):
            out = psql(host, port, "\\set ON_ERROR_STOP 1\n" + SCHEMA)
            if out.strip():
                raise RuntimeError(f"schema setup failed on port {port}:\n{out}")

    @classmethod
    def tearDownClass(cls):
        try:
            cls.specdb.stop()
        finally:
            cls.pg.__exit__(None, None, None)

    def compare(self, script, errors=False):
        expected = masked(psql(str(self.pg.dir), self.pg.port, script))
        actual = masked(psql("127.0.0.1", self.specdb.port, script))
        if not errors:
            self.assertNotIn("ERROR", expected, "the script fails on PostgreSQL itself")
        if expected != actual:
            diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                                "postgresql-15", "specdb"))
            self.fail(f"psql output differs:\n{diff}")

    def test_describe_commands_print_what_postgresql_prints(self):
        self.compare(SCRIPT)

    def test_errors_are_postgresqls(self):
        self.compare(ERRORS, errors=True)


if __name__ == "__main__":
    SPECDB = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
