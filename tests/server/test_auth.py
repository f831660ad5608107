"""Authentication end to end: `specdb serve` with a pg_hba.conf of the test's
(hba_file set to it) where 127.0.0.1 asks for scram-sha-256, password or md5
or rejects, by user and database; roles made with CREATE ROLE; clients are
psycopg2, psql (PGPASSWORD) and a raw SCRAM client that compares what the
server says for a wrong password and for a role that does not exist.

Run by ctest (server.auth) as:
    python3 tests/server/test_auth.py SPECDB_BINARY
"""

import base64
import hashlib
import hmac
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import unittest

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_server as ts  # noqa: E402  (the Server class and the raw client)

RULES = """\
# TYPE  DATABASE  USER        ADDRESS        METHOD
local   all       all                        trust
host    all       postgres    127.0.0.1/32   trust
host    all       rejected    127.0.0.1/32   reject
host    nodb      all         127.0.0.1/32   reject
host    all       clear       127.0.0.1/32   password
host    all       "md5user"   127.0.0.1/32   md5
host    all       scrammd5    127.0.0.1/32   md5
host    all       +staff      127.0.0.1/32   password
hostssl all       tlsuser     127.0.0.1/32   scram-sha-256
host    all       tlsuser     127.0.0.1/32   reject
host    all       all         127.0.0.1/32   scram-sha-256
"""


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


class AuthServer:
    """A server with the test's pg_hba.conf."""

    def __init__(self, rules=RULES, *settings):
        self.hba_dir = tempfile.mkdtemp(prefix="specdb-hba-")
        self.hba = os.path.join(self.hba_dir, "pg_hba.conf")
        write(self.hba, rules)
        try:
            self.server = ts.Server(f"hba_file={self.hba}", *settings)
        except BaseException:
            shutil.rmtree(self.hba_dir)
            raise
        self.port = self.server.port

    def stop(self):
        try:
            self.server.stop()
        finally:
            shutil.rmtree(self.hba_dir)

    def reload(self, rules):
        write(self.hba, rules)
        mark = len(self.server.log_text())
        self.server.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 10
        while "received SIGHUP" not in self.server.log_text()[mark:] and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)

    def connect(self, user, password=None, dbname="postgres", **kw):
        return psycopg2.connect(host="127.0.0.1", port=self.port, user=user, password=password, dbname=dbname,
                                connect_timeout=10, **kw)

    def admin(self, sql):
        conn = self.connect("postgres")
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
                return cur.fetchall() if cur.description else None
        finally:
            conn.close()


def login_error(test, server, user, password, dbname="postgres"):
    """Connecting fails: (SQLSTATE-less) message psycopg2 shows."""
    with test.assertRaises(psycopg2.OperationalError) as cm:
        server.connect(user, password, dbname).close()
    return str(cm.exception)


# --- a raw SCRAM client -----------------------------------------------------------------

def read_auth(sock):
    type_byte, body = ts.read_message(sock)
    if type_byte == b"E":
        return "E", ts.error_fields(body)
    assert type_byte == b"R", type_byte
    return struct.unpack("!i", body[:4])[0], body[4:]


def scram_attempt(port, user, password, client_nonce="fixedclientnonce"):
    """One SCRAM exchange; returns (mechanisms, server-first attributes,
    the final answer: ('E', fields) or (code, data))."""
    with ts.connect_raw(port) as sock:
        sock.sendall(ts.startup_packet({"user": user, "database": "postgres"}))
        code, body = read_auth(sock)
        assert code == 10, (code, body)
        mechanisms = [m.decode() for m in body.split(b"\0") if m]
        first_bare = f"n=,r={client_nonce}"
        initial = b"SCRAM-SHA-256\0" + struct.pack("!i", len(first_bare) + 3) + b"n,," + first_bare.encode()
        sock.sendall(ts.message(b"p", initial))
        code, server_first = read_auth(sock)
        assert code == 11, (code, server_first)
        attrs = dict(part.split("=", 1) for part in server_first.decode().split(","))
        salt = base64.b64decode(attrs["s"])
        salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, int(attrs["i"]))
        client_key = hmac.new(salted, b"Client Key", "sha256").digest()
        stored_key = hashlib.sha256(client_key).digest()
        without_proof = f"c=biws,r={attrs['r']}"
        auth_message = f"{first_bare},{server_first.decode()},{without_proof}".encode()
        signature = hmac.new(stored_key, auth_message, "sha256").digest()
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        final = f"{without_proof},p={base64.b64encode(proof).decode()}"
        sock.sendall(ts.message(b"p", final.encode()))
        return mechanisms, attrs, read_auth(sock)


