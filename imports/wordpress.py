"""Reading a WordPress eXtended RSS (WXR) export, versions 1.0 to 1.2, as a stream (issue #14).

The ``wp:`` namespace may be bound to http or https (core WordPress writes http, WordPress.com
https). Each <item> is read whole, turned into records, and dropped before the next one.
"""

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.utils.html import strip_tags

from imports.records import Author, Post, Remark, Term
from imports.xml import BadExport, split, stream, text

WP = re.compile(r"https?://wordpress\.org/export/1\.[0-2]/")
EXCERPT = re.compile(r"https?://wordpress\.org/export/1\.[0-2]/excerpt/")
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"

POST_STATUS = {"publish": "published", "future": "published", "draft": "draft",
               "pending": "draft", "private": "draft"}  # fmt: skip
COMMENT_STATUS = {"1": "approved", "0": "pending", "spam": "spam", "trash": "removed",
                  "post-trashed": "removed"}  # fmt: skip
NO_DATE = "0000-00-00 00:00:00"


@dataclass
class Item:
    """One <item>: a post or page with its comments, or something skipped (``skip``: why)."""

    post_type: str
    post: Post | None = None
    remarks: list = field(default_factory=list)
    skip: str = ""
    notes: list = field(default_factory=list)  # oddities worth reporting, e.g. unknown statuses


def read(path):
    """("site", base blog URL), ("link", channel link), ("version", "1.2"), ("author", Author),
    ("term", Term) and ("item", Item), in file order."""
    open_elements, seen_wp = [], False  # rss, channel, ...: the elements being read
    for event, element in stream(path):
        namespace, name = split(element.tag)
        if event == "start":
            if not open_elements and name != "rss":
                raise BadExport("This is not a WordPress export: its root element is "
                                f"<{name}>, not <rss>.")  # fmt: skip
            open_elements.append(element)
            continue
        open_elements.pop()
        seen_wp = seen_wp or bool(WP.fullmatch(namespace))
        if 1 <= len(open_elements) <= 2:
            # What was read is not kept, after the first channel too: memory stays flat (#23).
            parent = open_elements[-1]
            in_channel = len(open_elements) == 2 and split(parent.tag)[1] == "channel"
            yield from (channel_child(namespace, name, element) if in_channel else ())
            parent.clear()
    if not seen_wp:
        raise BadExport("This is not a WordPress export: it has no wp: elements "
                        "(WordPress: Tools → Export writes one).")  # fmt: skip


def channel_child(namespace, name, element):
    """What one child of a <channel> says, as ``read()`` yields it."""
    if name == "item":
        yield "item", item_of(element)
    elif WP.fullmatch(namespace) and name == "author":
        yield "author", author_of(element)
    elif WP.fullmatch(namespace) and name in ("category", "tag"):
        yield "term", term_of(name, fields(element))
    elif WP.fullmatch(namespace) and name == "wxr_version":
        yield "version", text(element).strip()
    elif WP.fullmatch(namespace) and name == "base_blog_url":
        yield "site", text(element).strip().rstrip("/")
    elif not namespace and name == "link":
        yield "link", text(element).strip().rstrip("/")


def plain(value):
    """Text WordPress keeps as HTML (titles, commenters' names: a pingback's name is the title of
    the page that linked, "Ping &laquo; What&#8217;s new") as the plain text it shows (#24)."""
    return html.unescape(strip_tags(value)).strip()


def fields(element):
    """{(kind, name): text} of an element's children, kind being wp, content, excerpt, dc or ""."""
    found = {}
    for child in element:
        namespace, name = split(child.tag)
        kind = (
            "wp" if WP.fullmatch(namespace)
            else "excerpt" if EXCERPT.fullmatch(namespace)
            else "content" if namespace == CONTENT
            else "dc" if namespace == DC
            else namespace
        )  # fmt: skip
        found.setdefault((kind, name), text(child))
    return found


def author_of(element):
    f = fields(element)
    return Author(
        login=f.get(("wp", "author_login"), "").strip(),
        email=f.get(("wp", "author_email"), "").strip(),
        display_name=f.get(("wp", "author_display_name"), "").strip(),
        source_id=f.get(("wp", "author_id"), "").strip(),
    )


