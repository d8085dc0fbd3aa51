"""The comment list's filters, and a paginator that does not count a large table."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from comments.models import Comment
from comments.models.comment import same_author

# Below this many rows (or never analysed) the table is counted exactly.
ESTIMATE_FROM = 10_000


class QueueFilter(admin.SimpleListFilter):
    """Moderators land on what needs them: pending comments and reported ones."""

    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("review", _("Needs review")), ("all", _("All comments"))]

    def value(self):
        return super().value() or "review"

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        if self.value() == "review":
            return queryset.needing_review()
        return queryset


class HasReportsFilter(admin.SimpleListFilter):
    title = _("reports")
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return [("yes", _("Has reports")), ("no", _("No reports"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(report_count__gt=0)
        if self.value() == "no":
            return queryset.filter(report_count=0)
        return queryset


class FirstCommentFilter(admin.SimpleListFilter):
    title = _("author's comments")
    parameter_name = "first"

    def lookups(self, request, model_admin):
        return [("yes", _("First comment by this author"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            earlier = Comment.objects.filter(
                same_author(OuterRef("user_id"), OuterRef("author_email")),
                created_at__lt=OuterRef("created_at"),
            )
            return queryset.filter(~Exists(earlier))
        return queryset


class ArticleFilter(admin.SimpleListFilter):
    """By article, offering the articles commented on last (and the one chosen), not all of
    them: a newspaper's 50,000 articles would make the list's sidebar and its query (#29)."""

    title = Comment._meta.get_field("article").verbose_name  # as Django's own filter had it
    parameter_name = "article__id__exact"  # Django's own name for it: old links keep working
    OFFERED = 10

    def lookups(self, request, model_admin):
        from articles.models import Article

        recent = Comment.objects.order_by("-created_at").values_list("article_id", flat=True)
        ids = list(dict.fromkeys(recent[: self.OFFERED * 20]))[: self.OFFERED]
        chosen = self.value()
        if chosen and chosen.isdecimal() and int(chosen) not in ids:
            ids.append(int(chosen))
        titles = dict(Article.objects.filter(pk__in=ids).values_list("pk", "title"))
        return [(str(pk), titles[pk]) for pk in ids if pk in titles]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(article_id=int(value)) if value.isdecimal() else queryset.none()


class LargeTablePaginator(Paginator):
    """The admin's pages of comments. Unfiltered, the count is PostgreSQL's own estimate of
    the table's rows (kept by ANALYZE) rather than a COUNT(*) that reads them all (#17);
    filtered lists are counted exactly, through their indexes."""

    @cached_property
    def count(self):
        query = self.object_list.query
        if not query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [query.model._meta.db_table],
                )
                estimate = cursor.fetchone()[0]
            if estimate >= ESTIMATE_FROM:
                return estimate
        return super().count
