"""spec/aggregates.toml: aggregate and window functions -> entries of the
function table (kind aggregate/window, so the binder resolves them like any
function), the aggregate table (init/step/final/combine C functions and
state sizes, sdb_aggregates.c), a reference page, and the example table
test_aggregates runs (rows in, result out; a partition in, one result per
row out).
"""

from emit import Output
from specload import Field, Table

from specs import routines

FILE = "aggregates.toml"
SQLSTATE = routines.SQLSTATE

# Polymorphic pseudo types and what a concrete example binds them to.
POLYMORPHIC = ("anyelement", "anynonarray", "anyarray", "anycompatible", "anycompatiblearray")
ARRAY_POLYMORPHIC = ("anyarray", "anycompatiblearray")

AGG_EXAMPLE = Table("example", [
    Field("rows", list, required=True),
    Field("types", list),
    Field("result", str),
    Field("error", str, pattern=SQLSTATE),
])

WINDOW_EXAMPLE = Table("example", [
    Field("peers", list, required=True),
    Field("rows", list),
    Field("frames", list),
    Field("types", list),
    Field("results", list),
    Field("error", str, pattern=SQLSTATE),
])

TABLES = [
    Table("aggregate", [
        Field("name", str, required=True, pattern=routines.IDENT),
        Field("oid", int, unique=True),
        Field("args", list, required=True),
        Field("result", str, required=True),
        Field("strict", bool, required=True),
        Field("ordered_set", bool, default=False),
        Field("state", str, required=True, pattern=r"SdbAgg[A-Za-z0-9]+"),
        Field("init", str, required=True, pattern=r"sdb_agg_[a-z0-9_]+"),
        Field("step", str, required=True, pattern=r"sdb_agg_[a-z0-9_]+"),
        Field("final", str, required=True, pattern=r"sdb_agg_[a-z0-9_]+"),
        Field("combine", str, pattern=r"sdb_agg_[a-z0-9_]+"),
        Field("description", str, required=True),
        Field("examples", list, required=True, item=AGG_EXAMPLE),
    ]),
    Table("window", [
        Field("name", str, required=True, pattern=routines.IDENT),
        Field("oid", int, unique=True),
        Field("args", list, required=True),
        Field("result", str, required=True),
        Field("symbol", str, required=True, pattern=r"sdb_win_[a-z0-9_]+"),
        Field("description", str, required=True),
        Field("examples", list, required=True, item=WINDOW_EXAMPLE),
    ]),
]


def _check_strings(entry, key, values, what):
    if any(not isinstance(v, str) for v in values):
        raise entry.error(f"'{key}' must list {what}", key)


def _row_cells(example, nargs, key="rows"):
    """A row given as one string (one argument) or a list of strings."""
    cells = []
    for row in example[key] or []:
        cell = [row] if isinstance(row, str) else row
        if not isinstance(cell, list) or any(not isinstance(c, str) for c in cell):
            raise example.error(f"each of '{key}' must be a string or a list of strings")
        if len(cell) != nargs:
            raise example.error(f"a row of '{key}' has {len(cell)} values, the function takes {nargs}")
        cells.append(cell)
    return cells


def _check_types(entry, example):
    """The concrete argument types of an example: 'types', needed when an
    argument is polymorphic."""
    types = example["types"]
    if types is None:
        if any(arg in POLYMORPHIC or arg == "any" for arg in entry["args"]):
            raise example.error("polymorphic or \"any\" arguments: the example needs 'types'")
        return
    _check_strings(example, "types", types, "type names")
    if len(types) != len(entry["args"]):
        raise example.error(f"'types' has {len(types)} types, the function takes {len(entry['args'])}")


def _check_outcome(example, key):
    if (example[key] is None) == (example["error"] is None):
        raise example.error(f"an example needs exactly one of '{key}' or 'error'")


def _check_common(entry, seen, table):
    _check_strings(entry, "args", entry["args"], "type names")
    key = (entry["name"], tuple(entry["args"]))
    if key in seen:
        raise entry.error(f"duplicate signature {routines.signature(*key)} "
                          f"(first at line {seen[key].line()})", "args")
    seen[key] = entry
    if not entry["examples"]:
        raise entry.error("no examples (every entry needs at least one)", "examples")


