"""Who is reading (#25): worked out once per request, and passed to the read path and the views.

A ``Reader`` knows the member (if any), the comments this browser wrote (from its session), the
name and email it asked us to remember, and whether the page can be the one every reader without
a session gets (``articles.pages.shareable``, the one rule for sharing and compression). Per
article it finds, in one query, the comments the reader wrote there:

- the *pending* ones are shown to them alone: they alone make a page's markup the reader's own;
- the others are everyone's markup, and the reader's "Edit" and "Delete" (and no vote buttons
  on their own comment) are laid over the shared markup by ``comments.overlay``, so a member
  who has commented shares the cached threads with everyone else.

A worker keeps what it found (``articles.pages.recent``, #29) under the article's versions and
the reader's browser for at most PAGE_VERSION_SECONDS: the reader's own writes move one or the
other, so they see them at once; a comment they left held from another browser shows there
within that second (a held comment moves no version).
"""

import json
import secrets
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from articles import pages
from comments.models import Comment
from core import freshness
from notifications.models import Preferences

OWN_COMMENTS = "own_comments"  # session key: ids of the comments this browser wrote
AUTHOR_COOKIE = "comment_author"
AUTHOR_COOKIE_AGE = 365 * 24 * 3600


class Written(NamedTuple):
    """One of the reader's comments, as much of it as the read path needs (no model instance:
    a member may have written hundreds on one article)."""

    pk: int
    status: str
    tree_id: int
    level: int
    lft: int
    rght: int
    created_at: datetime
    thread_comment_count: int  # of a top-level comment: its thread's approved comments

    # The rules of Comment itself, on these fields.
    may_be_edited = Comment.may_be_edited
    editable_until = Comment.editable_until


class Own(dict):
    """{id: Written} of the reader's comments on one article; ``digest`` names them all in a
    cache key, and ``newest_first`` lists them as the edit windows close."""

    def __init__(self, rows=()):
        super().__init__((row.pk, row) for row in rows)
        self.newest_first = sorted(self.values(), key=lambda c: c.created_at, reverse=True)
        self.digest = freshness.digest(sorted(self.values())) if self else ""


NOBODY = Own()


class Reader:
    """The reader of one request; ``reader_of(request)`` makes it once."""

    def __init__(self, request):
        user = getattr(request, "user", None)
        self.user = user if user is not None and user.is_authenticated else None
        session = getattr(request, "session", None)
        self.browser = list(session.get(OWN_COMMENTS, [])) if session is not None else []
        self.remembered = remembered_author(request)
        self.shareable = pages.shareable(request)
        # Staff who may moderate see Spam / Remove / Edit under comments on the site (#26).
        self.moderator = bool(
            self.user and self.user.is_staff and self.user.has_perm("comments.change_comment")
        )
        self._written = {}  # article id: {comment id: comment}

    def written(self, article):
        """``Own``: {id: comment} of the reader's comments on ``article``: those this browser
        wrote and, for a member, all of theirs (status, thread and times only). One query at
        most once a second per worker, none for a reader who never wrote here."""
        if article.pk not in self._written:
            self._written[article.pk] = self._load(article)
        return self._written[article.pk]

    def _load(self, article):
        if not (self.browser or self.user):
            return NOBODY
        key = ("written", article.versions(), self.user and self.user.pk, tuple(self.browser))
        return pages.recent(key, lambda: self._read(article), own=True)[0]

    def _read(self, article):
        mine = Q(pk__in=self.browser)
        if self.user is not None:
            mine |= Q(user=self.user)
        rows = Comment.objects.filter(mine, article=article).values_list(*Written._fields)
        return Own(map(Written._make, rows))

    def own(self, article):
        """Sorted ids of every comment the reader wrote on ``article``."""
        return sorted(self.written(article))

    def pending(self, article):
        """Sorted ids of the reader's comments on ``article`` that wait for a moderator: the
        ``own`` that the visibility rule (``comments.models.shown``) takes."""
        held = Comment.Status.PENDING
        return sorted(pk for pk, c in self.written(article).items() if c.status == held)

    def own_threads(self, article):
        """How many threads only this reader sees: their pending top-level comments that have
        no approved comment under them (``Article.thread_count`` counts the others)."""
        return sum(
            c.level == 0 and c.status == Comment.Status.PENDING and not c.thread_comment_count
            for c in self.written(article).values()
        )

    def editable(self, article, rules):
        """Ids of the reader's comments on ``article`` they may still edit (#12): of the newest,
        up to the first whose edit window has closed."""
        now, found = timezone.now(), set()
        for c in self.written(article).newest_first:
            if c.editable_until(rules) <= now:
                break
            if c.may_be_edited(rules):
                found.add(c.pk)
        return found

    def replies_by_default(self):
        """Whether the member's form ticks "Email me replies" (their preferences), at most a
        second old in this worker; False for a guest."""
        if self.user is None:
            return False
        user = self.user
        return pages.recent(
            (REPLIES_BY_DEFAULT, user.pk), lambda: Preferences.of(user).replies_by_default,
            own=True,
        )[0]  # fmt: skip

    def wrote(self, comment):
        """Whether this reader wrote ``comment``: its member, or the browser that posted it."""
        if self.user is not None and comment.user_id == self.user.pk:
            return True
        return comment.pk in self.browser


