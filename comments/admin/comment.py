"""Every comment in the admin: the list, with its filters and actions, and one comment's page."""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from comments import freshness, services
from comments.admin.actions import MENU_ACTIONS
from comments.admin.authors import AuthorViews
from comments.admin.filters import (
    ArticleFilter,
    FirstCommentFilter,
    HasReportsFilter,
    LargeTablePaginator,
    QueueFilter,
)
from comments.admin.queue import QueueViews
from comments.admin.rules import REPORT_FIELDS
from comments.models import Comment, ModerationLog, Report, Vote
from core import text
from core.text import EmailAddressField, NameField, WebAddressField


class ReadOnlyInline(admin.TabularInline):
    """Shown to whoever may see the comment; written only by the services."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("comments.view_comment")


class ReportInline(ReadOnlyInline):
    model = Report
    fields = readonly_fields = REPORT_FIELDS


class VoteInline(ReadOnlyInline):
    """Who voted (#16): staff see it here; readers see only the score."""

    model = Vote
    fields = readonly_fields = ["created_at", "value", "user", "voter", "ip_address"]


class ModerationLogInline(ReadOnlyInline):
    model = ModerationLog
    verbose_name_plural = _("moderation log")
    fields = readonly_fields = ["created_at", "moderator", "from_status", "to_status", "reason"]


class CommentAdminForm(forms.ModelForm):
    """A moderator's edit follows the readers' one-line rule too (#18)."""

    class Meta:
        model = Comment
        fields = ["author_name", "author_email", "author_url"]  # the admin adds the others
        field_classes = {"author_name": NameField, "author_email": EmailAddressField,
                         "author_url": WebAddressField}  # fmt: skip


@admin.register(Comment)
class CommentAdmin(QueueViews, AuthorViews, admin.ModelAdmin):
    list_display = ["short_body", "author", "article", "status", "status_reason", "filter_score",
                    "report_count", "created_at"]  # fmt: skip
    list_filter = [QueueFilter, "status", HasReportsFilter, FirstCommentFilter, "featured",
                   "kind", "created_at", ArticleFilter]  # fmt: skip
    search_fields = ["body", "author_name", "author_email", "ip_address"]
    list_select_related = ["article"]
    # No date_hierarchy: its list of years reads every row (#17); "created_at" above filters.
    ordering = ["-created_at"]
    list_per_page = 50
    paginator = LargeTablePaginator
    # No second COUNT(*) of the whole table for "N total" beside a filtered list (#17).
    show_full_result_count = False
    actions = MENU_ACTIONS
    fields = [
        "links", "article", "author_name", "author_email", "author_url", "body", "status",
        "status_reason", "spam_reasons", "form_seconds", "report_count", "ip_address",
        "user_agent", "user", "created_at", "earlier_texts", "kind", "imported_from", "featured",
        "hidden_characters",
    ]  # fmt: skip
    readonly_fields = [
        "hidden_characters", "links", "article", "status_reason", "spam_reasons", "form_seconds",
        "report_count", "ip_address", "user_agent", "user", "created_at", "earlier_texts", "kind",
        "imported_from",
    ]  # fmt: skip
    inlines = [ReportInline, VoteInline, ModerationLogInline]
    form = CommentAdminForm

    @admin.display(description=_("imported from"))
    def imported_from(self, comment):
        return f"{comment.source}, id {comment.source_id}" if comment.source else "-"

    @admin.display(description=_("spam score"), ordering="spam_score")
    def filter_score(self, comment):
        """The spam filter's score and biggest reasons when it was posted (#26)."""
        if comment.spam_score is None:
            return "-"
        return format_html("{}<br><small>{}</small>", f"{comment.spam_score:.2f}",
                           comment.spam_reasons)  # fmt: skip

    @admin.display(description=_("comment"))
    def short_body(self, comment):
        return Truncator(comment.body).chars(200) or _("(deleted)")

    @admin.display(description=_("author"), ordering="author_email")
    def author(self, comment):
        return format_html(
            "{}<br><small>{}<br>{}</small>",
            text.shown(comment.author_name),  # an invisible character written out (#18)
            text.shown(comment.author_email),
            comment.ip_address or "",
        )

    @admin.display(description=_("hidden characters"))
    def hidden_characters(self, comment):
        """The one-line fields that hold a character the forms refuse (stored before #18),
        written out: U+202E would otherwise reverse what the moderator reads."""
        found = [
            (label, text.shown(value))
            for label, value in ((_("Name"), comment.author_name),
                                 (_("Email"), comment.author_email),
                                 (_("Website"), comment.author_url))
            if text.invisible(value)
        ]  # fmt: skip
        if not found:
            return _("None.")
        return format_html_join("", "<p><strong>{}</strong>: {}</p>", found)

    @admin.display(description=_("earlier texts"))
    def earlier_texts(self, comment):
        """Every text the writer replaced by editing (#12), newest first, with when it was
        written."""
        revisions = comment.revisions.all()
        if not revisions:
            return _("Never edited.")
        return format_html_join(
            "", "<p><strong>{}</strong><br>{}</p>",
            ((f"{r.written_at:%Y-%m-%d %H:%M}", r.body) for r in revisions),
        )  # fmt: skip

    @admin.display(description=_("see also"))
    def links(self, comment):
        history = reverse("admin:comments_comment_history_by_author", args=[comment.pk])
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            comment.get_absolute_url(), _("View in thread"), history, _("Author's history"),
        )  # fmt: skip

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # it would skip the tree upkeep: see delete_comments
        return actions

    def has_add_permission(self, request):
        return False  # comments are written on the site, where the posting rules apply

    def save_model(self, request, obj, form, change):
        """Edits save as usual; a status change goes through the service, which logs it."""
        new_status = obj.status
        obj.status = form.initial.get("status", new_status)
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            changed = services.set_status(
                Comment.objects.filter(pk=obj.pk), new_status, by=request.user, reason="edited"
            )
            if not changed:  # set_status refreshes; an edited text must reach cached pages too
                freshness.threads_changed([obj.tree_id])
            if "featured" in form.changed_data:
                Comment.objects.filter(pk=obj.pk).update(
                    featured_at=timezone.now() if obj.featured else None
                )
                services.refresh_featured([obj.article_id])

    def delete_model(self, request, obj):
        services.delete_comment(obj, by=request.user)

    def get_urls(self):
        queue = self.admin_site.admin_view(self.queue_view)
        return [
            path("queue/", queue, name="comments_comment_queue"),
            *self.author_urls(),
            *super().get_urls(),
        ]
