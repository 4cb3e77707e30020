"""Text in every character set MariaDB 10.11 offers, checked against the server.

SPEC §2: CHAR/VARCHAR/TEXT values are JSON strings in UTF-8, converted from
the column's character set; a byte the charset does not define becomes
U+FFFD. The reference is the server's own conversion, HEX(CONVERT(v USING
utf8mb4)), read back per row, so no expected file can hide a wrong value.
Where the server prints '?' for a byte other than 3F (it has no character
for it) rowcast must write U+FFFD instead.

One table per charset (SHOW CHARACTER SET, less binary, whose values are
base64): a row of representative text, inserted as utf8mb4 and converted by
the server; for single-byte charsets a row of every byte 80..FF and one of
20..7F, inserted with UNHEX so that each byte lands as it is; an empty row; for sjis, ujis and big5 a row of the codes
where the server and glibc differ.
gb18030 exists only in MySQL 8/9, so it is covered by tests/unit/test_charset.c.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)

import harness
from harness.mariadb import MariaDB
from test_golden import stream_sql

SCHEMA = "golden_charsets"

RUSSIAN = "Привет, мир! Съешь же ещё этих булок"
POLISH = "Zażółć gęślą jaźń ŁŚŻ"
WESTERN = "Ça été über naïve Æsop"
JAPANESE = "日本語のテキスト、カタカナ。漢字 ｶﾀｶﾅ \\ ~"
# Codes where the server's conversion differs from glibc's (rc_charset.c),
# inserted as bytes: sjis 815F; ujis A1C0, 8FA2B7 and the user-defined rows;
# big5 codes from MariaDB's older table.
RAW = {
    "sjis": "815F5C7EA1DF",
    "ujis": "A1C08FA2B7F5A1FEFE8FF5A18FFEFE8EB1",
    "big5": "A145A14EA1C2A1E3A241",
}
# Text each charset can hold (the server converts it on INSERT).
TEXT = {
    "armscii8": "Բարեւ աշխարհ",
    "ascii": "plain ASCII ~ \\ \"quoted\"",
    "big5": "中文測試 繁體字 臺灣",
    "cp1250": POLISH,
    "cp1251": RUSSIAN,
    "cp1256": "مرحبا بالعالم، عربي",
    "cp1257": "Ąčęėįšųūž ĀĒĪ",
    "cp850": WESTERN,
    "cp852": POLISH,
    "cp866": RUSSIAN,
    "cp932": JAPANESE + " ①② ＼",
    "dec8": WESTERN,
    "eucjpms": JAPANESE + " ①② ＼",
    "euckr": "한국어 텍스트 갂",
    "gb2312": "中文测试 汉字",
    "gbk": "中文测试 汉字 繁體",
    "geostd8": "გამარჯობა",
    "greek": "Καλημέρα κόσμε",
    "hebrew": "שלום עולם",
    "hp8": WESTERN,
    "keybcs2": "Příliš žluťoučký kůň",
    "koi8r": RUSSIAN,
    "koi8u": "Привіт, ґанок, їжак",
    "latin1": WESTERN + " €",
    "latin2": POLISH,
    "latin5": "Türkçe ğışİŞ",
    "latin7": "Ąčęėįšųūž",
    "macce": POLISH,
    "macroman": WESTERN + " ∑π",
    "sjis": JAPANESE,
    "swe7": "ÅÄÖ åäö ÉéÜü",
    "tis620": "สวัสดีครับ ภาษาไทย",
    "ucs2": "Ωмир 中文 ✓",
    "ujis": JAPANESE,
    "utf16": "𝄞 😀 中文 Ω",
    "utf16le": "𝄞 😀 中文 Ω",
    "utf32": "𝄞 😀 中文 Ω",
    "utf8mb3": "Ωмир 中文 ✓",
    "utf8mb4": "𝄞 😀 中文 Ω",
}


def sql_string(text):
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def build_sql(charsets):
    stmts = [f"CREATE DATABASE {SCHEMA};", f"USE {SCHEMA};"]
    for cs, maxlen in charsets.items():
        stmts.append(f"CREATE TABLE t_{cs} (id INT PRIMARY KEY, v TEXT CHARACTER SET {cs});")
        stmts.append(f"INSERT INTO t_{cs} VALUES (1, _utf8mb4 {sql_string(TEXT[cs])});")
        stmts.append(f"INSERT INTO t_{cs} VALUES (2, '');")
        if cs in RAW:
            stmts.append(f"INSERT INTO t_{cs} VALUES (5, UNHEX('{RAW[cs]}'));")
        if maxlen == 1:
            high = "".join(f"{b:02X}" for b in range(0x80, 0x100))
            low = "".join(f"{b:02X}" for b in range(0x20, 0x80))
            stmts.append(f"INSERT INTO t_{cs} VALUES (3, UNHEX('{high}')), (4, UNHEX('{low}'));")
    return "\n".join(stmts)


def expected(raw_hex, server_hex):
    """The server's text, with U+FFFD where it printed '?' for a byte that
    is not '?' (single-byte rows only: RAW_HEX then has one byte per
    character)."""
    text = bytes.fromhex(server_hex).decode("utf-8")
    if raw_hex is None:
        return text
    raw = bytes.fromhex(raw_hex)
    assert len(raw) == len(text), f"{len(raw)} bytes but {len(text)} characters"
    return "".join("\ufffd" if ch == "?" and b != 0x3F else ch for b, ch in zip(raw, text))


@harness.timeout(120)
def test_charsets_match_server():
    with MariaDB() as db:
        rows = db.query("SELECT CHARACTER_SET_NAME AS n, MAXLEN AS m "
                        "FROM information_schema.CHARACTER_SETS ORDER BY 1")
        charsets = {r["n"]: int(r["m"]) for r in rows if r["n"] != "binary"}
        missing = set(charsets) - set(TEXT)
        assert not missing, f"the server has charsets this test does not know: {missing}"
        events = stream_sql(db, build_sql(charsets))
        want = {}
        for cs, maxlen in charsets.items():
            for r in db.query(f"SELECT id, HEX(v) AS raw, HEX(CONVERT(v USING utf8mb4)) AS u "
                              f"FROM {SCHEMA}.t_{cs}"):
                raw = r["raw"] if maxlen == 1 else None
                want[(f"t_{cs}", int(r["id"]))] = expected(raw, r["u"])
        seen = set()
        failures = []
        for e in events:
            if e.get("operation") != "insert" or e.get("schema") != SCHEMA:
                continue
            key = (e["table"], e["new"]["id"])
            got = e["new"]["v"]
            seen.add(key)
            if got != want[key]:
                failures.append(f"{key}: got {got!r}\n    server {want[key]!r}")
        assert not failures, f"{len(failures)} values differ:\n" + "\n".join(failures)
        assert seen == set(want), f"rows rowcast did not print: {sorted(set(want) - seen)}"
        print(f"{len(seen)} values in {len(charsets)} charsets match the server")


if __name__ == "__main__":
    test_charsets_match_server()
    print("ok")
