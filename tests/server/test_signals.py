"""Signals to `specdb serve`: SIGHUP re-reads specdb.conf (run-time
parameters change for new sessions and, at their next statement, for running
ones that did not SET them; startup-only ones are logged as needing a
restart); SIGTERM ends every session with FATAL 57P01 (a running statement
too), writes a shutdown checkpoint and exits 0, so the next start replays no
WAL.

Run by ctest (server.signals) as:
    python3 tests/server/test_signals.py SPECDB_BINARY
"""

import os
import shutil
import signal
import ssl
import struct
import subprocess
import sys
import tempfile
import time
import unittest

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_server  # noqa: E402  (free_port, the raw client)
from test_server import (connect_raw, expect_fatal, free_port, handshake, message, read_message,  # noqa: E402
                         read_until_ready)  # noqa: E402

SPECDB = None  # set from argv


class DataDir:
    """A data directory that outlives server restarts."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="specdb-signals-")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.proc = None
        self.logs = 0

    def start(self, *settings):
        self.logs += 1
        self.log_path = os.path.join(self.dir, f"log{self.logs}")
        self.log = open(self.log_path, "w+")
        args = [SPECDB, "serve", "-D", self.data, "--port", str(self.port)]
        for setting in settings:
            args += ["--set", setting]
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited: " + self.log_text())
            try:
                psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres").close()
                return
            except psycopg2.OperationalError:
                time.sleep(0.05)
        raise RuntimeError("server did not start: " + self.log_text())

    def connect(self):
        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        conn.autocommit = True
        return conn

    def log_text(self):
        with open(self.log_path) as f:
            return f.read()

    def wait_for_log(self, text, timeout=10):
        deadline = time.time() + timeout
        while text not in self.log_text():
            if time.time() > deadline:
                raise AssertionError(f"{text!r} not logged: {self.log_text()}")
            time.sleep(0.05)

    def stop(self):
        """SIGTERM; the exit status."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=60)
        self.log.close()
        return self.proc.returncode

    def remove(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir)


def show(conn, name):
    with conn.cursor() as cur:
        cur.execute(f"SHOW {name}")
        return cur.fetchone()[0]


class Reload(unittest.TestCase):
    def setUp(self):
        self.dd = DataDir()
        self.dd.start()

    def tearDown(self):
        status = self.dd.stop()
        self.dd.remove()
        self.assertEqual(status, 0)

    def test_sighup_reloads_run_time_parameters(self):
        untouched, setter = self.dd.connect(), self.dd.connect()
        with setter.cursor() as cur:
            cur.execute("SET work_mem = '2MB'")
        self.assertEqual(show(untouched, "work_mem"), "4MB")
        with open(os.path.join(self.dd.data, "specdb.conf"), "a") as f:
            f.write("work_mem = 8MB\ndeadlock_timeout = 3s\nmax_connections = 50\n")
        self.dd.proc.send_signal(signal.SIGHUP)
        self.dd.wait_for_log('parameter "work_mem" changed to "8MB"')
        log = self.dd.log_text()
        self.assertIn("received SIGHUP, reloading configuration files", log)
        self.assertIn('parameter "deadlock_timeout" changed to "3s"', log)
        self.assertIn('parameter "max_connections" cannot be changed without restarting the server', log)
        # a running session at its next statement, unless it SET the parameter
        self.assertEqual(show(untouched, "work_mem"), "8MB")
        self.assertEqual(show(untouched, "deadlock_timeout"), "3s")
        self.assertEqual(show(setter, "work_mem"), "2MB")
        self.assertEqual(show(setter, "deadlock_timeout"), "3s")
        # RESET goes back to the reloaded value; startup-only ones stay
        with setter.cursor() as cur:
            cur.execute("RESET work_mem")
        self.assertEqual(show(setter, "work_mem"), "8MB")
        self.assertEqual(show(untouched, "max_connections"), "100")
        fresh = self.dd.connect()
        self.assertEqual(show(fresh, "work_mem"), "8MB")
        for conn in (untouched, setter, fresh):
            conn.close()

    def test_reload_reports_changed_parameters(self):
        """A reported parameter changed by a reload reaches the client as
        ParameterStatus before its next ReadyForQuery, as in PostgreSQL."""
        with connect_raw(self.dd.port) as sock:
            handshake(sock)
            with open(os.path.join(self.dd.data, "specdb.conf"), "a") as f:
                f.write("IntervalStyle = 'sql_standard'\n")
            self.dd.proc.send_signal(signal.SIGHUP)
            self.dd.wait_for_log('parameter "IntervalStyle" changed to "sql_standard"')
            sock.sendall(message(b"Q", b"SHOW IntervalStyle\0"))
            messages = read_until_ready(sock)
            self.assertIn((b"S", b"IntervalStyle\0sql_standard\0"), messages)
            self.assertIn((b"D", struct.pack("!hi", 1, 12) + b"sql_standard"), messages)
            sock.sendall(message(b"Q", b"SELECT 1\0"))
            self.assertNotIn(b"S", [t for t, _ in read_until_ready(sock)])  # once

    def test_a_broken_file_changes_nothing(self):
        conn = self.dd.connect()
        with open(os.path.join(self.dd.data, "specdb.conf"), "a") as f:
            f.write("work_mem = 8MB\nwork_mem = lots\n")
        self.dd.proc.send_signal(signal.SIGHUP)
        self.dd.wait_for_log("configuration file contains errors")
        self.assertEqual(show(conn, "work_mem"), "4MB")
        self.assertEqual(show(self.dd.connect(), "work_mem"), "4MB")
        conn.close()


