"""A reader sees their own writes at once: the pin cookie.

A response to a request that wrote to the database (``forum.routers``) carries the pin, good
for ``pin_seconds()``. While it holds, that reader reads from the primary rather than from a
replica that may lag, and their article pages read the article's versions afresh rather than
from the worker's memo of the last second (``articles.views``, #29). The pin is a cookie, so it
holds on every app server.
"""

import math
import time

from django.conf import settings

PIN_COOKIE = "primary_until"


def pin_seconds():
    """How long a write pins its reader: longer than a replica lags, and than a worker
    remembers an article's versions."""
    return max(settings.DATABASE_REPLICA_PIN_SECONDS, math.ceil(settings.PAGE_VERSION_SECONDS))


def pin(response):
    seconds = pin_seconds()
    response.set_cookie(
        PIN_COOKIE, str(int(time.time()) + seconds), max_age=seconds,
        httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
    )  # fmt: skip


def is_pinned(request):
    """Whether the request carries a pin cookie that has not run out."""
    try:
        until = float(request.COOKIES.get(PIN_COOKIE, ""))
    except ValueError:
        return False
    now = time.time()
    return now < until <= now + pin_seconds()  # further ahead: not ours
