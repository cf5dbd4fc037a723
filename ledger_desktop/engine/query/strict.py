"""QLDB-strict mode: reject what QLDB itself rejected, so a strict ledger stays portable."""

from __future__ import annotations

from typing import Any

from ..errors import QueryError
from . import ast as A
from .functions import QLDB_FUNCTIONS

# QLDB's reserved words ("Reserved keywords in Amazon QLDB": SQL-92's, with PartiQL's type
# names and functions). QLDB's CREATE TABLE: a table name "must not be a QLDB PartiQL reserved
# word"; a field or alias that is one must be "quoted".
_RESERVED_WORDS = """
ABSOLUTE ACTION ADD ALL ALLOCATE ALTER AND ANY ARE AS ASC ASSERTION AT AUTHORIZATION AVG BAG
BEGIN BETWEEN BIT BIT_LENGTH BLOB BOOL BOOLEAN BOTH BY CASCADE CASCADED CASE CAST CATALOG CHAR
CHARACTER CHARACTER_LENGTH CHAR_LENGTH CHECK CLOB CLOSE COALESCE COLLATE COLLATION COLUMN COMMIT
CONNECT CONNECTION CONSTRAINT CONSTRAINTS CONTINUE CONVERT CORRESPONDING COUNT CREATE CROSS
CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER CURSOR DATE DATE_ADD DATE_DIFF
DAY DEALLOCATE DEC DECIMAL DECLARE DEFAULT DEFERRABLE DEFERRED DELETE DESC DESCRIBE DESCRIPTOR
DIAGNOSTICS DISCONNECT DISTINCT DOMAIN DOUBLE DROP ELSE END END-EXEC ESCAPE EXCEPT EXCEPTION EXEC
EXECUTE EXISTS EXTERNAL EXTRACT FALSE FETCH FIRST FLOAT FOR FOREIGN FOUND FROM FULL GET GLOBAL GO
GOTO GRANT GROUP HAVING HOUR IDENTITY IMMEDIATE IN INDEX INDICATOR INITIALLY INNER INPUT
INSENSITIVE INSERT INT INTEGER INTERSECT INTERVAL INTO IS ISOLATION JOIN KEY LANGUAGE LAST
LEADING LEFT LEVEL LIKE LIMIT LIST LOCAL LOWER MATCH MAX MIN MINUTE MISSING MODULE MONTH NAMES
NATIONAL NATURAL NCHAR NEXT NO NOT NULL NULLIF NUMERIC OCTET_LENGTH OF ON ONLY OPEN OPTION OR
ORDER OUTER OUTPUT OVERLAPS PAD PARTIAL PIVOT POSITION PRECISION PREPARE PRESERVE PRIMARY PRIOR
PRIVILEGES PROCEDURE PUBLIC READ REAL REFERENCES RELATIVE REMOVE RESTRICT REVOKE RIGHT ROLLBACK
ROWS SCHEMA SCROLL SECOND SECTION SELECT SESSION SESSION_USER SET SEXP SIZE SMALLINT SOME SPACE
SQL SQLCODE SQLERROR SQLSTATE STRING STRUCT SUBSTRING SUM SYMBOL SYSTEM_USER TABLE TEMPORARY
THEN TIME TIMESTAMP TIMEZONE_HOUR TIMEZONE_MINUTE TO TRAILING TRANSACTION TRANSLATE TRANSLATION
TRIM TRUE TUPLE UNION UNIQUE UNKNOWN UNPIVOT UPDATE UPPER USAGE USER USING VALUE VALUES VARCHAR
VARYING VIEW WHEN WHENEVER WHERE WITH WORK WRITE YEAR ZONE
"""
RESERVED = frozenset(_RESERVED_WORDS.split())


def _reject(what: str, node: A.Node, text: str) -> QueryError:
    return QueryError(f"{what} is not supported by QLDB (this ledger is in QLDB-strict mode)",
                      node.pos[0], node.pos[1], text)


def check_strict(node: Any, text: str) -> None:
    """Raise QueryError at the first construct QLDB did not accept."""
    if isinstance(node, A.Explain):
        raise _reject("EXPLAIN", node, text)
    if isinstance(node, A.SetQuery):
        raise _reject(node.op.upper(), node, text)
    if isinstance(node, A.Select):
        for present, what in ((node.order_by, "ORDER BY"), (node.group_by, "GROUP BY"),
                              (node.having, "HAVING"), (node.limit, "LIMIT"),
                              (node.offset, "OFFSET"), (node.distinct, "SELECT DISTINCT")):
            if present:
                raise _reject(what, node, text)
        if not node.sources:
            raise _reject("SELECT without FROM", node, text)  # the guide uses FROM << 0 >>
    if isinstance(node, A.Join) and node.kind != "inner":
        raise _reject(f"{node.kind.upper()} JOIN", node, text)
    if isinstance(node, A.Call) and node.name not in QLDB_FUNCTIONS:
        raise _reject(f"the function {node.name}", node, text)
    if isinstance(node, A.Case):
        raise _reject("CASE", node, text)
    if isinstance(node, A.CreateTable) and node.name.upper() in RESERVED:
        raise _reject(f"a table named {node.name!r} (a PartiQL reserved word)", node, text)
    if not isinstance(node, A.Node):
        return
    for name in node.__dataclass_fields__:
        if name == "pos":
            continue
        _walk(getattr(node, name), text)


def _walk(v: Any, text: str) -> None:
    if isinstance(v, A.Node):
        check_strict(v, text)
    elif isinstance(v, tuple):
        for x in v:
            _walk(x, text)
