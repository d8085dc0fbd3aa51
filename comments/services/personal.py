"""Personal data in comments (#12, GDPR articles 15, 17 and 20): a copy for the person it is
about, erasing the writer from comments while keeping the conversation readable, and forgetting
IP addresses after the retention period of the Discussion settings."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from comments import freshness
from comments.markup import store_headers
from comments.models import Comment, DiscussionSettings, Revision
from comments.services.moderation import set_status
from core.text import display_name
from notifications import services as mail

DELETED_NAME = "Deleted user"


def follow_member_name(user):
    """Their comments take the member's current name (#24), headers and cached pages too.
    Returns how many changed."""
    with transaction.atomic():
        name = display_name(user)
        changed = Comment.objects.filter(user=user).exclude(author_name=name)
        ids = list(changed.values_list("pk", flat=True))
        renamed = Comment.objects.filter(pk__in=ids)
        renamed.update(author_name=name)
        store_headers(renamed)
        freshness.threads_changed(renamed.values_list("tree_id", flat=True))
    return len(ids)


def follow_member_pictures(user_ids):
    """Those members' comments show their current picture (#28): headers and cached pages.
    Registered with avatars.services.changed, which calls it inside its transaction."""
    comments = Comment.objects.filter(user__in=user_ids)
    store_headers(comments)
    freshness.threads_changed(comments.values_list("tree_id", flat=True))


def comments_data(comments):
    """The comments as plain data for a download: text, article, times, status."""
    return [
        {
            "id": c.pk,
            "article": c.article.title,
            "article_url": settings.SITE_URL + c.article.get_absolute_url(),
            "posted_at": c.created_at.isoformat(),
            "edited_at": c.edited_at.isoformat() if c.edited_at else None,
            "status": c.status,
            "name": c.author_name,
            "email": c.author_email,
            "website": c.author_url,
            "text": c.body,
        }
        for c in comments.select_related("article").order_by("created_at", "pk")
    ]


def erase_writer(comments, *, remove=False, by=None):
    """Erase who wrote ``comments``: name, email, website, IP address, browser and account link
    go, and they show under "Deleted user". With ``remove`` their text goes too, and they show
    as "This comment was removed." where replies hang from them. Returns how many."""
    with transaction.atomic():
        ids = list(comments.values_list("pk", flat=True))
        chosen = Comment.objects.filter(pk__in=ids)
        for email in set(chosen.exclude(author_email="").values_list("author_email", flat=True)):
            mail.forget(email)  # their subscriptions and queued mail go too (#13)
        if remove:
            set_status(
                chosen, Comment.Status.REMOVED, by=by, reason="erased at the writer's request"
            )
            chosen.update(body="", body_html="")
            Revision.objects.filter(comment__in=ids).delete()  # earlier texts go too
        chosen.update(
            author_name=DELETED_NAME, author_email="", author_url="", ip_address=None,
            user_agent="", user=None,
        )  # fmt: skip
        store_headers(chosen)
        freshness.threads_changed(chosen.values_list("tree_id", flat=True))
    return len(ids)


def forget_old_ip_addresses(*, dry_run=False):
    """Clear the IP addresses of comments older than the Discussion settings keep them."""
    days = DiscussionSettings.load().ip_retention_days
    if not days:
        return 0
    old = Comment.objects.filter(
        created_at__lt=timezone.now() - timedelta(days=days), ip_address__isnull=False
    )
    return old.count() if dry_run else old.update(ip_address=None)
