"""Test harness for rowcast: throwaway MariaDB servers (mariadb.py) and a
runner for build/rowcast (rowcast.py). Standard library only.

Test modules put tests/ on sys.path and import from here:

    from harness.mariadb import MariaDB
    from harness.rowcast import run_rowcast
"""


class Skip(Exception):
    """Raise to skip a test that cannot run here; tests/run.py counts it as
    skipped, never as passed. The message says why."""


def timeout(seconds):
    """Decorator: this test may take up to SECONDS (tests/run.py's default
    per-test limit is 120 s)."""
    def mark(fn):
        fn.timeout = seconds
        return fn
    return mark
