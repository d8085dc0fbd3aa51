"""Members sign in to a frame through a popup (#30).

With third-party cookies blocked, a frame keeps only cookies partitioned to its host site: it
cannot see the member's session on forum. So the frame's script asks for a ``SignIn`` (a public
token and a secret that only the script holds), opens a popup on forum's own origin at the
token's address, where the member signs in with allauth's own pages as usual (or is signed in
already) and says yes to "Sign in to the discussion on <host>?". The frame then trades token and
secret, once, for a session of its own (``django.contrib.auth.login`` in the frame's request:
its cookie is partitioned like every cookie of the frame).

A SignIn is bound to its page (and so to its site's origin); it is answered by a POST with
Django's CSRF check, lasts ``SECONDS``, and is traded once, by one conditional UPDATE. The
secret is stored hashed; the token alone trades nothing.
"""

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.limits import refuse_if_over_limit
from embed.models import SignIn

SECONDS = 180  # from the click on "Sign in" to the trade: a sign-in, not a standing key
KEPT_SECONDS = 3600  # older rows are deleted; until then an old token says "expired"
STARTS_PER_CLIENT = 20  # sign-ins a client may start in ten minutes
TOKEN = re.compile(r"\A[A-Za-z0-9_-]{32}\Z")
SECRET = re.compile(r"\A[A-Za-z0-9_-]{43}\Z")

UNKNOWN = _("This sign-in is not known. Press “Sign in” in the comments again.")
EXPIRED = _("This sign-in has expired. Press “Sign in” in the comments again.")
USED = _("This sign-in was already used. Press “Sign in” in the comments again.")
CANCELLED = _("This sign-in was cancelled.")
CHOOSE = _("Choose “Sign in” or “Cancel”.")


def digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def start(page, client):
    """(SignIn, secret): a new sign-in into ``page``'s frame, asked for by ``client``."""
    refuse_if_over_limit(f"embed-sign-in:{client}", limit=STARTS_PER_CLIENT, seconds=600)
    now = timezone.now()
    SignIn.objects.filter(created_at__lt=now - timedelta(seconds=KEPT_SECONDS)).delete()
    secret = secrets.token_urlsafe(32)
    sign_in = SignIn.objects.create(
        token=secrets.token_urlsafe(24), secret_hash=digest(secret), page=page, created_at=now
    )
    return sign_in, secret


def expired(sign_in):
    return sign_in.created_at < timezone.now() - timedelta(seconds=SECONDS)


def for_popup(token):
    """The SignIn of ``token`` with its page and site, for the popup; ValidationError if it is
    unknown, expired, or its site may no longer embed."""
    sign_in = (
        SignIn.objects.select_related("page__site", "page__article", "user")
        .filter(token=token)
        .first()
    )
    if sign_in is None or not sign_in.page.site.is_active:
        raise ValidationError(UNKNOWN, code="unknown")
    if expired(sign_in):
        raise ValidationError(EXPIRED, code="expired")
    return sign_in


def answer(sign_in, user, *, yes):
    """The member's answer in the popup: ``user`` may sign in to the frame, or not. Once."""
    status = SignIn.Status.APPROVED if yes else SignIn.Status.CANCELLED
    changed = SignIn.objects.filter(pk=sign_in.pk, status=SignIn.Status.WAITING).update(
        status=status, user=user if yes else None
    )
    if not changed:
        raise ValidationError(USED, code="used")


def trade(page, token, secret):
    """The member a frame of ``page`` may sign in, once, for token and secret; None while the
    member has not answered yet; ValidationError saying why not otherwise."""
    sign_in = SignIn.objects.select_related("user").filter(token=token, page=page).first()
    if sign_in is None or not hmac.compare_digest(sign_in.secret_hash, digest(secret)):
        raise ValidationError(UNKNOWN, code="unknown")
    if expired(sign_in):
        raise ValidationError(EXPIRED, code="expired")
    if sign_in.status == SignIn.Status.WAITING:
        return None
    if sign_in.status == SignIn.Status.CANCELLED:
        raise ValidationError(CANCELLED, code="cancelled")
    traded = SignIn.objects.filter(pk=sign_in.pk, status=SignIn.Status.APPROVED).update(
        status=SignIn.Status.USED
    )
    if not traded or not sign_in.user.is_active:
        raise ValidationError(USED, code="used")
    return sign_in.user
