"""While the database is down, every page is a friendly 503, and the site heals by itself (#6).
A reader without a session asking for a page this worker keeps gets that page instead, for a
bounded time and with its ``Age`` (``articles.pages.stale``, #23).

A view that cannot reach PostgreSQL raises ``OperationalError`` (or ``InterfaceError`` for a
connection that died under it). Without this middleware that is a 500 and an error report; with
it the reader gets the site's own "back in a moment" page with ``Retry-After``. Nothing here
keeps state: Django's connection health checks (``CONN_HEALTH_CHECKS``) drop the broken
connection at the next request, so the first request after PostgreSQL returns is served again,
with no restart of gunicorn.
"""

import contextlib
import ipaddress
import logging
from urllib.parse import unquote_plus

from compression_middleware.middleware import CompressionMiddleware as Compression
from django.conf import settings
from django.core.exceptions import BadRequest, DisallowedHost
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

from articles import pages
from forum.context import site

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("Database unavailable for %s: %s", request.path, exception)
        kept = pages.stale(request)
        return kept if kept is not None else database_unavailable_response()


def database_unavailable_response():
    """The 503 page, rendered without the request: context processors would ask the database
    who the user is, and the database is what just failed."""
    response = HttpResponse(render_to_string("503.html", site(None)), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class NulCharacterMiddleware:
    """No address here holds a NUL character, and PostgreSQL refuses the character in any text it
    is given: a path with one is a 404, a query string with one a 400, never a 500 (#28)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise Http404("No such page.")
        if "\x00" in unquote_plus(request.META.get("QUERY_STRING", "")):
            raise BadRequest("The address holds a NUL character.")
        return self.get_response(request)


class ClientAddressMiddleware:
    """Behind N trusted proxies, the client is the Nth address from the right of X-Forwarded-For.

    Flood control, bans and the sign-in lock-out all key on REMOTE_ADDR; behind a proxy that is
    the proxy's own address for every reader. Each proxy appends the address it saw, so only the
    last N entries are trustworthy; anything further left was written by the client (#6).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.proxies = settings.TRUSTED_PROXIES

    def __call__(self, request):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if self.proxies and forwarded:
            hops = [hop.strip() for hop in forwarded.split(",")]
            # Not an address, or fewer hops than proxies: keep the socket's peer.
            with contextlib.suppress(ValueError, IndexError):
                request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(hops[-self.proxies]))
        return self.get_response(request)


class OriginCsrfMiddleware:
    """One more way past Django's CSRF check (the next middleware): a browser that says the
    form was sent from this site (#17).

    Pages for readers without a session carry no token, so that they are the same for everyone
    and can be kept whole. A browser sends ``Sec-Fetch-Site`` (all current ones) or ``Origin``
    with every POST, and no page can forge either: ``Sec-Fetch-Site: same-origin``, or an
    ``Origin`` of this site, proves the request is not cross-site. A request without either
    header (an old browser, a script) needs the token as before; a foreign one is refused.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, callback, callback_args, callback_kwargs):
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and sent_from_here(request):
            request.csrf_processing_done = True  # CsrfViewMiddleware accepts it as checked
        return None


def sent_from_here(request):
    """Whether the browser says this request comes from a page of this site."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        return False
    try:
        here = f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:  # Django's own check answers it
        return False
    return origin == here or origin in settings.CSRF_TRUSTED_ORIGINS


class CompressionMiddleware(Compression):
    """zstd, brotli or gzip as the client accepts (django-compression-middleware), but never
    for a personal request (``pages.personal``): a response that holds a reader's own data is
    not compressed, so reflected input can never be used to guess it (BREACH). CSRF tokens are
    masked per response by Django in any case."""

    def process_response(self, request, response):
        if pages.personal(request, response):  # a session, a remembered name and email, ...
            return response
        return super().process_response(request, response)
