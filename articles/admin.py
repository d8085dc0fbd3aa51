from django.contrib import admin

from articles.models import Article


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "author",
        "status",
        "published_at",
        "is_published",
        "comment_count",
        "comments_open",
    ]
    list_filter = ["status", "comments_open", "published_at"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    list_select_related = ["author"]
    fields = ["title", "slug", "body", "excerpt", "categories", "tags", "status", "published_at",
              "comments_open"]  # fmt: skip
    autocomplete_fields = ["categories", "tags"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)
