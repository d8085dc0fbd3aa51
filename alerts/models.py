"""Alert channels for moderators (issue #26): webhooks and chat rooms told of held comments,
spam, reports and the daily digest, and the log of what was sent to them."""

import base64
import secrets

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models


class Event(models.TextChoices):
    HELD = "held", "A comment is held for review"
    SPAM = "spam", "The spam filter marked a comment as spam"
    REPORT = "report", "A reader reported a comment"
    DIGEST = "digest", "Daily digest of the comments waiting"
    TEST = "test", "A test message, sent from the admin"


def new_secret():
    """A Standard Webhooks signing secret: ``whsec_`` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


class EndpointQuerySet(models.QuerySet):
    def wanting(self, event):
        """The switched-on endpoints that chose ``event``."""
        return self.filter(is_enabled=True, events__contains=[event])


class Endpoint(models.Model):
    class Kind(models.TextChoices):
        WEBHOOK = "webhook", "Generic JSON (Standard Webhooks signature)"
        SLACK = "slack", "Slack-compatible incoming webhook"
        DISCORD = "discord", "Discord webhook"
        MATRIX = "matrix", "Matrix room (client-server API)"
        TELEGRAM = "telegram", "Telegram bot"

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.WEBHOOK)
    url = models.URLField(
        "URL", max_length=500,
        help_text="The webhook URL; Matrix: the homeserver (https://matrix.example.org); "
        "Telegram: https://api.telegram.org.",
    )  # fmt: skip
    secret = models.CharField(
        max_length=200, blank=True,
        help_text="Generic JSON: the whsec_ signing secret (made for you when left empty); "
        "Matrix: the bot's access token; Telegram: the bot token. Unused by Slack and Discord.",
    )  # fmt: skip
    target = models.CharField(
        "room or chat", max_length=200, blank=True,
        help_text="Matrix: the room ID (!abc:example.org); Telegram: the chat ID.",
    )  # fmt: skip
    events = ArrayField(models.CharField(max_length=10, choices=Event), default=list, blank=True)
    is_internal = models.BooleanField(
        "internal", default=False,
        help_text="Only for endpoints the site's team alone reads: payloads then carry the "
        "writer's email and IP address.",
    )  # fmt: skip
    is_enabled = models.BooleanField("switched on", default=True)
    failures = models.PositiveIntegerField("failed attempts in a row", default=0, editable=False)
    disabled_reason = models.CharField(
        "why it was switched off", max_length=500, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EndpointQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.kind == self.Kind.WEBHOOK and not self.secret:
            self.secret = new_secret()
        super().save(*args, **kwargs)

    def clean(self):
        if self.kind == self.Kind.WEBHOOK and self.secret and not self.secret.startswith("whsec_"):
            raise ValidationError({"secret": "A Standard Webhooks secret begins with whsec_."})
        if self.kind == self.Kind.WEBHOOK and self.secret:
            try:
                base64.b64decode(self.secret.removeprefix("whsec_"), validate=True)
            except ValueError:
                raise ValidationError({"secret": "After whsec_ comes base64."}) from None
        if self.kind in (self.Kind.MATRIX, self.Kind.TELEGRAM):
            needed = ("secret", "target")
            missing = {
                f: "Required for Matrix and Telegram." for f in needed if not getattr(self, f)
            }
            if missing:
                raise ValidationError(missing)


class DeliveryQuerySet(models.QuerySet):
    def queued(self):
        """Waiting for their first or next attempt."""
        return self.filter(status=Delivery.Status.QUEUED)


class Delivery(models.Model):
    """One message to one endpoint: its body is built once, so every retry sends the same bytes
    under the same webhook-id (receivers drop duplicates by it)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=10, choices=Event)
    comment_id = models.BigIntegerField(null=True, blank=True)
    message_id = models.CharField(max_length=50, unique=True)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="delivery_endpoint_idx")]

    def __str__(self):
        return f"{self.get_event_display()} → {self.endpoint}"


class Attempt(models.Model):
    """One try of a delivery: what the endpoint answered, or why it could not be reached."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="tries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="attempts")
    at = models.DateTimeField(auto_now_add=True)
    is_ok = models.BooleanField("delivered", default=False)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["endpoint", "-at"], name="attempt_endpoint_idx")]

    def __str__(self):
        return f"{self.delivery} at {self.at:%Y-%m-%d %H:%M}"
