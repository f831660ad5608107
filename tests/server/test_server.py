"""The wire protocol server end to end: starts `specdb serve` on a free port
with a temporary data directory and talks to it with a raw socket client
(handshake, malformed input), psycopg2 and psql.

Run by ctest (server.protocol) as:
    python3 tests/server/test_server.py SPECDB_BINARY
"""

import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import psycopg2

SPECDB = None  # set from argv


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A `specdb serve` process on a fresh data directory."""

    def __init__(self, *settings, port=None):
        self.dir = tempfile.mkdtemp(prefix="specdb-server-")
        self.port = port or free_port()
        args = [SPECDB, "serve", "-D", os.path.join(self.dir, "data"), "--port", str(self.port)]
        for setting in settings:
            args += ["--set", setting]
        self.log = open(os.path.join(self.dir, "log"), "w+")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline and self.proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        log = self.log_text()
        self.proc.kill()
        self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir)
        raise RuntimeError(f"server did not start: {log}")

    def log_text(self):
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        """Stop with SIGTERM; fails unless the server exited 0 (sanitizer
        builds exit non-zero on a leak or an error)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
        log = self.log_text()
        self.log.close()
        shutil.rmtree(self.dir)
        if self.proc.returncode != 0:
            raise RuntimeError(f"server exited with status {self.proc.returncode}: {log}")


# --- a raw protocol client (test-side only) ---------------------------------------

def startup_packet(params, version=196608):
    body = struct.pack("!i", version)
    for name, value in params.items():
        body += name.encode() + b"\0" + (value if isinstance(value, bytes) else value.encode()) + b"\0"
    body += b"\0"
    return struct.pack("!i", len(body) + 4) + body


def message(type_byte, body=b""):
    return type_byte + struct.pack("!i", len(body) + 4) + body


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError(f"connection closed after {len(data)} of {n} bytes")
        data += chunk
    return data


def read_message(sock):
    header = recv_exact(sock, 5)
    length = struct.unpack("!i", header[1:])[0]
    return header[:1], recv_exact(sock, length - 4)


def error_fields(body):
    fields = {}
    for part in body.split(b"\0"):
        if part:
            fields[chr(part[0])] = part[1:].decode()
    return fields


