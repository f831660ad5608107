"""What spec/functions.toml, operators.toml and casts.toml share: the
example schema and its rules, type name -> OID resolution, OID reservation
and the function index operators and casts refer to.

Not a spec module itself: functions.py, operators.py and casts.py use it.
Cross-file checks run when outputs are made (gen.py hands every module all
loaded specs through ctx.loaded); they raise SpecError like load-time checks.
"""

import re

from specload import Field, Table, unique_across

IDENT = r"[a-z_][a-z0-9_]*"
SQLSTATE = r"[0-9A-Z]{5}"

EXAMPLE = Table("example", [
    Field("sql", str, required=True),
    Field("result", str),
    Field("error", str, pattern=SQLSTATE),
    Field("rows", list),
])

_NULL_WORD = re.compile(r"\bnull\b", re.IGNORECASE)


def example_field():
    return Field("examples", list, required=True, item=EXAMPLE)


def check_examples(entry, strict, returns_set=False):
    """Every entry has examples, each with a result or an error (a
    set-returning function's: `rows`, the text of each row in order, or an
    error); the NULL behaviour of an entry taking arguments is tested: a
    strict one needs an example with a NULL argument giving NULL (no rows
    for a set-returning one), a non-strict one an example with a NULL
    argument."""
    examples = entry["examples"]
    if not examples:
        raise entry.error("no examples (every entry needs at least one)", "examples")
    outcome = "rows" if returns_set else "result"
    other = "result" if returns_set else "rows"
    for example in examples:
        if example[other] is not None:
            raise example.error(f"'{other}' is for {'functions that do not return' if returns_set else 'set-returning functions'}"
                                f"{' a set' if returns_set else ''}; use '{outcome}'")
        if (example[outcome] is None) == (example["error"] is None):
            raise example.error(f"an example needs exactly one of '{outcome}' or 'error'")
        if returns_set and example["rows"] is not None and any(not isinstance(r, str) for r in example["rows"]):
            raise example.error("'rows' must list the text of each row")
    if strict is None:
        return
    with_null = [e for e in examples if _NULL_WORD.search(e["sql"])]
    null_result = [] if returns_set else "NULL"
    if strict and not any(e[outcome] == null_result for e in with_null):
        raise entry.error("strict, but no example shows a NULL argument giving "
                          f"{'no rows' if returns_set else 'NULL'}", "examples")
    if not strict and not with_null:
        raise entry.error("not strict, but no example has a NULL argument", "examples")


def type_oids(ctx):
    """Type name -> OID, array types ("_int4") included."""
    oids = {}
    for entry in ctx.loaded["types.toml"]["type"]:
        oid = entry["oid"] if entry["oid"] is not None else ctx.oid_lock.issue(f"type:{entry['name']}")
        oids[entry["name"]] = oid
        if entry["has_array"]:
            array = entry["array_oid"]
            oids["_" + entry["name"]] = array if array is not None else ctx.oid_lock.issue(f"type:_{entry['name']}")
    return oids


def check_type(entry, key, name, types):
    if name not in types:
        raise entry.error(f"'{key}' refers to unknown type {name!r}", key)
    return types[name]


def reserve_oids(ctx):
    """Reserve every OID the function, operator and aggregate files give, so
    none is issued twice."""
    numbered = []
    for file, table in (("functions.toml", "function"), ("operators.toml", "operator"),
                        ("aggregates.toml", "aggregate"), ("aggregates.toml", "window")):
        numbered += [(e, "oid", e["oid"]) for e in ctx.loaded[file][table] if e["oid"] is not None]
    unique_across(numbered, "function or operator OID")
    for _, _, oid in numbered:
        ctx.oid_lock.reserve(oid)


def signature(name, args):
    return f"{name}({', '.join(args)})"


def function_index(ctx):
    """(name, arg type names) -> function entry."""
    return {(e["name"], tuple(e["args"])): e for e in ctx.loaded["functions.toml"]["function"]}


def function_oid(ctx, entry):
    if entry["oid"] is not None:
        return entry["oid"]
    return ctx.oid_lock.issue("function:" + signature(entry["name"], entry["args"]))


def resolve_function(entry, key, name, args, ctx):
    """The functions.toml entry called ``name`` taking ``args``."""
    found = function_index(ctx).get((name, tuple(args)))
    if found is None:
        raise entry.error(f"'{key}' refers to unknown function {signature(name, args)}", key)
    return found


def example_rows(entries, what, spec_file):
    """Rows for the generated example table: what, sql, result, SQLSTATE, where."""
    rows = []
    for entry in entries:
        for example in entry["examples"]:
            is_set = bool(entry.get("returns_set"))
            result = "\n".join(example["rows"]) if example["rows"] is not None else example["result"]
            rows.append({"what": what(entry), "sql": example["sql"], "result": result, "set": is_set,
                         "error": example["error"], "where": f"spec/{spec_file}:{example.line()}"})
    return rows


def example_values(entry):
    """An entry's examples as plain dicts (sql, result, error) for templates."""
    return [dict(example.values) for example in entry["examples"]]
