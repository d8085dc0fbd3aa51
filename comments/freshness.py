"""The only writer of the versions that keep pages of discussion fresh (#25).

What a reader sees of a discussion is kept in several layers (see core/freshness.py for their
keys). Each write says here what it changed, and this module moves the versions those layers
are keyed by, in the writer's transaction:

- ``threads_changed``: markup inside these threads changed (a comment posted, moderated, edited,
  featured, renamed): their ``thread_version`` moves, and so does each article's
  ``comments_version``, since its pages join those threads;
- ``comment_added``: a new approved comment: its thread's and article's counts move with their
  versions, in one statement;
- ``discussion_changed``: something around the threads changed (a thread deleted whole, the
  Featured box): the articles' ``comments_version`` moves;
- ``scores_changed``: votes moved scores: ``votes_version`` moves to the current time bucket, at
  most once per bucket, so a busy vote does not render the page again and again;
- ``everything_changed``: the Discussion settings changed: every article's version moves.
"""

import time

from django.db import connection
from django.db.models import F

from articles.models import Article

SCORE_REFRESH_SECONDS = 10  # how stale a cached page's scores may be (#16)


def threads_changed(tree_ids):
    """The threads ``tree_ids`` show something new: one statement moves their versions and
    their articles'."""
    tree_ids = sorted(set(tree_ids))
    if not tree_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH roots AS (UPDATE comments_comment SET thread_version = thread_version + 1 "
            "WHERE level = 0 AND tree_id = ANY(%s) RETURNING article_id) "
            "UPDATE articles_article SET comments_version = comments_version + 1 "
            "WHERE id IN (SELECT article_id FROM roots)",
            [tree_ids],
        )


def comment_added(tree_id):
    """A new approved comment in thread ``tree_id``, under its lock (or in a new thread nobody
    else sees yet): one statement moves the thread's count and version and its article's counts
    and version, exactly as a recount would (#29: a post pays one round trip for all of it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH root AS (UPDATE comments_comment SET thread_comment_count = "
            "thread_comment_count + 1, thread_version = thread_version + 1 "
            "WHERE level = 0 AND tree_id = %s RETURNING article_id, thread_comment_count) "
            "UPDATE articles_article SET comment_count = comment_count + 1, "
            "thread_count = thread_count + (root.thread_comment_count = 1)::int, "
            "comments_version = comments_version + 1 FROM root WHERE id = root.article_id",
            [tree_id],
        )


def discussion_changed(article_ids):
    """The pages of these articles show something new outside any one thread."""
    Article.objects.filter(pk__in=sorted(set(article_ids))).update(
        comments_version=F("comments_version") + 1
    )


def scores_changed(article_id):
    """Votes on the article moved scores: cached pages show them within SCORE_REFRESH_SECONDS."""
    bucket = int(time.time() // SCORE_REFRESH_SECONDS)
    Article.objects.filter(pk=article_id, votes_version__lt=bucket).update(votes_version=bucket)


def everything_changed():
    """Every page of discussion follows rules that changed."""
    Article.objects.update(comments_version=F("comments_version") + 1)
