"""A page of discussion: everything the article and thread pages show below the article (#11).

``build()`` is the one way in. It takes the request's Reader (``comments.readers``: who reads,
which of their comments wait for a moderator, what they asked us to remember), the page, sort
and reply target, takes the page of threads, renders their comments or reads them from the
cache, lays the reader's own actions over them (``comments.overlay``), and makes the comment
form and the reply target. The ``{% discussion %}`` tag calls it for the article page; the post
view (with its bound form) and the thread view (with the thread's first comment) call it with
explicit arguments. A read never writes.

The comments of a page come from one query and render in one flat loop through two Jinja2
templates, ``templates/jinja2/comments/_comments.html`` (the list) and ``_comment.html`` (one
comment, whose header is stored at save: see comments/markup.py); ``comments.items`` says what
each comment's markup needs. Two layers are cached, under keys from ``core.freshness``:

- each thread's markup (a Fragment), keyed by its ``thread_version``: the same for every reader,
  except a thread holding one of the reader's pending comments, which is rendered for them;
- the page's whole list, joined from its fragments, keyed by the article's versions.

Every write moves those versions through ``comments.freshness``.
"""

import time
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlencode

from django.core.cache import caches
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.template import engines
from django.urls import reverse
from django.utils.connection import ConnectionProxy
from django.utils.safestring import mark_safe
from markupsafe import Markup

from articles import pages
from comments import overlay
from comments.forms import CommentForm
from comments.items import folded, items_of, replies_shown
from comments.models import (
    DISPLAY_LEVELS,
    THREAD_PAGE,
    Comment,
    DiscussionSettings,
    Sort,
    is_shown,
)  # fmt: skip
from comments.readers import reader_of
from comments.services import comments_open, deepest_allowed, display_name
from comments.structured import featured_box, structured_data, structured_rows
from core import freshness

# Rendered lists and threads, under keys that carry their versions (settings.CACHES).
cache = ConnectionProxy(caches, "discussion")
CACHE_SECONDS = 24 * 3600


@dataclass
class Discussion:
    """What ``comments/_discussion.html`` shows."""

    article: object
    root: object  # the thread page's first comment; None on the article page
    listing: str  # the rendered heading, comments and page links (safe: our own markup)
    form: CommentForm
    reply_to: object  # the comment the form will answer, or None
    is_open: bool
    keep: str  # the page's own query string (page, sort), kept in Reply and Cancel links
    address: str = ""  # the page's path, which its links to other orders and pages start with
    moderator: bool = False  # the page carries the form of the staff's buttons (#26)
    post_url: str = ""  # where the form posts; "" for comments:post (the embed has its own, #30)
    # The form's "Sign in" and "sign out": "" for allauth's pages (the embed has its own, #30).
    sign_in_url: str = ""
    sign_out_url: str = ""


class View(NamedTuple):
    """What one rendering of comments depends on besides the comments: the reader's pending
    comments (``pending``: their ids; ``editable``: those they may still edit;
    ``held_threads``: the threads they are in, rendered for this reader alone) and the page."""

    rules: object
    is_open: bool
    pending: list
    editable: set
    held_threads: set
    keep: str = ""
    address: str = ""  # the path the page's links start with; "" for the site's (#30)

    def inputs(self):
        """The settings and state the markup shows, for the cache keys."""
        r = self.rules
        return (r.downvotes, r.max_depth, r.default_sort, r.threads_per_page,
                r.comments_per_page, self.is_open, self.keep, self.address)  # fmt: skip


def view_of(reader, article, rules, keep="", address=""):
    """The View of ``article`` for ``reader``."""
    pending = reader.pending(article)
    editable = reader.editable(article, rules) & set(pending)
    held = {reader.written(article)[pk].tree_id for pk in pending}
    return View(rules, comments_open(article, rules), pending, editable, held, keep, address)


