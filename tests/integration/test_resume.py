"""Resume after a crash (SPEC §3): rowcast is SIGKILLed at random points while
a writer changes rows, and restarted from its checkpoint each time.

  - A writer thread inserts, updates and deletes rows (single statements and
    multi-statement transactions) through one long-running mariadb client.
  - `rowcast stream --checkpoint PATH --start beginning` runs (against a
    server with 64 KiB binlog files, so the stream crosses rotations), is SIGKILLed
    after a random while, and starts again, KILLS times; once the writer has
    stopped, a last run with --stop-at-end drains the binlog.
  - Nothing is lost: the changes of all runs, replayed in order by primary key,
    give the table's final content; and, deduplicated, they are exactly the
    changes a single uninterrupted run prints.
  - Nothing before a checkpoint comes again: every event of a run that started
    from a checkpoint lies after the checkpoint's position (at least once
    delivery may repeat only what came after it).

ROWCAST_RESUME_SEED=N replays the same kill times.
"""

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import harness
from harness.mariadb import MariaDB
from harness.rowcast import loads, position_key, run_rowcast, start_rowcast

KILLS = 6
TABLE = "resume.items"


class Writer(threading.Thread):
    """Feeds random, always valid changes to one mariadb client until stopped."""

    def __init__(self, db, rng):
        super().__init__(daemon=True)
        self.rng = rng
        self.stop_event = threading.Event()
        self.client = subprocess.Popen(db.client_command("resume", extra=["--batch"]),
                                       stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE, text=True)
        self.ids = set()
        self.next_id = 1
        self.statements = 0

    def change(self):
        rng = self.rng
        choice = rng.random()
        if not self.ids or choice < 0.45:
            rows = [self.next_id + k for k in range(rng.choice((1, 1, 1, 3)))]
            self.next_id += len(rows)
            self.ids.update(rows)
            values = ", ".join(f"({i}, {rng.randint(0, 999)}, 'row {i}')" for i in rows)
            return f"INSERT INTO items VALUES {values};"
        target = rng.choice(sorted(self.ids))
        if choice < 0.8:
            return f"UPDATE items SET v = {rng.randint(0, 999)}, s = 'upd {target}' WHERE id = {target};"
        self.ids.discard(target)
        return f"DELETE FROM items WHERE id = {target};"

    def run(self):
        while not self.stop_event.is_set():
            if self.rng.random() < 0.2:
                body = " ".join(self.change() for _ in range(self.rng.randint(2, 4)))
                text = f"BEGIN; {body} COMMIT;\n"
            else:
                text = self.change() + "\n"
            self.client.stdin.write(text)
            self.client.stdin.flush()
            self.statements += 1
            time.sleep(0.004)

    def finish(self):
        self.stop_event.set()
        self.join()
        self.client.stdin.close()
        err = self.client.stderr.read()
        assert self.client.wait(60) == 0, f"the writer's client failed: {err}"


