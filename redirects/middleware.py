"""Old addresses answer 301 to their new home (issue #28), at no cost to this site's pages: the
table is read only for a 404, and for the front page asked for with WordPress's query
parameters (``/?p=123``), which would otherwise show the front page."""

from django.http import HttpResponsePermanentRedirect

from redirects import services


class OldAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/" and any(request.GET.get(k) for k in services.QUERY_KEYS):
            found = services.landing(request.path, request.GET)
            if found:
                return HttpResponsePermanentRedirect(found)
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        found = services.landing(request.path, request.GET)
        return HttpResponsePermanentRedirect(found) if found else response
