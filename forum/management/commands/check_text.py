"""Stored one-line values the forms now refuse (issue #18): `manage.py check_text [--fix]`.

Names, email addresses and websites stored before the one-line rule of comments/text.py (or
imported from another site) may hold invisible or direction-changing characters. This lists
each one, written out (U+202E as ⟦U+202E⟧), and exits with status 1 when it found any, so that
a deploy script or cron can notice. With --fix it cleans them: names and email addresses lose
the refused characters (a name with nothing visible left becomes "Anonymous" on a comment, and
empty on an account), a website that would be refused is emptied, and the comments' stored
headers and cached pages are rendered again.
"""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.utils.translation import ngettext

from accounts.models import Profile
from comments import freshness
from comments.markup import store_headers
from comments.models import Comment
from core import text
from notifications.models import Address


def why(check, value, *args):
    """The refusal ``check`` gives ``value``, or "" when it takes it."""
    try:
        check(value, *args)
    except ValidationError as error:
        return error.messages[0]
    return ""


# (model, field, kind): what is checked. "name" keeps the joiners, "email" keeps nothing,
# "website" must pass core.text.web_address.
FIELDS = [
    (Comment, "author_name", "name"),
    (Comment, "author_email", "email"),
    (Comment, "author_url", "website"),
    (get_user_model(), "first_name", "name"),
    (get_user_model(), "last_name", "name"),
    (get_user_model(), "email", "email"),
    (Profile, "website", "website"),
    (Address, "email", "email"),
]


def problem(kind, value):
    """Why the one-line rule refuses ``value``, or "" when it takes it."""
    if not value:
        return ""
    if kind == "website":
        return why(text.web_address, value)
    return why(text.refuse_invisible, value, text.JOINERS if kind == "name" else frozenset())


def repaired(kind, value, model):
    if kind == "website":
        return ""
    if kind == "name":
        return text.fixed_name(value) or ("Anonymous" if model is Comment else "")
    return text.fixed(value)


class Command(BaseCommand):
    help = "List stored names, emails and websites the one-line rule refuses; --fix cleans them."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Clean what is found.")

    def handle(self, *, fix, verbosity, **options):
        found = 0
        changed_comments = set()
        for model, field, kind in FIELDS:
            rows = model.objects.exclude(**{field: ""}).values_list("pk", field)
            for pk, value in rows.iterator(chunk_size=2000):
                reason = problem(kind, value)
                if not reason:
                    continue
                found += 1
                label = f"{model._meta.label} {pk} {field}"
                new = repaired(kind, value, model)
                if verbosity:
                    self.stdout.write(f"{label}: {text.shown(value)!r}: {reason}")
                if fix:
                    try:
                        with transaction.atomic():
                            model.objects.filter(pk=pk).update(**{field: new})
                    except IntegrityError:  # a unique address, already stored cleaned
                        self.stdout.write(f"  not fixed: {new!r} is stored already; merge by hand")
                        continue
                    if verbosity:
                        self.stdout.write(f"  fixed: {new!r}")
                    if model is Comment:
                        changed_comments.add(pk)
        if fix and changed_comments:
            refresh(Comment.objects.filter(pk__in=changed_comments))
        if verbosity:
            verb = "fixed" if fix else "found"
            said = ngettext(
                "%(n)d stored value the one-line rule refuses %(verb)s.",
                "%(n)d stored values the one-line rule refuses %(verb)s.",
                found,
            )
            self.stdout.write(said % {"n": found, "verb": verb})
        if found and not fix:
            raise SystemExit(1)


def refresh(comments):
    """Render the fixed comments' headers again, and let their pages go from every cache."""
    places = defaultdict(set)
    for article_id, tree_id in comments.values_list("article_id", "tree_id"):
        places[article_id].add(tree_id)
    with transaction.atomic():
        store_headers(comments)
        freshness.threads_changed({tree_id for trees in places.values() for tree_id in trees})
