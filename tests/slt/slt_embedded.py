#!/usr/bin/env python3
"""tests/slt/slt_embedded.py: the sqllogictest corpus against embedded specdb.

    python3 tests/slt/slt_embedded.py --specdb build/specdb [--corpus /work/shared/slt/test]
        [--list /work/shared/slt/files.txt] [--limit-per-file N] [--outcomes out.gz] [FILE...]

Runs each .test file in a fresh data directory through `specdb sql -v
FORMAT=raw` (the embedded API: no server), with the verify semantics of
/work/shared/slt/slt.py (which needs psycopg2 and a server, so its rules
are repeated here): statement ok/error; query with a type string (T I R)
and sort mode nosort/rowsort/valuesort; NULL as "NULL", "" as "(empty)",
bytes outside 0x20..0x7e as "@", integers truncated, reals "%.3f",
booleans 1/0; results beyond hash-threshold (default 8) compared as
"N values hashing to MD5"; skipif/onlyif with this runner acting as
"postgresql"; halt.  Prints "file: N passed, N failed, N skipped" per file
and the total; --outcomes writes the per-record file compare.py reads:

    python3 /work/shared/slt/compare.py \\
        /work/shared/slt/baseline/baseline-pg15-public.outcomes.gz out.gz

Not part of ctest (the corpus takes minutes); see runtime/session/README.md.
"""

import argparse
import glob
import gzip
import hashlib
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal, InvalidOperation

ENGINE = "postgresql"
DEFAULT_HASH_THRESHOLD = 8
BOOL_OID = 16


class Record:
    def __init__(self, kind, line):
        self.kind, self.line = kind, line
        self.skip, self.sql, self.expect_ok = False, "", True
        self.types = self.sort = self.label = self.arg = ""
        self.expected, self.bad = [], None


def read_lines(path):
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", errors="replace")
    out = []
    for n, ln in enumerate(text.split("\n"), 1):
        ln = ln[:-1] if ln.endswith("\r") else ln
        if ln.strip() == "":
            ln = ""
        elif ln.startswith("#"):
            continue
        out.append((n, ln))
    return out


def parse_file(path):
    lines = read_lines(path)
    recs, i, n = [], 0, len(lines)
    while i < n:
        while i < n and lines[i][1] == "":
            i += 1
        if i >= n:
            break
        block = []
        while i < n and lines[i][1] != "":
            block.append(lines[i])
            i += 1
        j, skip = 0, False
        toks = block[0][1].split()[:4]
        while toks and toks[0] in ("skipif", "onlyif"):
            match = len(toks) > 1 and toks[1].lower() == ENGINE
            skip = skip or (toks[0] == "skipif" and match) or (toks[0] == "onlyif" and not match)
            j += 1
            toks = block[j][1].split()[:4] if j < len(block) else []
        if not toks:
            continue
        body = [ln for _, ln in block[j + 1:]]
        r = Record(toks[0] if toks[0] in ("statement", "query", "hash-threshold", "halt") else "unknown",
                   block[j][0])
        if r.kind == "statement":
            mode = toks[1] if len(toks) > 1 else ""
            if mode not in ("ok", "error"):
                r.bad = "statement argument should be 'ok' or 'error'"
            r.expect_ok = mode != "error"
            r.sql = "\n".join(body)
        elif r.kind == "query":
            r.types = toks[1] if len(toks) > 1 else ""
            r.sort = toks[2] if len(toks) > 2 else ""
            r.label = toks[3] if len(toks) > 3 else ""
            if not r.types:
                r.bad = "missing type string"
            elif any(c not in "TIR" for c in r.types):
                r.bad = "unknown type character in %r" % r.types
            elif r.sort not in ("", "nosort", "rowsort", "valuesort"):
                r.bad = "unknown sort method %r" % r.sort
            if "----" in body:
                k = body.index("----")
                r.sql, r.expected = "\n".join(body[:k]), body[k + 1:]
            else:
                r.sql = "\n".join(body)
        elif r.kind == "hash-threshold":
            r.arg = toks[1] if len(toks) > 1 else "0"
        elif r.kind == "unknown":
            r.arg = toks[0]
        r.skip = skip
        recs.append(r)
    return recs


def select_records(recs, limit):
    out, ntests = [], 0
    for r in recs:
        if r.kind in ("statement", "query"):
            if limit and ntests >= limit:
                break
            ntests += 1
            out.append(r)
        elif r.skip:
            continue
        elif r.kind == "halt":
            break
        else:
            out.append(r)
            if r.kind == "unknown":
                break
    return out


