"""What an export holds, in plain records, whatever system wrote it (issue #14): the readers
(wordpress.py, disqus.py) make them, the loader (loading.py) writes them."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Author:
    login: str
    email: str = ""
    display_name: str = ""
    source_id: str = ""  # the old site's user id, which comments may point at


@dataclass
class Post:
    source_id: str
    title: str
    slug: str
    body: str  # HTML
    status: str  # "published" (a future date schedules it) or "draft"
    published_at: datetime | None
    comments_open: bool
    author_login: str
    link: str = ""
    updated_at: datetime | None = None  # when it was last changed there, if the export says
    guid: str = ""
    categories: list = field(default_factory=list)  # Terms, as the item names them (#28)
    tags: list = field(default_factory=list)


@dataclass
class Term:
    """A category or a tag (#28). ``slug`` as the old site had it; ``parent``: its parent's slug."""

    kind: str  # "category" or "tag"
    slug: str
    name: str
    parent: str = ""
    description: str = ""
    source_id: str = ""


@dataclass
class Remark:
    """A comment, pingback or trackback as the old site stored it."""

    source_id: str
    parent_id: str  # "" for a top-level comment
    author_name: str
    author_email: str
    author_url: str
    ip_address: str
    created_at: datetime
    status: str  # approved, pending, spam or removed
    kind: str  # comment, pingback or trackback
    body: str  # HTML
    user_ref: str = ""  # the old site's user id, when an account wrote it


@dataclass
class Skipped:
    """An item of the export that is not imported, and why."""

    reason: str
    count: int = 1
    examples: list = field(default_factory=list)
