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
    Revision,
    SettingDefault,
)

__all__ = [
    "Ban",
    "Comment",
    "CommentQuerySet",
    "DISPLAY_LEVELS",
    "DiscussionSettings",
    "ModerationLog",
    "RateLimit",
    "Report",
    "Revision",
    "SORTS",
    "SettingDefault",
    "TREE_ID_SEQUENCE",
    "is_shown",
    "shown",
]
