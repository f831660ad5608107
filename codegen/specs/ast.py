"""spec/ast.toml: the SQL parse tree -> node structs, tags, enums,
constructors, walker and printer (sdb_ast.h/.c), and a reference page."""

import re

from emit import Output
from specload import Field, Table, unique_across

FILE = "ast.toml"

SCALAR_TYPES = {  # field type -> C type
    "node": "SdbNode *",
    "list": "SdbList *",
    "string": "char *",
    "int": "int",
    "bool": "bool",
    "location": "int",
}

_PASCAL = r"[A-Z][A-Za-z0-9]*"
_SNAKE = r"[a-z][a-z0-9_]*"
RESERVED = ("List", "Node")  # names the runtime already uses

TABLES = [
    Table("enum", [
        Field("name", str, required=True, unique=True, pattern=_PASCAL),
        Field("comment", str, required=True),
        Field("values", list, required=True),
        Field("quiet", bool, default=False),
    ], required=False),
    Table("node", [
        Field("name", str, required=True, unique=True, pattern=_PASCAL),
        Field("comment", str, required=True),
        Field("inline", str),
        Field("fields", list, required=True, item=Table("node.fields", [
            Field("name", str, required=True, unique=True, pattern=_SNAKE),
            Field("type", str, required=True),
            Field("comment", str),
        ])),
    ]),
]


def snake(name):
    """PascalCase -> snake_case: SelectStmt -> select_stmt, AExpr -> a_expr."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def check(loaded):
    enums = {entry["name"]: entry for entry in loaded["enum"]}
    nodes = {entry["name"]: entry for entry in loaded["node"]}
    unique_across([(e, "name", e["name"]) for e in loaded["enum"] + loaded["node"]], "node or enum name")
    for entry in loaded["enum"] + loaded["node"]:
        if entry["name"] in RESERVED:
            raise entry.error(f"name {entry['name']!r} is reserved", "name")
    for entry in loaded["enum"]:
        _check_enum_values(entry)
    for entry in loaded["node"]:
        for item in entry["fields"]:
            kind = item["type"]
            if kind in SCALAR_TYPES or kind in enums or kind in nodes:
                continue
            if re.fullmatch(_PASCAL, kind):
                raise item.error(f"field '{item['name']}' refers to unknown node or enum '{kind}'")
            expected = ", ".join(SCALAR_TYPES)
            raise item.error(f"unknown field type '{kind}' (expected {expected}, a node or an enum)")
        if entry["inline"] is not None:
            inline = [item for item in entry["fields"] if item["name"] == entry["inline"]]
            if not inline or inline[0]["type"] not in ("string", "int"):
                raise entry.error(f"inline field '{entry['inline']}' must be a string or int field", "inline")


def _check_enum_values(entry):
    seen = set()
    for value in entry["values"]:
        if not isinstance(value, str) or not re.fullmatch(_SNAKE, value):
            raise entry.error(f"enum value {value!r} must be a lower-case name", "values")
        if value in seen:
            raise entry.error(f"duplicate enum value {value!r}", "values")
        seen.add(value)
    if not seen:
        raise entry.error("an enum needs at least one value", "values")


def _field_context(item, enums, nodes):
    kind = item["type"]
    quiet = kind in enums and enums[kind]["quiet"]
    if kind in SCALAR_TYPES:
        category, ctype = kind, SCALAR_TYPES[kind]
    elif kind in enums:
        category, ctype = "enum", f"Sdb{kind}"
    else:
        category, ctype = "child", f"Sdb{kind} *"
    return {"name": item["name"], "category": category, "ctype": ctype, "type": kind,
            "snake": snake(kind), "comment": item["comment"], "quiet": quiet}


def outputs(loaded, ctx):
    enums = {entry["name"]: entry for entry in loaded["enum"]}
    nodes = {entry["name"] for entry in loaded["node"]}
    context = {
        "enums": [{"name": e["name"], "snake": snake(e["name"]), "macro": snake(e["name"]).upper(),
                   "comment": e["comment"], "values": e["values"]} for e in loaded["enum"]],
        "nodes": [{"name": n["name"], "snake": snake(n["name"]), "macro": snake(n["name"]).upper(),
                   "comment": n["comment"], "inline": n["inline"],
                   "fields": [_field_context(f, enums, nodes) for f in n["fields"]]}
                  for n in loaded["node"]],
    }
    sources = (FILE,)
    return [
        Output("include/sdb_ast.h", "ast.h.j2", sources, context),
        Output("src/sdb_ast.c", "ast.c.j2", sources, context),
        Output("docs/reference/ast.md", "ast.md.j2", sources, context),
    ]

