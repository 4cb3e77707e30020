"""Every value rowcast prints for types.sql, checked against the server itself.

SPEC §2: a value is what the server shows for that column in a SELECT (the
text of CAST(col AS CHAR) with character_set_results=utf8mb4 and
time_zone='+00:00'), written as a JSON type where JSON has one. This test
reads each inserted row back from the server and converts it by those rules,
independently of types.jsonl, so a wrong expected file cannot hide a wrong
value:

  integers, YEAR        JSON integer of the CAST text ("0000" is 0)
  BIT                   JSON integer of col+0
  DECIMAL               JSON number with exactly the CAST text's digits
  FLOAT, DOUBLE         the same float32/float64 as the server's value, in the
                        shortest text that reads back to it (the server's own
                        FLOAT text has only 6 digits, so it is no oracle for text)
  DATE, DATETIME, TIMESTAMP, TIME, ENUM, SET, CHAR, VARCHAR, TEXT
                        JSON string equal to the CAST text, as UTF-8
  BINARY, VARBINARY, BLOB
                        standard padded base64 of the bytes (HEX(col))
  NULL                  null

It also checks the row events' metadata (schema, table, operation, columns,
primary, keys) against information_schema, and the commit timestamp against
the SET timestamp in types.sql.
"""

import base64
import datetime
import math
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)

import harness
import harness.rowcast
from harness.mariadb import MariaDB
from harness.rowcast import Number
from test_golden import load_case, stream_sql

SCHEMA = "golden_types"
INTEGER_TYPES = {"tinyint", "smallint", "mediumint", "int", "bigint", "year"}
BINARY_TYPES = {"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"}
TEXT_TYPES = {"char", "varchar", "tinytext", "text", "mediumtext", "longtext"}
STRING_LIKE = {"date", "datetime", "timestamp", "time", "enum", "set"}
GEOMETRY_TYPES = {"geometry", "point", "linestring", "polygon", "multipoint", "multilinestring",
                  "multipolygon", "geometrycollection"}


def significant_digits(text):
    """'1.2300e-5' -> 3: the digits a number's text spends, less padding zeros."""
    mantissa = re.split("[eE]", text.lstrip("-"))[0].replace(".", "")
    return len(mantissa.strip("0")) or 1


FLT_MAX = struct.unpack("<f", b"\xff\xff\x7f\x7f")[0]
FLT_ROUNDS_TO_MAX = 3.4028235677973366e38  # FLT_MAX plus half an ulp


def float32(value):
    """The bytes of VALUE rounded to float32 as strtof() would round it
    (struct refuses values just above FLT_MAX that round down to it)."""
    try:
        return struct.pack("<f", value)
    except OverflowError:
        limit = FLT_MAX if abs(value) < FLT_ROUNDS_TO_MAX else math.inf
        return struct.pack("<f", math.copysign(limit, value))


def shortest_float32(value):
    """The fewest-digit text that reads back to the float32 VALUE."""
    target = float32(value)
    for digits in range(1, 10):
        text = "%.*g" % (digits, value)
        if float32(float(text)) == target:
            return text
    return repr(value)


def check_float(where, got, server_text, single):
    """GOT (rowcast's JSON value) is the server's float in the shortest text."""
    assert isinstance(got, (int, Number)), f"{where}: {got!r} is not a JSON number"
    got_text = str(got) if isinstance(got, int) else got.text
    if single:
        want = struct.unpack("<f", float32(float(server_text)))[0]
        same = float32(float(got_text)) == float32(want)
        shortest = shortest_float32(want)
    else:
        want = float(server_text)
        same = float(got_text) == want
        shortest = repr(want)
    assert same, f"{where}: {got_text} is not the server's value {server_text}"
    assert significant_digits(got_text) <= significant_digits(shortest), \
        f"{where}: {got_text} is not the shortest text for it ({shortest})"


def server_columns(db, table):
    return db.query(f"""
        SELECT COLUMN_NAME AS name, DATA_TYPE AS type, COLUMN_KEY AS col_key
        FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = '{SCHEMA}' AND TABLE_NAME = '{table}'
        ORDER BY ORDINAL_POSITION""")


