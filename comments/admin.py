from django.contrib import admin
from django.utils.html import format_html
from django.utils.text import Truncator

from comments.models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["short_body", "author_name", "article", "status", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["body", "author_name", "author_email"]
    list_select_related = ["article"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    fields = [
        "article",
        "author_name",
        "author_email",
        "author_url",
        "body",
        "status",
        "ip_address",
        "user_agent",
        "created_at",
    ]
    readonly_fields = ["article", "ip_address", "user_agent", "created_at"]

    @admin.display(description="comment")
    def short_body(self, comment):
        return format_html("{}", Truncator(comment.body).chars(80))

    def has_add_permission(self, request):
        return False  # comments are written on the site, where the posting rules apply