def check(loaded):
    seen = {}
    for entry in loaded["aggregate"]:
        _check_common(entry, seen, "aggregate")
        if entry["ordered_set"] and not entry["args"]:
            raise entry.error("an ordered-set aggregate takes its direct arguments, then the ordered one", "ordered_set")
        for example in entry["examples"]:
            _check_outcome(example, "result")
            _check_types(entry, example)
            _row_cells(example, len(entry["args"]))
        if not any(not e["rows"] for e in entry["examples"]):
            raise entry.error("no example with empty input (rows = [])", "examples")
        if entry["args"] and not any("NULL" in cells for e in entry["examples"]
                                     for cells in _row_cells(e, len(entry["args"]))):
            raise entry.error("no example with a NULL argument", "examples")
    for entry in loaded["window"]:
        _check_common(entry, seen, "window")
        for example in entry["examples"]:
            _check_outcome(example, "results")
            _check_types(entry, example)
            _check_partition(entry, example)


def _check_partition(entry, example):
    peers = example["peers"]
    if not peers or any(isinstance(p, bool) or not isinstance(p, int) for p in peers):
        raise example.error("'peers' must list a peer group number per row")
    if any(b < a or b > a + 1 for a, b in zip(peers, peers[1:])) or peers[0] != 0:
        raise example.error("'peers' must count up from 0 by steps of 0 or 1 (rows in window order)")
    n = len(peers)
    cells = _row_cells(example, len(entry["args"]))
    if entry["args"] and len(cells) != n:
        raise example.error(f"'rows' has {len(cells)} rows, 'peers' {n}")
    if example["rows"] and not entry["args"]:
        raise example.error("the function takes no arguments: no 'rows'")
    frames = example["frames"]
    if frames is not None:
        if len(frames) != n or any(not isinstance(f, list) or len(f) != 2 for f in frames):
            raise example.error("'frames' must give [first, last] row (0-based) per row")
    results = example["results"]
    if results is not None:
        _check_strings(example, "results", results, "text outputs")
        if len(results) != n:
            raise example.error(f"'results' has {len(results)} values, 'peers' {n}")


def _concrete(entry, example, types):
    """Concrete argument and result type names of one example."""
    args = example["types"] or entry["args"]
    for declared, actual in zip(entry["args"], args):
        routines.check_type(example, "types", actual, types)
        if declared not in POLYMORPHIC and declared != actual and declared != "any":
            raise example.error(f"'types' gives {actual} for an argument of type {declared}")
    result = entry["result"]
    if result in POLYMORPHIC:
        bound = next((a if d not in ARRAY_POLYMORPHIC else a[1:] for d, a in zip(entry["args"], args)
                      if d in POLYMORPHIC), None)
        if bound is None:
            raise entry.error("a polymorphic result needs a polymorphic argument", "result")
        result = "_" + bound if result in ARRAY_POLYMORPHIC else bound
        routines.check_type(example, "types", result, types)
    return args, result


def function_rows(ctx):
    """Rows for the function table (functions.py merges them in)."""
    types = routines.type_oids(ctx)
    rows = []
    for table, kind in (("aggregate", "aggregate"), ("window", "window")):
        for entry in ctx.loaded[FILE][table]:
            rows.append({
                "oid": routines.function_oid(ctx, entry),
                "name": entry["name"], "kind": kind, "retset": False, "result_name": None, "out": [],
                "signature": routines.signature(entry["name"], entry["args"]),
                "args": entry["args"],
                "arg_oids": [routines.check_type(entry, "args", a, types) for a in entry["args"]],
                "result": entry["result"], "result_oid": routines.check_type(entry, "result", entry["result"], types),
                "volatility": "immutable", "strict": entry.get("strict") or False, "variadic": False,
                "symbol": entry.get("symbol"), "description": entry["description"],
                "examples": [],
            })
    return rows


def _cells_c(cells):
    return [None if c == "NULL" else c for row in cells for c in row]


