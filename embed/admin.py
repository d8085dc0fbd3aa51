from django.contrib import admin
from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from embed.models import EmbeddedPage, Site


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    """Each site, its pages and its traffic (frames shown)."""

    list_display = ["name", "origin", "is_active", "page_count", "frames_shown", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "origin"]
    raw_id_fields = ["author"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(page_count=Count("pages"), frames_shown=Sum("pages__views"))
        )

    @admin.display(description=_("pages"), ordering="page_count")
    def page_count(self, site):
        return site.page_count

    @admin.display(description=_("frames shown"), ordering="frames_shown")
    def frames_shown(self, site):
        return site.frames_shown or 0


@admin.register(EmbeddedPage)
class EmbeddedPageAdmin(admin.ModelAdmin):
    """A page's article is edited or closed in the articles' admin; pointing a page at another
    article merges its discussion into that one's (the old article keeps its comments)."""

    list_display = ["url", "site", "article", "comment_count", "views", "created_at"]
    list_filter = ["site"]
    search_fields = ["url", "article__title"]
    list_select_related = ["site", "article"]
    raw_id_fields = ["article"]
    readonly_fields = ["views", "created_at"]
    date_hierarchy = "created_at"

    @admin.display(description=_("comments"), ordering="article__comment_count")
    def comment_count(self, page):
        return page.article.comment_count