class Authentication(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = AuthServer()
        cls.server.admin("CREATE ROLE alice LOGIN PASSWORD 'wonderland'")
        cls.server.admin("CREATE ROLE clear LOGIN PASSWORD 'plain text'")
        cls.server.admin("CREATE ROLE nologin PASSWORD 'secret'")
        cls.server.admin("CREATE ROLE rejected LOGIN PASSWORD 'x'")
        cls.server.admin("CREATE ROLE scrammd5 LOGIN PASSWORD 'scram for md5'")
        cls.server.admin("CREATE ROLE staff")
        cls.server.admin("CREATE ROLE worker LOGIN PASSWORD 'w' IN ROLE staff")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_scram_login_and_session_roles(self):
        conn = self.server.connect("alice", "wonderland")
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT current_user, session_user, current_setting('is_superuser'), "
                            "current_setting('session_authorization')")
                self.assertEqual(cur.fetchone(), ("alice", "alice", "off", "alice"))
            self.assertEqual(conn.info.parameter_status("is_superuser"), "off")
            self.assertEqual(conn.info.parameter_status("session_authorization"), "alice")
        finally:
            conn.close()
        conn = self.server.connect("postgres")
        self.assertEqual(conn.info.parameter_status("is_superuser"), "on")
        conn.close()

    def test_scram_with_psql(self):
        env = dict(os.environ, PGPASSWORD="wonderland")
        out = subprocess.run(["psql", "-X", "-A", "-t", f"host=127.0.0.1 port={self.server.port} user=alice "
                              "dbname=postgres", "-c", "SELECT current_user"], capture_output=True, text=True,
                             env=env, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.strip(), "alice")
        env["PGPASSWORD"] = "wrong"
        out = subprocess.run(["psql", "-X", f"host=127.0.0.1 port={self.server.port} user=alice dbname=postgres",
                              "-c", "SELECT 1"], capture_output=True, text=True, env=env, timeout=30)
        self.assertEqual(out.returncode, 2)
        self.assertIn('FATAL:  password authentication failed for user "alice"', out.stderr)

    def test_wrong_password(self):
        self.assertIn('password authentication failed for user "alice"',
                      login_error(self, self.server, "alice", "queen of hearts"))

    def test_unknown_user_looks_like_a_wrong_password(self):
        self.assertIn('password authentication failed for user "nobody"',
                      login_error(self, self.server, "nobody", "anything"))
        known = scram_attempt(self.server.port, "alice", "wrong")
        unknown = scram_attempt(self.server.port, "nobody", "wrong")
        again = scram_attempt(self.server.port, "nobody", "wrong")
        self.assertEqual(known[0], ["SCRAM-SHA-256"])
        self.assertEqual(unknown[0], ["SCRAM-SHA-256"])
        for attempt in (known, unknown):
            attrs = attempt[1]
            self.assertEqual(sorted(attrs), ["i", "r", "s"])
            self.assertEqual(attrs["i"], "4096")
            self.assertEqual(len(base64.b64decode(attrs["s"])), 16)
            self.assertTrue(attrs["r"].startswith("fixedclientnonce"))
            self.assertEqual(len(attrs["r"]), len("fixedclientnonce") + 24)
        self.assertEqual(unknown[1]["s"], again[1]["s"])  # a stable salt, like a real role's
        for attempt, user in ((known, "alice"), (unknown, "nobody")):
            kind, fields = attempt[2]
            self.assertEqual(kind, "E")
            self.assertEqual(fields, {"S": "FATAL", "V": "FATAL", "C": "28P01",
                                      "M": f'password authentication failed for user "{user}"'})
        log = self.server.server.log_text()
        self.assertIn('DETAIL:  Role "nobody" does not exist.', log)
        self.assertIn('DETAIL:  Password does not match for user "alice".', log)
        self.assertIn('Connection matched pg_hba.conf line 12: '
                      '"host    all       all         127.0.0.1/32   scram-sha-256"', log)

    def test_right_password_by_raw_client(self):
        mechanisms, attrs, (code, data) = scram_attempt(self.server.port, "alice", "wonderland")
        self.assertEqual(code, 12)  # AuthenticationSASLFinal
        self.assertTrue(data.startswith(b"v="))

    def test_nologin(self):
        self.assertIn('role "nologin" is not permitted to log in',
                      login_error(self, self.server, "nologin", "secret"))
        # a wrong password still says only that
        self.assertIn('password authentication failed for user "nologin"',
                      login_error(self, self.server, "nologin", "wrong"))

    def test_reject_and_no_matching_rule(self):
        self.assertIn('pg_hba.conf rejects connection for host "127.0.0.1", user "rejected", database "postgres", '
                      'no encryption', login_error(self, self.server, "rejected", "x"))
        self.assertIn('pg_hba.conf rejects connection for host "127.0.0.1", user "alice", database "nodb", '
                      'no encryption', login_error(self, self.server, "alice", "wonderland", dbname="nodb"))
        with ts.connect_raw(self.server.port) as sock:
            sock.sendall(ts.startup_packet({"user": "tlsuser", "database": "postgres"}))
            ts.expect_fatal(self, sock, "28000", 'pg_hba.conf rejects connection for host "127.0.0.1", '
                            'user "tlsuser", database "postgres", no encryption')

    def test_cleartext_password_method(self):
        conn = self.server.connect("clear", "plain text")
        conn.close()
        self.assertIn('password authentication failed for user "clear"',
                      login_error(self, self.server, "clear", "wrong"))
        with ts.connect_raw(self.server.port) as sock:
            sock.sendall(ts.startup_packet({"user": "clear", "database": "postgres"}))
            self.assertEqual(read_auth(sock), (3, b""))  # AuthenticationCleartextPassword

    def test_group_rule(self):
        conn = self.server.connect("worker", "w")  # +staff: password method
        conn.close()
        with ts.connect_raw(self.server.port) as sock:
            sock.sendall(ts.startup_packet({"user": "worker", "database": "postgres"}))
            self.assertEqual(read_auth(sock), (3, b""))

    def test_md5_method_with_a_scram_secret_uses_scram(self):
        with ts.connect_raw(self.server.port) as sock:
            sock.sendall(ts.startup_packet({"user": "scrammd5", "database": "postgres"}))
            self.assertEqual(read_auth(sock)[0], 10)
        self.server.connect("scrammd5", "scram for md5").close()

    def test_md5_password_encryption(self):
        self.server.admin("SET password_encryption = 'md5'; CREATE ROLE md5user LOGIN PASSWORD 'salted'")
        stored = self.server.admin("SELECT rolpassword FROM pg_authid WHERE rolname = 'md5user'")[0][0]
        self.assertEqual(stored, "md5" + hashlib.md5(b"saltedmd5user").hexdigest())
        with ts.connect_raw(self.server.port) as sock:
            sock.sendall(ts.startup_packet({"user": "md5user", "database": "postgres"}))
            code, salt = read_auth(sock)
            self.assertEqual((code, len(salt)), (5, 4))  # AuthenticationMD5Password
        conn = self.server.connect("md5user", "salted")
        conn.close()
        self.assertIn('password authentication failed for user "md5user"',
                      login_error(self, self.server, "md5user", "pepper"))

    def test_alter_role_password_and_drop_role(self):
        self.server.admin("CREATE ROLE bob LOGIN PASSWORD 'one'")
        self.server.connect("bob", "one").close()
        self.server.admin("ALTER ROLE bob PASSWORD 'two'")
        login_error(self, self.server, "bob", "one")
        self.server.connect("bob", "two").close()
        self.server.admin("ALTER USER bob WITH NOLOGIN")
        self.assertIn("not permitted to log in", login_error(self, self.server, "bob", "two"))
        self.server.admin("ALTER ROLE bob LOGIN VALID UNTIL '2000-01-01'")
        login_error(self, self.server, "bob", "two")
        self.assertIn('DETAIL:  User "bob" has an expired password.', self.server.server.log_text())
        self.server.admin("ALTER ROLE bob VALID UNTIL 'infinity' PASSWORD NULL")
        login_error(self, self.server, "bob", "two")
        self.assertIn('DETAIL:  User "bob" has no password assigned.', self.server.server.log_text())
        self.server.admin("ALTER ROLE bob PASSWORD 'three'")
        self.server.connect("bob", "three").close()
        self.server.admin("DROP ROLE bob")
        self.assertIn('password authentication failed for user "bob"', login_error(self, self.server, "bob", "three"))

    def test_connection_limit(self):
        self.server.admin("CREATE ROLE limited LOGIN PASSWORD 'l' CONNECTION LIMIT 1")
        first = self.server.connect("limited", "l")
        try:
            self.assertIn('too many connections for role "limited"', login_error(self, self.server, "limited", "l"))
        finally:
            first.close()
        time.sleep(0.2)
        self.server.connect("limited", "l").close()

    def test_trust_for_an_unknown_role(self):
        with ts.connect_raw(self.server.port) as sock:
            sock.sendall(ts.startup_packet({"user": "ghost", "database": "postgres"}))
            code, _ = read_auth(sock)
            self.assertEqual(code, 10)  # the catch-all scram rule, even for a ghost
        # local (Unix socket) is trust: an unknown role is told so after it
        out = subprocess.run(["psql", "-X", f"host=/tmp port={self.server.port} user=ghost dbname=postgres",
                              "-c", "SELECT 1"], capture_output=True, text=True, timeout=30)
        self.assertIn('FATAL:  role "ghost" does not exist', out.stderr)

    def test_role_ddl_and_catalog(self):
        self.server.admin("CREATE USER carol WITH CREATEDB CONNECTION LIMIT 5 PASSWORD 'c' VALID UNTIL '2099-01-01'")
        rows = self.server.admin("SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, "
                                 "rolreplication, rolconnlimit, rolpassword, rolbypassrls "
                                 "FROM pg_roles WHERE rolname = 'carol'")
        self.assertEqual(rows, [("carol", False, True, False, True, True, False, 5, "********", False)])
        secret = self.server.admin("SELECT rolpassword FROM pg_authid WHERE rolname = 'carol'")[0][0]
        self.assertTrue(secret.startswith("SCRAM-SHA-256$4096:"), secret)
        salt, keys = secret[len("SCRAM-SHA-256$4096:"):].split("$")
        self.assertEqual(len(base64.b64decode(salt)), 16)
        self.assertEqual([len(base64.b64decode(k)) for k in keys.split(":")], [32, 32])
        members = self.server.admin("SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid "
                                    "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = 'worker'")
        self.assertEqual(members, [("staff",)])

        def error(sql):
            with self.assertRaises(psycopg2.Error) as cm:
                self.server.admin(sql)
            return cm.exception.pgcode, cm.exception.pgerror.splitlines()[0]

        self.assertEqual(error("CREATE ROLE carol"), ("42710", 'ERROR:  role "carol" already exists'))
        self.assertEqual(error("CREATE ROLE pg_carol"), ("42939", 'ERROR:  role name "pg_carol" is reserved'))
        self.assertEqual(error("CREATE ROLE public"), ("42939", 'ERROR:  role name "public" is reserved'))
        self.assertEqual(error("ALTER ROLE nobody PASSWORD 'x'"), ("42704", 'ERROR:  role "nobody" does not exist'))
        self.assertEqual(error("DROP ROLE nobody"), ("42704", 'ERROR:  role "nobody" does not exist'))
        self.assertEqual(error("DROP ROLE postgres"), ("55006", "ERROR:  current user cannot be dropped"))
        self.assertEqual(error("CREATE ROLE x LOGIN NOLOGIN"), ("42601", "ERROR:  conflicting or redundant options"))
        self.assertEqual(error("CREATE ROLE x CONNECTION LIMIT -2"), ("22023", "ERROR:  invalid connection limit: -2"))
        self.assertEqual(error("ALTER ROLE carol RENAME TO alice"), ("42710", 'ERROR:  role "alice" already exists'))
        self.server.admin("ALTER ROLE carol RENAME TO dave")
        self.server.connect("dave", "c").close()  # a SCRAM secret survives a rename
        self.server.admin("DROP ROLE IF EXISTS dave, nobody")
        self.assertEqual(self.server.admin("SELECT count(*) FROM pg_authid WHERE rolname IN ('carol', 'dave')"),
                         [(0,)])
        # privileges: alice (no CREATEROLE) may change only her own password
        conn = self.server.connect("alice", "wonderland")
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                with self.assertRaises(psycopg2.Error) as cm:
                    cur.execute("CREATE ROLE eve")
                self.assertEqual(cm.exception.pgcode, "42501")
                self.assertIn("permission denied to create role", cm.exception.pgerror)
                cur.execute("ALTER ROLE alice PASSWORD 'wonderland'")
                with self.assertRaises(psycopg2.Error) as cm:
                    cur.execute("ALTER ROLE alice CREATEDB")
                self.assertEqual(cm.exception.pgcode, "42501")
        finally:
            conn.close()