def _example_rows(ctx):
    types = routines.type_oids(ctx)
    aggs, wins = [], []
    for entry in ctx.loaded[FILE]["aggregate"]:
        for example in entry["examples"]:
            args, result = _concrete(entry, example, types)
            aggs.append({
                "what": "aggregate " + routines.signature(entry["name"], entry["args"]),
                "where": f"spec/{FILE}:{example.line()}",
                "oid": routines.function_oid(ctx, entry),
                "argtypes": [types[a] for a in args], "rettype": types[result],
                "nrows": len(example["rows"]), "cells": _cells_c(_row_cells(example, len(args))),
                "result": example["result"], "error": example["error"],
            })
    for entry in ctx.loaded[FILE]["window"]:
        for example in entry["examples"]:
            args, result = _concrete(entry, example, types)
            frames = example["frames"]
            wins.append({
                "what": "window " + routines.signature(entry["name"], entry["args"]),
                "where": f"spec/{FILE}:{example.line()}",
                "oid": routines.function_oid(ctx, entry),
                "argtypes": [types[a] for a in args], "rettype": types[result],
                "nrows": len(example["peers"]), "cells": _cells_c(_row_cells(example, len(args))),
                "peers": example["peers"],
                "frames": [b for f in frames for b in f] if frames else [],
                "results": example["results"] or [], "error": example["error"],
            })
    return aggs, wins


def _aggregate_rows(ctx):
    rows = []
    for entry in ctx.loaded[FILE]["aggregate"]:
        rows.append({"oid": routines.function_oid(ctx, entry), "state": entry["state"],
                     "init": entry["init"], "step": entry["step"], "final": entry["final"],
                     "combine": entry["combine"], "ordered_set": entry["ordered_set"],
                     "signature": routines.signature(entry["name"], entry["args"]),
                     "result": entry["result"], "strict": entry["strict"],
                     "description": entry["description"], "examples": entry["examples"]})
    return sorted(rows, key=lambda r: r["oid"])


def _doc_example(example):
    rows = ", ".join("(" + ", ".join(r if isinstance(r, list) else [r]) + ")" for r in example["rows"])
    outcome = example["result"] if example["result"] is not None else "error " + example["error"]
    return f"{{{rows}}} → {outcome}"


def _doc_window_example(example):
    if example["rows"]:
        rows = ", ".join("(" + ", ".join(r if isinstance(r, list) else [r]) + ")" for r in example["rows"])
    else:
        rows = f"{len(example['peers'])} rows"
    outcome = ", ".join(example["results"]) if example["results"] is not None else "error " + example["error"]
    return f"{{{rows}}} peers {example['peers']} → {outcome}"


def outputs(loaded, ctx):
    routines.reserve_oids(ctx)
    aggregates = _aggregate_rows(ctx)
    windows = sorted(({"signature": routines.signature(e["name"], e["args"]), "result": e["result"],
                       "oid": routines.function_oid(ctx, e), "symbol": e["symbol"],
                       "description": e["description"],
                       "examples": [_doc_window_example(x) for x in e["examples"]]}
                      for e in loaded["window"]), key=lambda r: r["signature"])
    for row in aggregates:
        row["doc_examples"] = [_doc_example(x) for x in row["examples"]]
    agg_examples, win_examples = _example_rows(ctx)
    symbols = sorted({s for r in aggregates for s in (r["init"], r["step"], r["final"])})
    combines = sorted({r["combine"] for r in aggregates if r["combine"]})
    context = {"aggregates": aggregates, "windows": windows, "agg_examples": agg_examples,
               "win_examples": win_examples, "agg_symbols": symbols, "combine_symbols": combines,
               "by_signature": sorted(aggregates, key=lambda r: r["signature"])}
    return [
        Output("src/sdb_aggregates.c", "aggregates.c.j2", (FILE,), context),
        Output("docs/reference/aggregates.md", "aggregates.md.j2", (FILE,), context),
        Output("tests/sdb_agg_examples.h", "agg_examples.h.j2", (FILE,), context),
        Output("tests/sdb_agg_examples.c", "agg_examples.c.j2", (FILE,), context),
    ]
