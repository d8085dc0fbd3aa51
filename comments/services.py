"""Every write to comments goes through here (issue #3).

django-mptt computes ``lft``/``rght`` from what it has read, so two writers in one thread would
corrupt it. Each thread is its own MPTT tree, and a reply takes a transaction-scoped advisory lock
on its thread's ``tree_id`` before mptt reads the parent: replies to one thread queue up, replies
to different threads never wait for each other, and the lock holds across processes and app
servers because PostgreSQL keeps it. New threads take their ``tree_id`` from a sequence and need
no lock at all (see ``CommentManager``).
"""

import random
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from comments.models import Ban, Comment, DiscussionSettings, ModerationLog, RateLimit, Report
from forum.markup import comment_html
from forum.models import Article

# First keys of the two-key advisory locks this app takes: the second is the thread's tree_id, or
# a hash of the poster's IP address or email.
THREAD_LOCK = 1_702_000_001
POSTER_LOCK = 1_702_000_002
REPORTS_PER_HOUR = 20  # per IP address
PREVIEWS_PER_MINUTE = 30  # per IP address


def lock_thread(tree_id):
    """Hold the thread's lock until the current transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [THREAD_LOCK, tree_id])


def refresh_counts(tree_ids):
    """Recount these threads' approved comments and move their articles' counts by the change.

    Called inside the transaction of every write readers can see (an approved post, a moderation
    change, a deletion, an edit), after the change: each thread is recounted under its lock, so
    the stored counts are always exact (#7). Every call also bumps the articles'
    ``comments_version``, which keys the cached discussion.
    """
    tree_ids = sorted(set(tree_ids))
    for tree_id in tree_ids:  # in order, so that two batches never wait for each other
        lock_thread(tree_id)
    fresh = dict(
        Comment.objects.approved()
        .filter(tree_id__in=tree_ids)
        .values_list("tree_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    changes = defaultdict(lambda: [0, 0])  # article id: [comments, threads]
    changed = []
    roots = Comment.objects.filter(tree_id__in=tree_ids, level=0).only(
        "tree_id", "article_id", "thread_comment_count"
    )
    for root in roots:
        before, after = root.thread_comment_count, fresh.get(root.tree_id, 0)
        changes[root.article_id][0] += after - before
        changes[root.article_id][1] += (after > 0) - (before > 0)
        if after != before:
            root.thread_comment_count = after
            changed.append(root)
    Comment.objects.bulk_update(changed, ["thread_comment_count"])  # one UPDATE
    for article_id, (comments, threads) in sorted(changes.items()):
        move_counts(article_id, comments=comments, threads=threads)


def move_counts(article_id, *, comments=0, threads=0):
    """Add to an article's comment and thread counts, and bump its discussion's version."""
    Article.objects.filter(pk=article_id).update(
        comment_count=F("comment_count") + comments,
        thread_count=F("thread_count") + threads,
        comments_version=F("comments_version") + 1,
    )


def recount(article):
    """Set the counts of ``article`` and its threads from scratch: after an import, or to repair."""
    approved = (
        Comment.objects.approved()
        .filter(tree_id=OuterRef("tree_id"))
        .order_by()
        .values("tree_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    with transaction.atomic():
        roots = Comment.objects.filter(article=article, level=0)
        roots.update(thread_comment_count=Coalesce(Subquery(approved), 0))
        totals = roots.aggregate(
            comments=Coalesce(Sum("thread_comment_count"), 0),
            threads=Count("pk", filter=Q(thread_comment_count__gt=0)),
        )
        Article.objects.filter(pk=article.pk).update(
            comment_count=totals["comments"],
            thread_count=totals["threads"],
            comments_version=F("comments_version") + 1,
        )


def post_comment(
    *,
    article,
    body,
    author_name,
    author_email,
    author_url="",
    parent=None,
    user=None,
    ip_address=None,
    user_agent="",
    honeypot="",
    seconds_to_write=None,
):
    """Check the posting rules, then add the comment as the last reply of ``parent``.

    Without a parent it starts a new thread. The status comes from the Discussion settings.
    ``honeypot`` and ``seconds_to_write`` come from the web form's bot traps (None: no form).
    """
    rules = DiscussionSettings.load()
    user = user if user is not None and user.is_authenticated else None
    if not comments_open(article, rules):
        raise ValidationError("Comments are closed.", code="closed")
    if parent is not None and parent.article_id != article.pk:
        raise ValidationError("That comment belongs to another article.", code="parent")
    refuse_if_banned(user=user, email=author_email, ip_address=ip_address)
    comment = Comment(
        article=article,
        user=user,
        author_name=author_name,
        author_email=author_email.lower(),
        author_url=author_url,
        body=body,
        ip_address=ip_address,
        user_agent=user_agent[:300],
    )
    comment.status, comment.status_reason = decide_status(
        comment, rules, honeypot=honeypot, seconds_to_write=seconds_to_write
    )
    with transaction.atomic():
        # Check-then-insert under the poster's locks, so parallel posts cannot all pass.
        lock_poster(ip_address=ip_address, email=comment.author_email)
        if user is None or not user.is_staff:
            refuse_if_flooding(comment, rules)
        refuse_if_repeated(article=article, body=body, user=user, email=author_email, rules=rules)
        if parent is not None:
            lock_thread(parent.tree_id)
            # Re-read inside the lock: another writer may have just moved this thread's rght values.
            parent = Comment.objects.get(pk=parent.pk)
            if parent.status in (Comment.Status.SPAM, Comment.Status.REMOVED):
                raise ValidationError("That comment is no longer available.", code="parent")
            comment.parent = deepest_allowed(parent, rules.max_depth)
        comment.save()
        if comment.status == Comment.Status.APPROVED:  # held or spam: no reader's page changes
            refresh_counts([comment.tree_id])
        if comment.status == Comment.Status.PENDING and rules.notify_moderators:
            transaction.on_commit(lambda: notify_moderators(comment))
    return comment


def comments_open(article, rules):
    """Whether readers may comment on ``article`` now."""
    if not (article.is_published() and article.comments_open):
        return False
    days = rules.close_after_days
    return not days or article.published_at > timezone.now() - timedelta(days=days)


def decide_status(comment, rules, *, honeypot="", seconds_to_write=None):
    """(status, reason) for a new comment, by the rules of the Discussion settings."""
    if comment.user is not None and comment.user.is_staff:
        return Comment.Status.APPROVED, ""
    if honeypot:
        return Comment.Status.SPAM, "spam: the hidden trap field was filled in"
    if seconds_to_write is not None and rules.min_fill_seconds:
        if seconds_to_write < 0:
            return Comment.Status.SPAM, "spam: the form's timestamp was missing or forged"
        if seconds_to_write < rules.min_fill_seconds:
            return (
                Comment.Status.SPAM,
                f"spam: sent {seconds_to_write:.1f} s after the form was shown",
            )
    fields = [comment.author_name, comment.author_email, comment.author_url, comment.body]
    text = " ".join([*fields, comment.ip_address or ""]).lower()
    for word in rules.words(rules.disallowed_words):
        if word in text:
            return Comment.Status.SPAM, f"spam: disallowed word “{word}”"
    if rules.hold_all:
        return Comment.Status.PENDING, "held: every comment is held for review"
    for word in rules.words(rules.moderation_words):
        if word in text:
            return Comment.Status.PENDING, f"held: moderation word “{word}”"
    links = comment_html(comment.body).count("<a ")
    if links > rules.max_links:
        return Comment.Status.PENDING, f"held: {links} links"
    if rules.hold_first_comment and not has_approved_comment(comment.user, comment.author_email):
        return Comment.Status.PENDING, "held: first comment"
    return Comment.Status.APPROVED, ""


def has_approved_comment(user, email):
    # An empty address (an account without email) must not vouch for every other such account.
    by_author = Q(author_email=email.lower()) if email else Q(pk__in=[])
    if user:
        by_author |= Q(user=user)
    return Comment.objects.approved().filter(by_author).exists()


def lock_poster(*, ip_address, email):
    """Serialise this poster's writes (by IP, then email) until the transaction ends."""
    with connection.cursor() as cursor:
        for key in (f"ip:{ip_address or ''}", f"email:{email}"):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [POSTER_LOCK, key])


