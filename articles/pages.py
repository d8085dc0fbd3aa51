"""The article page, whole, for readers without a session (#17).

A reader with no session, no messages and no remembered name sees exactly what every such
reader sees, so the whole response is kept in each worker's memory under the article's versions
(``Article.versions``, keyed by ``core.freshness``), as text and as bytes compressed for each
encoding asked for. A page served from memory costs a dict lookup and a write.

What differs per request is filled in at serve time, at most one second old: a form's signed
timestamp, say. Its owner calls ``part()`` while the page renders; while a shared copy is made
that returns a marker, which every serve replaces with a fresh value. Pages for readers without
a session carry no CSRF token, so that they are the same for everyone and a proxy or CDN may
keep them: their forms are protected by the browser's Origin and Sec-Fetch-Site headers
instead (see ``forum.middleware.OriginCsrfMiddleware`` and the README).

For the same reason the article's versions themselves may be a second old (``recent``): a
worker asks PostgreSQL for them at most once a second per article, so a new comment reaches
readers without a session up to PAGE_VERSION_SECONDS later. Its writer, who has a session,
sees it at once.

HTTP: a weak ETag from the versions (and the language, #27) answers If-None-Match with 304;
``Cache-Control`` lets a shared cache keep the page for SHARED_CACHE_SECONDS and the browser
revalidate it; ``Vary: Cookie, Accept-Encoding, Accept-Language``. A reader with a session
gets ``private, no-cache`` and a page rendered for them.
``Age`` says how long ago the page's versions were read from PostgreSQL.

A reader with a session (a member, or a guest who commented), but not staff, gets the same page
kept once more as a *shell* (#29): rendered once per version with a marker in place of each
``{% personal %}`` block of the templates (the account links, the messages, the discussion) and
of the CSRF token; each serve renders just those blocks for the reader, with the shell's context
and the reader's own (``fill_slot``). The page around them, most of the work, is shared, and
so are the versions of the last second, but for a reader who has just written
(``core.writes``); what a worker knows of one reader is kept apart (``recent(..., own=True)``).

While the database is down (#23), a reader without a session still gets the page last kept at
that address (``stale``), as long as its versions were read at most STALE_IF_ERROR_SECONDS ago;
``Age`` then says how stale it is. Whether the versions were still remembered (``recent``) or
had to be read, and failed, makes no difference: the answer is the kept page either way.
"""

import hashlib
import re
import time
from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from compression_middleware.middleware import compressor
from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.template import RequestContext, context_processors
from django.template.loader_tags import BLOCK_CONTEXT_KEY
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

from core import freshness

KEPT_IN_MEMORY = 32  # pages per worker
PERSONAL_PARAMETERS = {"replytocom"}  # the form answers a comment: a page of its own
EVERYONE, MEMBERS = "everyone", "members"  # what a kept page is being rendered for
_sharing = ContextVar("sharing", default=None)
_slots = ContextVar("slots")  # the shell's ``{% personal %}`` blocks while it renders
_filling = ContextVar("filling", default=False)  # a shell's block is being rendered for a reader
_kept = ContextVar("kept")  # the reader's kept blocks a serve of a shell puts in
clock = time.monotonic  # for the ages of versions and pages; the tests move it on
_parts = {}  # name: the function that makes its text


def part(name, make):
    """``make()``, or while a page is rendered for every reader, a marker that each serve
    replaces with a fresh ``make()``. ``make`` returns plain ASCII without quotes or <>&."""
    if not _sharing.get():
        return make()
    _parts[name] = make
    return f"page-part-{name}-{MARKER}"


MARKER = hashlib.md5(b"page part marker", usedforsecurity=False).hexdigest()[:12]
CSRF_MARKER = f"page-csrf-{MARKER}"
SLOT = re.compile(f"<!--page-slot-(\\d+)-{MARKER}-->")
KEPT = re.compile(f"<!--page-kept-(\\d+)-{MARKER}-->")  # a reader's kept block, in a slot
FRESH = re.compile(f"(page-csrf-{MARKER}|page-part-\\w+?-{MARKER})")  # what each serve fills


