"""What the isolation tests share: a `specdb serve` that can be killed with
SIGKILL and restarted on the same data directory, and connection helpers.

The servers themselves come from tests/server/test_server.py (specdb) and
tests/catalog/compare_pg.py (PostgreSQL 15 as user postgres).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "server"))
sys.path.insert(0, str(HERE.parent / "catalog"))

import psycopg2  # noqa: E402
import test_server  # noqa: E402,F401  (free_port)
from compare_pg import Postgres  # noqa: E402,F401


class Specdb:
    """`specdb serve` on a temporary data directory; `kill()` sends SIGKILL,
    `start()` starts it again on the same directory and port."""

    def __init__(self, binary, *settings):
        self.binary = binary
        self.settings = settings
        self.dir = tempfile.mkdtemp(prefix="specdb-isolation-")
        self.port = test_server.free_port()
        self.log = open(os.path.join(self.dir, "log"), "a+")
        self.proc = None
        self.start()

    def start(self):
        args = [self.binary, "serve", "-D", os.path.join(self.dir, "data"), "--port", str(self.port)]
        for setting in self.settings:
            args += ["--set", setting]
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline and self.proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"specdb did not start: {self.log_text()}")

    def dsn(self):
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    def log_text(self):
        self.log.seek(0)
        return self.log.read()

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        """SIGTERM; raises unless the server exited 0 (sanitizer builds exit
        non-zero on a leak or an error). The directory is removed either way."""
        try:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(timeout=60)
            if self.proc.returncode != 0:
                raise RuntimeError(f"specdb exited with status {self.proc.returncode}: {self.log_text()[-4000:]}")
        finally:
            self.log.close()
            shutil.rmtree(self.dir, ignore_errors=True)


def postgres_dsn(pg):
    return f"host={pg.dir} port={pg.port} user=postgres dbname=postgres"


def connect(dsn, autocommit=False, isolation=None):
    conn = psycopg2.connect(dsn)
    conn.autocommit = autocommit
    if isolation is not None:
        conn.set_session(isolation_level=isolation)
    return conn
