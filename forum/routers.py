"""Reads from a streaming replica, writes to the primary, and readers see their own writes.

The replica is in use only when DATABASE_REPLICA_URL adds the "replica" database (see
settings). It lags the primary by a moment, so a request reads from the primary once it has
written anything, and so does the same reader while their pin lasts (``core.writes``): the page
a comment form redirects to shows the new comment. The middleware pins a reader who wrote with
or without a replica: the article page reads its versions afresh for them (#29).

Outside a request (commands, the shell, migrations) every read goes to the primary: such code
reads what it is about to change.
"""

from contextvars import ContextVar

from django.conf import settings
from django.db import connections

from core.writes import PIN_COOKIE, is_pinned, pin

__all__ = ["PIN_COOKIE", "PrimaryAfterWriteMiddleware", "PrimaryReplicaRouter", "is_pinned"]
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

# True while the current request, or code outside any request, must read from the primary.
_use_primary = ContextVar("use_primary", default=True)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if _use_primary.get() or "replica" not in settings.DATABASES:
            return "default"
        return "replica"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        """The replica holds the primary's rows, so objects from either may be related."""
        return {obj1._state.db, obj2._state.db} <= {"default", "replica"} or None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        """Only the primary: the replica copies its schema from there."""
        return db == "default"


class PrimaryAfterWriteMiddleware:
    """Reads from the replica until the request writes; a reader who wrote gets the pin cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        wrote = request.method not in SAFE_METHODS
        state = _use_primary.set(wrote or is_pinned(request))

        # A write is any statement but a SELECT on the primary. A call to db_for_write() is not:
        # get_or_create() makes one for its first read, and every article page loads the
        # discussion settings that way.
        def note_writes(execute, sql, params, many, context):
            nonlocal wrote
            if str(sql).lstrip()[:6].upper() != "SELECT":
                wrote = True
                _use_primary.set(True)
            return execute(sql, params, many, context)

        try:
            with connections["default"].execute_wrapper(note_writes):
                response = self.get_response(request)
        finally:
            _use_primary.reset(state)
        if wrote:
            pin(response)
        return response