REPLIES_BY_DEFAULT = "replies_by_default"


def preferences_saved(user_id):
    """A member's preferences changed: this worker forgets what it remembered of them."""
    pages.forget_own((REPLIES_BY_DEFAULT, user_id))


def reader_of(request):
    """The request's Reader, made on first use."""
    reader = getattr(request, "_reader", None)
    if reader is None:
        reader = request._reader = Reader(request)
    return reader


def remember_own_comment(request, comment):
    """This browser wrote ``comment`` (the last 50 are kept in its session)."""
    request.session[OWN_COMMENTS] = [*request.session.get(OWN_COMMENTS, []), comment.pk][-50:]
    request.__dict__.pop("_reader", None)  # what it knew is out of date


def remembered_author(request):
    """The name, email and website this browser asked us to remember, or {}."""
    raw = request.get_signed_cookie(AUTHOR_COOKIE, default=None, salt=AUTHOR_COOKIE)
    try:
        return dict(json.loads(raw)) if raw else {}
    except (ValueError, TypeError):
        return {}


def remember_author(response, author):
    """Keep ``author`` (name, email, website) in this browser; None forgets it."""
    if author is None:
        response.delete_cookie(AUTHOR_COOKIE)
        return
    response.set_signed_cookie(
        AUTHOR_COOKIE, json.dumps(author), salt=AUTHOR_COOKIE,
        max_age=AUTHOR_COOKIE_AGE, httponly=True, samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )  # fmt: skip


VOTER_COOKIE = "forum_voter"
VOTER_COOKIE_AGE = 2 * 365 * 24 * 3600  # a guest's votes stay theirs for two years


def voter_of(request):
    """A guest browser's key, from its signed cookie; "" for a member or a new browser."""
    if request.user.is_authenticated:
        return ""
    return request.get_signed_cookie(VOTER_COOKIE, default="", salt=VOTER_COOKIE)


def guest_voter(request):
    """(key, new) of the guest voting now: their browser's key, or a new one to remember with
    ``remember_voter``. ("", False) for a member, who votes as their account."""
    if request.user.is_authenticated:
        return "", False
    voter = voter_of(request)
    return (voter, False) if voter else (secrets.token_urlsafe(24), True)


def remember_voter(response, voter):
    """Keep a new guest's voter key in their browser (the page and the API share it)."""
    response.set_signed_cookie(
        VOTER_COOKIE, voter, salt=VOTER_COOKIE, max_age=VOTER_COOKIE_AGE, httponly=True,
        samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
    )  # fmt: skip