def csrf(request):
    """Context processor in place of Django's: no token in a page made for every reader, and a
    marker for each reader's own in a shell."""
    if _sharing.get() == EVERYONE:
        return {"csrf_token": "NOTPROVIDED"}
    if _sharing.get() == MEMBERS:
        return {"csrf_token": CSRF_MARKER}
    return context_processors.csrf(request)


def personal(request, response=None):
    """Whether the request (or the response, setting one) carries a cookie of one reader's own:
    its page is rendered for that reader alone and never compressed (#17, #23)."""
    cookies = [*request.COOKIES, *(response.cookies if response is not None else ())]
    return any(name in cookies for name in settings.PERSONAL_COOKIES)


def plain_read(request):
    """A GET or HEAD that asks for no page of its own (``PERSONAL_PARAMETERS``)."""
    return request.method in ("GET", "HEAD") and not (set(request.GET) & PERSONAL_PARAMETERS)


def shareable(request):
    """Whether ``request`` gets the page every reader without a session gets."""
    return plain_read(request) and not personal(request)


def keyed_query(request):
    """The page and sort of the discussion, so that ``?page=01`` is the page of ``?page=1``.
    Other parameters (utm_source=...) change nothing, and a page or sort that does not exist
    is a 404, never kept: junk values cannot push popular pages out (#23). The reader's
    language (#27) makes a page of its own at the same URL, for the stale copy too."""
    page = request.GET.get("page", "1").strip() or "1"
    page = str(int(page)) if page.isdecimal() else page
    return f"page={page}&sort={request.GET.get('sort', '')}&lang={translation.get_language()}"


@dataclass
class Entry:
    """A kept page: its text with the markers of ``part()``, and what was last sent of it."""

    text: str
    content_type: str
    second: int = -1  # when the parts were last filled
    read_at: float = 0.0  # clock() when its versions were last read from PostgreSQL
    body: bytes = b""
    encoded: dict = field(default_factory=dict)  # encoding: body compressed

    def current(self, encoding, compress):
        """The body to send, its parts filled at most a second ago, compressed if asked."""
        now = int(time.time())
        if self.second != now and (not self.body or MARKER in self.text):
            self.second, self.body, self.encoded = now, fill(self.text).encode(), {}
        if not encoding:
            return self.body
        if encoding not in self.encoded:
            self.encoded[encoding] = compress(self.body)
        return self.encoded[encoding]


# Kept in each worker's memory only, never in the shared cache: ?page=junk and the like make
# keys without end, and must not fill Redis. A worker renders a new version once, cheaply (the
# discussion's list and threads come from the shared cache).
_memory = OrderedDict()  # key: Entry, the newest last
_recent = OrderedDict()  # key: (when, value)
_latest = OrderedDict()  # request address: the ETag of the page last served there
_readers = OrderedDict()  # key: a block of a shell as one reader saw it (``for_reader``)
_own = OrderedDict()  # key: (when, value) of one reader's own state (``recent(..., own=True)``)


def keep(store, key, value, size):
    """Put ``value`` in ``store`` as its newest, forgetting the oldest past ``size``."""
    store[key] = value
    store.move_to_end(key)
    while len(store) > size:
        store.popitem(last=False)


def serve(request, versions, render, read_at):
    """The page keyed by ``versions`` (of what it shows, read from PostgreSQL at ``read_at``),
    from memory, or ``render()`` once and kept; for a request that is not ``shareable``,
    ``render()``'s own response marked private."""
    if not shareable(request):
        response = serve_shell(request, versions, render) if in_shell(request) else render()
        patch_cache_control(response, private=True, no_cache=True)
        patch_vary_headers(response, ["Cookie"])
        return response
    address = f"{request.path}?{keyed_query(request)}"
    etag = freshness.etag("page", address, versions)
    if etag.removeprefix("W/") in known_etags(request):
        return with_headers(HttpResponseNotModified(), etag, read_at)
    entry = _memory.get(etag)
    if entry is None:
        token = _sharing.set(EVERYONE)
        try:
            response = render()
        finally:
            _sharing.reset(token)
        text = response.content.decode()
        if response.status_code != 200 or response.cookies:
            response.content = fill(text).encode()  # what only this reader may see
            return response
        entry = Entry(text, response["Content-Type"])
        keep(_memory, etag, entry, KEPT_IN_MEMORY)
    entry.read_at = max(entry.read_at, read_at)
    keep(_latest, address, etag, KEPT_IN_MEMORY)
    return send(request, entry, etag)