def refuse_if_flooding(comment, rules):
    """One comment per IP address and per email every N seconds (longer for new authors)."""
    known = has_approved_comment(comment.user, comment.author_email)
    seconds = rules.flood_seconds if known else rules.new_author_flood_seconds
    if not seconds:
        return
    since = timezone.now() - timedelta(seconds=seconds)
    last = Comment.objects.recent_by_poster(
        email=comment.author_email, ip_address=comment.ip_address, since=since
    ).first()
    if last is not None:
        wait = max(1, round(seconds - (timezone.now() - last.created_at).total_seconds()))
        raise ValidationError(
            f"You are commenting too quickly. Please wait {wait} more second{'s' * (wait != 1)} "
            "and send it again: your text is kept below.",
            code="flood",
            params={"wait": wait},
        )


def refuse_if_over_limit(key, *, limit, seconds):
    """Count one use of ``key``; refuse when it passes ``limit`` in the current window."""
    now = timezone.now()
    window_start = now - timedelta(seconds=now.timestamp() % seconds)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO comments_ratelimit (key, window_start, count) VALUES (%s, %s, 1) "
            "ON CONFLICT (key, window_start) DO UPDATE SET count = comments_ratelimit.count + 1 "
            "RETURNING count",
            [key[:200], window_start],
        )
        count = cursor.fetchone()[0]
    if count == 1 and random.random() < 0.01:  # now and then, forget windows long past
        RateLimit.objects.filter(window_start__lt=now - timedelta(days=1)).delete()
    if count > limit:
        raise ValidationError("Too many requests. Please wait a minute and try again.", code="rate")


