"""The moderation actions, written once for the comment list and the queue (#4, #26): each
takes the chosen comments and a moderator, calls the services, and says what it did."""

from collections.abc import Callable
from typing import NamedTuple

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comments import services


class Action(NamedTuple):
    label: str  # imperative, as the admin's menu and the queue's buttons show it
    run: Callable  # (comments, moderator) -> [(level, message)]


def moving(move, done):
    """An action that applies ``services.MOVES[move]``; ``done``: (singular, plural) message."""

    def run(comments, by):
        n = services.moderate(comments, move, by=by)
        return [(messages.SUCCESS, ngettext(*done, n) % {"n": n})]

    return run


APPROVED = ("%(n)d comment approved.", "%(n)d comments approved.")
MARKED_SPAM = ("%(n)d comment marked as spam.", "%(n)d comments marked as spam.")
REMOVED = ("%(n)d comment removed.", "%(n)d comments removed.")


def not_spam(comments, by):
    n, caught = services.rescue(comments, by=by)
    said = [(messages.SUCCESS, ngettext(
        "%(n)d comment approved as not spam.", "%(n)d comments approved as not spam.", n
    ) % {"n": n})]  # fmt: skip
    for email, times in sorted(caught.items()):  # a writer the filter keeps catching (#26)
        said.append((messages.WARNING, ngettext(
            "The filter caught %(email)s before (%(n)d other comment stored as spam): have a "
            "look at it in the author's history.",
            "The filter caught %(email)s before (%(n)d other comments stored as spam): have a "
            "look at them in the author's history.", times,
        ) % {"email": email, "n": times}))  # fmt: skip
    return said


def dismiss_reports(comments, by):
    n = services.dismiss_reports(comments.filter(report_count__gt=0), by=by)
    return [(messages.SUCCESS, ngettext(
        "Reports dismissed on %(n)d comment.", "Reports dismissed on %(n)d comments.", n
    ) % {"n": n})]  # fmt: skip


def delete(comments, by):
    results = [services.delete_comment(c, by=by) for c in comments]
    deleted, kept = results.count("deleted"), results.count("placeholder")
    return [(messages.SUCCESS, " ".join([
        ngettext("%(n)d comment deleted.", "%(n)d comments deleted.", deleted) % {"n": deleted},
        ngettext("%(n)d kept as a placeholder for its replies.",
                 "%(n)d kept as placeholders for their replies.", kept) % {"n": kept},
    ]))]  # fmt: skip


def feature(comments, by):
    n = services.feature(comments, on=True)
    return [(messages.SUCCESS, ngettext(
        "%(n)d comment featured.", "%(n)d comments featured.", n) % {"n": n})]  # fmt: skip


def unfeature(comments, by):
    n = services.feature(comments, on=False)
    return [(messages.SUCCESS, ngettext(
        "%(n)d comment no longer featured.", "%(n)d comments no longer featured.", n
    ) % {"n": n})]  # fmt: skip


def purge_spam(comments, by):
    deleted, kept = services.purge(comments)
    said = ngettext("%(n)d spam comment deleted.", "%(n)d spam comments deleted.",
                    deleted) % {"n": deleted}  # fmt: skip
    if kept:
        said += " " + ngettext(
            "%(n)d kept because replies hang from it.",
            "%(n)d kept because replies hang from them.", kept,
        ) % {"n": kept}  # fmt: skip
    return [(messages.SUCCESS, said)]


ACTIONS = {
    "approve": Action(_("Approve"), moving("approve", APPROVED)),
    "mark_as_spam": Action(_("Spam"), moving("mark_as_spam", MARKED_SPAM)),
    "remove": Action(_("Remove"), moving("remove", REMOVED)),
    "not_spam": Action(_("Not spam"), not_spam),
    "dismiss_reports": Action(_("Keep: dismiss the reports"), dismiss_reports),
    "delete_comments": Action(_("Delete"), delete),
    "feature": Action(_("Feature"), feature),
    "unfeature": Action(_("Stop featuring"), unfeature),
    "purge_spam": Action(_("Delete spam for good"), purge_spam),
}

# The comment list's menu: name, description, permission.
MENU = [
    ("approve", _("Approve the selected comments"), "change"),
    ("mark_as_spam", _("Mark the selected comments as spam"), "change"),
    ("remove", _("Remove the selected comments"), "change"),
    ("not_spam", _("Not spam: approve and teach the filter"), "change"),
    ("dismiss_reports", _("Dismiss the reports on the selected comments"), "change"),
    ("delete_comments", _("Delete the selected comments (replies keep their place)"), "change"),
    ("feature", _("Feature the selected comments"), "change"),
    ("unfeature", _("Stop featuring the selected comments"), "change"),
    ("purge_spam", _("Delete the selected spam for good"), "delete"),
]


def perform(name, modeladmin, request, comments):
    """Run the action ``name`` and tell the moderator what it did."""
    for level, message in ACTIONS[name].run(comments, request.user):
        modeladmin.message_user(request, message, level)


def admin_action(name, description, permission):
    def action(modeladmin, request, queryset):
        perform(name, modeladmin, request, queryset)

    action.__name__ = name
    return admin.action(permissions=[permission], description=description)(action)


MENU_ACTIONS = [admin_action(*entry) for entry in MENU]
