#!/usr/bin/env python3
"""tests/sql/differential.py: specdb against PostgreSQL 15 on generated queries.

    python3 tests/sql/differential.py --specdb build/specdb [--seed 1] [--queries 1200]

Loads the same small tables (NULLs included) into a throw-away PostgreSQL 15
(started as tests/catalog/compare_pg.py starts it) and into an embedded
specdb data directory, runs a seeded stream of generated queries (joins of
every kind, aggregates with GROUP BY/HAVING, subqueries in FROM, WHERE and
the select list, DISTINCT, UNION/INTERSECT/EXCEPT, CASE, COALESCE, LIKE,
BETWEEN, IN lists, NULL tests, ORDER BY/LIMIT) through both, and compares
the results row by row: in order when the query orders every output column,
as sorted lists otherwise.  Errors must agree on the SQLSTATE.  Every
mismatch is printed (query, PostgreSQL's rows, specdb's); any mismatch
fails the run (exit 1).  Run by ctest as sql.differential.
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "catalog"))
from compare_pg import PG_BIN, Postgres, ServerError  # noqa: E402

SCHEMA = """
CREATE TABLE t1 (a int, b int, c text, d numeric(8,2));
CREATE TABLE t2 (a int, x int, y text);
CREATE TABLE t3 (k int PRIMARY KEY, g text NOT NULL, v int);
"""

WORDS = ["apple", "banana", "cherry", "date", "elder", "fig", "grape", "alpha", "beta", "", "Apple", "a_b", "x%y"]


def literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, str):
        return "'" + v.replace("'", "''") + "'"
    return str(v)


def table_rows(rng):
    """INSERT statements for the three tables."""
    def maybe(value, p=0.15):
        return None if rng.random() < p else value

    rows = []
    for _ in range(40):
        rows.append(("t1", [maybe(rng.randint(-5, 12)), maybe(rng.randint(0, 9)), maybe(rng.choice(WORDS)),
                            maybe(f"{rng.randint(-500, 500) / 4:.2f}")]))
    for _ in range(25):
        rows.append(("t2", [maybe(rng.randint(-3, 10)), maybe(rng.randint(-20, 20)), maybe(rng.choice(WORDS))]))
    for k in range(1, 16):
        rows.append(("t3", [k, rng.choice(["red", "green", "blue"]), maybe(rng.randint(0, 100))]))
    return [f"INSERT INTO {t} VALUES ({', '.join(literal(v) for v in vals)});" for t, vals in rows]


class Gen:
    """A seeded generator of queries over t1, t2, t3."""

    COLS = {"t1": [("a", "int"), ("b", "int"), ("c", "text"), ("d", "num")],
            "t2": [("a", "int"), ("x", "int"), ("y", "text")],
            "t3": [("k", "int"), ("g", "text"), ("v", "int")]}

    def __init__(self, rng):
        self.r = rng

    def col(self, tables, kind=None):
        choices = [(t, c, k) for t in tables for c, k in self.COLS[self.alias_table(t)] if kind is None or k == kind]
        t, c, k = self.r.choice(choices)
        return f"{t}.{c}", k

    @staticmethod
    def alias_table(alias):
        return {"s": "t1", "u": "t2", "w": "t3"}.get(alias, alias)

    def int_expr(self, tables, depth=0):
        r = self.r.random()
        if depth > 1 or r < 0.45:
            return self.col(tables, "int")[0]
        if r < 0.55:
            return str(self.r.randint(-3, 9))
        if r < 0.7:
            return f"({self.int_expr(tables, depth + 1)} {self.r.choice(['+', '-', '*'])} {self.int_expr(tables, depth + 1)})"
        if r < 0.8:
            return f"coalesce({self.col(tables, 'int')[0]}, {self.r.randint(0, 5)})"
        if r < 0.9:
            return f"abs({self.int_expr(tables, depth + 1)})"
        return (f"CASE WHEN {self.predicate(tables, depth + 1)} THEN {self.int_expr(tables, depth + 1)} "
                f"ELSE {self.int_expr(tables, depth + 1)} END")

    def text_expr(self, tables, depth=0):
        r = self.r.random()
        if depth > 1 or r < 0.5:
            return self.col(tables, "text")[0]
        if r < 0.65:
            return f"upper({self.col(tables, 'text')[0]})"
        if r < 0.75:
            return f"coalesce({self.col(tables, 'text')[0]}, 'none')"
        if r < 0.85:
            return f"({self.col(tables, 'text')[0]} || '-' || {self.col(tables, 'text')[0]})"
        return f"CASE WHEN {self.predicate(tables, depth + 1)} THEN 'yes' ELSE {self.col(tables, 'text')[0]} END"

    def expr(self, tables, depth=0):
        r = self.r.random()
        if r < 0.55:
            return self.int_expr(tables, depth)
        if r < 0.85:
            return self.text_expr(tables, depth)
        if any(self.alias_table(t) == "t1" for t in tables):
            t = next(t for t in tables if self.alias_table(t) == "t1")
            return self.r.choice([f"{t}.d", f"({t}.d * 2)", f"coalesce({t}.d, 0)"])
        return f"length({self.col(tables, 'text')[0]})"

    def predicate(self, tables, depth=0):
        r = self.r.random()
        if r < 0.25:
            return f"{self.int_expr(tables, depth + 1)} {self.r.choice(['=', '<>', '<', '<=', '>', '>='])} {self.int_expr(tables, depth + 1)}"
        if r < 0.35:
            return f"{self.col(tables)[0]} IS {self.r.choice(['', 'NOT '])}NULL"
        if r < 0.45:
            lo = self.r.randint(-3, 5)
            return f"{self.col(tables, 'int')[0]} {self.r.choice(['', 'NOT '])}BETWEEN {lo} AND {lo + self.r.randint(0, 6)}"
        if r < 0.55:
            vals = ", ".join(str(self.r.randint(-3, 10)) for _ in range(self.r.randint(1, 4)))
            return f"{self.col(tables, 'int')[0]} {self.r.choice(['', 'NOT '])}IN ({vals})"
        if r < 0.63:
            pattern = self.r.choice(["a%", "%e%", "_a%", "%", "x\\%y", "A%"])
            return f"{self.col(tables, 'text')[0]} {self.r.choice(['LIKE', 'NOT LIKE'])} '{pattern}'"
        if r < 0.7:
            vals = ", ".join(literal(self.r.choice(WORDS)) for _ in range(self.r.randint(1, 3)))
            return f"{self.col(tables, 'text')[0]} IN ({vals})"
        if r < 0.78 and depth == 0:
            return f"{self.col(tables, 'int')[0]} IN (SELECT x FROM t2 WHERE x IS NOT NULL)"
        if r < 0.84 and depth == 0:
            outer = self.col(tables, "int")[0]
            return f"{self.r.choice(['', 'NOT '])}EXISTS (SELECT 1 FROM t3 WHERE t3.v > {outer})"
        if r < 0.92 and depth < 2:
            return f"({self.predicate(tables, depth + 1)} {self.r.choice(['AND', 'OR'])} {self.predicate(tables, depth + 1)})"
        if depth < 2:
            return f"NOT ({self.predicate(tables, depth + 1)})"
        return f"{self.col(tables, 'int')[0]} > 0"

    def from_clause(self):
        r = self.r.random()
        if r < 0.35:
            t = self.r.choice(["t1", "t2", "t3"])
            return t, [t]
        if r < 0.75:
            kind = self.r.choice(["JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN", "JOIN"])
            return f"t1 {kind} t2 ON t1.a = t2.a", ["t1", "t2"]
        if r < 0.85:
            return "t1 JOIN t3 ON t1.b = t3.k LEFT JOIN t2 ON t2.a = t3.k", ["t1", "t2", "t3"]
        if r < 0.93:
            return "t2 CROSS JOIN t3", ["t2", "t3"]
        return "(SELECT a, b + 1 AS b, c, d FROM t1 WHERE b IS NOT NULL) AS s", ["s"]

    def plain_query(self):
        frm, tables = self.from_clause()
        n = self.r.randint(1, 3)
        items = [self.expr(tables) for _ in range(n)]
        if self.r.random() < 0.1:
            items.append(f"(SELECT max(v) FROM t3 WHERE t3.k = {self.col(tables, 'int')[0]})")
        distinct = "DISTINCT " if self.r.random() < 0.2 else ""
        where = f" WHERE {self.predicate(tables)}" if self.r.random() < 0.7 else ""
        return f"SELECT {distinct}{', '.join(items)} FROM {frm}{where}", len(items)

    def aggregate_query(self):
        frm, tables = self.from_clause()
        keys = [self.col(tables)[0] for _ in range(self.r.randint(0, 2))]
        aggs = []
        for _ in range(self.r.randint(1, 3)):
            c = self.col(tables, "int")[0]
            aggs.append(self.r.choice([f"count(*)", f"count({c})", f"sum({c})", f"min({c})", f"max({c})",
                                       f"count(DISTINCT {c})", f"min({self.col(tables, 'text')[0]})",
                                       f"sum({c}) FILTER (WHERE {c} > 0)" if self.r.random() < 0.2 else f"max({c})"]))
        where = f" WHERE {self.predicate(tables)}" if self.r.random() < 0.5 else ""
        group = f" GROUP BY {', '.join(keys)}" if keys else ""
        having = f" HAVING count(*) > {self.r.randint(0, 2)}" if keys and self.r.random() < 0.3 else ""
        return f"SELECT {', '.join(keys + aggs)} FROM {frm}{where}{group}{having}", len(keys) + len(aggs)

    def setop_query(self):
        op = self.r.choice(["UNION", "UNION ALL", "INTERSECT", "EXCEPT", "INTERSECT ALL", "EXCEPT ALL"])
        left = f"SELECT a, c FROM t1 WHERE {self.predicate(['t1'], 1)}"
        right = f"SELECT a, y FROM t2 WHERE {self.predicate(['t2'], 1)}"
        return f"{left} {op} {right}", 2

    def error_query(self):
        """Queries PostgreSQL rejects at run time or at analysis."""
        return self.r.choice([
            ("SELECT a / (b - b) FROM t1 WHERE b IS NOT NULL", 1),
            ("SELECT (SELECT x FROM t2) FROM t3", 1),
            ("SELECT c::int FROM t1 WHERE c <> ''", 1),
            ("SELECT nosuch FROM t1", 1),
            ("SELECT a + c FROM t1", 1),
            ("SELECT 2147483647 + k FROM t3", 1),
        ])

    def query(self):
        r = self.r.random()
        if r < 0.03:
            return self.error_query()[0], False
        if r < 0.5:
            sql, n = self.plain_query()
        elif r < 0.85:
            sql, n = self.aggregate_query()
        else:
            sql, n = self.setop_query()
        ordered = self.r.random() < 0.5
        if ordered:
            sql += " ORDER BY " + ", ".join(f"{i} {self.r.choice(['', 'DESC', 'NULLS FIRST', 'DESC NULLS LAST'])}".rstrip()
                                            for i in range(1, n + 1))
            if self.r.random() < 0.3:
                sql += f" LIMIT {self.r.randint(0, 8)}"
        return sql, ordered


def parse_pg(output):
    """psql -A -t output of pg_script() -> {marker: ('rows', [...]) | ('error', sqlstate)}."""
    results, current, rows = {}, None, []
    for line in output.split("\n"):
        if line.startswith("@@Q "):
            current, rows = line[4:], []
        elif line.startswith("@@S ") and current is not None:
            code = line[4:].strip()
            results[current] = ("rows", rows) if code == "00000" else ("error", code)
            current = None
        elif current is not None:
            rows.append(tuple(line.split("\t")))
    return results


def unescape(value):
    if value == "\\N":
        return "\\N"
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}.get(value[i + 1], value[i + 1]))
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def parse_specdb(output):
    results, current, rows, error = {}, None, [], None
    for line in output.split("\n"):
        if line.startswith("@@Q "):
            if current is not None:
                results[current] = ("error", error) if error else ("rows", rows)
            current, rows, error = line[4:], [], None
        elif line.startswith("R"):
            rows.append(tuple(unescape(v) for v in line.split("\t")[1:]) if "\t" in line else ("",))
        elif line.startswith("E\t"):
            error = line.split("\t")[1]
    return results


def script(queries, end_marker, status=False):
    """The queries between \\echo markers; with `status`, psql's SQLSTATE
    variable after each (errors themselves go to stderr)."""
    lines = []
    for i, (sql, _) in enumerate(queries):
        lines.append(f"\\echo @@Q {i}")
        lines.append(sql + ";")
        if status:
            lines.append("\\echo @@S :SQLSTATE")
    lines.append(f"\\echo @@Q {end_marker}")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specdb", required=True, help="the specdb binary")
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--queries", type=int, default=1200)
    parser.add_argument("--show", type=int, default=30, help="mismatches to print in full")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    setup = SCHEMA + "\n".join(table_rows(rng)) + "\n"
    gen = Gen(rng)
    queries = [gen.query() for _ in range(args.queries)]
    end = "end"

    try:
        with Postgres() as pg:
            base = [str(PG_BIN / "psql"), "-X", "-q", "-h", str(pg.dir), "-p", str(pg.port), "-U", "postgres",
                    "-d", "postgres"]
            subprocess.run(base + ["-v", "ON_ERROR_STOP=1"], input=setup, text=True, check=True,
                           capture_output=True)
            pg_out = subprocess.run(base + ["-A", "-t", "-F", "\t", "-P", "null=\\N", "-f", "-"],
                                    input=script(queries, end, status=True), text=True, capture_output=True)
            pg_results = parse_pg(pg_out.stdout)
    except (ServerError, subprocess.CalledProcessError) as exc:
        print(f"sql.differential: PostgreSQL could not be used: {exc}", file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory(prefix="specdb-diff-") as tmp:
        db = os.path.join(tmp, "db")
        loaded = subprocess.run([args.specdb, "sql", "-D", db, "-v", "ON_ERROR_STOP=1"], input=setup, text=True,
                                capture_output=True)
        if loaded.returncode != 0:
            print(f"sql.differential: loading the tables into specdb failed:\n{loaded.stderr}", file=sys.stderr)
            return 1
        ours = subprocess.run([args.specdb, "sql", "-D", db, "-v", "FORMAT=raw"], input=script(queries, end),
                              text=True, capture_output=True)
        our_results = parse_specdb(ours.stdout)

    mismatches = 0
    for i, (sql, ordered) in enumerate(queries):
        theirs = pg_results.get(str(i))
        mine = our_results.get(str(i))
        if mine is None:
            verdict = "specdb stopped before this query (crash?)"
        elif theirs[0] != mine[0]:
            verdict = "one side failed"
        elif theirs[0] == "error":
            verdict = None if theirs[1] == mine[1] else "different SQLSTATE"
        else:
            a, b = (theirs[1], mine[1]) if ordered else (sorted(theirs[1]), sorted(mine[1]))
            verdict = None if a == b else "different rows"
        if verdict is None:
            continue
        mismatches += 1
        if mismatches <= args.show:
            print(f"MISMATCH {i} ({verdict}): {sql}")
            print(f"  postgres: {format_result(theirs)}")
            print(f"  specdb:   {format_result(mine)}")
    if ours.returncode not in (0, 3):
        print(f"specdb exited with status {ours.returncode}: {ours.stderr[-2000:]}")
        mismatches += 1
    print(f"sql.differential: {len(queries)} queries, {len(queries) - mismatches} agree, {mismatches} mismatches"
          f" (seed {args.seed})")
    return 1 if mismatches else 0


def format_result(result):
    if result is None:
        return "nothing"
    if result[0] == "error":
        return f"ERROR {result[1]}"
    rows = result[1]
    shown = " | ".join(",".join(r) for r in rows[:12])
    return f"{len(rows)} rows: {shown}{' ...' if len(rows) > 12 else ''}"


if __name__ == "__main__":
    sys.exit(main())