NUM_PREFIX = re.compile(r"\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)")
INT_RE = re.compile(r"[+-]?\d+$")
PRINTABLE = bytes(range(0x20, 0x7f))
AT_TABLE = bytes((b if 0x20 <= b <= 0x7e else 0x40) for b in range(256))


def fmt_int(v):
    if INT_RE.match(v):
        return str(int(v))
    low = v.strip().lower()
    if low in ("nan", "+nan", "-nan"):
        return "0"
    if low in ("infinity", "+infinity", "inf", "+inf"):
        return str(2 ** 63 - 1)
    if low in ("-infinity", "-inf"):
        return str(-2 ** 63)
    m = NUM_PREFIX.match(v)
    if m is None:
        return "0"
    try:
        return str(int(Decimal(m.group(1))))
    except (InvalidOperation, ValueError, OverflowError):
        return "0"


def fmt_real(v):
    try:
        return "%.3f" % float(v)
    except ValueError:
        m = NUM_PREFIX.match(v)
        return "%.3f" % (float(m.group(1)) if m else 0.0)


def fmt_text(v):
    if v == "":
        return "(empty)"
    b = v.encode("utf-8", errors="replace")
    if b.translate(None, PRINTABLE):
        b = b.translate(AT_TABLE)
    return b.decode("ascii")


def format_row(row, types, oids):
    out = []
    for v, t, oid in zip(row, types, oids):
        if v is None:
            out.append("NULL")
            continue
        if oid == BOOL_OID:
            v = "1" if v in ("t", "true", "True") else "0"
        out.append(fmt_int(v) if t == "I" else fmt_real(v) if t == "R" else fmt_text(v))
    return out


def md5_values(values):
    h = hashlib.md5()
    for v in values:
        h.update(v.encode("utf-8", errors="replace"))
        h.update(b"\n")
    return h.hexdigest()


def unescape(value):
    if value == "\\N":
        return None
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n", "r": "\r"}.get(m.group(1), m.group(1)), value)


