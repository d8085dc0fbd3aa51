from django import forms
from django.contrib import admin
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils.html import format_html

from alerts import services
from alerts.models import Attempt, Delivery, Endpoint, Event

SHOWN_ATTEMPTS = 20


class EndpointForm(forms.ModelForm):
    url = forms.URLField(label="URL", max_length=500, assume_scheme="https",
                         help_text=Endpoint._meta.get_field("url").help_text)  # fmt: skip
    events = forms.MultipleChoiceField(
        choices=[c for c in Event.choices if c[0] != Event.TEST],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Endpoint
        fields = ["name", "kind", "url", "secret", "target", "events", "is_internal", "is_enabled"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AttemptInline(ReadOnlyInline):
    model = Attempt
    fields = readonly_fields = ["at", "delivery", "is_ok", "response_code", "error"]
    verbose_name_plural = f"last {SHOWN_ATTEMPTS} attempts"

    def get_queryset(self, request):
        # The newest few of each endpoint (the formset then keeps this one's).
        newest = Window(
            RowNumber(), partition_by="endpoint", order_by=[F("at").desc(), F("pk").desc()]
        )
        queryset = super().get_queryset(request).select_related("delivery__endpoint")
        return queryset.alias(rank=newest).filter(rank__lte=SHOWN_ATTEMPTS)


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ["name", "kind", "chosen_events", "is_internal", "is_enabled", "failures"]
    list_filter = ["kind", "is_enabled"]
    readonly_fields = ["failures", "disabled_reason"]
    inlines = [AttemptInline]
    actions = ["send_test", "switch_on"]

    @admin.display(description="events")
    def chosen_events(self, obj):
        return ", ".join(Event(e).name.lower() for e in obj.events)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_enabled" in form.changed_data and obj.is_enabled:
            services.switch_on(Endpoint.objects.filter(pk=obj.pk))

    @admin.action(description="Send a test message")
    def send_test(self, request, queryset):
        sent = len(services.send_test(queryset))
        self.message_user(
            request, f"A test message is on its way to {sent} endpoints (see their last attempts)."
        )

    @admin.action(description="Switch on again (clears the failure count)")
    def switch_on(self, request, queryset):
        self.message_user(request, f"{services.switch_on(queryset)} endpoints switched on.")


class TryInline(ReadOnlyInline):
    model = Attempt
    fields = readonly_fields = ["at", "is_ok", "response_code", "error"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event", "endpoint", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "event", "endpoint"]
    list_select_related = ["endpoint"]
    date_hierarchy = "created_at"
    fields = readonly_fields = [
        "endpoint", "event", "comment_link", "message_id", "status", "attempts",
        "next_attempt_at", "created_at", "sent_at", "body",
    ]  # fmt: skip
    inlines = [TryInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="comment")
    def comment_link(self, obj):
        if obj.comment_id is None:
            return "-"
        url = reverse("admin:comments_comment_change", args=[obj.comment_id])
        return format_html('<a href="{}">{}</a>', url, obj.comment_id)
