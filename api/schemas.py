"""The shapes the API reads and answers (#30), which its OpenAPI schema is made from.

Input is typed here only as far as JSON goes (strings, numbers, booleans, and ids within
PostgreSQL's bigint); the rules of the site's forms then apply to it unchanged."""

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

from comments.models import Report, Sort

MAX_ID = 2**63 - 1  # PostgreSQL's bigint: larger ids are no id at all, never a database error
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# A string the database may be asked about: no NUL or other control characters.
PlainText = Annotated[str, StringConstraints(max_length=2000, pattern=r"^[^\x00-\x1f\x7f]*$")]

SortName = Literal[tuple(Sort.values)]
ReasonName = Literal[tuple(Report.Reason.values)]


class Problem(Schema):
    """An error (RFC 9457): ``errors`` holds each field's messages ("_": the whole body)."""

    type: str
    title: str
    status: int
    detail: str
    errors: dict[str, list[str]] | None = None


class Links(Schema):
    self: str
    first: str | None = None
    prev: str | None = None
    next: str | None = None
    last: str | None = None


class ArticleOut(Schema):
    id: int
    title: str
    url: str = Field(description="The article's page on this site.")
    published_at: datetime | None
    comments_open: bool
    comment_count: int = Field(description="Approved comments.")
    thread_count: int
    comments: str = Field(description="This API's address of the article's threads.")


class ArticlePage(Schema):
    items: list[ArticleOut]
    count: int
    page: int
    pages: int
    links: Links


class CommentOut(Schema):
    id: int
    article: int
    parent: int | None
    depth: int = Field(description="0 for a top-level comment.")
    status: Literal["published", "awaiting moderation", "removed"] = Field(
        description="“awaiting moderation” is shown to its writer alone; “removed” is a "
        "placeholder that keeps its replies in place, with no author and no text."
    )
    author_name: str
    website: str
    is_by_author: bool = Field(description="Written by the article's author.")
    body_html: str = Field(description="Rendered and sanitised: safe to insert as HTML.")
    created: datetime
    edited: datetime | None
    score: int
    can_reply: bool
    more_replies: int = Field(
        0,
        description="Replies under it this page leaves out (“N more replies”): its "
        "``thread`` address lists them.",
    )
    permalink: str = Field(description="Its place on this site.")
    thread: str = Field(description="This API's address of it with all its replies.")


class ThreadOut(Schema):
    id: int = Field(description="The top-level comment.")
    comments: list[CommentOut] = Field(description="In thread order (depth-first).")


class ThreadPage(Schema):
    article: int
    sort: SortName
    page: int
    pages: int
    count: int = Field(description="Threads, over every page.")
    threads: list[ThreadOut]
    links: Links


class RecentPage(Schema):
    items: list[CommentOut]
    links: Links


class CountOut(Schema):
    article: int | None = Field(description="None: no article has this id or address.")
    asked: str = Field(description="The id or address as asked.")
    comment_count: int
    url: str | None


class Counts(Schema):
    items: list[CountOut]


class CommentIn(Schema):
    body: str
    parent: Id | None = None
    author_name: str = Field("", description="Guests only: members post under their name.")
    author_email: str = Field("", description="Guests only; never shown.")
    author_url: str = ""
    email_replies: bool = False
    email_new_comments: bool = False
    email_published: bool = False


class Posted(Schema):
    status: Literal["published", "awaiting moderation"]
    comment: CommentOut | None = Field(
        description="As its writer sees it; none when it is not shown even to them."
    )


class EditIn(Schema):
    body: str


class VoteIn(Schema):
    value: Literal["up", "down"] = Field(description="The same vote again takes it back.")


class VoteOut(Schema):
    vote: Literal[-1, 0, 1] = Field(description="The vote that stands now (0: none).")
    score: int


class ReportIn(Schema):
    reason: ReasonName
    text: str = ""


class Done(Schema):
    detail: str


class QueueItem(Schema):
    id: int
    article: int
    article_title: str
    parent: int | None
    status: Literal["pending", "approved", "spam", "removed"]
    why: str = Field(description="Why it waits: “held: 3 links”, “held: 2 reports”…")
    author_name: str
    author_email: str
    website: str
    ip_address: str | None
    body: str
    body_html: str
    created: datetime
    report_count: int
    spam_score: float | None
    admin: str = Field(description="Its page in the admin.")


class QueuePage(Schema):
    items: list[QueueItem]
    count: int
    page: int
    pages: int
    links: Links


class MoveIn(Schema):
    move: Literal["approve", "mark_as_spam", "remove"]


class Moved(Schema):
    changed: int = Field(description="0: it had that status already.")
    status: Literal["pending", "approved", "spam", "removed"]


class BanIn(Schema):
    reason: Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")] = ""


class Banned(Schema):
    ban: int
    removed: int
