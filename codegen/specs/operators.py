"""spec/operators.toml: operators -> the operator table (PostgreSQL's
pg_operator facts, each resolved to its function of functions.toml), lookups
by name and OID, and a reference page."""

from emit import Output
from specload import Field, Table

from specs import routines

FILE = "operators.toml"

_OPERATOR = r"[-+*/<>=~!@#%^&|`?]+"

TABLES = [
    Table("operator", [
        Field("name", str, required=True, pattern=_OPERATOR),
        Field("oid", int, unique=True),
        Field("left", str),
        Field("right", str, required=True),
        Field("result", str, required=True),
        Field("function", str, required=True, pattern=routines.IDENT),
        Field("commutator", str, pattern=_OPERATOR),
        Field("negator", str, pattern=_OPERATOR),
        Field("description", str, required=True),
        routines.example_field(),
    ]),
]


def _operands(entry):
    return tuple(t for t in (entry["left"], entry["right"]) if t is not None)


def check(loaded):
    seen = {}
    for entry in loaded["operator"]:
        key = (entry["name"], entry["left"], entry["right"])
        if key in seen:
            raise entry.error(f"duplicate operator {entry['left'] or 'NONE'} {entry['name']} {entry['right']} "
                              f"(first at line {seen[key].line()})", "name")
        seen[key] = entry
        if entry["left"] is None and entry["commutator"] is not None:
            raise entry.error("a prefix operator has no commutator", "commutator")
        routines.check_examples(entry, None)  # NULL examples: in outputs(), which knows the function


def _partner(entry, key, ops, operands):
    """OID-less reference to the commutator/negator: its (name, left, right)."""
    name = entry[key]
    if name is None:
        return None
    wanted = (name,) + operands
    if wanted not in ops:
        raise entry.error(f"'{key}' refers to unknown operator {name} ({', '.join(operands)})", key)
    return ops[wanted]


def outputs(loaded, ctx):
    types = routines.type_oids(ctx)
    routines.reserve_oids(ctx)
    entries = loaded["operator"]
    oids = {}
    for entry in entries:
        oids[(entry["name"], entry["left"], entry["right"])] = entry["oid"] if entry["oid"] is not None else \
            ctx.oid_lock.issue(f"operator:{entry['left'] or 'NONE'} {entry['name']} {entry['right']}")
    rows = []
    for entry in entries:
        for key in ("left", "right", "result"):
            if entry[key] is not None:
                routines.check_type(entry, key, entry[key], types)
        func = routines.resolve_function(entry, "function", entry["function"], _operands(entry), ctx)
        # an operator is as strict as its function (array_cat's || is not)
        routines.check_examples(entry, func["strict"])
        if func["result"] != entry["result"]:
            raise entry.error(f"result {entry['result']!r} differs from {entry['function']}'s {func['result']!r}", "result")
        commutator = _partner(entry, "commutator", oids, (entry["right"], entry["left"])) if entry["left"] else None
        negator = _partner(entry, "negator", oids, (entry["left"], entry["right"]))
        rows.append({
            "oid": oids[(entry["name"], entry["left"], entry["right"])],
            "name": entry["name"], "left": entry["left"], "right": entry["right"], "result": entry["result"],
            "left_oid": types[entry["left"]] if entry["left"] else 0, "right_oid": types[entry["right"]],
            "result_oid": types[entry["result"]],
            "func_oid": routines.function_oid(ctx, func), "function": routines.signature(func["name"], func["args"]),
            "commutator": commutator or 0, "negator": negator or 0,
            "description": entry["description"], "examples": routines.example_values(entry),
        })
    rows.sort(key=lambda row: row["oid"])
    by_name = sorted(range(len(rows)), key=lambda i: (rows[i]["name"], rows[i]["oid"]))
    context = {"operators": rows, "by_name": by_name}
    return [
        Output("include/sdb_operators.h", "operators.h.j2", (FILE,), context),
        Output("src/sdb_operators.c", "operators.c.j2", (FILE,), context),
        Output("docs/reference/operators.md", "operators.md.j2", (FILE,), context),
    ]
