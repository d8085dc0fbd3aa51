"""Every write to comments goes through these functions (issue #3); views, forms, the admin and
commands only call them. Split by concern (#11):

- ``posting``: ``post_comment`` and the rules a new comment must pass;
- ``moderation``: status changes, deletion, bans, reports, mail to moderators;
- ``counts``: the thread and poster locks, and the stored counts every visible write keeps;
- ``limits``: rate limits and the admin sign-in lock-out;
- ``notifying``: who gets mail about a comment, and when (#13);
- ``votes``: readers' votes and the "best" score (#16);
- ``personal``: a copy of a writer's comments, erasing the writer, forgetting old IP addresses.
"""

from comments.services.counts import (
    POSTER_LOCK,
    THREAD_LOCK,
    lock_poster,
    lock_thread,
    move_counts,
    recount,
    refresh_counts,
)
from comments.services.featuring import feature, refresh_featured
from comments.services.limits import (
    PREVIEWS_PER_MINUTE,
    REPORTS_PER_HOUR,
    address_key,
    address_network,
    client_key,
    login_failure_limit,
    login_lockout_time,
    login_username,
    refuse_if_over_limit,
)
from comments.services.moderation import (
    MOVES,
    authors_comments,
    ban_author,
    delete_by_writer,
    delete_comment,
    dismiss_reports,
    moderate,
    purge,
    purge_spam,
    report_comment,
    reporter_of,
    rescue,
    set_status,
)
from comments.services.personal import (
    DELETED_NAME,
    comments_data,
    display_name,
    erase_writer,
    follow_member_name,
    forget_old_ip_addresses,
)
from comments.services.posting import (
    TOO_LATE_TO_EDIT,
    comments_open,
    deepest_allowed,
    edit_comment,
    post_comment,
)
from comments.services.votes import vote, votes_of, wilson

__all__ = [
    "DELETED_NAME",
    "POSTER_LOCK",
    "PREVIEWS_PER_MINUTE",
    "REPORTS_PER_HOUR",
    "address_key",
    "address_network",
    "client_key",
    "THREAD_LOCK",
    "TOO_LATE_TO_EDIT",
    "authors_comments",
    "ban_author",
    "comments_data",
    "comments_open",
    "deepest_allowed",
    "delete_by_writer",
    "display_name",
    "delete_comment",
    "dismiss_reports",
    "moderate",
    "MOVES",
    "edit_comment",
    "erase_writer",
    "follow_member_name",
    "feature",
    "forget_old_ip_addresses",
    "lock_poster",
    "lock_thread",
    "login_failure_limit",
    "login_lockout_time",
    "login_username",
    "move_counts",
    "post_comment",
    "purge",
    "purge_spam",
    "recount",
    "refresh_counts",
    "refresh_featured",
    "refuse_if_over_limit",
    "report_comment",
    "reporter_of",
    "rescue",
    "set_status",
    "vote",
    "votes_of",
    "wilson",
]
