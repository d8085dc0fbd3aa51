"""Comments as the API shows them (#30), built by the same rules as the page: the same
visibility (``for_article``: approved, the reader's own pending, placeholders), the same order
and folds (``comments.items``: "N more replies" past the page's budget or below DISPLAY_LEVELS)."""

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.urls import reverse

from comments.items import list_items, replies_shown
from comments.models import Comment

# What a comment of the API needs, and what ``comments.items.list_items`` reads.
FIELDS = ["id", "article_id", "parent_id", "tree_id", "lft", "level", "status", "status_reason",
          "author_name", "author_url", "created_at", "edited_at", "upvotes", "downvotes",
          "body_html", "header_html", "markup_version", "is_by_author"]  # fmt: skip


def rows_of(comments):
    """``comments`` (a queryset from ``for_article``, which marks ``is_by_author``) as rows."""
    return list(comments.values_list(*FIELDS, named=True))


def with_author_mark(comments):
    """``comments`` marked ``is_by_author`` outside ``for_article`` (recent comments)."""
    mark = ExpressionWrapper(Q(user_id=F("article__author_id")), output_field=BooleanField())
    return comments.annotate(is_by_author=mark)


def api_path(name, *args):
    return reverse(f"api:{name}", args=args)


def comment_out(row, *, readable=True, can_reply=False, more=0):
    """The API's comment: a placeholder (``readable`` False) keeps only its place."""
    status = {Comment.Status.APPROVED: "published", Comment.Status.PENDING: "awaiting moderation"}
    return {
        "id": row.id,
        "article": row.article_id,
        "parent": row.parent_id,
        "depth": row.level,
        "status": status.get(row.status, "removed") if readable else "removed",
        "author_name": row.author_name if readable else "",
        "website": row.author_url if readable else "",
        "is_by_author": bool(row.is_by_author) and readable,
        "body_html": row.body_html if readable else "",
        "created": row.created_at,
        "edited": row.edited_at if readable else None,
        "score": row.upvotes - row.downvotes,
        "can_reply": can_reply,
        "more_replies": more,
        "permalink": settings.SITE_URL + reverse("comments:permalink", args=[row.id]),
        "thread": api_path("thread", row.id),
    }


def thread_out(rows, *, own, reply_level, limit=None, base_level=None):
    """One thread's comments (rows in thread order) as the page shows them, each with how many
    replies under it the page leaves out."""
    items = list_items(
        rows, base_level=rows[0].level if base_level is None else base_level, own=set(own),
        reply_level=reply_level, limit=limit,
    )  # fmt: skip
    more = {}
    for item in items:
        for fold in (item.fold, *item.closes):
            if fold is not None:
                more[fold.anchor] = fold.count
    return [
        comment_out(
            item.comment,
            readable=item.readable,
            can_reply=item.can_reply,
            more=more.get(item.comment.id, 0),
        )  # fmt: skip
        for item in items
    ]


def page_of_threads(article, page, *, own, rules, reply_level):
    """[{"id", "comments"}] of a page of threads ((tree_id, version, count) rows): the
    visible comments of those threads in one query, folded as the page folds them."""
    tree_ids = [tree_id for tree_id, _, _ in page]
    if not tree_ids:
        return []
    limits = dict(zip(tree_ids, replies_shown([c for _, _, c in page], rules.comments_per_page),
                      strict=True))  # fmt: skip
    by_thread = {tree_id: [] for tree_id in tree_ids}
    found = Comment.objects.for_article(article, own=own).filter(tree_id__in=tree_ids)
    for row in rows_of(found):
        by_thread[row.tree_id].append(row)
    return [
        {
            "id": rows[0].id,
            "comments": thread_out(rows, own=own, reply_level=reply_level, limit=limits[tree_id]),
        }  # fmt: skip
        for tree_id, rows in by_thread.items()
        if rows
    ]
