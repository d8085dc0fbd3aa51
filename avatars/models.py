"""Members' pictures beside their comments (issue #28): an uploaded one, held until staff approve
it, or their Gravatar, fetched by the worker. Both are stored here as re-encoded bytes and served
from the site's own origin, so no reader's browser asks another site for them."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class AvatarQuerySet(models.QuerySet):
    def shown(self):
        """Pictures readers may see: approved, with their bytes in place."""
        return self.filter(status=Avatar.Status.APPROVED).exclude(digest="")

    def gravatars_due(self, before):
        """Gravatars of members who opted in, never fetched or last fetched before ``before``."""
        due = Q(fetched_at__isnull=True) | Q(fetched_at__lt=before)
        return self.filter(due, kind=Avatar.Kind.GRAVATAR)


class Avatar(models.Model):
    class Kind(models.TextChoices):
        UPLOAD = "upload", "Uploaded picture"
        GRAVATAR = "gravatar", "Gravatar"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="avatars"
    )
    kind = models.CharField(max_length=10, choices=Kind)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    image = models.BinaryField(editable=False, blank=True, default=b"")  # WebP, re-encoded
    # A hash of the bytes keyed with the site's secret: the picture's URL, which changes with
    # the picture (so it may be cached for ever) and matches nothing on another site.
    digest = models.CharField(max_length=32, editable=False, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    fetched_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AvatarQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="avatar_one_of_each_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.user}"
