"""Bad bytes over a real socket (test_server.py has the basic malformed
startup and message cases): messages out of order, Sync storms, invalid
UTF-8 in parameters, truncated and random input, a client that stops
reading a large result, a startup that trickles in byte by byte, and
bounded memory after 2000 garbage connections.  After each offence the
offending connection gets an ErrorResponse (FATAL, then the server closes
it, for what breaks the framing) and the server keeps serving others.

Run by ctest (server.badbytes) as:
    python3 tests/server/test_badbytes.py SPECDB_BINARY
"""

import os
import random
import socket
import struct
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_server  # noqa: E402
from test_server import (Server, bind, connect_raw, cstr, error_fields, execute, expect_fatal,  # noqa: E402
                         handshake, message, parse, read_message, read_until_ready, startup_packet)

SYNC = message(b"S")


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def is_sanitized(binary):
    with open(binary, "rb") as f:
        return b"__asan_init" in f.read()


def still_serving(test, port):
    with connect_raw(port) as sock:
        handshake(sock)
        sock.sendall(message(b"Q", cstr("SELECT 42")))
        messages = read_until_ready(sock)
        test.assertIn((b"D", struct.pack("!hi", 1, 2) + b"42"), messages)


class BadBytes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("authentication_timeout=2")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def tearDown(self):
        still_serving(self, self.server.port)

    def expect_error(self, sock, sqlstate, text=None):
        type_byte, body = read_message(sock)
        self.assertEqual(type_byte, b"E", body)
        fields = error_fields(body)
        self.assertEqual((fields["S"], fields["C"]), ("ERROR", sqlstate), fields)
        if text is not None:
            self.assertEqual(fields["M"], text)

    def test_protocol_4(self):
        with connect_raw(self.server.port) as sock:
            sock.sendall(startup_packet({"user": "postgres"}, version=4 << 16))
            expect_fatal(self, sock, "0A000", "unsupported frontend protocol 4.0: server supports 3.0 to 3.0")

    def test_bind_and_execute_before_parse(self):
        with connect_raw(self.server.port) as sock:
            handshake(sock)
            sock.sendall(bind("", "") + execute("") + SYNC)
            self.expect_error(sock, "26000", "unnamed prepared statement does not exist")
            self.assertEqual(read_message(sock), (b"Z", b"I"))
            sock.sendall(execute("nosuch") + SYNC)
            self.expect_error(sock, "34000", 'portal "nosuch" does not exist')
            self.assertEqual(read_message(sock), (b"Z", b"I"))
            sock.sendall(message(b"D", b"Pnosuch\0") + SYNC)
            self.expect_error(sock, "34000", 'portal "nosuch" does not exist')
            self.assertEqual(read_message(sock), (b"Z", b"I"))

    def test_copy_messages_outside_copy_are_ignored(self):
        with connect_raw(self.server.port) as sock:
            handshake(sock)
            sock.sendall(message(b"d", b"1\tx\n") + message(b"c") + message(b"f", cstr("oops")) + SYNC)
            self.assertEqual(read_message(sock), (b"Z", b"I"))

    def test_sync_storm(self):
        with connect_raw(self.server.port) as sock:
            handshake(sock)
            count = 20000
            sender = threading.Thread(target=sock.sendall, args=(SYNC * count,))
            sender.start()
            for _ in range(count):
                self.assertEqual(read_message(sock), (b"Z", b"I"))
            sender.join()

    def test_invalid_utf8_in_a_text_parameter(self):
        with connect_raw(self.server.port) as sock:
            handshake(sock)
            sock.sendall(parse("", "SELECT $1::text") + bind("", "", [b"a\xff"]) + execute("") + SYNC)
            self.assertEqual(read_message(sock), (b"1", b""))
            self.expect_error(sock, "22021", 'invalid byte sequence for encoding "UTF8": 0xff')
            self.assertEqual(read_message(sock), (b"Z", b"I"))

    def test_invalid_utf8_in_a_statement_name(self):
        with connect_raw(self.server.port) as sock:
            handshake(sock)
            sock.sendall(message(b"P", b"\xc3\0" + cstr("SELECT 1") + b"\0\0") + SYNC)
            self.expect_error(sock, "22021")
            self.assertEqual(read_message(sock), (b"Z", b"I"))

    def test_truncated_messages_then_close(self):
        for partial in (b"Q", b"Q\0\0", b"Q\0\0\0\x20SELECT", startup_packet({"user": "postgres"})[:9]):
            with self.subTest(partial=partial):
                sock = connect_raw(self.server.port)
                if partial[:1] == b"Q":
                    handshake(sock)
                sock.sendall(partial)
                sock.close()

    def test_random_bytes_after_startup(self):
        rng = random.Random(5)
        for _ in range(50):
            with connect_raw(self.server.port) as sock:
                handshake(sock)
                sock.sendall(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200))))
                sock.shutdown(socket.SHUT_WR)
                sock.settimeout(10)
                while sock.recv(65536):  # whatever the answer, the server ends or keeps it cleanly
                    pass

    def test_slowloris_startup_is_cut_off(self):
        with connect_raw(self.server.port) as sock:
            start = time.time()
            packet = startup_packet({"user": "postgres", "application_name": "x" * 200})
            closed = False
            for byte in packet:
                try:
                    sock.sendall(bytes([byte]))
                except OSError:
                    closed = True
                    break
                time.sleep(0.05)
                if time.time() - start > 6:
                    break
            if not closed:
                sock.settimeout(10)
                try:
                    self.assertEqual(sock.recv(1), b"")
                except ConnectionResetError:
                    pass
            self.assertLess(time.time() - start, 6)

    def test_a_client_that_stops_reading_blocks_nobody(self):
        stuck = connect_raw(self.server.port)
        try:
            stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            handshake(stuck)
            stuck.sendall(message(b"Q", cstr("SELECT repeat('x', 1000) FROM generate_series(1, 200000)")))
            time.sleep(1)  # the server fills the socket and waits
            start = time.time()
            for _ in range(5):
                still_serving(self, self.server.port)
            self.assertLess(time.time() - start, 5)
        finally:
            stuck.close()


