"""Everything that queues, confirms or stops mail (issue #13). Nothing here talks to an SMTP
server: mail is rendered and stored in the outbox, in the caller's transaction, and a worker
delivers it (``tasks.deliver``). Mail about a comment is queued by the comments app."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from core.text import fixed
from notifications.models import Address, Batch, Mail, Preferences, Subscription
from notifications.tasks import deliver

CONFIRM_SALT = "notifications.confirm"
UNSUBSCRIBE_SALT = "notifications.unsubscribe"
CONFIRM_DAYS = 7  # a confirmation link works this long
CONFIRMATION_EVERY = timedelta(days=1)  # at most one confirmation mail a day to an address
# Those a mail's unsubscribe link can switch off, and how its page names them.
PREFERENCES = {
    "article_comments": _("mail about new comments on articles I wrote"),
    "held_comments": _("mail about comments held for review (moderators)"),
}


def link(name, *args):
    return link_to_path(reverse(name, args=args))


def link_to_path(path):
    """The absolute URL of a path of this site, for a mail (which has no request to go by)."""
    return settings.SITE_URL + path


def one_line(value):
    """A header value: one line, without control or format characters, whatever a name held."""
    return fixed(value)[:300]


def unsubscribe_link(target):
    """The signed link that stops ``target``: {"s": subscription id}, {"p": [user id,
    preference]} or {"a": address} (all mail to the address)."""
    token = signing.dumps(target, salt=UNSUBSCRIBE_SALT, compress=True)
    return link("notifications:unsubscribe", token)


def read_unsubscribe_token(token):
    """The target of a token, or None for a forged or mangled one. Tokens never expire: the
    link in an old mail must still work."""
    try:
        target = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return target if isinstance(target, dict) and len(target) == 1 else None


def queue(
    *, to, kind, subject, text, html="", thread="", about=(), key=None, unsubscribe=None,
    asked=False,
):  # fmt: skip
    """Store one mail in the outbox and hand it to the workers; None when the address wants no
    mail from us, or a mail with this ``key`` was queued before. ``asked``: a mail the reader
    asked for a moment ago (a password reset), sent even to an address that stopped our mail."""
    to = to.strip().lower()
    stopped = Address.objects.filter(email=to, unsubscribed_at__isnull=False)
    if not to or (not asked and stopped.exists()):
        return None
    if key and Mail.objects.filter(key=key).exists():
        return None
    mail = Mail(
        to=to, kind=kind, subject=one_line(subject), text=text, html=html, thread=thread,
        about=list(about), key=key,
        unsubscribe_url=unsubscribe_link(unsubscribe) if unsubscribe else "",
    )  # fmt: skip
    try:
        with transaction.atomic():
            mail.save()
            deliver.enqueue(mail.pk)  # in the same transaction: both or neither
    except IntegrityError:  # the same key, queued a moment ago by another worker
        return None
    return mail


def queue_mail(*, to, kind, template, context, unsubscribe=None, language="", **fields):
    """Render ``template``'s subject, text and HTML parts (``<template>_subject.txt``, ``.txt``,
    ``.html``) in ``language`` (the recipient's, #27; empty: the site's default) and queue them.
    The footer links stop this kind of mail, or all mail."""
    to = to.strip().lower()
    context = {
        **context,
        "site_url": settings.SITE_URL,
        "site_name": settings.SITE_NAME,
        "unsubscribe_url": unsubscribe_link(unsubscribe) if unsubscribe else "",
        "unsubscribe_all_url": unsubscribe_link({"a": to}),
    }
    with translation.override(language or settings.LANGUAGE_CODE):
        return queue(
            to=to, kind=kind, unsubscribe=unsubscribe,
            subject=render_to_string(f"{template}_subject.txt", context),
            text=render_to_string(f"{template}.txt", context),
            html=render_to_string(f"{template}.html", context),
            **fields,
        )  # fmt: skip


# Functions ``f(user)`` giving a member's preferred language ("" for none): the accounts app,
# above this one, registers the profile's from AppConfig.ready (#27).
member_languages = []


def language_of(user=None, subscription=None):
    """The language of mail to a member (their profile's) or to a subscription's guest (the
    page's, when they subscribed); "" for the site's default."""
    if user is None and subscription is not None:
        user = subscription.user if subscription.user_id else None
    if user is not None:
        return next(filter(None, (found(user) for found in member_languages)), "")
    return subscription.language if subscription is not None else ""


def cancel_about(comment_ids, reason="the comment was removed before the mail left"):
    """Queued mails that tell of these comments are not sent (their comments were removed)."""
    return (
        Mail.objects.queued()
        .filter(about__overlap=list(comment_ids))
        .update(status=Mail.Status.CANCELLED, error=reason)
    )


def retry(mails):
    """Queue failed or cancelled mails again, with a new hour of retries; how many."""
    count = 0
    with transaction.atomic():
        for mail in mails.exclude(status=Mail.Status.SENT).select_for_update():
            mail.status, mail.attempts, mail.error = Mail.Status.QUEUED, 0, ""
            mail.queued_at, mail.next_attempt_at = timezone.now(), None
            mail.save()
            deliver.enqueue(mail.pk)
            count += 1
    return count


# Subscriptions and verified addresses.


def subscribe(wanted, *, email="", user=None):
    """Record what a reader asked for, ``wanted`` being (kind, topic, label) triples, in one
    query. A guest's address is then sent one confirmation mail (at most one a day), by a
    worker, and nothing else until its link is followed; a member's is verified already."""
    email = (user.email if user else email).strip().lower()
    if not (email and wanted):
        return
    language = translation.get_language() or ""  # the page's, for a guest's mail (#27)
    Subscription.objects.bulk_create(
        [Subscription(kind=k, topic=t, label=label[:300], email=email, user=user,
                      language=language)
         for k, t, label in wanted],
        ignore_conflicts=True,  # asked before: nothing changes
    )  # fmt: skip
    if user is None:
        confirm_address.enqueue(email, language)


def ask_to_confirm(email, language=""):
    """Queue the confirmation mail for an unverified address, unless one went in the last day."""
    with transaction.atomic():
        address, _ = Address.objects.select_for_update().get_or_create(email=email)
        recently = address.confirmation_sent_at and (
            address.confirmation_sent_at > timezone.now() - CONFIRMATION_EVERY
        )
        if address.verified_at or address.unsubscribed_at or recently:
            return None
        address.confirmation_sent_at = timezone.now()
        address.save(update_fields=["confirmation_sent_at"])
        token = signing.dumps(email, salt=CONFIRM_SALT)
        return queue_mail(
            to=email, kind="confirm", template="notifications/mail/confirm",
            context={"confirm_url": link("notifications:confirm", token), "days": CONFIRM_DAYS},
            language=language,
        )  # fmt: skip


@task()
def confirm_address(email, language=""):
    """The worker's side of ``subscribe``: the confirmation mail for an address a guest gave
    (in the language of the page they gave it on), unless it is confirmed already or one went
    in the last day."""
    ask_to_confirm(email, language)


def read_confirm_token(token):
    """The address a confirmation link is for, or None when it is forged or too old."""
    try:
        return signing.loads(token, salt=CONFIRM_SALT, max_age=timedelta(days=CONFIRM_DAYS))
    except signing.BadSignature:
        return None


def confirm(email):
    address, _ = Address.objects.get_or_create(email=email)
    if address.verified_at is None:
        address.verified_at = timezone.now()
        address.save(update_fields=["verified_at"])
    return address


def subscribers(kind, topic):
    """The subscriptions of ``topic`` whose address may be mailed, with the address to use:
    members at their account's address, guests once they confirmed theirs."""
    found = list(Subscription.objects.filter(kind=kind, topic=topic).select_related("user"))
    guests = [s.email for s in found if s.user_id is None]
    verified = set(
        Address.objects.filter(email__in=guests, verified_at__isnull=False).values_list(
            "email", flat=True
        )
    )
    return [
        (s, s.user.email.lower() if s.user_id else s.email)
        for s in found
        if (s.user_id and s.user.is_active and s.user.email) or s.email in verified
    ]


def unsubscribe(target):
    """Stop what ``target`` names (see ``unsubscribe_link``). Doing it twice changes nothing."""
    if "s" in target:
        Subscription.objects.filter(pk=target["s"]).delete()
    elif "p" in target:
        user_id, name = target["p"]
        if name in PREFERENCES and get_user_model().objects.filter(pk=user_id).exists():
            Preferences.objects.update_or_create(user_id=user_id, defaults={name: False})
    elif "a" in target:
        email = str(target["a"]).lower()
        Address.objects.update_or_create(email=email, defaults={"unsubscribed_at": timezone.now()})
        cancel_to(email, "the address asked for no more mail")


def describe(target):
    """What an unsubscribe link stops, in words for its page; None when it no longer exists."""
    if "s" in target:
        subscription = Subscription.objects.filter(pk=target["s"]).first()
        return subscription and gettext("mail about %(label)s") % {"label": subscription.label}
    if "p" in target:
        name = target["p"][1] if len(target["p"]) == 2 else None
        return str(PREFERENCES[name]) if name in PREFERENCES else None
    return gettext("all mail from this site to %(address)s") % {"address": target["a"]}


def forget(email):
    """An erased writer: their subscriptions, their address and their queued mail go."""
    email = email.strip().lower()
    Subscription.objects.filter(email=email).delete()
    Address.objects.filter(email=email).delete()
    cancel_to(email, "the writer was erased")


def cancel_to(email, reason):
    """Mail still queued to ``email`` is not sent."""
    return (
        Mail.objects.queued()
        .filter(to=email.strip().lower())
        .update(status=Mail.Status.CANCELLED, error=reason)
    )


# Batches: many events in a short while, one run of a task.


def schedule_once(key, task, *args, delay):
    """Run ``task(*args)`` after ``delay`` unless a run for ``key`` is pending already."""
    with transaction.atomic():
        batch, _ = Batch.objects.select_for_update().get_or_create(key=key)
        if batch.due_at is None:
            batch.due_at = timezone.now() + delay
            batch.save(update_fields=["due_at"])
            task.using(run_after=batch.due_at).enqueue(*args)


def start_batch(key):
    """Called by a batched task as it starts: later events schedule a new run. Returns when the
    previous run started (None the first time) and when this one was due."""
    with transaction.atomic():
        batch, _ = Batch.objects.select_for_update().get_or_create(key=key)
        since, due = batch.last_run_at, batch.due_at
        batch.due_at, batch.last_run_at = None, timezone.now()
        batch.save(update_fields=["due_at", "last_run_at"])
    return since, due
