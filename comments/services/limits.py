"""Limits read from the Discussion settings: previews, reports, the sign-in lock-out (#6).
The counting itself and who a client is are ``core.limits``."""

from datetime import timedelta

from comments.models import DiscussionSettings
from core.limits import (  # noqa: F401  (re-exported: settings and callers name them here)
    account_name,
    address_key,
    address_network,
    client_key,
    refuse_if_over_limit,
)

REPORTS_PER_HOUR = 20  # per IP address
PREVIEWS_PER_MINUTE = 30  # per IP address


def login_failure_limit(request, credentials):
    """Failed admin sign-ins allowed per username and IP (django-axes reads it)."""
    return DiscussionSettings.load().login_failure_limit or 1_000_000_000


def login_username(request, credentials):
    """The account a sign-in on the admin's or the account form is for (``account_name``)."""
    for name in ("username", "email"):
        if (credentials or {}).get(name):
            return account_name(credentials[name])
    data = getattr(request, "POST", {})
    return account_name(data.get("username") or data.get("login"))


def login_lockout_time(request):
    return timedelta(minutes=DiscussionSettings.load().login_lockout_minutes)
