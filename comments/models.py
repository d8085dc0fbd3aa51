import hashlib
import ipaddress
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import Exists, ExpressionWrapper, OuterRef, Q
from django.db.models.functions import TruncDate
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet

from forum.markup import comment_html
from forum.models import Article

TREE_ID_SEQUENCE = "comments_comment_tree_id_seq"
# Levels of a thread shown under an article; deeper replies get "Continue this thread" (#5).
DISPLAY_LEVELS = 6
SORTS = {"oldest": "Oldest first", "newest": "Newest first", "replies": "Most replies"}


class CommentQuerySet(TreeQuerySet):
    def approved(self):
        """Comments every reader sees."""
        return self.filter(status=Comment.Status.APPROVED)

    def for_article(self, article, *, own=()):
        """The whole discussion of an article in one query, in thread order.

        Approved comments, plus the writer's own pending ones (``own``: ids from their session),
        plus placeholders: comments no longer approved that still have approved replies, so that
        the replies keep their place and no tree level is skipped.
        """
        approved_reply = Comment.objects.filter(
            tree_id=OuterRef("tree_id"),
            lft__gt=OuterRef("lft"),
            rght__lt=OuterRef("rght"),
            status=Comment.Status.APPROVED,
        )
        visible = (
            Q(status=Comment.Status.APPROVED)
            | Q(pk__in=list(own), status=Comment.Status.PENDING)
            | Exists(approved_reply)
        )
        return (
            self.filter(article=article)
            .filter(visible)
            .annotate(
                is_by_author=ExpressionWrapper(
                    Q(user_id=article.author_id), output_field=models.BooleanField()
                )
            )
            .order_by("tree_id", "lft")
        )

    def threads(self, article, *, own=(), sort="oldest"):
        """The visible top-level comments of ``article``, in the order a page of threads lists them.

        A thread is visible when it holds an approved comment (its stored count, #7), or when its
        top-level comment is the reader's own and pending. ``sort``: "oldest" (default),
        "newest", or "replies" (most approved comments first).
        """
        roots = self.filter(article=article, level=0).filter(
            Q(thread_comment_count__gt=0) | Q(pk__in=list(own), status=Comment.Status.PENDING)
        )
        if sort == "replies":
            return roots.order_by("-thread_comment_count", "created_at", "pk")
        if sort == "newest":
            return roots.order_by("-created_at", "-pk")
        return roots.order_by("created_at", "pk")

    def as_list_items(self):
        """The rows a list of comments shows, as named tuples of the fields a page renders:
        building a model instance for each costs more than the query (#7)."""
        fields = ["id", "parent_id", "tree_id", "lft", "level", "status", "author_name"]
        return list(
            self.values_list(*fields, "header_html", "body_html", "is_by_author", named=True)
        )

    def position_of(self, root, *, own=()):
        """How many threads come before ``root`` in its article's default (oldest first) order."""
        earlier = Q(created_at__lt=root.created_at) | Q(created_at=root.created_at, pk__lt=root.pk)
        return self.threads(root.article, own=own).filter(earlier).count()

    def subtree(self, comment, *, own=()):
        """``comment`` and every visible reply below it, in thread order, in one query."""
        return self.for_article(comment.article, own=own).filter(
            tree_id=comment.tree_id, lft__gte=comment.lft, rght__lte=comment.rght
        )

    def recent_by_poster(self, *, email, ip_address, since):
        """Comments since ``since`` from this email address or this IP address, newest first."""
        poster = Q(author_email=email) if email else Q(pk__in=[])
        if ip_address:
            poster |= Q(ip_address=ip_address)
        return self.filter(poster, created_at__gte=since).order_by("-created_at")

    def needing_review(self):
        """The moderation queue: pending comments, and approved ones readers have reported."""
        return self.filter(
            Q(status=Comment.Status.PENDING) | Q(status=Comment.Status.APPROVED, report_count__gt=0)
        )

    def overview(self):
        """Counts for the admin dashboard, in one aggregate query."""
        by_status = {s: models.Count("pk", filter=Q(status=s)) for s in Comment.Status.values}
        reported = models.Count("pk", filter=Q(report_count__gt=0, status=Comment.Status.APPROVED))
        return self.aggregate(**by_status, reported=reported)

    def per_day(self, days):
        """{(date, status): count} over the last ``days`` days, in one aggregate query."""
        first_day = timezone.localdate() - timedelta(days=days - 1)
        since = timezone.make_aware(datetime.combine(first_day, time.min))
        rows = (
            self.filter(created_at__gte=since)
            .annotate(day=TruncDate("created_at"))
            .values_list("day", "status")
            .annotate(n=models.Count("pk"))
            .order_by()
        )
        return {(day, status): n for day, status, n in rows}

    def replyable(self, article, *, own=()):
        """Comments of ``article`` a reader may reply to: the approved ones and their own."""
        return self.filter(article=article).filter(
            Q(status=Comment.Status.APPROVED) | Q(pk__in=list(own), status=Comment.Status.PENDING)
        )


