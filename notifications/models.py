"""Mail to readers (issue #13): who asked for what, which addresses may be mailed, and the outbox.

The app knows nothing of comments: a subscription names its topic as text ("comment:12",
"article:5") and a mail lists the ids of the comments it tells of, so that the comments app,
which sits above it, can queue and cancel mail without this app importing it back.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Address(models.Model):
    """An email address we were asked to mail: a guest's is verified by a link before anything
    else goes to it; anyone's can say "no more mail from this site"."""

    email = models.EmailField(unique=True)  # lower case
    verified_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="At most one confirmation mail a day goes to an address."
    )
    unsubscribed_at = models.DateTimeField(
        null=True, blank=True, help_text="Set: nothing at all is mailed to this address."
    )

    class Meta:
        verbose_name_plural = "addresses"

    def __str__(self):
        return self.email


class Subscription(models.Model):
    class Kind(models.TextChoices):
        REPLIES = "replies", "Replies to a comment"
        ARTICLE = "article", "New comments on an article"
        PUBLISHED = "published", "A held comment is published"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    topic = models.CharField(
        max_length=100, help_text='What it follows: "comment:12", "article:5".'
    )
    label = models.CharField(max_length=300, help_text="How the unsubscribe page names it.")
    email = models.EmailField()  # lower case; a member's mail goes to their account's address
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(default=timezone.now)
    # A guest's mail is in the language of the page they subscribed on (#27); a member's
    # follows their profile.
    language = models.CharField(max_length=10, blank=True, choices=settings.LANGUAGES)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "topic", "email"], name="subscription_once")
        ]

    def __str__(self):
        return f"{self.email}: {self.label}"


class Preferences(models.Model):
    """A member's mail settings, shown on their profile page."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
        related_name="mail_preferences",
    )  # fmt: skip
    replies_by_default = models.BooleanField(
        _("email me replies to my comments"), default=False,
        help_text=_("Ticks “Email me replies to this comment” on the comment form."),
    )  # fmt: skip
    article_comments = models.BooleanField(
        _("email me new comments on articles I wrote"), default=True
    )
    held_comments = models.BooleanField(
        _("email me comments held for review (moderators)"), default=True
    )

    class Meta:
        verbose_name_plural = "preferences"

    def __str__(self):
        return f"Mail preferences of {self.user}"

    @classmethod
    def of(cls, user):
        """The member's preferences; the defaults, unsaved, until they first change them."""
        try:
            return user.mail_preferences
        except cls.DoesNotExist:
            return cls(user=user)


class Batch(models.Model):
    """One pending run of a batched task ("follow:article:5", "moderator-digest"), so that many
    events in a short while schedule it once, and when it last ran."""

    key = models.CharField(max_length=100, unique=True)
    due_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "batches"

    def __str__(self):
        return self.key


class MailQuerySet(models.QuerySet):
    def queued(self):
        return self.filter(status=Mail.Status.QUEUED)


class Mail(models.Model):
    """One message to one address, rendered when it was queued, delivered by a worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    to = models.EmailField()
    kind = models.CharField(max_length=20)
    subject = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField(blank=True)
    thread = models.CharField(
        max_length=100, blank=True, help_text="Mails of one thread (an article) group together."
    )
    unsubscribe_url = models.URLField(max_length=500, blank=True)
    about = ArrayField(
        models.BigIntegerField(), default=list, blank=True,
        help_text="The comments it tells of: it is cancelled if they are removed first.",
    )  # fmt: skip
    key = models.CharField(
        max_length=200, unique=True, null=True, blank=True,
        help_text="One mail per key: the same news is never queued twice.",
    )  # fmt: skip
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    queued_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = MailQuerySet.as_manager()

    class Meta:
        ordering = ["-queued_at", "-pk"]
        indexes = [
            models.Index(fields=["to", "-queued_at"], name="mail_to_idx"),
            models.Index(fields=["status", "-queued_at"], name="mail_status_idx"),
            GinIndex(fields=["about"], condition=Q(status="queued"), name="mail_queued_about_idx"),
        ]

    def __str__(self):
        return f"{self.subject} → {self.to}"
