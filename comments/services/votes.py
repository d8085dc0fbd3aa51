"""Voting (issue #16): one vote per reader per comment, taken back by voting again; never on
one's own comment; a guest's once per comment per address, and limited per address and per
account (#23). Counts and the "best" score are kept on the comment under its row lock, so
concurrent voters never lose a vote."""

import math

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comments import freshness
from comments.models import Comment, DiscussionSettings, Vote
from comments.services.limits import address_key, address_network, refuse_if_over_limit

Z = 1.96  # 95% confidence


def wilson(up, down):
    """The lower bound of the Wilson score interval: Reddit's "best" order."""
    n = up + down
    if not n:
        return 0.0
    p = up / n
    return (p + Z * Z / (2 * n) - Z * math.sqrt((p * (1 - p) + Z * Z / (4 * n)) / n)) / (
        1 + Z * Z / n
    )


def vote(comment, *, value, user=None, voter="", ip_address=None, own=()):
    """Cast, change or take back (the same vote again) a reader's vote; returns the value that
    stands now (0: none) and the comment with its new counts.

    ``user``: a member; else ``voter``, a guest browser's key. ``own``: ids of the comments this
    browser wrote, on which it may not vote.
    """
    rules = DiscussionSettings.load()
    if value not in (Vote.UP, Vote.DOWN) or (value == Vote.DOWN and not rules.downvotes):
        raise ValidationError(_("That is not a vote this site takes."), code="value")
    user = user if user is not None and user.is_authenticated else None
    if comment.status != Comment.Status.APPROVED:
        raise ValidationError(_("This comment cannot be voted on."), code="not_shown")
    if comment.pk in own or (user is not None and comment.user_id == user.pk):
        raise ValidationError(_("You cannot vote on your own comment."), code="own")
    if rules.votes_per_ip_per_hour:
        limit = rules.votes_per_ip_per_hour
        refuse_if_over_limit(f"vote:{address_key(ip_address)}", limit=limit, seconds=3600)
        if user is not None:
            refuse_if_over_limit(f"vote:user:{user.pk}", limit=limit, seconds=3600)
    mine = Q(user=user) if user else Q(voter=voter, user=None)
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment.pk)  # votes queue here
        existing = Vote.objects.filter(mine, comment=comment).first()
        if existing is None and user is None:
            refuse_if_voted_from_here(comment, ip_address)
        if existing is not None:
            existing.delete()
            count(comment, existing.value, -1)
        now = 0
        if existing is None or existing.value != value:
            try:
                with transaction.atomic():
                    Vote.objects.create(comment=comment, user=user, voter="" if user else voter,
                                        value=value, ip_address=ip_address)  # fmt: skip
            except IntegrityError:  # the same reader, twice at once: the other one counted
                raise ValidationError(_("Your vote is already counted."), code="twice") from None
            count(comment, value, +1)
            now = value
        comment.best = wilson(comment.upvotes, comment.downvotes)
        comment.save(update_fields=["upvotes", "downvotes", "best"])
        freshness.scores_changed(comment.article_id)
    return now, comment


def refuse_if_voted_from_here(comment, ip_address):
    """A guest votes once per comment per address (an IPv6 /64) whatever cookie it sends, so
    dropping the cookie is no new voter (#23); members vote once per account from anywhere."""
    network = address_network(ip_address)
    if network and comment.votes.filter(user=None, ip_address__in_network=network).exists():
        raise ValidationError(
            _(
                "A vote from your network is already counted on this comment. "
                "Sign in to vote with your account."
            ),
            code="address",
        )


def count(comment, value, change):
    if value == Vote.UP:
        comment.upvotes += change
    else:
        comment.downvotes += change


def votes_of(article, *, user=None, voter=""):
    """{comment id: value} of this reader's votes on ``article``."""
    if user is not None and user.is_authenticated:
        mine = Q(user=user)
    elif voter:
        mine = Q(voter=voter, user=None)
    else:
        return {}
    return dict(
        Vote.objects.filter(mine, comment__article=article).values_list("comment_id", "value")
    )
