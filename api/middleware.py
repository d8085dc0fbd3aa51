"""The API's HTTP edges (#30): CORS for the origins the operator lists (``API_CORS_ORIGINS``),
and every error under /api/ as application/problem+json, even those Django answers before the
API's views run (an unknown address, a wrong method, a body too large, the database down).

A dozen lines of our own rather than django-cors-headers: one prefix, no credentials (browsers
send tokens, never cookies, across origins), and the rules stay readable here."""

import json

from django.conf import settings
from django.http import HttpResponse

from api import problems

PREFIX = "/api/"
ALLOWED_METHODS = "GET, HEAD, POST, PATCH, DELETE, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type, If-None-Match"
EXPOSED_HEADERS = "ETag, Link, Location, Retry-After"
PREFLIGHT_SECONDS = 3600


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        origin = request.headers.get("Origin")
        allowed = origin is not None and origin in settings.API_CORS_ORIGINS
        preflight = request.method == "OPTIONS" and "Access-Control-Request-Method" in (
            request.headers
        )
        if allowed and preflight:
            response = self.preflight()
        else:
            response = as_problem(self.get_response(request))
        if allowed:
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        if origin is not None:
            vary = response.get("Vary")
            response["Vary"] = f"{vary}, Origin" if vary else "Origin"
        return response

    def preflight(self):
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response["Access-Control-Max-Age"] = str(PREFLIGHT_SECONDS)
        return response


def as_problem(response):
    """``response`` itself, or for an error in another shape (Django's HTML 404, 405, 400,
    413, 503, 500) the same status as problem+json, with its Allow and Retry-After kept."""
    if response.status_code < 400 or response.get("Content-Type", "").startswith(
        problems.CONTENT_TYPE
    ):
        return response
    detail = ""
    if response.get("Content-Type", "").startswith("application/json") and not getattr(
        response, "streaming", False
    ):
        try:
            detail = str(json.loads(response.content).get("detail", ""))
        except (ValueError, AttributeError):
            detail = ""
    keep = {name: response[name] for name in ("Allow", "Retry-After") if response.has_header(name)}
    return problems.response(response.status_code, detail=detail, headers=keep)
