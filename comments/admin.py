"""Moderation lives here (issue #4): queue, bulk actions, author history, rules, bans, reports."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from comments import freshness, services
from comments.models import Ban, Comment, DiscussionSettings, ModerationLog, Report, Vote
from core import text
from core.text import EmailAddressField, NameField, WebAddressField

Status = Comment.Status


class QueueFilter(admin.SimpleListFilter):
    """Moderators land on what needs them: pending comments and reported ones."""

    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("review", "Needs review"), ("all", "All comments")]

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
    title = "reports"
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return [("yes", "Has reports"), ("no", "No reports")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(report_count__gt=0)
        if self.value() == "no":
            return queryset.filter(report_count=0)
        return queryset


class FirstCommentFilter(admin.SimpleListFilter):
    title = "author's comments"
    parameter_name = "first"

    def lookups(self, request, model_admin):
        return [("yes", "First comment by this author")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            earlier = Comment.objects.filter(
                author_email=OuterRef("author_email"), created_at__lt=OuterRef("created_at")
            )
            return queryset.filter(~Exists(earlier))
        return queryset


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


REPORT_FIELDS = ["reason", "text", "reporter", "ip_address", "is_dismissed", "created_at"]


class ReportInline(ReadOnlyInline):
    model = Report
    fields = readonly_fields = REPORT_FIELDS


class VoteInline(ReadOnlyInline):
    """Who voted (#16): staff see it here; readers see only the score."""

    model = Vote
    fields = readonly_fields = ["created_at", "value", "user", "voter", "ip_address"]


class ModerationLogInline(ReadOnlyInline):
    model = ModerationLog
    verbose_name_plural = "moderation log"
    fields = readonly_fields = ["created_at", "moderator", "from_status", "to_status", "reason"]


def _moderate(status, done):
    """A bulk action that moves the selected comments to ``status`` with one UPDATE."""

    @admin.action(permissions=["change"], description=f"{done.capitalize()} selected comments")
    def action(modeladmin, request, queryset):
        n = services.set_status(queryset, status, by=request.user, reason=done)
        modeladmin.message_user(request, f"{n} comment{'s' * (n != 1)} {done}.", messages.SUCCESS)

    action.__name__ = done.replace(" ", "_")
    return action


@admin.action(permissions=["change"], description="Not spam: approve and teach the filter")
def not_spam(modeladmin, request, queryset):
    n, caught = services.rescue(queryset, by=request.user)
    modeladmin.message_user(request, f"{n} comment{'s' * (n != 1)} approved as not spam.")
    for email, times in sorted(caught.items()):  # a writer the filter keeps catching (#26)
        modeladmin.message_user(
            request,
            f"The filter caught {email} before ({times} other comment{'s' * (times != 1)} "
            "stored as spam): have a look at them in the author's history.",
            messages.WARNING,
        )


@admin.action(permissions=["change"], description="Dismiss reports on selected comments")
def dismiss_reports(modeladmin, request, queryset):
    n = services.dismiss_reports(queryset.filter(report_count__gt=0), by=request.user)
    modeladmin.message_user(request, f"Reports dismissed on {n} comment{'s' * (n != 1)}.")


@admin.action(
    permissions=["change"], description="Delete selected comments (replies keep their place)"
)
def delete_comments(modeladmin, request, queryset):
    results = [services.delete_comment(c, by=request.user) for c in queryset]
    deleted, kept = results.count("deleted"), results.count("placeholder")
    modeladmin.message_user(
        request, f"{deleted} comment{'s' * (deleted != 1)} deleted, {kept} kept as placeholders."
    )


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
            if estimate >= ESTIMATE_FROM:  # below that, or never analysed (-1): count
                return estimate
        return super().count


ESTIMATE_FROM = 10_000


class CommentAdminForm(forms.ModelForm):
    """A moderator's edit follows the readers' one-line rule too (#18)."""

    class Meta:
        model = Comment
        fields = ["author_name", "author_email", "author_url"]  # the admin adds the others
        field_classes = {"author_name": NameField, "author_email": EmailAddressField,
                         "author_url": WebAddressField}  # fmt: skip


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = [
        "short_body",
        "author",
        "article",
        "status",
        "status_reason",
        "filter_score",
        "report_count",
        "created_at",
    ]
    list_filter = [
        QueueFilter,
        "status",
        HasReportsFilter,
        FirstCommentFilter,
        "featured",
        "kind",
        "created_at",
        "article",
    ]
    search_fields = ["body", "author_name", "author_email", "ip_address"]
    list_select_related = ["article"]
    # No date_hierarchy: its list of years reads every row (#17); "created_at" above filters.
    ordering = ["-created_at"]
    list_per_page = 50
    paginator = LargeTablePaginator
    # No second COUNT(*) of the whole table for "N total" beside a filtered list (#17).
    show_full_result_count = False
    actions = [
        _moderate(Status.APPROVED, "approved"),
        _moderate(Status.SPAM, "marked as spam"),
        _moderate(Status.REMOVED, "removed"),
        _moderate(Status.APPROVED, "restored"),
        not_spam,
        dismiss_reports,
        delete_comments,
        "feature",
        "unfeature",
        "purge_spam",
    ]
    fields = [
        "links",
        "article",
        "author_name",
        "author_email",
        "author_url",
        "body",
        "status",
        "status_reason",
        "spam_reasons",
        "form_seconds",
        "report_count",
        "ip_address",
        "user_agent",
        "user",
        "created_at",
        "earlier_texts",
        "kind",
        "imported_from",
        "featured",
        "hidden_characters",
    ]
    readonly_fields = [
        "hidden_characters",
        "links",
        "article",
        "status_reason",
        "spam_reasons",
        "form_seconds",
        "report_count",
        "ip_address",
        "user_agent",
        "user",
        "created_at",
        "earlier_texts",
        "kind",
        "imported_from",
    ]
    inlines = [ReportInline, VoteInline, ModerationLogInline]
    form = CommentAdminForm

    @admin.display(description="imported from")
    def imported_from(self, comment):
        return f"{comment.source}, id {comment.source_id}" if comment.source else "-"

    @admin.display(description="spam score", ordering="spam_score")
    def filter_score(self, comment):
        """The spam filter's score and biggest reasons when it was posted (#26)."""
        if comment.spam_score is None:
            return "-"
        return format_html("{}<br><small>{}</small>", f"{comment.spam_score:.2f}",
                           Truncator(comment.spam_reasons).chars(80))  # fmt: skip

    @admin.display(description="comment")
    def short_body(self, comment):
        return Truncator(comment.body).chars(80) or "(deleted)"

    @admin.display(description="author", ordering="author_email")
    def author(self, comment):
        return format_html(
            "{}<br><small>{}<br>{}</small>",
            text.shown(comment.author_name),  # an invisible character written out (#18)
            text.shown(comment.author_email),
            comment.ip_address or "",
        )

    @admin.display(description="hidden characters")
    def hidden_characters(self, comment):
        """The one-line fields that hold a character the forms refuse (stored before #18),
        written out: U+202E would otherwise reverse what the moderator reads."""
        found = [
            (label, text.shown(value))
            for label, value in (("Name", comment.author_name), ("Email", comment.author_email),
                                 ("Website", comment.author_url))
            if text.invisible(value)
        ]  # fmt: skip
        if not found:
            return "None."
        return format_html_join("", "<p><strong>{}</strong>: {}</p>", found)

    @admin.display(description="earlier texts")
    def earlier_texts(self, comment):
        """Every text the writer replaced by editing (#12), newest first, with when it was
        written."""
        revisions = comment.revisions.all()
        if not revisions:
            return "Never edited."
        return format_html_join(
            "", "<p><strong>{}</strong><br>{}</p>",
            ((f"{r.written_at:%Y-%m-%d %H:%M}", r.body) for r in revisions),
        )  # fmt: skip

    @admin.display(description="see also")
    def links(self, comment):
        history = reverse("admin:comments_comment_history_by_author", args=[comment.pk])
        return format_html(
            '<a href="{}">View in thread</a> · <a href="{}">Author\'s history</a>',
            comment.get_absolute_url(),
            history,
        )

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

    @admin.action(permissions=["change"], description="Feature selected comments")
    def feature(self, request, queryset):
        n = services.feature(queryset, on=True)
        self.message_user(request, f"{n} comment{'s' * (n != 1)} featured.", messages.SUCCESS)

    @admin.action(permissions=["change"], description="Stop featuring selected comments")
    def unfeature(self, request, queryset):
        n = services.feature(queryset, on=False)
        self.message_user(request, f"{n} comment{'s' * (n != 1)} no longer featured.")

    @admin.action(permissions=["delete"], description="Delete the selected spam for good")
    def purge_spam(self, request, queryset):
        deleted, kept = services.purge(queryset)
        note = f"; {kept} kept because replies hang from them" if kept else ""
        self.message_user(request, f"{deleted} spam comment{'s' * (deleted != 1)} deleted{note}.")

    def delete_model(self, request, obj):
        services.delete_comment(obj, by=request.user)

    def get_urls(self):
        history = self.admin_site.admin_view(self.history_by_author)
        ban = self.admin_site.admin_view(require_POST(self.ban_author))
        export = self.admin_site.admin_view(self.export_author)
        erase = self.admin_site.admin_view(require_POST(self.erase_author))
        return [
            path("<int:pk>/author/", history, name="comments_comment_history_by_author"),
            path("<int:pk>/author/ban/", ban, name="comments_comment_ban_author"),
            path("<int:pk>/author/export/", export, name="comments_comment_export_author"),
            path("<int:pk>/author/erase/", erase, name="comments_comment_erase_author"),
            *super().get_urls(),
        ]

    def history_by_author(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        comment = get_object_or_404(Comment, pk=pk)
        same = services.authors_comments(comment)
        if comment.ip_address:
            same = same | Comment.objects.filter(ip_address=comment.ip_address)
        counts = same.aggregate(
            total=Count("pk"), **{s: Count("pk", filter=Q(status=s)) for s in Status.values}
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Comments by {comment.author_name}",
            "opts": self.model._meta,
            "comment": comment,
            "counts": [(label, counts[value]) for value, label in Status.choices],
            "total": counts["total"],
            "comments": same.select_related("article").order_by("-created_at")[:200],
            "can_ban": self.has_change_permission(request),
        }
        return TemplateResponse(request, "admin/comments/author_history.html", context)

    def export_author(self, request, pk):
        """Every comment with this comment's email address, as a JSON download (GDPR art. 15)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        comment = get_object_or_404(Comment.objects.exclude(author_email=""), pk=pk)
        data = services.comments_data(Comment.objects.filter(author_email=comment.author_email))
        response = JsonResponse({"email": comment.author_email, "comments": data},
                                json_dumps_params={"indent": 2})  # fmt: skip
        response["Content-Disposition"] = f'attachment; filename="comments-{pk}.json"'
        return response

    def erase_author(self, request, pk):
        """Erase everything by this email address (GDPR art. 17): texts, names, addresses."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        comment = get_object_or_404(Comment.objects.exclude(author_email=""), pk=pk)
        comments = Comment.objects.filter(author_email=comment.author_email)
        n = services.erase_writer(comments, remove=True, by=request.user)
        self.message_user(request, f"Erased {n} comment{'s' * (n != 1)} and who wrote them.")
        return HttpResponseRedirect(reverse("admin:comments_comment_change", args=[pk]))

    def ban_author(self, request, pk):
        if not self.has_change_permission(request):
            raise PermissionDenied
        comment = get_object_or_404(Comment, pk=pk)
        reason = request.POST.get("reason", "").strip()[:200]
        ban, removed = services.ban_author(comment, by=request.user, reason=reason)
        self.message_user(
            request,
            f"Banned {ban} and removed {removed} comment{'s' * (removed != 1)}.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:comments_comment_history_by_author", args=[pk]))


@admin.register(DiscussionSettings)
class DiscussionSettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        ("Before a comment appears", {"fields": [
            "hold_all", "hold_first_comment", "max_links", "moderation_words", "disallowed_words",
            "reports_to_hold",
        ]}),
        ("Spam filter", {"fields": [
            "spam_threshold", "hold_threshold", "spam_min_examples", "spam_retrain_after",
        ]}),
        ("Against floods and bots", {"fields": [
            "flood_seconds", "new_author_flood_seconds", "duplicate_window", "min_fill_seconds",
        ]}),
        ("Admin sign-in", {"fields": ["login_failure_limit", "login_lockout_minutes"]}),
        ("Votes and order", {"fields": ["downvotes", "votes_per_ip_per_hour", "default_sort"]}),
        ("Threads", {"fields": [
            "close_after_days", "max_depth", "threads_per_page", "comments_per_page",
            "edit_minutes",
        ]}),
        ("Personal data", {"fields": ["ip_retention_days"]}),
        ("Mail", {"fields": ["moderator_mail", "follow_batch_minutes"]}),
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
