"""Moderation: status changes (each logged), deletion, bans, reader reports, and mail to
moderators (#4). Status changes are one UPDATE per batch; tree fields never move."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F

from comments import freshness, hooks
from comments.models import Ban, Comment, DiscussionSettings, ModerationLog, Report, Revision
from comments.services import notifying
from comments.services.counts import lock_thread, move_counts, refresh_counts
from comments.services.featuring import refresh_featured
from comments.services.limits import REPORTS_PER_HOUR, address_key, refuse_if_over_limit
from notifications import services as mail


def set_status(comments, status, *, by=None, reason="", announce=True):
    """Move ``comments`` to ``status`` with one UPDATE and log each change; return how many.
    ``announce=False`` (an import) shows approved comments as of when they were written, with no
    mail: they are old news."""
    comments = comments.exclude(status=status)
    with transaction.atomic():
        # Thread locks before row locks, in the order posting takes them.
        for tree_id in sorted(set(comments.values_list("tree_id", flat=True))):
            lock_thread(tree_id)
        changing = list(
            comments.select_for_update().values_list(
                "pk", "status", "tree_id", "featured", "article_id", named=True
            )
        )
        if not changing:
            return 0
        ids = [c.pk for c in changing]
        Comment.objects.filter(pk__in=ids).update(status=status, status_reason=reason)
        ModerationLog.objects.bulk_create(
            ModerationLog(
                comment_id=c.pk, moderator=by, from_status=c.status, to_status=status,
                reason=reason,
            )
            for c in changing
        )  # fmt: skip
        refresh_counts(c.tree_id for c in changing)
        hooks.status_changed(ids, status, by)  # a moderator's decision teaches the filter (#26)
        boxes = {c.article_id for c in changing if c.featured}
        if boxes:  # a featured comment came or went: its article's Featured box changes
            refresh_featured(boxes)
        if status == Comment.Status.APPROVED and announce:
            notifying.comments_shown(ids)  # the first time: mail to readers (#13)
        elif status == Comment.Status.APPROVED:
            Comment.objects.filter(pk__in=ids, shown_at=None).update(shown_at=F("created_at"))
        elif status in (Comment.Status.SPAM, Comment.Status.REMOVED):
            notifying.comments_hidden(ids)  # their mail still queued is not sent
    return len(changing)


# What a moderator's buttons do, in the admin and on the site (#26): status, and the reason logged.
MOVES = {
    "approve": (Comment.Status.APPROVED, "approved"),
    "mark_as_spam": (Comment.Status.SPAM, "marked as spam"),
    "remove": (Comment.Status.REMOVED, "removed"),
}


def moderate(comments, move, *, by):
    """Apply the moderator's ``move`` (a key of ``MOVES``) to ``comments``; return how many."""
    status, reason = MOVES[move]
    return set_status(comments, status, by=by, reason=reason)


def rescue(comments, *, by):
    """Approve ``comments`` as "not spam" (#26), teaching the spam filter; return (how many,
    {author email: their other comments the filter stored as spam}), for the moderator."""
    rules = DiscussionSettings.load()
    chosen = list(comments.values_list("pk", "author_email"))
    n = set_status(comments, Comment.Status.APPROVED, by=by, reason="not spam")
    emails = {email for _, email in chosen if email}
    if not emails or not rules.spam_threshold:
        return n, {}
    earlier = (
        Comment.objects.filter(author_email__in=emails, spam_score__gte=rules.spam_threshold)
        .exclude(pk__in=[pk for pk, _ in chosen])
        .values("author_email")
        .annotate(n=Count("pk"))
    )
    return n, {row["author_email"]: row["n"] for row in earlier}


def delete_comment(comment, *, by):
    """Delete one comment under its thread's lock; with replies it stays as a placeholder."""
    with transaction.atomic():
        lock_thread(comment.tree_id)
        comment = Comment.objects.get(pk=comment.pk)
        if comment.is_leaf_node():
            comment.delete()  # mptt closes the gap in the thread
            notifying.comments_hidden([comment.pk])
            if comment.level == 0:  # the whole thread is gone
                count = comment.thread_comment_count
                move_counts(comment.article_id, comments=-count, threads=-(count > 0))
                freshness.discussion_changed([comment.article_id])
            else:
                refresh_counts([comment.tree_id])
            return "deleted"
        set_status(
            Comment.objects.filter(pk=comment.pk), Comment.Status.REMOVED, by=by, reason="deleted"
        )
        Comment.objects.filter(pk=comment.pk).update(body="", body_html="", header_html="")
        return "placeholder"


def delete_by_writer(comment, *, by=None):
    """The writer deletes their comment (#12): its text goes at once; replies keep their place
    under "This comment was removed.", and without approved replies readers see nothing. The
    row stays, removed, so that the moderation log records the deletion."""
    with transaction.atomic():
        set_status(
            Comment.objects.filter(pk=comment.pk), Comment.Status.REMOVED, by=by,
            reason="deleted by its writer",
        )  # fmt: skip
        Comment.objects.filter(pk=comment.pk).update(body="", body_html="", header_html="")
        Revision.objects.filter(comment=comment).delete()  # its earlier texts go too
        refresh_counts([comment.tree_id])  # also when it was removed already: the text went