def in_shell(request):
    """Whether ``request``, not ``shareable``, gets the kept shell with its own blocks filled in:
    a GET by a reader with a session who is not staff (staff see drafts and the admin's links)."""
    user = getattr(request, "user", None)
    return plain_read(request) and not (user is not None and user.is_staff)


@dataclass
class Shell:
    """A kept page for readers with a session: its text with markers, and its blocks."""

    text: str
    content_type: str
    slots: list  # Slot, by the number in its marker

    @cached_property
    def pieces(self):
        """The text around the slots' markers, with the slots' numbers between."""
        return [int(piece) if i % 2 else piece for i, piece in enumerate(SLOT.split(self.text))]


class Slot(NamedTuple):
    """A ``{% personal %}`` block of a shell and what it is rendered with: the shell's context
    (the reader's own comes on top) and its template's blocks."""

    nodelist: object
    values: dict
    template: object
    blocks: object


def serve_shell(request, versions, render):
    """The shell keyed by ``versions``, from memory or ``render()`` once, with this reader's
    blocks, CSRF token and parts filled in."""
    key = freshness.etag("shell", request.path, keyed_query(request), versions)
    shell = _memory.get(key)
    if shell is None:
        slots = []
        tokens = _sharing.set(MEMBERS), _slots.set(slots)
        try:
            response = render()
        finally:
            _sharing.reset(tokens[0])
            _slots.reset(tokens[1])
        if response.status_code != 200 or response.cookies or not slots:
            response.content = fill(response.content.decode()).encode()
            return response
        shell = Shell(response.content.decode(), response["Content-Type"], slots)
        keep(_memory, key, shell, KEPT_IN_MEMORY)
    kept = []
    token = _kept.set(kept)
    try:
        text = "".join(
            fill_slot(shell.slots[piece], request) if isinstance(piece, int) else piece
            for piece in shell.pieces
        )  # fmt: skip
    finally:
        _kept.reset(token)
    csrf_token = None
    if CSRF_MARKER in text or any(block.csrf for block in kept):
        csrf_token = get_token(request)
        text = text.replace(CSRF_MARKER, csrf_token)
    body = [kept[int(piece)].filled(csrf_token) if i % 2 else fill(piece).encode()
            for i, piece in enumerate(KEPT.split(text))]  # fmt: skip
    return HttpResponse(b"".join(body), content_type=shell.content_type)


def personal_block(nodelist, context):
    """What ``{% personal %}`` shows: its block rendered, or in a shell, a marker for it."""
    slots = _slots.get(None) if _sharing.get() == MEMBERS else None
    if slots is None:
        return nodelist.render(context)
    blocks = context.render_context.get(BLOCK_CONTEXT_KEY)
    slots.append(Slot(nodelist, context.flatten(), context.template, blocks))
    return f"<!--page-slot-{len(slots) - 1}-{MARKER}-->"


def fill_slot(slot, request):
    """``slot`` rendered for ``request``: the shell's context under the reader's own."""
    context = RequestContext(request, slot.values)
    if slot.blocks is not None:
        context.render_context[BLOCK_CONTEXT_KEY] = slot.blocks
    token = _filling.set(True)
    try:
        with context.bind_template(slot.template):
            return slot.nodelist.render(context)
    finally:
        _filling.reset(token)


