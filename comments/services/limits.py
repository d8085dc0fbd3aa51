"""Rate limits counted in PostgreSQL (previews, reports) and the admin sign-in lock-out (#6)."""

import random
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from comments.models import DiscussionSettings, RateLimit

REPORTS_PER_HOUR = 20  # per IP address
PREVIEWS_PER_MINUTE = 30  # per IP address


def refuse_if_over_limit(key, *, limit, seconds):
    """Count one use of ``key``; refuse when it passes ``limit`` in the current window."""
    now = timezone.now()
    window_start = now - timedelta(seconds=now.timestamp() % seconds)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO comments_ratelimit (key, window_start, count) VALUES (%s, %s, 1) "
            "ON CONFLICT (key, window_start) DO UPDATE SET count = comments_ratelimit.count + 1 "
            "RETURNING count",
            [key[:200], window_start],
        )
        count = cursor.fetchone()[0]
    if count == 1 and random.random() < 0.01:  # now and then, forget windows long past
        RateLimit.objects.filter(window_start__lt=now - timedelta(days=1)).delete()
    if count > limit:
        raise ValidationError("Too many requests. Please wait a minute and try again.", code="rate")


def login_failure_limit(request, credentials):
    """Failed admin sign-ins allowed per username and IP (django-axes reads it)."""
    return DiscussionSettings.load().login_failure_limit or 1_000_000_000


def login_username(request, credentials):
    """Who a sign-in is for: the username or email typed in the admin's or the account form."""
    for name in ("username", "email"):
        if (credentials or {}).get(name):
            return credentials[name]
    data = getattr(request, "POST", {})
    return data.get("username") or data.get("login") or None


def login_lockout_time(request):
    return timedelta(minutes=DiscussionSettings.load().login_lockout_minutes)
