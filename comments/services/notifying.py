"""Mail about comments (issue #13): who hears of a comment, and when.

Nothing is sent for a comment readers cannot see. A comment that becomes visible (approved on
arrival, or by a moderator later) gets ``shown_at`` and an ``announce_comments`` task, in the
transaction that shows it (the tasks live here, beside the work they do, so that nothing here
imports a module that imports it back); the task, in a worker, queues the mails in the outbox of the
notifications app: "your comment was published" to its writer, "a reply to your comment" to the
parent's subscribers, and a batch for the article's followers and author. Removing a comment
cancels its mail still queued. Every recipient is verified, not banned, not its writer, and gets
one mail per comment however many rules name them.
"""

from collections import defaultdict
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django_tasks import task

from articles.models import Article
from comments.models import Ban, Comment, DiscussionSettings
from core.text import display_name
from notifications import services as mail
from notifications.models import Mail, Preferences, Subscription

Kind = Subscription.Kind
WANTS = {"replies", "article", "published"}  # what the comment form offers to its writer
MOST_IN_A_BATCH = 20  # comments shown in full in one mail to a follower; the rest are counted
BATCH_MARGIN = timedelta(minutes=1)  # a comment committed while the last batch ran is not lost


def topic(obj):
    return f"{type(obj).__name__.lower()}:{obj.pk}"


def address_of(comment):
    """Where its writer gets mail: a member's account address, or the address a guest gave."""
    return (comment.user.email if comment.user_id else comment.author_email).strip().lower()


def subscribe_writer(comment, wants, *, user=None):
    """What the writer ticked on the form. Spam subscribes to nothing, so the form cannot be
    used to mail strangers; a guest's address is confirmed before anything else goes to it."""
    if comment.status == Comment.Status.SPAM:
        return
    # In the language of the page the writer subscribed on, as their mail will be (#27).
    title = {"title": comment.article.title}
    offered = {
        "replies": (Kind.REPLIES, topic(comment),
                    gettext("replies to your comment on “%(title)s”") % title),
        "article": (Kind.ARTICLE, topic(comment.article),
                    gettext("new comments on “%(title)s”") % title),
        "published": (Kind.PUBLISHED, topic(comment),
                      gettext("your comment on “%(title)s” being published") % title),
    }  # fmt: skip
    if comment.status != Comment.Status.PENDING:
        del offered["published"]  # shown already
    wanted = [offered[kind] for kind in sorted(wants) if kind in offered]
    mail.subscribe(wanted, email=comment.author_email, user=user)


def comments_shown(ids):
    """Call in the transaction that approves comments ``ids``: those readers see for the first
    time get ``shown_at`` and one task to announce them. Approving one again announces nothing."""
    new = list(Comment.objects.filter(pk__in=list(ids), shown_at=None).values_list("pk", flat=True))
    if new:
        Comment.objects.filter(pk__in=new).update(shown_at=timezone.now())
        announce_later(new)


def announce_later(ids):
    """One task, however many comments a moderator approved, announces them."""
    announce_comments.enqueue(list(ids))


@task()
def announce_comments(comment_ids):
    """The worker's side of ``announce_later``: the mail of those comments still shown."""
    comments = Comment.objects.approved().select_related("article__author", "parent", "user")
    for comment in comments.filter(pk__in=comment_ids).order_by("pk"):
        announce(comment)


# Functions ``f(kind, comment=None, **data)`` told of moderation events; the alerts app registers
# its own from AppConfig.ready (#26), so comments imports nothing above it.
alert_listeners = []


def alert(kind, comment=None, **data):
    """Call in the transaction of a moderation event: "held", "spam" (the filter stored a new
    comment as spam), "report" (``report=`` the Report)."""
    for listener in alert_listeners:
        listener(kind, comment=comment, **data)


def comment_held(comment):
    """Call in the transaction that holds a comment for review: moderators hear of it."""
    tell_moderators.enqueue(comment.pk)
    alert("held", comment)


def members_address_used(comment, member):
    """Tell a member, at most once a day, that a comment was sent with their address by
    someone not signed in; the comment waits for a moderator (#23)."""
    mail.queue_mail(
        to=comment.author_email, kind="account", template="notifications/mail/address_used",
        context={"name": display_name(member),
                 "article": comment.article.title, "login_url": mail.link("account_login")},
        language=mail.language_of(member),
        key=f"address-used:{comment.author_email}:{timezone.localdate():%Y-%m-%d}",
    )  # fmt: skip


def comments_hidden(ids):
    """Call when comments become spam or are removed: their mail still queued is not sent."""
    mail.cancel_about(ids)


def banned(addresses):
    """Those of ``addresses`` a ban in force covers (by address, or by the account using it)."""
    if not addresses:
        return set()
    users = get_user_model().objects.alias(address=Lower("email")).filter(address__in=addresses)
    bans = Ban.objects.active().alias(address=Lower("email")).select_related("user")
    found = set()
    for ban in bans.filter(Q(address__in=addresses) | Q(user__in=users)):
        found |= {ban.email.lower(), ban.user.email.lower() if ban.user_id else ""}
    return found & set(addresses)


