"""A session that brings its member along (#29): one query reads both.

Django reads a signed-in reader's session, then their user, two queries on every page. Here the
session row carries the user it signs in (``accounts.models.Session.user``, written on every
save), the session is read joined to it by one statement made once from the models, and the
backends take that user rather than asking again. Django's own ``auth.get_user`` still does
every check: the backend named in the session, the password's session hash, an inactive member
refused.

- ``SESSION_ENGINE = "accounts.sessions"``: ``SessionStore``.
- ``AuthenticationMiddleware`` in place of Django's: it lets the backends see the request's
  session while ``auth.get_user`` runs.
- ``ModelBackend`` and ``AuthenticationBackend`` (allauth's) in ``AUTHENTICATION_BACKENDS``.
"""

from contextvars import ContextVar
from functools import cache

from allauth.account import auth_backends
from django.contrib import auth
from django.contrib.auth import backends, middleware
from django.contrib.sessions.backends import db
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

_session = ContextVar("session being signed in", default=None)


class SessionStore(db.SessionStore):
    member = None  # the user the session names, read with it (None: none, or not yet read)

    @classmethod
    def get_model_class(cls):
        from accounts.models import Session

        return Session

    def _get_session_from_db(self):
        """The live session row, ``member`` with it: one statement written once (``read``),
        as the ORM's building of a query costs more than the query, on every page a member
        reads. As Django's: no such session forgets the key, so a new one is never it."""
        self.member, row = None, None
        using = router.db_for_read(self.model)
        if self.session_key:
            with connections[using].cursor() as cursor:
                cursor.execute(read(using), [self.session_key, timezone.now()])
                row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        session_fields, user_fields = fields()
        cut = len(session_fields)
        if row[cut] is not None:
            self.member = auth.get_user_model().from_db(using, user_fields, row[cut:])
        return self.model.from_db(using, session_fields, row[:cut])

    def _validate_session_key(self, key):
        """Only what this store could have made (32 of [a-z0-9]; 40 fit the column): a forged
        cookie with a NUL or the like is no session, not a database error."""
        return (
            super()._validate_session_key(key)
            and len(key) <= 40
            and key.isascii()
            and key.isalnum()
        )

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = member_id(data)
        return session


@cache
def fields():
    """The columns ``read`` gives, as attribute names: the session's, then its user's (the
    primary key first)."""
    user = auth.get_user_model()._meta
    return (
        [field.attname for field in SessionStore.get_model_class()._meta.concrete_fields],
        [user.pk.attname] + [f.attname for f in user.concrete_fields if not f.primary_key],
    )


@cache
def read(using):
    """The statement that reads a live session by its key, joined to its user."""
    session, user = SessionStore.get_model_class()._meta, auth.get_user_model()._meta
    name = connections[using].ops.quote_name
    columns = [f"s.{name(session.get_field(f).column)}" for f in fields()[0]]
    columns += [f"u.{name(user.get_field(f).column)}" for f in fields()[1]]
    return (
        f"SELECT {', '.join(columns)} FROM {name(session.db_table)} s"
        f" LEFT JOIN {name(user.db_table)} u ON u.{name(user.pk.column)} = s.{name('user_id')}"
        f" WHERE s.{name('session_key')} = %s AND s.{name('expire_date')} > %s"
    )


def member_id(data):
    """The primary key of the user session ``data`` signs in, or None."""
    value = data.get(auth.SESSION_KEY)
    try:
        return None if value is None else auth.get_user_model()._meta.pk.to_python(value)
    except ValidationError:
        return None


class AuthenticationMiddleware(middleware.AuthenticationMiddleware):
    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: signed_in(request))


def signed_in(request):
    """Django's ``auth.get_user(request)``, with the member read with the session at hand."""
    token = _session.set(request.session)
    try:
        return auth.get_user(request)
    finally:
        _session.reset(token)


class MemberFromSession:
    def get_user(self, user_id):
        user = getattr(_session.get(), "member", None)
        if user is None or user.pk != user_id:
            return super().get_user(user_id)
        return user if self.user_can_authenticate(user) else None


class ModelBackend(MemberFromSession, backends.ModelBackend):
    pass


class AuthenticationBackend(MemberFromSession, auth_backends.AuthenticationBackend):
    """allauth's: sign in by username or email address (#12)."""
