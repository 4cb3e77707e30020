"""`rowcast read` on the binlog fixtures of ../shared/fixtures, compared value
by value with the contents their EXPECTED notes state (EXPECTED.md §1.3 says
how the neutral representation there maps to ours: DECIMAL as exact text,
bytes as hex, etc.). The bad-input fixtures must stop with the error and
offset EXPECTED.md §4 names."""

import base64
import gzip
import json
import os
import struct
import zlib

from harness.rowcast import FIXTURES, SHARED, Number, loads, run_rowcast

EXPECTED = os.path.join(SHARED, "fixtures", "expected")

# Files with events rowcast does not decode yet: it must refuse them with a
# clear error rather than skip rows (test_unsupported_*).
NEEDS_LATER = {}


def _f32(x):
    return struct.unpack("<f", struct.pack("<f", float(x)))[0]


def same_typed(exp, got, ctype):
    """Compares by the column's binlog type where the representations differ:
    MySQL JSON is MySQL's text there and the embedded document here; VECTOR
    elements are binary32 (EXPECTED.md §1.3: compare as float32)."""
    if ctype == "JSON" and exp is not None:
        return json.loads(exp) == json.loads(json.dumps(got, default=float))
    if isinstance(ctype, tuple) and ctype[0] == "BINARY" and isinstance(exp, dict):
        # The binlog drops BINARY(n)'s trailing zero bytes; the server returns
        # them and so does rowcast (SPEC.md §2), EXPECTED lists what is stored.
        width = ctype[1]
        return same({"hex": exp["hex"].ljust(2 * width, "0")}, got)
    if ctype == "VECTOR" and isinstance(exp, list):
        return isinstance(got, list) and len(got) == len(exp) and all(
            _f32(a) == _f32(b) for a, b in zip(exp, got))
    return same(exp, got)


def same(exp, got):
    if isinstance(exp, dict) and "hex" in exp:
        if not isinstance(got, str):
            return False
        try:
            return base64.b64decode(got, validate=True).hex() == exp["hex"]
        except ValueError:
            return False
    if isinstance(exp, bool) or exp is None:
        return got is exp
    if isinstance(exp, int):
        return isinstance(got, int) and not isinstance(got, bool) and got == exp
    if isinstance(exp, float):
        return isinstance(got, (int, Number)) and float(got) == exp
    if isinstance(exp, str):
        if isinstance(got, str):
            return got == exp
        if isinstance(got, (int, Number)):  # DECIMAL: the same digits
            return str(got) == exp
    return False


