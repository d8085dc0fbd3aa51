from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, models
from django.db.models import Exists, ExpressionWrapper, OuterRef, Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet

from articles.models import Article
from comments.markup import render_header
from core import text
from core.markup import comment_html


@models.GenericIPAddressField.register_lookup
class InNetwork(models.Lookup):
    """``ip_address__in_network="2001:db8::/64"``: the address lies in that network (#23)."""

    lookup_name = "in_network"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} <<= %s::inet", (*lhs_params, self.rhs)


TREE_ID_SEQUENCE = "comments_comment_tree_id_seq"
# Levels of a thread shown under an article; deeper ones are behind "N more replies" (#5, #24).
DISPLAY_LEVELS = 6


class Sort(models.TextChoices):
    """The orders a page of threads offers (#16); the Discussion settings pick the default."""

    OLDEST = "oldest", _("Oldest first")
    NEWEST = "newest", _("Newest first")
    REPLIES = "replies", _("Most replies")
    BEST = "best", _("Best")


def shown(own):
    """The rule "shown to this reader": approved, or pending and the reader's own (#11).

    ``own``: ids of the pending comments this reader wrote (from their session).
    """
    return Q(status=Comment.Status.APPROVED) | own_pending(own)


def own_pending(own):
    """The reader's own comments still awaiting moderation: shown to them alone."""
    return Q(pk__in=list(own), status=Comment.Status.PENDING)


def same_author(user_id, email):
    """The rule "the same author" (#25): the same account, or the same email address (what a
    member wrote as a guest before joining counts too). Never the IP address, which people
    share. Takes values (an email lower-cased, as stored) or ``OuterRef``s."""
    same = Q(author_email=email) & ~Q(author_email="")
    if user_id is not None:
        same |= Q(user_id=user_id)
    return same


def add_author_history(comments):
    """``comments`` (a list) each with ``author_approved``, ``author_spam`` and
    ``author_removed``: its author's comments of each status (``same_author``), for the
    moderation queue's one line of history (#26). One query for a page, grouped by account,
    address and status and summed here per row by ``same_author``'s rule (#29: a count per row
    and status took seconds with a million comments)."""
    emails = {c.author_email for c in comments if c.author_email}
    users = {c.user_id for c in comments if c.user_id is not None}
    history, groups = (Comment.Status.APPROVED, Comment.Status.SPAM, Comment.Status.REMOVED), []
    if emails or users:
        groups = list(
            Comment.objects.filter(Q(author_email__in=emails) | Q(user_id__in=users),
                                   status__in=history)
            .values_list("user_id", "author_email", "status").annotate(n=models.Count("pk"))
            .order_by()
        )  # fmt: skip
    for c in comments:
        for status in history:
            setattr(c, f"author_{status}", sum(
                n for user_id, email, s, n in groups
                if s == status and ((c.author_email and email == c.author_email)
                                    or (c.user_id is not None and user_id == c.user_id))
            ))  # fmt: skip
    return comments


def is_shown(comment, own):
    """The single-comment twin of ``shown()``, for a Comment or a row of ``as_list_items()``."""
    return comment.status == Comment.Status.APPROVED or (
        comment.status == Comment.Status.PENDING and comment.id in own
    )


