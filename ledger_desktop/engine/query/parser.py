"""Parsing PartiQL text into the syntax tree of `ast.py` (lark, LALR(1))."""

from __future__ import annotations

import dataclasses
import difflib
import functools
import os
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from ..errors import QueryError
from ..ion_values import float_from_text, loads_all
from . import ast as A
from .grammar import GRAMMAR


def _cache_file() -> str | None:
    """A private place for lark's compiled parser tables (a pickle, so never a shared /tmp):
    the app's profile folder when one is set, else the user's cache folder."""
    base = os.environ.get("LEDGER_DESKTOP_PROFILE")
    root = Path(base) / "cache" if base else Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ledger-desktop"
    try:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return str(root / "partiql-grammar.lark-cache")


@functools.lru_cache(maxsize=1)
def _lark() -> Lark:
    # Building the LALR tables takes about a second; lark checks the cached file against a
    # hash of the grammar and options and rebuilds it when they differ.
    options = dict(parser="lalr", lexer="contextual", propagate_positions=True,
                   maybe_placeholders=False)
    cache = _cache_file()
    if cache is not None:
        try:
            return Lark(GRAMMAR, cache=cache, **options)
        except OSError:
            pass
    return Lark(GRAMMAR, **options)


_READABLE = {"IDENT": "a name", "QUOTED_IDENT": 'a "quoted name"', "STRING": "a 'string'",
             "NUMBER": "a number", "ION": "an `Ion literal`", "CMP_OP": "a comparison",
             "ADD_OP": "+ or -", "MUL_OP": "* / %", "$END": "end of statement",
             "<END-OF-FILE>": "end of statement"}
# Punctuation is quoted in messages: a bare ")" or "," in a comma-separated list is unreadable.
_PUNCTUATION = {"QMARK": "?", "LPAR": "(", "RPAR": ")", "LSQB": "[", "RSQB": "]", "LBRACE": "{",
                "RBRACE": "}", "COMMA": ",", "DOT": ".", "EQUAL": "=", "SEMICOLON": ";",
                "COLON": ":", "STAR": "*", "BAG_OPEN": "<<", "BAG_CLOSE": ">>", "__ANON_0": "||",
                "VBAR": "|"}


def _expected(names: set[str]) -> str:
    """Kinds of token (a name, a number…) first, then keywords, then punctuation; at most
    ten in all."""
    kinds = sorted({_READABLE[n] for n in names if n in _READABLE})
    words = sorted({n for n in names if n not in _READABLE and n not in _PUNCTUATION
                    and not n.startswith("__ANON")})
    marks = sorted({f"'{_PUNCTUATION[n]}'" for n in names if n in _PUNCTUATION})
    shown = kinds + words + marks
    if len(shown) > 10:
        shown = shown[:10] + ["…"]
    return ", ".join(shown)


def _did_you_mean(word: str, names: set[str]) -> str:
    """A misspelt keyword (WHER, SELCT, FORM) named as the likely one, when one is close."""
    keywords = [n for n in names if n.isalpha() and n.isupper() and n not in _READABLE
                and n not in _PUNCTUATION]
    close = difflib.get_close_matches(word.upper(), keywords, n=1, cutoff=0.75)
    return f" (did you mean {close[0]}?)" if close and close[0] != word.upper() else ""


# Words that start a clause after a FROM source, where a misspelling (WHER) is taken for the
# source's alias and the error only shows at the word after it.
_CLAUSES = ("WHERE", "GROUP", "ORDER", "HAVING", "LIMIT", "OFFSET", "UNION", "JOIN", "INNER",
            "LEFT", "CROSS", "SET", "REMOVE", "INSERT", "RETURNING", "EXCEPT", "INTERSECT")
_LAST_TWO_WORDS = re.compile(r"(?:(\w+)\s+)?(\w+)\s*$")


