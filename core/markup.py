"""Markdown to safe HTML, rendered once when an article or comment is saved (issue #3).

markdown-it-py parses, nh3 sanitises: whatever the parser lets through, only the tags and
attributes listed here reach a page, and links keep only http, https and mailto URLs.
"""

import re
from html import unescape

import nh3
from django.utils.html import strip_tags
from django.utils.text import Truncator
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


def article_html(source, markup="markdown"):
    """Sanitised HTML for an article body, written in Markdown or (imported) in HTML."""
    return nh3.clean(
        _article_md.render(source) if markup == "markdown" else wpautop(source),
        tags=ARTICLE_TAGS,
        attributes={"a": {"href", "title"}, "img": {"src", "alt", "title"}},
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
    )


def comment_html(source, markup="markdown"):
    """Sanitised HTML for a comment body, written in Markdown or (imported) in HTML; every link
    is nofollow ugc noopener."""
    return nh3.clean(
        _comment_md.render(source) if markup == "markdown" else wpautop(source),
        tags=COMMENT_TAGS,
        attributes={"a": {"href"}},
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener",
    )


# HTML as WordPress stores it: paragraphs are blank lines, line breaks are newlines (#14).
BLOCKS = (
    "address|article|aside|blockquote|caption|col|colgroup|dd|details|div|dl|dt|fieldset|"
    "figcaption|figure|footer|form|h[1-6]|header|hgroup|hr|li|menu|nav|ol|p|pre|section|summary|"
    "table|tbody|td|tfoot|th|thead|tr|ul"
)
_block_start = re.compile(rf"(<(?:{BLOCKS})(?=[\s/>])[^>]*>)", re.I)
_block_end = re.compile(rf"(</(?:{BLOCKS})>)", re.I)
_block_alone = re.compile(rf"^</?(?:{BLOCKS})(?=[\s/>])", re.I)
_pre = re.compile(r"<pre[\s>].*?</pre>", re.I | re.S)


def wpautop(text):
    """Paragraphs and line breaks the way WordPress shows stored HTML (its wpautop): text
    between blank lines becomes a paragraph, a single newline a <br>, block elements and
    <pre> stay as they are. The result is sanitised by the caller."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = []

    def keep(match):
        kept.append(match.group(0))
        return f"\n\n<pre>{len(kept) - 1}</pre>\n\n"

    text = _pre.sub(keep, text)
    text = _block_end.sub(r"\1\n\n", _block_start.sub(r"\n\n\1", text))
    chunks = [chunk.strip() for chunk in re.split(r"\n\s*\n", text) if chunk.strip()]
    html = "\n".join(
        chunk if _block_alone.match(chunk) else "<p>" + chunk.replace("\n", "<br>\n") + "</p>"
        for chunk in chunks
    )
    html = re.sub(r"<pre>(\d+)</pre>", lambda m: kept[int(m.group(1))], html)
    return html + "\n" if html else ""  # ending as Markdown's output does


def excerpt(html, words):
    """The first ``words`` words of ``html`` as text, a paragraph (ending in a blank line) per
    paragraph, heading or list item, so that the front page keeps the breaks (issue #24)."""
    blocks = [" ".join(unescape(strip_tags(b)).split()) for b in _block_end.split(html)]
    lines, left = [], words
    for block in filter(None, blocks):
        if left <= 0:  # the words ran out at the end of the block before
            lines[-1] += "…"
            break
        lines.append(Truncator(block).words(left))
        left -= len(block.split())
        if left < 0:  # cut inside this block, and marked so by Truncator
            break
    return "\n\n".join(lines)
