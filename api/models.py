"""API tokens (#30): made in the admin for one account, kept only as a SHA-256 of their secret."""

import hashlib

from django.conf import settings
from django.db import models


def digest(secret):
    """The SHA-256 (hex) a token's secret is stored and looked up as."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def in_force(self):
        """Tokens not revoked, whose account is still active."""
        return self.filter(revoked_at=None, user__is_active=True)


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", "Read, and write as this account"
        MODERATE = "moderate", "Moderate too (staff with the admin's permissions)"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. “blog sync”.")
    scope = models.CharField(max_length=10, choices=Scope, default=Scope.READ)
    # The secret itself is shown once, when the token is made; only its digest is kept.
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=12, editable=False, help_text="The start of the secret, to tell tokens apart."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "API token"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope__in=["read", "moderate"]), name="apitoken_scope_valid"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_in_force(self):
        """The single-token twin of ``ApiTokenQuerySet.in_force()``."""
        return self.revoked_at is None and self.user.is_active

    is_in_force.boolean = True