def build(
    request, article, *, root=None, form=None, address="", post_url="", sign_in_url="",
    sign_out_url="",
):  # fmt: skip
    """The discussion of ``article`` (or of ``root``'s thread) as ``request`` asks for it.

    ``form``: a bound comment form that failed, shown again with its errors and its reply target.
    ``address`` and ``post_url``: the path its links start with and where its form posts, for a
    page other than the site's own (the embed, #30); ``sign_in_url`` and ``sign_out_url``: the
    form's "Sign in" and "sign out" there.
    """
    reader = reader_of(request)
    rules = DiscussionSettings.load()
    sort = request.GET.get("sort") or rules.default_sort
    if sort not in Sort.values:
        raise Http404("No such order of comments.")
    pending = reader.pending(article)
    page = None
    if root is None:
        threads = Comment.objects.threads(article, own=pending, sort=sort)
        paginator = Paginator(
            threads.values_list(*THREAD_PAGE),
            rules.threads_per_page,
        )
        # Stored (#7), and the reader's own held threads: no count query.
        paginator.count = article.thread_count + reader.own_threads(article)
        try:  # a page that does not exist is a 404, never a page of its own to keep (#23)
            page = paginator.page(request.GET.get("page") or 1)
        except InvalidPage:
            raise Http404("No such page of comments.") from None
    keep = {}
    if sort != rules.default_sort:
        keep["sort"] = sort
    if page is not None and page.number > 1:
        keep["page"] = page.number
    view = view_of(reader, article, rules, urlencode(keep), address)
    listing, rows = cached_listing(article, view, root, sort, page, reader)
    if form is None:
        remembered = reader.remembered
        form = CommentForm(
            article=article, user=request.user, own=pending,
            initial={
                **remembered, "remember": bool(remembered),
                # the member's preference, as the key of their kept discussion names it
                "email_replies": reader.replies_by_default(),
            },
        )  # fmt: skip
        wanted = request.GET.get("replytocom", "")
    else:
        wanted = form.data.get("parent", "")
    reply_to = reply_target(article, rows, wanted, pending, rules)
    return Discussion(
        article, root, listing, form, reply_to, view.is_open, view.keep,
        address or page_address(article, root), reader.moderator, post_url, sign_in_url,
        sign_out_url,
    )  # fmt: skip


def reader_key(request, article):
    """The key of ``article``'s discussion as this reader sees it on a page kept as a shell
    (``articles.pages.for_reader``, #29): its versions, page and sort, and everything of the
    reader it shows (who they are, what they wrote here and may still edit, the name they asked
    us to remember, their form's default). None for a moderator, whose buttons are their own."""
    reader = reader_of(request)
    if reader.moderator:
        return None
    user, versions = reader.user, article.versions()
    # Saving the settings moves every article's versions: read once a second per version.
    rules, _ = pages.recent(("rules", versions), DiscussionSettings.load)
    return freshness.key(
        "reader", article.pk, versions, request.GET.get("page", ""),
        request.GET.get("sort", ""), user and (user.pk, display_name(user)),
        reader.written(article).digest, sorted(reader.editable(article, rules)),
        sorted(reader.remembered.items()), reader.replies_by_default(),
    )  # fmt: skip


def page_address(article, root):
    """The path of the page a discussion belongs to. Its links to other sorts, pages and reply
    targets start with it, rather than with "?": the page a refused comment answers is served at
    the form's POST address, where "?page=2" would ask that address for a page (#24)."""
    return reverse("comments:thread", args=[root.pk]) if root else article.get_absolute_url()