class CommentQuerySet(TreeQuerySet):
    def approved(self):
        """Comments every reader sees."""
        return self.filter(status=Comment.Status.APPROVED)

    def featured_on(self, article):
        """The article's Featured box: up to three approved featured comments, newest first."""
        return self.approved().filter(article=article, featured=True).order_by("-featured_at")[:3]

    def shown_to(self, article, *, own=()):
        """The comments of ``article`` this reader may read and reply to (see ``shown()``)."""
        return self.filter(shown(own), article=article)

    def approved_by(self, user):
        """A member's approved comments on published articles, newest first, with the article."""
        return (
            self.approved()
            .filter(user=user, article__in=Article.objects.published())
            .select_related("article")
            .order_by("-created_at", "-pk")
        )

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
        return (
            self.filter(shown(own) | Exists(approved_reply), article=article)
            .annotate(
                is_by_author=ExpressionWrapper(
                    Q(user_id=article.author_id), output_field=models.BooleanField()
                )
            )
            .order_by("tree_id", "lft")
        )

    def threads(self, article, *, own=(), sort=Sort.OLDEST):
        """The visible top-level comments of ``article``, in the order a page of threads lists them.

        A thread is visible when it holds an approved comment (its stored count, #7), or when its
        top-level comment is the reader's own and pending. ``sort``: "oldest" (default),
        "newest", or "replies" (most approved comments first).
        """
        roots = self.filter(
            Q(thread_comment_count__gt=0) | own_pending(own), article=article, level=0
        )
        if sort == Sort.REPLIES:
            return roots.order_by("-thread_comment_count", "created_at", "pk")
        if sort == Sort.BEST:  # the Wilson lower bound of the top-level comment's votes (#16)
            return roots.order_by("-best", "created_at", "pk")
        if sort == Sort.NEWEST:
            return roots.order_by("-created_at", "-pk")
        return roots.order_by("created_at", "pk")

    def as_list_items(self):
        """The rows a list of comments shows, as named tuples of the fields a page renders:
        building a model instance for each costs more than the query (#7)."""
        fields = ["id", "parent_id", "tree_id", "lft", "level", "status", "author_name", "kind",
                  "author_url", "created_at", "edited_at", "upvotes", "downvotes", "featured",
                  "status_reason"]  # fmt: skip
        markup = ["is_by_author", "header_html", "markup_version", "body_html"]
        return list(self.values_list(*fields, *markup, named=True))

    def position_of(self, root, *, own=()):
        """How many threads come before ``root`` in its article's default (oldest first) order."""
        earlier = Q(created_at__lt=root.created_at) | Q(created_at=root.created_at, pk__lt=root.pk)
        return self.threads(root.article, own=own).filter(earlier).count()

    def place_in_thread(self, comment, *, own=()):
        """How many comments come before ``comment`` in its thread as a page lists it: 0 for
        the top-level comment, 1 for its first reply (preorder)."""
        return (
            self.for_article(comment.article, own=own)
            .filter(tree_id=comment.tree_id, lft__lt=comment.lft, level__lt=DISPLAY_LEVELS)
            .count()
        )

    def subtree(self, comment, *, own=()):
        """``comment`` and every visible reply below it, in thread order, in one query."""
        return self.for_article(comment.article, own=own).filter(
            tree_id=comment.tree_id, lft__gte=comment.lft, rght__lte=comment.rght
        )

    def recent_by_poster(self, *, email, network, since):
        """Comments since ``since`` from this email address or this network (one client's
        address or IPv6 /64, from ``limits.address_network``), newest first."""
        poster = Q(author_email=email) if email else Q(pk__in=[])
        if network:
            poster |= Q(ip_address__in_network=network)
        return self.filter(poster, created_at__gte=since).order_by("-created_at")

    def by_author(self, user_id, email):
        """Every comment by this author (``same_author``)."""
        return self.filter(same_author(user_id, (email or "").lower()))

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


