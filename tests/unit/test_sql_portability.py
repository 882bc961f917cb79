"""Every SQL statement runs on MySQL 8.0 (Aurora MySQL 3, production) as well as on MariaDB 10.11 (the tests).

No MySQL 8 server can run here, so the SQL the code sends and the migrations are read as text, and a
construct that one of the two servers rejects, deprecates or reads differently fails this test with where it
is and what to write instead. The scanner's own tests below feed it the constructs it must catch (among them
the upserts the code had before, ``ON DUPLICATE KEY UPDATE x = VALUES(x)``) and the forms it must accept.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SINAWAI = ROOT / "layers" / "core" / "sinawai"
MIGRATIONS = SINAWAI / "migrations"

# Reserved words of MySQL 8.0 (https://dev.mysql.com/doc/refman/8.0/en/keywords.html, the "(R)" entries),
# which cannot name a table, column, index or alias unquoted; the last line are words MySQL 8.4 reserves too.
MYSQL_RESERVED = frozenset(
    """
    ACCESSIBLE ADD ALL ALTER ANALYZE AND AS ASC ASENSITIVE BEFORE BETWEEN BIGINT BINARY BLOB BOTH BY
    CALL CASCADE CASE CHANGE CHAR CHARACTER CHECK COLLATE COLUMN CONDITION CONSTRAINT CONTINUE CONVERT
    CREATE CROSS CUBE CUME_DIST CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER CURSOR DATABASE
    DATABASES DAY_HOUR DAY_MICROSECOND DAY_MINUTE DAY_SECOND DEC DECIMAL DECLARE DEFAULT DELAYED DELETE
    DENSE_RANK DESC DESCRIBE DETERMINISTIC DISTINCT DISTINCTROW DIV DOUBLE DROP DUAL EACH ELSE ELSEIF
    EMPTY ENCLOSED ESCAPED EXCEPT EXISTS EXIT EXPLAIN FALSE FETCH FIRST_VALUE FLOAT FLOAT4 FLOAT8 FOR
    FORCE FOREIGN FROM FULLTEXT FUNCTION GENERATED GET GRANT GROUP GROUPING GROUPS HAVING HIGH_PRIORITY
    HOUR_MICROSECOND HOUR_MINUTE HOUR_SECOND IF IGNORE IN INDEX INFILE INNER INOUT INSENSITIVE INSERT
    INT INT1 INT2 INT3 INT4 INT8 INTEGER INTERSECT INTERVAL INTO IO_AFTER_GTIDS IO_BEFORE_GTIDS IS
    ITERATE JOIN JSON_TABLE KEY KEYS KILL LAG LAST_VALUE LATERAL LEAD LEADING LEAVE LEFT LIKE LIMIT
    LINEAR LINES LOAD LOCALTIME LOCALTIMESTAMP LOCK LONG LONGBLOB LONGTEXT LOOP LOW_PRIORITY MASTER_BIND
    MASTER_SSL_VERIFY_SERVER_CERT MATCH MAXVALUE MEDIUMBLOB MEDIUMINT MEDIUMTEXT MIDDLEINT
    MINUTE_MICROSECOND MINUTE_SECOND MOD MODIFIES NATURAL NOT NO_WRITE_TO_BINLOG NTH_VALUE NTILE NULL
    NUMERIC OF ON OPTIMIZE OPTIMIZER_COSTS OPTION OPTIONALLY OR ORDER OUT OUTER OUTFILE OVER PARTITION
    PERCENT_RANK PRECISION PRIMARY PROCEDURE PURGE RANGE RANK READ READS READ_WRITE REAL RECURSIVE
    REFERENCES REGEXP RELEASE RENAME REPEAT REPLACE REQUIRE RESIGNAL RESTRICT RETURN REVOKE RIGHT RLIKE
    ROW ROWS ROW_NUMBER SCHEMA SCHEMAS SECOND_MICROSECOND SELECT SENSITIVE SEPARATOR SET SHOW SIGNAL
    SMALLINT SPATIAL SPECIFIC SQL SQLEXCEPTION SQLSTATE SQLWARNING SQL_BIG_RESULT SQL_CALC_FOUND_ROWS
    SQL_SMALL_RESULT SSL STARTING STORED STRAIGHT_JOIN SYSTEM TABLE TERMINATED THEN TINYBLOB TINYINT
    TINYTEXT TO TRAILING TRIGGER TRUE UNDO UNION UNIQUE UNLOCK UNSIGNED UPDATE USAGE USE USING UTC_DATE
    UTC_TIME UTC_TIMESTAMP VALUES VARBINARY VARCHAR VARCHARACTER VARYING VIRTUAL WHEN WHERE WHILE WINDOW
    WITH WRITE XOR YEAR_MONTH ZEROFILL
    MANUAL PARALLEL QUALIFY TABLESAMPLE
    """.split()  # noqa: SIM905 - a word list reads better than 270 quoted strings
)

# Collations and character sets both servers have, with the same comparison rules. utf8mb4_uca1400_* is
# MariaDB's alone, utf8mb4_0900_* MySQL's; "utf8" means the deprecated utf8mb3 on both.
PORTABLE_COLLATIONS = frozenset({"utf8mb4_unicode_ci", "utf8mb4_bin"})
PORTABLE_CHARSETS = frozenset({"utf8mb4", "binary"})

# sql_mode flags MySQL 8.0 removed (setting one is an error there), and flags only MariaDB has.
SQL_MODES_NOT_ON_BOTH = frozenset(
    {
        "NO_AUTO_CREATE_USER",
        "DB2",
        "MAXDB",
        "MSSQL",
        "MYSQL323",
        "MYSQL40",
        "ORACLE",
        "POSTGRESQL",
        "NO_FIELD_OPTIONS",
        "NO_KEY_OPTIONS",
        "NO_TABLE_OPTIONS",
        "SIMULTANEOUS_ASSIGNMENT",
        "EMPTY_STRING_IS_NULL",
        "TIME_ROUND_FRACTIONAL",
    }
)

# Functions one server lacks, and the regular-expression functions, which both have with different
# engines (MySQL: ICU, MariaDB: PCRE) and so different syntax, case rules and results.
FUNCTIONS_NOT_ON_BOTH = (  # noqa: SIM905 - grouped by server, with comments
    # MariaDB only
    "JSON_DETAILED JSON_LOOSE JSON_COMPACT JSON_EXISTS JSON_QUERY JSON_NORMALIZE JSON_EQUALS "
    "JSON_ARRAY_INTERSECT JSON_OBJECT_FILTER_KEYS JSON_OBJECT_TO_ARRAY JSON_KEY_VALUE "
    "COLUMN_CREATE COLUMN_GET COLUMN_ADD COLUMN_JSON COLUMN_LIST DECODE_HISTOGRAM "
    "SYS_GUID SFORMAT NATURAL_SORT_KEY ADD_MONTHS TO_CHAR CHR KDF LENGTHB NVL NVL2 "
    "MEDIAN PERCENTILE_CONT PERCENTILE_DISC NEXTVAL LASTVAL SETVAL "
    # MySQL only
    "REGEXP_LIKE ANY_VALUE BIN_TO_UUID UUID_TO_BIN JSON_STORAGE_SIZE JSON_STORAGE_FREE JSON_SCHEMA_VALID "
    "JSON_SCHEMA_VALIDATION_REPORT STATEMENT_DIGEST "
    # both, but not the same
    "REGEXP_SUBSTR REGEXP_REPLACE REGEXP_INSTR"
).split()

STRING_TYPES = r"CHAR|VARCHAR|TINYTEXT|TEXT|MEDIUMTEXT|LONGTEXT|ENUM|SET"
NO_LITERAL_DEFAULT_TYPES = (
    r"TINYTEXT|TEXT|MEDIUMTEXT|LONGTEXT|TINYBLOB|BLOB|MEDIUMBLOB|LONGBLOB|JSON|GEOMETRY"
)
NOT_COLUMNS = frozenset(
    {"PRIMARY", "KEY", "UNIQUE", "INDEX", "CONSTRAINT", "FOREIGN", "FULLTEXT", "SPATIAL", "CHECK"}
)


@dataclass(frozen=True)
class Sql:
    where: str  # file:line
    text: str  # comments removed, string literals kept
    bare: str  # comments removed, string literals emptied: what is left is SQL words


def lex(source: str) -> tuple[str, str]:
    """(source without comments, the same without the contents of its string literals)."""
    text: list[str] = []
    bare: list[str] = []
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c in "'\"`":
            j = i + 1
            while j < n:
                if source[j] == "\\" and c != "`":
                    j += 2
                    continue
                if source[j] == c:
                    if j + 1 < n and source[j + 1] == c:  # '' inside '...'
                        j += 2
                        continue
                    break
                j += 1
            literal = source[i : j + 1]
            text.append(literal)
            bare.append(literal if c == "`" else c + c)
            i = j + 1
        elif (source.startswith("--", i) and (i + 2 == n or source[i + 2].isspace())) or c == "#":
            while i < n and source[i] != "\n":
                i += 1
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            i = n if end < 0 else end + 2
            text.append(" ")
            bare.append(" ")
        else:
            text.append(c)
            bare.append(c)
            i += 1
    return "".join(text), "".join(bare)


def _sql(where: str, source: str) -> Sql:
    text, bare = lex(source)
    return Sql(where, " ".join(text.split()), " ".join(bare.split()))


# ---- where the SQL is -------------------------------------------------------------------------------------

SQL_START = re.compile(
    r"^\s*\(?\s*(SELECT\s+\S|INSERT\s+(IGNORE\s+)?INTO\s|REPLACE\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s"
    r"|CREATE\s+(TABLE|(UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX|OR\s+REPLACE|SEQUENCE|DATABASE|USER|VIEW)\s|ALTER\s+TABLE\s|DROP\s+(TABLE|INDEX)\s|SET\s+(SESSION\s|GLOBAL\s|@|time_zone|sql_mode|NAMES)"
    r"|WITH\s+(RECURSIVE\s+)?\w+\s+AS\s*\()",
    re.IGNORECASE,
)


def _flatten(node: ast.expr) -> str | None:
    """The text of a string expression: literals as written, anything computed as ``?``."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else " ? " for v in node.values)  # type: ignore[misc]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _flatten(node.left), _flatten(node.right)
        if left is None and right is None:
            return None
        return (left if left is not None else " ? ") + (right if right is not None else " ? ")
    return None