def login_failure_limit(request, credentials):
    """Failed admin sign-ins allowed per username and IP (django-axes reads it)."""
    return DiscussionSettings.load().login_failure_limit or 1_000_000_000


def login_lockout_time(request):
    return timedelta(minutes=DiscussionSettings.load().login_lockout_minutes)


def refuse_if_repeated(*, article, body, user, email, rules):
    """Refuse the same text from the same author on the same article within the window."""
    if not rules.duplicate_window:
        return
    since = timezone.now() - timedelta(seconds=rules.duplicate_window)
    same_author = Q(user=user) if user else Q(author_email=email.lower())
    recent = Comment.objects.filter(same_author, article=article, body=body, created_at__gte=since)
    if recent.exists():
        raise ValidationError("You have already said that.", code="duplicate")


def refuse_if_banned(*, user, email, ip_address):
    """Raise a polite ValidationError when a ban in force covers this user, email or IP.

    Each target a ban names applies on its own: a ban on an account and a network refuses the
    account from anywhere, and anyone from the network.
    """
    target = ~Q(network="")
    if email:  # an account without email must not match every ban without one
        target |= Q(email__iexact=email)
    if user is not None:
        target |= Q(user=user)
    for ban in Ban.objects.active().filter(target):
        by_user = user is not None and ban.user_id == user.pk
        by_email = bool(email) and ban.email.lower() == email.lower()
        if by_user or by_email or ban.covers_ip(ip_address):
            until = f" until {timezone.localtime(ban.ends_at):%B %-d, %Y}" if ban.ends_at else ""
            raise ValidationError(
                f"Sorry, this site is not accepting your comments{until}. If you think this is "
                "a mistake, please contact the editors.",
                code="banned",
            )


def notify_moderators(comment):
    recipients = list(
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name="Moderators"), is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    if recipients:
        send_mail(
            "A comment is waiting for review",
            f"{comment.author_name} commented on “{comment.article}” ({comment.status_reason}):"
            f"\n\n{comment.body}\n\nReview it: "
            f"{settings.SITE_URL}{reverse('admin:comments_comment_change', args=[comment.pk])}",
            None,
            recipients,
        )


