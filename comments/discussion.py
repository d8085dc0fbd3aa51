"""A page of discussion: everything the article and thread pages show below the article (#11).

``build()`` is the one way in. It reads the request (page, sort, reply target, the reader's own
pending comments, the remembered author), takes the page of threads, renders their comments or
reads them from the cache, and makes the comment form and the reply target. The
``{% discussion %}`` tag calls it for the article page; the post view (with its bound form) and
the thread view (with the thread's first comment) call it with explicit arguments. A read never
writes.

The comments of a page come from one query and render in one flat loop through two Jinja2
templates, ``templates/jinja2/comments/_comments.html`` (the list) and ``_comment.html`` (one
comment, whose header is stored at save: see comments/markup.py). The result is cached under a
key holding the article's ``comments_version``, which every visible write and moderation change
bumps (#7), and MARKUP_VERSION: no page is ever served stale.
"""

import hashlib
import html
import json
import re
import time
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Q
from django.http import Http404
from django.template import engines
from django.urls import reverse
from django.utils.connection import ConnectionProxy
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from markupsafe import Markup

from comments import markup
from comments.forms import CommentForm
from comments.models import DISPLAY_LEVELS, SORTS, Comment, DiscussionSettings, is_shown
from comments.reasons import held_because
from comments.services import comments_open, deepest_allowed

# Rendered lists and threads, under keys that carry their versions (settings.CACHES).
cache = ConnectionProxy(caches, "discussion")
CACHE_SECONDS = 24 * 3600
OWN_COMMENTS = "own_comments"  # session key: ids of the comments this browser wrote
AUTHOR_COOKIE = "comment_author"
AUTHOR_COOKIE_AGE = 365 * 24 * 3600


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


def build(request, article, *, root=None, form=None):
    """The discussion of ``article`` (or of ``root``'s thread) as ``request`` asks for it.

    ``form``: a bound comment form that failed, shown again with its errors and its reply target.
    """
    rules = DiscussionSettings.load()
    written = writers_comments(request, article)
    own = sorted(written)
    sort = request.GET.get("sort") or rules.default_sort
    if sort not in SORTS:
        raise Http404("No such order of comments.")
    is_open = comments_open(article, rules)
    page = None
    if root is None:
        threads = Comment.objects.threads(article, own=own, sort=sort)
        paginator = Paginator(
            threads.values_list("tree_id", "thread_version", "thread_comment_count"),
            rules.threads_per_page,
        )
        if not any(c.status == Comment.Status.PENDING for c in written.values()):
            paginator.count = article.thread_count  # stored (#7): no count query
        try:  # a page that does not exist is a 404, never a page of its own to keep (#23)
            page = paginator.page(request.GET.get("page") or 1)
        except InvalidPage:
            raise Http404("No such page of comments.") from None
    keep = {}
    if sort != rules.default_sort:
        keep["sort"] = sort
    if page is not None and page.number > 1:
        keep["page"] = page.number
    keep = urlencode(keep)
    address = page_address(article, root)

    editable = editable_of(written, rules)
    held = sum(c.status == Comment.Status.PENDING for c in written.values())
    listing, rows = cached_listing(
        article, rules, is_open, root, sort, page, own, keep, editable, held=held
    )
    if form is None:
        remembered = remembered_author(request)
        form = CommentForm(
            article=article, user=request.user, own=own,
            initial={**remembered, "remember": bool(remembered)},
        )  # fmt: skip
        wanted = request.GET.get("replytocom", "")
    else:
        wanted = form.data.get("parent", "")
    reply_to = reply_target(article, rows, wanted, own, rules)
    return Discussion(article, root, listing, form, reply_to, is_open, keep, address)


def page_address(article, root):
    """The path of the page a discussion belongs to. Its links to other sorts, pages and reply
    targets start with it, rather than with "?": the page a refused comment answers is served at
    the form's POST address, where "?page=2" would ask that address for a page (#24)."""
    return reverse("comments:thread", args=[root.pk]) if root else article.get_absolute_url()