def server_rows(db, table, columns):
    """{id: {column: (is_null, text)}} where text is what SPEC §2 starts from."""
    exprs = []
    for c in columns:
        name, kind = f"`{c['name']}`", c["type"]
        if kind in BINARY_TYPES:
            expr = f"HEX({name})"
        elif kind in TEXT_TYPES or kind in ("enum", "set"):
            expr = f"HEX(CONVERT({name} USING utf8mb4))"
        elif kind == "bit":
            expr = f"CAST({name} + 0 AS CHAR)"
        elif kind in GEOMETRY_TYPES:
            expr = f"ST_AsText({name})"
        elif kind == "float":
            expr = f"CAST(CAST({name} AS DOUBLE) AS CHAR)"
        else:
            expr = f"CAST({name} AS CHAR)"
        exprs.append(f"{name} IS NULL AS `null:{c['name']}`, {expr} AS `v:{c['name']}`")
    rows = db.query(f"SET time_zone = '+00:00'; SET character_set_results = utf8mb4;"
                    f"SELECT id, {', '.join(exprs)} FROM {SCHEMA}.`{table}`")
    return {int(r["id"]): {c["name"]: (r["null:" + c["name"]] == "1", r["v:" + c["name"]])
                           for c in columns}
            for r in rows}


def expected_value(kind, text):
    """The JSON value SPEC §2 makes of the server's text for a column of KIND."""
    if kind in INTEGER_TYPES or kind == "bit":
        return int(text)
    if kind == "decimal":
        return int(text) if re.fullmatch(r"-?\d+", text) else Number(text)
    if kind in BINARY_TYPES:
        return base64.b64encode(bytes.fromhex(text)).decode("ascii")
    if kind in TEXT_TYPES or kind in ("enum", "set"):
        return bytes.fromhex(text).decode("utf-8")
    if kind in STRING_LIKE or kind in GEOMETRY_TYPES:
        return text
    raise AssertionError(f"no SPEC §2 rule in this test for type {kind}")


def check_event_values(event, columns, row, checked):
    where_row = f"{event['table']} id={event['new'].get('id')}"
    new = event["new"]
    assert list(new) == [c["name"] for c in columns], \
        f"{where_row}: new has columns {list(new)}"
    for c in columns:
        where = f"{where_row} column {c['name']} ({c['type']})"
        is_null, text = row[c["name"]]
        got = new[c["name"]]
        if is_null:
            assert got is None, f"{where}: got {got!r}, the server has NULL"
        elif c["type"] in ("float", "double"):
            check_float(where, got, text, c["type"] == "float")
        else:
            want = expected_value(c["type"], text)
            assert got == want and type(got) is type(want), \
                f"{where}: got {got!r}, the server shows {want!r}"
        checked.add(c["type"])


@harness.timeout(90)
def test_values_match_server():
    sql, how = load_case("types")
    stamp = int(re.search(r"SET timestamp = (\d+)", sql).group(1))
    commit_time = datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc) \
        .strftime("%Y-%m-%d %H:%M:%S")
    with MariaDB(options=how["server"]) as db:
        events = stream_sql(db, sql)
        inserts = [e for e in events if e.get("operation") == "insert"]
        assert inserts, "rowcast printed no insert"
        tables = {}
        checked_rows, checked_types = 0, set()
        for event in inserts:
            assert event["schema"] == SCHEMA, event
            assert event["timestamp"] == commit_time, \
                f"timestamp {event['timestamp']!r}, the commit was at {commit_time} UTC"
            table = event["table"]
            if table not in tables:
                columns = server_columns(db, table)
                tables[table] = (columns, server_rows(db, table, columns))
            columns, rows = tables[table]
            assert event["columns"] == [c["name"] for c in columns], event["columns"]
            assert event["primary"] == "id", event["primary"]
            assert event["keys"] == [c["name"] for c in columns if c["col_key"] in ("PRI", "UNI")]
            assert "old" not in event or event["old"] is None, "an insert has no old row"
            row_id = event["new"]["id"]
            assert row_id in rows, f"{table}: no row id={row_id} on the server"
            check_event_values(event, columns, rows[row_id], checked_types)
            checked_rows += 1
        server_total = sum(len(rows) for _, rows in tables.values())
        assert checked_rows == server_total, \
            f"rowcast printed {checked_rows} inserts, the server holds {server_total} rows"
        missing = (INTEGER_TYPES | BINARY_TYPES | TEXT_TYPES | STRING_LIKE
                   | {"bit", "decimal", "float", "double", "geometry", "point", "linestring",
                      "polygon", "geometrycollection"}) - checked_types
        assert not missing, f"types.sql no longer covers {sorted(missing)}"
        print(f"{checked_rows} rows, {len(checked_types)} types checked")


