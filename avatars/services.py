"""Every write to avatars, and the one lookup the comments' headers make (issue #28).

avatars sits below comments: it knows members and their email addresses, nothing of comments.
A comment's header stores its writer's picture URL (so a page looks nothing up per comment);
when a member's picture changes, the functions registered in ``changed`` (comments registers
its own from AppConfig.ready) store their comments' headers again.
"""

import hashlib
import logging
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_tasks import task

from avatars import images
from avatars.models import Avatar

logger = logging.getLogger(__name__)
Kind, Status = Avatar.Kind, Avatar.Status
REFRESH_AFTER = timedelta(days=7)

# Functions ``f(user_ids)`` called, inside the transaction, after those members' shown picture
# may have changed.
changed = []


def _changed(user_ids):
    user_ids = sorted(set(user_ids))
    for listener in changed:
        listener(user_ids)


def urls_for(user_ids):
    """{user id: URL of the picture shown beside their comments}, one query (none for no ids);
    members without one are left out. An approved upload wins over a Gravatar."""
    user_ids = [pk for pk in set(user_ids) if pk is not None]
    if not user_ids:
        return {}
    rows = Avatar.objects.shown().filter(user__in=user_ids).order_by("user", "-kind")
    urls = {}
    for user_id, digest in rows.values_list("user", "digest"):  # "upload" comes first
        urls.setdefault(user_id, reverse("avatars:picture", args=[digest]))
    return urls


def data_of(user):
    """A member's pictures as plain data for their download (the URL of each shown one)."""
    return [
        {
            "kind": a.kind,
            "status": a.status,
            "added_at": a.created_at.isoformat(),
            "fetched_at": a.fetched_at.isoformat() if a.fetched_at else None,
            "url": settings.SITE_URL + reverse("avatars:picture", args=[a.digest])
            if a.digest and a.status == Status.APPROVED
            else None,
        }
        for a in Avatar.objects.filter(user=user).order_by("kind").defer("image")
    ]


def _store(avatar, data):
    avatar.image = data
    avatar.digest = salted_hmac("avatars.picture", data, algorithm="sha256").hexdigest()[:32]


def upload(user, data):
    """Store a member's uploaded picture (bytes), re-encoded, pending until staff approve it;
    it replaces their earlier one. Raises ValidationError for a file we do not take."""
    picture = images.reencode(data)
    with transaction.atomic():
        # Two uploads at once (a double click) take turns rather than collide on the constraint.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        Avatar.objects.filter(user=user, kind=Kind.UPLOAD).delete()
        avatar = Avatar(user=user, kind=Kind.UPLOAD, status=Status.PENDING)
        _store(avatar, picture)
        avatar.save()
        _changed([user.pk])  # an approved picture it replaces is no longer shown
    return avatar


def set_status(avatars, status, *, by=None):
    """Approve or reject uploaded pictures (a queryset); returns how many changed."""
    with transaction.atomic():
        chosen = avatars.filter(kind=Kind.UPLOAD).exclude(status=status)
        user_ids = list(chosen.values_list("user", flat=True))
        count = chosen.update(status=status)
        _changed(user_ids)
    logger.info("%s set %d avatars %s", by, count, status)
    return count


def remove_upload(user):
    """The member takes their uploaded picture down."""
    with transaction.atomic():
        Avatar.objects.filter(user=user, kind=Kind.UPLOAD).delete()
        _changed([user.pk])


def uses_gravatar(user):
    return Avatar.objects.filter(user=user, kind=Kind.GRAVATAR).exists()


def set_gravatar(user, wanted):
    """Opt in (the worker fetches the picture) or out (the stored copy is deleted)."""
    with transaction.atomic():
        if not wanted:
            if Avatar.objects.filter(user=user, kind=Kind.GRAVATAR).delete()[0]:
                _changed([user.pk])
            return
        avatar, made = Avatar.objects.get_or_create(
            user=user, kind=Kind.GRAVATAR, defaults={"status": Status.APPROVED}
        )
        if made:
            fetch_gravatar.enqueue(avatar.pk)


def refresh_gravatars(*, now=None, dry_run=False):
    """Queue a fetch of every Gravatar not fetched this week; returns how many (weekly cron)."""
    before = (now or timezone.now()) - REFRESH_AFTER
    ids = list(Avatar.objects.gravatars_due(before).values_list("pk", flat=True))
    if dry_run:
        return len(ids)
    with transaction.atomic():
        for pk in ids:
            fetch_gravatar.enqueue(pk)
    return len(ids)


def gravatar_request(email):
    """The request for a member's Gravatar; only the worker makes it, never a reader's page."""
    key = hashlib.md5(email.strip().lower().encode(), usedforsecurity=False).hexdigest()
    url = f"{settings.GRAVATAR_URL}{key}?s={images.SIZE}&d=404"
    return urllib.request.Request(url, headers={"User-Agent": settings.SITE_NAME})


def download(email):
    """The bytes of the Gravatar of ``email``, or None when it has none (404) or sent a
    picture we do not take. Other failures raise, so the old copy stays until next week."""
    try:
        with urllib.request.urlopen(
            gravatar_request(email), timeout=settings.GRAVATAR_TIMEOUT
        ) as response:
            data = response.read(images.MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise
    try:
        return images.reencode(data)
    except ValidationError:
        return None


@task()
def fetch_gravatar(avatar_id):
    """Fetch and store one opted-in member's Gravatar (safe to run twice)."""
    avatar = Avatar.objects.filter(pk=avatar_id, kind=Kind.GRAVATAR).select_related("user")
    avatar = avatar.first()
    if avatar is None or not avatar.user.email:  # opted out since, or no address
        return "nothing to do"
    picture = download(avatar.user.email) or b""
    with transaction.atomic():
        locked = Avatar.objects.select_for_update().filter(pk=avatar.pk).first()
        if locked is None:  # opted out while it was fetched
            return "opted out"
        before = locked.digest
        if picture:
            _store(locked, picture)
        else:
            locked.image, locked.digest = b"", ""
        locked.fetched_at = timezone.now()
        locked.save()
        if locked.digest != before:
            _changed([locked.user_id])
    return "stored" if picture else "none"
