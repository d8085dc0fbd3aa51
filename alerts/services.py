"""Alerts to moderators (issue #26): who is told of what, and the signed links they act on.

``event(kind, comment=..., **data)`` is the one entry point. comments calls it through
``notifying.alert`` (registered by AlertsConfig.ready), in the transaction that made the event:
it stores one Delivery per endpoint that chose the event and queues its task, so a rolled-back
comment alerts nobody and a request never waits on a webhook.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext
from django_tasks import task

from alerts import payloads
from alerts.models import Delivery, Endpoint, Event
from alerts.tasks import deliver
from comments.models import Comment
from comments.services import set_status
from notifications import services as mail

LINK_SALT = "alerts.moderate"
ACTIONS = {  # action: (button label, status it sets, reason logged)
    "approve": ("Approve", Comment.Status.APPROVED, "approved from a chat link"),
    "spam": ("Mark as spam", Comment.Status.SPAM, "marked spam from a chat link"),
}
OFFERED = {Event.HELD: ["approve", "spam"], Event.SPAM: ["approve"], Event.REPORT: ["spam"]}
TITLES = {
    Event.HELD: "Comment held for review",
    Event.SPAM: "Comment marked as spam by the filter",
    Event.REPORT: "Comment reported",
}
EXCERPT = 300
IN_A_DIGEST = 10


def link(comment, action):
    """A signed link for one action on one comment, valid ALERT_LINK_HOURS, and only while the
    comment keeps the status it had when the link was made."""
    token = signing.dumps({"c": comment.pk, "a": action, "s": comment.status}, salt=LINK_SALT)
    return mail.link("alerts:moderate", token)


def read_link(token):
    """{"c": comment id, "a": action, "s": status} of a valid link, or None."""
    try:
        found = signing.loads(
            token, salt=LINK_SALT, max_age=timedelta(hours=settings.ALERT_LINK_HOURS)
        )
    except signing.BadSignature:
        return None
    if not isinstance(found, dict) or found.get("a") not in ACTIONS:
        return None
    return found


def linked_comment(found):
    """The comment a valid link is for, while it still has the status it had; else None."""
    return (
        Comment.objects.select_related("article").filter(pk=found["c"], status=found["s"]).first()
    )


def act_on_link(found, *, by=None):
    """Do what a link says; return how many comments changed (0 when it was done already)."""
    _, status, reason = ACTIONS[found["a"]]
    chosen = Comment.objects.filter(pk=found["c"], status=found["s"])
    return set_status(chosen, status, by=by, reason=reason)


def about_comment(kind, comment, *, internal, report=None):
    """The message of an event about one comment."""
    article = comment.article
    who = comment.author_name
    if internal:
        who += f" <{comment.author_email}>" if comment.author_email else ""
        who += f" from {comment.ip_address}" if comment.ip_address else ""
    lines = [f"On “{article.title}”, by {who}:", comment.body[:EXCERPT]]
    if comment.status_reason:
        lines.append(f"Why: {comment.status_reason}")
    if report is not None:
        lines.append(
            f"Report: {report.get_reason_display()}" + (f", {report.text}" * bool(report.text))
        )
    review = mail.link("admin:comments_comment_change", comment.pk)
    actions = {a: link(comment, a) for a in OFFERED[kind]}
    data = {
        "comment": {
            "id": comment.pk, "status": comment.status, "reason": comment.status_reason,
            "author_name": comment.author_name, "body": comment.body,
            "created_at": comment.created_at.isoformat(),
            "url": mail.link("comments:permalink", comment.pk),
        },
        "article": {"id": article.pk, "title": article.title,
                    "url": mail.link_to_path(article.get_absolute_url())},
        "links": {"review": review, **actions},
    }  # fmt: skip
    if internal:
        data["comment"] |= {"author_email": comment.author_email,
                            "ip_address": comment.ip_address}  # fmt: skip
    if report is not None:
        data["report"] = {"reason": report.reason, "text": report.text}
    links = [("Review", review), *((ACTIONS[a][0], url) for a, url in actions.items())]
    return {"title": TITLES[kind], "lines": lines, "links": links, "data": data}


def digest(count, comments):
    queue = mail.link("admin:comments_comment_changelist") + "?status__exact=pending"
    lines = [f"{c.author_name} on “{c.article.title}”: {c.body[:80]}" for c in comments]
    if count > len(comments):
        lines.append(f"… and {count - len(comments)} more.")
    data = {"count": count, "queue_url": queue,
            "comments": [{"id": c.pk, "url": mail.link("admin:comments_comment_change", c.pk)}
                         for c in comments]}  # fmt: skip
    title = ngettext("%d comment waiting for review", "%d comments waiting for review", count)
    title %= count
    return {"title": title, "lines": lines, "links": [("Open the queue", queue)], "data": data}


def test_message():
    queue = mail.link("admin:comments_comment_changelist") + "?status__exact=pending"
    lines = [f"{settings.SITE_NAME} will post its alerts to moderators here."]
    return {"title": "Test message", "lines": lines, "links": [("Open the queue", queue)],
            "data": {"queue_url": queue}}  # fmt: skip


def send_test(endpoints):
    """A test message to each of ``endpoints`` that is switched on, whatever events it chose."""
    return event(Event.TEST, endpoints=endpoints)


def event(kind, comment=None, *, endpoints=None, **data):
    """Alert the endpoints that chose ``kind`` (an Event): "held", "spam" and "report" are
    about ``comment`` (``report=`` the Report for "report"); "digest" takes ``count`` and
    ``comments``. Returns the deliveries queued."""
    kind = Event(kind)
    if endpoints is None:
        endpoints = Endpoint.objects.wanting(kind)
    else:
        endpoints = endpoints.filter(is_enabled=True)
    if comment is not None:  # as stored: the caller's copy may predate the change (a report)
        comment.refresh_from_db(fields=["status", "status_reason"])
    if kind == Event.HELD:
        schedule_digest()
    made = []
    for endpoint in endpoints:
        if kind == Event.DIGEST:
            message = digest(data["count"], data["comments"])
        elif kind == Event.TEST:
            message = test_message()
        else:
            message = about_comment(kind, comment, internal=endpoint.is_internal, **data)
        message |= {"event": kind.value, "at": timezone.now().isoformat()}
        made.append(
            Delivery.objects.create(
                endpoint=endpoint, event=kind, comment_id=comment.pk if comment else None,
                message_id=f"msg_{secrets.token_urlsafe(18)}",
                body=payloads.body(message, endpoint),
            )
        )  # fmt: skip
    for delivery in made:
        deliver.enqueue(delivery.pk)
    return made


def schedule_digest():
    """A held comment starts the day's digest, if any endpoint wants one and none is due."""
    if Endpoint.objects.wanting(Event.DIGEST).exists():
        mail.schedule_once("alerts:digest", send_digest, delay=timedelta(days=1))


@task()
def send_digest():
    """The comments waiting for review, to the endpoints that chose the digest."""
    mail.start_batch("alerts:digest")
    waiting = Comment.objects.filter(status=Comment.Status.PENDING).select_related("article")
    count = waiting.count()
    if count:
        event(
            Event.DIGEST, count=count, comments=list(waiting.order_by("created_at")[:IN_A_DIGEST])
        )
    return count


def switch_on(endpoints):
    """Switch endpoints on again, with a clean slate; return how many."""
    return endpoints.update(is_enabled=True, failures=0, disabled_reason="")


def prune(*, older_than, dry_run=False):
    """Delete the deliveries made before ``older_than`` that are done with (and their attempts);
    return how many."""
    old = Delivery.objects.exclude(status=Delivery.Status.QUEUED).filter(created_at__lt=older_than)
    if dry_run:
        return old.count()
    with transaction.atomic():
        return old.delete()[1].get("alerts.Delivery", 0)
