"""Archive pages (issue #28): the articles of a category (and of the categories below it), of a
tag, of a year or a month, and of an author, each paginated, with Atom and RSS feeds
(``articles.feeds``) and schema.org JSON-LD.

``find_*`` turns the address into an ``Archive`` (or a 404), the one place the page and its feeds
learn what they show. A page makes a fixed number of queries, whatever its length: the archive's
own row (and a category's ancestors, for its breadcrumbs), the count and the page of articles,
whose authors, categories and tags come in the same query (``ArticleQuerySet.with_terms``).
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from articles.models import Article
from core import jsonld
from core.text import display_name
from taxonomy.models import Category, Tag

ARTICLES_PER_PAGE = 20


@dataclass
class Archive:
    kind: str  # category, tag, author, year, month
    title: str
    url: str
    articles: QuerySet
    feed: str  # the Atom feed's address; RSS is at <feed>rss/
    description: str = ""  # plain text
    crumbs: list = field(default_factory=list)  # (name, url) from the top down, this one last
    member: object = None  # an author's account, their profile and its address
    profile: object = None
    profile_url: str = ""
    canonical: str = ""  # where this archive lives, when asked for at another address


def readable(value):
    """``value`` from an address, or a 404: PostgreSQL text cannot hold a NUL (``%00``)."""
    if "\x00" in value:
        raise Http404(_("No such page."))
    return value


def find_category(path):
    readable(path)
    category = get_object_or_404(Category, slug=path.strip("/").rsplit("/", 1)[-1])
    crumbs = [(c.name, c.get_absolute_url()) for c in Category.objects.ancestors_of(category)]
    url = category.get_absolute_url()
    return Archive(
        "category", category.name, url, Article.objects.in_category(category),
        reverse("articles:category_feed", args=[category.path]), category.description,
        [*crumbs, (category.name, url)], canonical=url if path.strip("/") != category.path else "",
    )  # fmt: skip


def find_tag(slug):
    tag = get_object_or_404(Tag, slug=readable(slug))
    return Archive("tag", tag.name, tag.get_absolute_url(), Article.objects.tagged(tag),
                   reverse("articles:tag_feed", args=[tag.slug]), tag.description)  # fmt: skip


def find_author(username):
    member = get_object_or_404(get_user_model(), username=readable(username), is_active=True)
    articles = Article.objects.by(member)
    return Archive(
        "author", display_name(member), reverse("articles:author", args=[username]), articles,
        reverse("articles:author_feed", args=[username]), member=member,
        profile_url=reverse("accounts:profile", args=[username]),
    )  # fmt: skip


def find_date(year, month=None):
    try:
        first = datetime.date(year, 1 if month is None else month, 1)
    except ValueError:
        raise Http404(_("No such date.")) from None
    if month is not None:
        title = formats.date_format(first, "YEAR_MONTH_FORMAT")
        url = reverse("articles:month", args=[year, month])
        feed = reverse("articles:month_feed", args=[year, month])
    else:
        title, url = str(year), reverse("articles:year", args=[year])
        feed = reverse("articles:year_feed", args=[year])
    return Archive("year" if month is None else "month", title, url,
                   Article.objects.of_month(year, month), feed)  # fmt: skip


def show(request, archive):
    if archive.canonical:
        return redirect(archive.canonical, permanent=True)
    page = Paginator(archive.articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    if archive.kind in ("year", "month", "author") and not page.paginator.count:
        raise Http404(_("Nothing was published here."))
    if archive.member is not None:
        try:  # the accounts app's, read through the user: articles sit below accounts
            archive.profile = archive.member.profile
        except ObjectDoesNotExist:
            archive.profile = None
    context = {"archive": archive, "page": page, "structured_data": structured(archive, page),
               "site_url": settings.SITE_URL}  # fmt: skip
    return render(request, "articles/archive.html", context)


def structured(archive, page):
    """The page as a schema.org CollectionPage of its articles, with the breadcrumbs of a
    nested category."""
    site = settings.SITE_URL
    data = {
        "@context": "https://schema.org",
        "@type": "ProfilePage" if archive.kind == "author" else "CollectionPage",
        "name": archive.title, "url": site + archive.url,
        "isPartOf": {"@type": "WebSite", "name": settings.SITE_NAME, "url": site},
        "hasPart": [
            {"@type": "BlogPosting", "headline": a.title, "url": a.canonical_url(),
             "datePublished": a.published_at.isoformat(),
             "author": {"@type": "Person", "name": display_name(a.author)},
             "articleSection": [c["name"] for c in a.category_terms],
             "keywords": [t["name"] for t in a.tag_terms]}
            for a in page
        ],
    }  # fmt: skip
    if archive.kind == "category":
        data["breadcrumb"] = jsonld.breadcrumbs([(n, site + u) for n, u in archive.crumbs])
    if archive.member is not None:
        data["mainEntity"] = {"@type": "Person", "name": archive.title,
                              "url": site + archive.profile_url}  # fmt: skip
    return jsonld.script_text(data)


def category(request, path):
    return show(request, find_category(path))


def tag(request, slug):
    return show(request, find_tag(slug))


def author(request, username):
    return show(request, find_author(username))


def year(request, year):
    return show(request, find_date(year))


def month(request, year, month):
    return show(request, find_date(year, month))