def cached_listing(article, rules, is_open, root, sort, page, own, keep, editable, held=0):
    """(listing, rows): the rendered list from the cache, or joined now from its threads'
    fragments (see ``thread_fragments``) and cached. ``rows``: the comments rendered now.
    ``held``: how many of the reader's comments wait for a moderator (the key has their ids,
    and a decision on any of them changes the article's version)."""
    key = cache_key(article, rules, is_open, root, sort, page, own)
    listing = cache.get(key)
    if listing is not None:
        return listing, []
    if root is None:
        threads = [(tree_id, version) for tree_id, version, _ in page]
        shown = replies_shown([count for _, _, count in page], rules.comments_per_page)
        limits = dict(zip([tree_id for tree_id, _ in threads], shown, strict=True))
    else:
        threads = [(root.tree_id, None)]
        limits = None
    fragments, rows = thread_fragments(
        article, rules, is_open, threads, own=own, keep=keep, editable=editable,
        limits=limits, root=root,
    )  # fmt: skip
    featured = featured_box(article) if root is None and article.featured_count else []
    template = engines["jinja2"].get_template("comments/_comments.html")
    listing = mark_safe(template.render({
        "article": article, "root": root, "root_shown": root and is_shown(root, own),
        "page": page, "sort": sort, "sorts": SORTS, "keep": keep,
        "address": page_address(article, root), "held": held,
        "threads": [fragment.html for fragment in fragments],
        "comments_url": reverse("comments:permalink", args=[0]).removesuffix("0/"),
        "featured": featured, "default_sort": rules.default_sort,
        "structured_data": (
            structured_data(article, [c for f in fragments for c in f.data], keep)
            if root is None else ""
        ),
    }))  # fmt: skip
    # Cached safe: a copy of the whole list per view would cost more than slower pickling.
    cache.set(key, listing, CACHE_SECONDS)
    return listing, rows


class Fragment(NamedTuple):
    """One thread's markup (an <li> of the page's list) and its approved comments' structured
    data: (id, parent_id, name, url, date, text) of each."""

    html: str
    data: list


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