def cached_listing(article, view, root, sort, page, reader):
    """(listing, rows): the rendered list from the cache, or joined now from its threads'
    fragments (see ``thread_fragments``) and cached, with the reader's own actions laid over
    it. ``rows``: the comments rendered now."""
    # A held comment's "Edit" goes when the edit window closes: such entries last a minute.
    window = (view.rules.edit_minutes, int(time.time() // 60)) if view.pending else ""
    key = freshness.key(
        "discussion", article.pk, article.versions(), view.inputs(), root.pk if root else "",
        sort, page.number if page is not None else "", view.pending, window,
    )  # fmt: skip
    listing, rows = cache.get(key), []
    if listing is None:
        listing, rows = render_listing(article, view, root, sort, page)
        # Cached safe: a copy of the whole list per view would cost more than slower pickling.
        cache.set(key, listing, CACHE_SECONDS)
    return own_actions(listing, reader, article, view), rows


def own_actions(listing, reader, article, view):
    """``listing`` with "Edit" and "Delete" on the reader's shown comments, and a moderator's
    buttons on every comment (``overlay``)."""
    written = reader.written(article)
    if not (written or reader.moderator):
        return listing
    shared = [pk for pk, c in written.items() if c.status == Comment.Status.APPROVED]
    editable = reader.editable(article, view.rules) if written else set()
    return overlay.own_actions(listing, shared, editable, moderator=reader.moderator)


def render_listing(article, view, root, sort, page):
    """(listing, rows): the page's list joined from its threads' fragments."""
    if root is None:
        threads = [(tree_id, version) for tree_id, version, _ in page]
        shown = replies_shown([count for _, _, count in page], view.rules.comments_per_page)
        limits = dict(zip([tree_id for tree_id, _ in threads], shown, strict=True))
    else:
        threads = [(root.tree_id, None)]
        limits = None
    fragments, rows = thread_fragments(article, view, threads, limits=limits, root=root)
    featured = featured_box(article) if root is None and article.featured_count else []
    template = engines["jinja2"].get_template("comments/_comments.html")
    listing = mark_safe(template.render({
        "article": article, "root": root, "root_shown": root and is_shown(root, view.pending),
        "page": page, "sort": sort, "sorts": dict(Sort.choices), "keep": view.keep,
        "address": view.address or page_address(article, root), "held": len(view.pending),
        "threads": [fragment.html for fragment in fragments],
        "comments_url": reverse("comments:permalink", args=[0]).removesuffix("0/"),
        "featured": featured, "default_sort": view.rules.default_sort,
        "structured_data": (
            structured_data(article, [c for f in fragments for c in f.data], view.keep)
            if root is None else ""
        ),
    }))  # fmt: skip
    return listing, rows


class Fragment(NamedTuple):
    """One thread's markup (an <li> of the page's list) and its approved comments' structured
    data: (id, parent_id, name, url, date, text) of each."""

    html: str
    data: list


def thread_limit(root, page, rules, *, own=()):
    """The replies ``root``'s thread shows on ``page`` of the oldest-first order (None: all),
    as ``build`` folds that page: what a permalink needs to know (one query)."""
    start = (page - 1) * rules.threads_per_page
    rows = Comment.objects.threads(root.article, own=own).values_list(
        "tree_id", "thread_comment_count"
    )[start : start + rules.threads_per_page]
    tree_ids, counts = zip(*rows, strict=True) if rows else ((), ())
    limits = dict(zip(tree_ids, replies_shown(counts, rules.comments_per_page), strict=True))
    return limits.get(root.tree_id)


def thread_fragments(article, view, threads, *, limits=None, root=None, base_level=None):
    """([Fragment], rows) of ``threads`` ((tree_id, thread_version) pairs), in their order,
    and the rows of the comments rendered now.

    Each thread's markup is cached under its own ``thread_version`` (#17): a new reply renders
    its thread again, not the page. A thread holding one of the reader's pending comments is
    rendered for them, not cached. ``limits``: {tree_id: replies shown} on a page of threads
    (from ``replies_shown``); the others are behind "N more replies". None: whole threads.
    ``root``: the comment of a thread page or of an opened "N more replies", shown with all
    its replies. ``base_level``: the level the depth cut counts from (None: the first
    comment's).
    """
    keys = {}
    if root is None:
        for tree_id, version in threads:
            if tree_id not in view.held_threads:
                keys[tree_id] = freshness.key(
                    "thread", tree_id, version, limits and limits[tree_id], limits is None,
                    article.votes_version, article.updated_at.timestamp(), view.inputs(),
                )  # fmt: skip
    found = cache.get_many(list(keys.values())) if keys else {}
    wanted = [tree_id for tree_id, _ in threads if keys.get(tree_id) not in found]
    cut, rows = read_threads(article, wanted, view.pending, root=root, base_level=base_level,
                             limits=limits)  # fmt: skip
    template = engines["jinja2"].get_template("comments/_thread.html")
    context = {
        "keep": view.keep, "downvotes": view.rules.downvotes,
        "address": view.address or page_address(article, root),
        "comments_url": reverse("comments:permalink", args=[0]).removesuffix("0/"),
    }  # fmt: skip
    reply_level = view.rules.deepest_replyable_level if view.is_open else -1
    fresh = {}
    for tree_id, (shown, folds) in cut.items():
        items = items_of(
            [rows[row.id] for row in shown if row.id in rows], folds, own=set(view.pending),
            reply_level=reply_level, editable=view.editable,
        )  # fmt: skip
        html = template.render({**context, "items": items})
        # Only a page of threads has JSON-LD: a whole thread or a thread page needs none.
        data = structured_rows(items) if limits is not None else []
        fresh[tree_id] = Fragment(Markup(html), data)
    if keys:
        cache.set_many({keys[t]: f for t, f in fresh.items() if t in keys}, CACHE_SECONDS)
    fragments = [
        found.get(keys.get(tree_id)) or fresh.get(tree_id)
        for tree_id, _ in threads
        if keys.get(tree_id) in found or tree_id in fresh
    ]
    return fragments, list(rows.values())


def whole_thread(request, comment):
    """The markup of ``comment`` (its <li>) with every reply below it, as the page of threads
    shows them: what "N more replies" puts in place of the shorter one (#24). None when the
    reader may not see it. A top-level comment's is cached under its thread's version."""
    article = comment.article
    reader = reader_of(request)
    view = view_of(reader, article, DiscussionSettings.load())
    if comment.level:  # the page's depth cut counts from the top-level comment
        extra = {"root": comment, "base_level": 0 if comment.level < DISPLAY_LEVELS else None}
    else:
        extra = {}
    fragments, _ = thread_fragments(
        article, view, [(comment.tree_id, comment.thread_version)], **extra
    )
    return own_actions(fragments[0].html, reader, article, view) if fragments else None


def read_threads(article, tree_ids, own, *, root=None, base_level=None, limits=None):
    """({tree_id: (shown, folds)}, {id: row}): the threads ``tree_ids`` (or ``root``'s
    subtree) as ``comments.items.folded`` cuts them, from an outline of every visible comment
    (ids and places only), and the rows of the shown comments alone, whole (#29: page 1 of a
    long discussion shows a hundred comments of threads that hold thousands). Read again when
    a shown comment went in between; a second time, it is left out."""
    if root is None and not tree_ids:
        return {}, {}
    for _ in range(2):
        if root is not None:
            outline = Comment.objects.subtree(root, own=own)
        else:
            outline = Comment.objects.for_article(article, own=own).filter(tree_id__in=tree_ids)
        by_thread = {tree_id: [] for tree_id in ([root.tree_id] if root else tree_ids)}
        for row in outline.values_list("id", "tree_id", "level", named=True):
            by_thread[row.tree_id].append(row)
        cut = {
            tree_id: folded(thread, base_level=thread[0].level if base_level is None
                            else base_level, limit=limits and limits[tree_id])
            for tree_id, thread in by_thread.items() if thread
        }  # fmt: skip
        ids = [row.id for shown, _ in cut.values() for row in shown]
        found = Comment.objects.for_article(article, own=own).filter(pk__in=ids)
        rows = {row.id: row for row in found.as_list_items()}
        if len(rows) == len(ids):
            break
    return cut, rows


def reply_target(article, rows, wanted, own, rules):
    """The comment a reply will really answer: past the deepest level, an ancestor of it.

    ``rows``: the comments just rendered, if any; otherwise one query finds the target.
    """
    if not wanted.isdecimal():  # isdigit() also accepts "²", which int() refuses
        return None
    by_pk = {row.id: row for row in rows}
    target = by_pk.get(int(wanted))
    if target is None:  # not rendered here: a reply started elsewhere, or the list was cached
        target = Comment.objects.shown_to(article, own=own).filter(pk=wanted).first()
        target = target and deepest_allowed(target, rules)
    while target is not None and target.level > rules.deepest_replyable_level:
        target = by_pk.get(target.parent_id)
    if target is None or not is_shown(target, own):
        return None
    return target
