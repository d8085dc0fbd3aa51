"""sitemap.xml (issue #15): published articles, and the archive pages that show some (#28):
articles each last modified when it was edited or last showed a new approved comment (when
it arrived, or when a moderator approved it), so that search engines come back for them.

/sitemap.xml is an index (#29) of one file per section, /sitemap-<section>.xml, each split into
pages (``?p=2``) of at most ``limit`` addresses (2,500 articles, 5,000 archive pages), far
below the 50,000 a sitemap file may hold: with 50,000 articles and a million comments each page
is still quick to make."""

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Greatest, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from articles.models import Article


def latest_comments():
    """The approved comments of the article ``OuterRef("pk")``, as a subquery."""
    comments = Article._meta.get_field("comments").related_model.objects
    return comments.filter(article=OuterRef("pk"), status="approved").order_by()


class DatedPages(Paginator):
    """Pages of articles dated once each page is cut: dated before, every article ahead of the
    page's OFFSET would be dated too, and the last file of 50,000 articles took seconds (#29)."""

    def _get_page(self, object_list, number, paginator):
        return super()._get_page(dated(object_list), number, paginator)


def dated(articles):
    """``articles`` (a cut queryset) with ``lastmod``: when each was last edited or last showed
    a new approved comment, one step down the (article, shown_at) index per article."""
    shown = latest_comments().filter(shown_at__isnull=False).order_by("-shown_at")
    return (
        Article.objects.filter(pk__in=articles.values("pk"))
        .only("slug", "published_at")  # its address (published: it has a date), not its text
        .alias(last_comment=Subquery(shown.values("shown_at")[:1]))
        .annotate(lastmod=Greatest("updated_at", "published_at", "last_comment"))
        .order_by(*articles.query.order_by)
    )


class ArticleSitemap(Sitemap):
    limit = 2500  # a file of them in well under half a second with a million comments (#29)

    def items(self):
        return Article.objects.published().order_by("-published_at", "-pk")

    @property
    def paginator(self):
        return DatedPages(self.items(), self.limit)

    def lastmod(self, article):
        return article.lastmod

    def get_latest_lastmod(self):
        """The index's date of this section: the newest edit or approved comment written, in
        two small queries rather than the lastmod of every article (a comment approved long
        after it was written moves its file's date, not the index's)."""
        articles = Article.objects.published()
        edited = articles.aggregate(last=Max(Greatest("updated_at", "published_at")))["last"]
        comments = latest_comments().model.objects.filter(status="approved", article__in=articles)
        commented = comments.order_by("-created_at").values_list("created_at", flat=True).first()
        return max(filter(None, [edited, commented]), default=None)


class ArchiveSitemap(Sitemap):
    """Archive pages (#28) that show at least one published article, each last modified when
    the newest of them was published or edited. Items are (address, lastmod) pairs."""

    limit = 5000

    @cached_property
    def listed(self):
        return self.pairs()

    def items(self):
        """Found once per request: the index asks for their number and their newest date."""
        return self.listed

    def location(self, item):
        return item[0]

    def lastmod(self, item):
        return item[1]


LATEST = Max(Greatest("article__updated_at", "article__published_at"))


class CategorySitemap(ArchiveSitemap):
    def pairs(self):
        rows = (
            Article.categories.through.objects.filter(article__in=Article.objects.published())
            .values("category__path").annotate(last=LATEST).order_by("category__path")
        )  # fmt: skip
        return [(reverse("articles:category", args=[r["category__path"]]), r["last"]) for r in rows]


class TagSitemap(ArchiveSitemap):
    def pairs(self):
        rows = (
            Article.tags.through.objects.filter(article__in=Article.objects.published())
            .values("tag__slug").annotate(last=LATEST).order_by("tag__slug")
        )  # fmt: skip
        return [(reverse("articles:tag", args=[r["tag__slug"]]), r["last"]) for r in rows]


class AuthorSitemap(ArchiveSitemap):
    def pairs(self):
        rows = (
            Article.objects.published().filter(author__is_active=True)
            .values("author__username").annotate(last=Max(Greatest("updated_at", "published_at")))
            .order_by("author__username")
        )  # fmt: skip
        return [(reverse("articles:author", args=[r["author__username"]]), r["last"]) for r in rows]


class DateSitemap(ArchiveSitemap):
    def pairs(self):
        rows = (
            Article.objects.published().annotate(month=TruncMonth("published_at"))
            .values("month").annotate(last=Max(Greatest("updated_at", "published_at")))
            .order_by("-month")
        )  # fmt: skip
        months = [(timezone.localtime(r["month"]), r["last"]) for r in rows]
        years = {}
        for month, last in months:
            years[month.year] = max(years.get(month.year, last), last)
        return [(reverse("articles:year", args=[y]), last) for y, last in years.items()] + [
            (reverse("articles:month", args=[m.year, m.month]), last) for m, last in months
        ]


SITEMAPS = {"articles": ArticleSitemap, "categories": CategorySitemap, "tags": TagSitemap,
            "authors": AuthorSitemap, "dates": DateSitemap}  # fmt: skip
