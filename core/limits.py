"""Rate limits counted in PostgreSQL and who a client or a sign-in is (#6, #23).

Every per-address rule keys on ``address_key``: an IPv4 address, or the IPv6 network of
``IPV6_PREFIX`` bits one client is given (a /64), so that a client cannot pass a limit by
changing the last bits of its address (#23). Sign-in failures count per account, whatever
spelling of its username or address was typed (``account_name``).
"""

import ipaddress
import random
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import RateLimit


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
        raise ValidationError(
            _("Too many requests. Please wait a minute and try again."), code="rate"
        )


def address_key(ip_address):
    """The client an address stands for: an IPv4 address, or an IPv6 address's /64 network
    (``settings.IPV6_PREFIX``) written as its first address; "" for none, the text for junk."""
    if not ip_address:
        return ""
    try:
        address = ipaddress.ip_address(ip_address)
    except ValueError:
        return str(ip_address)
    if address.version == 6 and address.ipv4_mapped:
        return str(address.ipv4_mapped)
    if address.version == 6:
        network = ipaddress.ip_network(f"{address}/{settings.IPV6_PREFIX}", strict=False)
        return str(network.network_address)
    return str(address)


def address_network(ip_address):
    """``address_key`` as a network (``a.b.c.d/32``, ``x::/64``) for ``ip_address__in_network``."""
    key = address_key(ip_address)
    if not key:
        return None
    prefix = settings.IPV6_PREFIX if ":" in key else 32
    return f"{key}/{prefix}"


def client_key(request):
    """``address_key`` of the client making ``request`` (django-axes reads it too)."""
    return address_key(request.META.get("REMOTE_ADDR"))


def account_name(typed):
    """Who a sign-in is for, however it was spelled: the username of the account the text names
    (its username in any letter case, or one of its email addresses), else the text case-folded,
    so every spelling of one account shares one count of failures (#23)."""
    typed = (typed or "").strip()
    if not typed:
        return None
    users = get_user_model().objects.order_by("pk")
    user = users.filter(username__iexact=typed).first()
    if user is None and "@" in typed:
        owner = EmailAddress.objects.filter(email__iexact=typed).values("user_id")[:1]
        user = users.filter(pk__in=owner).first() or users.filter(email__iexact=typed).first()
    return user.get_username() if user is not None else typed.casefold()
