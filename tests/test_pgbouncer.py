"""Behind PgBouncer in transaction pooling mode (#29): every large deployment puts one in front of
PostgreSQL, and there one transaction may run on one server connection and the next on another.

The test starts Debian's pgbouncer in front of the test server, as the tests start PostgreSQL,
and runs the posting, moderation, worker and replica tests again in a process of their own whose
only way to the database is PgBouncer, with ``DATABASE_POOLING=transaction``.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from forum import database
from tests.servers import free_port, sql, start, stop, url_of_test_database, wait_until

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
SUITES = [  # posting, moderation, the worker (mail tasks), the replica router (its slow tests
    # run their own cluster, so they stay out)
    "tests/test_comment_posting.py",
    "tests/test_comment_concurrency.py",
    "tests/test_moderation_queue.py",
    "tests/test_bans_and_reports.py",
    "tests/test_notifications.py",
    "tests/test_replica.py",
]

pytestmark = pytest.mark.django_db


@pytest.fixture
def pgbouncer():
    if not os.path.exists(PGBOUNCER):
        message = "pgbouncer is not installed (apt-get install pgbouncer)"
        if os.environ.get("FORUM_REQUIRE_BROWSER"):  # CI installs it, as it does the browser
            pytest.fail(message)
        pytest.skip(message)
    db = connection.settings_dict
    port = free_port()
    host = db["HOST"] or "127.0.0.1"
    # PgBouncer refuses to run as root: as root, it runs as the embedded PostgreSQL's user.
    user = database._binaries()[1] if os.geteuid() == 0 else None
    work = Path(tempfile.mkdtemp(prefix="forum-pgbouncer-"))
    if user:
        shutil.chown(work, user, user)
    config = work / "pgbouncer.ini"
    config.write_text(
        "[databases]\n"
        f"* = host={host} port={db['PORT'] or 5432} user={db['USER']}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        "auth_type = any\npool_mode = transaction\n"
        "max_client_conn = 200\ndefault_pool_size = 8\n"
        # Django sends these at connect; PgBouncer must not refuse them.
        "ignore_startup_parameters = extra_float_digits,options\n"
        f"logfile = {work / 'pgbouncer.log'}\n"
    )
    command = [PGBOUNCER, str(config)]
    process = start(["runuser", "-u", user, "--", *command] if user else command)

    def listening():
        try:
            sql(f"postgres://{db['USER']}@127.0.0.1:{port}/postgres", "SELECT 1")
            return True
        except Exception:
            return False

    wait_until(listening, 10, "pgbouncer did not start")
    yield f"postgres://{db['USER']}@127.0.0.1:{port}/postgres"
    stop(process)
    shutil.rmtree(work, ignore_errors=True)


def test_posting_moderation_worker_and_replica_tests_pass_through_pgbouncer(pgbouncer):
    name = f"test_pgbouncer_{os.getpid()}"
    direct = url_of_test_database("postgres")
    sql(direct, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    env = {
        **os.environ,
        "DATABASE_URL": pgbouncer,
        "DATABASE_POOLING": "transaction",
        "TEST_DATABASE_NAME": name,
        "DJANGO_SECRET_KEY": "pgbouncer-test-" + "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_HTTPS": "0",
    }
    try:
        # --reuse-db: the run keeps its database at the end, since PgBouncer still holds
        # connections to it; it is dropped here, past PgBouncer.
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--reuse-db",
             "-m", "not browser and not slow", *SUITES],
            cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
    finally:
        sql(direct, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    summary = done.stdout.strip().splitlines()[-1:] or [""]
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert " passed" in summary[0] and "skipped" not in summary[0], summary


def test_the_settings_turn_off_what_transaction_pooling_cannot_carry():
    done = subprocess.run(
        [sys.executable, "-c",
         "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'forum.settings'; "
         "django.setup(); from django.conf import settings as s; d = s.DATABASES['default']; "
         "print(d['DISABLE_SERVER_SIDE_CURSORS'], d['OPTIONS']['prepare_threshold'])"],
        env={**os.environ, "DATABASE_POOLING": "transaction",
             "DATABASE_URL": "postgres://forum@db.internal:6432/forum",
             "DJANGO_SECRET_KEY": "p" * 60, "DJANGO_ALLOWED_HOSTS": "forum.example.com"},
        capture_output=True, text=True, cwd=settings.BASE_DIR, timeout=60,
    )  # fmt: skip
    assert done.stdout.split() == ["True", "None"], done.stderr
