// bench/latency_writer.js: the steady writer of `make bench`'s latency phase.
// Commits ROWS_PER_TXN-row INSERTs into bench.lat at RATE row changes per
// second (one transaction every ROWS_PER_TXN/RATE seconds, on a fixed
// schedule: a transaction that starts late does not move the next ones), for
// SECONDS seconds, over one connection with the mysql2 driver (autocommit: one
// multi-row INSERT is one transaction; its OK reply arrives after the commit).
//
// Each row carries k (the transaction's number) and sent_us (CLOCK_MONOTONIC
// in microseconds, taken before the INSERT is sent). The times that matter
// are written to OUT, one line per transaction: "k begin_ns commit_ns", both
// CLOCK_MONOTONIC (process.hrtime.bigint(), the clock Python's
// time.monotonic_ns() reads), commit_ns taken as soon as the OK reply of the
// INSERT is in: "right after COMMIT returns".
//
// usage: node bench/latency_writer.js HOST PORT USER PASSWORD RATE ROWS_PER_TXN SECONDS OUT
'use strict';
const fs = require('fs');
const path = require('path');

const [host, port, user, password, rateArg, perArg, secArg, out] = process.argv.slice(2);
const rate = Number(rateArg), per = Number(perArg), seconds = Number(secArg);
if (!out || !(rate > 0) || !(per > 0) || !(seconds > 0)) {
  console.error('usage: latency_writer.js HOST PORT USER PASSWORD RATE ROWS_PER_TXN SECONDS OUT');
  process.exit(2);
}
const dir = process.env.MYSQL2_DIR || path.join(__dirname, 'peers', 'node', 'node_modules', 'mysql2');
const mysql = require(dir);

const conn = mysql.createConnection({ host, port: Number(port), user,
                                      password: password || undefined, database: 'bench' });
const query = (sql) => new Promise((res, rej) => conn.query(sql, (e, r) => (e ? rej(e) : res(r))));
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
const PAD = "'" + 'lorem ipsum dolor sit amet, consectetur adipiscing' + "'";

async function main() {
  await query('SELECT 1');
  const ntx = Math.round(rate * seconds / per);
  const period = BigInt(Math.round(1e9 * per / rate));
  const log = new Array(ntx);
  const t0 = process.hrtime.bigint() + 50000000n;
  let late = 0;
  for (let k = 0; k < ntx; k++) {
    const due = t0 + BigInt(k) * period;
    let now = process.hrtime.bigint();
    // setTimeout sleeps at least 1 ms: sleep only when the slot is that far
    // off; otherwise go now (the schedule, not the sleeps, keeps the rate).
    while (due - now >= 1000000n) {
      await sleep(Math.floor(Number(due - now) / 1e6));
      now = process.hrtime.bigint();
    }
    if (now - due > 5000000n) late++;
    const b = process.hrtime.bigint();
    const us = b / 1000n;
    const vals = [];
    for (let i = 0; i < per; i++) vals.push(`(${k}, ${us}, ${(k * per + i) % 1000}, ${PAD})`);
    await query('INSERT INTO lat (k, sent_us, qty, note) VALUES ' + vals.join(', '));
    const e = process.hrtime.bigint();
    log[k] = `${k} ${b} ${e}`;
  }
  conn.end();
  fs.writeFileSync(out, log.join('\n') + '\n');
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`txns=${ntx} rows=${ntx * per} seconds=${secs.toFixed(3)} late_over_5ms=${late}`);
}

main().catch((e) => { console.error('latency_writer: ' + (e && e.stack || e)); process.exit(1); });
