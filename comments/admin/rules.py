"""The Discussion settings (one row), bans and reports in the admin."""

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from comments.models import Ban, DiscussionSettings, Report

REPORT_FIELDS = ["reason", "text", "reporter", "ip_address", "is_dismissed", "created_at"]


@admin.register(DiscussionSettings)
class DiscussionSettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        (_("Before a comment appears"), {"fields": [
            "hold_all", "hold_first_comment", "max_links", "moderation_words", "disallowed_words",
            "reports_to_hold",
        ]}),
        (_("Spam filter"), {"fields": [
            "spam_threshold", "hold_threshold", "spam_min_examples", "spam_retrain_after",
        ]}),
        (_("Against floods and bots"), {"fields": [
            "flood_seconds", "new_author_flood_seconds", "duplicate_window", "min_fill_seconds",
        ]}),
        (_("Admin sign-in"), {"fields": ["login_failure_limit", "login_lockout_minutes"]}),
        (_("Votes and order"), {"fields": ["downvotes", "votes_per_ip_per_hour", "default_sort"]}),
        (_("Threads"), {"fields": [
            "close_after_days", "max_depth", "threads_per_page", "comments_per_page",
            "edit_minutes",
        ]}),
        (_("Personal data"), {"fields": ["ip_retention_days"]}),
        (_("Mail"), {"fields": ["moderator_mail", "follow_batch_minutes"]}),
    ]  # fmt: skip

    def changelist_view(self, request, extra_context=None):
        settings_row = DiscussionSettings.load()
        return HttpResponseRedirect(
            reverse("admin:comments_discussionsettings_change", args=[settings_row.pk])
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    list_display = ["__str__", "reason", "ends_at", "is_in_force", "created_by", "created_at"]
    list_select_related = ["user", "created_by"]
    search_fields = ["email", "network", "user__username", "reason"]
    autocomplete_fields = ["user"]
    fields = ["user", "email", "network", "reason", "ends_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["comment", "reason", "text", "is_dismissed", "created_at"]
    list_filter = ["reason", "is_dismissed", "created_at"]
    list_select_related = ["comment"]
    readonly_fields = ["comment", *REPORT_FIELDS]

    def has_add_permission(self, request):
        return False
