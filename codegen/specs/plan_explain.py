"""EXPLAIN printers of spec/plan.toml: each [[node]]'s `explain`,
`explain_details` and `explain_children` lists, checked here and turned
into C (one static function per operator in generated/src/sdb_plan.c, behind
sdb_plan_explain()) that drives an SdbPlanExplainer (runtime/exec/explain.c
does the printing: indentation, estimates, actual counts, deparsing).

    explain          title rules, first match wins, the last one without `when`:
                     {when, unless, label, then}, or {transparent = true} alone
    explain_details  detail lines in order: {title, when, <one source>}
    explain_children how plan fields print (default: each one level down):
                     {field, when, wrap, analyze}, {field, when, section} or
                     {field, when, hide = true}

`when` = {field = value, ...}, all must hold: an enum field and one of its
values (or a list of them), a bool field and true/false, an int field and
an integer, an ints field and an integer it contains, a plan field and the
name of the operator it holds; `unless` = {...}: not all of those hold.

Labels (and sections) are text with placeholders: {field} (int or string
field), {field:relation} (an oid field: the relation's name),
{field:function} (an expr field: the called function's name), {field:alias}
(a string field: " value" when set).
"""

import re

from specload import Field, Table

EXPLAIN_TABLES = [
    Field("explain", list, item=Table("node.explain", [
        Field("when", dict),
        Field("unless", dict),
        Field("label", str),
        Field("then", str),
        Field("transparent", bool, default=False),
    ])),
    Field("explain_details", list, item=Table("node.explain_details", [
        Field("title", str),
        Field("when", dict),
        Field("unless", dict),
        Field("exprs", str),
        Field("sep", str),
        Field("analyze", str, choices=("removed", "sort", "hash")),
        Field("sort", str),
        Field("flags", str),
        Field("pairs", list),
        Field("columns", str),
        Field("sets", str),
        Field("groups", str),
        Field("relation", str),
        Field("text", str),
        Field("index_cond", str),
        Field("eq", str),
        Field("lower", str),
        Field("upper", str),
    ])),
    Field("explain_children", list, item=Table("node.explain_children", [
        Field("field", str, required=True),
        Field("when", dict),
        Field("unless", dict),
        Field("wrap", str),
        Field("analyze", str, choices=("hash",)),
        Field("section", str),
        Field("hide", bool, default=False),
    ])),
]

FIELD_KEYS = [Field("count", str)]  # of an exprs/ints field: its length, when not n<name>

_SOURCES = ("exprs", "sort", "pairs", "columns", "sets", "relation", "text", "index_cond")
_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)(?::([a-z]+))?\}")
_PIECE_KINDS = {"relation": ("oid",), "function": ("expr",), "alias": ("string",)}
_COUNTER = {None: "SDB_PLAN_EXPLAIN_NONE", "removed": "SDB_PLAN_EXPLAIN_REMOVED",
            "sort": "SDB_PLAN_EXPLAIN_SORT", "hash": "SDB_PLAN_EXPLAIN_HASH"}


def _macro(name):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).upper()


