"""Thread locks and stored counts: what keeps the trees and the counts exact (#3, #7).

django-mptt computes ``lft``/``rght`` from what it has read, so two writers in one thread would
corrupt it. Each thread is its own MPTT tree, and a reply takes a transaction-scoped advisory lock
on its thread's ``tree_id`` before mptt reads the parent: replies to one thread queue up, replies
to different threads never wait for each other, and the lock holds across processes and app
servers because PostgreSQL keeps it. New threads take their ``tree_id`` from a sequence and need
no lock at all (see ``CommentManager``). Every write readers can see recounts its threads under
those locks, in its own transaction, and tells ``comments.freshness`` which threads changed.
"""

from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from articles.models import Article
from comments import freshness
from comments.models import Comment
from comments.services.limits import address_key

# First keys of the two-key advisory locks this app takes: the second is the thread's tree_id, or
# a hash of the poster's IP address or email.
THREAD_LOCK = 1_702_000_001
POSTER_LOCK = 1_702_000_002


def lock_thread(tree_id):
    """Hold the thread's lock until the current transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [THREAD_LOCK, tree_id])


def lock_poster(*, ip_address, email):
    """Serialise this poster's writes (by IP, then email: one statement takes both, in that
    order) until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s)), "
            "pg_advisory_xact_lock(%s, hashtext(%s))",
            [POSTER_LOCK, f"ip:{address_key(ip_address)}", POSTER_LOCK, f"email:{email}"],
        )


def refresh_counts(tree_ids):
    """Recount these threads' approved comments and move their articles' counts by the change.

    Called inside the transaction of every write readers can see (an approved post, a moderation
    change, a deletion, an edit), after the change: each thread is recounted under its lock, so
    the stored counts are always exact (#7). The threads' cached markup goes too
    (``freshness.threads_changed``).
    """
    tree_ids = sorted(set(tree_ids))
    for tree_id in tree_ids:  # in order, so that two batches never wait for each other
        lock_thread(tree_id)
    fresh = dict(
        Comment.objects.approved()
        .filter(tree_id__in=tree_ids)
        .values_list("tree_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    changes = defaultdict(lambda: [0, 0])  # article id: [comments, threads]
    roots = list(
        Comment.objects.filter(tree_id__in=tree_ids, level=0).only(
            "tree_id", "article_id", "thread_comment_count"
        )
    )
    changed = []
    for root in roots:
        before, after = root.thread_comment_count, fresh.get(root.tree_id, 0)
        if after != before:
            changes[root.article_id][0] += after - before
            changes[root.article_id][1] += (after > 0) - (before > 0)
            root.thread_comment_count = after
            changed.append(root)
    Comment.objects.bulk_update(changed, ["thread_comment_count"])  # one UPDATE, none if none
    for article_id, (comments, threads) in sorted(changes.items()):
        move_counts(article_id, comments=comments, threads=threads)
    freshness.threads_changed(tree_ids)


def move_counts(article_id, *, comments=0, threads=0):
    """Add to an article's comment and thread counts (its caller says what changed)."""
    Article.objects.filter(pk=article_id).update(
        comment_count=F("comment_count") + comments, thread_count=F("thread_count") + threads
    )


def recount(article):
    """Set the counts of ``article`` and its threads from scratch: after an import, or to repair."""
    approved = (
        Comment.objects.approved()
        .filter(tree_id=OuterRef("tree_id"))
        .order_by()
        .values("tree_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    with transaction.atomic():
        roots = Comment.objects.filter(article=article, level=0)
        roots.update(thread_comment_count=Coalesce(Subquery(approved), 0))
        totals = roots.aggregate(
            comments=Coalesce(Sum("thread_comment_count"), 0),
            threads=Count("pk", filter=Q(thread_comment_count__gt=0)),
        )
        Article.objects.filter(pk=article.pk).update(
            comment_count=totals["comments"],
            thread_count=totals["threads"],
        )
        freshness.threads_changed(roots.values_list("tree_id", flat=True))
        freshness.discussion_changed([article.pk])  # also when it has no thread left
