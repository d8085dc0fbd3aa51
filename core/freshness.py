"""Every cache key and ETag of a page of discussion, built in one place (#25).

A page is kept fresh by versions stored with what they describe (an article's
``comments_version`` and ``votes_version``, a thread's ``thread_version``, a comment's stored
header at ``MARKUP_VERSION``); only ``comments.freshness`` moves them. Each layer that keeps
something (the whole page in a worker, its ETag, the discussion's listing, one thread's
fragment) names its key here from the versions it depends on and the view's own parameters,
and every key also carries ``site_inputs()``: what changes every page at once. A new input of
that kind is added to ``site_inputs()`` and reaches every layer: the reader's language is one
(#27), so that a French reader never gets a page, list or thread kept for a German one.
"""

import hashlib

from django.utils import translation

# Bump after changing templates/jinja2/comments/_comment.html or _comments.html: kept pages,
# cached fragments and stored headers of an older version are then never shown.
MARKUP_VERSION = 19


def site_inputs():
    """What every kept page and fragment depends on besides its own versions."""
    return (MARKUP_VERSION, translation.get_language())


def digest(*parts):
    """A short hash of ``parts`` and of ``site_inputs()``."""
    text = repr((site_inputs(), parts)).encode()
    return hashlib.md5(text, usedforsecurity=False).hexdigest()


def key(layer, *parts):
    """The cache key of ``layer`` ("discussion", "thread", ...) for these inputs."""
    return f"{layer}:{digest(layer, *parts)}"


def etag(*parts):
    """A weak ETag for a response made from these inputs."""
    return f'W/"{digest("etag", *parts)}"'
