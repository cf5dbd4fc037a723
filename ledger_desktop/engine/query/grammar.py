"""The PartiQL grammar (lark, LALR(1)); kept in a module so packaging never loses it."""

GRAMMAR = r"""
// PartiQL as QLDB accepts it, plus ORDER BY, GROUP BY, LIMIT/OFFSET, LEFT JOIN and EXPLAIN.
// Parsed with LALR(1) and a contextual lexer: keywords are case-insensitive, and a keyword
// is only a keyword where the grammar expects one (so `v.Year` or `x.value` are paths).

start: statement ";"?

?statement: query
          | dml
          | ddl
          | exec_stmt
          | explain

explain: EXPLAIN statement

// ---------------------------------------------------------------- queries
?query: select_query
      | set_query

set_query: select_query setop ALL? select_query
setop: UNION | INTERSECT | EXCEPT
trim_spec: BOTH | LEADING | TRAILING

select_query: SELECT DISTINCT? projection from_clause? where_clause? group_clause? having_clause? order_clause? limit_clause? offset_clause?

projection: "*"                          -> proj_star
          | VALUE expr                   -> proj_value
          | proj_item ("," proj_item)*   -> proj_list

proj_item: expr (AS? name)?

from_clause: FROM from_source ("," from_source)*
where_clause: WHERE expr
group_clause: GROUP BY group_item ("," group_item)* (GROUP AS name)?
group_item: expr (AS name)?
having_clause: HAVING expr
order_clause: ORDER BY order_item ("," order_item)*
order_item: expr (ASC | DESC)? (NULLS (FIRST | LAST))?
limit_clause: LIMIT expr
offset_clause: OFFSET expr

from_source: from_item join*
join: INNER? JOIN from_item ON expr              -> inner_join
    | CROSS JOIN from_item                       -> cross_join
    | LEFT OUTER? JOIN from_item ON expr         -> left_join

from_item: expr (AS? name)? (AT name)? (BY name)?

// ---------------------------------------------------------------- DML
?dml: insert_stmt
    | update_stmt
    | delete_stmt
    | from_dml

insert_stmt: INSERT INTO name (AS name)? VALUE? expr                  -> insert_stmt
update_stmt: UPDATE dml_target dml_op+ where_clause?
delete_stmt: DELETE FROM dml_target where_clause?
from_dml: FROM dml_target ("," from_item)* where_clause? dml_op+

dml_target: name (AS? name)? (BY name)?

?dml_op: SET assignment ("," assignment)*                              -> set_op
       | REMOVE postfix                                                 -> remove_op
       | INSERT INTO postfix VALUE expr (AT expr)?                      -> insert_op

assignment: postfix "=" expr

// ---------------------------------------------------------------- DDL and stored procedures
?ddl: CREATE TABLE name with_clause?                      -> create_table
    | DROP TABLE name                                     -> drop_table
    | UNDROP TABLE name                                   -> undrop_table
    | CREATE INDEX ON name "(" expr ")"                   -> create_index
    | DROP INDEX name ON name with_clause?                -> drop_index

with_clause: WITH "(" with_opt ("," with_opt)* ")"
with_opt: name "=" expr

exec_stmt: EXEC name (expr ("," expr)*)?

// ---------------------------------------------------------------- expressions
?expr: or_expr

?or_expr: and_expr
        | and_expr (OR and_expr)+                  -> or_op

?and_expr: not_expr
         | not_expr (AND not_expr)+                -> and_op

?not_expr: pred
         | NOT not_expr                            -> not_op

?pred: concat
     | concat CMP_OP concat                         -> cmp
     | concat "=" concat                            -> eq
     | concat IS NOT? is_kind                       -> is_op
     | concat NOT? IN concat                        -> in_op
     | concat NOT? LIKE concat (ESCAPE concat)?     -> like_op
     | concat NOT? BETWEEN concat AND concat        -> between_op

is_kind: NULL | MISSING | TRUE | FALSE

?concat: additive
       | concat "||" additive                      -> concat_op

?additive: multiplicative
         | additive ADD_OP multiplicative          -> arith

?multiplicative: unary
               | multiplicative MUL_OP unary       -> arith

?unary: postfix
      | ADD_OP unary                               -> neg

?postfix: primary
        | postfix "." name                         -> dot
        | postfix "." "*"                          -> dot_star
        | postfix "[" "*" "]"                      -> index_star
        | postfix "[" expr "]"                     -> index

?primary: literal
        | param
        | name                                     -> var
        | "@" name                                 -> var_at
        | "(" expr ")"
        | "(" query ")"                            -> subquery
        | "(" expr ("," expr)+ ")"                 -> paren_list
        | struct_lit
        | list_lit
        | bag_lit
        | call
        | case_expr

param: "?"

literal: NUMBER                  -> number
       | STRING                  -> string
       | ION                     -> ion
       | NULL                    -> null
       | MISSING                 -> missing
       | TRUE                    -> true
       | FALSE                   -> false

struct_lit: "{" (struct_field ("," struct_field)*)? "}"
struct_field: expr ":" expr
list_lit: "[" (expr ("," expr)*)? "]"
bag_lit: BAG_OPEN (expr ("," expr)*)? BAG_CLOSE

call: name "(" ")"                                           -> call_noargs
    | name "(" "*" ")"                                       -> call_star
    | name "(" DISTINCT expr ")"                             -> call_distinct
    | name "(" ALL expr ")"                                  -> call_all
    | name "(" expr ("," expr)* ")"                          -> call_args
    | name "(" expr FROM expr (FOR expr)? ")"                -> call_from
    | name "(" trim_spec expr? FROM expr ")"                 -> call_trim_spec
    | name "(" FROM expr ")"                                 -> call_trim_plain
    | CAST "(" expr AS name ")"                              -> cast
    | EXISTS "(" query ")"                                   -> exists_query
    | EXISTS "(" expr ")"                                    -> exists_expr

case_expr: CASE expr? when_clause+ (ELSE expr)? END
when_clause: WHEN expr THEN expr

name: IDENT                                                  -> ident
    | QUOTED_IDENT                                           -> quoted_ident

// ---------------------------------------------------------------- terminals
BAG_OPEN.2: "<<"
BAG_CLOSE.2: ">>"
CMP_OP: "<>" | "!=" | "<=" | ">=" | "<" | ">"
ADD_OP: "+" | "-"
MUL_OP: "*" | "/" | "%"
ASC: "asc"i
DESC: "desc"i
FIRST: "first"i
LAST: "last"i
BOTH: "both"i
LEADING: "leading"i
TRAILING: "trailing"i
UNION: "union"i
INTERSECT: "intersect"i
EXCEPT: "except"i

SELECT: "select"i
DISTINCT: "distinct"i
VALUE: "value"i
AS: "as"i
AT: "at"i
BY: "by"i
FROM: "from"i
WHERE: "where"i
GROUP: "group"i
HAVING: "having"i
ORDER: "order"i
NULLS: "nulls"i
LIMIT: "limit"i
OFFSET: "offset"i
INNER: "inner"i
JOIN: "join"i
CROSS: "cross"i
LEFT: "left"i
OUTER: "outer"i
ON: "on"i
INSERT: "insert"i
INTO: "into"i
UPDATE: "update"i
DELETE: "delete"i
SET: "set"i
REMOVE: "remove"i
CREATE: "create"i
DROP: "drop"i
UNDROP: "undrop"i
TABLE: "table"i
INDEX: "index"i
WITH: "with"i
EXEC: "exec"i
EXPLAIN: "explain"i
OR: "or"i
AND: "and"i
NOT: "not"i
IS: "is"i
IN: "in"i
LIKE: "like"i
ESCAPE: "escape"i
BETWEEN: "between"i
NULL: "null"i
MISSING: "missing"i
TRUE: "true"i
FALSE: "false"i
ALL: "all"i
CAST: "cast"i
EXISTS: "exists"i
CASE: "case"i
WHEN: "when"i
THEN: "then"i
ELSE: "else"i
END: "end"i
FOR: "for"i

IDENT: /[A-Za-z_$][A-Za-z0-9_$]*/
QUOTED_IDENT: /"[^"]*(?:""[^"]*)*"/
STRING: /'[^']*(?:''[^']*)*'/
ION: /`[^`]*`/
NUMBER: /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/

COMMENT: /--[^\n]*/ | /\/\*[^*]*\*+(?:[^\/*][^*]*\*+)*\//
%import common.WS
%ignore WS
%ignore COMMENT
"""