def _misspelt_clause(before: str) -> str:
    m = _LAST_TWO_WORDS.search(before)
    if not m or (m.group(1) or "").upper() in ("AS", "AT", "BY"):
        return ""
    word = m.group(2)
    close = difflib.get_close_matches(word.upper(), _CLAUSES, n=1, cutoff=0.75)
    if not close or close[0] == word.upper():
        return ""
    return f" ('{word}' was read as an alias: did you mean {close[0]}?)"


def _syntax_error(e: UnexpectedInput, text: str) -> QueryError:
    line, col = max(e.line, 1), max(e.column, 1)
    if isinstance(e, UnexpectedToken):
        tok = e.token
        if tok.type == "$END":
            msg = "unexpected end of statement"
            line, col = _end_pos(text)
        elif set(e.expected or ()) <= {"$END", "<END-OF-FILE>"} and \
                text[:tok.start_pos].rstrip().endswith(";"):
            msg = "one statement at a time: another one follows the ';' (run them one by one)"
            e.expected = None  # the message says it all
        else:
            msg = f"unexpected {tok.value!r}"
            if tok.type == "IDENT" and e.expected:
                msg += _did_you_mean(str(tok.value), set(e.expected))
            if "did you mean" not in msg:
                msg += _misspelt_clause(text[:tok.start_pos])
        if e.expected:
            msg += f"; expected {_expected(set(e.expected))}"
    elif isinstance(e, UnexpectedCharacters):
        msg = f"unexpected character {text[e.pos_in_stream]!r}"
        if e.allowed:
            msg += f"; expected {_expected(set(e.allowed))}"
    elif isinstance(e, UnexpectedEOF):
        msg = "unexpected end of statement"
        line, col = _end_pos(text)
    else:  # pragma: no cover - lark has no other kinds today
        msg = "syntax error"
    return QueryError(f"syntax error: {msg}", line, col, text)


def _end_pos(text: str) -> tuple[int, int]:
    lines = text.rstrip().split("\n")
    return len(lines), len(lines[-1]) + 1


def _unquote(tok: str, q: str) -> str:
    return tok[1:-1].replace(q + q, q)


def _number(text: str) -> Any:
    """A numeric literal; ValueError for one no Ion value of its type can hold."""
    if "e" in text or "E" in text:
        return float_from_text(text)
    if "." in text:
        return Decimal(text)
    try:
        return int(text)
    except ValueError:  # more digits than Python converts (sys.int_info)
        raise ValueError(f"an integer literal of {len(text.lstrip('-+')):,} digits; at most "
                         f"{sys.get_int_max_str_digits():,} digits are supported") from None


def _kw(children: list, *types: str) -> bool:
    return any(isinstance(c, Token) and c.type in types for c in children)


def _source_names(c: list) -> dict[str, Any]:
    """The `[AS] alias`, `AT pos` and `BY id` names after a FROM or DML source (c[0])."""
    names: dict[str, Any] = {"AS": None, "AT": None, "BY": None}
    i = 1
    while i < len(c):
        x = c[i]
        if isinstance(x, Token) and x.type in names:
            names[x.type] = c[i + 1]
            i += 2
        else:
            names["AS"] = x  # an alias without AS
            i += 1
    return names


def _nodes(children: list) -> list:
    return [c for c in children if not isinstance(c, Token)]


class _Builder(Transformer):
    def __init__(self, text: str) -> None:
        super().__init__(visit_tokens=False)
        self.text = text
        self.params = 0

    # Every callback receives (meta, children) so nodes get their position.
    def __default__(self, data: str, children: list, meta: Any) -> Any:  # pragma: no cover
        raise QueryError(f"unsupported construct {data}", *self._pos(meta), self.text)

    @staticmethod
    def _pos(meta: Any) -> tuple[int, int]:
        if getattr(meta, "empty", True):
            return (1, 1)
        return (meta.line, meta.column)

    def _err(self, msg: str, meta: Any) -> QueryError:
        return QueryError(msg, *self._pos(meta), self.text)


def _cb(fn):
    """Register a transformer callback taking (self, meta, children)."""
    return v_args(meta=True)(fn)


