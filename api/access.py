"""Who calls the API, and what they may do (#30).

- Reads need nothing. A browser's session (cookies) makes them that reader's, as on the site:
  their own pending comments show.
- ``Authorization: Bearer <secret>`` names an ``ApiToken``: the call acts as its account, with
  no CSRF check (no browser sends the header by itself). A bad or revoked token is a 401.
- Writes without a token that carry cookies pass the site's CSRF rules (the browser's
  Sec-Fetch-Site or Origin, or Django's token): a page elsewhere cannot write as a reader.
  Writes with neither token nor cookies act as a guest, as a fresh browser would.
- Moderation needs a token of the "moderate" scope whose account is staff with the admin's
  permissions on comments.
"""

import logging
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from ninja.security import HttpBearer

from api import services
from api.models import ApiToken
from api.problems import Problem
from core.limits import address_key, refuse_if_over_limit

logger = logging.getLogger("api")


def caller(request, *, write=False):
    """The token of ``request`` (None without one), having set ``request.user`` to its account;
    for a write, also checks CSRF, the JSON body and the API's own write limit."""
    token = bearer_token(request)
    if token is not None:
        request.user = token.user
        request.api_token = token
    elif write and request.COOKIES:
        refuse_if_forged(request)
    if write:
        if request.body and not request.content_type == "application/json":
            raise Problem(415, "Send the body as JSON, with Content-Type: application/json.")
        who = (
            f"token:{token.pk}"
            if token is not None
            else address_key(request.META.get("REMOTE_ADDR"))
        )
        limit(f"api:write:{who}", settings.API_WRITES_PER_MINUTE, 60)
    return token


def bearer_token(request):
    """The ``ApiToken`` the Authorization header names, None without the header; a Problem
    (401) for a header that is not a bearer token in force."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise Problem(401, "Send a token as “Authorization: Bearer <secret>”.",
                      headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
    token = services.token_for(secret.strip())
    if token is None:
        raise Problem(401, "This token is unknown or was revoked.",
                      headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})  # fmt: skip
    return token


def _protected_view(request):  # what the CSRF check is run for: a view that is not exempt
    return None


def refuse_if_forged(request):
    """The site's CSRF rules, for a write that carries cookies: passed when the browser said it
    comes from one of our pages (``forum.middleware.OriginCsrfMiddleware``), or by Django's."""
    if getattr(request, "csrf_processing_done", False):
        return
    refused = CsrfViewMiddleware(lambda r: None).process_view(request, _protected_view, (), {})
    if refused is not None:
        raise Problem(
            403, "A browser's write needs this site's CSRF token or Origin; other clients send "
            "a token instead of cookies.", kind="csrf",
        )  # fmt: skip


def limit(key, limit, seconds):
    """``core.limits.refuse_if_over_limit`` as a 429 with Retry-After: the end of the window."""
    try:
        refuse_if_over_limit(key, limit=limit, seconds=seconds)
    except ValidationError as error:
        raise too_many(error.messages[0], retry_after_window(seconds)) from None


def retry_after_window(seconds):
    now = timezone.now().timestamp()
    return max(1, math.ceil(seconds - now % seconds))


def too_many(detail, retry_after):
    return Problem(429, detail, headers={"Retry-After": str(retry_after)})


class ModeratorToken(HttpBearer):
    """A token of the "moderate" scope; the views check the admin's permissions it needs."""

    def __call__(self, request):
        token = bearer_token(request)
        if token is None:
            raise Problem(401, "Moderation needs a token: “Authorization: Bearer <secret>”.",
                          headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
        if token.scope != ApiToken.Scope.MODERATE or not token.user.is_staff:
            raise Problem(403, "This token may not moderate.", kind="scope")
        request.user = token.user
        request.api_token = token
        return token

    def authenticate(self, request, token):  # ``__call__`` does the work
        return None


def require_permission(request, codename):
    """403 unless the token's account holds ``codename`` ("comments.change_comment")."""
    if not request.user.has_perm(codename):
        raise Problem(403, "Your account lacks the admin's permission for this.", kind="permission")
