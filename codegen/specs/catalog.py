"""spec/catalog.toml: the system catalogs -> relation and column descriptors
(sdb_catalog.h/.c: OIDs, attribute numbers, lookups), and a reference page.

Column types are names of spec/types.toml entries (or "_" + name for their
array types); the generated C refers to them through sdb_types.h's
SDB_TYPEOID_* macros, so a type's OID lives in one place only.
"""

from pathlib import Path

from emit import Output
from specload import Field, Table, load_spec, unique_across
from specs import types

FILE = "catalog.toml"

_IDENT = r"[a-z_][a-z0-9_]*"

TABLES = [
    Table("relation", [
        Field("schema", str, required=True, choices=("pg_catalog", "information_schema")),
        Field("name", str, required=True, pattern=_IDENT),
        Field("oid", int, unique=True),
        Field("kind", str, required=True, choices=("table", "view")),
        Field("shared", bool, default=False),
        Field("description", str, required=True),
        Field("definition", str),
        Field("columns", list, required=True, item=Table("relation.columns", [
            Field("name", str, required=True, unique=True, pattern=_IDENT),
            Field("type", str, required=True),
            Field("typmod", int, default=-1),
            Field("not_null", bool, default=False),
        ])),
    ]),
]


def type_macros(spec_path):
    """{type name: SDB_TYPEOID_* macro} for every type of the types spec next
    to ``spec_path``, array types included."""
    path = Path(spec_path).parent / types.FILE
    loaded = load_spec(path, types.TABLES, str(path))
    macros = {}
    for entry in loaded["type"]:
        macro = "SDB_TYPEOID_" + entry["name"].upper()
        macros[entry["name"]] = macro
        if entry["has_array"]:
            macros["_" + entry["name"]] = macro + "_ARRAY"
    return macros


def check(loaded):
    """Relations are unique by schema and name, and each follows _check_relation."""
    relations = loaded["relation"]
    unique_across([(e, "name", f"{e['schema']}.{e['name']}") for e in relations], "relation")
    known_types = type_macros(relations[0].path)
    for entry in relations:
        _check_relation(entry, known_types)


def _check_relation(entry, known_types):
    """The rules one relation must follow beyond its schema."""
    if entry["kind"] == "table" and entry["oid"] is None:
        raise entry.error("a catalog table needs PostgreSQL's 'oid'", "kind")
    if entry["kind"] == "view" and entry["shared"]:
        raise entry.error("a view cannot be shared", "shared")
    if not entry["columns"]:
        raise entry.error("a relation needs at least one column", "columns")
    for column in entry["columns"]:
        if column["type"] not in known_types:
            raise column.error(f"column '{column['name']}' has unknown type {column['type']!r} "
                               f"(not in spec/{types.FILE})", "type")
        if entry["kind"] == "view" and column["not_null"]:
            raise column.error(f"column '{column['name']}' of a view cannot be not_null", "not_null")
    if (entry["kind"] == "view") != (entry["definition"] is not None):
        raise entry.error("a view needs a 'definition' (its SELECT) and a table none", "definition")


def _macro_stem(entry):
    """PG_CLASS for pg_catalog.pg_class, INFORMATION_SCHEMA_TABLES for information_schema.tables."""
    name = entry["name"] if entry["schema"] == "pg_catalog" else f"{entry['schema']}_{entry['name']}"
    return name.upper()


def _relation(entry, oid, macros):
    return {
        "oid": oid,
        "schema": entry["schema"],
        "name": entry["name"],
        "macro": _macro_stem(entry),
        "kind": entry["kind"].upper(),
        "shared": entry["shared"],
        "description": entry["description"],
        "definition": entry["definition"],
        "columns": [{
            "name": column["name"],
            "macro": column["name"].upper(),
            "type": column["type"],
            "type_macro": macros[column["type"]],
            "typmod": column["typmod"],
            "not_null": column["not_null"],
            "attnum": attnum,
        } for attnum, column in enumerate(entry["columns"], start=1)],
    }


def _relation_oid(entry, lock):
    """PostgreSQL's OID from the spec, or the one codegen pinned for the relation."""
    if entry["oid"] is not None:
        return entry["oid"]
    return lock.issue(f"relation:{entry['schema']}.{entry['name']}")


def outputs(loaded, ctx):
    lock = ctx.oid_lock
    relations = loaded["relation"]
    for entry in relations:
        if entry["oid"] is not None:
            lock.reserve(entry["oid"])
    macros = type_macros(relations[0].path)
    rows = [_relation(entry, _relation_oid(entry, lock), macros) for entry in relations]
    by_oid = sorted(rows, key=lambda row: row["oid"])
    by_name = sorted(range(len(by_oid)), key=lambda i: (by_oid[i]["schema"], by_oid[i]["name"]))
    context = {"relations": by_oid, "by_name": by_name, "spec_order": rows}
    sources = (FILE,)
    return [
        Output("include/sdb_catalog.h", "catalog.h.j2", sources, context),
        Output("src/sdb_catalog.c", "catalog.c.j2", sources, context),
        Output("docs/reference/catalog.md", "catalog.md.j2", sources, context),
    ]