def _install() -> None:
    B = _Builder

    def add(name: str, fn) -> None:
        setattr(B, name, _cb(fn))

    add("start", lambda self, m, c: _nodes(c)[0])

    # names
    add("ident", lambda self, m, c: str(c[0]))
    add("quoted_ident", lambda self, m, c: A.QuotedName(_unquote(str(c[0]), '"')))

    # literals
    def number(self, m, c):
        try:
            return A.Lit(_number(str(c[0])), pos=self._pos(m))
        except ValueError as e:
            raise self._err(str(e), m) from None
    add("number", number)
    add("string", lambda self, m, c: A.Lit(_unquote(str(c[0]), "'"), pos=self._pos(m)))

    def ion(self, m, c):
        body = str(c[0])[1:-1]
        try:
            values = loads_all(body)  # ion-c or, for values it would change, Python
        except Exception as e:  # amazon.ion raises several kinds for bad text
            raise self._err(f"invalid Ion literal `{body}`: {e}", m) from None
        if len(values) != 1:  # `` was NULL, silently
            raise self._err(f"an Ion literal holds one value; `{body}` holds {len(values)}", m)
        return A.Lit(values[0], pos=self._pos(m))
    add("ion", ion)
    add("null", lambda self, m, c: A.Lit(None, pos=self._pos(m)))
    add("missing", lambda self, m, c: A.Lit(_missing(), pos=self._pos(m)))
    add("true", lambda self, m, c: A.Lit(True, pos=self._pos(m)))
    add("false", lambda self, m, c: A.Lit(False, pos=self._pos(m)))

    def param(self, m, c):
        self.params += 1
        return A.Param(self.params - 1, pos=self._pos(m))
    add("param", param)

    add("var", lambda self, m, c: A.Var(c[0], pos=self._pos(m)))
    add("var_at", lambda self, m, c: A.Var(c[0], True, pos=self._pos(m)))
    add("dot", lambda self, m, c: A.Dot(c[0], c[1], pos=self._pos(m)))
    add("dot_star", lambda self, m, c: A.DotStar(c[0], pos=self._pos(m)))
    add("index_star", lambda self, m, c: A.IndexStar(c[0], pos=self._pos(m)))
    add("index", lambda self, m, c: A.Index(c[0], c[1], pos=self._pos(m)))
    add("subquery", lambda self, m, c: A.Subquery(c[0], pos=self._pos(m)))
    add("paren_list", lambda self, m, c: A.ListLit(tuple(c), pos=self._pos(m)))
    add("struct_lit", lambda self, m, c: A.StructLit(tuple(c), pos=self._pos(m)))
    add("struct_field", lambda self, m, c: (c[0], c[1]))
    add("list_lit", lambda self, m, c: A.ListLit(tuple(c), pos=self._pos(m)))
    add("bag_lit", lambda self, m, c: A.BagLit(tuple(_nodes(c)), pos=self._pos(m)))

    # operators
    # A chain of ANDs (or ORs) is one flat list here, made into a balanced tree: a generated
    # filter of a thousand conditions, as a left-deep tree, was deeper than every pass over
    # the tree could recurse ("too deeply nested"). Both are associative, so the answer is
    # the same; which operand's type error is reported first may differ.
    add("or_op", lambda self, m, c: _balanced("or", _nodes(c), self._pos(m)))
    add("and_op", lambda self, m, c: _balanced("and", _nodes(c), self._pos(m)))
    add("not_op", lambda self, m, c: A.Unary("not", c[1], pos=self._pos(m)))
    add("eq", lambda self, m, c: A.Binary("=", c[0], c[1], pos=self._pos(m)))

    def cmp(self, m, c):
        op = str(c[1])
        return A.Binary("<>" if op == "!=" else op, c[0], c[2], pos=self._pos(m))
    add("cmp", cmp)
    add("concat_op", lambda self, m, c: A.Binary("||", c[0], c[1], pos=self._pos(m)))
    add("arith", lambda self, m, c: A.Binary(str(c[1]), c[0], c[2], pos=self._pos(m)))
    add("neg", lambda self, m, c: A.Unary(str(c[0]), c[1], pos=self._pos(m)))
    add("is_kind", lambda self, m, c: str(c[0]).lower())

    def is_op(self, m, c):
        n = _nodes(c)
        return A.Is(n[0], n[1], _kw(c, "NOT"), pos=self._pos(m))
    add("is_op", is_op)

    def in_op(self, m, c):
        n = _nodes(c)
        return A.In(n[0], n[1], _kw(c, "NOT"), pos=self._pos(m))
    add("in_op", in_op)

    def like_op(self, m, c):
        n = _nodes(c)
        return A.Like(n[0], n[1], n[2] if len(n) > 2 else None, _kw(c, "NOT"), pos=self._pos(m))
    add("like_op", like_op)

    def between_op(self, m, c):
        n = _nodes(c)
        return A.Between(n[0], n[1], n[2], _kw(c, "NOT"), pos=self._pos(m))
    add("between_op", between_op)

    # calls
    def call(kind):
        def fn(self, m, c):
            n = _nodes(c)
            name = n[0].upper()
            p = self._pos(m)
            if kind == "noargs":
                return A.Call(name, (), pos=p)
            if kind == "star":
                return A.Call(name, (), star=True, pos=p)
            if kind == "distinct":
                return A.Call(name, (n[1],), distinct=True, pos=p)
            if kind == "all":
                return A.Call(name, (n[1],), pos=p)
            if kind == "args":
                return A.Call(name, tuple(n[1:]), pos=p)
            if kind == "from":  # SUBSTRING(s FROM a [FOR b]), EXTRACT(part FROM t), TRIM(x FROM s)
                return A.Call(name, tuple(n[1:]), extra=("from",), pos=p)
            if kind == "trim_spec":
                spec = n[1]
                rest = n[2:]
                return A.Call(name, tuple(rest), extra=("trim", spec), pos=p)
            if kind == "trim_plain":
                return A.Call(name, (n[1],), extra=("trim", "both"), pos=p)
            raise AssertionError(kind)
        return fn
    for k in ("noargs", "star", "distinct", "all", "args", "from", "trim_spec", "trim_plain"):
        add("call_" + k, call(k))
    add("trim_spec", lambda self, m, c: str(c[0]).lower())
    add("cast", lambda self, m, c: A.Cast(_nodes(c)[0], _nodes(c)[1].lower(), pos=self._pos(m)))
    add("exists_query", lambda self, m, c: A.Exists(A.Subquery(_nodes(c)[0], pos=self._pos(m)),
                                                   pos=self._pos(m)))
    add("exists_expr", lambda self, m, c: A.Exists(_nodes(c)[0], pos=self._pos(m)))

    def case_expr(self, m, c):
        n = _nodes(c)
        operand = None
        whens = []
        default = None
        else_next = False
        for x in c:
            if isinstance(x, Token):
                else_next = x.type == "ELSE"
                continue
            if isinstance(x, tuple):
                whens.append(x)
            elif else_next:
                default = x
            else:
                operand = x
        del n
        return A.Case(operand, tuple(whens), default, pos=self._pos(m))
    add("case_expr", case_expr)
    add("when_clause", lambda self, m, c: tuple(_nodes(c)))

    # queries
    def select_query(self, m, c):
        n = _nodes(c)
        proj = n[0]
        parts: dict[str, Any] = {}
        for x in n[1:]:
            parts[x[0]] = x[1:]
        srcs = parts.get("from", ((),))[0]
        group = parts.get("group", ((), None))
        return A.Select(
            distinct=_kw(c, "DISTINCT"), kind=proj[0], value=proj[1], items=proj[2],
            sources=tuple(srcs), where=parts.get("where", (None,))[0],
            group_by=tuple(group[0]), group_as=group[1],
            having=parts.get("having", (None,))[0],
            order_by=tuple(parts.get("order", ((),))[0]),
            limit=parts.get("limit", (None,))[0], offset=parts.get("offset", (None,))[0],
            pos=self._pos(m))
    add("select_query", select_query)
    add("proj_star", lambda self, m, c: ("star", None, ()))
    add("proj_value", lambda self, m, c: ("value", _nodes(c)[0], ()))
    add("proj_list", lambda self, m, c: ("list", None, tuple(c)))

    def proj_item(self, m, c):
        n = _nodes(c)
        return (n[0], n[1] if len(n) > 1 else None)
    add("proj_item", proj_item)
    add("from_clause", lambda self, m, c: ("from", _nodes(c)))
    add("where_clause", lambda self, m, c: ("where", _nodes(c)[0]))
    add("having_clause", lambda self, m, c: ("having", _nodes(c)[0]))
    add("limit_clause", lambda self, m, c: ("limit", _nodes(c)[0]))
    add("offset_clause", lambda self, m, c: ("offset", _nodes(c)[0]))

    def group_clause(self, m, c):
        n = _nodes(c)
        items = [x for x in n if isinstance(x, tuple)]
        as_name = next((x for x in n if isinstance(x, str)), None)
        return ("group", items, as_name)
    add("group_clause", group_clause)

    def group_item(self, m, c):
        n = _nodes(c)
        return (n[0], n[1] if len(n) > 1 else None)
    add("group_item", group_item)
    add("order_clause", lambda self, m, c: ("order", _nodes(c)))

    def order_item(self, m, c):
        n = _nodes(c)
        nulls_first = None
        if _kw(c, "NULLS"):
            nulls_first = _kw(c, "FIRST")
        return A.OrderItem(n[0], _kw(c, "DESC"), nulls_first, pos=self._pos(m))
    add("order_item", order_item)

    def set_query(self, m, c):
        n = _nodes(c)
        left, right = n[0], n[2]
        if left.order_by or left.limit is not None or left.offset is not None:
            raise QueryError("ORDER BY, LIMIT and OFFSET go after the last SELECT of a "
                             f"{str(n[1]).upper()}, and apply to the whole result", *left.pos,
                             self.text)
        # As in SQL, a trailing ORDER BY / LIMIT / OFFSET is the whole result's, not the last
        # SELECT's (it sorted and cut only that one's rows).
        return A.SetQuery(n[1], _kw(c, "ALL"), left,
                          dataclasses.replace(right, order_by=(), limit=None, offset=None),
                          right.order_by, right.limit, right.offset, pos=self._pos(m))
    add("set_query", set_query)
    add("setop", lambda self, m, c: str(c[0]).lower())

    def from_source(self, m, c):
        return A.FromSource(c[0], tuple(c[1:]), pos=self._pos(m))
    add("from_source", from_source)

    def from_item(self, m, c):
        names = _source_names(c)
        return A.FromItem(c[0], names["AS"], names["AT"], names["BY"], pos=self._pos(m))
    add("from_item", from_item)

    def join(kind):
        def fn(self, m, c):
            n = _nodes(c)
            return A.Join(kind, n[0], n[1] if len(n) > 1 else None, pos=self._pos(m))
        return fn
    add("inner_join", join("inner"))
    add("cross_join", join("cross"))
    add("left_join", join("left"))

    # DML
    def insert_stmt(self, m, c):
        n = _nodes(c)
        single = _kw(c, "VALUE")
        if len(n) == 3:
            return A.Insert(n[0], n[1], n[2], single, pos=self._pos(m))
        return A.Insert(n[0], None, n[1], single, pos=self._pos(m))
    add("insert_stmt", insert_stmt)

    def dml_target(self, m, c):
        names = _source_names(c)
        return A.DmlTarget(c[0], names["AS"], names["BY"], pos=self._pos(m))
    add("dml_target", dml_target)
    add("assignment", lambda self, m, c: (c[0], c[1]))
    add("set_op", lambda self, m, c: A.SetOp(tuple(_nodes(c)), pos=self._pos(m)))
    add("remove_op", lambda self, m, c: A.RemoveOp(_nodes(c)[0], pos=self._pos(m)))

    def insert_op(self, m, c):
        n = _nodes(c)
        return A.InsertOp(n[0], n[1], n[2] if len(n) > 2 else None, pos=self._pos(m))
    add("insert_op", insert_op)

    def update_stmt(self, m, c):
        n = _nodes(c)
        target = n[0]
        ops = [x for x in n[1:] if isinstance(x, (A.SetOp, A.RemoveOp, A.InsertOp))]
        where = next((x[1] for x in n if isinstance(x, tuple) and x[0] == "where"), None)
        return A.Update(target, tuple(ops), where, pos=self._pos(m))
    add("update_stmt", update_stmt)

    def delete_stmt(self, m, c):
        n = _nodes(c)
        where = n[1][1] if len(n) > 1 else None
        return A.Delete(n[0], where, pos=self._pos(m))
    add("delete_stmt", delete_stmt)

    def from_dml(self, m, c):
        n = _nodes(c)
        target = n[0]
        extra = tuple(x for x in n[1:] if isinstance(x, A.FromItem))
        ops = [x for x in n[1:] if isinstance(x, (A.SetOp, A.RemoveOp, A.InsertOp))]
        where = next((x[1] for x in n if isinstance(x, tuple) and x[0] == "where"), None)
        return A.Update(target, tuple(ops), where, extra, "from", pos=self._pos(m))
    add("from_dml", from_dml)

    # DDL
    def with_clause(self, m, c):
        return tuple(_nodes(c))
    add("with_clause", with_clause)
    add("with_opt", lambda self, m, c: (c[0], c[1]))

    def create_table(self, m, c):
        n = _nodes(c)
        return A.CreateTable(n[0], n[1] if len(n) > 1 else (), pos=self._pos(m))
    add("create_table", create_table)
    add("drop_table", lambda self, m, c: A.DropTable(_nodes(c)[0], pos=self._pos(m)))
    add("undrop_table", lambda self, m, c: A.UndropTable(_nodes(c)[0], pos=self._pos(m)))
    add("create_index", lambda self, m, c: A.CreateIndex(_nodes(c)[0], _nodes(c)[1],
                                                         pos=self._pos(m)))

    def drop_index(self, m, c):
        n = _nodes(c)
        return A.DropIndex(n[0], n[1], n[2] if len(n) > 2 else (), pos=self._pos(m))
    add("drop_index", drop_index)
    add("exec_stmt", lambda self, m, c: A.Exec(_nodes(c)[0], tuple(_nodes(c)[1:]),
                                               pos=self._pos(m)))
    add("explain", lambda self, m, c: A.Explain(_nodes(c)[0], pos=self._pos(m)))


