"""Errors as ``application/problem+json`` (RFC 9457, #30): every answer of the API that is not a
success says what went wrong in one shape: type, title, status, detail and, for input, the
messages of each field."""

import json
from http import HTTPStatus

from django.http import HttpResponse

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "/api/v1/problems/"  # relative to the site: the type names the problem, stably


class Problem(Exception):
    """Raised anywhere under a view of the API; answered as problem+json."""

    def __init__(self, status, detail="", *, kind=None, title=None, errors=None, headers=None):
        super().__init__(detail)
        self.status, self.detail, self.errors = status, detail, errors
        self.kind = kind or slug(status)
        self.title = title or HTTPStatus(status).phrase
        self.headers = headers or {}


def slug(status):
    return HTTPStatus(status).phrase.lower().replace(" ", "-").replace("'", "")


def body(status, *, detail="", kind=None, title=None, errors=None):
    """The problem document as a dict."""
    doc = {
        "type": TYPE_BASE + (kind or slug(status)),
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        doc["errors"] = errors
    return doc


def response(status, *, detail="", kind=None, title=None, errors=None, headers=None):
    answer = HttpResponse(
        json.dumps(body(status, detail=detail, kind=kind, title=title, errors=errors)),
        status=status,
        content_type=CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        answer[name] = value
    return answer


def of(problem):
    """The response for a raised ``Problem``."""
    return response(
        problem.status, detail=problem.detail, kind=problem.kind, title=problem.title,
        errors=problem.errors, headers=problem.headers,
    )  # fmt: skip


def field_errors(django_errors):
    """{field: [message, ...]} from a form's ``errors`` (non-field errors under "_")."""
    return {
        ("_" if name == "__all__" else name): [str(message) for message in messages]
        for name, messages in django_errors.items()
    }


def schema_errors(errors):
    """{field: [message, ...]} from ninja's (pydantic's) validation errors, each named by its
    place in the request: "body", "parent", "page", ...; "_" for the whole body."""
    found = {}
    for error in errors:
        place = [str(part) for part in error.get("loc", ())]
        # ("body", "payload", "parent") -> "parent"; ("query", "page") -> "page"
        name = ".".join(place[2:] if place[:1] == ["body"] else place[1:]) or "_"
        found.setdefault(name, []).append(error.get("msg", "Invalid value."))
    return found