def announce(comment):
    """Queue the mail a newly shown comment causes (run by the ``announce_comments`` task)."""
    article, writer = comment.article, address_of(comment)
    context = {"comment": comment, "article": article, "url": link_to(comment)}
    thread = f"article-{article.pk}"
    for subscription, to in mail.subscribers(Kind.PUBLISHED, topic(comment)):
        mail.queue_mail(
            to=to, kind="published", template="comments/mail/published", context=context,
            thread=thread, about=[comment.pk], key=f"published:{comment.pk}",
            unsubscribe={"s": subscription.pk},
            language=mail.language_of(subscription=subscription),
        )  # fmt: skip
    if comment.parent_id:
        replies = mail.subscribers(Kind.REPLIES, topic(comment.parent))
        stopped = banned({to for _, to in replies})
        for subscription, to in replies:
            if to != writer and to not in stopped:
                mail.queue_mail(
                    to=to, kind="reply", template="comments/mail/reply",
                    context={**context, "parent": comment.parent}, thread=thread,
                    about=[comment.pk], key=f"reply:{comment.pk}:{to}",
                    unsubscribe={"s": subscription.pk},
                    language=mail.language_of(subscription=subscription),
                )  # fmt: skip
    minutes = DiscussionSettings.load().follow_batch_minutes
    if followers(article):
        key = f"follow:{topic(article)}"
        mail.schedule_once(key, send_new_comments, article.pk, delay=timedelta(minutes=minutes))


def followers(article):
    """{address: (unsubscribe target, followed since, language)} of those who get an article's
    new comments in batches: its followers, and its author (since always) unless they switched
    it off."""
    found = {
        to: ({"s": s.pk}, s.created_at, mail.language_of(subscription=s))
        for s, to in mail.subscribers(Kind.ARTICLE, topic(article))
    }
    author = article.author
    if author and author.is_active and author.email and Preferences.of(author).article_comments:
        found.setdefault(
            author.email.lower(),
            ({"p": [author.pk, "article_comments"]}, None, mail.language_of(author)),
        )
    return found


@task()
def send_new_comments(article_id):
    """One mail to each follower with the comments shown since the last batch that they did not
    write and were not mailed about already (a reply to them, say)."""
    article = Article.objects.select_related("author").filter(pk=article_id).first()
    if article is None:
        return 0
    since, due = mail.start_batch(f"follow:{topic(article)}")
    if since is None:  # the first batch: from the interval before it was due
        minutes = DiscussionSettings.load().follow_batch_minutes
        since = (due or timezone.now()) - timedelta(minutes=minutes)
    since -= BATCH_MARGIN
    new = list(
        Comment.objects.approved()
        .filter(article=article, shown_at__gt=since)
        .select_related("user")
        .order_by("shown_at", "pk")
    )
    if not new:
        return 0
    recipients = followers(article)
    stopped = banned(set(recipients))
    # What each of them was mailed about already (a reply to them, say), in one query.
    told = defaultdict(set)
    earlier = Mail.objects.filter(to__in=list(recipients), about__overlap=[c.pk for c in new])
    for to, about in earlier.values_list("to", "about"):
        told[to].update(about)
    sent = 0
    for to, (unsubscribe, joined, language) in recipients.items():
        if to in stopped:
            continue
        start = max(since, joined) if joined else since
        theirs = [
            c for c in new
            if address_of(c) != to and c.shown_at > start and c.pk not in told[to]
        ]  # fmt: skip
        if not theirs:
            continue
        mail.queue_mail(
            to=to, kind="follow", template="comments/mail/new_comments",
            context={"article": article, "comments": [
                {"comment": c, "url": link_to(c)} for c in theirs[:MOST_IN_A_BATCH]],
                "more": max(0, len(theirs) - MOST_IN_A_BATCH),
                "article_url": mail.link_to_path(article.get_absolute_url())},
            thread=f"article-{article.pk}", about=[c.pk for c in theirs], unsubscribe=unsubscribe,
            language=language,
        )  # fmt: skip
        sent += 1
    return sent


def moderators():
    """(user, address) of the active superusers and Moderators who did not switch it off."""
    users = (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name="Moderators"), is_active=True)
        .exclude(email="")
        .distinct()
    )
    off = set(Preferences.objects.filter(held_comments=False).values_list("user_id", flat=True))
    return [(u, u.email.lower()) for u in users if u.pk not in off]


@task()
def tell_moderators(comment_id):
    """A comment was held: each moderator gets a mail, or the daily digest is scheduled."""
    comment = Comment.objects.select_related("article").filter(pk=comment_id).first()
    if comment is None:
        return
    rules = DiscussionSettings.load()
    if rules.moderator_mail == rules.ModeratorMail.DAILY:
        mail.schedule_once("moderators:digest", send_moderator_digest, delay=timedelta(days=1))
        return
    if rules.moderator_mail != rules.ModeratorMail.EACH or comment.status != Comment.Status.PENDING:
        return
    for user, to in moderators():
        mail.queue_mail(
            to=to, kind="held", template="comments/mail/held",
            context={"comment": comment, "article": comment.article,
                     "review_url": mail.link("admin:comments_comment_change", comment.pk)},
            about=[comment.pk], unsubscribe={"p": [user.pk, "held_comments"]},
            language=mail.language_of(user),
        )  # fmt: skip


@task()
def send_moderator_digest():
    """The comments waiting for review, in one mail to each moderator."""
    mail.start_batch("moderators:digest")
    waiting = Comment.objects.filter(status=Comment.Status.PENDING).select_related("article")
    count = waiting.count()
    if not count:
        return 0
    context = {
        "comments": list(waiting.order_by("created_at")[:50]),
        "count": count,
        "queue_url": mail.link("admin:comments_comment_changelist") + "?status__exact=pending",
    }
    for user, to in moderators():
        mail.queue_mail(
            to=to, kind="digest", template="comments/mail/digest", context=context,
            unsubscribe={"p": [user.pk, "held_comments"]}, language=mail.language_of(user),
        )  # fmt: skip
    return count


def link_to(comment):
    return mail.link("comments:permalink", comment.pk)
