"""1000 idle connections: every one reaches ReadyForQuery, a sample runs a
query, one more gets 53300, and the server's memory per idle connection is
printed (and bounded generously).

Run by ctest (server.many_connections) as:
    python3 tests/server/test_many_connections.py SPECDB_BINARY
"""

import os
import resource
import struct
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_server  # noqa: E402
from test_server import (Server, connect_raw, cstr, expect_fatal, handshake, message,  # noqa: E402
                         read_until_ready, startup_packet)
from test_badbytes import is_sanitized, rss_kb  # noqa: E402

CONNECTIONS = 1000


class ManyConnections(unittest.TestCase):
    def test_1000_idle_connections(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < CONNECTIONS + 100:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4 * CONNECTIONS), hard))
        server = Server(f"max_connections={CONNECTIONS}")
        socks = []
        try:
            with connect_raw(server.port) as warm:  # the first session's one-time setup
                handshake(warm)
            time.sleep(0.5)
            before = rss_kb(server.proc.pid)
            for _ in range(CONNECTIONS):
                sock = connect_raw(server.port)
                socks.append(sock)
                self.assertEqual(handshake(sock)[-1], (b"Z", b"I"))
            time.sleep(0.5)
            after = rss_kb(server.proc.pid)
            per_connection = (after - before) / CONNECTIONS
            print(f"\nserver RSS {before} kB with no client, {after} kB with {CONNECTIONS} idle connections: "
                  f"{per_connection:.1f} kB per idle connection", file=sys.stderr)
            for i in range(0, CONNECTIONS, 20):
                socks[i].sendall(message(b"Q", cstr(f"SELECT {i}")))
                self.assertIn((b"D", struct.pack("!hi", 1, len(str(i))) + str(i).encode()),
                              read_until_ready(socks[i]))
            with connect_raw(server.port) as extra:
                extra.sendall(startup_packet({"user": "postgres"}))
                expect_fatal(self, extra, "53300", "sorry, too many clients already")
            if not is_sanitized(test_server.SPECDB):
                self.assertLess(per_connection, 256)
        finally:
            for sock in socks:
                sock.close()
            server.stop()


if __name__ == "__main__":
    test_server.SPECDB = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
