"""The embedded PostgreSQL: started by whichever process comes first, shared by all of them."""

import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings

from forum import database
from tests.servers import sql

pytestmark = pytest.mark.slow

# Connect, then print the postmaster's pid, as a separate process of the project would.
CONNECT = """
import sys{block}
import psycopg
from forum import database
from tests.servers import sql
url = database.url(sys.argv[1])
with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
    row = conn.execute("SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'")
    print(row.fetchone()[0], url)
"""


@pytest.fixture
def data_dir():
    parent = Path(tempfile.mkdtemp(prefix="forum-pg-", dir="/tmp"))
    parent.chmod(0o755)  # the server runs as another user when the tests run as root
    yield parent / "postgres"
    database.stop(parent / "postgres")
    shutil.rmtree(parent, ignore_errors=True)


def connect_from_new_processes(data_dir, n, block=""):
    env = {**os.environ, "PYTHONPATH": str(settings.BASE_DIR)}
    script = CONNECT.format(block=block)

    def run(_):
        return subprocess.run(
            [sys.executable, "-c", script, str(data_dir)], env=env, capture_output=True, text=True
        )

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def test_two_processes_starting_at_once_share_one_cluster(data_dir):
    results = connect_from_new_processes(data_dir, 2)
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    assert len({r.stdout for r in results}) == 1  # same server, same address
    assert database.stop(data_dir) is True
    assert database.stop(data_dir) is False


def test_a_stopped_cluster_starts_again_with_its_data(data_dir):
    sql(database.url(data_dir), "CREATE TABLE kept (n int)")
    database.stop(data_dir)
    assert sql(database.url(data_dir), "SELECT count(*) FROM kept") == [(0,)]


def test_without_pgserver_the_machines_postgresql_binaries_are_used(data_dir):
    if not (shutil.which("pg_ctl") or list(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))):
        pytest.skip("no PostgreSQL server binaries on this machine")
    hide_pgserver = "\nsys.modules['pgserver'] = sys.modules['pgserver._commands'] = None"
    [result] = connect_from_new_processes(data_dir, 1, block=hide_pgserver)
    assert result.returncode == 0, result.stderr
    pid, _, _, _, socket_dir = (data_dir / "postmaster.pid").read_text().splitlines()[:5]
    assert "pgserver" not in os.readlink(f"/proc/{pid}/exe")
    assert socket_dir == str(data_dir.resolve())


def test_without_any_postgresql_the_error_says_how_to_set_database_url(monkeypatch):
    monkeypatch.setitem(sys.modules, "pgserver._commands", None)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(database.glob, "glob", lambda pattern: [])
    with pytest.raises(database.EmbeddedDatabaseError, match="set DATABASE_URL=postgres://"):
        database._binaries()