def connect_raw(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    return sock


def handshake(sock, params=None):
    """Send a startup packet; return (messages until ReadyForQuery)."""
    sock.sendall(startup_packet(params or {"user": "postgres", "database": "postgres"}))
    messages = []
    while True:
        type_byte, body = read_message(sock)
        messages.append((type_byte, body))
        if type_byte in (b"Z", b"E"):
            return messages


def expect_fatal(test, sock, sqlstate, text):
    """The next message is FATAL with this SQLSTATE and message, then EOF."""
    type_byte, body = read_message(sock)
    test.assertEqual(type_byte, b"E")
    fields = error_fields(body)
    test.assertEqual(fields["S"], "FATAL")
    test.assertEqual(fields["C"], sqlstate)
    test.assertEqual(fields["M"], text)
    test.assertEqual(sock.recv(1), b"")


class Handshake(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_startup_messages(self):
        with connect_raw(self.server.port) as sock:
            messages = handshake(sock)
        types = [t for t, _ in messages]
        self.assertEqual(types[0], b"R")
        self.assertEqual(messages[0][1], b"\0\0\0\0")  # AuthenticationOk
        status = dict(body[:-1].decode().split("\0") for t, body in messages if t == b"S")
        self.assertEqual(status["client_encoding"], "UTF8")
        self.assertEqual(status["server_encoding"], "UTF8")
        self.assertEqual(status["DateStyle"], "ISO, MDY")
        self.assertEqual(status["integer_datetimes"], "on")
        self.assertEqual(status["standard_conforming_strings"], "on")
        self.assertEqual(status["IntervalStyle"], "postgres")
        self.assertEqual(status["session_authorization"], "postgres")
        self.assertTrue(status["server_version"].startswith("15."), status["server_version"])
        self.assertIn("specdb", status["server_version"])
        for name in ("TimeZone", "application_name", "is_superuser", "in_hot_standby",
                     "default_transaction_read_only"):
            self.assertIn(name, status)
        self.assertIn(b"K", types)
        key = [body for t, body in messages if t == b"K"][0]
        self.assertEqual(len(key), 8)
        self.assertEqual(messages[-1], (b"Z", b"I"))

    def test_ssl_and_gssenc_requests_are_declined(self):
        with connect_raw(self.server.port) as sock:
            sock.sendall(struct.pack("!ii", 8, 80877103))
            self.assertEqual(recv_exact(sock, 1), b"N")
            sock.sendall(struct.pack("!ii", 8, 80877104))
            self.assertEqual(recv_exact(sock, 1), b"N")
            self.assertEqual(handshake(sock)[-1], (b"Z", b"I"))

    def test_terminate(self):
        with connect_raw(self.server.port) as sock:
            handshake(sock)
            sock.sendall(message(b"X"))
            self.assertEqual(sock.recv(1), b"")

    def test_no_user(self):
        with connect_raw(self.server.port) as sock:
            sock.sendall(startup_packet({"database": "postgres"}))
            expect_fatal(self, sock, "28000", "no PostgreSQL user name specified in startup packet")

    def test_unsupported_protocol(self):
        with connect_raw(self.server.port) as sock:
            sock.sendall(startup_packet({"user": "postgres"}, version=2 << 16))
            expect_fatal(self, sock, "0A000", "unsupported frontend protocol 2.0: server supports 3.0 to 3.0")

    def test_newer_minor_version_is_negotiated(self):
        with connect_raw(self.server.port) as sock:
            sock.sendall(startup_packet({"user": "postgres", "_pq_.extension": "x"}, version=(3 << 16) | 5))
            type_byte, body = read_message(sock)
            self.assertEqual(type_byte, b"v")
            self.assertEqual(body, struct.pack("!ii", 0, 1) + b"_pq_.extension\0")
            self.assertEqual(read_message(sock), (b"R", b"\0\0\0\0"))

    def test_bad_startup_lengths(self):
        for length in (4, 7, 10001, -1):
            with self.subTest(length=length), connect_raw(self.server.port) as sock:
                sock.sendall(struct.pack("!i", length) + b"\0" * 8)
                expect_fatal(self, sock, "08P01", "invalid length of startup packet")

    def test_invalid_utf8_in_startup(self):
        with connect_raw(self.server.port) as sock:
            sock.sendall(startup_packet({"user": "postgres", "application_name": b"\xc3\x28"}))
            expect_fatal(self, sock, "22021", 'invalid byte sequence for encoding "UTF8": 0xc3 0x28')

    def test_truncated_startup_body(self):
        with connect_raw(self.server.port) as sock:
            body = struct.pack("!i", 196608) + b"user\0postgres"  # no terminators
            sock.sendall(struct.pack("!i", len(body) + 4) + body)
            expect_fatal(self, sock, "08P01", "invalid string in message")

    def test_unknown_setting_in_startup(self):
        with connect_raw(self.server.port) as sock:
            sock.sendall(startup_packet({"user": "postgres", "no_such_setting": "1"}))
            expect_fatal(self, sock, "42704", 'unrecognized configuration parameter "no_such_setting"')

    def test_bad_client_encoding(self):
        with connect_raw(self.server.port) as sock:
            sock.sendall(startup_packet({"user": "postgres", "client_encoding": "LATIN9"}))
            expect_fatal(self, sock, "22023", 'invalid value for parameter "client_encoding": "LATIN9"')

    def test_unknown_message_type(self):
        with connect_raw(self.server.port) as sock:
            handshake(sock)
            sock.sendall(message(b"y", b"x"))
            expect_fatal(self, sock, "08P01", "invalid frontend message type 121")

    def test_query_before_startup(self):
        with connect_raw(self.server.port) as sock:
            sock.sendall(message(b"Q", b"SELECT 1\0"))
            expect_fatal(self, sock, "08P01", "invalid length of startup packet")

    def test_second_startup_packet(self):
        with connect_raw(self.server.port) as sock:
            handshake(sock)
            sock.sendall(startup_packet({"user": "postgres"}))
            expect_fatal(self, sock, "08P01", "invalid frontend message type 0")

    def test_password_message_without_being_asked(self):
        with connect_raw(self.server.port) as sock:
            handshake(sock)
            sock.sendall(message(b"p", b"secret\0"))
            expect_fatal(self, sock, "08P01", "invalid frontend message type 112")

    def test_negative_and_huge_message_lengths(self):
        for header in (b"Q" + struct.pack("!i", -5), b"Q" + struct.pack("!i", 3),
                       b"Q" + struct.pack("!i", 0x7fffffff), b"S" + struct.pack("!i", 20000)):
            with self.subTest(header=header), connect_raw(self.server.port) as sock:
                handshake(sock)
                sock.sendall(header)
                expect_fatal(self, sock, "08P01", "invalid message length")

    def test_malformed_extended_message_then_sync(self):
        """An error in an extended-protocol message: ErrorResponse, the rest
        is skipped until Sync, then ReadyForQuery; the connection lives on."""
        with connect_raw(self.server.port) as sock:
            handshake(sock)
            sock.sendall(message(b"D", b"S") +                        # no name terminator
                         message(b"D", b"Xname\0") +                  # skipped
                         message(b"S"))
            type_byte, body = read_message(sock)
            self.assertEqual(type_byte, b"E")
            self.assertEqual(error_fields(body)["C"], "08P01")
            self.assertEqual(error_fields(body)["M"], "invalid string in message")
            self.assertEqual(read_message(sock), (b"Z", b"I"))
            sock.sendall(message(b"D", b"Xname\0") + message(b"S"))
            type_byte, body = read_message(sock)
            self.assertEqual(error_fields(body)["M"], "invalid DESCRIBE message subtype 88")
            self.assertEqual(read_message(sock), (b"Z", b"I"))
            sock.sendall(message(b"C", b"S\0") + message(b"S"))      # closing nothing is fine
            self.assertEqual(read_message(sock), (b"3", b""))
            self.assertEqual(read_message(sock), (b"Z", b"I"))
            sock.sendall(message(b"B", b"\0nosuch\0\0\0\0\0\0\0") + message(b"S"))
            type_byte, body = read_message(sock)
            self.assertEqual(error_fields(body)["C"], "26000")
            self.assertEqual(error_fields(body)["M"], 'prepared statement "nosuch" does not exist')
            self.assertEqual(read_message(sock), (b"Z", b"I"))
            sock.sendall(message(b"E", b"nosuch\0\0\0\0\0") + message(b"S"))
            type_byte, body = read_message(sock)
            self.assertEqual(error_fields(body)["C"], "34000")
            self.assertEqual(read_message(sock), (b"Z", b"I"))

    def test_invalid_utf8_query(self):
        with connect_raw(self.server.port) as sock:
            handshake(sock)
            sock.sendall(message(b"Q", b"SELECT '\xff'\0"))
            type_byte, body = read_message(sock)
            self.assertEqual(type_byte, b"E")
            self.assertEqual(error_fields(body)["C"], "22021")
            self.assertEqual(read_message(sock), (b"Z", b"I"))

    def test_a_bad_client_does_not_disturb_others(self):
        with connect_raw(self.server.port) as good, connect_raw(self.server.port) as bad:
            handshake(good)
            bad.sendall(b"\xff" * 64)
            self.assertEqual(read_message(bad)[0], b"E")
            good.sendall(message(b"S"))
            self.assertEqual(read_message(good), (b"Z", b"I"))

    def test_cancel_request_with_a_wrong_key_is_harmless(self):
        with connect_raw(self.server.port) as sock:
            messages = handshake(sock)
            pid, secret = struct.unpack("!ii", [body for t, body in messages if t == b"K"][0])
            with connect_raw(self.server.port) as cancel:
                cancel.sendall(struct.pack("!iiii", 16, 80877102, pid, secret ^ 1))
                self.assertEqual(cancel.recv(1), b"")
            sock.sendall(message(b"S"))
            self.assertEqual(read_message(sock), (b"Z", b"I"))

    def test_psycopg2_connects(self):
        conn = psycopg2.connect(host="127.0.0.1", port=self.server.port, user="postgres", dbname="postgres")
        try:
            self.assertEqual(conn.get_parameter_status("client_encoding"), "UTF8")
            self.assertTrue(conn.get_parameter_status("DateStyle").startswith("ISO"))
            self.assertGreaterEqual(conn.server_version, 150000)
        finally:
            conn.close()


def read_until_ready(sock):
    """Messages up to and including ReadyForQuery."""
    messages = []
    while True:
        messages.append(read_message(sock))
        if messages[-1][0] == b"Z":
            return messages


def cstr(text):
    return text.encode() + b"\0"


def parse(name, query, types=()):
    return message(b"P", cstr(name) + cstr(query) + struct.pack("!h", len(types)) +
                   b"".join(struct.pack("!i", t) for t in types))


def bind(portal, statement, values=(), param_formats=(), result_formats=()):
    body = cstr(portal) + cstr(statement)
    body += struct.pack("!h", len(param_formats)) + b"".join(struct.pack("!h", f) for f in param_formats)
    body += struct.pack("!h", len(values))
    for value in values:
        body += struct.pack("!i", -1) if value is None else struct.pack("!i", len(value)) + value
    body += struct.pack("!h", len(result_formats)) + b"".join(struct.pack("!h", f) for f in result_formats)
    return message(b"B", body)


def describe(kind, name):
    return message(b"D", kind + cstr(name))


def execute(portal, max_rows=0):
    return message(b"E", cstr(portal) + struct.pack("!i", max_rows))


def row_description(body):
    """[(name, type oid, typlen, typmod, format)] of a RowDescription."""
    count = struct.unpack("!h", body[:2])[0]
    pos, columns = 2, []
    for _ in range(count):
        end = body.index(b"\0", pos)
        name = body[pos:end].decode()
        _, _, oid, typlen, typmod, fmt = struct.unpack("!ihihih", body[end + 1:end + 19])
        columns.append((name, oid, typlen, typmod, fmt))
        pos = end + 19
    return columns


def data_row(body):
    count = struct.unpack("!h", body[:2])[0]
    pos, values = 2, []
    for _ in range(count):
        length = struct.unpack("!i", body[pos:pos + 4])[0]
        pos += 4
        values.append(None if length < 0 else body[pos:pos + length])
        pos += max(length, 0)
    return values


class Queries(unittest.TestCase):
    """Statements through the server (they need the SQL engine)."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.sock = connect_raw(cls.server.port)
        handshake(cls.sock)

    @classmethod
    def tearDownClass(cls):
        cls.sock.close()
        cls.server.stop()

    def query(self, sql):
        self.sock.sendall(message(b"Q", cstr(sql)))
        return read_until_ready(self.sock)

    def test_several_statements_in_one_query(self):
        got = self.query("SELECT 1 AS a; SELECT 'x' AS b, NULL AS c")
        self.assertEqual([t for t, _ in got], [b"T", b"D", b"C", b"T", b"D", b"C", b"Z"])
        self.assertEqual(row_description(got[0][1]), [("a", 23, 4, -1, 0)])
        self.assertEqual(data_row(got[1][1]), [b"1"])
        self.assertEqual(got[2][1], b"SELECT 1\0")
        self.assertEqual(data_row(got[4][1]), [b"x", None])
        self.assertEqual(got[-1], (b"Z", b"I"))

    def test_column_types(self):
        got = self.query("SELECT 1::int8 AS i, 'a'::text AS t, 1.5::numeric(4,1) AS n, true AS b")
        self.assertEqual(row_description(got[0][1]),
                         [("i", 20, 8, -1, 0), ("t", 25, -1, -1, 0), ("n", 1700, -1, (4 << 16 | 1) + 4, 0),
                          ("b", 16, 1, -1, 0)])
        self.assertEqual(data_row(got[1][1]), [b"1", b"a", b"1.5", b"t"])

    def test_empty_query(self):
        self.assertEqual(self.query(""), [(b"I", b""), (b"Z", b"I")])
        self.assertEqual(self.query("  ;  "), [(b"I", b""), (b"Z", b"I")])

    def test_error_stops_the_rest(self):
        got = self.query("SELECT 1; SELECT nope; SELECT 2")
        self.assertEqual([t for t, _ in got], [b"T", b"D", b"C", b"E", b"Z"])
        fields = error_fields(got[3][1])
        self.assertEqual(fields["S"], "ERROR")
        self.assertEqual(fields["V"], "ERROR")
        self.assertEqual(fields["C"], "42703")
        self.assertEqual(fields["M"], 'column "nope" does not exist')
        self.assertEqual(fields["P"], "18")

    def test_transaction_status(self):
        self.assertEqual(self.query("BEGIN")[-1], (b"Z", b"T"))
        self.assertEqual(self.query("SELECT 1/0")[-1], (b"Z", b"E"))
        self.assertEqual(self.query("SELECT 1")[-2][0], b"E")  # 25P02
        self.assertEqual(self.query("ROLLBACK")[-1], (b"Z", b"I"))

    def test_warning(self):
        got = self.query("ROLLBACK")
        self.assertEqual(got[0][0], b"N")
        fields = error_fields(got[0][1])
        self.assertEqual((fields["S"], fields["C"], fields["M"]),
                         ("WARNING", "25P01", "there is no transaction in progress"))
        self.assertEqual(got[1], (b"C", b"ROLLBACK\0"))

    def test_extended_binary_parameters_and_results(self):
        self.sock.sendall(parse("s1", "SELECT $1::int4 + 1 AS n", [23]) + describe(b"S", "s1") +
                          bind("", "s1", [struct.pack("!i", 41)], [1], [1]) + describe(b"P", "") +
                          execute("") + message(b"S"))
        got = read_until_ready(self.sock)
        self.assertEqual([t for t, _ in got], [b"1", b"t", b"T", b"2", b"T", b"D", b"C", b"Z"])
        self.assertEqual(got[1][1], struct.pack("!hi", 1, 23))
        self.assertEqual(row_description(got[2][1]), [("n", 23, 4, -1, 0)])
        self.assertEqual(row_description(got[4][1]), [("n", 23, 4, -1, 1)])
        self.assertEqual(data_row(got[5][1]), [struct.pack("!i", 42)])
        self.assertEqual(got[6][1], b"SELECT 1\0")
        self.sock.sendall(message(b"C", b"Ss1\0") + message(b"S"))
        self.assertEqual([t for t, _ in read_until_ready(self.sock)], [b"3", b"Z"])

    def test_extended_text_parameters_and_null(self):
        self.sock.sendall(parse("", "SELECT $1::text AS a, $2::int4 AS b", [25, 23]) +
                          bind("", "", [b"hello", None]) + execute("") + message(b"S"))
        got = read_until_ready(self.sock)
        self.assertEqual([t for t, _ in got], [b"1", b"2", b"D", b"C", b"Z"])
        self.assertEqual(data_row(got[2][1]), [b"hello", None])

    def test_row_limit_suspends_the_portal(self):
        self.sock.sendall(parse("", "VALUES (1), (2), (3)") + bind("p", "") + execute("p", 2) +
                          execute("p", 2) + message(b"S"))
        got = read_until_ready(self.sock)
        self.assertEqual([t for t, _ in got], [b"1", b"2", b"D", b"D", b"s", b"D", b"C", b"Z"])
        self.assertEqual([data_row(body) for t, body in got if t == b"D"], [[b"1"], [b"2"], [b"3"]])

    def test_pipelined_queries_and_a_large_message(self):
        """Many messages in one write, split at arbitrary points, and one
        message larger than the receive buffer's first size."""
        batch = b"".join(message(b"Q", cstr(f"SELECT {i}")) for i in range(500))
        big = "SELECT '" + "x" * 300000 + "' AS big"
        batch += message(b"Q", cstr(big))
        for start in range(0, len(batch), 7777):
            self.sock.sendall(batch[start:start + 7777])
        for i in range(500):
            got = read_until_ready(self.sock)
            self.assertEqual(data_row(got[1][1]), [str(i).encode()])
        got = read_until_ready(self.sock)
        self.assertEqual(len(data_row(got[1][1])[0]), 300000)

    def test_startup_options_and_settings(self):
        with connect_raw(self.server.port) as sock:
            messages = handshake(sock, {"user": "postgres", "database": "postgres",
                                        "options": r"-c search_path=a\ b --application-name=opt",
                                        "DateStyle": "ISO, DMY"})
            status = dict(body[:-1].decode().split("\0") for t, body in messages if t == b"S")
            self.assertEqual(status["application_name"], "opt")
            self.assertEqual(status["DateStyle"], "ISO, DMY")
            sock.sendall(message(b"Q", cstr("SHOW search_path")))
            self.assertEqual(data_row(read_until_ready(sock)[1][1]), [b"a b"])
        with connect_raw(self.server.port) as sock:
            sock.sendall(startup_packet({"user": "postgres", "options": "-x"}))
            expect_fatal(self, sock, "42601", "invalid command-line argument for server process: -x")

    def test_flush_sends_without_sync(self):
        self.sock.sendall(parse("", "SELECT 7") + message(b"H"))
        self.assertEqual(read_message(self.sock), (b"1", b""))
        self.sock.sendall(bind("", "") + execute("") + message(b"H"))
        self.assertEqual(read_message(self.sock), (b"2", b""))
        self.assertEqual(data_row(read_message(self.sock)[1]), [b"7"])
        self.assertEqual(read_message(self.sock), (b"C", b"SELECT 1\0"))
        self.sock.sendall(message(b"S"))
        self.assertEqual(read_message(self.sock), (b"Z", b"I"))

    def test_statement_without_rows_describes_as_nodata(self):
        self.sock.sendall(parse("", "CREATE TABLE nodata_t (a int)") + bind("", "") + describe(b"P", "") +
                          execute("") + message(b"S"))
        got = read_until_ready(self.sock)
        self.assertEqual([t for t, _ in got], [b"1", b"2", b"n", b"C", b"Z"])
        self.assertEqual(got[3][1], b"CREATE TABLE\0")

    def test_extended_errors_skip_until_sync(self):
        self.sock.sendall(parse("dup", "SELECT 1") + message(b"S"))
        self.assertEqual([t for t, _ in read_until_ready(self.sock)], [b"1", b"Z"])
        self.sock.sendall(parse("dup", "SELECT 2") + bind("", "dup") + execute("") + message(b"S"))
        got = read_until_ready(self.sock)
        self.assertEqual([t for t, _ in got], [b"E", b"Z"])
        self.assertEqual(error_fields(got[0][1])["C"], "42P05")
        self.assertEqual(error_fields(got[0][1])["M"], 'prepared statement "dup" already exists')
        self.sock.sendall(bind("", "dup", [b"1"]) + message(b"S"))
        got = read_until_ready(self.sock)
        self.assertEqual(error_fields(got[0][1])["M"],
                         'bind message supplies 1 parameters, but prepared statement "dup" requires 0')
        self.sock.sendall(bind("", "dup", result_formats=[2]) + message(b"S"))
        got = read_until_ready(self.sock)
        self.assertEqual(error_fields(got[0][1])["C"], "22023")
        self.assertEqual(error_fields(got[0][1])["M"], "unsupported format code: 2")
        self.sock.sendall(parse("", "SELEC 1") + bind("", "") + execute("") + message(b"S"))
        got = read_until_ready(self.sock)
        self.assertEqual([t for t, _ in got], [b"E", b"Z"])
        self.assertEqual(error_fields(got[0][1])["C"], "42601")

    def test_psycopg2(self):
        conn = psycopg2.connect(host="127.0.0.1", port=self.server.port, user="postgres", dbname="postgres")
        try:
            cur = conn.cursor()
            cur.execute("SELECT %s::int4 + 1, %s::text", (41, "x"))
            self.assertEqual(cur.fetchall(), [(42, "x")])
            with self.assertRaises(psycopg2.errors.DivisionByZero):
                cur.execute("SELECT 1/0")
            conn.rollback()
            cur.execute("SELECT 'ok'")
            self.assertEqual(cur.fetchone(), ("ok",))
        finally:
            conn.close()

    def test_psql(self):
        out = subprocess.run(["psql", "-X", "-A", "-t", "-h", "127.0.0.1", "-p", str(self.server.port), "-U",
                              "postgres", "postgres", "-c", "SELECT 1"], capture_output=True, text=True,
                             timeout=30)
        self.assertEqual((out.returncode, out.stdout, out.stderr), (0, "1\n", ""))

    def test_cancel_request(self):
        conn = psycopg2.connect(host="127.0.0.1", port=self.server.port, user="postgres", dbname="postgres")
        try:
            conn.autocommit = True
            cur = conn.cursor()
            cur.execute("CREATE TABLE cancel_t (a int)")
            cur.execute("INSERT INTO cancel_t VALUES " + ",".join(f"({i})" for i in range(200)))
            timer = threading.Timer(0.3, conn.cancel)
            timer.start()
            with self.assertRaises(psycopg2.errors.QueryCanceled):
                cur.execute("SELECT a.a FROM cancel_t a, cancel_t b, cancel_t c, cancel_t d "
                            "WHERE a.a + b.a + c.a + d.a < 0")
            timer.join()
            cur.execute("SELECT 1")
            self.assertEqual(cur.fetchone(), (1,))
        finally:
            conn.close()


class Tls(unittest.TestCase):
    """ssl = on: SSLRequest is answered S and the session runs over TLS."""

    @classmethod
    def setUpClass(cls):
        cls.certs = tempfile.mkdtemp(prefix="specdb-tls-")
        cls.cert, cls.key = os.path.join(cls.certs, "server.crt"), os.path.join(cls.certs, "server.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                        "-days", "1", "-keyout", cls.key, "-out", cls.cert], check=True, capture_output=True)
        cls.server = Server("ssl=on", f"ssl_cert_file={cls.cert}", f"ssl_key_file={cls.key}")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.certs)

    def test_psql_over_tls(self):
        out = subprocess.run(["psql", "-X", f"host=127.0.0.1 port={self.server.port} user=postgres "
                              "dbname=postgres sslmode=require", "-c", "SELECT 1", "-c", "\\conninfo"],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("SSL connection (protocol: TLSv1.", out.stdout)

    def test_verify_full_checks_the_certificate_and_the_host_name(self):
        def psql(host, rootcert):
            return subprocess.run(["psql", "-X", "-A", "-t", f"host={host} port={self.server.port} user=postgres "
                                   f"dbname=postgres sslmode=verify-full sslrootcert={rootcert}", "-c", "SELECT 3"],
                                  capture_output=True, text=True, timeout=30)
        out = psql("localhost", self.cert)  # the self-signed certificate is its own root; CN=localhost
        self.assertEqual((out.returncode, out.stdout), (0, "3\n"), out.stderr)
        out = psql("127.0.0.1", self.cert)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn('server certificate for "localhost" does not match host name "127.0.0.1"', out.stderr)
        other_key, other = os.path.join(self.certs, "other.key"), os.path.join(self.certs, "other.crt")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                        "-days", "1", "-keyout", other_key, "-out", other], check=True, capture_output=True)
        out = psql("localhost", other)  # a root that did not sign the server's certificate
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("certificate verify failed", out.stderr)

    def test_psycopg2_over_tls_with_a_large_result(self):
        conn = psycopg2.connect(host="127.0.0.1", port=self.server.port, user="postgres", dbname="postgres",
                                sslmode="require")
        try:
            self.assertTrue(conn.info.ssl_in_use)
            cur = conn.cursor()
            cur.execute("CREATE TABLE tls_t (a int, b text)")
            cur.execute("INSERT INTO tls_t VALUES " + ",".join(f"({i}, repeat('x', 200))" for i in range(300)))
            cur.execute("SELECT x.a, x.b, y.b FROM tls_t x, tls_t y")
            self.assertEqual(len(cur.fetchall()), 90000)
        finally:
            conn.close()

    def test_plain_connections_still_work(self):
        out = subprocess.run(["psql", "-X", "-A", "-t", f"host=127.0.0.1 port={self.server.port} user=postgres "
                              "dbname=postgres sslmode=disable", "-c", "SELECT 2"],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual((out.returncode, out.stdout), (0, "2\n"), out.stderr)

    def test_unencrypted_data_after_ssl_request(self):
        with connect_raw(self.server.port) as sock:
            sock.sendall(struct.pack("!ii", 8, 80877103) + startup_packet({"user": "postgres"}))
            self.assertEqual(recv_exact(sock, 1), b"S")
            expect_fatal(self, sock, "08P01", "received unencrypted data after SSL request")

    def test_without_ssl_the_request_is_declined(self):
        server = Server()
        try:
            out = subprocess.run(["psql", "-X", f"host=127.0.0.1 port={server.port} user=postgres "
                                  "dbname=postgres sslmode=require", "-c", "SELECT 1"],
                                 capture_output=True, text=True, timeout=30)
            self.assertNotEqual(out.returncode, 0)
            self.assertIn("server does not support SSL, but SSL was required", out.stderr)
        finally:
            server.stop()

    def test_missing_certificate_stops_the_start(self):
        with self.assertRaisesRegex(RuntimeError, 'could not load server certificate file "/nonexistent.crt"'):
            Server("ssl=on", "ssl_cert_file=/nonexistent.crt")


class Limits(unittest.TestCase):
    def test_max_connections(self):
        server = Server("max_connections=2")
        try:
            socks = [connect_raw(server.port) for _ in range(3)]
            for sock in socks[:2]:
                self.assertEqual(handshake(sock)[-1], (b"Z", b"I"))
            socks[2].sendall(startup_packet({"user": "postgres"}))
            expect_fatal(self, socks[2], "53300", "sorry, too many clients already")
            socks[0].sendall(message(b"X"))
            self.assertEqual(socks[0].recv(1), b"")
            deadline = time.time() + 10
            while True:  # the slot is freed once the server has closed the session
                with connect_raw(server.port) as again:
                    messages = handshake(again)
                    if messages[-1] == (b"Z", b"I") or time.time() > deadline:
                        break
            self.assertEqual(messages[-1], (b"Z", b"I"))
            for sock in socks:
                sock.close()
        finally:
            server.stop()

    def test_startup_must_finish_within_authentication_timeout(self):
        server = Server("authentication_timeout=1")
        try:
            with connect_raw(server.port) as silent, connect_raw(server.port) as done:
                handshake(done)
                start = time.time()
                silent.settimeout(10)
                self.assertEqual(silent.recv(1), b"")
                self.assertLess(time.time() - start, 5)
                done.sendall(message(b"S"))
                self.assertEqual(read_message(done), (b"Z", b"I"))
        finally:
            server.stop()

    def test_unix_socket(self):
        sockets = tempfile.mkdtemp(prefix="specdb-sock-")
        try:
            port = free_port()
            stale = socket.socket(socket.AF_UNIX)
            stale.bind(os.path.join(sockets, f".s.PGSQL.{port}"))  # a socket file nobody listens on
            stale.close()
            server = Server(f"unix_socket_directories={sockets}", port=port)
            path = os.path.join(sockets, f".s.PGSQL.{server.port}")
            out = subprocess.run(["psql", "-X", "-A", "-t", "-h", sockets, "-p", str(server.port), "-U", "postgres",
                                  "postgres", "-c", "SELECT 3"], capture_output=True, text=True, timeout=30)
            self.assertEqual((out.returncode, out.stdout), (0, "3\n"), out.stderr)
            second = subprocess.run([SPECDB, "serve", "-D", os.path.join(sockets, "data"), "--port", str(server.port),
                                     "--host", "", "--set", f"unix_socket_directories={sockets}"],
                                    capture_output=True, text=True, timeout=60)
            self.assertEqual(second.returncode, 1)
            self.assertIn(f'could not bind Unix address "{path}": Address already in use', second.stderr)
            self.assertIn(f"Is another postmaster already running on port {server.port}?", second.stderr)
            server.stop()
            self.assertFalse(os.path.exists(path))
        finally:
            shutil.rmtree(sockets)

    def test_sigterm_tells_clients_and_exits_cleanly(self):
        server = Server()
        try:
            sock = connect_raw(server.port)
            handshake(sock)
            server.proc.send_signal(signal.SIGTERM)
            expect_fatal(self, sock, "57P01", "terminating connection due to administrator command")
            self.assertEqual(server.proc.wait(timeout=30), 0)
            self.assertIn("database system is shut down", server.log_text())
        finally:
            server.stop()


if __name__ == "__main__":
    SPECDB = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
