"""Every write to comments goes through here (issue #3).

django-mptt computes ``lft``/``rght`` from what it has read, so two writers in one thread would
corrupt it. Each thread is its own MPTT tree, and a reply takes a transaction-scoped advisory lock
on its thread's ``tree_id`` before mptt reads the parent: replies to one thread queue up, replies
to different threads never wait for each other, and the lock holds across processes and app
servers because PostgreSQL keeps it. New threads take their ``tree_id`` from a sequence and need
no lock at all (see ``CommentManager``).
"""

from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from comments.models import Comment

# First key of the two-key advisory locks this app takes; the second is the thread's tree_id.
THREAD_LOCK = 1_702_000_001


def lock_thread(tree_id):
    """Hold the thread's lock until the current transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [THREAD_LOCK, tree_id])


def post_comment(
    *,
    article,
    body,
    author_name,
    author_email,
    author_url="",
    parent=None,
    user=None,
    ip_address=None,
    user_agent="",
):
    """Check the posting rules, then add the comment as the last reply of ``parent``.

    Without a parent it starts a new thread.
    """
    if not article.is_published() or not article.comments_open:
        raise ValidationError("Comments are closed.", code="closed")
    if parent is not None and parent.article_id != article.pk:
        raise ValidationError("That comment belongs to another article.", code="parent")
    comment = Comment(
        article=article,
        user=user if user is not None and user.is_authenticated else None,
        author_name=author_name,
        author_email=author_email,
        author_url=author_url,
        body=body,
        status=Comment.Status.PENDING if settings.COMMENTS_HOLD_ALL else Comment.Status.APPROVED,
        ip_address=ip_address,
        user_agent=user_agent[:300],
        created_at=timezone.now(),
    )
    with transaction.atomic():
        if parent is not None:
            lock_thread(parent.tree_id)
            # Re-read inside the lock: another writer may have just moved this thread's rght values.
            parent = Comment.objects.get(pk=parent.pk)
            if parent.status in (Comment.Status.SPAM, Comment.Status.REMOVED):
                raise ValidationError("That comment is no longer available.", code="parent")
            comment.parent = deepest_allowed(parent)
        comment.save()
    return comment


def deepest_allowed(parent):
    """``parent``, or its ancestor at the deepest level a reply may still hang from."""
    deepest = settings.COMMENTS_MAX_DEPTH - 2  # a reply sits one level below its parent
    if parent.level <= deepest:
        return parent
    if deepest < 0:
        return None
    return parent.get_ancestors().get(level=deepest)


def can_reply(comment):
    """Whether a reply to ``comment`` would sit below it rather than beside it."""
    return comment.level <= settings.COMMENTS_MAX_DEPTH - 2


def tree_errors(queryset=None):
    """Describe every node whose tree fields disagree with its parent links; [] when all is well.

    Children are expected in the order they were created (last-child insertion), which is the
    order ``Comment.objects.rebuild()`` would give them.
    """
    rows = list(
        (queryset or Comment.objects.all())
        .order_by("tree_id", "lft")
        .values_list("pk", "parent_id", "tree_id", "lft", "rght", "level")
    )
    actual = {pk: (tree_id, lft, rght, level) for pk, _, tree_id, lft, rght, level in rows}
    children = defaultdict(list)
    roots = []
    for pk, parent_id, *_ in sorted(rows):
        (children[parent_id] if parent_id else roots).append(pk)
    expected, errors, seen_tree_ids = {}, [], set()
    for root in roots:
        tree_id = actual[root][0]
        if tree_id in seen_tree_ids:
            errors.append(f"comment {root}: tree_id {tree_id} is shared by two threads")
        seen_tree_ids.add(tree_id)
        counter = 1
        stack = [(root, 0, False)]
        while stack:  # iterative depth-first walk: threads can be deeper than Python's stack
            pk, level, done = stack.pop()
            if done:
                expected[pk] = (tree_id, expected[pk][1], counter, level)
                counter += 1
                continue
            expected[pk] = (tree_id, counter, None, level)
            counter += 1
            stack.append((pk, level, True))
            stack.extend((child, level + 1, False) for child in reversed(children[pk]))
    fields = ("tree_id", "lft", "rght", "level")
    for pk, want in expected.items():
        for name, have, should in zip(fields, actual[pk], want, strict=True):
            if have != should:
                errors.append(f"comment {pk}: {name} is {have}, should be {should}")
    errors.extend(
        f"comment {pk}: not reachable from its thread's root"
        for pk in actual.keys() - expected.keys()
    )
    return errors
