"""spec/casts.toml: casts between types -> the cast table (PostgreSQL's
pg_cast facts: method, function, context), a lookup by source and target,
and a reference page."""

from emit import Output
from specload import Field, Table

from specs import routines

FILE = "casts.toml"

TABLES = [
    Table("cast", [
        Field("source", str, required=True),
        Field("target", str, required=True),
        Field("method", str, required=True, choices=("function", "inout", "binary")),
        Field("function", str, pattern=routines.IDENT),
        Field("context", str, required=True, choices=("implicit", "assignment", "explicit")),
        routines.example_field(),
    ]),
]


def check(loaded):
    seen = {}
    for entry in loaded["cast"]:
        key = (entry["source"], entry["target"])
        if key in seen:
            raise entry.error(f"duplicate cast {key[0]} AS {key[1]} (first at line {seen[key].line()})", "target")
        seen[key] = entry
        if (entry["method"] == "function") != (entry["function"] is not None):
            raise entry.error("'function' is given exactly when method = 'function'", "method")
        routines.check_examples(entry, None)


def _cast_function(entry, ctx):
    """The function of a cast: it takes the source value, and may also take
    the target typmod (int4) and whether the cast is explicit (bool), as
    PostgreSQL's length coercions do (varchar(varchar, int4, bool))."""
    index = routines.function_index(ctx)
    for extra in ((), ("int4",), ("int4", "bool")):
        found = index.get((entry["function"], (entry["source"],) + extra))
        if found is not None:
            return found
    return routines.resolve_function(entry, "function", entry["function"], [entry["source"]], ctx)


def outputs(loaded, ctx):
    types = routines.type_oids(ctx)
    routines.reserve_oids(ctx)
    binary = {(e["source"], e["target"]) for e in loaded["cast"] if e["method"] == "binary"}
    rows = []
    for entry in loaded["cast"]:
        source = routines.check_type(entry, "source", entry["source"], types)
        target = routines.check_type(entry, "target", entry["target"], types)
        func_oid, function = 0, None
        if entry["function"] is not None:
            func = _cast_function(entry, ctx)
            if func["result"] != entry["target"] and (func["result"], entry["target"]) not in binary:
                raise entry.error(f"{entry['function']} returns {func['result']!r}, which is not "
                                  f"{entry['target']!r} nor binary-coercible to it", "function")
            func_oid, function = routines.function_oid(ctx, func), routines.signature(func["name"], func["args"])
        rows.append({"source": entry["source"], "target": entry["target"], "source_oid": source,
                     "target_oid": target, "method": entry["method"], "func_oid": func_oid,
                     "function": function, "context": entry["context"], "examples": routines.example_values(entry)})
    rows.sort(key=lambda row: (row["source_oid"], row["target_oid"]))
    context = {"casts": rows}
    return [
        Output("include/sdb_casts.h", "casts.h.j2", (FILE,), context),
        Output("src/sdb_casts.c", "casts.c.j2", (FILE,), context),
        Output("docs/reference/casts.md", "casts.md.j2", (FILE,), context),
    ]
