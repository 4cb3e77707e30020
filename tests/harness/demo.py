"""`make demo`: the seed README's example, end to end, on a throwaway MariaDB.

Starts a MariaDB 10.11, creates the seed's test.test table (its CREATE TABLE
verbatim), runs the seed's INSERT, UPDATE and DELETE, then streams them with

    rowcast stream --source mysql://root@127.0.0.1:PORT --start FILE:POS --stop-at-end

(FILE:POS being where the binlog stood after the CREATE TABLE) and prints the
three events as a subscriber sees them, pretty-printed. Stops the server.
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from harness.mariadb import MariaDB
from harness.rowcast import REPO, rowcast_binary, run_rowcast

SEED_TABLE = """CREATE TABLE test (
  test_id int(11) NOT NULL AUTO_INCREMENT,
  name varchar(255) NOT NULL,
  value varchar(255) DEFAULT NULL,
  modified timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (test_id),
  UNIQUE KEY name (name)
) ENGINE=InnoDB;"""

SEED_STATEMENTS = [
    'INSERT INTO test (name, value) VALUES ("shizzle", "nizzle");',
    'UPDATE test SET name="foo", value="bar" WHERE name="shizzle";',
    'DELETE FROM test WHERE name="foo";',
]


def show_sql(sql):
    for n, line in enumerate(sql.split("\n")):
        print(("mysql> " if n == 0 else "    -> ") + line)


def main():
    try:
        binary = os.path.relpath(rowcast_binary(), REPO)
    except AssertionError as e:
        sys.stderr.write(f"demo: {e}\n")
        return 1
    print("Starting a throwaway MariaDB (binlog_format=ROW, binlog_row_metadata=FULL)...")
    with MariaDB(name="demo") as db:
        version = db.scalar("SELECT VERSION()")
        print(f"MariaDB {version} on 127.0.0.1:{db.port}\n")
        db.sql("CREATE DATABASE test")
        show_sql("CREATE DATABASE test; USE test;")
        show_sql(SEED_TABLE)
        db.sql(SEED_TABLE, database="test")
        start = db.position()
        for stmt in SEED_STATEMENTS:
            show_sql(stmt)
            db.sql(stmt, database="test")

        args = ["stream", "--source", db.url(), "--start", start, "--stop-at-end"]
        print(f"\n$ {binary} {' '.join(args)}\n")
        r = run_rowcast(*args, timeout=60)
        if r.returncode != 0 or r.timed_out:
            sys.stderr.write(f"demo: rowcast failed\n{r}\n")
            return 1
        events = [json.loads(line) for line in r.lines()]
        for event in events:
            print(json.dumps(event, indent=4, ensure_ascii=False))
        changes = [e for e in events if e.get("operation") in ("insert", "update", "delete")]
        print(f"\n{len(changes)} row events ({', '.join(e['operation'] for e in changes)}); "
              "stopping the server.")
        if len(changes) != 3:
            sys.stderr.write("demo: expected an insert, an update and a delete\n")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