class CommentManager(TreeManager.from_queryset(CommentQuerySet)):
    def _get_next_tree_id(self):
        # mptt takes max(tree_id) + 1, which two concurrent new threads would both get.
        # A sequence hands out a distinct id to each without any lock (issue #3).
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [TREE_ID_SEQUENCE])
            return cursor.fetchone()[0]


class Comment(MPTTModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        REMOVED = "removed", "Removed"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    parent = TreeForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    author_name = models.CharField("name", max_length=100)
    author_email = models.EmailField("email", max_length=254)
    author_url = models.URLField("website", max_length=200, blank=True)
    body = models.TextField("comment")
    body_html = models.TextField(editable=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.APPROVED)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Why the posting rules chose the status, e.g. "held: 3 links" (issue #4).
    status_reason = models.CharField("why", max_length=200, blank=True, editable=False)
    # Open reader reports, kept in step with Report rows inside the same transaction.
    report_count = models.PositiveIntegerField("reports", default=0, editable=False)
    # On a top-level comment: the approved comments of its thread, itself included (#7). A thread
    # is shown to readers when this is above 0 (an approved root, or a placeholder with replies).
    thread_comment_count = models.PositiveIntegerField(default=0, editable=False)
    # The comment's header (avatar, name, badge, date), rendered once at save (#7).
    header_html = models.TextField(editable=False, default="")

    objects = CommentManager()

    class MPTTMeta:
        parent_attr = "parent"

    class Meta:
        indexes = [
            models.Index(fields=["article", "tree_id", "lft"], name="comment_thread_idx"),
            models.Index(fields=["status", "created_at"], name="comment_queue_idx"),
            models.Index(  # the moderation queue: exactly CommentQuerySet.needing_review()
                fields=["-created_at"], name="comment_review_idx",
                condition=Q(status="pending") | Q(status="approved", report_count__gt=0),
            ),
            models.Index(fields=["author_email", "created_at"], name="comment_author_idx"),
            # The flood check looks a poster up by email or by IP address (#6, #7).
            models.Index(fields=["ip_address", "created_at"], name="comment_ip_idx"),
            # Pages of threads: top-level comments in date order, or by size (#7).
            models.Index(
                fields=["article", "created_at", "id"], condition=Q(level=0),
                name="comment_roots_idx",
            ),
            models.Index(
                fields=["article", "-thread_comment_count", "created_at", "id"],
                condition=Q(level=0), name="comment_roots_size_idx",
            ),
        ]  # fmt: skip
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "spam", "removed"]),
                name="comment_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.author_name}: {self.body[:40]}"

    def save(self, *args, **kwargs):
        self.render()
        super().save(*args, **kwargs)

    def render(self):
        """Render ``body_html`` and ``header_html`` once, rather than on every page view (#7)."""
        self.body_html = comment_html(self.body)
        self.render_header()

    @classmethod
    def stored_header(cls, pk):
        """Render and store the header of a comment saved before headers were stored."""
        comment = cls.objects.select_related("article").get(pk=pk)
        comment.render_header()
        cls.objects.filter(pk=pk).update(header_html=comment.header_html)
        return comment.header_html

    def render_header(self):
        by_author = self.user_id is not None and self.user_id == self.article.author_id
        self.header_html = render_to_string(
            "comments/_comment_header.html", {"comment": self, "by_author": by_author}
        )

    def get_absolute_url(self):
        """The permalink, which finds the comment's page however the discussion grows."""
        return reverse("comments:permalink", args=[self.pk])

    def avatar_hue(self):
        """A colour for the generated avatar, stable per email address."""
        digest = hashlib.md5(self.author_email.strip().lower().encode(), usedforsecurity=False)
        return int(digest.hexdigest()[:4], 16) % 360

    def initials(self):
        words = self.author_name.split()
        return "".join(w[0] for w in words[:2]).upper() or "?"


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


@deconstructible
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
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text="Top-level comments per page of a discussion.",
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
    notify_moderators = models.BooleanField(
        "email moderators", default=False,
        help_text="Email the moderators when a comment is held for review.",
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
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        """The settings row, created with the defaults the first time."""
        return cls.objects.get_or_create(pk=1)[0]

    @staticmethod
    def words(text):
        return [line.strip().lower() for line in text.splitlines() if line.strip()]


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
        SPAM = "spam", "Spam"
        ABUSE = "abuse", "Abusive or hateful"
        OFF_TOPIC = "off-topic", "Off-topic"
        OTHER = "other", "Something else"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=10, choices=Reason)
    text = models.CharField("details", max_length=500, blank=True)
    reporter = models.CharField(max_length=80, editable=False)  # "user:<id>" or "session:<key>"
    ip_address = models.GenericIPAddressField(null=True, blank=True)
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


class RateLimit(models.Model):
    """Hits on one key in one fixed time window, counted atomically in PostgreSQL."""

    key = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="ratelimit_key_window")
        ]
        indexes = [models.Index(fields=["window_start"], name="ratelimit_window_idx")]

    def __str__(self):
        return f"{self.key} × {self.count}"