class Kept:
    """A reader's block kept by ``for_reader``: its text as bytes, cut where each serve puts
    the reader's CSRF token and the parts (``part()``), so a serve encodes none of it again."""

    def __init__(self, text):
        pieces = FRESH.split(text)
        self.chunks = [piece if i % 2 else piece.encode() for i, piece in enumerate(pieces)]
        self.csrf = CSRF_MARKER in pieces

    def filled(self, csrf_token):
        return b"".join(
            chunk if isinstance(chunk, bytes)
            else (csrf_token if chunk == CSRF_MARKER else fill(chunk)).encode()
            for chunk in self.chunks
        )  # fmt: skip


def for_reader(key_of, make, csrf_token):
    """``make(csrf_token)``; in a shell's block, its text kept in this worker under the key
    ``key_of()`` gives, which must hold everything of the reader it shows (their discussion:
    ``comments.discussion.reader_key``), made with the markers of the CSRF token and the parts
    (``part()``: a form's timestamp) that each serve fills in. A key of
    None keeps nothing. What it returns then is a marker ``serve_shell`` puts the kept text in."""
    key = key_of() if _filling.get() else None
    if key is None:
        return make(csrf_token)
    block = _readers.get(key)
    if block is None:
        token = _sharing.set(MEMBERS)  # made once for many serves: parts as markers too
        try:
            block = Kept(make(CSRF_MARKER))
        finally:
            _sharing.reset(token)
        keep(_readers, key, block, KEPT_IN_MEMORY)
    kept = _kept.get()
    kept.append(block)
    return f"<!--page-kept-{len(kept) - 1}-{MARKER}-->"


def stale(request):
    """While the database is down: the page last served at the request's address, if it is
    still kept and its versions were read at most STALE_IF_ERROR_SECONDS ago; else None."""
    if not shareable(request):
        return None
    etag = _latest.get(f"{request.path}?{keyed_query(request)}")
    entry = _memory.get(etag)
    if entry is None or clock() - entry.read_at > settings.STALE_IF_ERROR_SECONDS:
        return None
    if etag.removeprefix("W/") in known_etags(request):
        return with_headers(HttpResponseNotModified(), etag, entry.read_at)
    return send(request, entry, etag)


def send(request, entry, etag):
    """The kept page, compressed as the client accepts."""
    encoding, compress, _ = compressor(request.headers.get("Accept-Encoding", ""))
    response = HttpResponse(entry.current(encoding, compress), content_type=entry.content_type)
    if encoding:
        response["Content-Encoding"] = encoding
    return with_headers(response, etag, entry.read_at)


def known_etags(request):
    header = request.headers.get("If-None-Match", "")
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}


def recent(key, load, *, own=False):
    """(``load()``, when it was read), or what it gave in this process less than
    PAGE_VERSION_SECONDS ago: a kept page then costs no query at all, and shows a change that
    much later (None is not kept). ``own``: a reader's own state (``comments.readers``), kept
    apart, so that many readers never push out the articles' versions."""
    store, size = (_own, KEPT_IN_MEMORY * 32) if own else (_recent, KEPT_IN_MEMORY * 8)
    seconds = settings.PAGE_VERSION_SECONDS
    now = clock()
    found = store.get(key)
    if found is not None and now - found[0] < seconds:
        return found[1], found[0]
    value = load()
    if value is not None and seconds > 0:
        keep(store, key, (now, value), size)
    return value, now


def forget_own(key):
    """Drop what ``recent(key, ..., own=True)`` remembers in this process: it changed here."""
    _own.pop(key, None)


def forget():
    """Drop this process's pages and versions."""
    _memory.clear()
    _recent.clear()
    _latest.clear()
    _readers.clear()
    _own.clear()


def with_headers(response, etag, read_at):
    response["ETag"] = etag
    response["Age"] = str(max(0, int(clock() - read_at)))
    patch_cache_control(response, public=True, max_age=0, s_maxage=settings.SHARED_CACHE_SECONDS)
    # The language comes from the cookie or from Accept-Language (#27).
    patch_vary_headers(response, ["Cookie", "Accept-Encoding", "Accept-Language"])
    return response


def fill(text):
    """``text`` with every marker of ``part()`` replaced by a fresh value."""
    if MARKER not in text:
        return text
    for name, make in _parts.items():
        text = text.replace(f"page-part-{name}-{MARKER}", make())
    return text
