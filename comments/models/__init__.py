"""Comments and their threads (``comment``), what moderation keeps (``moderation``), and
readers' votes (``votes``)."""

from comments.models.comment import (
    DISPLAY_LEVELS,
    THREAD_PAGE,
    TREE_ID_SEQUENCE,
    Comment,
    CommentQuerySet,
    Sort,
    add_author_history,
    is_shown,
    shown,
)
from comments.models.moderation import (
    Ban,
    DiscussionSettings,
    ModerationLog,
    Report,
    Revision,
    SettingDefault,
)
from comments.models.votes import Vote

__all__ = [
    "Ban",
    "add_author_history",
    "Comment",
    "CommentQuerySet",
    "DISPLAY_LEVELS",
    "THREAD_PAGE",
    "DiscussionSettings",
    "ModerationLog",
    "Report",
    "Revision",
    "SettingDefault",
    "Sort",
    "TREE_ID_SEQUENCE",
    "Vote",
    "is_shown",
    "shown",
]
