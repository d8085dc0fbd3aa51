"""sitemap.xml (issue #15): published articles, and the archive pages that show some (#28):
articles each last modified when it was edited or got its
latest approved comment, so that search engines come back for new comments."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.db.models.functions import Greatest, TruncMonth
from django.urls import reverse
from django.utils import timezone

from articles.models import Article


class ArticleSitemap(Sitemap):
    limit = 5000

    def items(self):
        latest_comment = Max("comments__created_at", filter=Q(comments__status="approved"))
        return (
            Article.objects.published()
            .annotate(last_comment=latest_comment)
            .annotate(lastmod=Greatest("updated_at", "published_at", "last_comment"))
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, article):
        return article.lastmod


class ArchiveSitemap(Sitemap):
    """Archive pages (#28) that show at least one published article, each last modified when
    the newest of them was published or edited. Items are (address, lastmod) pairs."""

    limit = 5000

    def location(self, item):
        return item[0]

    def lastmod(self, item):
        return item[1]


LATEST = Max(Greatest("article__updated_at", "article__published_at"))


class CategorySitemap(ArchiveSitemap):
    def items(self):
        rows = (
            Article.categories.through.objects.filter(article__in=Article.objects.published())
            .values("category__path").annotate(last=LATEST).order_by("category__path")
        )  # fmt: skip
        return [(reverse("articles:category", args=[r["category__path"]]), r["last"]) for r in rows]


class TagSitemap(ArchiveSitemap):
    def items(self):
        rows = (
            Article.tags.through.objects.filter(article__in=Article.objects.published())
            .values("tag__slug").annotate(last=LATEST).order_by("tag__slug")
        )  # fmt: skip
        return [(reverse("articles:tag", args=[r["tag__slug"]]), r["last"]) for r in rows]


class AuthorSitemap(ArchiveSitemap):
    def items(self):
        rows = (
            Article.objects.published().filter(author__is_active=True)
            .values("author__username").annotate(last=Max(Greatest("updated_at", "published_at")))
            .order_by("author__username")
        )  # fmt: skip
        return [(reverse("articles:author", args=[r["author__username"]]), r["last"]) for r in rows]


class DateSitemap(ArchiveSitemap):
    def items(self):
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
