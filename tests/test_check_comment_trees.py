"""`manage.py check_comment_trees`: reports damaged threads, and repairs them with --fix (#6)."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments.models import Comment
from comments.services import THREAD_LOCK
from comments.trees import errors_in_batches, tree_errors
from tests.factories import draw, make_article, make_comment
from tests.pages import page_of


def check(*args, **options):
    out = StringIO()
    call_command("check_comment_trees", *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


@pytest.fixture
def discussion(db):
    """Two threads: A with replies B (and its reply C) and D; E with its reply F."""
    article = make_article()
    a = make_comment(article, body="A")
    b = make_comment(article, parent=a, body="B")
    c = make_comment(article, parent=b, body="C")
    d = make_comment(article, parent=a, body="D")
    e = make_comment(article, body="E")
    f = make_comment(article, parent=e, body="F")
    return article, [a, b, c, d, e, f]


def order_on_page(client, article, comments):
    page = page_of(client.get(article.get_absolute_url(), secure=True))
    shown = [int(pk) for pk in re.findall(r'id="comment-(\d+)"', page)]
    return [comment.body for pk in shown for comment in comments if comment.pk == pk]


def test_clean_trees_are_reported_ok(discussion):
    assert "OK: every comment thread is consistent." in check()


def test_a_corrupted_thread_is_reported_and_the_command_fails_without_changing_it(discussion):
    article, [a, b, *_] = discussion
    Comment.objects.filter(pk=b.pk).update(rght=99)
    out = StringIO()
    with pytest.raises(CommandError, match=r"1 problem\(s\) in 1 thread\(s\).*--fix"):
        call_command("check_comment_trees", stdout=out)
    assert f"comment {b.pk}: rght is 99, should be 5" in out.getvalue()
    assert Comment.objects.get(pk=b.pk).rght == 99


def test_fix_renumbers_a_damaged_thread_under_its_lock_and_the_page_shows_it_in_order(
    discussion, client
):
    article, comments = discussion
    a, b, c, d, *_ = comments
    before = draw(article)
    # Replies B and D swapped places and C's numbers lost: what a lost update would leave.
    Comment.objects.filter(pk=b.pk).update(lft=7, rght=8)
    Comment.objects.filter(pk=c.pk).update(lft=2, rght=2, level=5)
    Comment.objects.filter(pk=d.pk).update(lft=3, rght=4)
    assert tree_errors() != []

    with CaptureQueriesContext(connection) as queries:
        out = check(fix=True)
    assert f"Thread of comment {a.pk} (tree_id {a.tree_id}): 3 comment(s) renumbered." in out
    assert "Repaired 1 thread(s)." in out
    locks = [q["sql"] for q in queries if "pg_advisory_xact_lock" in q["sql"]]
    assert locks == [f"SELECT pg_advisory_xact_lock({THREAD_LOCK}, {a.tree_id})"]
    assert tree_errors() == []
    assert draw(article) == before
    assert order_on_page(client, article, comments) == ["A", "B", "C", "D", "E", "F"]


def test_fix_gives_a_thread_that_shares_a_tree_id_a_fresh_one(discussion):
    article, [a, *_, e, f] = discussion
    Comment.objects.filter(pk__in=[e.pk, f.pk]).update(tree_id=a.tree_id)
    assert f"comment {e.pk}: tree_id {a.tree_id} is shared by two threads" in tree_errors()

    out = check(fix=True)
    e.refresh_from_db()
    assert f"Thread of comment {e.pk} (tree_id {a.tree_id}, moved to tree_id {e.tree_id})" in out
    assert e.tree_id != a.tree_id
    assert Comment.objects.get(pk=f.pk).tree_id == e.tree_id
    assert tree_errors() == []
    assert draw(article) == [("A", 0), ("B", 1), ("C", 2), ("D", 1), ("E", 0), ("F", 1)]


def test_verbosity_0_prints_nothing(discussion):
    _, [_, b, *_] = discussion
    assert check(verbosity=0) == ""
    Comment.objects.filter(pk=b.pk).update(level=7)
    assert check(fix=True, verbosity=0) == ""
    assert tree_errors() == []


def test_checking_in_small_ranges_finds_what_checking_at_once_finds(discussion):
    """The command reads a range of whole threads at a time (#29): a comment moved into
    another thread's numbers is still found, whatever the range size."""
    article, (a, b, c, d, e, f) = discussion
    Comment.objects.filter(pk=c.pk).update(tree_id=e.tree_id)
    Comment.objects.filter(pk=d.pk).update(lft=99)
    whole = tree_errors()
    assert whole
    for size in (1, 2, 3, 1000):
        found = errors_in_batches(batch_size=size)
        assert {m.split(":")[0] for m in found} >= {m.split(":")[0] for m in whole}
    assert errors_in_batches(batch_size=2) != []
