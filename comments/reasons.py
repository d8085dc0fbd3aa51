"""What the writer of a held comment is told about it (#24): why, in their words rather than the
moderators' (``Comment.status_reason``, written by the posting and moderation services), and
that a moderator will look. The moderators' reason may name a moderation word or a filter
score: the writer never sees it as such.
"""

import re

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comments.services.posting import MEMBERS_ADDRESS

FIRST = _(
    "This is your first comment here, and a moderator reads first comments before they appear."
)
# A guest using a member's address is told what any first comment is told: nothing on the page
# may say which addresses have accounts (#23).
WORDS = {
    "held: first comment": FIRST,
    MEMBERS_ADDRESS: FIRST,
    "held: every comment is held for review": _(
        "On this site a moderator reads every comment before it appears."
    ),
}
STARTS = {
    "held: moderation word": _("It uses a word that a moderator checks before it appears."),
    "held: filter score": _("Our spam filter was not sure about it, so a moderator checks it."),
}
LINKS = re.compile(r"held: (\d+) links")
REPORTS = re.compile(r"held: \d+ reports")
OTHER = _("Some comments wait for a moderator before they appear.")
AFTER = _("A moderator will look at it soon; until then only you can see it.")


def held_because(status_reason):
    """The sentences under a writer's own held comment, after "Your comment is awaiting
    moderation.": why it was held, then what happens next."""
    reason = status_reason.removeprefix("edited, ")
    why = WORDS.get(reason)
    if why is None:
        why = next((words for start, words in STARTS.items() if reason.startswith(start)), None)
    if why is None and (links := LINKS.fullmatch(reason)):
        why = gettext(
            "It has %(links)s links, and comments with many links wait for a moderator."
        ) % {"links": links.group(1)}
    if why is None and REPORTS.fullmatch(reason):
        why = gettext("Readers reported it, so a moderator will read it again.")
    return f"{why or OTHER} {AFTER}"
