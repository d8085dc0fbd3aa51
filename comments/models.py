import hashlib

from django.conf import settings
from django.db import connection, models
from django.db.models import Exists, ExpressionWrapper, OuterRef, Q
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet

from forum.markup import comment_html
from forum.models import Article

TREE_ID_SEQUENCE = "comments_comment_tree_id_seq"


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
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)

    objects = CommentManager()

    class MPTTMeta:
        parent_attr = "parent"

    class Meta:
        indexes = [
            models.Index(fields=["article", "tree_id", "lft"], name="comment_thread_idx"),
            models.Index(fields=["status", "created_at"], name="comment_queue_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "spam", "removed"]),
                name="comment_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.author_name}: {self.body[:40]}"

    def save(self, *args, **kwargs):
        self.body_html = comment_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"

    def is_visible(self):
        return self.status == self.Status.APPROVED

    def avatar_hue(self):
        """A colour for the generated avatar, stable per email address."""
        digest = hashlib.md5(self.author_email.strip().lower().encode(), usedforsecurity=False)
        return int(digest.hexdigest()[:4], 16) % 360

    def initials(self):
        words = self.author_name.split()
        return "".join(w[0] for w in words[:2]).upper() or "?"
