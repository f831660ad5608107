"""spec/functions.toml: scalar functions -> the function table (PostgreSQL's
pg_proc facts and a pointer to each C function), extern declarations (a
missing C function is a link error), lookups, a reference page, and the table
of every example of functions, operators and casts that test_functions runs.
"""

import re

from emit import Output
from specload import Field, Table

from specs import aggregates, routines

FILE = "functions.toml"
MAX_ARGS = 100  # SDB_FN_MAX_ARGS, PostgreSQL's FUNC_MAX_ARGS

TABLES = [
    Table("function", [
        Field("name", str, required=True, pattern=routines.IDENT),
        Field("oid", int, unique=True),
        Field("args", list, required=True),
        Field("result", str, required=True),
        Field("volatility", str, required=True, choices=("immutable", "stable", "volatile")),
        Field("strict", bool, required=True),
        Field("variadic", bool, default=False),
        Field("returns_set", bool, default=False),
        Field("result_name", str, pattern=routines.IDENT),
        Field("out", list),
        Field("symbol", str, required=True, pattern=r"sdb_fn_[a-z0-9_]+"),
        Field("description", str, required=True),
        routines.example_field(),
    ]),
]


def check(loaded):
    seen = {}
    for entry in loaded["function"]:
        if any(not isinstance(arg, str) for arg in entry["args"]):
            raise entry.error("'args' must list type names", "args")
        if len(entry["args"]) > MAX_ARGS:
            raise entry.error(f"more than {MAX_ARGS} arguments (SDB_FN_MAX_ARGS in runtime/expr/fmgr.h)", "args")
        key = (entry["name"], tuple(entry["args"]))
        if key in seen:
            raise entry.error(f"duplicate signature {routines.signature(*key)} "
                              f"(first at line {seen[key].line()})", "args")
        seen[key] = entry
        if entry["variadic"] and not entry["args"]:
            raise entry.error("a variadic function repeats its last argument, but has none", "variadic")
        check_out(entry)
        routines.check_examples(entry, entry["strict"] if entry["args"] else None, entry["returns_set"])
    kinds = {}
    for entry in loaded["function"]:
        first = kinds.setdefault(entry["symbol"], entry)
        if first["returns_set"] != entry["returns_set"]:
            raise entry.error(f"{entry['symbol']} serves a {'set-returning' if first['returns_set'] else 'scalar'} "
                              f"function (line {first.line()}): one C function has one calling convention", "symbol")


def check_out(entry):
    """OUT columns: [name, type] pairs of a set-returning function whose
    result is record (PostgreSQL's proallargtypes/proargmodes 'o')."""
    out = entry["out"]
    if out is None:
        if entry["result"] == "record" and entry["returns_set"]:
            raise entry.error("a set-returning function of result record needs its 'out' columns", "result")
        return
    if not entry["returns_set"]:
        raise entry.error("'out' columns are for set-returning functions (returns_set = true)", "out")
    if entry["result"] != "record":
        raise entry.error(f"a function with 'out' columns returns record, not {entry['result']}", "result")
    if entry["result_name"] is not None:
        raise entry.error("'result_name' names the one column of a function without 'out' columns", "result_name")
    if len(out) < 2 or len(out) > MAX_ARGS:
        raise entry.error(f"'out' lists 2 to {MAX_ARGS} columns (one OUT column: use result and result_name)", "out")
    names = set()
    for column in out:
        if (not isinstance(column, list) or len(column) != 2 or not all(isinstance(x, str) for x in column)
                or not re.fullmatch(routines.IDENT, column[0])):
            raise entry.error(f"'out' column {column!r} is not a [name, type] pair of strings", "out")
        if column[0] in names:
            raise entry.error(f"'out' names column {column[0]!r} twice", "out")
        names.add(column[0])


