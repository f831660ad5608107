"""Savepoints over the wire as clients use them: psql's ON_ERROR_ROLLBACK
(a savepoint around every statement of a block), psycopg2's explicit
savepoints (simple protocol) and JDBC's (Parse/Bind/Execute/Sync per
statement, including the ROLLBACK TO of a failed block), with the
ReadyForQuery status after each step as PostgreSQL 15 sends it.

Run by ctest (server.savepoints) as:
    python3 tests/server/test_savepoint_wire.py SPECDB_BINARY
"""

import os
import subprocess
import sys
import unittest

import psycopg2
import psycopg2.extensions

import test_server
from test_server import Server, bind, connect_raw, error_fields, execute, handshake, message, parse, read_until_ready


class Savepoints(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def connect(self):
        return psycopg2.connect(host="127.0.0.1", port=self.server.port, user="postgres", dbname="postgres")

    def test_psql_on_error_rollback(self):
        script = ("\\set ON_ERROR_ROLLBACK on\n"
                  "CREATE TABLE oer (k int PRIMARY KEY);\n"
                  "BEGIN;\n"
                  "INSERT INTO oer VALUES (1);\n"
                  "INSERT INTO oer VALUES (1);\n"
                  "INSERT INTO oer VALUES (2);\n"
                  "SELECT 1/0;\n"
                  "INSERT INTO oer VALUES (3);\n"
                  "COMMIT;\n"
                  "SELECT string_agg(k::text, ',' ORDER BY k) FROM oer;\n")
        out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-h", "127.0.0.1", "-p", str(self.server.port),
                              "-U", "postgres", "-d", "postgres"], input=script, capture_output=True, text=True,
                             timeout=60)
        self.assertEqual(out.stdout.strip(), "1,2,3")
        self.assertIn('duplicate key value violates unique constraint "oer_pkey"', out.stderr)
        self.assertIn("division by zero", out.stderr)

    def test_psycopg2(self):
        conn = self.connect()
        try:
            cur = conn.cursor()
            cur.execute("CREATE TABLE pg2 (k int PRIMARY KEY)")
            conn.commit()
            cur.execute("INSERT INTO pg2 VALUES (1)")
            cur.execute("SAVEPOINT sp")
            with self.assertRaises(psycopg2.errors.UniqueViolation):
                cur.execute("INSERT INTO pg2 VALUES (1)")
            self.assertEqual(conn.info.transaction_status, psycopg2.extensions.TRANSACTION_STATUS_INERROR)
            with self.assertRaises(psycopg2.errors.InFailedSqlTransaction):
                cur.execute("INSERT INTO pg2 VALUES (2)")
            cur.execute("ROLLBACK TO SAVEPOINT sp")
            self.assertEqual(conn.info.transaction_status, psycopg2.extensions.TRANSACTION_STATUS_INTRANS)
            cur.execute("INSERT INTO pg2 VALUES (2)")
            cur.execute("RELEASE SAVEPOINT sp")
            with self.assertRaises(psycopg2.errors.InvalidSavepointSpecification):
                cur.execute("RELEASE SAVEPOINT sp")
            conn.rollback()
            with self.assertRaises(psycopg2.errors.NoActiveSqlTransaction):
                conn.autocommit = True
                cur.execute("SAVEPOINT sp")
            conn.autocommit = False
            cur.execute("INSERT INTO pg2 VALUES (1); SAVEPOINT a; INSERT INTO pg2 VALUES (2); RELEASE a")
            conn.commit()
            cur.execute("SELECT array_agg(k ORDER BY k) FROM pg2")
            self.assertEqual(cur.fetchone()[0], [1, 2])
        finally:
            conn.close()

    def test_jdbc_style_extended_protocol(self):
        sock = connect_raw(self.server.port)
        try:
            handshake(sock)

            def run(sql):
                sock.sendall(parse("", sql) + bind("", "") + execute("") + message(b"S"))
                out = []
                for type_byte, body in read_until_ready(sock):
                    if type_byte == b"C":
                        out.append(body[:-1].decode())
                    elif type_byte == b"E":
                        out.append(error_fields(body)["C"])
                    elif type_byte == b"Z":
                        out.append(body.decode())
                return out

            steps = [
                ("CREATE TABLE jdbc (k int PRIMARY KEY)", ["CREATE TABLE", "I"]),
                ("BEGIN", ["BEGIN", "T"]),
                ("INSERT INTO jdbc VALUES (1)", ["INSERT 0 1", "T"]),
                ("SAVEPOINT JDBC_SAVEPOINT_1", ["SAVEPOINT", "T"]),
                ("INSERT INTO jdbc VALUES (1)", ["23505", "E"]),
                ("INSERT INTO jdbc VALUES (5)", ["25P02", "E"]),
                ("ROLLBACK TO SAVEPOINT JDBC_SAVEPOINT_1", ["ROLLBACK", "T"]),
                ("INSERT INTO jdbc VALUES (2)", ["INSERT 0 1", "T"]),
                ("RELEASE SAVEPOINT JDBC_SAVEPOINT_1", ["RELEASE", "T"]),
                ("COMMIT", ["COMMIT", "I"]),
                ("BEGIN", ["BEGIN", "T"]),
                ("SELECT 1/0", ["22012", "E"]),
                ("COMMIT", ["ROLLBACK", "I"]),
            ]
            for sql, expected in steps:
                self.assertEqual(run(sql), expected, sql)
        finally:
            sock.close()


if __name__ == "__main__":
    test_server.SPECDB = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