class Memory(unittest.TestCase):
    def test_memory_stays_bounded_after_garbage_connections(self):
        sanitized = is_sanitized(test_server.SPECDB)
        saved = os.environ.get("ASAN_OPTIONS")
        if sanitized:  # ASan's quarantine would hold on to freed memory: measure without it
            os.environ["ASAN_OPTIONS"] = (saved + ":" if saved else "") + "quarantine_size_mb=0"
        try:
            server = Server()
        finally:
            if saved is None:
                os.environ.pop("ASAN_OPTIONS", None)
            else:
                os.environ["ASAN_OPTIONS"] = saved
        try:
            rng = random.Random(7)

            def garbage(i):
                try:
                    with connect_raw(server.port) as sock:
                        kind = i % 5
                        if kind == 0:
                            sock.sendall(bytes(rng.randrange(256) for _ in range(64)))
                        elif kind == 1:
                            sock.sendall(struct.pack("!i", 0x7fffffff) + b"\0" * 16)
                        elif kind == 2:
                            sock.sendall(startup_packet({"user": "postgres", "x": b"\xff"}))
                        elif kind == 3:
                            handshake(sock)
                            sock.sendall(parse("s", "SELECT $1") + bind("", "s", [b"1"]) + message(b"Q", b"x" * 4096))
                        else:
                            handshake(sock)
                            sock.sendall(message(b"Q", cstr("SELECT 1")) + message(b"Q") + b"\xff" * 100)
                        sock.shutdown(socket.SHUT_WR)
                        while sock.recv(65536):
                            pass
                except OSError:
                    pass

            def burst(n):
                for start in range(0, n, 50):
                    threads = [threading.Thread(target=garbage, args=(i,)) for i in range(start, start + 50)]
                    for t in threads:
                        t.start()
                    for t in threads:
                        t.join()

            burst(500)  # warm up: worker threads, their malloc arenas, caches
            time.sleep(0.5)
            before = rss_kb(server.proc.pid)
            burst(2000)
            time.sleep(0.5)
            after = rss_kb(server.proc.pid)
            print(f"\nserver RSS before 2000 garbage connections {before} kB, after {after} kB", file=sys.stderr)
            bound = 32768 if sanitized else 8192  # ASan: its allocator caches and shadow memory
            self.assertLess(after - before, bound)
            still_serving(self, server.port)
        finally:
            server.stop()


if __name__ == "__main__":
    test_server.SPECDB = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
