#!/usr/bin/env bash
# `make demo`: the seed README's example on a throwaway MariaDB. Creates the
# seed's test.test table, runs its INSERT, UPDATE and DELETE, streams them with
# build/rowcast and prints the three JSON events; the server is gone afterwards.
# The work is in tests/harness/demo.py (it reuses the test harness).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec python3 tests/harness/demo.py "$@"
