"""Errors the wire server finds itself (a malformed message, an unknown
statement or portal, a bad format code) fail the session's transaction as
PostgreSQL's do: in a block the status becomes 'E' and statements get 25P02
until ROLLBACK; an implicit transaction (the messages up to Sync) is rolled
back.  A raw protocol client, since libpq never sends malformed messages
(tests/clients/test_libpq.c covers the rest through libpq).

Run by ctest (server.errors_fail_transaction) as:
    python3 tests/server/test_fail_transaction.py SPECDB_BINARY
"""

import os
import struct
import sys
import unittest

import test_server
from test_server import Server, connect_raw, error_fields, handshake, message, read_message


def cstr(text):
    return text.encode() + b"\0"


def until_ready(sock):
    """Messages up to and including ReadyForQuery: [(type, body)]."""
    messages = []
    while True:
        type_byte, body = read_message(sock)
        messages.append((type_byte, body))
        if type_byte == b"Z":
            return messages


def query(sock, sql):
    sock.sendall(message(b"Q", cstr(sql)))
    return until_ready(sock)


def errors(messages):
    return [error_fields(body)["C"] for t, body in messages if t == b"E"]


MALFORMED_BIND = message(b"B", cstr("") + cstr("") + struct.pack("!h", 5))  # 5 formats announced, none sent
SYNC = message(b"S")


class ServerErrorsFailTransaction(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        with connect_raw(cls.server.port) as sock:
            handshake(sock)
            query(sock, "CREATE TABLE fail_t (a int4)")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.sock = connect_raw(self.server.port)
        handshake(self.sock)

    def tearDown(self):
        self.sock.close()

    def in_block_then(self, bad):
        """BEGIN, `bad` + Sync: an 08P01/26000/34000/22023 error, status E,
        then 25P02 until ROLLBACK."""
        self.assertEqual(query(self.sock, "BEGIN")[-1], (b"Z", b"T"))
        self.sock.sendall(bad + SYNC)
        answer = until_ready(self.sock)
        self.assertEqual(len(errors(answer)), 1, answer)
        self.assertEqual(answer[-1], (b"Z", b"E"))
        answer = query(self.sock, "SELECT 1")
        self.assertEqual(errors(answer), ["25P02"])
        self.assertEqual(answer[-1], (b"Z", b"E"))
        answer = query(self.sock, "ROLLBACK")
        self.assertEqual(answer[0], (b"C", cstr("ROLLBACK")))
        self.assertEqual(answer[-1], (b"Z", b"I"))
        return answer

    def test_malformed_message_in_block(self):
        self.in_block_then(MALFORMED_BIND)

    def test_unknown_statement_in_block(self):
        self.in_block_then(message(b"B", cstr("") + cstr("nosuch") + struct.pack("!hhh", 0, 0, 0)))

    def test_unknown_portal_in_block(self):
        self.in_block_then(message(b"E", cstr("nosuch") + struct.pack("!i", 0)))

    def test_bad_describe_kind_in_block(self):
        self.in_block_then(message(b"D", b"X" + cstr("")))

    def test_implicit_transaction_is_rolled_back(self):
        self.sock.sendall(message(b"P", cstr("") + cstr("INSERT INTO fail_t VALUES (1)") + struct.pack("!h", 0)) +
                          message(b"B", cstr("") + cstr("") + struct.pack("!hhh", 0, 0, 0)) +
                          message(b"E", cstr("") + struct.pack("!i", 0)) + MALFORMED_BIND +
                          message(b"Q", cstr("never run")) + SYNC)
        answer = until_ready(self.sock)
        self.assertEqual([t for t, _ in answer], [b"1", b"2", b"C", b"E", b"Z"])
        self.assertEqual(errors(answer), ["08P01"])
        self.assertEqual(answer[-1], (b"Z", b"I"))
        answer = query(self.sock, "SELECT count(*) FROM fail_t")
        self.assertEqual(answer[1][1][-1:], b"0", answer)


if __name__ == "__main__":
    test_server.SPECDB = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
