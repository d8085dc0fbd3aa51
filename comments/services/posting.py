"""Posting a comment and every rule it must pass: open, not banned, not flooding, not a
repeat, a reply no deeper than allowed; the status comes from the Discussion settings (#3-#6)."""

import functools
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from comments import freshness, hooks
from comments.models import Ban, Comment, DiscussionSettings, Revision
from comments.services import notifying
from comments.services.counts import lock_poster, lock_thread, refresh_counts
from comments.services.limits import address_network
from comments.services.moderation import set_status


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
    subscribe=(),
):
    """Check the posting rules, then add the comment as the last reply of ``parent``.

    Without a parent it starts a new thread. The status comes from the Discussion settings.
    ``honeypot`` and ``seconds_to_write`` come from the web form's bot traps (None: no form).
    ``subscribe``: the mail the writer asked for, of ``notifying.WANTS`` (#13).
    """
    rules = DiscussionSettings.load()
    user = user if user is not None and user.is_authenticated else None
    if not comments_open(article, rules):
        raise ValidationError(_("Comments are closed."), code="closed")
    if parent is not None and parent.article_id != article.pk:
        raise ValidationError(_("That comment belongs to another article."), code="parent")
    refuse_if_banned(user=user, email=author_email, ip_address=ip_address)
    member = None if user is not None else member_of_address(author_email)
    comment = Comment(
        article=article,
        user=user,
        author_name=author_name,
        author_email=author_email.lower(),
        author_url=author_url,
        body=body,
        ip_address=ip_address,
        user_agent=user_agent[:300],
        form_seconds=seconds_to_write if seconds_to_write and seconds_to_write > 0 else None,
    )
    verdict = None if user is not None and user.is_staff else hooks.score(comment)
    if verdict is not None:  # the spam filter's opinion, kept for moderators (#26)
        comment.spam_score, comment.spam_reasons = verdict.score, verdict.reasons[:300]
    known = author_known(comment)
    comment.status, comment.status_reason = decide_status(
        comment, rules, honeypot=honeypot, seconds_to_write=seconds_to_write, verdict=verdict,
        known=known,
    )  # fmt: skip
    if member is not None and comment.status == Comment.Status.APPROVED:
        # Said to the writer exactly as any held comment is: no page tells which addresses
        # have accounts (#23). The member hears of it by mail.
        comment.status, comment.status_reason = Comment.Status.PENDING, MEMBERS_ADDRESS
    if comment.status == Comment.Status.APPROVED:
        comment.shown_at = timezone.now()  # readers see it from now on: announced once (#13)
    with transaction.atomic():
        # Check-then-insert under the poster's locks, so parallel posts cannot all pass.
        lock_poster(ip_address=ip_address, email=comment.author_email)
        if user is None or not user.is_staff:
            refuse_if_flooding(comment, rules, known=known)
        refuse_if_repeated(article=article, body=body, user=user, email=author_email, rules=rules)
        if parent is not None:
            lock_thread(parent.tree_id)
            # Re-read inside the lock: another writer may have just moved this thread's rght values.
            parent = Comment.objects.get(pk=parent.pk)
            if parent.status in (Comment.Status.SPAM, Comment.Status.REMOVED):
                raise ValidationError(_("That comment is no longer available."), code="parent")
            comment.parent = deepest_allowed(parent, rules)
            if comment.parent is not None:  # read just now under the lock: mptt need not again
                comment.insert_at(
                    comment.parent, "last-child", allow_existing_pk=True, refresh_target=False
                )
        comment.save()
        if comment.status == Comment.Status.APPROVED:  # held or spam: no reader's page changes
            # Under the thread's lock, or in a new thread: counted exactly, in one statement.
            freshness.comment_added(comment.tree_id)
            notifying.announce_later([comment.pk])  # mail to its readers, by a worker (#13)
        elif comment.status == Comment.Status.PENDING:
            notifying.comment_held(comment)
        elif comment.status_reason.startswith(FILTER_SPAM):  # moderators may rescue it (#26)
            notifying.alert("spam", comment)
        notifying.subscribe_writer(comment, set(subscribe) & notifying.WANTS, user=user)
        if member is not None:
            notifying.members_address_used(comment, member)
    return comment


def edit_comment(comment, *, body, ip_address=None):
    """The writer replaces their comment's text (#12), within the edit window and while nobody
    has replied; the posting rules apply again, and the old text is kept as a Revision.

    An edit can hold a comment (three links, a moderation word) or mark it as spam, but never
    approves one: a held comment stays held until a moderator decides.
    """
    rules = DiscussionSettings.load()
    refuse_if_banned(user=comment.user, email=comment.author_email, ip_address=ip_address)
    with transaction.atomic():
        lock_thread(comment.tree_id)
        comment = (
            Comment.objects.select_for_update(of=("self",))
            .select_related("article", "user")
            .get(pk=comment.pk)
        )
        if not comment.may_be_edited(rules):
            raise ValidationError(TOO_LATE_TO_EDIT, code="too_late")
        Revision.objects.create(
            comment=comment, body=comment.body, written_at=comment.edited_at or comment.created_at
        )
        before = comment.status
        comment.body, comment.edited_at = body, timezone.now()
        status, reason = decide_status(comment, rules)
        comment.save(update_fields=["body", "body_html", "header_html", "markup_version",
                                    "edited_at"])  # fmt: skip
        if status != Comment.Status.APPROVED and status != before:
            set_status(Comment.objects.filter(pk=comment.pk), status, reason=f"edited, {reason}")
        else:
            refresh_counts([comment.tree_id])  # the text changed: cached pages go
    comment.refresh_from_db()
    return comment


