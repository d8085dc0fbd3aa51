"""The comments of a page as Items: what each one's markup needs, in one pass (#11, #24).

``list_items`` walks a thread's rows in thread order, as mptt's ``tree_info`` does: it folds
the replies a page leaves out behind "N more replies" (a Fold, ``folded``), says where each
nested list opens and closes, and what the reader may do with each comment (``items_of``).
``replies_shown`` decides, with no query, how many replies each thread of a page shows.
"""

from typing import NamedTuple

from markupsafe import Markup

from comments import markup
from comments.models import DISPLAY_LEVELS, Comment, is_shown
from comments.reasons import held_because
from core import freshness


class Fold(NamedTuple):
    """Replies of one comment the page leaves out, behind "N more replies" under it (#24)."""

    anchor: int  # the comment they continue: its thread page shows them
    first: int  # the first of them, where that page opens
    count: int  # how many comments opening it shows
    expandable: bool  # the script may open them in place (not when they are too deep)


class Item(NamedTuple):
    """One comment of a list, with what its markup needs and the <ol>s around it."""

    comment: tuple  # a row of CommentQuerySet.as_list_items()
    opens: bool  # a new <ol> starts before it (never before the first: the page opens that)
    closes: tuple  # a </li></ol> per level back to the first item's, each with the Fold of
    # the comment whose replies' list it closes (or None): "N more replies" sits in that list
    readable: bool  # False: a placeholder for a removed comment that has replies
    pending: bool
    can_reply: bool
    fold: object  # a Fold of its replies the page leaves out, when it shows none of them
    can_edit: bool  # the reader wrote it, and may still edit it
    can_delete: bool  # the reader wrote it
    header: str  # stored at save (comments.markup), or rendered now when it is out of date
    votable: bool  # approved, and not the reader's own: it shows the vote buttons (#16)
    held_why: str = ""  # a writer's own held comment: why it waits, in their words (#24)


def replies_shown(counts, budget):
    """How many replies each thread of a page shows (None: all), from the threads' stored
    counts of approved comments, with no query (#24): every comment while the page holds at
    most ``budget``; past it the largest threads are folded first, each to the same number of
    replies, the most that keeps the page within the budget (top-level comments always show).
    """
    replies = [max(count - 1, 0) for count in counts]
    room = max(budget - len(replies), 0)
    if sum(replies) <= room:
        return [None] * len(replies)
    left, cap = len(replies), 0
    for size in sorted(replies):
        if size * left > room:
            cap = room // left
            break
        room -= size
        left -= 1
    return [None if size <= cap else cap for size in replies]


def list_items(rows, *, base_level, own, reply_level, editable=frozenset(), limit=None):
    """The rows a page shows, in thread order, as Items: ``folded``, then ``items_of``."""
    shown, folds = folded(rows, base_level=base_level, limit=limit)
    return items_of(shown, folds, own=own, reply_level=reply_level, editable=editable)


def folded(rows, *, base_level, limit=None):
    """(shown, folds): the rows a page shows, in thread order, and {anchor id: Fold} of those
    it leaves out; one pass, as mptt's ``tree_info``. It reads only each row's id and level,
    so that a page of long threads can fetch the rest for the shown rows alone.

    Two things leave replies out, each behind "N more replies" under the comment they continue
    (a Fold), whose thread page shows them: replies nested more than DISPLAY_LEVELS below
    ``base_level``, and past the first ``limit`` replies (None: no limit) the rest of the
    thread, which the script may also open in place. A shown row's ancestors are all shown.
    """
    shown, folds, path, replies = [], {}, [], 0
    for row in rows:
        while path and path[-1][0].level >= row.level:
            path.pop()
        depth = row.level - base_level
        if depth >= DISPLAY_LEVELS:  # under the comment at the last level, if it is shown
            anchor = next((a for a, ok in path if a.level - base_level == DISPLAY_LEVELS - 1
                           and ok), None)  # fmt: skip
            expandable = False
        elif limit is not None and depth and replies >= limit:
            anchor = next((a for a, ok in reversed(path) if ok), None)
            expandable = True
        else:
            shown.append(row)
            path.append((row, True))
            replies += depth > 0
            continue
        path.append((row, False))
        if anchor is not None:
            fold = folds.get(anchor.id) or Fold(anchor.id, row.id, 0, expandable)
            folds[anchor.id] = fold._replace(count=fold.count + 1)
    return shown, folds


def items_of(shown, folds, *, own, reply_level, editable=frozenset()):
    """Items of the ``shown`` rows (of ``CommentQuerySet.as_list_items``) and their ``folds``
    (from ``folded``). ``reply_level``: the deepest level that offers "Reply" (-1: none).
    ``own``: the comments the reader wrote, which offer "Delete", and of those ``editable``
    offer "Edit"."""
    stale = [row.id for row in shown if row.markup_version != freshness.MARKUP_VERSION]
    fresh = fresh_headers(stale)
    items, ancestors = [], []  # ancestors: the shown comments above the current one
    for n, row in enumerate(shown):
        del ancestors[row.level - shown[0].level :]
        before = shown[n - 1].level if n else None
        after = shown[n + 1].level if n + 1 < len(shown) else shown[0].level
        # Each </li></ol> below closes the replies of the comment one level further up.
        above = [*ancestors, row][::-1][1 : max(row.level - after, 0) + 1]
        closes = tuple(folds.get(a.id) for a in above)
        readable = is_shown(row, own)
        items.append(Item(
            row, before is not None and row.level > before, closes, readable,
            row.status == Comment.Status.PENDING, readable and row.level <= reply_level,
            folds.get(row.id) if after <= row.level else None, row.id in editable,
            readable and row.id in own, Markup(fresh.get(row.id, row.header_html)),
            row.status == Comment.Status.APPROVED and row.id not in own,
        ))  # fmt: skip
        ancestors.append(row)
    return [
        item._replace(held_why=held_because(item.comment.status_reason))
        if item.pending and item.readable else item
        for item in items
    ]  # fmt: skip


def fresh_headers(ids):
    """{id: header} rendered now for comments whose stored header is of an older markup
    version, until ``manage.py render_comments`` stores them again; one query, none if none."""
    if not ids:
        return {}
    comments = Comment.objects.filter(pk__in=ids).select_related("article", "user")
    return markup.headers_of(list(comments))