# What a page of threads reads of each (comments.discussion), in the indexes that list them.
THREAD_PAGE = ["tree_id", "thread_version", "thread_comment_count"]


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

    class Kind(models.TextChoices):
        COMMENT = "comment", "Comment"
        PINGBACK = "pingback", "Pingback"
        TRACKBACK = "trackback", "Trackback"

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
    author_name = models.CharField("name", max_length=text.NAME_LENGTH)
    author_email = models.EmailField("email", max_length=254)
    author_url = models.URLField("website", max_length=200, blank=True)
    body = models.TextField("comment")
    body_html = models.TextField(editable=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.APPROVED)
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # When readers could first see it (approved on arrival or later); mail about a comment is
    # queued once, when this is set (#13).
    shown_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Imported comments (#14): pingbacks and trackbacks are kept as their own kind; bodies keep
    # the HTML of the old site; source and id there make importing again change nothing.
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.COMMENT)
    markup = models.CharField(
        max_length=10, choices=[("markdown", "Markdown"), ("html", "HTML")], default="markdown"
    )
    source = models.CharField(max_length=200, blank=True, editable=False)
    source_id = models.CharField(max_length=100, blank=True, editable=False)
    # Text and name for full-text search, kept by a PostgreSQL trigger on every write (#15).
    search_vector = SearchVectorField(null=True, editable=False)
    # Readers' votes (#16), kept in step with Vote rows under the comment's row lock; "best" is
    # the lower bound of the Wilson score interval of its up- and downvotes.
    upvotes = models.PositiveIntegerField(default=0, editable=False)
    downvotes = models.PositiveIntegerField(default=0, editable=False)
    best = models.FloatField(default=0, editable=False)
    # Chosen by a moderator (#16): shown in the article's "Featured" box while approved.
    featured = models.BooleanField(default=False, help_text="Shown in the article's Featured box.")
    featured_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Why the posting rules chose the status, e.g. "held: 3 links" (issue #4).
    status_reason = models.CharField("why", max_length=200, blank=True, editable=False)
    # The spam filter's probability and biggest reasons when it was posted, and the seconds
    # its writer spent on the form, one of the filter's signals (#26). Empty: not scored.
    spam_score = models.FloatField(null=True, blank=True, editable=False)
    spam_reasons = models.CharField("filter's reasons", max_length=300, blank=True, editable=False)
    form_seconds = models.FloatField("seconds on the form", null=True, blank=True, editable=False)
    # Open reader reports, kept in step with Report rows inside the same transaction.
    report_count = models.PositiveIntegerField("reports", default=0, editable=False)
    # On a top-level comment: the approved comments of its thread, itself included (#7). A thread
    # is shown to readers when this is above 0 (an approved root, or a placeholder with replies).
    thread_comment_count = models.PositiveIntegerField(default=0, editable=False)
    # On a top-level comment: bumped by every change readers can see in its thread, under the
    # thread's lock; it keys the thread's cached markup (#17).
    thread_version = models.PositiveIntegerField(default=0, editable=False)
    # The header (avatar, name, badge, date), rendered at save by comments.markup, and the
    # markup version it was rendered at (#7, #11).
    header_html = models.TextField(editable=False, default="")
    markup_version = models.PositiveSmallIntegerField(default=0, editable=False)

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
            # The admin's list of all comments, newest first, with years of spam in it (#17).
            models.Index(fields=["-created_at"], name="comment_created_idx"),
            # Full-text search finds approved comments only (#15).
            GinIndex(fields=["search_vector"], condition=Q(status="approved"),
                     name="comment_search_idx"),
            # New comments of an article since its last batch of mail to followers (#13).
            models.Index(fields=["article", "shown_at"], name="comment_shown_idx"),
            # The flood check looks a poster up by email or by IP address (#6, #7).
            models.Index(fields=["ip_address", "created_at"], name="comment_ip_idx"),
            # Pages of threads: top-level comments in date order, or by size (#7), each with
            # what a page of threads reads, so that page 700 of a long discussion skips the
            # threads before it in the index alone (#29).
            models.Index(
                fields=["article", "created_at", "id"], condition=Q(level=0),
                include=THREAD_PAGE, name="comment_pages_idx",
            ),
            models.Index(
                fields=["article", "-thread_comment_count", "created_at", "id"],
                condition=Q(level=0), include=THREAD_PAGE[:2], name="comment_pages_size_idx",
            ),
            models.Index(
                fields=["article", "-best", "created_at", "id"], condition=Q(level=0),
                include=THREAD_PAGE, name="comment_pages_best_idx",
            ),
        ]  # fmt: skip
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "spam", "removed"]),
                name="comment_status_valid",
            ),
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~Q(source=""),
                name="comment_imported_once",
            ),
        ]

    def __str__(self):
        # The admin shows this in titles and labels: an invisible character written out (#18).
        return text.shown(f"{self.author_name}: {self.body[:40]}")

    def save(self, *args, **kwargs):
        self.render()
        super().save(*args, **kwargs)

    def render(self):
        """Its body's HTML and its header, rendered once here rather than on every page view
        (#7); a bulk insert (an import) calls this for each row, as ``save`` does."""
        self.body_html = self.rendered_body()
        render_header(self)

    def rendered_body(self):
        """Its body's HTML, rendered once per text: the posting rules count its links before
        ``save`` stores it (#29)."""
        text = (self.body, self.markup)
        if getattr(self, "_rendered", (None, ""))[0] != text:
            self._rendered = (text, comment_html(self.body, self.markup))
        return self._rendered[1]

    def may_be_edited(self, rules):
        """Whether its writer may still change it: within the edit window of the Discussion
        settings, with no reply under it, and neither spam nor removed (#12)."""
        return (
            rules.edit_minutes > 0
            and self.status in (Comment.Status.APPROVED, Comment.Status.PENDING)
            and self.rght - self.lft == 1
            and timezone.now() < self.editable_until(rules)
        )

    def editable_until(self, rules):
        """When the edit window of the Discussion settings closes for this comment."""
        return self.created_at + timedelta(minutes=rules.edit_minutes)

    def get_absolute_url(self):
        """The permalink, which finds the comment's page however the discussion grows."""
        return reverse("comments:permalink", args=[self.pk])