def thread_fragments(
    article, rules, is_open, threads, *, own, keep, editable, limits=None, root=None,
    base_level=None,
):  # fmt: skip
    """([Fragment], rows) of ``threads`` ((tree_id, thread_version) pairs), in their order.

    Each thread's markup is cached under its own ``thread_version`` (#17): a new reply renders
    its thread again, not the page. A reader with comments of their own gets them rendered
    now, not cached. ``limits``: {tree_id: replies shown} on a page of threads (from
    ``replies_shown``); the others are behind "N more replies". None: whole threads.
    ``root``: the comment of a thread page or of an opened "N more replies", shown with all
    its replies. ``base_level``: the level the depth cut counts from (None: the first
    comment's).
    """
    keys = {}
    if not own and root is None:
        common = [
            markup.MARKUP_VERSION, article.votes_version, article.updated_at.timestamp(),
            rules.downvotes, rules.max_depth, is_open, keep, limits is None,
        ]  # fmt: skip
        for tree_id, version in threads:
            limit = limits and limits[tree_id]
            digest = hashlib.md5(repr([*common, version, limit]).encode(), usedforsecurity=False)
            keys[tree_id] = f"thread:{tree_id}:{digest.hexdigest()}"
    found = cache.get_many(list(keys.values())) if keys else {}
    wanted = [tree_id for tree_id, _ in threads if keys.get(tree_id) not in found]
    if root is not None:
        rows = Comment.objects.subtree(root, own=own).as_list_items()
    else:
        rows = in_page_order(article, wanted, own)
    by_thread = {}
    for row in rows:
        by_thread.setdefault(row.tree_id, []).append(row)
    template = engines["jinja2"].get_template("comments/_thread.html")
    context = {
        "keep": keep, "downvotes": rules.downvotes, "address": page_address(article, root),
        "comments_url": reverse("comments:permalink", args=[0]).removesuffix("0/"),
    }  # fmt: skip
    reply_level = rules.deepest_replyable_level if is_open else -1
    fresh = {}
    for tree_id, thread_rows in by_thread.items():
        items = list_items(
            thread_rows, base_level=base_level if base_level is not None else thread_rows[0].level,
            own=set(own), reply_level=reply_level, editable=editable,
            limit=limits and limits[tree_id],
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
    return fragments, rows


def whole_thread(request, comment):
    """The markup of ``comment`` (its <li>) with every reply below it, as the page of threads
    shows them: what "N more replies" puts in place of the shorter one (#24). None when the
    reader may not see it. A top-level comment's is cached under its thread's version."""
    article = comment.article
    rules = DiscussionSettings.load()
    written = writers_comments(request, article)
    if comment.level:  # the page's depth cut counts from the top-level comment
        extra = {"root": comment, "base_level": 0 if comment.level < DISPLAY_LEVELS else None}
    else:
        extra = {}
    fragments, _ = thread_fragments(
        article, rules, comments_open(article, rules), [(comment.tree_id, comment.thread_version)],
        own=sorted(written), keep="", editable=editable_of(written, rules), **extra,
    )  # fmt: skip
    return fragments[0].html if fragments else None


def structured_rows(items):
    """The approved comments of a thread's Items, as ``structured_data`` takes them."""
    return [
        (c.id, c.parent_id, c.author_name, c.author_url, c.created_at.isoformat(),
         plain_text(c.body_html))
        for c in (item.comment for item in items if item.readable)
        if c.status == Comment.Status.APPROVED
    ][:STRUCTURED_COMMENTS]  # fmt: skip


STRUCTURED_COMMENTS = 20
STRUCTURED_TEXT = 300
TAG = re.compile(r"<[^>]*>")  # stored HTML is sanitised: a tag is never split by a ">" in text


def plain_text(body_html):
    """A comment's stored HTML as text, for the Featured box and the JSON-LD."""
    return html.unescape(TAG.sub("", body_html)).strip()


def featured_box(article):
    """The Featured box's comments: name, a short text and the link to each one's place."""
    rows = Comment.objects.featured_on(article).values_list("id", "author_name", "body_html")
    return [
        {"id": pk, "name": name, "text": Truncator(plain_text(body)).chars(160)}
        for pk, name, body in rows
    ]


JSON_IN_HTML = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def structured_data(article, rows, keep):
    """The page as schema.org JSON-LD (#15): the article as a DiscussionForumPosting, and the
    approved comments shown on this page (``rows``, from ``structured_rows``) as its Comments,
    replies naming their parentItem. Held, spam and removed comments never appear, not even to
    their writer. Safe in a <script>: <, > and & are escaped inside the JSON strings.

    The first STRUCTURED_COMMENTS of them, each text up to STRUCTURED_TEXT characters: the
    data repeats the page's text, and must not double its weight or its rendering time.
    """
    page_url = article.canonical_url() + (f"?{keep}" if keep else "")
    shown = rows[:STRUCTURED_COMMENTS]
    included = {row[0] for row in shown}
    comments = []
    for pk, parent_id, name, url, date, text in shown:
        comment = {
            "@type": "Comment", "@id": f"{page_url}#comment-{pk}",
            "url": f"{page_url}#comment-{pk}",
            "author": {"@type": "Person", "name": name, **({"url": url} if url else {})},
            "datePublished": date,
            "text": text if len(text) <= STRUCTURED_TEXT else text[:STRUCTURED_TEXT - 1] + "…",
        }  # fmt: skip
        if parent_id in included:
            comment["parentItem"] = {"@id": f"{page_url}#comment-{parent_id}"}
        comments.append(comment)
    author = article.author
    data = {
        "@context": "https://schema.org", "@type": "DiscussionForumPosting",
        "@id": article.canonical_url(), "url": article.canonical_url(),
        "headline": article.title, "text": article.summary,
        "datePublished": (article.published_at or article.created_at).isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "author": {"@type": "Person", "name": author.get_full_name() or author.get_username()},
        "isPartOf": {"@type": "WebSite", "name": settings.SITE_NAME, "url": settings.SITE_URL},
        "commentCount": article.comment_count,
        "comment": comments,
    }  # fmt: skip
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.translate(JSON_IN_HTML))


