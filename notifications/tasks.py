"""The worker's side of the outbox: deliver one mail, exactly once, retrying what may pass later.

Several workers may run: django-tasks' database backend gives each task to one of them, and the
mail's row is locked while it is sent, so a mail queued twice (a "retry" clicked twice) still
leaves once. A crash between the SMTP server's "250" and the commit is the one case that can
send it again, when the mail is retried.
"""

import smtplib
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_tasks import task

from notifications.models import Mail


def message(mail):
    """The EmailMessage of ``mail``, with the headers that make mail clients thread it, filter
    it and unsubscribe in one click (RFC 3834, RFC 2369, RFC 8058)."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    stamp = salted_hmac("notifications.message-id", str(mail.pk)).hexdigest()[:16]
    headers = {
        "Message-ID": f"<mail.{mail.pk}.{stamp}@{domain}>",
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
    }
    if mail.thread:
        headers["In-Reply-To"] = headers["References"] = f"<{mail.thread}@{domain}>"
    if mail.unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = EmailMultiAlternatives(mail.subject, mail.text, to=[mail.to], headers=headers)
    if mail.html:
        email.attach_alternative(mail.html, "text/html")
    return email


def smtp_code(error):
    """The SMTP reply code of a failed send, or None when the server was not reached."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return min(code for code, _ in error.recipients.values())
    return getattr(error, "smtp_code", None)


def is_temporary(error):
    """4xx replies, refused or dropped connections and timeouts pass later; 5xx replies do not."""
    code = smtp_code(error)
    if code is not None:
        return 400 <= code < 500
    return isinstance(error, (OSError, smtplib.SMTPServerDisconnected))


def describe(error):
    """The error as the admin shows it: the SMTP server's reply, or the exception."""
    code = smtp_code(error)
    if code is not None and not isinstance(error, smtplib.SMTPRecipientsRefused):
        reply = error.smtp_error
        reply = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        return f"{code} {reply}"[:2000]
    return f"{type(error).__name__}: {error}"[:2000]


def backoff(attempts, delays):
    """How long to wait after ``attempts`` failed tries: ``delays`` (seconds) in turn, the last
    one repeating. Mail and the moderators' alerts (#26) retry the same way."""
    return timedelta(seconds=delays[min(attempts, len(delays)) - 1])


@task()
def deliver(mail_id):
    with transaction.atomic():
        mail = Mail.objects.queued().select_for_update(skip_locked=True).filter(pk=mail_id).first()
        if mail is None:  # sent, cancelled, or being sent by another worker
            return "nothing to do"
        mail.attempts += 1
        try:
            message(mail).send()
        except Exception as error:  # noqa: BLE001 - every failure is recorded on the mail
            mail.error = describe(error)
            retry_until = mail.queued_at + timedelta(seconds=settings.MAIL_RETRY_FOR)
            delay = backoff(mail.attempts, settings.MAIL_RETRY_DELAYS)
            if is_temporary(error) and timezone.now() + delay <= retry_until:
                mail.next_attempt_at = timezone.now() + delay
                deliver.using(run_after=mail.next_attempt_at).enqueue(mail.pk)
            else:
                mail.status, mail.next_attempt_at = Mail.Status.FAILED, None
        else:
            mail.status, mail.sent_at, mail.next_attempt_at = Mail.Status.SENT, timezone.now(), None
            mail.error = ""
        mail.save()
        return mail.status