class HbaFile(unittest.TestCase):
    def test_reload_on_sighup(self):
        server = AuthServer("host all all 127.0.0.1/32 trust\nlocal all all trust\n")
        try:
            server.admin("CREATE ROLE frank LOGIN PASSWORD 'f'")
            server.connect("frank").close()
            server.reload("host all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n")
            login_error(self, server, "frank", None)
            server.connect("frank", "f").close()
            server.reload("host all all 127.0.0.1/32 bogus\n")  # refused: the old rules stay
            self.assertIn('invalid authentication method "bogus"', server.server.log_text())
            self.assertIn("pg_hba.conf was not reloaded", server.server.log_text())
            server.connect("frank", "f").close()
        finally:
            server.stop()

    def test_no_matching_line(self):
        server = AuthServer("local all all trust\nhost db1 all 127.0.0.1/32 trust\n")
        try:
            self.assertIn('no pg_hba.conf entry for host "127.0.0.1", user "postgres", database "postgres", '
                          'no encryption', login_error(self, server, "postgres", None))
        finally:
            server.stop()

    def test_malformed_file_stops_the_start(self):
        with self.assertRaises(RuntimeError) as cm:
            AuthServer("local all all trust\nhost all all 10.0.0.0/99 trust\n")
        self.assertIn('invalid CIDR mask in address "10.0.0.0/99"', str(cm.exception))
        self.assertRegex(str(cm.exception), r'line 2 of configuration file ".*pg_hba.conf"')

    def test_default_file(self):
        server = ts.Server()
        try:
            with open(os.path.join(server.dir, "data", "pg_hba.conf")) as f:
                rules = [line.split() for line in f if line.strip() and not line.startswith("#")]
            self.assertEqual(rules, [["local", "all", "all", "trust"],
                                     ["host", "all", "all", "127.0.0.1/32", "trust"],
                                     ["host", "all", "all", "::1/128", "trust"],
                                     ["host", "all", "all", "0.0.0.0/0", "scram-sha-256"],
                                     ["host", "all", "all", "::/0", "scram-sha-256"]])
        finally:
            server.stop()


