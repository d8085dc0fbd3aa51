"""Where an old address lands now (issue #28): the table of old addresses written by imports,
and WordPress's own shapes of archive addresses read as ours.

``landing(path, query)`` answers a path that has no page here, and the front page asked for by
WordPress's query parameters (``/?p=123``). A path is looked up as it is, then without the tail
WordPress adds to any archive: ``/feed/`` (and ``/feed/atom/``, ``/feed/rss2/``), ``/page/2/``.
"""

import re
from urllib.parse import unquote, urlencode, urlsplit

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from redirects.models import PATH_LENGTH, Redirect

# The query parameters by which WordPress names a page at its front page.
QUERY_KEYS = ("p", "page_id", "cat", "tag", "author", "m", "attachment_id")
FEED_TAIL = re.compile(r"^(?P<base>.*?/)feed(?:/(?P<kind>atom|rss|rss2|rdf))?/?$")
PAGE_TAIL = re.compile(r"^(?P<base>.*?/)page/(?P<number>[0-9]{1,6})/?$")
DAY = re.compile(r"^/(?P<year>[0-9]{4})/(?P<month>[0-9]{1,2})/(?P<day>[0-9]{1,2})/?$")
MONTH_QUERY = re.compile(r"^(?P<year>[0-9]{4})(?P<month>[0-9]{2})?(?P<day>[0-9]{2})?$")


def key_of(path, query=None):
    """The row's key of an old address: its path without a trailing slash, and the one
    WordPress query parameter that names a page (``/?p=123``), if any."""
    # As Django hands a request's path over: %-decoded, and "//" is one "/" (#28).
    path = re.sub("/+", "/", "/" + unquote(path.strip()))
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    for name in QUERY_KEYS:
        value = (query or {}).get(name, "").strip()
        if value:
            return f"{path}?{urlencode({name: value})}"[:PATH_LENGTH]
    return path[:PATH_LENGTH]


def key_of_url(url):
    """``key_of`` an absolute or relative address, such as an item's <link>."""
    parts = urlsplit(url.strip())
    query = dict(pair.split("=", 1) for pair in parts.query.split("&") if "=" in pair)
    return key_of(parts.path or "/", query)


def remember(rows, *, source):
    """Store ``rows``, (old key, target object) pairs; a key already stored keeps its target.
    Returns how many were new."""
    by_type = {}
    new = []
    for key, target in rows:
        model = type(target)
        if model not in by_type:
            by_type[model] = ContentType.objects.get_for_model(model)
        new.append(Redirect(path=key, content_type=by_type[model], object_id=target.pk,
                            source=source))  # fmt: skip
    with transaction.atomic():
        known = set(Redirect.objects.filter(path__in=[r.path for r in new])
                    .values_list("path", flat=True))  # fmt: skip
        fresh = list({r.path: r for r in new if r.path not in known}.values())
        Redirect.objects.bulk_create(fresh, batch_size=1000)
    return len(fresh)


# Our pages that show an object found by the address: an old address of that shape still
# reaches the table when nothing here has that slug (a 404).
LOOKUPS = frozenset({
    "articles:detail", "articles:category", "articles:tag", "articles:author", "articles:year",
    "articles:month", "articles:category_feed", "articles:category_feed_rss", "articles:tag_feed",
    "articles:tag_feed_rss", "articles:author_feed", "articles:author_feed_rss",
    "articles:year_feed", "articles:year_feed_rss", "articles:month_feed",
    "articles:month_feed_rss", "accounts:profile",
})  # fmt: skip


def ours(key):
    """Whether the old address ``key`` is a page of this site, which it will keep showing:
    ``/feed/``, ``/search/``, ``/admin/``... (the front page's ``?p=`` addresses are not)."""
    path, _, query = key.partition("?")
    if query:
        return path != "/"
    for candidate in (path, path + "/"):
        try:
            match = resolve(candidate)
        except Resolver404:
            continue
        return match.view_name not in LOOKUPS
    return False


def landing(path, query=None):
    """The address that now answers for the old ``path`` (and ``query``), or None."""
    query = query or {}
    if "\x00" in path or any("\x00" in value for value in query.values()):
        return None  # PostgreSQL text cannot hold a NUL: no old address has one
    found = find(path, query)
    return None if found == path and not query else found


def find(path, query):
    found = stored(key_of(path, query))
    if found is not None or any(query.get(name) for name in QUERY_KEYS):
        return found or by_query(query)
    if feed := FEED_TAIL.match(path):
        return feed_of(feed["base"], rss=feed["kind"] in ("rss", "rss2", "rdf"))
    if page := PAGE_TAIL.match(path):
        base = page["base"]
        target = base if base == "/" or shows_page(base) else find(base, {})
        return f"{target}?page={int(page['number'])}" if target else None
    if day := DAY.match(path):
        return month_url(int(day["year"]), int(day["month"]))
    return None


def stored(key):
    """The address of the object stored under ``key``, if it is there and shown."""
    row = Redirect.objects.filter(path=key).select_related("content_type").first()
    if row is None:
        return None
    target = row.target
    if target is None or not shown(target):
        return None
    if hasattr(target, "is_published"):
        # An old comment permalink's fragment comes along: old-comments.js maps it (#28).
        return address_of(target) + "?from-old"
    return address_of(target)


def shown(target):
    """Whether readers may see ``target``: never lead them to a draft or a closed account."""
    if hasattr(target, "is_published"):
        return target.is_published()
    return getattr(target, "is_active", True)


def address_of(target, *, feed=False, rss=False):
    if isinstance(target, get_user_model()):
        url = reverse("articles:author", args=[target.get_username()])
    else:
        url = target.get_absolute_url()
    if not feed:
        return url
    tail = "comments/feed/" if hasattr(target, "is_published") else "feed/"
    return url + tail + ("rss/" if rss else "")


def feed_of(base, *, rss):
    """The feed, here, of what the old ``base`` address showed."""
    if base == "/":
        return reverse("articles:feed_rss" if rss else "articles:feed")
    row = Redirect.objects.filter(path=key_of(base)).select_related("content_type").first()
    if row is not None and row.target is not None and shown(row.target):
        return address_of(row.target, feed=True, rss=rss)
    if shows_page(base):  # one of our archives: its feed has the same tail
        return f"{base}feed/" + ("rss/" if rss else "")
    return None


def shows_page(path):
    """Whether ``path`` is one of our archive pages (its feed is ``<path>feed/``)."""
    return path.startswith(("/category/", "/tag/", "/author/")) or bool(
        re.fullmatch(r"/[0-9]{4}/(?:[0-9]{1,2}/)?", path)
    )


def month_url(year, month):
    try:
        return reverse("articles:month", args=[year, month])
    except NoReverseMatch:
        return None


def by_query(query):
    """WordPress's query addresses that name a page by its slug or date: ?tag=, ?m=."""
    if tag := query.get("tag", "").strip():
        return reverse("articles:tag", args=[tag]) if "/" not in tag else None
    if m := MONTH_QUERY.match(query.get("m", "").strip()):
        year = int(m["year"])
        if m["month"]:
            return month_url(year, int(m["month"])) if 1 <= int(m["month"]) <= 12 else None
        return reverse("articles:year", args=[year])
    return None