def _balanced(op: str, items: list, pos: tuple[int, int]) -> Any:
    if len(items) == 1:
        return items[0]
    mid = len(items) // 2
    return A.Binary(op, _balanced(op, items[:mid], pos), _balanced(op, items[mid:], pos),
                    pos=pos)


def _missing() -> Any:
    from .values import MISSING

    return MISSING


_install()


@functools.lru_cache(maxsize=512)
def _parse_cached(text: str) -> tuple[A.Node, int]:
    try:
        tree: Tree = _lark().parse(text)
    except UnexpectedInput as e:
        raise _syntax_error(e, text) from None
    builder = _Builder(text)
    try:
        node = builder.transform(tree)
    except QueryError:
        raise
    except Exception as e:  # lark wraps callback errors in VisitError
        inner = getattr(e, "orig_exc", e)
        if isinstance(inner, QueryError):
            raise inner from None
        raise
    return node, builder.params


#: Longer statements are parsed without the cache (it would keep their text alive).
_CACHED_CHARS = 64 * 1024


def parse(text: str) -> tuple[A.Node, int]:
    """The statement's syntax tree and its number of `?` parameters. Raises QueryError."""
    if not text.strip():
        raise QueryError("empty statement")
    if len(text) > _CACHED_CHARS:
        return _parse_cached.__wrapped__(text)
    return _parse_cached(text)
