"""``{% discussion article %}``: a page of an article's threads and the comment form.

``{% discussion article root=comment %}`` shows one comment's subtree instead (the "Continue this
thread" page). Either way the comments come from one query and render in one flat loop, and the
rendered list is cached under a key holding the article's ``comments_version``, which every write
and moderation change bumps (#7): a cached page is never stale, on any app server.
"""

import hashlib
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from django import template
from django.core.cache import cache as shared_cache
from django.core.paginator import Paginator
from django.template.loader import get_template, render_to_string
from django.utils.safestring import mark_safe

from comments import rendering
from comments.forms import CommentForm
from comments.models import SORTS, Comment, DiscussionSettings
from comments.rendering import list_html
from comments.services import comments_open
from comments.views import own_comment_ids, remembered_author

register = template.Library()

CACHE_SECONDS = 24 * 3600
LIST_TEMPLATES = ["comments/_comments.html", "comments/_comment_header.html"]


@register.inclusion_tag("comments/_discussion.html", takes_context=True)
def discussion(context, article, root=None):
    request = context["request"]
    rules = DiscussionSettings.load()
    own = own_comment_ids(request)
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "oldest"
    is_open = comments_open(article, rules)
    page = None
    if root is None:
        threads = Comment.objects.threads(article, own=own, sort=sort)
        paginator = Paginator(threads.values_list("tree_id", flat=True), rules.threads_per_page)
        if not own:
            paginator.count = article.thread_count  # stored (#7): no count query
        page = paginator.get_page(request.GET.get("page"))
    keep = {}  # the page's own query, kept in its Reply and Cancel links
    if sort != "oldest":
        keep["sort"] = sort
    if page is not None and page.number > 1:
        keep["page"] = page.number
    keep = urlencode(keep)

    key = cache_key(article, rules, is_open, root, sort, page, own)
    listing = shared_cache.get(key)  # a plain str: pickling a SafeString is 100 times slower
    comments = []
    if listing is None:
        if root is None:
            comments = in_page_order(article, list(page), own)
        else:
            comments = Comment.objects.subtree(root, own=own).as_list_items()
        comments_html = list_html(
            comments,
            base_level=root.level if root else 0,
            own=set(own),
            reply_max_level=rules.max_depth - 2 if is_open else -1,
            keep=keep,
        )
        listing = render_to_string(
            "comments/_comments.html",
            {
                "article": article, "comments_html": comments_html, "root": root, "page": page,
                "sort": sort, "sorts": SORTS, "own": own,
            },
        )  # fmt: skip
        shared_cache.set(key, str(listing), CACHE_SECONDS)

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
    return {
        "article": article,
        "listing": mark_safe(listing),  # rendered from our own templates and blocks
        "keep": keep,
        "form": form,
        "reply_to": reply_target(article, comments, wanted, own, rules.max_depth),
        "is_open": is_open,
        "request": request,
        "user": request.user,
        "csrf_token": context.get("csrf_token"),
    }


def cache_key(article, rules, is_open, root, sort, page, own):
    """Everything the rendered list depends on; a reader's own pending comments included."""
    parts = [
        markup_version(), article.comments_version, article.updated_at.timestamp(),
        rules.threads_per_page, rules.max_depth, is_open, root.pk if root else "", sort,
        page.number if page is not None else "", sorted(own),
    ]  # fmt: skip
    digest = hashlib.md5(repr(parts).encode(), usedforsecurity=False).hexdigest()
    return f"discussion:{article.pk}:{digest}"


@cache
def markup_version():
    """Changes when the list's markup does, so that a deploy never serves old markup."""
    sources = [get_template(name).template.source for name in LIST_TEMPLATES]
    sources.append(Path(rendering.__file__).read_text())
    return hashlib.md5("".join(sources).encode(), usedforsecurity=False).hexdigest()[:8]


def in_page_order(article, tree_ids, own):
    """Every visible comment of these threads, thread by thread in the order of ``tree_ids``."""
    if not tree_ids:
        return []
    position = {tree_id: n for n, tree_id in enumerate(tree_ids)}
    rows = Comment.objects.for_article(article, own=own).filter(tree_id__in=position)
    return sorted(rows.as_list_items(), key=lambda c: (position[c.tree_id], c.lft))


def reply_target(article, comments, wanted, own, max_depth):
    """The comment a reply will really answer: past the deepest level, an ancestor of it."""
    if not wanted.isdecimal():  # isdigit() also accepts "²", which int() refuses
        return None
    by_pk = {c.id: c for c in comments}  # rows of as_list_items(), or none
    target = by_pk.get(int(wanted))
    if target is None:  # not rendered here: a reply started elsewhere, or the list was cached
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
        comment.status == Comment.Status.PENDING and comment.id in own
    )
