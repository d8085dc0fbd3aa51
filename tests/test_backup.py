"""Backups (issue #6): `make backup` dumps the database and `make restore FILE=...` brings it back.

The Makefile targets run `python -m forum.backup dump|restore`, which these tests call the same
way, against the test database and fresh databases on the same server.
"""

import os
import re
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.db import connection

from comments.models import Comment
from forum import backup
from tests import servers
from tests.factories import make_article, make_comment

DJANGO_ENV = {
    "DJANGO_SECRET_KEY": "backup-test-" + "k" * 50,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
}


def run(*args, database):
    env = {**os.environ, **DJANGO_ENV, "DATABASE_URL": servers.url_of_test_database(database)}
    return subprocess.run(
        [sys.executable, *args],
        env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def sql(database, query, params=()):
    """Run ``query`` in the database named ``database`` on the test server."""
    return servers.sql(servers.url_of_test_database(database), query, params)


# Tests that dump use transaction=True: pg_dump reads through its own connection, so the test's
# data must be committed.
@pytest.fixture
def empty_database(db):
    """A new, empty database on the test server, dropped afterwards."""
    try:
        backup.binary("pg_dump")
    except backup.BackupError as error:
        pytest.skip(str(error))
    name = f"restore_{uuid.uuid4().hex[:12]}"
    sql(connection.settings_dict["NAME"], f'CREATE DATABASE "{name}"')
    yield name
    sql(connection.settings_dict["NAME"], f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def discussion(db):
    article = make_article(title="Kept safe")
    first = make_comment(article, body="First thread")
    reply = make_comment(article, parent=first, body="A reply")
    make_comment(article, parent=reply, body="A reply to the reply")
    make_comment(article, body="Second thread")
    return list(Comment.objects.order_by("pk").values_list("pk", "body"))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_an_empty_database_has_every_comment_and_a_valid_tree(
    discussion, empty_database, tmp_path
):
    dump_file = tmp_path / "forum.dump"
    made = run("-m", "forum.backup", "dump", dump_file, database=connection.settings_dict["NAME"])
    assert made.returncode == 0, made.stderr
    assert dump_file.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format
    assert dump_file.stat().st_mode & 0o077 == 0  # it holds emails and IP addresses

    restored = run("-m", "forum.backup", "restore", dump_file, database=empty_database)
    assert restored.returncode == 0, restored.stderr
    query = "SELECT id, body FROM comments_comment ORDER BY id"
    assert sql(empty_database, query) == discussion
    checked = run("manage.py", "check_comment_trees", database=empty_database)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "OK" in checked.stdout
    # The sequences came along too, so the next comment and the next thread get new numbers.
    [(next_id, next_tree_id, max_id, max_tree_id)] = sql(
        empty_database,
        "SELECT nextval('comments_comment_id_seq'), nextval('comments_comment_tree_id_seq'), "
        "max(id), max(tree_id) FROM comments_comment",
    )
    assert next_id > max_id and next_tree_id > max_tree_id


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_restoring_over_a_database_replaces_what_it_held(discussion, empty_database, tmp_path):
    dump_file = tmp_path / "forum.dump"
    made = run("-m", "forum.backup", "dump", dump_file, database=connection.settings_dict["NAME"])
    assert made.returncode == 0, made.stderr
    assert run("-m", "forum.backup", "restore", dump_file, database=empty_database).returncode == 0
    sql(empty_database, "DELETE FROM comments_comment WHERE parent_id IS NOT NULL")
    sql(empty_database, "UPDATE comments_comment SET body = 'vandalised'")

    again = run("-m", "forum.backup", "restore", dump_file, database=empty_database)
    assert again.returncode == 0, again.stderr
    assert sql(empty_database, "SELECT id, body FROM comments_comment ORDER BY id") == discussion


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_failed_backup_says_why_and_leaves_no_file(empty_database, tmp_path):
    dump_file = tmp_path / "forum.dump"
    failed = run("-m", "forum.backup", "dump", dump_file, database="no_such_database")
    assert failed.returncode == 1
    assert 'database "no_such_database" does not exist' in failed.stderr
    assert list(tmp_path.iterdir()) == []
    missing = run("-m", "forum.backup", "restore", tmp_path / "nope.dump", database=empty_database)
    assert (missing.returncode, missing.stderr.strip()) == (
        1,
        f"No such backup file: {tmp_path}/nope.dump",
    )


def test_backups_are_named_by_time_under_var_backups():
    path = backup.default_path()
    assert path.parent == settings.BASE_DIR / "var" / "backups"
    assert re.fullmatch(r"forum-\d{8}-\d{6}\.dump", path.name)