def _c_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _Node:
    """One [[node]] while its explain lists are checked and compiled."""

    def __init__(self, entry, enums, nodes):
        self.entry = entry
        self.enums = enums
        self.nodes = nodes
        self.kinds = {item["name"]: item["type"] for item in entry["fields"]}
        self.counts = {item["name"]: self.count_expr(item) for item in entry["fields"]
                       if item["type"] in ("exprs", "ints")}

    def count_expr(self, item):
        """The C length of exprs/ints field `item`: its `count` (int fields of
        the node and the header's ncols, multiplied), else n<name>."""
        count = item.get("count") or "n" + item["name"]
        terms = []
        for term in count.split(" * "):
            if term == "ncols":
                terms.append("node->plan.ncols")
            elif self.kinds.get(term) == "int":
                terms.append(f"node->{term}")
            else:
                raise item.error(f"field '{item['name']}': its length {count!r} must name int fields "
                                 "(or ncols) joined by ' * ' (give count = ...)")
        return " * ".join(terms)

    def field(self, item, name, kinds, what):
        """The type of field `name`, which must be one of `kinds` (None: any)."""
        kind = self.kinds.get(name)
        if kind is None:
            raise item.error(f"{what}: {self.entry['name']} has no field {name!r}")
        if kinds is not None and kind not in kinds:
            raise item.error(f"{what}: field {name!r} is {kind}, not {' or '.join(kinds)}")
        return kind

    def cond(self, item):
        """The C condition of item's `when` and `unless` ("1" without them)."""
        terms = self.terms(item, "when")
        unless = self.terms(item, "unless")
        if unless:
            terms.append("!(" + " && ".join(unless) + ")")
        return " && ".join(terms) if terms else "1"

    def terms(self, item, key):
        """The C terms of test table item[key], all of which must hold."""
        terms = []
        for name, value in (item[key] or {}).items():
            kind = self.field(item, name, None, key)
            ref = f"node->{name}"
            if kind in self.enums:
                values = value if isinstance(value, list) else [value]
                allowed = self.enums[kind]["values"]
                for v in values:
                    if not isinstance(v, str) or v not in allowed:
                        raise item.error(f"{key}: {v!r} is not a value of {kind} ({', '.join(allowed)})")
                alts = [f"{ref} == SDB_{_macro(kind)}_{v.upper()}" for v in values]
                terms.append(alts[0] if len(alts) == 1 else "(" + " || ".join(alts) + ")")
            elif kind == "bool":
                if not isinstance(value, bool):
                    raise item.error(f"{key}: bool field {name!r} needs true or false, not {value!r}")
                terms.append(ref if value else f"!{ref}")
            elif kind == "int":
                if not isinstance(value, int) or isinstance(value, bool):
                    raise item.error(f"{key}: int field {name!r} needs an integer, not {value!r}")
                terms.append(f"{ref} == {value}")
            elif kind == "ints":
                if not isinstance(value, int) or isinstance(value, bool):
                    raise item.error(f"{key}: ints field {name!r} needs an integer, not {value!r}")
                terms.append(f"explain_has(node->{name}, {self.counts[name]}, {value})")
            elif kind == "plan":
                if value not in self.nodes:
                    raise item.error(f"{key}: plan field {name!r} needs an operator name, not {value!r}")
                terms.append(f"{ref} != NULL && {ref}->tag == SDB_P_{_macro(value)}")
            else:
                raise item.error(f"{key}: field {name!r} is {kind}; only enum, bool, int, ints and plan "
                                 "fields can be tested")
        return terms

    def pieces(self, item, key):
        """C statements printing label text `item[key]` through the explainer."""
        text = item[key]
        out, pos = [], 0
        for match in _PLACEHOLDER.finditer(text):
            if match.start() > pos:
                out.append(f"x->text(x->arg, {_c_string(text[pos:match.start()])});")
            name, kind = match.groups()
            if kind is None:
                ftype = self.field(item, name, ("int", "string"), key)
                out.append(f"x->number(x->arg, node->{name});" if ftype == "int"
                           else f"x->text(x->arg, node->{name} ? node->{name} : \"\");")
            elif kind in _PIECE_KINDS:
                self.field(item, name, _PIECE_KINDS[kind], f"{key} {{{name}:{kind}}}")
                out.append(f"x->{kind}(x->arg, node->{name});")
            else:
                raise item.error(f"{key}: unknown placeholder kind {kind!r} (expected relation, function, alias)")
            pos = match.end()
        if "{" in text[pos:] or "}" in text[pos:]:
            raise item.error(f"{key}: bad placeholder in {text!r}")
        if pos < len(text):
            out.append(f"x->text(x->arg, {_c_string(text[pos:])});")
        return out

    def rules(self):
        rules = self.entry["explain"]
        if not rules:
            raise self.entry.error(f"{self.entry['name']} needs explain rules (the EXPLAIN title)", "explain")
        out = []
        for i, rule in enumerate(rules):
            last = i == len(rules) - 1
            if last and (rule["when"] or rule["unless"]):
                raise rule.error("the last explain rule must have no 'when' (it applies otherwise)")
            if not last and not (rule["when"] or rule["unless"]):
                raise rule.error("only the last explain rule may omit 'when'")
            if rule["transparent"]:
                if rule["label"] is not None or rule["then"] is not None:
                    raise rule.error("a transparent rule has no label or then")
                kids = [n for n, k in self.kinds.items() if k == "plan"]
                if len(kids) != 1:
                    raise rule.error("only an operator with one child can be transparent")
                if len(rules) != 1:
                    raise rule.error("a transparent rule is the operator's only rule")
                return kids[0], []
            if not rule["label"]:
                raise rule.error("an explain rule needs a label")
            out.append({"cond": self.cond(rule), "pieces": self.pieces(rule, "label"),
                        "then": _c_string(rule["then"]) if rule["then"] else None})
        return None, out

    def detail(self, item):
        sources = [s for s in _SOURCES if item.values.get(s) is not None]
        analyze = item["analyze"]
        if len(sources) > 1:
            raise item.error(f"an explain detail has one source, not {' and '.join(sources)}")
        if not sources:
            if analyze is None:
                raise item.error(f"an explain detail needs a source ({', '.join(_SOURCES)}) or analyze")
            return {"cond": self.cond(item), "call": None, "guard": "1", "analyze": _COUNTER[analyze]}
        source = sources[0]
        title = item["title"]
        if not title:
            raise item.error("an explain detail needs a title")
        if analyze is not None and (source != "exprs" or analyze != "removed"):
            raise item.error("analyze = \"removed\" goes with an exprs detail (its filter) or stands alone")
        t = _c_string(title)
        value = item[source]
        guard = "1"
        if source == "exprs":
            sep = _c_string(item["sep"] if item["sep"] is not None else " AND ")
            if self.field(item, value, ("exprs", "expr"), "exprs") == "expr":
                call = f"x->exprs(x->arg, {t}, &node->{value}, 1, {sep})"
                guard = f"node->{value} != NULL"
            else:
                count = self.counts[value]
                call = f"x->exprs(x->arg, {t}, node->{value}, {count}, {sep})"
                guard = f"{count} > 0"
        elif source == "sort":
            self.field(item, value, ("exprs",), "sort")
            flags = item["flags"]
            if flags is None:
                raise item.error("a sort detail needs flags (its ints field of SDB_SORT_* flags)")
            self.field(item, flags, ("ints",), "flags")
            call = f"x->sort_keys(x->arg, {t}, node->{value}, node->{flags}, {self.counts[value]})"
        elif source == "pairs":
            if len(value) != 2 or not all(isinstance(v, str) for v in value):
                raise item.error("pairs names two exprs fields: [left, right]")
            for v in value:
                self.field(item, v, ("exprs",), "pairs")
            call = f"x->key_pairs(x->arg, {t}, node->{value[0]}, node->{value[1]}, {self.counts[value[0]]})"
        elif source == "columns":
            self.field(item, value, ("plan",), "columns")
            call = f"x->columns(x->arg, {t}, node->{value})"
        elif source == "sets":
            self.field(item, value, ("ints",), "sets")
            groups = item["groups"]
            if groups is None:
                raise item.error("a sets detail needs groups (the exprs field its bits index)")
            self.field(item, groups, ("exprs",), "groups")
            call = (f"x->sets(x->arg, {t}, node->{value}, {self.counts[value]}, "
                    f"node->{groups}, {self.counts[groups]})")
        elif source == "relation":
            self.field(item, value, ("oid",), "relation")
            call = f"x->relation_line(x->arg, {t}, node->{value})"
            guard = f"node->{value} != 0"
        elif source == "text":
            call = f"x->line(x->arg, {t}, {_c_string(value)})"
        else:  # index_cond
            self.field(item, value, ("oid",), "index_cond")
            for key, kinds in (("eq", ("exprs",)), ("lower", ("expr",)), ("upper", ("expr",))):
                if item[key] is None:
                    raise item.error(f"an index_cond detail needs {key}")
                self.field(item, item[key], kinds, key)
            for key in ("lower", "upper"):
                self.field(item, item[key] + "_inclusive", ("bool",), key)
            eq, lo, hi = item["eq"], item["lower"], item["upper"]
            call = (f"x->index_cond(x->arg, {t}, node->{value}, node->{eq}, {self.counts[eq]}, "
                    f"node->{lo}, node->{lo}_inclusive, node->{hi}, node->{hi}_inclusive)")
        return {"cond": self.cond(item), "call": call, "guard": guard, "analyze": _COUNTER[analyze]}

    def children(self):
        entries = {}
        for item in self.entry["explain_children"] or []:
            self.field(item, item["field"], ("plan",), "explain_children")
            if (item["wrap"] is not None) + (item["section"] is not None) + item["hide"] != 1:
                raise item.error("a child entry has one of wrap, section, hide")
            if item["analyze"] is not None and item["wrap"] is None:
                raise item.error("analyze goes with wrap")
            if item["wrap"] is not None and "{" in item["wrap"]:
                raise item.error("wrap is plain text")
            if any(case["cond"] == "1" for case in entries.get(item["field"], [])):
                raise item.error(f"an earlier explain_children entry for {item['field']!r} applies always")
            entries.setdefault(item["field"], []).append({
                "cond": self.cond(item),
                "wrap": _c_string(item["wrap"]) if item["wrap"] is not None else None,
                "counter": _COUNTER[item["analyze"]],
                "section": self.pieces(item, "section") if item["section"] is not None else None,
                "hide": item["hide"],
            })
        return [{"field": name, "cases": entries.get(name, []),
                 "level": not entries.get(name) or entries[name][-1]["cond"] != "1" or
                 any(case["wrap"] for case in entries[name])}
                for name, kind in self.kinds.items() if kind == "plan"]


