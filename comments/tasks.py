"""The names of the comment tasks of earlier releases (#13). The tasks are defined beside the
work they do, in comments/services/notifying.py; tasks queued before #25 under these names
still run."""

from comments.services.notifying import (  # noqa: F401
    announce_comments,
    send_moderator_digest,
    send_new_comments,
    tell_moderators,
)