def set_status(comments, status, *, by=None, reason=""):
    """Move ``comments`` to ``status`` with one UPDATE and log each change; return how many."""
    comments = comments.exclude(status=status)
    with transaction.atomic():
        # Thread locks before row locks, in the order posting takes them.
        for tree_id in sorted(set(comments.values_list("tree_id", flat=True))):
            lock_thread(tree_id)
        changing = list(comments.select_for_update().values_list("pk", "status", "tree_id"))
        if not changing:
            return 0
        Comment.objects.filter(pk__in=[pk for pk, _, _ in changing]).update(
            status=status, status_reason=reason
        )
        ModerationLog.objects.bulk_create(
            ModerationLog(
                comment_id=pk, moderator=by, from_status=old, to_status=status, reason=reason
            )
            for pk, old, _ in changing
        )
        refresh_counts(tree_id for _, _, tree_id in changing)
    return len(changing)


def delete_comment(comment, *, by):
    """Delete one comment under its thread's lock; with replies it stays as a placeholder."""
    with transaction.atomic():
        lock_thread(comment.tree_id)
        comment = Comment.objects.get(pk=comment.pk)
        if comment.is_leaf_node():
            comment.delete()  # mptt closes the gap in the thread
            if comment.level == 0:  # the whole thread is gone
                count = comment.thread_comment_count
                move_counts(comment.article_id, comments=-count, threads=-(count > 0))
            else:
                refresh_counts([comment.tree_id])
            return "deleted"
        set_status(
            Comment.objects.filter(pk=comment.pk), Comment.Status.REMOVED, by=by, reason="deleted"
        )
        Comment.objects.filter(pk=comment.pk).update(body="", body_html="", header_html="")
        return "placeholder"


def authors_comments(comment):
    """Every comment by the same author: same email address, or same user account."""
    same = Q(author_email=comment.author_email) if comment.author_email else Q(pk=comment.pk)
    if comment.user_id:
        same |= Q(user_id=comment.user_id)
    return Comment.objects.filter(same)


def ban_author(comment, *, by, reason=""):
    """Ban the comment's author by email (and account), and remove all their comments."""
    with transaction.atomic():
        ban = Ban.objects.create(
            email=comment.author_email, user_id=comment.user_id, reason=reason, created_by=by
        )
        removed = set_status(
            authors_comments(comment), Comment.Status.REMOVED, by=by, reason="author banned"
        )
    return ban, removed


def report_comment(comment, *, reporter, reason, text="", ip_address=None):
    """Record a reader's report; enough of them send the comment back to pending."""
    if comment.status != Comment.Status.APPROVED:
        raise ValidationError("This comment cannot be reported.", code="not_reportable")
    refuse_if_over_limit(f"report:{ip_address}", limit=REPORTS_PER_HOUR, seconds=3600)
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
        if comment.report_count >= rules.reports_to_hold:
            comment.status_reason = f"held: {comment.report_count} reports"
            held = set_status(
                Comment.objects.filter(pk=comment.pk, status=Comment.Status.APPROVED),
                Comment.Status.PENDING,
                reason=comment.status_reason,
            )
            if held and rules.notify_moderators:
                transaction.on_commit(lambda: notify_moderators(comment))
    return report


def dismiss_reports(comments, *, by):
    """Close the open reports on ``comments``; they stay, or go back to, approved."""
    with transaction.atomic():
        Report.objects.filter(comment__in=comments, is_dismissed=False).update(is_dismissed=True)
        set_status(comments, Comment.Status.APPROVED, by=by, reason="reports dismissed")
        return comments.update(report_count=0)


def deepest_allowed(parent, max_depth):
    """``parent``, or its ancestor at the deepest level a reply may still hang from."""
    deepest = max_depth - 2  # a reply sits one level below its parent
    if parent.level <= deepest:
        return parent
    if deepest < 0:
        return None
    return parent.get_ancestors().get(level=deepest)
