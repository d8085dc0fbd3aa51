"""Making, finding and revoking API tokens (#30); the admin and the API call only these."""

import secrets
from datetime import timedelta

from django.utils import timezone

from api.models import ApiToken, digest

SECRET_PREFIX = "fk_"
# A token's "last used" is written at most this often: reads stay reads, nearly always.
LAST_USED_PRECISION = timedelta(minutes=1)


def issue_token(token):
    """Give the unsaved ``token`` a new secret, save it, and return the secret: the only time
    it exists outside the client that receives it."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token.key_hash, token.prefix = digest(secret), secret[:10]
    token.save()
    return secret


def token_for(secret):
    """The token in force whose secret this is, with its user, or None."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.in_force().select_related("user").filter(key_hash=digest(secret)).first()
    )
    if token is not None:
        now = timezone.now()
        if token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def revoke(tokens):
    """Revoke ``tokens`` at once; return how many were still in force."""
    return tokens.filter(revoked_at=None).update(revoked_at=timezone.now())
