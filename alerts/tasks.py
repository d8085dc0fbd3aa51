"""The worker's side of alerts (issue #26): one attempt per run, retried with back-off.

Like mail, a delivery's row is locked while it is sent, so a task queued twice sends once; the
HTTP request has ALERT_TIMEOUT seconds, so a hung endpoint holds a worker no longer than that.
"""

import http.client
import urllib.error
import urllib.request

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from alerts import payloads
from alerts.models import Attempt, Delivery, Endpoint
from notifications.tasks import backoff

RETRYABLE = {408, 425, 429}  # and every 5xx: the endpoint may take it later


class NoRedirects(urllib.request.HTTPRedirectHandler):
    # A webhook that moved is a setting to fix, not a place to follow the message to.
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirects)


def send(delivery):
    """(response code or None, error or "", whether a retry may help) of one attempt."""
    method, url, headers, body = payloads.request(delivery)
    req = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with OPENER.open(req, timeout=settings.ALERT_TIMEOUT) as response:
            return response.status, "", False
    except urllib.error.HTTPError as error:
        answer = error.read(200).decode(errors="replace").strip()
        text = " ".join(f"HTTP {error.code} {error.reason} {answer}".split())
        return error.code, text[:500], error.code in RETRYABLE or error.code >= 500
    except urllib.error.URLError as error:  # never the URL itself: a bot token is in it
        return None, f"not reached: {error.reason}"[:500], True
    except (OSError, http.client.HTTPException, ValueError) as error:
        return None, f"{type(error).__name__}: {error}"[:500], True


@task()
def deliver(delivery_id):
    with transaction.atomic():
        delivery = (
            Delivery.objects.queued().select_related("endpoint")
            .select_for_update(skip_locked=True, of=("self",)).filter(pk=delivery_id).first()
        )  # fmt: skip
        if delivery is None:  # sent, given up, or being sent by another worker
            return "nothing to do"
        endpoint = delivery.endpoint
        if not endpoint.is_enabled:
            delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
            delivery.save(update_fields=["status", "next_attempt_at"])
            return delivery.status
        delivery.attempts += 1
        code, error, retry = send(delivery)
        Attempt.objects.create(
            delivery=delivery, endpoint=endpoint, is_ok=not error, response_code=code, error=error
        )
        delivery.next_attempt_at = None
        if not error:
            delivery.status, delivery.sent_at = Delivery.Status.SENT, timezone.now()
            attempt_worked(endpoint)
        else:
            attempt_failed(endpoint, error)
            delays = settings.ALERT_RETRY_DELAYS
            if (
                retry
                and delivery.attempts <= len(delays)
                and endpoint.failures < settings.ALERT_DISABLE_AFTER
            ):
                delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts, delays)
                deliver.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
            else:
                delivery.status = Delivery.Status.FAILED
        delivery.save()
        return delivery.status


def attempt_failed(endpoint, error):
    """Count a failed attempt; after ALERT_DISABLE_AFTER in a row the endpoint is switched off."""
    Endpoint.objects.filter(pk=endpoint.pk).update(failures=F("failures") + 1)
    endpoint.refresh_from_db(fields=["failures"])
    if endpoint.failures >= settings.ALERT_DISABLE_AFTER and endpoint.is_enabled:
        reason = (f"Switched off {timezone.now():%Y-%m-%d %H:%M} UTC after {endpoint.failures} "
                  f"failed attempts in a row; the last: {error}")[:500]  # fmt: skip
        Endpoint.objects.filter(pk=endpoint.pk).update(is_enabled=False, disabled_reason=reason)


def attempt_worked(endpoint):
    Endpoint.objects.filter(pk=endpoint.pk).exclude(failures=0).update(failures=0)
