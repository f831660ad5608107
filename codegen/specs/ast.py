"""Node specs: files of [[enum]] and [[node]] entries -> C structs, tags,
enums, constructors, and a reference page.

Three spec files use this machinery, each with its own field types and
templates: spec/ast.toml (the SQL parse tree: sdb_ast.h/.c with walker and
printer), spec/expr.toml (bound, typed expressions: sdb_expr.h/.c) and
spec/plan.toml (plan operators: sdb_plan.h/.c with child access and a tree
printer).  gen.py lists PARSE_TREE, BOUND_EXPR and PLAN as spec modules.
"""

import re

from emit import Output
from specload import Field, Table, unique_across

from . import plan_explain

SCALAR_TYPES = {  # parse tree field type -> C type
    "node": "SdbNode *",
    "list": "SdbList *",
    "string": "char *",
    "int": "int",
    "bool": "bool",
    "location": "int",
}

EXPR_TYPES = {  # bound expression field type -> C type
    "expr": "SdbExpr *",
    "exprs": "SdbExpr **",
    "oid": "SdbOid",
    "datum": "SdbDatum",
    "func": "const SdbFuncInfo *",
    "int": "int",
    "ints": "int *",
    "bool": "bool",
    "plan": "struct SdbPlan *",
    "location": "int",
}

PLAN_TYPES = {  # plan node field type -> C type
    "plan": "SdbPlan *",
    "expr": "SdbExpr *",
    "exprs": "SdbExpr **",
    "oid": "SdbOid",
    "int": "int",
    "ints": "int *",
    "bool": "bool",
    "double": "double",
    "string": "const char *",
    "strings": "const char **",
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
            Field("quiet", bool, default=False),
        ])),
    ]),
]


def snake(name):
    """PascalCase -> snake_case: SelectStmt -> select_stmt, AExpr -> a_expr."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def check(loaded, scalar_types=SCALAR_TYPES):
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
            if item["quiet"] and kind != "bool":
                raise item.error(f"field '{item['name']}': only a bool field can be quiet")
            if kind in scalar_types or kind in enums or kind in nodes:
                continue
            if re.fullmatch(_PASCAL, kind):
                raise item.error(f"field '{item['name']}' refers to unknown node or enum '{kind}'")
            expected = ", ".join(scalar_types)
            raise item.error(f"unknown field type '{kind}' (expected {expected}, a node or an enum)")
        if entry["inline"] is not None:
            inline = [item for item in entry["fields"] if item["name"] == entry["inline"]]
            if not inline or inline[0]["type"] not in ("string", "int"):
                raise entry.error(f"inline field '{entry['inline']}' must be a string or int field", "inline")
        if "explain" in entry.values:
            plan_explain.check(entry, enums, nodes)


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


def _field_context(item, enums, scalar_types):
    kind = item["type"]
    quiet = (kind in enums and enums[kind]["quiet"]) or item["quiet"]
    if kind in scalar_types:
        category, ctype = kind, scalar_types[kind]
    elif kind in enums:
        category, ctype = "enum", f"Sdb{kind}"
    else:
        category, ctype = "child", f"Sdb{kind} *"
    return {"name": item["name"], "category": category, "ctype": ctype, "type": kind,
            "snake": snake(kind), "comment": item["comment"], "quiet": quiet}


def context(loaded, scalar_types=SCALAR_TYPES):
    """What the templates of a node spec see: its enums and nodes."""
    enums = {entry["name"]: entry for entry in loaded["enum"]}
    nodes = {entry["name"]: entry for entry in loaded["node"]}
    return {
        "enums": [{"name": e["name"], "snake": snake(e["name"]), "macro": snake(e["name"]).upper(),
                   "comment": e["comment"], "values": e["values"]} for e in loaded["enum"]],
        "nodes": [{"name": n["name"], "snake": snake(n["name"]), "macro": snake(n["name"]).upper(),
                   "comment": n["comment"], "inline": n["inline"],
                   "explain": plan_explain.context(n, enums, nodes) if "explain" in n.values else None,
                   "fields": [_field_context(f, enums, scalar_types) for f in n["fields"]]}
                  for n in loaded["node"]],
    }


class NodeSpec:
    """One spec file of nodes, as gen.py sees a spec module: FILE, TABLES,
    check() and outputs()."""

    def __init__(self, file, scalar_types, targets, node_fields=(), field_fields=()):
        self.FILE = file
        item = Table("node.fields", TABLES[1].field("fields").item.fields + list(field_fields))
        fields = [Field("fields", list, required=True, item=item) if f.name == "fields" else f
                  for f in TABLES[1].fields]
        self.TABLES = [TABLES[0], Table("node", fields + list(node_fields))]
        self.scalar_types = scalar_types
        self.targets = targets  # (output path, template) pairs

    def check(self, loaded):
        check(loaded, self.scalar_types)

    def outputs(self, loaded, ctx):
        shared = context(loaded, self.scalar_types)
        return [Output(path, template, (self.FILE,), shared) for path, template in self.targets]


PARSE_TREE = NodeSpec("ast.toml", SCALAR_TYPES, [
    ("include/sdb_ast.h", "ast.h.j2"),
    ("src/sdb_ast.c", "ast.c.j2"),
    ("docs/reference/ast.md", "ast.md.j2"),
])

BOUND_EXPR = NodeSpec("expr.toml", EXPR_TYPES, [
    ("include/sdb_expr.h", "expr.h.j2"),
    ("src/sdb_expr.c", "expr.c.j2"),
    ("docs/reference/expr.md", "expr.md.j2"),
])

PLAN = NodeSpec("plan.toml", PLAN_TYPES, [
    ("include/sdb_plan.h", "plan.h.j2"),
    ("src/sdb_plan.c", "plan.c.j2"),
    ("docs/reference/plan.md", "plan.md.j2"),
], plan_explain.EXPLAIN_TABLES, plan_explain.FIELD_KEYS)
