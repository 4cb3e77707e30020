// bench/zongji_count.js: the @vlasky/zongji peer for `make bench`.
// Reads a server's binlog from FILE:4 with zongji, counts row changes (the
// rows of write/update/delete rows events) and exits 0 once it has counted
// EXPECTED of them, printing "rows=N seconds=S" (S from 'ready' to the last
// row; bench/run.py times the whole process itself).
//
// usage: node bench/zongji_count.js HOST PORT USER PASSWORD FILE EXPECTED
// zongji is installed by bench/run.py into bench/peers/node (npm).
'use strict';
const path = require('path');
const { pathToFileURL } = require('url');

async function main() {
  const [host, port, user, password, filename, expectedArg] = process.argv.slice(2);
  const expected = Number(expectedArg);
  if (!filename || !(expected > 0)) {
    console.error('usage: zongji_count.js HOST PORT USER PASSWORD FILE EXPECTED');
    process.exit(2);
  }
  const dir = process.env.ZONGJI_DIR ||
    path.join(__dirname, 'peers', 'node', 'node_modules', '@vlasky', 'zongji');
  const mod = await import(pathToFileURL(path.join(dir, 'index.js')).href);
  const ZongJi = mod.default || mod.ZongJi || mod;

  const zongji = new ZongJi({ host, port: Number(port), user, password });
  let rows = 0;
  let t0 = null;
  zongji.on('ready', () => { t0 = process.hrtime.bigint(); });
  zongji.on('error', (err) => {
    console.error('zongji_count: ' + (err && err.stack || err));
    process.exit(1);
  });
  zongji.on('binlog', (evt) => {
    if (evt.rows) {
      rows += evt.rows.length;
      if (rows >= expected) {
        const s = Number(process.hrtime.bigint() - (t0 || 0n)) / 1e9;
        process.stdout.write(`rows=${rows} seconds=${s.toFixed(3)}\n`, () => process.exit(0));
      }
    }
  });
  zongji.start({
    serverId: 4242,
    startAtEnd: false,
    filename,
    position: 4,
    includeEvents: ['tablemap', 'writerows', 'updaterows', 'deleterows'],
  });
}

main().catch((err) => { console.error('zongji_count: ' + (err && err.stack || err)); process.exit(1); });