def make_certificate(cert, key):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                    "-days", "1", "-keyout", key, "-out", cert], check=True, capture_output=True)


def server_certificate(port):
    """The certificate (DER) the server presents after an SSLRequest."""
    with connect_raw(port) as sock:
        sock.sendall(struct.pack("!ii", 8, 80877103))
        if sock.recv(1) != b"S":
            return None
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        with context.wrap_socket(sock) as tls:
            return tls.getpeercert(binary_form=True)


def der(cert):
    with open(cert) as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


class TlsReload(unittest.TestCase):
    def test_sighup_loads_a_renewed_certificate(self):
        dd = DataDir()
        try:
            cert, key = os.path.join(dd.dir, "server.crt"), os.path.join(dd.dir, "server.key")
            make_certificate(cert, key)
            first = der(cert)
            dd.start("ssl=on", f"ssl_cert_file={cert}", f"ssl_key_file={key}")
            self.assertEqual(server_certificate(dd.port), first)
            make_certificate(cert, key)  # renewed under the same names
            renewed = der(cert)
            self.assertNotEqual(renewed, first)
            dd.proc.send_signal(signal.SIGHUP)
            deadline = time.time() + 10
            while server_certificate(dd.port) != renewed and time.time() < deadline:
                time.sleep(0.05)
            self.assertEqual(server_certificate(dd.port), renewed)
            with open(cert, "w") as f:
                f.write("not a certificate\n")
            dd.proc.send_signal(signal.SIGHUP)
            dd.wait_for_log("SSL configuration was not reloaded")
            self.assertEqual(server_certificate(dd.port), renewed)  # the old context stays
            self.assertEqual(dd.stop(), 0)
        finally:
            dd.remove()


class Shutdown(unittest.TestCase):
    def test_sigterm_is_a_fast_shutdown_with_a_checkpoint(self):
        dd = DataDir()
        try:
            dd.start()
            conn = dd.connect()
            with conn.cursor() as cur:
                cur.execute("CREATE TABLE kept (a int)")
                cur.execute("INSERT INTO kept SELECT g FROM generate_series(1, 1000) g")
            idle = connect_raw(dd.port)
            handshake(idle)
            busy = connect_raw(dd.port)
            handshake(busy)
            busy.sendall(message(b"Q", b"SELECT count(*) FROM generate_series(1, 2000000000)\0"))
            time.sleep(0.5)  # the statement is running
            start = time.time()
            dd.proc.send_signal(signal.SIGTERM)
            expect_fatal(self, idle, "57P01", "terminating connection due to administrator command")
            self.assertEqual(read_message(busy)[0], b"T")  # its RowDescription, then no ERROR but FATAL
            expect_fatal(self, busy, "57P01", "terminating connection due to administrator command")
            self.assertEqual(dd.proc.wait(timeout=30), 0)
            self.assertLess(time.time() - start, 10)
            log = dd.log_text()
            self.assertIn("checkpoint complete (shutdown)", log)
            self.assertIn("database system is shut down", log)
            dd.stop()

            dd.start()  # no WAL to replay after a clean shutdown
            restart_log = dd.log_text()
            self.assertNotIn("automatic recovery in progress", restart_log)
            self.assertNotIn("redo starts", restart_log)
            with dd.connect() as again, again.cursor() as cur:
                cur.execute("SELECT count(*), sum(a) FROM kept")
                self.assertEqual(cur.fetchone(), (1000, 500500))
            self.assertEqual(dd.stop(), 0)
        finally:
            dd.remove()


if __name__ == "__main__":
    SPECDB = os.path.abspath(sys.argv.pop(1))
    test_server.SPECDB = SPECDB
    unittest.main(verbosity=2)