def expected_rows(name):
    path = os.path.join(EXPECTED, name + ".jsonl")
    opener = open
    if not os.path.exists(path):
        path += ".gz"
        opener = gzip.open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def column_types(name):
    """{(schema.table, column name): binlog type} from the TABLE_MAP events."""
    types = {}
    path = os.path.join(EXPECTED, name + ".events.jsonl")
    with open(path, encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            if e.get("type") == "TABLE_MAP":
                for c in e.get("columns", []):
                    t = c["type"]
                    meta = c.get("meta") or []
                    # BINARY(n): CHAR with the binary collation, real type 254
                    if t == "STRING" and c.get("collation_id") == 63 and meta[:1] == [254]:
                        t = ("BINARY", meta[1])
                    types[(e["table"], c["name"])] = t
    return types


def gtid_at(name):
    """[(pos, gtid)] of the GTID events: a row at pos belongs to the last one
    before it (None for ANONYMOUS: no GTID)."""
    out = []
    with open(os.path.join(EXPECTED, name + ".events.jsonl"), encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            if e.get("type") in ("GTID", "GTID_TAGGED", "MARIA_GTID", "ANONYMOUS_GTID"):
                g = e.get("gtid")
                out.append((e["pos"], None if g == "ANONYMOUS" else g))
    return out


def check_file(name):
    types = column_types(name)
    gtids = gtid_at(name)
    r = run_rowcast("read", os.path.join(FIXTURES, name), timeout=120)
    assert r.returncode == 0, f"{name}: exit {r.returncode}: {r.stderr.strip()}"
    got = [e for e in r.events() if e["operation"] != "query"]
    exp = expected_rows(name)
    assert len(got) == len(exp), f"{name}: {len(got)} row changes, expected {len(exp)}"
    ops = {"insert": "insert", "update": "update", "delete": "delete"}
    for i, (g, e) in enumerate(zip(got, exp)):
        where = f"{name} row {i} (offset {e['pos']})"
        assert g["operation"] == ops[e["type"]], f"{where}: operation {g['operation']}"
        assert f"{g['schema']}.{g['table']}" == e["table"], f"{where}: table {g['table']}"
        assert g["position"] == f"{name}:{e['pos']}", f"{where}: position {g['position']}"
        if gtids:
            want = [gt for pos, gt in gtids if pos < e["pos"]][-1]
            assert g["gtid"] == want, f"{where}: gtid {g['gtid']}, expected {want}"
        image = g["old"] if e["type"] == "delete" else g["new"]
        ecols_main = dict(e["columns"])
        for col, ev in e["columns"].items():
            if isinstance(ev, dict) and "json_diff" in ev:
                # a partial JSON update without the document in the before
                # image: the column is missing from new, its diffs in json_diff
                assert col not in image and col in g.get("missing", []), f"{where}: {col}"
                got_diff = g["json_diff"][col]
                assert len(got_diff) == len(ev["json_diff"]), f"{where}: {got_diff}"
                for gd, ed in zip(got_diff, ev["json_diff"]):
                    assert gd["op"] == ed["op"].lower() and gd["path"] == ed["path"], gd
                    assert json.loads(ed["value"]) == gd["value"], gd
                del ecols_main[col]
        pairs = [("", ecols_main, image)]
        # columns a partial image left out are named, and only those
        absent = [c for c in g["columns"] if c not in image]
        assert g.get("missing", []) == absent, f"{where}: missing {g.get('missing')} != {absent}"
        if e["type"] == "update":
            absent_old = [c for c in g["columns"] if c not in g["old"]]
            assert g.get("missing_old", []) == absent_old, f"{where}: missing_old"
        if e["type"] == "update":
            pairs.append(("before.", e["before"], g["old"]))
        for prefix, ecols, gcols in pairs:
            assert list(gcols) == list(ecols), f"{where}: columns {list(gcols)} != {list(ecols)}"
            for col, ev in ecols.items():
                ctype = types.get((e["table"], col))
                assert same_typed(ev, gcols[col], ctype), \
                    f"{where}: {prefix}{col} ({ctype}) = {gcols[col]!r}, expected {ev!r}"
    return len(exp)


def _fixture_names():
    names = sorted(f[: -len(".jsonl")] for f in os.listdir(EXPECTED)
                   if f.endswith(".jsonl") and not f.endswith(".events.jsonl"))
    names += sorted(f[: -len(".jsonl.gz")] for f in os.listdir(EXPECTED) if f.endswith(".jsonl.gz"))
    return names


def test_fixtures_decode_to_expected_values():
    checked = []
    for name in _fixture_names():
        if name in NEEDS_LATER:
            continue
        checked.append((name, check_file(name)))
    assert len(checked) >= 16, checked
    print("checked", ", ".join(f"{n} ({k} rows)" for n, k in checked))


def _event(type_code, body, log_pos):
    """A binlog event with a CRC32 trailer (the fixture's FDE says CRC32)."""
    size = 19 + len(body) + 4
    head = struct.pack("<IBIIIH", 1615797869, type_code, 1, size, log_pos, 0)
    ev = head + body
    return ev + struct.pack("<I", zlib.crc32(ev))


def test_partial_json_update_applied_to_the_before_image(tmp=None):
    """PARTIAL_UPDATE_ROWS with the whole document in the before image
    (binlog_row_image=FULL): `new` holds the document with the diffs applied.
    No public fixture has one, so it is built here from json.binlog.000001's
    own FORMAT_DESCRIPTION and TABLE_MAP (table mysql.t: INT, JSON, VARCHAR,
    INT) and its first row's binary JSON document."""
    import tempfile
    src = open(os.path.join(FIXTURES, "json.binlog.000001"), "rb").read()
    fde, tmap, ins = src[4:4 + 121], src[1000:1000 + 59], src[1059:1059 + 105]
    doc = ins[19 + 10 + 2 + 1 + 4:][:4 + 52][4:]  # @2 of the insert: 52 bytes
    assert len(doc) == 52 and doc[0] == 0  # a small JSON object
    before = (b"\x00" + struct.pack("<i", 1) + struct.pack("<I", len(doc)) + doc
              + b"\x03\x00Joe" + struct.pack("<i", 24))

    def diff(op, path, value=b""):
        d = bytes([op, len(path)]) + path
        return d + (bytes([len(value)]) + value if op != 2 else b"")

    def row(diffs, age):
        blob = b"".join(diffs)
        after = (b"\x00" + struct.pack("<i", 1) + struct.pack("<I", len(blob)) + blob
                 + b"\x03\x00Joe" + struct.pack("<i", age))
        return before + b"\x01\x01" + after  # value options PARTIAL_JSON, bit for @2

    rows = (row([diff(0, b"$.age", b"\x05\x1a\x00")], 26)
            + row([diff(1, b"$.email", b"\x0c\x03j@x"), diff(2, b"$.data")], 24))
    body = (b"\x77\x00\x00\x00\x00\x00" + b"\x01\x00" + b"\x02\x00" + b"\x04"
            + b"\x0f" + b"\x0f" + rows)
    ev = _event(39, body, 4 + len(fde) + len(tmap) + 19 + len(body) + 4)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "partial.binlog")
        with open(path, "wb") as f:
            f.write(b"\xfebin" + fde + tmap + ev)
        r = run_rowcast("read", path)
    assert r.returncode == 0, str(r)
    ups = [e for e in r.events() if e["operation"] == "update"]
    assert len(ups) == 2, ups
    old_doc = {"age": 24, "data": "xxxxxxxxxx", "name": "Joe"}
    assert ups[0]["old"]["@2"] == old_doc
    assert ups[0]["new"]["@2"] == {"age": 26, "data": "xxxxxxxxxx", "name": "Joe"}
    # MySQL orders keys by length, then bytes: a new member lands by that order
    assert list(ups[1]["new"]["@2"].items()) == [("age", 24), ("name", "Joe"), ("email", "j@x")]
    for u in ups:
        assert "json_diff" not in u and "missing" not in u, u


def test_unsupported_events_stop_with_a_clear_error():
    for name, what in NEEDS_LATER.items():
        r = run_rowcast("read", os.path.join(FIXTURES, name))
        assert r.returncode == 5, f"{name}: exit {r.returncode}"
        assert what in r.stderr and "not supported" in r.stderr, r.stderr
        assert r.stderr.count("\n") == 1, r.stderr


def _bad(name, exit_code, *needles):
    r = run_rowcast("read", os.path.join(FIXTURES, name))
    assert r.returncode == exit_code, f"{name}: exit {r.returncode}: {r.stderr}"
    line = r.stderr.strip()
    assert "\n" not in line, f"more than one line: {r.stderr!r}"
    assert line.startswith("rowcast: ") and name in line, line
    for n in needles:
        assert n in line, f"{n!r} not in {line!r}"
    return r


def test_bad_magic():
    r = _bad("non-binlog", 5, "bad magic")
    assert r.stdout == ""


def test_truncated_event_header():
    r = _bad("binlog_truncated_event.000001", 5, "truncated event header at offset 4", "10 of 19")
    assert r.stdout == ""


def test_truncated_after_first_event():
    _bad("binlog_truncated_prev_gtid_event.000001", 5, "truncated event header at offset 120",
         "9 of 19")


def test_corrupt_query_event_names_its_offset():
    r = _bad("corrupt-relay-bin.000624", 5, "offset 91204", "QUERY")
    # the events before the damage are written
    assert r.stdout.count("\n") > 100
