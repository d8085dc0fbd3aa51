"""Moderation for staff (#30): the queue, the moderator's moves (``comments.services.MOVES``
through ``moderate``) and bans, with a token of the "moderate" scope and the admin's own
permissions: "view" for the queue, "change" for moves and bans. Each change is in the
moderation log (``set_status`` writes it), and the token that made it is logged here."""

import logging

from django.urls import reverse
from ninja import Query, Router

from api.access import ModeratorToken, caller, require_permission
from api.answers import answer, page_links, page_of
from api.problems import Problem
from api.rows import api_path
from api.schemas import (
    MAX_ID,
    BanIn,
    Banned,
    Id,
    Moved,
    MoveIn,
    QueuePage,
)
from api.schemas import Problem as ProblemOut
from comments import services
from comments.models import Comment

logger = logging.getLogger("api")
router = Router(tags=["moderation"], auth=ModeratorToken())

QUEUE_PER_PAGE = 20  # as the admin's queue
ERRORS = dict.fromkeys((400, 401, 403, 404, 415, 422, 429), ProblemOut)


def queue_item(comment):
    return {
        "id": comment.pk, "article": comment.article_id, "article_title": comment.article.title,
        "parent": comment.parent_id, "status": comment.status, "why": comment.status_reason,
        "author_name": comment.author_name, "author_email": comment.author_email,
        "website": comment.author_url, "ip_address": comment.ip_address, "body": comment.body,
        "body_html": comment.body_html, "created": comment.created_at,
        "report_count": comment.report_count, "spam_score": comment.spam_score,
        "admin": reverse("admin:comments_comment_change", args=[comment.pk]),
    }  # fmt: skip


@router.get("/queue", response={200: QueuePage, **ERRORS}, url_name="queue")
def queue(request, page: int = Query(1, ge=1, le=MAX_ID)):
    """Held comments and reported ones, those waiting longest first, as the admin's queue."""
    require_permission(request, "comments.view_comment")
    waiting = (
        Comment.objects.needing_review()
        .select_related("article")
        .defer("search_vector", "article__body", "article__body_html", "article__search_vector")
        .order_by("created_at", "pk")
    )
    shown = page_of(waiting, page, QUEUE_PER_PAGE)
    links = page_links(api_path("queue"), shown)
    data = {"items": [queue_item(c) for c in shown], "count": shown.paginator.count,
            "page": shown.number, "pages": shown.paginator.num_pages, "links": links}  # fmt: skip
    return answer(QueuePage, data, links=links)


def any_comment(comment_id):
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None:
        raise Problem(404, "No such comment.", kind="no-such-comment")
    return comment


@router.post("/comments/{comment_id}", response={200: Moved, **ERRORS}, url_name="moderate")
def move(request, comment_id: Id, payload: MoveIn):
    """Approve, mark as spam or remove a comment (``approve`` also restores a removed one)."""
    caller(request, write=True)
    require_permission(request, "comments.change_comment")
    comment = any_comment(comment_id)
    changed = services.moderate(Comment.objects.filter(pk=comment.pk), payload.move,
                                by=request.user)  # fmt: skip
    logger.info("API: %s (token %s) %s comment %s: %d changed", request.user,
                request.auth.prefix, payload.move, comment.pk, changed)  # fmt: skip
    status, _ = services.MOVES[payload.move]
    return answer(Moved, {"changed": changed, "status": status})


@router.post("/comments/{comment_id}/ban", response={200: Banned, **ERRORS}, url_name="ban")
def ban(request, comment_id: Id, payload: BanIn):
    """Ban the comment's author (their email and account) and remove all their comments."""
    caller(request, write=True)
    require_permission(request, "comments.change_comment")
    comment = any_comment(comment_id)
    made, removed = services.ban_author(comment, by=request.user, reason=payload.reason)
    logger.info("API: %s (token %s) banned %s for comment %s, %d removed", request.user,
                request.auth.prefix, made, comment.pk, removed)  # fmt: skip
    return answer(Banned, {"ban": made.pk, "removed": removed})