def cache_key(article, rules, is_open, root, sort, page, own):
    """Everything the rendered list depends on; a reader's own pending comments included."""
    parts = [
        markup.MARKUP_VERSION, article.comments_version, article.updated_at.timestamp(),
        article.votes_version, rules.downvotes, rules.default_sort,
        rules.threads_per_page, rules.max_depth, is_open, root.pk if root else "", sort,
        page.number if page is not None else "", sorted(own),
        # A writer's "Edit" goes when the edit window closes: their entries last a minute.
        (rules.edit_minutes, int(time.time() // 60)) if own else "",
    ]  # fmt: skip
    digest = hashlib.md5(repr(parts).encode(), usedforsecurity=False).hexdigest()
    return f"discussion:{article.pk}:{digest}"


def in_page_order(article, tree_ids, own):
    """Every visible comment of these threads, thread by thread in the order of ``tree_ids``."""
    if not tree_ids:
        return []
    position = {tree_id: n for n, tree_id in enumerate(tree_ids)}
    rows = Comment.objects.for_article(article, own=own).filter(tree_id__in=position)
    return sorted(rows.as_list_items(), key=lambda c: (position[c.tree_id], c.lft))


def list_items(rows, *, base_level, own, reply_level, editable=frozenset(), limit=None):
    """The rows a page shows, in thread order, as Items: one pass, as mptt's ``tree_info``.

    Two things leave replies out, each behind "N more replies" under the comment they continue
    (a Fold), whose thread page shows them: replies nested more than DISPLAY_LEVELS below
    ``base_level``, and past the first ``limit`` replies (None: no limit) the rest of the
    thread, which the script may also open in place. ``reply_level``: the deepest level that
    offers "Reply" (-1: none). ``own``: the comments the reader wrote, which offer "Delete",
    and of those ``editable`` offer "Edit".
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
    fresh = fresh_headers([row.id for row in shown if row.markup_version != markup.MARKUP_VERSION])
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
    return {comment.id: markup.header_of(comment) for comment in comments}


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


def own_comment_ids(request):
    """Ids of the comments this browser wrote (the last 50, from its session)."""
    return request.session.get(OWN_COMMENTS, []) if hasattr(request, "session") else []


def writers_comments(request, article):
    """{id: comment} of the reader's comments on ``article``: those this browser wrote and, for
    a member, all of theirs. Pending ones are shown to them alone; they may edit and delete
    them (#12). One query, none for a reader who never wrote here."""
    written, user = own_comment_ids(request), getattr(request, "user", None)
    member = user is not None and user.is_authenticated
    if not (written or member):
        return {}
    mine = Q(pk__in=written) | Q(user=user) if member else Q(pk__in=written)
    fields = ["status", "lft", "rght", "created_at"]
    return {c.pk: c for c in Comment.objects.filter(mine, article=article).only(*fields)}


def editable_of(written, rules):
    """Ids of the reader's comments (``writers_comments``) they may still edit (#12)."""
    return {pk for pk, comment in written.items() if comment.may_be_edited(rules)}


def own_ids(request, article):
    """Sorted ids of the reader's comments on ``article``: what every view of it passes as
    ``own`` (shown to them while held, open to their replies)."""
    return sorted(writers_comments(request, article))


def is_writer(request, comment):
    """Whether this reader wrote ``comment``: its member, or the browser that posted it."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and comment.user_id == user.pk:
        return True
    return comment.pk in own_comment_ids(request)


def remember_own_comment(request, comment):
    """This browser wrote ``comment`` (the last 50 are kept in its session)."""
    request.session[OWN_COMMENTS] = [*own_comment_ids(request), comment.pk][-50:]


def remembered_author(request):
    """The name, email and website this browser asked us to remember, or {}."""
    raw = request.get_signed_cookie(AUTHOR_COOKIE, default=None, salt=AUTHOR_COOKIE)
    try:
        return dict(json.loads(raw)) if raw else {}
    except (ValueError, TypeError):
        return {}


def remember_author(response, author):
    """Keep ``author`` (name, email, website) in this browser; None forgets it."""
    if author is None:
        response.delete_cookie(AUTHOR_COOKIE)
        return
    response.set_signed_cookie(
        AUTHOR_COOKIE, json.dumps(author), salt=AUTHOR_COOKIE,
        max_age=AUTHOR_COOKIE_AGE, httponly=True, samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )  # fmt: skip