class HostSsl(unittest.TestCase):
    """hostssl rules match only TLS connections."""

    @classmethod
    def setUpClass(cls):
        cls.certs = tempfile.mkdtemp(prefix="specdb-tls-")
        cert, key = os.path.join(cls.certs, "server.crt"), os.path.join(cls.certs, "server.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                        "-days", "1", "-keyout", key, "-out", cert], check=True, capture_output=True)
        cls.server = AuthServer(RULES, "ssl=on", f"ssl_cert_file={cert}", f"ssl_key_file={key}")
        cls.server.admin("CREATE ROLE tlsuser LOGIN PASSWORD 'tls'")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.certs)

    def test_hostssl(self):
        conn = self.server.connect("tlsuser", "tls", sslmode="require")
        try:
            self.assertTrue(conn.info.ssl_in_use)
        finally:
            conn.close()
        self.assertIn('pg_hba.conf rejects connection for host "127.0.0.1", user "tlsuser", database "postgres", '
                      'no encryption', login_error_kw(self, self.server, "tlsuser", "tls", sslmode="disable"))

    def test_no_entry_says_ssl_encryption(self):
        self.server.reload("host all postgres 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 trust\n")
        try:
            self.assertIn('no pg_hba.conf entry for host "127.0.0.1", user "tlsuser", database "postgres", '
                          'SSL encryption', login_error_kw(self, self.server, "tlsuser", "tls", sslmode="require"))
        finally:
            self.server.reload(RULES)


def login_error_kw(test, server, user, password, **kw):
    with test.assertRaises(psycopg2.OperationalError) as cm:
        server.connect(user, password, **kw).close()
    return str(cm.exception)


if __name__ == "__main__":
    ts.SPECDB = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
