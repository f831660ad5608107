"""COPY over the wire end to end: `specdb serve` on a free port, driven by
psycopg2 (copy_expert, copy_from, copy_to), psql's \\copy and a raw protocol
client (extended-protocol COPY, CopyFail, data after an error).

Run by ctest (server.copy) as:
    python3 tests/server/test_copy.py SPECDB_BINARY
"""

import io
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_server as ts  # noqa: E402  (the Server class and the raw client)


def cstr(text):
    return text.encode() + b"\0"


def raw_session(port):
    sock = ts.connect_raw(port)
    ts.handshake(sock)
    return sock


def read_until_ready(sock):
    messages = []
    while True:
        type_byte, body = ts.read_message(sock)
        messages.append((type_byte, body))
        if type_byte == b"Z":
            return messages


class Copy(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ts.Server()
        cls.conn = psycopg2.connect(host="127.0.0.1", port=cls.server.port, user="postgres", dbname="postgres")
        cls.conn.autocommit = True

    @classmethod
    def tearDownClass(cls):
        cls.conn.close()
        cls.server.stop()

    def setUp(self):
        self.cur = self.conn.cursor()

    def table(self, name, columns):
        self.cur.execute(f"DROP TABLE IF EXISTS {name}")
        self.cur.execute(f"CREATE TABLE {name} ({columns})")

    def copy_out(self, sql):
        out = io.StringIO()
        self.cur.copy_expert(sql, out)
        return out.getvalue()

    def rows(self, sql):
        self.cur.execute(sql)
        return self.cur.fetchall()

    # --- text and CSV -------------------------------------------------------------

    def test_text_round_trip(self):
        self.table("t_text", "a int, b text, c date")
        data = "1\tone\t2020-01-01\n2\t\\N\t\\N\n3\ttab\\there\\nnewline\t2021-12-31\n"
        self.cur.copy_expert("COPY t_text FROM STDIN", io.StringIO(data))
        self.assertEqual(self.cur.rowcount, 3)
        self.assertEqual(self.copy_out("COPY t_text TO STDOUT"), data)
        self.assertEqual(self.rows("SELECT b FROM t_text WHERE a = 3"), [("tab\there\nnewline",)])

    def test_copy_from_and_copy_to(self):
        self.table("t_cf", "a int, b text")
        self.cur.copy_from(io.StringIO("1|x\n2|NULL\n"), "t_cf", sep="|", null="NULL")
        self.assertEqual(self.rows("SELECT a, b FROM t_cf ORDER BY a"), [(1, "x"), (2, None)])
        out = io.StringIO()
        self.cur.copy_to(out, "t_cf", sep=",", null="-", columns=("b", "a"))
        self.assertEqual(out.getvalue(), "x,1\n-,2\n")

    def test_csv_options(self):
        self.table("t_csv", "id int, name text, note text")
        data = 'id;name;note\n1;"semi;colon";""\n2;\'q\'\'uote\';\n3;NIL;"NIL"\n'
        self.cur.copy_expert("COPY t_csv FROM STDIN (FORMAT csv, HEADER, DELIMITER ';', NULL 'NIL', "
                             "QUOTE '\"', ESCAPE '\"')", io.StringIO(data.replace("'q''uote'", '"q""uote"')))
        self.assertEqual(self.rows("SELECT id, name, note FROM t_csv ORDER BY id"),
                         [(1, "semi;colon", ""), (2, 'q"uote', ""), (3, None, "NIL")])
        self.assertEqual(self.copy_out("COPY t_csv TO STDOUT (FORMAT csv, HEADER, FORCE_QUOTE (note))"),
                         'id,name,note\n1,semi;colon,""\n2,"q""uote",""\n3,,"NIL"\n')
        self.assertEqual(self.copy_out("COPY (SELECT id, name FROM t_csv WHERE id < 3 ORDER BY id) TO STDOUT "
                                       "CSV FORCE QUOTE *"),
                         '"1","semi;colon"\n"2","q""uote"\n')

    def test_csv_force_null_and_not_null(self):
        self.table("t_force", "a text, b text")
        self.cur.copy_expert("COPY t_force FROM STDIN (FORMAT csv, FORCE_NOT_NULL (a), FORCE_NULL (b))",
                             io.StringIO(',""\n"x",y\n'))
        self.assertEqual(self.rows("SELECT a, b FROM t_force ORDER BY a"), [("", None), ("x", "y")])

    def test_header_match(self):
        self.table("t_match", "a int, b text")
        self.cur.copy_expert("COPY t_match FROM STDIN (FORMAT csv, HEADER MATCH)", io.StringIO("a,b\n1,x\n"))
        self.assertEqual(self.cur.rowcount, 1)
        cases = [
            ("a,c\n1,x\n", 'column name mismatch in header line field 2: got "c", expected "b"',
             'COPY t_match, line 1: "a,c"'),
            ("a\n1,x\n", "wrong number of fields in header line: got 1, expected 2", 'COPY t_match, line 1: "a"'),
        ]
        for data, message, context in cases:
            with self.subTest(message=message):
                with self.assertRaises(psycopg2.Error) as caught:
                    self.cur.copy_expert("COPY t_match FROM STDIN (FORMAT csv, HEADER MATCH)", io.StringIO(data))
                self.assertEqual(caught.exception.pgcode, "22P04")
                self.assertEqual(caught.exception.diag.message_primary, message)
                self.assertEqual(caught.exception.diag.context, context)

    def test_copy_query_to_stdout(self):
        out = self.copy_out("COPY (SELECT g, g * 2 AS double FROM generate_series(1, 3) g) TO STDOUT WITH CSV HEADER")
        self.assertEqual(out, "g,double\n1,2\n2,4\n3,6\n")
        self.assertEqual(self.cur.rowcount, 3)

    def test_large_copy(self):
        self.table("t_large", "id int primary key, v text")
        n = 200000
        data = "".join(f"{i}\tvalue {i}\n" for i in range(1, n + 1))
        self.cur.copy_expert("COPY t_large FROM STDIN", io.StringIO(data))
        self.assertEqual(self.cur.rowcount, n)
        self.assertEqual(self.rows("SELECT count(*), sum(id) FROM t_large"), [(n, n * (n + 1) // 2)])
        out = self.copy_out("COPY t_large TO STDOUT")
        self.assertEqual(len(out.splitlines()), n)

    # --- binary -------------------------------------------------------------------

    def test_binary_format_bytes(self):
        self.table("t_bin_bytes", "a int, b text")
        self.cur.execute("INSERT INTO t_bin_bytes VALUES (1, NULL), (-2, 'ab')")
        out = io.BytesIO()
        self.cur.copy_expert("COPY t_bin_bytes TO STDOUT (FORMAT binary)", out)
        expected = (b"PGCOPY\n\xff\r\n\0" + struct.pack("!ii", 0, 0)
                    + struct.pack("!hii", 2, 4, 1) + struct.pack("!i", -1)
                    + struct.pack("!hii", 2, 4, -2) + struct.pack("!i", 2) + b"ab"
                    + struct.pack("!h", -1))
        self.assertEqual(out.getvalue(), expected)

    def test_binary_round_trip(self):
        columns = ("i2 int2, i4 int4, i8 int8, f8 float8, n numeric, b bool, t text, vc varchar(10), "
                   "d date, ts timestamp, tz timestamptz, iv interval, by bytea, arr int4[], u uuid, j jsonb")
        self.table("t_bin_src", columns)
        self.table("t_bin_dst", columns)
        self.cur.execute("INSERT INTO t_bin_src VALUES (1, 2, 3000000000, 1.5, 12345.678900, true, 'héllo', 'abc', "
                         "'2024-02-29', '2024-02-29 12:34:56.789', '2000-01-01 00:00:00+00', '1 day 2 hours', "
                         "'\\x00ff', '{1,NULL,3}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"k\": [1, 2]}'), "
                         "(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
                         "NULL, NULL), (-32768, -1, -1, -0.25, -0.5, false, '', '', '1999-12-31', "
                         "'1970-01-01 00:00:00', '2038-01-19 03:14:07+00', '-1 mon', '\\x', '{}', "
                         "'00000000-0000-0000-0000-000000000000', '[]')")
        out = io.BytesIO()
        self.cur.copy_expert("COPY t_bin_src TO STDOUT WITH BINARY", out)
        out.seek(0)
        self.cur.copy_expert("COPY t_bin_dst FROM STDIN (FORMAT binary)", out)
        self.assertEqual(self.cur.rowcount, 3)
        src = self.rows("SELECT * FROM t_bin_src ORDER BY i4 NULLS LAST")
        self.assertEqual(self.rows("SELECT * FROM t_bin_dst ORDER BY i4 NULLS LAST"), src)

    def test_binary_errors(self):
        self.table("t_bin_err", "a int, b text")
        cases = [
            (b"NOTCOPY", "22P04", "COPY file signature not recognized", None),
            (b"PGCOPY\n\xff\r\n\0" + struct.pack("!ii", 0, 0) + struct.pack("!hi", 1, 4) + b"\0\0\0\1",
             "22P04", "row field count is 1, expected 2", "COPY t_bin_err, line 1"),
            (b"PGCOPY\n\xff\r\n\0" + struct.pack("!ii", 0, 0) + struct.pack("!hi", 2, 6) + b"\0\0\0\1\0\0"
             + struct.pack("!i", -1), "22P03", "incorrect binary data format", "COPY t_bin_err, line 1, column a"),
            (b"PGCOPY\n\xff\r\n\0" + struct.pack("!ii", 0, 0) + struct.pack("!hi", 2, 2) + b"\0\1"
             + struct.pack("!i", -1), "08P01", "insufficient data left in message", "COPY t_bin_err, line 1, column a"),
            (b"PGCOPY\n\xff\r\n\0" + struct.pack("!ii", 0, 0) + struct.pack("!hi", 2, 4), "22P04",
             "unexpected EOF in COPY data", "COPY t_bin_err, line 1, column a"),
            (b"PGCOPY\n\xff\r\n\0" + struct.pack("!ii", 0, 0) + struct.pack("!hii", 2, -1, -1) + b"\xff\xffx",
             "22P04", "received copy data after EOF marker", "COPY t_bin_err, line 2"),
        ]
        for data, sqlstate, message, context in cases:
            with self.subTest(message=message):
                with self.assertRaises(psycopg2.Error) as caught:
                    self.cur.copy_expert("COPY t_bin_err FROM STDIN (FORMAT binary)", io.BytesIO(data))
                self.assertEqual(caught.exception.pgcode, sqlstate)
                self.assertEqual(caught.exception.diag.message_primary, message)
                self.assertEqual(caught.exception.diag.context, context)

    # --- errors -------------------------------------------------------------------

    def test_bad_data_errors(self):
        self.table("t_err", "a int not null, b text")
        cases = [
            ("1\tone\n2\n", "22P04", 'missing data for column "b"', 'COPY t_err, line 2: "2"'),
            ("1\tone\nx\ty\n", "22P02", 'invalid input syntax for type integer: "x"',
             'COPY t_err, line 2, column a: "x"'),
            ("1\tone\t3\n", "22P04", "extra data after last expected column", 'COPY t_err, line 1: "1\tone\t3"'),
            ("\\N\tq\n", "23502", 'null value in column "a" of relation "t_err" violates not-null constraint',
             'COPY t_err, line 1: "\\N\tq"'),
        ]
        for data, sqlstate, message, context in cases:
            with self.subTest(message=message):
                with self.assertRaises(psycopg2.Error) as caught:
                    self.cur.copy_expert("COPY t_err FROM STDIN", io.StringIO(data + "5\tfive\n" * 1000))
                self.assertEqual(caught.exception.pgcode, sqlstate)
                self.assertEqual(caught.exception.diag.message_primary, message)
                self.assertEqual(caught.exception.diag.context, context)
                self.assertEqual(self.rows("SELECT count(*) FROM t_err"), [(0,)])

    def test_csv_unterminated_quote(self):
        self.table("t_unterm", "a int, b text")
        with self.assertRaises(psycopg2.Error) as caught:
            self.cur.copy_expert("COPY t_unterm FROM STDIN CSV", io.StringIO('1,"abc\n'))
        self.assertEqual(caught.exception.pgcode, "22P04")
        self.assertEqual(caught.exception.diag.context, 'COPY t_unterm, line 1: "1,"abc\n"')

    def test_option_errors(self):
        self.table("t_opt", "a int, b text")
        cases = [
            ("COPY t_opt TO STDOUT (FORMAT csv, FORCE_QUOTE (z))", "42703",
             'column "z" of relation "t_opt" does not exist'),
            ("COPY t_opt (a) TO STDOUT (FORMAT csv, FORCE_QUOTE (b))", "42P10",
             'FORCE_QUOTE column "b" not referenced by COPY'),
            ("COPY t_opt TO STDOUT (FORCE_QUOTE (a))", "0A000", "COPY force quote available only in CSV mode"),
            ("COPY t_opt FROM STDIN (FORMAT csv, FORCE_QUOTE (a))", "0A000",
             "COPY force quote only available using COPY TO"),
            ("COPY t_opt TO STDOUT (FORMAT binary, HEADER)", "0A000", "cannot specify HEADER in BINARY mode"),
            ("COPY t_opt TO STDOUT (FORMAT binary, DELIMITER ',')", "42601",
             "cannot specify DELIMITER in BINARY mode"),
            ("COPY t_opt TO STDOUT (HEADER MATCH)", "42601", 'cannot use "match" with HEADER in COPY TO'),
            ("COPY t_opt TO STDOUT (HEADER foo)", "42601", 'header requires a Boolean value or "match"'),
        ]
        for sql, sqlstate, message in cases:
            with self.subTest(sql=sql):
                with self.assertRaises(psycopg2.Error) as caught:
                    self.cur.copy_expert(sql, io.StringIO(""))
                self.assertEqual(caught.exception.pgcode, sqlstate)
                self.assertEqual(caught.exception.diag.message_primary, message)

    def test_error_in_a_block_fails_it(self):
        self.table("t_block", "a int")
        conn = psycopg2.connect(host="127.0.0.1", port=self.server.port, user="postgres", dbname="postgres")
        try:
            cur = conn.cursor()
            cur.execute("INSERT INTO t_block VALUES (1)")
            with self.assertRaises(psycopg2.Error):
                cur.copy_expert("COPY t_block FROM STDIN", io.StringIO("2\nx\n"))
            conn.rollback()
            cur.copy_expert("COPY t_block FROM STDIN", io.StringIO("3\n4\n"))
            conn.commit()
        finally:
            conn.close()
        self.assertEqual(self.rows("SELECT a FROM t_block ORDER BY a"), [(3,), (4,)])

    # --- the raw protocol ---------------------------------------------------------------

    def test_copy_fail(self):
        self.table("t_fail", "a int")
        with raw_session(self.server.port) as sock:
            sock.sendall(ts.message(b"Q", cstr("COPY t_fail FROM STDIN")))
            type_byte, body = ts.read_message(sock)
            self.assertEqual(type_byte, b"G")
            self.assertEqual(body, struct.pack("!bhh", 0, 1, 0))
            sock.sendall(ts.message(b"d", b"1\n") + ts.message(b"f", cstr("client gave up")))
            messages = read_until_ready(sock)
            self.assertEqual([t for t, _ in messages], [b"E", b"Z"])
            fields = ts.error_fields(messages[0][1])
            self.assertEqual(fields["C"], "57014")
            self.assertEqual(fields["M"], "COPY from stdin failed: client gave up")
            self.assertEqual(messages[1][1], b"I")
            sock.sendall(ts.message(b"Q", cstr("SELECT count(*) FROM t_fail")))
            messages = read_until_ready(sock)
            self.assertEqual([t for t, _ in messages], [b"T", b"D", b"C", b"Z"])
            self.assertEqual(messages[1][1], struct.pack("!hi", 1, 1) + b"0")

    def test_statement_timeout_while_waiting_for_data(self):
        self.table("t_wait", "a int")
        with raw_session(self.server.port) as sock:
            sock.sendall(ts.message(b"Q", cstr("SET statement_timeout = 200")))
            read_until_ready(sock)
            sock.sendall(ts.message(b"Q", cstr("COPY t_wait FROM STDIN")))
            self.assertEqual(ts.read_message(sock)[0], b"G")
            sock.sendall(ts.message(b"d", b"1\n"))
            messages = read_until_ready(sock)
            self.assertEqual([t for t, _ in messages], [b"E", b"Z"])
            fields = ts.error_fields(messages[0][1])
            self.assertEqual((fields["C"], fields["M"]), ("57014", "canceling statement due to statement timeout"))
            sock.sendall(ts.message(b"c") + ts.message(b"Q", cstr("SELECT count(*) FROM t_wait")))
            messages = read_until_ready(sock)
            self.assertEqual([t for t, _ in messages], [b"T", b"D", b"C", b"Z"])

    def test_data_after_an_error_is_discarded(self):
        self.table("t_discard", "a int")
        with raw_session(self.server.port) as sock:
            sock.sendall(ts.message(b"Q", cstr("COPY t_discard FROM STDIN")))
            self.assertEqual(ts.read_message(sock)[0], b"G")
            sock.sendall(ts.message(b"d", b"1\nbad\n"))
            messages = read_until_ready(sock)
            self.assertEqual([t for t, _ in messages], [b"E", b"Z"])
            self.assertEqual(ts.error_fields(messages[0][1])["W"], 'COPY t_discard, line 2, column a: "bad"')
            sock.sendall(ts.message(b"d", b"2\n" * 5000) + ts.message(b"c")
                         + ts.message(b"Q", cstr("SELECT count(*) FROM t_discard")))
            messages = read_until_ready(sock)
            self.assertEqual([t for t, _ in messages], [b"T", b"D", b"C", b"Z"])

    def test_bad_messages_during_copy(self):
        self.table("t_bad", "a int")
        cases = [
            (ts.message(b"y", b"x"), "08P01", "invalid frontend message type 121"),
            (b"d" + struct.pack("!i", -5), "08P01", "invalid message length"),
            (b"c" + struct.pack("!i", 20000), "08P01", "invalid message length"),
        ]
        for data, sqlstate, text in cases:
            with self.subTest(text=text), raw_session(self.server.port) as sock:
                sock.sendall(ts.message(b"Q", cstr("COPY t_bad FROM STDIN")))
                self.assertEqual(ts.read_message(sock)[0], b"G")
                sock.sendall(ts.message(b"d", b"1\n") + data)
                ts.expect_fatal(self, sock, sqlstate, text)
        with raw_session(self.server.port) as sock:
            sock.sendall(ts.message(b"Q", cstr("COPY t_bad FROM STDIN")))
            self.assertEqual(ts.read_message(sock)[0], b"G")
            sock.sendall(ts.message(b"d", b"1\n") + ts.message(b"Q", cstr("SELECT 1")))
            messages = read_until_ready(sock)
            self.assertEqual([t for t, _ in messages], [b"E", b"Z"])
            self.assertEqual(ts.error_fields(messages[0][1])["M"],
                             "unexpected message type 0x51 during COPY from stdin")
        self.assertEqual(self.rows("SELECT count(*) FROM t_bad"), [(0,)])

    def test_extended_protocol_copy_in(self):
        self.table("t_ext", "a int, b text")
        with raw_session(self.server.port) as sock:
            sock.sendall(ts.message(b"P", cstr("") + cstr("COPY t_ext FROM STDIN (FORMAT csv)") + b"\0\0")
                         + ts.message(b"B", cstr("") + cstr("") + struct.pack("!hhh", 0, 0, 0))
                         + ts.message(b"D", b"P" + cstr(""))
                         + ts.message(b"E", cstr("") + struct.pack("!i", 0))
                         + ts.message(b"S"))
            types = [ts.read_message(sock)[0] for _ in range(4)]
            self.assertEqual(types, [b"1", b"2", b"n", b"G"])
            sock.sendall(ts.message(b"d", b"1,one\n2,") + ts.message(b"d", b"two\n") + ts.message(b"c")
                         + ts.message(b"S"))
            messages = read_until_ready(sock)
            self.assertEqual([t for t, _ in messages], [b"C", b"Z"])
            self.assertEqual(messages[0][1], cstr("COPY 2"))
        self.assertEqual(self.rows("SELECT a, b FROM t_ext ORDER BY a"), [(1, "one"), (2, "two")])

    def test_extended_protocol_copy_out(self):
        with raw_session(self.server.port) as sock:
            sock.sendall(ts.message(b"P", cstr("") + cstr("COPY (SELECT g FROM generate_series(1, 2) g) TO STDOUT")
                                    + b"\0\0")
                         + ts.message(b"B", cstr("") + cstr("") + struct.pack("!hhh", 0, 0, 0))
                         + ts.message(b"E", cstr("") + struct.pack("!i", 0))
                         + ts.message(b"S"))
            messages = read_until_ready(sock)
            self.assertEqual([t for t, _ in messages], [b"1", b"2", b"H", b"d", b"d", b"c", b"C", b"Z"])
            self.assertEqual(messages[2][1], struct.pack("!bhh", 0, 1, 0))
            self.assertEqual([body for t, body in messages if t == b"d"], [b"1\n", b"2\n"])
            self.assertEqual(messages[6][1], cstr("COPY 2"))

    # --- psql ---------------------------------------------------------------------

    def psql(self, *commands):
        args = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.server.port),
                "-U", "postgres", "postgres"]
        for command in commands:
            args += ["-c", command]
        return subprocess.run(args, capture_output=True, text=True, timeout=60)

    def test_psql_copy(self):
        self.table("t_psql", "a int, b text")
        with tempfile.TemporaryDirectory() as tmp:
            source = os.path.join(tmp, "in.csv")
            target = os.path.join(tmp, "out.txt")
            with open(source, "w") as f:
                f.write('a,b\n1,"x,y"\n2,\n')
            result = self.psql(f"\\copy t_psql from '{source}' csv header",
                               f"\\copy (select a, b from t_psql order by a) to '{target}'")
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(target) as f:
                self.assertEqual(f.read(), "1\tx,y\n2\t\\N\n")


class CopyOverTls(unittest.TestCase):
    """COPY both ways over TLS (the COPY reader receives through OpenSSL)."""

    @classmethod
    def setUpClass(cls):
        cls.certs = tempfile.mkdtemp(prefix="specdb-tls-")
        cert, key = os.path.join(cls.certs, "server.crt"), os.path.join(cls.certs, "server.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                        "-days", "1", "-keyout", key, "-out", cert], check=True, capture_output=True)
        cls.server = ts.Server("ssl=on", f"ssl_cert_file={cert}", f"ssl_key_file={key}")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.certs)

    def test_copy_round_trip_over_tls(self):
        conn = psycopg2.connect(host="127.0.0.1", port=self.server.port, user="postgres", dbname="postgres",
                                sslmode="require")
        try:
            cur = conn.cursor()
            cur.execute("CREATE TABLE t_tls (id int, v text)")
            data = "".join(f"{i}\t{'x' * (i % 50)}\n" for i in range(20000))
            cur.copy_expert("COPY t_tls FROM STDIN", io.StringIO(data))
            self.assertEqual(cur.rowcount, 20000)
            out = io.StringIO()
            cur.copy_expert("COPY (SELECT * FROM t_tls ORDER BY id) TO STDOUT", out)
            self.assertEqual(out.getvalue(), data)
            conn.commit()
        finally:
            conn.close()


if __name__ == "__main__":
    ts.SPECDB = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