def check(entry, enums, nodes):
    """Raise a SpecError (file:line) for a bad explain list of `entry`."""
    context(entry, enums, nodes)


def context(entry, enums, nodes):
    """What plan.c.j2 needs to generate entry's EXPLAIN printer (`nodes`:
    the operator names)."""
    node = _Node(entry, enums, nodes)
    transparent, rules = node.rules()
    out = {"transparent": transparent, "rules": rules, "doc": _doc(entry),
           "walk": [{"name": f["name"], "type": f["type"], "count": node.counts.get(f["name"])}
                    for f in entry["fields"] if f["type"] in ("expr", "exprs")],
           "has_then": any(r["then"] for r in rules),
           "details": [node.detail(item) for item in entry["explain_details"] or []],
           "children": node.children()}
    out["uses_node"] = transparent is not None or "node->" in repr({k: v for k, v in out.items() if k != "walk"})
    return out


def _when_text(item):
    def tests(table, op):
        return [f"{k} {op} {'/'.join(map(str, v)) if isinstance(v, list) else str(v).lower() if isinstance(v, bool) else v}"
                for k, v in (table or {}).items()]
    return ", ".join(tests(item["when"], "=") + tests(item["unless"], "!="))


def _doc(entry):
    """The reference page's summary: title rules and detail lines."""
    rules = [{"when": _when_text(r), "label": "(its child in its place)" if r["transparent"] else
              r["label"] + (f" -> {r['then']}" if r["then"] else "")} for r in entry["explain"]]
    details = [{"when": _when_text(d), "title": d["title"] or f"(ANALYZE: {d['analyze']})"}
               for d in entry["explain_details"] or []]
    children = [{"when": _when_text(c), "field": c["field"],
                 "how": f"under `{c['wrap']}`" if c["wrap"] else f"as section `{c['section']}`" if c["section"]
                 else "not shown"}
                for c in entry["explain_children"] or []]
    return {"rules": rules, "details": details, "children": children}