def term_of(kind, f):
    """A <wp:category> or <wp:tag> of the channel: every category and tag of the site, those
    without posts too (#28)."""
    if kind == "category":
        slug, name = f.get(("wp", "category_nicename"), ""), f.get(("wp", "cat_name"), "")
        description = f.get(("wp", "category_description"), "")
    else:
        slug, name = f.get(("wp", "tag_slug"), ""), f.get(("wp", "tag_name"), "")
        description = f.get(("wp", "tag_description"), "")
    return Term(
        kind=kind, slug=slug.strip(), name=name, description=description,
        parent=f.get(("wp", "category_parent"), "").strip() if kind == "category" else "",
        source_id=f.get(("wp", "term_id"), "").strip(),
    )  # fmt: skip


def date_of(f, name):
    """The aware UTC datetime of ``wp:<name>_gmt``, else of ``wp:<name>`` (taken as UTC)."""
    for key in (f"{name}_gmt", name):
        value = f.get(("wp", key), "").strip()
        if value and value != NO_DATE:
            try:
                return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
            except ValueError:
                continue
    return None


def item_of(element):
    f = fields(element)
    post_type = f.get(("wp", "post_type"), "post").strip() or "post"
    item = Item(post_type=post_type)
    if post_type not in ("post", "page"):
        item.skip = post_type
        return item
    status = f.get(("wp", "status"), "").strip()
    if status not in POST_STATUS:
        item.skip = f"{post_type} with status “{status or 'none'}”"
        return item
    published_at = date_of(f, "post_date")
    if f.get(("wp", "post_password"), "").strip() and status in ("publish", "future"):
        status = "draft"
        item.notes.append("password-protected: imported as a draft")
    item.post = Post(
        source_id=f.get(("wp", "post_id"), "").strip(),
        title=plain(f.get(("", "title"), "")),
        slug=f.get(("wp", "post_name"), "").strip(),
        body=f.get(("content", "encoded"), ""),
        status=POST_STATUS[status],
        published_at=published_at,
        comments_open=f.get(("wp", "comment_status"), "open").strip() == "open",
        author_login=f.get(("dc", "creator"), "").strip(),
        link=f.get(("", "link"), "").strip(),
        updated_at=date_of(f, "post_modified"),
        guid=f.get(("", "guid"), "").strip(),
    )
    if not item.post.source_id:
        item.post, item.skip = None, f"{post_type} without wp:post_id"
        return item
    for child in element:
        namespace, name = split(child.tag)
        if not namespace and name == "category":
            domain = {"category": "category", "post_tag": "tag"}.get(child.get("domain", ""))
            if domain:  # nav_menu, post_format and other taxonomies are not kept
                term = Term(kind=domain, slug=child.get("nicename", "").strip(), name=text(child))
                (item.post.categories if domain == "category" else item.post.tags).append(term)
        elif WP.fullmatch(namespace) and name == "comment":
            remark = remark_of(fields(child), item.post)
            if isinstance(remark, str):
                item.notes.append(remark)
            else:
                item.remarks.append(remark)
    return item


def remark_of(f, post):
    """A Remark, or a note (text) saying why this comment cannot be read."""
    source_id = f.get(("wp", "comment_id"), "").strip()
    approved = f.get(("wp", "comment_approved"), "").strip()
    created = date_of(f, "comment_date") or post.published_at
    if not source_id or created is None:
        return f"a comment without {'an id' if not source_id else 'a date'} was skipped"
    kind = f.get(("wp", "comment_type"), "").strip() or "comment"
    parent = f.get(("wp", "comment_parent"), "").strip()
    return Remark(
        source_id=source_id,
        parent_id="" if parent in ("", "0") else parent,
        author_name=plain(f.get(("wp", "comment_author"), "")),
        author_email=f.get(("wp", "comment_author_email"), "").strip(),
        author_url=f.get(("wp", "comment_author_url"), "").strip(),
        ip_address=f.get(("wp", "comment_author_IP"), "").strip(),
        created_at=created,
        status=COMMENT_STATUS.get(approved, "pending"),
        kind=kind if kind in ("pingback", "trackback") else "comment",
        body=f.get(("wp", "comment_content"), ""),
        user_ref=f.get(("wp", "comment_user_id"), "").strip().lstrip("0"),
    )
