"""A session that brings its member along (#29): one query reads both.

Django reads a signed-in reader's session, then their user, two queries on every page. Here the
session row carries the user it signs in (``accounts.models.Session.user``, written on every
save), the session is read joined to it, and the backends take that user rather than asking
again. Django's own ``auth.get_user`` still does every check: the backend named in the session,
the password's session hash, an inactive member refused.

- ``SESSION_ENGINE = "accounts.sessions"``: ``SessionStore``.
- ``AuthenticationMiddleware`` in place of Django's: it lets the backends see the request's
  session while ``auth.get_user`` runs.
- ``ModelBackend`` and ``AuthenticationBackend`` (allauth's) in ``AUTHENTICATION_BACKENDS``.
"""

from contextvars import ContextVar

from allauth.account import auth_backends
from django.contrib import auth
from django.contrib.auth import backends, middleware
from django.contrib.sessions.backends import db
from django.core.exceptions import ValidationError
from django.utils.functional import SimpleLazyObject

_session = ContextVar("session being signed in", default=None)


class SessionStore(db.SessionStore):
    member = None  # the user the session names, read with it (None: none, or not yet read)

    @classmethod
    def get_model_class(cls):
        from accounts.models import Session

        return Session

    def load(self):
        session = self._get_session_from_db()  # with its user (the model's manager)
        self.member = session.user if session else None
        return self.decode(session.session_data) if session else {}

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = member_id(data)
        return session


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