class Embedded:
    """A `specdb sql -v FORMAT=raw` process on one data directory, fed
    statements on stdin with an \\echo marker after each."""

    def __init__(self, specdb, datadir, timeout):
        self.specdb, self.datadir, self.timeout = specdb, datadir, timeout
        self.proc, self.count, self.buf = None, 0, b""

    def start(self):
        self.proc = subprocess.Popen([self.specdb, "sql", "-D", self.datadir, "-v", "FORMAT=raw"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.buf = b""

    def stop(self):
        if self.proc:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def run(self, sql):
        """[('D', cols) | ('R', values) | ('C', tag) | ('E', sqlstate, msg)], or raises TimeoutError."""
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        self.count += 1
        marker = b"@@END %d" % self.count
        try:
            self.proc.stdin.write(sql.encode() + b"\n;\n\\echo " + marker + b"\n")
            self.proc.stdin.flush()
        except OSError:
            self.proc = None
            return [("E", "08006", "specdb exited")]
        events, deadline = [], time.monotonic() + self.timeout
        while True:
            nl = self.buf.find(b"\n")
            if nl < 0:
                left = deadline - time.monotonic()
                ready = select.select([self.proc.stdout], [], [], max(left, 0))[0] if left > 0 else []
                if not ready:
                    self.proc.kill()
                    self.proc.wait()
                    self.proc = None
                    raise TimeoutError
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    self.proc = None
                    events.append(("E", "08006", "specdb exited"))
                    return events
                self.buf += chunk
                continue
            line, self.buf = self.buf[:nl].decode("utf-8", errors="replace"), self.buf[nl + 1:]
            if line.encode() == marker:
                return events
            parts = line.split("\t")
            if parts[0] == "D":
                events.append(("D", [(int(p.split(" ", 1)[0]), p.split(" ", 1)[1]) for p in parts[1:]]))
            elif parts[0] == "R":
                events.append(("R", [unescape(v) for v in parts[1:]]))
            elif parts[0] in ("C", "E"):
                events.append(tuple(parts))


def run_file(specdb, path, rel, limit, timeout, outcomes):
    res = {"passed": 0, "failed": 0, "skipped": 0, "failures": []}

    def mark(r, code, reason=None):
        res[{"P": "passed", "F": "failed", "S": "skipped"}[code]] += 1
        outcomes.append((rel, r.line, code))
        if reason and len(res["failures"]) < 5:
            res["failures"].append("line %d: %s" % (r.line, reason))

    recs = select_records(parse_file(path), limit)
    tmp = tempfile.mkdtemp(prefix="specdb-slt-")
    db = Embedded(specdb, os.path.join(tmp, "db"), timeout)
    ht, labels = DEFAULT_HASH_THRESHOLD, {}
    try:
        for r in recs:
            if r.kind == "hash-threshold":
                try:
                    ht = int(r.arg)
                except ValueError:
                    ht = 0
                continue
            if r.kind == "unknown":
                mark(r, "F", "unknown record type %r" % r.arg)
                break
            if r.skip:
                mark(r, "S")
                continue
            if r.bad:
                mark(r, "F", r.bad)
                continue
            try:
                events = db.run(r.sql)
            except TimeoutError:
                mark(r, "F", "timeout after %ss" % timeout)
                continue
            errors = [e for e in events if e[0] == "E"]
            if r.kind == "statement":
                if (not errors) == r.expect_ok:
                    mark(r, "P")
                else:
                    mark(r, "F", "statement failed: %s" % errors[0][2] if errors else "statement succeeded")
                continue
            if errors:
                mark(r, "F", "query failed: %s" % errors[0][2])
                continue
            desc = [e[1] for e in events if e[0] == "D"]
            cols = desc[-1] if desc else []
            rows = [e[1] for e in events if e[0] == "R"]
            if len(cols) != len(r.types):
                mark(r, "F", "wrong number of result columns: expected %d but got %d" % (len(r.types), len(cols)))
                continue
            oids = [c[0] for c in cols]
            if r.sort == "rowsort":
                values = [v for fr in sorted(format_row(row, r.types, oids) for row in rows) for v in fr]
            else:
                values = [v for row in rows for v in format_row(row, r.types, oids)]
                if r.sort == "valuesort":
                    values.sort()
            digest = md5_values(values) if r.label or (ht > 0 and len(values) > ht) else None
            if ht == 0 or len(values) <= ht:
                ok = values == r.expected
                reason = None if ok else "wrong result: expected %s got %s" % (
                    " | ".join(r.expected)[:200], " | ".join(values)[:200])
            else:
                hline = "%d values hashing to %s" % (len(values), digest)
                ok = bool(r.expected) and r.expected[0] == hline
                reason = None if ok else "wrong result hash: expected %s got %s" % (
                    r.expected[0] if r.expected else "", hline)
            if r.label:
                prev = labels.setdefault(r.label[:20], digest)
                if prev != digest and ok:
                    ok, reason = False, "labeled result [%s] does not agree with previous values" % r.label
            mark(r, "P" if ok else "F", reason)
    finally:
        db.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return res


def collect(corpus, lists, files):
    pats = list(files)
    for lf in lists:
        with open(lf) as f:
            pats += [ln.strip() for ln in f if ln.strip() and not ln.startswith("#")]
    out, seen = [], set()
    for pat in pats or ["**/*.test"]:
        for h in sorted(glob.glob(pat if os.path.isabs(pat) else os.path.join(corpus, pat), recursive=True)):
            rel = os.path.relpath(h, corpus)
            if os.path.isfile(h) and rel not in seen:
                seen.add(rel)
                out.append((h, rel))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--specdb", required=True)
    ap.add_argument("--corpus", default="/work/shared/slt/test")
    ap.add_argument("--list", action="append", default=[])
    ap.add_argument("--limit-per-file", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per record")
    ap.add_argument("--outcomes", help="write per-record outcomes (compare.py format; .gz compresses)")
    ap.add_argument("files", nargs="*")
    o = ap.parse_args(argv)
    files = collect(o.corpus, o.list, o.files)
    outcomes, total = [], {"passed": 0, "failed": 0, "skipped": 0}
    for path, rel in files:
        t0 = time.monotonic()
        res = run_file(o.specdb, path, rel, o.limit_per_file, o.timeout, outcomes)
        for k in total:
            total[k] += res[k]
        print("%s: %d passed, %d failed, %d skipped (%.1f s)" % (rel, res["passed"], res["failed"], res["skipped"],
                                                                 time.monotonic() - t0))
        for f in res["failures"]:
            print("    " + f)
        sys.stdout.flush()
    if o.outcomes:
        opener = gzip.open if o.outcomes.endswith(".gz") else open
        with opener(o.outcomes, "wt") as f:
            for rel, line, code in outcomes:
                f.write("%s\t%d\t%s\n" % (rel, line, code))
    print("%d passed, %d failed, %d skipped" % (total["passed"], total["failed"], total["skipped"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
