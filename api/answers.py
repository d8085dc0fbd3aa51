"""Successful answers (#30): validated against their schema, with ETag and 304, Link headers,
and ``Vary`` on what makes an answer one reader's."""

import json

from django.core.cache import caches
from django.core.paginator import InvalidPage, Paginator
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import urlencode
from ninja.responses import NinjaJSONEncoder

from api.problems import Problem
from core import freshness

API_FORMAT = 1  # bump when the answers' shape changes: every ETag changes with it
KEPT_SECONDS = 24 * 3600  # as the rendered discussions: their keys change with every write


def etag(*parts):
    """``core.freshness.etag`` of an API answer made from ``parts``."""
    return freshness.etag("api", API_FORMAT, *parts)


def not_modified(request, tag):
    """A 304 for ``tag`` when the client has it already (If-None-Match), else None."""
    header = request.headers.get("If-None-Match", "")
    known = {t.strip().removeprefix("W/") for t in header.split(",")}
    if tag.removeprefix("W/") in known or header.strip() == "*":
        return with_headers(HttpResponseNotModified(), tag)
    return None


def with_headers(response, tag=None, links=None):
    if tag is not None:
        response["ETag"] = tag
    if links:
        response["Link"] = ", ".join(
            f'<{url}>; rel="{rel}"' for rel, url in links.items() if url and rel != "self"
        )
    # Fresh answers every time, but a 304 costs the client nothing to check.
    patch_cache_control(response, no_cache=True)
    patch_vary_headers(response, ["Cookie", "Authorization"])
    return response


def answer(schema, data, *, status=200, tag=None, links=None, headers=None):
    """``data`` checked against ``schema`` and answered as JSON."""
    body = schema.model_validate(data).model_dump(mode="json")
    response = HttpResponse(
        json.dumps(body, cls=NinjaJSONEncoder), status=status, content_type="application/json"
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return with_headers(response, tag, links)


def kept(schema, tag, build):
    """The answer for ``tag``, from the shared cache of rendered discussions, or ``build()``
    (-> (data, links)) checked against ``schema`` and kept there: the tag names every input."""
    cache = caches["discussion"]
    key = freshness.key("api", tag)
    found = cache.get(key)
    if found is None:
        data, links = build()
        body = json.dumps(schema.model_validate(data).model_dump(mode="json"), cls=NinjaJSONEncoder)
        found = (body, links)
        cache.set(key, found, KEPT_SECONDS)
    body, links = found
    response = HttpResponse(body, content_type="application/json")
    return with_headers(response, tag, links)


def content_tag(schema, data):
    """An ETag from the answer itself, for lists that span many articles."""
    return etag(json.dumps(schema.model_validate(data).model_dump(mode="json"), sort_keys=True))


def page_of(items, number, per_page, *, count=None):
    """The Django ``Page`` numbered ``number``; a page that does not exist is a 404."""
    paginator = Paginator(items, per_page)
    if count is not None:
        paginator.count = count  # stored counts (#7): no count query
    try:
        return paginator.page(number)
    except InvalidPage:
        raise Problem(404, "There is no such page.", kind="no-such-page") from None


def page_links(path, page, **params):
    """self, first, prev, next, last of a Django ``Page``, as relative addresses."""

    def at(number):
        query = {k: v for k, v in params.items() if v not in (None, "")}
        if number > 1:
            query["page"] = number
        return f"{path}?{urlencode(query)}" if query else path

    last = page.paginator.num_pages
    return {
        "self": at(page.number),
        "first": at(1),
        "prev": at(page.number - 1) if page.has_previous() else None,
        "next": at(page.number + 1) if page.has_next() else None,
        "last": at(last),
    }