def rows(ctx):
    """The function table rows, ordered by OID."""
    types = routines.type_oids(ctx)
    routines.reserve_oids(ctx)
    result = []
    for entry in ctx.loaded[FILE]["function"]:
        arg_oids = [routines.check_type(entry, "args", arg, types) for arg in entry["args"]]
        result.append({
            "oid": routines.function_oid(ctx, entry),
            "name": entry["name"],
            "signature": routines.signature(entry["name"], entry["args"]),
            "args": entry["args"], "arg_oids": arg_oids,
            "result": entry["result"], "result_oid": routines.check_type(entry, "result", entry["result"], types),
            "volatility": entry["volatility"], "strict": entry["strict"], "variadic": entry["variadic"],
            "retset": entry["returns_set"], "result_name": entry["result_name"],
            "out": [{"name": name, "type": type_name, "oid": routines.check_type(entry, "out", type_name, types)}
                    for name, type_name in entry["out"] or []],
            "symbol": entry["symbol"], "description": entry["description"],
            "examples": routines.example_values(entry), "kind": "normal",
        })
    seen = {(row["name"], tuple(row["args"])) for row in result}
    entries = {(e["name"], tuple(e["args"])): e for file, table in ((aggregates.FILE, "aggregate"), (aggregates.FILE, "window"))
               for e in ctx.loaded[file][table]}
    agg_rows = aggregates.function_rows(ctx)
    agg_oids = sorted(row["oid"] for row in agg_rows if row["kind"] == "aggregate")
    kinds = {row["name"]: "normal" for row in result}
    for row in agg_rows:
        key = (row["name"], tuple(row["args"]))
        if key in seen:
            raise entries[key].error(f"{row['signature']} is also a function of {FILE}", "args")
        if kinds.setdefault(row["name"], row["kind"]) != row["kind"]:
            raise entries[key].error(f"{row['name']} is also the name of a {kinds[row['name']]} function "
                                     "(all overloads of a name are of one kind)", "name")
        row["agg_index"] = agg_oids.index(row["oid"]) if row["kind"] == "aggregate" else None
    return sorted(result + agg_rows, key=lambda row: row["oid"])


def outputs(loaded, ctx):
    funcs = rows(ctx)
    by_name = sorted(range(len(funcs)), key=lambda i: (funcs[i]["name"], funcs[i]["oid"]))
    symbols = sorted({row["symbol"] for row in funcs if row["kind"] == "normal" and not row["retset"]})
    srf_symbols = sorted({row["symbol"] for row in funcs if row["kind"] == "normal" and row["retset"]})
    windows = sorted({row["symbol"] for row in funcs if row["kind"] == "window"})
    examples = routines.example_rows(loaded["function"], lambda e: "function " + routines.signature(e["name"], e["args"]), FILE)
    examples += routines.example_rows(ctx.loaded["operators.toml"]["operator"],
                                      lambda e: f"operator {e['left'] or 'NONE'} {e['name']} {e['right']}", "operators.toml")
    examples += routines.example_rows(ctx.loaded["casts.toml"]["cast"],
                                      lambda e: f"cast {e['source']} AS {e['target']}", "casts.toml")
    context = {"functions": funcs, "by_name": by_name, "symbols": symbols, "srf_symbols": srf_symbols, "window_symbols": windows,
               "agg_symbols": sorted({s for e in ctx.loaded[aggregates.FILE]["aggregate"]
                                      for s in (e["init"], e["step"], e["final"])}),
               "combine_symbols": sorted({e["combine"] for e in ctx.loaded[aggregates.FILE]["aggregate"] if e["combine"]}),
               "aggregate_count": len(ctx.loaded[aggregates.FILE]["aggregate"]), "examples": examples}
    sources = (FILE, "operators.toml", "casts.toml")
    return [
        Output("include/sdb_functions.h", "functions.h.j2", (FILE, aggregates.FILE), context),
        Output("src/sdb_functions.c", "functions.c.j2", (FILE, aggregates.FILE), context),
        Output("docs/reference/functions.md", "functions.md.j2", (FILE,), context),
        Output("tests/sdb_examples.h", "examples.h.j2", sources, context),
        Output("tests/sdb_examples.c", "examples.c.j2", sources, context),
    ]