if __name__ == "__main__":
    test_values_match_server()
    print("ok")


def check_image(where_row, image, columns, row, checked):
    assert list(image) == [c["name"] for c in columns], f"{where_row}: columns {list(image)}"
    for c in columns:
        where = f"{where_row} column {c['name']} ({c['type']})"
        is_null, text = row[c["name"]]
        got = image[c["name"]]
        if is_null:
            assert got is None, f"{where}: got {got!r}, the server has NULL"
        elif c["type"] in ("float", "double"):
            check_float(where, got, text, c["type"] == "float")
        else:
            want = expected_value(c["type"], text)
            assert got == want and type(got) is type(want), \
                f"{where}: got {got!r}, the server shows {want!r}"
        checked.add(c["type"])


@harness.timeout(120)
def test_values_match_server_through_update_and_delete():
    """The same edge values as old and new images: every row of types.sql
    takes the values of the next row (so each edge value is the row's old
    value in one update and its new value in another), then every row is
    deleted. The server's SELECT before and after the update is the truth."""
    sql, how = load_case("types")
    with MariaDB(options=how["server"]) as db:
        db.sql(sql)
        tables = [r["TABLE_NAME"] for r in db.query(
            f"SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{SCHEMA}'")]
        before, after, cols = {}, {}, {}
        for t in tables:
            cols[t] = server_columns(db, t)
            before[t] = server_rows(db, t, cols[t])
        session = "SET sql_mode = ''; SET time_zone = '+00:00';"
        for t in tables:
            ids = sorted(before[t])
            names = [c["name"] for c in cols[t] if c["name"] != "id"]
            sets = ", ".join(f"d.`{n}` = s.`{n}`" for n in names)
            # ids of the row whose values each row takes: the next one, round
            rotate = " ".join(f"WHEN {a} THEN {b}" for a, b in zip(ids, ids[1:] + ids[:1]))
            db.sql(f"{session} CREATE DATABASE IF NOT EXISTS scratch;"
                   f"CREATE TABLE scratch.`{t}` AS SELECT * FROM {SCHEMA}.`{t}`;"
                   f"UPDATE {SCHEMA}.`{t}` d JOIN scratch.`{t}` s "
                   f"ON s.id = CASE d.id {rotate} END SET {sets};")
            after[t] = server_rows(db, t, cols[t])
        db.sql(session + "".join(f"DELETE FROM {SCHEMA}.`{t}`;" for t in tables))
        r = harness.rowcast.run_rowcast("stream", "--source", db.url(), "--start", "beginning",
                                        "--stop-at-end", timeout=60)
        assert r.returncode == 0, str(r)
        events = [e for e in r.events() if e.get("schema") == SCHEMA and e["operation"] != "query"]
        checked = set()
        counts = {"insert": 0, "update": 0, "delete": 0}
        for e in events:
            t, op = e["table"], e["operation"]
            counts[op] += 1
            if op == "insert":
                continue  # test_values_match_server checks these
            rid = (e["old"])["id"]
            where = f"{t} {op} id={rid}"
            if op == "update":
                check_image(where + " old", e["old"], cols[t], before[t][rid], checked)
                check_image(where + " new", e["new"], cols[t], after[t][e["new"]["id"]], checked)
            else:
                assert "new" not in e or e["new"] is None, f"{where}: a delete has no new row"
                check_image(where + " old", e["old"], cols[t], after[t][rid], checked)
        rows = sum(len(v) for v in before.values())
        # rows whose values equal the next row's are not changed and not logged
        assert counts["delete"] == rows, counts
        assert counts["update"] >= rows - len(tables), counts
        print(f"{counts['update']} updates and {counts['delete']} deletes checked")