TOO_LATE_TO_EDIT = _(
    "This comment can no longer be edited: the time to edit it has run out, or someone has "
    "replied to it. You can still delete it."
)


def comments_open(article, rules):
    """Whether readers may comment on ``article`` now."""
    if not (article.is_published() and article.comments_open):
        return False
    days = rules.close_after_days
    return not days or article.published_at > timezone.now() - timedelta(days=days)


def decide_status(
    comment, rules, *, honeypot="", seconds_to_write=None, verdict=None, known=None
):  # fmt: skip
    """(status, reason) for a new comment, by the rules of the Discussion settings.

    ``verdict``: the spam filter's (#26). At or above the spam score a comment is spam (only
    once the filter is trusted: before, it is held); at or above the hold score it is held;
    below, the other rules decide. ``known``: ``author_known`` for this comment, if made.
    """
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
    if verdict is not None:
        why = f"filter score {verdict.score:.2f}: {verdict.reasons}"[:180]
        if rules.spam_threshold and verdict.score >= rules.spam_threshold:
            if verdict.trusted:
                return Comment.Status.SPAM, f"spam: {why}"
            return Comment.Status.PENDING, f"held: {why} (still learning)"[:200]
        if rules.hold_threshold and verdict.score >= rules.hold_threshold:
            return Comment.Status.PENDING, f"held: {why}"
    if rules.hold_all:
        return Comment.Status.PENDING, "held: every comment is held for review"
    for word in rules.words(rules.moderation_words):
        if word in text:
            return Comment.Status.PENDING, f"held: moderation word “{word}”"
    links = comment.rendered_body().count("<a ")
    if links > rules.max_links:
        return Comment.Status.PENDING, f"held: {links} links"
    if rules.hold_first_comment and not (known or author_known(comment))():
        return Comment.Status.PENDING, "held: first comment"
    return Comment.Status.APPROVED, ""


def has_approved_comment(user, email):
    return Comment.objects.approved().by_author(user.pk if user else None, email).exists()


def author_known(comment):
    """A function telling, from one query on its first call, whether ``comment``'s author has
    an approved comment: the flood limit and the first-comment hold both ask (#29)."""
    return functools.cache(lambda: has_approved_comment(comment.user, comment.author_email))


def refuse_if_flooding(comment, rules, *, known=None):
    """One comment per IP address and per email every N seconds (longer for new authors).
    ``known``: ``author_known`` for this comment, if made."""
    if rules.flood_seconds == rules.new_author_flood_seconds:
        seconds = rules.flood_seconds  # whoever writes: no need to ask who they are
    else:
        known_author = (known or author_known(comment))()
        seconds = rules.flood_seconds if known_author else rules.new_author_flood_seconds
    if not seconds:
        return
    since = timezone.now() - timedelta(seconds=seconds)
    last = Comment.objects.recent_by_poster(
        email=comment.author_email, network=address_network(comment.ip_address), since=since
    ).first()
    if last is not None:
        wait = max(1, round(seconds - (timezone.now() - last.created_at).total_seconds()))
        raise ValidationError(
            ngettext(
                "You are commenting too quickly. Please wait %(wait)d more second and send it "
                "again: your text is kept below.",
                "You are commenting too quickly. Please wait %(wait)d more seconds and send it "
                "again: your text is kept below.",
                wait,
            ),
            code="flood",
            params={"wait": wait},
        )


def refuse_if_repeated(*, article, body, user, email, rules):
    """Refuse the same text from the same author on the same article within the window."""
    if not rules.duplicate_window:
        return
    since = timezone.now() - timedelta(seconds=rules.duplicate_window)
    recent = Comment.objects.by_author(user.pk if user else None, email).filter(
        article=article, body=body, created_at__gte=since
    )
    if recent.exists():
        raise ValidationError(_("You have already said that."), code="duplicate")


MEMBERS_ADDRESS = "held: a member's email address, sent without signing in"
FILTER_SPAM = "spam: filter score"  # how a comment the spam filter stored as spam begins (#26)


def member_of_address(email):
    """The member whose verified address ``email`` is, or None. A guest's comment with it is
    held and the member told, never refused: a refusal would tell anyone which addresses have
    accounts (#12, #23)."""
    address = EmailAddress.objects.filter(email__iexact=email, verified=True).first()
    return address.user if address is not None else None


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
            if ban.ends_at:
                until = date_format(timezone.localtime(ban.ends_at), gettext("F j, Y"))
                message = gettext(
                    "Sorry, this site is not accepting your comments until %(date)s. If you "
                    "think this is a mistake, please contact the editors."
                ) % {"date": until}
            else:
                message = gettext(
                    "Sorry, this site is not accepting your comments. If you think this is a "
                    "mistake, please contact the editors."
                )
            raise ValidationError(message, code="banned")


def deepest_allowed(parent, rules):
    """``parent``, or its ancestor at the deepest level a reply may still hang from; None when
    the settings allow no replies at all."""
    deepest = rules.deepest_replyable_level
    if parent.level <= deepest:
        return parent
    if deepest < 0:
        return None
    return parent.get_ancestors().get(level=deepest)
