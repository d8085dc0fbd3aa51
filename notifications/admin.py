from django.contrib import admin, messages
from django.utils.html import format_html

from notifications import services
from notifications.models import Address, Mail, Subscription


@admin.register(Mail)
class MailAdmin(admin.ModelAdmin):
    """The outbox: what was queued, sent, or failed and why; failed mail can be retried."""

    list_display = [
        "subject",
        "to",
        "kind",
        "status",
        "attempts",
        "queued_at",
        "sent_at",
        "short_error",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject"]
    date_hierarchy = "queued_at"
    actions = ["retry"]
    readonly_fields = [
        "to", "kind", "subject", "status", "attempts", "error", "queued_at", "next_attempt_at",
        "sent_at", "thread", "about", "key", "unsubscribe_url", "text", "html_source",
    ]  # fmt: skip
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None  # the list and its actions; a mail itself is read only

    @admin.display(description="error")
    def short_error(self, mail):
        return mail.error[:80]

    @admin.display(description="HTML part")
    def html_source(self, mail):
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>", mail.html)

    @admin.action(description="Retry the selected mails (failed or cancelled)")
    def retry(self, request, queryset):
        count = services.retry(queryset)
        self.message_user(request, f"{count} mail(s) queued again.", messages.SUCCESS)


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "label", "kind", "user", "created_at"]
    list_filter = ["kind"]
    search_fields = ["email", "topic", "label"]
    raw_id_fields = ["user"]


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ["email", "verified_at", "confirmation_sent_at", "unsubscribed_at"]
    search_fields = ["email"]
