"""spec/keywords.toml: SQL key words -> keyword lookup for the lexer, the
key word tokens and category rules spliced into spec/grammar/gram.y, docs."""

from emit import Output
from specload import Field, Table

FILE = "keywords.toml"

CATEGORIES = ("unreserved", "col_name", "type_func_name", "reserved")

TABLES = [
    Table("keyword", [
        Field("name", str, required=True, unique=True, pattern=r"[a-z_][a-z0-9_]*"),
        Field("category", str, required=True, choices=CATEGORIES),
        Field("bare_label", bool, default=True),
    ]),
]


def outputs(loaded, ctx):
    keywords = sorted(({"name": e["name"], "macro": e["name"].upper(), "category": e["category"].upper(),
                        "bare_label": e["bare_label"]} for e in loaded["keyword"]),
                      key=lambda k: k["name"])
    context = {"keywords": keywords, "categories": CATEGORIES}
    sources = (FILE,)
    return [
        Output("include/sdb_keywords.h", "keywords.h.j2", sources, context),
        Output("src/sdb_keywords.c", "keywords.c.j2", sources, context),
        Output("docs/reference/keywords.md", "keywords.md.j2", sources, context),
        Output("grammar/keyword_tokens.y", "keywords.y.j2", sources, {**context, "part": "tokens"}),
        Output("grammar/keyword_rules.y", "keywords.y.j2", sources, {**context, "part": "rules"}),
    ]
