"""Cookies a discussion inside another site's page can keep (#30).

In a frame on another site, a browser that blocks third-party cookies (Safari, Firefox, Chrome
with the setting) drops our Lax cookies: the session that remembers a guest's held comments, the
remembered name, the voter's key, the messages. A *partitioned* cookie (CHIPS:
``SameSite=None; Secure; Partitioned``) is still kept, in a jar of that host site alone: it
follows the reader inside that frame and nowhere else, so it tracks no one across sites.

So every cookie set in answer to the embed's pages, or to a request made from one of them (its
Referer, same-origin, is under ``/embed/``), gets those attributes. The site's own pages keep
their Lax cookies. Python 3.11's cookies know no ``Partitioned``: it is written after SameSite.
Chromium also keeps ``Secure`` cookies set over plain http from localhost and 127.0.0.1, which
the tests use.

The forms need no CSRF cookie: the frame is of our origin, so its posts carry our ``Origin``
and pass ``forum.middleware.OriginCsrfMiddleware`` like the site's own pages.
"""

from urllib.parse import urlsplit

PREFIX = "/embed/"
SAMESITE = "None; Partitioned"  # Python 3.11 writes what follows SameSite= as given


def from_embed(request):
    """Whether ``request`` is for an embed page, or made by one (Referer on this host). A page
    opened in a window of its own (``Sec-Fetch-Dest: document``) is not inside a frame: the
    sign-in popup a frame opens, and the sign-in pages it leads to, keep the site's cookies."""
    if request.headers.get("Sec-Fetch-Dest") == "document":
        return False
    if request.path.startswith(PREFIX):
        return True
    referer = urlsplit(request.headers.get("Referer", ""))
    return referer.netloc == request.META.get("HTTP_HOST") and referer.path.startswith(PREFIX)


class PartitionedCookiesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.cookies and from_embed(request):
            for morsel in response.cookies.values():
                morsel["samesite"] = SAMESITE
                morsel["secure"] = True
        return response
