from django.contrib import admin

from redirects.models import Redirect


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    list_display = ["path", "content_type", "object_id", "source", "created_at"]
    list_filter = ["content_type", "source"]
    search_fields = ["path"]
    list_select_related = ["content_type"]
    readonly_fields = ["created_at"]
