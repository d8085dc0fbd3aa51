"""Comments and their threads (``comment``), and what moderation keeps (``moderation``)."""

from comments.models.comment import (
    DISPLAY_LEVELS,
    SORTS,
    TREE_ID_SEQUENCE,
    Comment,
    CommentQuerySet,
    is_shown,
    shown,
)
from comments.models.moderation import (
    Ban,
    DiscussionSettings,
    ModerationLog,
    RateLimit,
    Report,
    SettingDefault,
)

__all__ = [
    "DISPLAY_LEVELS", "SORTS", "TREE_ID_SEQUENCE", "Ban", "Comment", "CommentQuerySet",
    "DiscussionSettings", "ModerationLog", "RateLimit", "Report", "SettingDefault", "is_shown",
    "shown",
]  # fmt: skip
