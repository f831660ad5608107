"""Write the seed inputs of fuzz_wire into tests/fuzz/corpus (checked in):
valid client byte streams.  The first byte of each is fuzz_wire's flags byte
(bit 0: fuzz_wire sends a valid startup packet first).

    python3 tests/fuzz/make_corpus.py
"""

import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def startup(params, version=196608):
    body = struct.pack("!i", version)
    for name, value in params:
        body += name.encode() + b"\0" + value.encode() + b"\0"
    body += b"\0"
    return struct.pack("!i", len(body) + 4) + body


def msg(type_byte, body=b""):
    return type_byte + struct.pack("!i", len(body) + 4) + body


def cstr(text):
    return text.encode() + b"\0"


def parse(name, query, types=()):
    return msg(b"P", cstr(name) + cstr(query) + struct.pack("!h", len(types)) +
               b"".join(struct.pack("!i", t) for t in types))


def bind(portal, statement, values=(), formats=(), results=()):
    body = cstr(portal) + cstr(statement) + struct.pack("!h", len(formats))
    body += b"".join(struct.pack("!h", f) for f in formats) + struct.pack("!h", len(values))
    for v in values:
        body += struct.pack("!i", -1) if v is None else struct.pack("!i", len(v)) + v
    return msg(b"B", body + struct.pack("!h", len(results)) + b"".join(struct.pack("!h", f) for f in results))


def execute(portal, rows=0):
    return msg(b"E", cstr(portal) + struct.pack("!i", rows))


def describe(kind, name):
    return msg(b"D", kind + cstr(name))


SYNC = msg(b"S")
PG = [("user", "postgres"), ("database", "postgres")]

SEEDS = {
    # raw streams, starting with the startup packet
    "startup": b"\0" + startup(PG),
    "startup_options": b"\0" + startup(PG + [("options", "-c work_mem=8MB --DateStyle=ISO"),
                                             ("application_name", "fuzz"), ("client_encoding", "UTF8")]),
    "startup_minor": b"\0" + startup(PG + [("_pq_.x", "1")], version=196609),
    "ssl_then_startup": b"\0" + struct.pack("!ii", 8, 80877103) + startup(PG),
    "gssenc": b"\0" + struct.pack("!ii", 8, 80877104) + startup(PG),
    "cancel": b"\0" + struct.pack("!iiii", 16, 80877102, 1, 2),
    "protocol_2": b"\0" + startup(PG, version=131072),
    # typed messages after fuzz_wire's own startup packet
    "simple": b"\1" + msg(b"Q", cstr("SELECT 1, 'a'::text, NULL")) + msg(b"X"),
    "simple_many": b"\1" + msg(b"Q", cstr("CREATE TABLE IF NOT EXISTS t (a int, b text); "
                                          "INSERT INTO t VALUES (1, 'x'); SELECT * FROM t; "
                                          "BEGIN; SELECT 1/0; ROLLBACK")),
    "empty_query": b"\1" + msg(b"Q", cstr("")),
    "extended": b"\1" + parse("s", "SELECT $1::int + 1", [23]) + bind("p", "s", [b"41"]) +
                describe(b"P", "p") + execute("p") + SYNC,
    "extended_binary": b"\1" + parse("", "SELECT $1::int8, $2::text") +
                       bind("", "", [struct.pack("!q", 7), b"t"], [1, 0], [1]) + execute("", 1) + SYNC,
    "extended_suspend": b"\1" + parse("", "SELECT generate_series(1, 5)") + bind("c", "") +
                        execute("c", 2) + execute("c", 2) + execute("c") + SYNC,
    "extended_close": b"\1" + parse("s", "SELECT 1") + describe(b"S", "s") +
                      msg(b"C", b"S" + cstr("s")) + msg(b"C", b"P" + cstr("p")) + msg(b"H") + SYNC,
    "extended_error": b"\1" + bind("", "nope") + execute("") + SYNC + msg(b"Q", cstr("SELECT 2")),
    "copy_in": b"\1" + msg(b"Q", cstr("CREATE TABLE IF NOT EXISTS c (a int, b text)")) +
               msg(b"Q", cstr("COPY c FROM STDIN")) + msg(b"d", b"1\tx\n2\t\\N\n") + msg(b"c"),
    "copy_in_csv_fail": b"\1" + msg(b"Q", cstr("CREATE TABLE IF NOT EXISTS c (a int, b text)")) +
                        msg(b"Q", cstr("COPY c FROM STDIN (FORMAT csv)")) + msg(b"d", b"1,\"x\"\n") +
                        msg(b"f", cstr("client gave up")),
    "copy_out": b"\1" + msg(b"Q", cstr("COPY (SELECT 1, 'a') TO STDOUT (FORMAT binary)")),
    "copy_extended": b"\1" + parse("", "COPY (SELECT 2) TO STDOUT") + bind("", "") + execute("") + SYNC,
    "copy_messages": b"\1" + msg(b"d", b"1\tx\n") + msg(b"c") + msg(b"f", cstr("no")) + SYNC,
    "function_call": b"\1" + msg(b"F", struct.pack("!ihhih", 1, 0, 1, -1, 0)),
    "password": b"\1" + msg(b"p", cstr("secret")),
}


def main():
    out = os.path.join(HERE, "corpus")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
