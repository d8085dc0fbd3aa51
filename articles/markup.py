"""Markdown to safe HTML, rendered once when an article or comment is saved (issue #3).

markdown-it-py parses, nh3 sanitises: whatever the parser lets through, only the tags and
attributes listed here reach a page, and links keep only http, https and mailto URLs.
"""

import nh3
from markdown_it import MarkdownIt

ARTICLE_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "em", "strong", "a", "blockquote", "ul", "ol",
    "li", "code", "pre", "img", "table", "thead", "tbody", "tr", "th", "td", "del",
}  # fmt: skip
COMMENT_TAGS = {"p", "br", "em", "strong", "a", "blockquote", "ul", "ol", "li", "code", "pre"}
URL_SCHEMES = {"http", "https", "mailto"}

# Articles are written by staff: Markdown with tables, raw HTML still dropped by nh3.
_article_md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
# Comments: a small subset, raw HTML shown as text, bare URLs linked.
_comment_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": True})
    .enable("linkify")
    .disable(["heading", "lheading", "image", "hr", "html_block", "html_inline"])
)


def article_html(source):
    """Sanitised HTML for an article body."""
    return nh3.clean(
        _article_md.render(source),
        tags=ARTICLE_TAGS,
        attributes={"a": {"href", "title"}, "img": {"src", "alt", "title"}},
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
    )


def comment_html(source):
    """Sanitised HTML for a comment body; every link is nofollow ugc noopener."""
    return nh3.clean(
        _comment_md.render(source),
        tags=COMMENT_TAGS,
        attributes={"a": {"href"}},
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener",
    )