def python_sql() -> list[Sql]:
    """Every SQL statement (or part of one) written in the shared package's Python code."""
    found: list[Sql] = []
    for path in sorted(SINAWAI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parts_of_larger: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.BinOp | ast.JoinedStr):
                parts_of_larger.update(id(child) for child in ast.iter_child_nodes(node))
            if (
                isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                and node.body
            ):
                first = node.body[0]
                if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                    parts_of_larger.add(id(first.value))  # a docstring: prose, not SQL
        for node in ast.walk(tree):
            if not isinstance(node, ast.expr) or id(node) in parts_of_larger:
                continue
            text = _flatten(node)
            if text and (SQL_START.match(text) or re.search(r"ON\s+DUPLICATE\s+KEY", text, re.IGNORECASE)):
                found.append(_sql(f"{path.relative_to(ROOT)}:{node.lineno}", text))
    return found


def statements(source: str) -> list[tuple[int, str]]:
    """The statements of a script (comments removed) with the line each starts on."""
    text, _ = lex(source)
    found: list[tuple[int, str]] = []
    start, quote = 0, ""
    for k, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote  # a doubled quote closes and reopens: same result
        elif ch in "'\"`":
            quote = ch
        elif ch == ";":
            found.append((start, text[start:k]))
            start = k + 1
    found.append((start, text[start:]))
    return [
        (text[:at].count("\n") + 1 + len(sql) - len(sql.lstrip("\n")), sql)
        for at, sql in found
        if sql.strip()
    ]


