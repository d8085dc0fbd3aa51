"""Readers' votes on comments (issue #16): one per reader per comment, a member by account, a
guest by a signed, long-lived cookie; counted per IP address against stuffing."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from comments.models.comment import Comment


class Vote(models.Model):
    UP, DOWN = 1, -1

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    voter = models.CharField(
        max_length=64, blank=True, help_text="A guest's browser, from its signed voter cookie."
    )
    value = models.SmallIntegerField(choices=[(UP, "Up"), (DOWN, "Down")])
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "user"], condition=Q(user__isnull=False), name="vote_once_member"
            ),
            models.UniqueConstraint(
                fields=["comment", "voter"], condition=~Q(voter=""), name="vote_once_guest"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(voter=""), name="vote_has_a_voter"
            ),
        ]
        indexes = [models.Index(fields=["ip_address", "created_at"], name="vote_ip_idx")]

    def __str__(self):
        return f"{'+' if self.value > 0 else '-'}1 on comment {self.comment_id}"