def read_checkpoint(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        cp = json.load(f)
    assert isinstance(cp.get("file"), str) and isinstance(cp.get("pos"), int), \
        f"checkpoint is not {{'file', 'pos', 'gtid'}}: {cp}"
    assert "gtid" in cp, f"checkpoint has no gtid: {cp}"
    return cp


def complete_lines(data):
    """Events of a killed run: every line that was written out whole."""
    text = data.decode("utf-8")
    if not text.endswith("\n"):
        text = text[:text.rfind("\n") + 1]  # a line cut short by the kill
    return [loads(line) for line in text.split("\n") if line]


def row_changes(events):
    return [e for e in events if e.get("operation") in ("insert", "update", "delete")
            and f"{e.get('schema')}.{e.get('table')}" == TABLE]


def replay(changes, state):
    for e in changes:
        if e["operation"] in ("update", "delete"):
            state.pop(e["old"]["id"], None)
        if e["operation"] in ("insert", "update"):
            state[e["new"]["id"]] = e["new"]


def change_ids(events):
    """(position, n-th row at that position, change) for comparing runs."""
    seen = {}
    out = []
    for e in row_changes(events):
        n = seen.get(e["position"], 0)
        seen[e["position"]] = n + 1
        out.append((e["position"], n, json.dumps([e["operation"], e.get("old"), e.get("new")],
                                                 default=str)))
    return out


@harness.timeout(240)
def test_resume_after_kills():
    seed = int(os.environ.get("ROWCAST_RESUME_SEED", random.randrange(1 << 30)))
    print(f"seed {seed} (ROWCAST_RESUME_SEED={seed} repeats it)")
    rng = random.Random(seed)
    # Small binlog files, so that runs start and stop in different files.
    with MariaDB(options=["max_binlog_size=65536"]) as db:
        db.sql("CREATE DATABASE resume; CREATE TABLE resume.items "
               "(id INT PRIMARY KEY, v INT, s VARCHAR(40)) ENGINE=InnoDB")
        checkpoint = os.path.join(db.dir, "rowcast.checkpoint")
        args = ["stream", "--source", db.url(), "--start", "beginning",
                "--checkpoint", checkpoint]
        runs = []  # (checkpoint it started from, events)

        writer = Writer(db, rng)
        writer.start()
        try:
            time.sleep(0.5)
            for n in range(KILLS):
                start_cp = read_checkpoint(checkpoint)
                out_path = os.path.join(db.dir, f"run{n}.out")
                err_path = os.path.join(db.dir, f"run{n}.err")
                with open(out_path, "wb") as out, open(err_path, "wb") as err:
                    proc = start_rowcast(*args, stdout=out, stderr=err)
                    time.sleep(rng.uniform(0.3, 1.5))
                    early = proc.poll()
                    proc.send_signal(signal.SIGKILL)
                    proc.wait()
                with open(out_path, "rb") as f, open(err_path, "rb") as e:
                    assert early is None, (f"run {n} exited by itself with status {early}: "
                                           f"{e.read().decode(errors='replace')}")
                    runs.append((start_cp, complete_lines(f.read())))
        finally:
            writer.finish()
        print(f"writer: {writer.statements} statements, {len(db.binary_logs())} binlog files")

        start_cp = read_checkpoint(checkpoint)
        last = run_rowcast(*args, "--stop-at-end", timeout=90)
        assert last.returncode == 0 and not last.timed_out, f"the last run failed:\n{last}"
        runs.append((start_cp, last.events()))

        # Nothing before the checkpoint a run started from comes again.
        resumed = 0
        for n, (cp, events) in enumerate(runs):
            changes = row_changes(events)
            print(f"run {n}: from {cp and (cp['file'], cp['pos'])}, {len(changes)} changes")
            if cp is None:
                continue
            resumed += 1
            cp_key = position_key(f"{cp['file']}:{cp['pos']}")
            for e in changes:
                assert position_key(e["position"]) > cp_key, (
                    f"run {n} started from checkpoint {cp} but repeated the change at "
                    f"{e['position']}")
        assert resumed >= 3, f"only {resumed} runs started from a checkpoint: too few to judge"

        # In order within a run.
        for n, (_, events) in enumerate(runs):
            keys = [position_key(e["position"]) for e in row_changes(events)]
            assert keys == sorted(keys), f"run {n} printed positions out of order"

        # Nothing lost: the replay gives the table.
        state = {}
        for _, events in runs:
            replay(row_changes(events), state)
        final = {int(r["id"]): r for r in db.query("SELECT id, v, s FROM resume.items")}
        got = {k: {"id": v["id"], "v": str(v["v"]), "s": v["s"]} for k, v in state.items()}
        want = {k: {"id": k, "v": r["v"], "s": r["s"]} for k, r in final.items()}
        missing = sorted(set(want) - set(got))[:10]
        extra = sorted(set(got) - set(want))[:10]
        wrong = [k for k in want if k in got and got[k] != want[k]][:10]
        assert got == want, (f"replayed changes differ from the table: missing ids {missing}, "
                             f"ids the table no longer has {extra}, different rows {wrong}")

        # ...and every change a single uninterrupted run sees, no other.
        whole = run_rowcast("stream", "--source", db.url(), "--start", "beginning",
                            "--stop-at-end", timeout=90)
        assert whole.returncode == 0, f"the uninterrupted run failed:\n{whole}"
        order = lambda c: (position_key(c[0]), c[1])  # noqa: E731
        reference = sorted(change_ids(whole.events()), key=order)
        union = sorted(set().union(*(change_ids(ev) for _, ev in runs)), key=order)
        assert union == reference, (
            f"the runs together printed {len(union)} distinct changes, an uninterrupted run "
            f"{len(reference)}; first difference at "
            f"{next((a, b) for a, b in zip(union + [None], reference + [None]) if a != b)}")