def authors_comments(comment):
    """Every comment by the author of ``comment`` (``same_author``), this one included."""
    same = Comment.objects.by_author(comment.user_id, comment.author_email)
    return same | Comment.objects.filter(pk=comment.pk)


def ban_author(comment, *, by, reason=""):
    """Ban the comment's author by email (and account), and remove all their comments."""
    with transaction.atomic():
        ban = Ban.objects.create(
            email=comment.author_email, user_id=comment.user_id, reason=reason, created_by=by
        )
        removed = set_status(
            authors_comments(comment), Comment.Status.REMOVED, by=by, reason="author banned"
        )
        if comment.author_email:
            mail.cancel_to(comment.author_email, "the address was banned")
    return ban, removed


def reporter_of(*, user=None, ip_address=None):
    """Who reports: a member's account, else the guest's address (an IPv6 /64), so a client
    that drops its cookies is still the same reporter (#23)."""
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"address:{address_key(ip_address)}"


def report_weight(comment):
    """(weight, addresses) of the open reports on ``comment``: each member counts 1 and each
    guest 1/2, and ``addresses`` is how many clients (addresses, IPv6 /64s) they came from."""
    reports = Report.objects.filter(comment=comment, is_dismissed=False)
    reporters = list(reports.values_list("reporter", "ip_address"))
    members = sum(1 for reporter, _ in reporters if reporter.startswith("user:"))
    addresses = {address_key(ip) or reporter for reporter, ip in reporters}
    return members + (len(reporters) - members) / 2, len(addresses)


def report_comment(comment, *, reporter, reason, text="", ip_address=None):
    """Record a reader's report. The comment goes back to pending once its open reports weigh
    ``reports_to_hold`` (a member's report counts 1, a guest's 1/2) and come from at least two
    addresses (unless one report is set to hold): no one address can hide a comment (#23)."""
    if comment.status != Comment.Status.APPROVED:
        raise ValidationError("This comment cannot be reported.", code="not_reportable")
    refuse_if_over_limit(f"report:{address_key(ip_address)}", limit=REPORTS_PER_HOUR, seconds=3600)
    rules = DiscussionSettings.load()
    with transaction.atomic():
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    comment=comment,
                    reporter=reporter,
                    reason=reason,
                    text=text,
                    ip_address=ip_address,
                )
        except IntegrityError:
            raise ValidationError(
                "You have already reported this comment.", code="duplicate"
            ) from None
        Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
        comment.refresh_from_db(fields=["report_count", "status"])
        notifying.alert("report", comment, report=report)
        weight, addresses = report_weight(comment)
        if weight >= rules.reports_to_hold and addresses >= min(2, rules.reports_to_hold):
            comment.status_reason = f"held: {comment.report_count} reports"
            held = set_status(
                Comment.objects.filter(pk=comment.pk, status=Comment.Status.APPROVED),
                Comment.Status.PENDING,
                reason=comment.status_reason,
            )
            if held:
                notifying.comment_held(comment)
    return report


def dismiss_reports(comments, *, by):
    """Close the open reports on ``comments``; they stay, or go back to, approved."""
    with transaction.atomic():
        Report.objects.filter(comment__in=comments, is_dismissed=False).update(is_dismissed=True)
        set_status(comments, Comment.Status.APPROVED, by=by, reason="reports dismissed")
        return comments.update(report_count=0)


PURGE_BATCH = 1000


def purge_spam(*, older_than, batch_size=PURGE_BATCH, dry_run=False, progress=None):
    """Delete spam older than ``older_than`` (a datetime), in batches (#17): see ``purge``."""
    old = Comment.objects.filter(status=Comment.Status.SPAM, created_at__lt=older_than)
    return purge(old, batch_size=batch_size, dry_run=dry_run, progress=progress)


def purge(spam, *, batch_size=PURGE_BATCH, dry_run=False, progress=None):
    """Delete the spam among ``spam`` in batches, each its own short transaction, so the site
    serves on while years of spam go. A spam thread of one comment goes with a plain DELETE; a
    spam reply is deleted as a moderator would, closing its thread's numbers under the thread
    lock; spam with replies under it stays (the replies keep their place). Returns (deleted,
    kept because of replies)."""
    spam = spam.filter(status=Comment.Status.SPAM)
    alone = spam.filter(level=0, rght=2)  # a whole thread of one comment: no numbers move
    leaves = spam.filter(level__gt=0, rght=F("lft") + 1)
    kept = spam.count() - alone.count() - leaves.count()
    if dry_run:
        return alone.count() + leaves.count(), kept
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(alone.order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not batch:
                break
            Comment.objects.filter(pk__in=batch).delete()  # reports, logs and votes go too
        deleted += len(batch)
        if progress:
            progress(len(batch))
    for comment in leaves.order_by("pk").iterator():
        delete_comment(comment, by=None)
        deleted += 1
        if progress:
            progress(1)
    return deleted, kept