def migration_sql() -> list[Sql]:
    """Every statement of every migration and rollback."""
    return [
        _sql(f"{path.relative_to(ROOT)}:{line}", sql)
        for path in sorted(MIGRATIONS.glob("*.sql"))
        for line, sql in statements(path.read_text(encoding="utf-8"))
    ]


# ---- what does not run the same on both -------------------------------------------------------------------


def _balanced(text: str, open_at: int) -> str:
    """The text inside the parenthesis that opens at ``open_at``."""
    depth = 0
    for k in range(open_at, len(text)):
        if text[k] == "(":
            depth += 1
        elif text[k] == ")":
            depth -= 1
            if depth == 0:
                return text[open_at + 1 : k]
    return text[open_at + 1 :]


def _without_casts(text: str) -> str:
    """``text`` without the insides of CAST(...) and CONVERT(...): their ``AS CHAR`` names a type."""
    while m := re.search(r"\b(?:CAST|CONVERT)\s*\(", text, re.IGNORECASE):
        inside = _balanced(text, m.end() - 1)
        text = text[: m.start()] + "x" + text[m.end() + len(inside) + 1 :]
    return text


def _split_top_level(body: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in body:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def _names(column_list: str) -> list[str]:
    """Column names of an index or key list: ``(a, b(10) DESC)`` → a, b."""
    return [m.group(1) for part in column_list.split(",") if (m := re.match(r"\s*([A-Za-z_]\w*)", part))]


def identifiers(sql: Sql) -> list[str]:
    """The unquoted names a statement gives or uses for tables, columns, indexes, constraints and aliases."""
    s = sql.bare
    names: list[str] = []
    names += re.findall(r"\bAS\s+([A-Za-z_]\w*)", _without_casts(s), re.IGNORECASE)
    names += re.findall(r"\b(?:FROM|JOIN|INTO|REFERENCES)\s+([A-Za-z_]\w*)", s, re.IGNORECASE)
    names += re.findall(r"\bTABLE\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?([A-Za-z_]\w*)", s, re.IGNORECASE)
    names += re.findall(r"\bINDEX\s+\w+\s+ON\s+([A-Za-z_]\w*)", s, re.IGNORECASE)
    for at in re.finditer(r"\bINDEX\s+\w+\s+ON\s+\w+\s*\(", s, re.IGNORECASE):
        names += _names(_balanced(s, at.end() - 1))
    names += re.findall(r"^\s*UPDATE\s+([A-Za-z_]\w*)", s, re.IGNORECASE)
    names += re.findall(
        r"\b(?:CONSTRAINT|KEY|INDEX)\s+([A-Za-z_]\w*)\s*(?:\(|ON\b|FOREIGN\b|CHECK\b|,|$)", s, re.I
    )
    names += re.findall(r"\b(?:ADD|DROP|MODIFY)\s+COLUMN\s+([A-Za-z_]\w*)", s, re.IGNORECASE)
    names += re.findall(r"\bDROP\s+(?:KEY|INDEX)\s+([A-Za-z_]\w*)", s, re.IGNORECASE)
    for at in re.finditer(
        r"\b(?:KEY|INDEX|REFERENCES\s+\w+|FOREIGN\s+KEY)\s*(?:[A-Za-z_]\w*\s*)?\(", s, re.I
    ):
        names += _names(_balanced(s, at.end() - 1))
    if m := re.match(r"\s*INSERT\s+(?:IGNORE\s+)?INTO\s+\w+\s*\(", s, re.IGNORECASE):
        names += _names(_balanced(s, m.end() - 1))
    if m := re.match(r"\s*UPDATE\s+\w+\s+SET\s+(.*?)(?:\bWHERE\b|$)", s, re.IGNORECASE):
        names += [t.group(1) for part in _split_top_level(m.group(1)) if (t := re.match(r"(\w+)\s*=", part))]
    if m := re.match(r"\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?\w+\s*\(", s, re.IGNORECASE):
        for element in _split_top_level(_balanced(s, m.end() - 1)):
            first = element.split()[0]
            if first.upper() not in NOT_COLUMNS:
                names.append(first)
    return names


def column_definitions(sql: Sql) -> list[str]:
    """The column definitions a CREATE TABLE or ALTER TABLE ... ADD COLUMN statement makes."""
    s = sql.bare
    if m := re.match(r"\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?\S+\s*\(", s, re.IGNORECASE):
        elements = _split_top_level(_balanced(s, m.end() - 1))
        return [e for e in elements if e.split()[0].upper() not in NOT_COLUMNS]
    if m := re.match(r"\s*ALTER\s+TABLE\s+\S+\s+", s, re.IGNORECASE):
        return [
            re.sub(r"^ADD\s+COLUMN\s+", "", p, flags=re.I)
            for p in _split_top_level(s[m.end() :])
            if re.match(r"ADD\s+COLUMN\s", p, re.IGNORECASE)
        ]
    return []


def problems(sql: Sql) -> list[str]:
    """What in ``sql`` does not run, or does not run the same, on MySQL 8.0 and MariaDB 10.11."""
    s, bare = sql.text, sql.bare
    found: list[str] = []

    def check(pattern: str, message: str, text: str = bare) -> None:
        if re.search(pattern, text, re.IGNORECASE | re.DOTALL):
            found.append(message)

    upsert = re.search(r"\bON\s+DUPLICATE\s+KEY\s+UPDATE\b(.*)", bare, re.IGNORECASE | re.DOTALL)
    bare_values = re.findall(r"\bVALUES?\s*\(\s*`?([A-Za-z_]\w*)`?\s*\)", bare, re.IGNORECASE)
    if (upsert and re.search(r"\bVALUES?\s*\(", upsert.group(1), re.I)) or any(
        v.upper() not in {"NULL", "DEFAULT", "TRUE", "FALSE"} for v in bare_values
    ):
        found.append(
            "VALUES(col) in ON DUPLICATE KEY UPDATE is deprecated since MySQL 8.0.20 (and MariaDB has no "
            "'INSERT ... AS new' row alias): pass the value again, 'col = %s'"
        )
    check(
        r"\bVALUES\s*\((?:[^()]|\([^()]*\))*\)\s+AS\s+\w+",
        "a row alias 'INSERT ... VALUES (...) AS new' is MySQL's only: MariaDB rejects it",
    )
    if re.match(r"\s*ALTER\s+TABLE\b", bare, re.IGNORECASE):
        check(r"\bIF\s+(NOT\s+)?EXISTS\b", "IF [NOT] EXISTS inside ALTER TABLE is MariaDB's only")
    check(
        r"^\s*(CREATE\s+(UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX|DROP\s+INDEX)\s+IF\s+(NOT\s+)?EXISTS\b",
        "CREATE INDEX IF NOT EXISTS / DROP INDEX IF EXISTS are MariaDB's only",
    )
    check(
        r"\bCREATE\s+OR\s+REPLACE\s+(TABLE|INDEX|SEQUENCE|TRIGGER|PROCEDURE|FUNCTION|DATABASE|SCHEMA|USER)\b",
        "CREATE OR REPLACE (except for a view) is MariaDB's only",
    )
    check(
        r"\bRETURNING\b",
        "RETURNING is not on both (MariaDB: INSERT/DELETE ... RETURNING; MySQL: JSON_VALUE ... RETURNING)",
    )
    check(
        r"\bCREATE\s+SEQUENCE\b|\bNEXT\s+VALUE\s+FOR\b|\bPREVIOUS\s+VALUE\s+FOR\b",
        "sequences are MariaDB's only: use AUTO_INCREMENT",
    )
    for function in FUNCTIONS_NOT_ON_BOTH:
        check(rf"\b{function}\s*\(", f"{function}() is not the same function on both servers (or not on one)")
    check(r"\bREGEXP\b|\bRLIKE\b", "REGEXP/RLIKE match differently (MySQL: ICU, MariaDB: PCRE)")
    check(r"->>?", "the JSON operators -> and ->> are MySQL's only: use JSON_VALUE(col, '$.path')")
    check(r"\bMEMBER\s+OF\s*\(", "MEMBER OF() is MySQL's only: use JSON_CONTAINS")
    check(r"\bCAST\s*\((?:[^()]|\([^()]*\))*\bAS\s+JSON\s*\)", "CAST(... AS JSON) is MySQL's only")
    check(r"\b(INTERSECT|EXCEPT)\b", "INTERSECT/EXCEPT need MySQL 8.0.31 (Aurora MySQL 3.05)")
    check(
        r"\bSQL_CALC_FOUND_ROWS\b|\bFOUND_ROWS\s*\(",
        "SQL_CALC_FOUND_ROWS/FOUND_ROWS() are deprecated in MySQL 8",
    )
    for m in re.finditer(
        r"\bGROUP\s+BY\s+(.*?)(?=\bHAVING\b|\bORDER\b|\bLIMIT\b|\bWINDOW\b|\bWITH\b|\)|$)", bare, re.I
    ):
        if re.search(r"\b(ASC|DESC)\b", m.group(1), re.IGNORECASE):
            found.append("GROUP BY ... ASC/DESC was removed in MySQL 8.0.13: add an ORDER BY")
    for m in re.finditer(r"(?<!UNION )\b(IN|ALL|ANY|SOME)\s*\(\s*SELECT\b", bare, re.IGNORECASE):
        if re.search(r"\bLIMIT\b", _balanced(bare, bare.index("(", m.start())), re.IGNORECASE):
            found.append(
                "LIMIT inside an IN/ALL/ANY/SOME subquery is rejected: use a derived table or a JOIN"
            )

    # names: MySQL 8's reserved words cannot be used unquoted
    reserved = sorted({n for n in identifiers(sql) if n.upper() in MYSQL_RESERVED})
    if reserved:
        found.append(f"MySQL 8 reserved word(s) used as a name: {', '.join(reserved)} (rename, or `quote`)")

    # character sets, collations, sql_mode
    check(r"uca1400|_0900_", "a collation of one server only (uca1400: MariaDB, 0900: MySQL)", s)
    for collation in re.findall(r"\bCOLLATE\s*=?\s*['\"]?(\w+)", bare, re.IGNORECASE):
        if collation.lower() not in PORTABLE_COLLATIONS:
            found.append(f"collation {collation}: use utf8mb4_unicode_ci (or utf8mb4_bin) on both")
    for charset in re.findall(r"\b(?:CHARSET|CHARACTER\s+SET)\s*=?\s*['\"]?(\w+)", bare, re.IGNORECASE):
        if charset.lower() not in PORTABLE_CHARSETS:
            found.append(f"character set {charset}: use utf8mb4 (utf8 is the deprecated utf8mb3)")
    for modes in re.findall(r"sql_mode\s*=\s*'([^']*)'", s, re.IGNORECASE):
        bad = sorted({mode.strip().upper() for mode in modes.split(",")} & SQL_MODES_NOT_ON_BOTH)
        if bad:
            found.append(f"sql_mode flag(s) {', '.join(bad)}: not on both servers (MySQL 8.0 removed some)")
    if "NO_AUTO_CREATE_USER" in s.upper() and not any("NO_AUTO_CREATE_USER" in f for f in found):
        found.append("NO_AUTO_CREATE_USER was removed in MySQL 8.0")

    # schema
    check(r"'0000-00-00", "zero dates are rejected by the strict sql_mode both servers run with", s)
    check(r"\bENGINE\s*=?\s*(?!InnoDB\b)\w+", "tables are InnoDB on both (Aria, MyISAM, ... are not)")
    check(
        r"\b(TINYINT|SMALLINT|MEDIUMINT|INT|INTEGER|BIGINT)\s*\(\s*\d+\s*\)",
        "integer display widths are deprecated in MySQL 8.0.17: write INT, BIGINT, ... (BOOLEAN for flags)",
    )
    check(
        r"\b(DECIMAL|FLOAT|DOUBLE|REAL)\s*(\([^)]*\))?\s+UNSIGNED\b", "UNSIGNED DECIMAL/FLOAT is deprecated"
    )
    check(r"\bZEROFILL\b", "ZEROFILL is deprecated in MySQL 8.0.17")
    for column in column_definitions(sql):
        kind = column.split()[1].upper() if len(column.split()) > 1 else ""
        if re.match(rf"({NO_LITERAL_DEFAULT_TYPES})\b", kind) and re.search(
            r"\bDEFAULT\s+(?!\(|NULL\b)", column, re.I
        ):
            found.append(f"{column.split()[0]}: MySQL 8 allows a TEXT/BLOB/JSON default only as (expression)")
        if re.match(r"(UUID|INET4|INET6|XMLTYPE)\b", kind):
            found.append(f"{column.split()[0]}: the {kind} type is MariaDB's only")
        if kind.startswith("TIMESTAMP"):
            found.append(
                f"{column.split()[0]}: TIMESTAMP ends in 2038 and shifts with time_zone; use DATETIME(6)"
            )
        if dt := re.match(r"(DATETIME|TIMESTAMP)\s*(?:\(\s*(\d)\s*\))?", " ".join(column.split()[1:]), re.I):
            precision = dt.group(2) or "0"
            for now in re.findall(
                r"\b(?:CURRENT_TIMESTAMP|NOW|LOCALTIMESTAMP)\b\s*(?:\(\s*(\d?)\s*\))?", column, re.I
            ):
                if (now or "0") != precision:
                    found.append(
                        f"{column.split()[0]}: CURRENT_TIMESTAMP's precision differs from the column's"
                    )
        if re.search(r"\bCHECK\s*\(", column, re.IGNORECASE):
            found.append(
                f"{column.split()[0]}: write CHECK as a named table constraint (CONSTRAINT name CHECK)"
            )
        if re.search(r"\bDEFAULT\s+UUID\s*\(", column, re.IGNORECASE):
            found.append(f"{column.split()[0]}: MySQL 8 needs an expression default in parentheses, (UUID())")
    check(
        r"\bCHECK\s*\((?:[^()]|\([^()]*\))*\b(NOW|CURRENT_TIMESTAMP|CURDATE|SYSDATE|RAND|UUID|USER)\b",
        "MySQL 8 rejects a CHECK constraint with a non-deterministic function",
    )
    if re.match(r"\s*CREATE\s+TABLE\b", bare, re.IGNORECASE):
        strings = [c for c in column_definitions(sql) if re.match(rf"\S+\s+({STRING_TYPES})\b", c, re.I)]
        if strings and not re.search(r"\)[^()]*\bCOLLATE\s*=?\s*utf8mb4_unicode_ci\b[^()]*$", bare, re.I):
            found.append(
                "a table with text columns states COLLATE = utf8mb4_unicode_ci: the servers' defaults differ "
                "(MySQL 8: utf8mb4_0900_ai_ci) and so would comparisons, sorting and foreign keys"
            )
    return found


def _report(statements: list[Sql]) -> list[str]:
    return [
        f"{sql.where}: {problem}\n    {sql.text[:160]}" for sql in statements for problem in problems(sql)
    ]


# ---- the code and the migrations ---------------------------------------------------------------------------


def test_every_sql_statement_of_the_code_runs_on_mysql_8_and_mariadb() -> None:
    report = _report(python_sql())
    assert not report, "\n".join(report)


def test_every_migration_runs_on_mysql_8_and_mariadb() -> None:
    report = _report(migration_sql())
    assert not report, "\n".join(report)


def test_constraint_names_are_unique_in_the_schema() -> None:
    """MySQL names foreign keys and CHECK constraints per schema, MariaDB CHECKs per table: a name used
    twice migrates on MariaDB and fails on MySQL."""
    names = Counter(
        name.lower()
        for sql in migration_sql()
        if not sql.where.split(":")[0].endswith(".rollback.sql")
        for name in re.findall(r"\bCONSTRAINT\s+([A-Za-z_]\w*)", sql.bare, re.IGNORECASE)
    )
    assert names, "no constraint found: the migrations were not read"
    assert [n for n, count in names.items() if count > 1] == []


def test_the_scan_reads_the_sql_the_code_sends() -> None:
    """A scanner that finds nothing passes everything: it must see the statements it is meant to check."""
    code = python_sql()
    texts = [sql.text for sql in code]
    assert len(code) > 120
    for expected in (
        "INSERT INTO conversation (chat_id",  # platform/conversations.py, an upsert
        "INSERT INTO sensitive_chat (chat_id",  # platform/conversations.py, an upsert
        "INSERT INTO document (category",  # documents/store.py, an upsert
        "ON DUPLICATE KEY UPDATE n = n + 1",  # platform/updates.py
        "SELECT nip, nama, password_hash, id_telegram, registered_at, ? FROM pengguna",  # built with +
        "SELECT ? FROM ticket WHERE id = %s FOR UPDATE",  # an f-string
        "sql_mode = 'STRICT_ALL_TABLES",  # platform/db.py's session setup
    ):
        assert any(expected in text for text in texts), expected
    migrations = migration_sql()
    assert sum(bool(re.match(r"\s*CREATE\s+TABLE", sql.text, re.I)) for sql in migrations) >= 20
    columns = {name for sql in migrations for name in identifiers(sql)}
    assert {"pengguna", "nip", "update_inbox", "sealed", "ix_inbox_lease", "fk_ticket_pengguna"} <= columns


# ---- the scanner catches what it must, and only that ------------------------------------------------------

OLD_CONVERSATION_UPSERT = (  # platform/conversations.py before this check
    "INSERT INTO conversation (chat_id, command_group, state, data, sensitive_input, expires_at)"
    " VALUES (%s, %s, %s, %s, %s, %s) ON DUPLICATE KEY UPDATE command_group = VALUES(command_group),"
    " state = VALUES(state), data = VALUES(data), sensitive_input = VALUES(sensitive_input),"
    " expires_at = VALUES(expires_at)"
)
OLD_DOCUMENT_UPSERT = (  # documents/store.py before this check
    "INSERT INTO document (category, title, roles, s3_key) VALUES (%s, %s, %s, %s)"
    " ON DUPLICATE KEY UPDATE roles = IF(%s, VALUES(roles), roles), s3_key = VALUES(s3_key), active = TRUE"
)


@pytest.mark.parametrize(
    ("sql", "caught"),
    [
        (OLD_CONVERSATION_UPSERT, "VALUES(col)"),
        (OLD_DOCUMENT_UPSERT, "VALUES(col)"),
        (" ON DUPLICATE KEY UPDATE n = VALUE(n) + 1", "VALUES(col)"),
        ("INSERT INTO t (a, b) VALUES (%s, %s) AS new ON DUPLICATE KEY UPDATE b = new.b", "row alias"),
        ("ALTER TABLE pengguna ADD COLUMN IF NOT EXISTS bot_blocked_at DATETIME(6) NULL", "ALTER TABLE"),
        ("ALTER TABLE faq_offer DROP COLUMN IF EXISTS update_id", "ALTER TABLE"),
        ("CREATE INDEX IF NOT EXISTS ix_ticket_rated ON ticket (rated_at)", "CREATE INDEX IF NOT EXISTS"),
        ("DROP INDEX IF EXISTS ix_ticket_rated ON ticket", "CREATE INDEX IF NOT EXISTS"),
        ("INSERT INTO ticket (nip) VALUES (%s) RETURNING id", "RETURNING"),
        ("DELETE FROM staff_send WHERE id = %s RETURNING sent_at", "RETURNING"),
        ("CREATE SEQUENCE ticket_no", "sequences"),
        ("SELECT NEXTVAL(ticket_no) AS n", "NEXTVAL()"),
        ("SELECT JSON_DETAILED(detail) AS d FROM audit_log", "JSON_DETAILED()"),
        ("SELECT REGEXP_SUBSTR(nip, '[0-9]+') AS d FROM pengguna", "REGEXP_SUBSTR()"),
        ("SELECT detail->>'$.reason' AS reason FROM ticket_event", "->>"),
        ("SELECT id FROM ticket WHERE id IN (SELECT ticket_id FROM ticket_event LIMIT 5)", "LIMIT inside"),
        ("SELECT area, COUNT(*) AS n FROM content_view GROUP BY area DESC", "GROUP BY ... ASC/DESC"),
        ("SELECT nip, RANK() OVER (ORDER BY waktu) AS rank FROM audit_log", "rank"),
        ("CREATE TABLE ranking (id BIGINT NOT NULL, groups VARCHAR(10) NULL, PRIMARY KEY (id))", "groups"),
        ("CREATE TABLE t (id BIGINT NOT NULL, `rank` INT NULL, KEY lateral (id))", "lateral"),
        ("ALTER TABLE ticket ADD COLUMN row BIGINT NULL", "row"),
        ("UPDATE ticket SET system = %s WHERE id = %s", "system"),
        (
            "CREATE TABLE t (a VARCHAR(9) NOT NULL) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4"
            " COLLATE = utf8mb4_uca1400_ai_ci",
            "uca1400",
        ),
        (
            "CREATE TABLE t (a VARCHAR(9) NOT NULL) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4",
            "states COLLATE",
        ),
        ("CREATE TABLE t (a VARCHAR(9) NOT NULL) ENGINE = Aria COLLATE = utf8mb4_unicode_ci", "InnoDB"),
        ("CREATE TABLE t (a CHAR(3) CHARACTER SET utf8 NOT NULL) COLLATE = utf8mb4_unicode_ci", "utf8mb3"),
        (
            "SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_CREATE_USER'",
            "NO_AUTO_CREATE_USER",
        ),
        ("SET SESSION sql_mode = 'STRICT_ALL_TABLES,SIMULTANEOUS_ASSIGNMENT'", "SIMULTANEOUS_ASSIGNMENT"),
        (
            "CREATE TABLE t (note TEXT NOT NULL DEFAULT '') COLLATE = utf8mb4_unicode_ci",
            "TEXT/BLOB/JSON default",
        ),
        ("CREATE TABLE t (w DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP)", "precision"),
        ("CREATE TABLE t (w DATETIME NOT NULL DEFAULT '0000-00-00 00:00:00')", "zero dates"),
        ("CREATE TABLE t (w TIMESTAMP(6) NULL)", "2038"),
        ("CREATE TABLE t (id INT(11) NOT NULL)", "display widths"),
        ("CREATE TABLE t (id UUID NOT NULL DEFAULT UUID())", "MariaDB's only"),
        ("CREATE TABLE t (n INT NOT NULL CHECK (n > 0))", "named table constraint"),
    ],
)
def test_the_scan_catches_what_one_server_does_not_run(sql: str, caught: str) -> None:
    found = problems(_sql("example", sql))
    assert any(caught in problem for problem in found), found


@pytest.mark.parametrize(
    "sql",
    [
        # the upserts as the code writes them now
        "INSERT INTO conversation (chat_id, state) VALUES (%s, %s) ON DUPLICATE KEY UPDATE state = %s",
        "INSERT INTO update_counter (day, chat_type, kind, n) VALUES (%s, %s, %s, 1)"
        " ON DUPLICATE KEY UPDATE n = n + 1",
        # several rows at once, through a derived table both servers accept
        "INSERT INTO t (a, b) SELECT * FROM (SELECT %s AS a, %s AS b UNION ALL SELECT %s, %s) AS new"
        " ON DUPLICATE KEY UPDATE b = new.b",
        "INSERT INTO staff_pacer (staff_chat_id) VALUES (NULL)",
        "CREATE TABLE IF NOT EXISTS t (id BIGINT NOT NULL, PRIMARY KEY (id)) ENGINE = InnoDB",
        "DROP TABLE IF EXISTS t",
        "CREATE TABLE t (id BIGINT NOT NULL, `rank` INT NULL, PRIMARY KEY (id)) ENGINE = InnoDB",
        "CREATE TABLE t (note TEXT NULL COMMENT 'rank, rows, groups: not names') ENGINE = InnoDB"
        " DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci",
        "CREATE TABLE t (w DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))",
        "CREATE TABLE t (n INT NOT NULL, CONSTRAINT ck_t_n CHECK (n > 0))",
        "SELECT JSON_VALUE(e.detail, '$.reason') AS reason FROM ticket_event e WHERE e.event = 'closed'",
        "SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE'",
        "SELECT 'a -> b' AS arrow, 'RETURNING' AS word",
    ],
)
def test_the_scan_accepts_what_both_servers_run(sql: str) -> None:
    assert problems(_sql("example", sql)) == []
