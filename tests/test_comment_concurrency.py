"""Concurrent posting never corrupts a thread: the proof that django-mptt's own README asks for."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from comments import services, trees
from comments.models import Comment
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 8
POSTS_EACH = 6


def run_concurrently(work):
    """Run ``work(n)`` for each writer at the same moment, each on its own database connection."""
    start = threading.Barrier(WRITERS)

    def writer(n):
        try:
            start.wait()
            for i in range(POSTS_EACH):
                work(n, i)
        finally:
            connection.close()

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(writer, range(WRITERS)))  # re-raises any writer's exception


def post(article, parent, n, i):
    return services.post_comment(
        article=article, parent=parent, author_name=f"w{n}", author_email=f"w{n}@example.com",
        body=f"writer {n} post {i}",
    )  # fmt: skip


def tree_shape():
    """Every node's (parent, lft, rght, level), and which nodes share a thread."""
    rows = Comment.objects.values_list("pk", "parent_id", "tree_id", "lft", "rght", "level")
    threads = {}
    for pk, _, tree_id, *_ in rows:
        threads.setdefault(tree_id, set()).add(pk)
    return {pk: (parent, lft, rght, level) for pk, parent, _, lft, rght, level in rows}, sorted(
        map(sorted, threads.values())
    )


def assert_rebuild_changes_nothing():
    before = tree_shape()
    with transaction.atomic():
        Comment.objects.rebuild()
        after = tree_shape()
        transaction.set_rollback(True)
    assert after == before


def test_concurrent_replies_into_one_thread_keep_every_comment_and_a_valid_tree():
    article = make_article()
    root = make_comment(article, body="the thread")
    replies = [make_comment(article, parent=root) for _ in range(3)]

    def reply(n, i):
        post(article, [root, *replies][(n + i) % 4], n, i)

    run_concurrently(reply)

    assert Comment.objects.filter(article=article).count() == 4 + WRITERS * POSTS_EACH
    assert Comment.objects.values("tree_id").distinct().count() == 1
    assert trees.tree_errors() == []
    assert_rebuild_changes_nothing()


def test_concurrent_new_threads_each_get_their_own_tree():
    article = make_article()

    def start_thread_and_reply(n, i):
        root = post(article, None, n, i)
        post(article, root, n, i + POSTS_EACH)  # another text: the same one would be a duplicate

    run_concurrently(start_thread_and_reply)

    threads = WRITERS * POSTS_EACH
    assert Comment.objects.filter(article=article).count() == 2 * threads
    assert Comment.objects.filter(parent=None).values("tree_id").distinct().count() == threads
    assert trees.tree_errors() == []
    assert_rebuild_changes_nothing()


def test_the_tree_checker_reports_a_corrupted_thread():
    article = make_article()
    root = make_comment(article)
    make_comment(article, parent=root)
    Comment.objects.filter(pk=root.pk).update(rght=3)  # as a lost update would leave it
    assert trees.tree_errors() == [f"comment {root.pk}: rght is 3, should be 4"]
