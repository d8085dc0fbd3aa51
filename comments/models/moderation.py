"""What moderation stores: the log, the Discussion settings, bans and reports."""

import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from comments.models.comment import Comment, Sort


class ModerationLog(models.Model):
    """One status change of one comment: who, when, from what to what, and why."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="moderation_log")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        help_text="Empty when a posting rule or reader reports decided.",
    )  # fmt: skip
    from_status = models.CharField(max_length=10, choices=Comment.Status)
    to_status = models.CharField(max_length=10, choices=Comment.Status)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["comment", "-created_at"], name="moderationlog_comment_idx")
        ]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


@deconstructible(path="comments.models.SettingDefault")
class SettingDefault:
    """A field default read from settings.DISCUSSION_DEFAULTS when the row is first made."""

    def __init__(self, name):
        self.name = name

    def __call__(self):
        return settings.DISCUSSION_DEFAULTS[self.name]

    def __eq__(self, other):
        return isinstance(other, SettingDefault) and other.name == self.name


class DiscussionSettings(models.Model):
    """The posting rules, edited on one admin page: a single row, read when a rule applies."""

    hold_all = models.BooleanField(
        "hold every new comment",
        default=False,
        help_text="Pre-moderation: every comment waits for a moderator.",
    )
    hold_first_comment = models.BooleanField(
        "hold first comments",
        default=True,
        help_text="Hold a comment unless its author already has an approved comment.",
    )
    max_links = models.PositiveIntegerField(
        "most links", default=2, help_text="Hold a comment with more links than this."
    )
    moderation_words = models.TextField(
        blank=True,
        help_text="One per line. Hold a comment whose name, email, website, text or "
        "IP address contains any of them (case-insensitive, parts of words match too).",
    )
    disallowed_words = models.TextField(
        blank=True,
        help_text="One per line, matched like moderation words. Mark such comments as spam.",
    )
    close_after_days = models.PositiveIntegerField(
        "close comments after (days)",
        null=True,
        blank=True,
        help_text="Close comments on articles published longer ago than this. Empty: never.",
    )
    max_depth = models.PositiveIntegerField(
        "deepest reply level",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="Levels of a thread, its first comment included.",
    )
    threads_per_page = models.PositiveIntegerField(
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text="Top-level comments per page of a discussion.",
    )
    comments_per_page = models.PositiveIntegerField(
        "comments per page",
        default=100,  # with long comments, 100 keep the first page under 250 KB (#24)
        validators=[MinValueValidator(1)],
        help_text="A page of threads shows every comment while they number at most this; past "
        "it the largest threads are folded first, behind “N more replies” (#24).",
    )
    reports_to_hold = models.PositiveIntegerField(
        "reports before holding",
        default=3,
        validators=[MinValueValidator(1)],
        help_text="Reader reports that move an approved comment back to pending.",
    )
    duplicate_window = models.PositiveIntegerField(
        "duplicate window (seconds)", default=300,
        help_text="Refuse the same text from the same author on the same article within this "
        "many seconds. 0 turns the rule off.",
    )  # fmt: skip
    flood_seconds = models.PositiveIntegerField(
        "seconds between comments",
        default=SettingDefault("flood_seconds"),
        help_text="One comment per IP address and per email address in this many seconds. "
        "Staff are exempt. 0 turns the rule off.",
    )
    new_author_flood_seconds = models.PositiveIntegerField(
        "seconds between comments for new authors",
        default=SettingDefault("new_author_flood_seconds"),
        help_text="The same for authors without an approved comment yet. 0 turns the rule off.",
    )
    min_fill_seconds = models.PositiveIntegerField(
        "minimum seconds to write",
        default=SettingDefault("min_fill_seconds"),
        help_text="A comment sent sooner after the form was shown is stored as spam. 0: off.",
    )
    login_failure_limit = models.PositiveIntegerField(
        "sign-in attempts",
        default=SettingDefault("login_failure_limit"),
        help_text="Failed admin sign-ins per username and IP address before a lock-out. 0: off.",
    )
    login_lockout_minutes = models.PositiveIntegerField(
        "lock-out minutes", default=SettingDefault("login_lockout_minutes"),
        validators=[MinValueValidator(1)],
    )  # fmt: skip
    edit_minutes = models.PositiveIntegerField(
        "minutes to edit", default=15,
        help_text="How long writers may edit their comment, while nobody has replied. 0: never.",
    )  # fmt: skip
    ip_retention_days = models.PositiveIntegerField(
        "keep IP addresses (days)", default=90,
        help_text="manage.py forget_ip_addresses clears them from older comments. 0: keep them.",
    )  # fmt: skip

    class ModeratorMail(models.TextChoices):
        OFF = "off", "No mail"
        EACH = "each", "A mail for each held comment"
        DAILY = "daily", "One daily digest of the comments waiting"

    moderator_mail = models.CharField(
        # Each held comment by default: first comments are held, and nobody else is told (#26).
        "mail to moderators", max_length=10, choices=ModeratorMail, default=ModeratorMail.EACH,
        help_text="Superusers and members of the Moderators group, unless they switched it off.",
    )  # fmt: skip
    downvotes = models.BooleanField(
        "downvotes", default=False, help_text="Readers may vote comments down as well as up."
    )
    votes_per_ip_per_hour = models.PositiveIntegerField(
        "votes per IP address an hour", default=60,
        help_text="However many cookies a script drops, one address casts at most this many.",
    )  # fmt: skip
    default_sort = models.CharField(
        "default order of threads", max_length=10, default=Sort.OLDEST, choices=Sort,
    )  # fmt: skip
    follow_batch_minutes = models.PositiveIntegerField(
        "minutes to gather comments for followers", default=15,
        help_text="Followers of an article and its author get one mail for the comments of this "
        "many minutes, never one per comment.",
    )  # fmt: skip
    # The learning spam filter (#26): scores from 0 to 1, 0 turning the rule off.
    spam_threshold = models.FloatField(
        "spam from score", default=0.9, validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="A comment the filter scores at least this is stored as spam. 0: never.",
    )  # fmt: skip
    hold_threshold = models.FloatField(
        "hold from score", default=0.5, validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="A comment scored at least this (and below the spam score) is held. 0: never.",
    )  # fmt: skip
    spam_min_examples = models.PositiveIntegerField(
        "examples before marking spam", default=20,
        help_text="Until the filter has learned this many spam and this many good comments, it "
        "only holds.",
    )  # fmt: skip
    spam_retrain_after = models.PositiveIntegerField(
        "decisions before retraining", default=50, validators=[MinValueValidator(1)],
        help_text="The task worker retrains the filter after this many moderators' decisions.",
    )  # fmt: skip

    class Meta:
        verbose_name = verbose_name_plural = "discussion settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="discussionsettings_single_row"),
            models.CheckConstraint(
                condition=Q(max_depth__gte=1), name="discussionsettings_depth_min"
            ),
        ]

    def __str__(self):
        return "Discussion settings"

    def save(self, *args, **kwargs):
        self.pk = 1
        changed = not self._state.adding  # the first save only writes the defaults down
        super().save(*args, **kwargs)
        if changed:  # every cached page of discussion follows the rules it was rendered with
            from comments import freshness  # models come first: freshness writes to them

            freshness.everything_changed()

    def clean(self):
        if self.spam_threshold and self.hold_threshold > self.spam_threshold:
            raise ValidationError(
                {"hold_threshold": "Hold from a score no higher than the spam score."}
            )

    @classmethod
    def load(cls):
        """The settings row, created with the defaults the first time."""
        return cls.objects.get_or_create(pk=1)[0]

    @property
    def deepest_replyable_level(self):
        """The deepest level a reply may hang from: a reply sits one level below its parent, and
        ``max_depth`` counts levels from 1 (the top-level comment is level 0). -1: no replies."""
        return self.max_depth - 2

    @staticmethod
    def words(text):
        return [line.strip().lower() for line in text.splitlines() if line.strip()]


class Revision(models.Model):
    """An earlier text of a comment its writer edited (#12), for moderators."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField("text")
    written_at = models.DateTimeField(help_text="When this text was posted or last edited.")
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-replaced_at", "-pk"]
        indexes = [models.Index(fields=["comment", "-replaced_at"], name="revision_comment_idx")]

    def __str__(self):
        return f"Earlier text of comment {self.comment_id}"


class BanQuerySet(models.QuerySet):
    def active(self):
        """Bans in force now: without an end, or ending in the future."""
        return self.filter(Q(ends_at=None) | Q(ends_at__gt=timezone.now()))


class Ban(models.Model):
    """Refuses comments from a user account, an email address, or an IP address or network."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(blank=True)
    network = models.CharField(
        "IP address or network", max_length=50, blank=True,
        help_text="An address (203.0.113.7) or a CIDR range (203.0.113.0/24, 2001:db8::/32).",
    )  # fmt: skip
    reason = models.CharField(max_length=200, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Empty: the ban never ends.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )  # fmt: skip

    objects = BanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(user=None) | ~Q(email="") | ~Q(network=""),
                name="ban_has_a_target",
                violation_error_message="Ban a user, an email address or an IP address "
                "(or several).",
            ),
        ]

    def __str__(self):
        return str(self.user or self.email or self.network)

    def clean(self):
        # "Nothing to ban" is reported by the ban_has_a_target constraint's own message.
        if self.network:
            try:
                self.network = str(ipaddress.ip_network(self.network.strip(), strict=False))
            except ValueError:
                raise ValidationError(
                    {"network": "Enter an IP address or a CIDR range like 203.0.113.0/24."}
                ) from None
        self.email = self.email.strip().lower()

    def is_in_force(self):
        """The single-ban twin of ``BanQuerySet.active()``."""
        return self.ends_at is None or self.ends_at > timezone.now()

    is_in_force.boolean = True

    def covers_ip(self, ip):
        if not (self.network and ip):
            return False
        try:
            return ipaddress.ip_address(ip) in ipaddress.ip_network(self.network, strict=False)
        except ValueError:
            return False


class Report(models.Model):
    """A reader's report of an approved comment; one open report per reader and comment."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        ABUSE = "abuse", _("Abusive or hateful")
        OFF_TOPIC = "off-topic", _("Off-topic")
        OTHER = "other", _("Something else")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=10, choices=Reason)
    text = models.CharField("details", max_length=500, blank=True)
    reporter = models.CharField(max_length=80, editable=False)  # "user:<id>" or "address:<ip>"
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    is_dismissed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter"], condition=Q(is_dismissed=False),
                name="report_once_per_reader",
            ),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.get_reason_display()} on comment {self.comment_id}"
