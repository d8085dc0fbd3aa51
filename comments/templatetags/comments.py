"""``{% discussion article %}``: a page of an article's threads and the comment form.

``{% discussion article root=comment %}`` shows one comment's subtree instead (the "Continue this
thread" page). Either way the comments come from one query and render in one flat loop.
"""

from urllib.parse import urlencode

from django import template
from django.core.paginator import Paginator

from comments.forms import CommentForm
from comments.models import DISPLAY_LEVELS, SORTS, Comment, DiscussionSettings
from comments.services import comments_open
from comments.views import own_comment_ids, remembered_author

register = template.Library()


@register.inclusion_tag("comments/_discussion.html", takes_context=True)
def discussion(context, article, root=None):
    request = context["request"]
    rules = DiscussionSettings.load()
    own = own_comment_ids(request)
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "oldest"
    page = None
    if root is None:
        threads = Comment.objects.threads(article, own=own, sort=sort)
        page = Paginator(threads, rules.threads_per_page).get_page(request.GET.get("page"))
        comments = in_page_order(article, list(page), own)
        base_level = 0
    else:
        comments = list(Comment.objects.subtree(root, own=own))
        base_level = root.level
    comments = cut_at_display_depth(comments, base_level)

    form = context.get("comment_form")
    if form is None:
        remembered = remembered_author(request)
        form = CommentForm(
            article=article, user=request.user, own=own,
            initial={**remembered, "remember": bool(remembered)},
        )  # fmt: skip
        wanted = request.GET.get("replytocom", "")
    else:
        wanted = form.data.get("parent", "")
    reply_to = reply_target(article, comments, wanted, own, rules.max_depth)
    keep = {}  # the page's own query, kept in its Reply and Cancel links
    if sort != "oldest":
        keep["sort"] = sort
    if page is not None and page.number > 1:
        keep["page"] = page.number
    return {
        "article": article,
        "comments": comments,
        "root": root,
        "page": page,
        "sort": sort,
        "sorts": SORTS,
        "keep": urlencode(keep),
        "form": form,
        "reply_to": reply_to,
        "reply_max_level": rules.max_depth - 2,
        "is_open": comments_open(article, rules),
        "own": own,
        "request": request,
        "user": request.user,
        "csrf_token": context.get("csrf_token"),
    }


def in_page_order(article, roots, own):
    """Every visible comment of these threads, thread by thread in the order of ``roots``."""
    if not roots:
        return []
    position = {root.tree_id: n for n, root in enumerate(roots)}
    rows = Comment.objects.for_article(article, own=own).filter(tree_id__in=position)
    return sorted(rows, key=lambda c: (position[c.tree_id], c.lft))


def cut_at_display_depth(comments, base_level):
    """Drop replies nested deeper than the page shows; their ancestor links to them instead."""
    kept, last_shown = [], None
    for comment in comments:
        depth = comment.level - base_level
        if depth < DISPLAY_LEVELS:
            kept.append(comment)
            last_shown = comment if depth == DISPLAY_LEVELS - 1 else last_shown
        elif last_shown is not None:
            last_shown.continues = True
    return kept


def reply_target(article, comments, wanted, own, max_depth):
    """The comment a reply will really answer: past the deepest level, an ancestor of it."""
    if not wanted.isdecimal():  # isdigit() also accepts "²", which int() refuses
        return None
    by_pk = {c.pk: c for c in comments}
    target = by_pk.get(int(wanted))
    if target is None:  # not on this page: a reply started elsewhere
        target = Comment.objects.replyable(article, own=own).filter(pk=wanted).first()
        if target is not None and target.level > max_depth - 2:
            target = target.get_ancestors().filter(level=max(max_depth - 2, 0)).first()
    while target is not None and target.level > max_depth - 2:
        target = by_pk.get(target.parent_id)
    if target is None or not _replyable(target, own):
        return None
    return target


def _replyable(comment, own):
    return comment.status == Comment.Status.APPROVED or (
        comment.status == Comment.Status.PENDING and comment.pk in own
    )
