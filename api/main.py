"""The API object (#30): django-ninja, its schema at /api/v1/openapi.json, its docs page at
/api/v1/docs (Swagger UI from our own static files), and every error as problem+json."""

import logging
import re

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError
from ninja.parser import Parser

from api import problems

logger = logging.getLogger("api")
RETRY_AFTER_SECONDS = 30  # as the site's own 503 page says

DESCRIPTION = """The discussions of this site as JSON: articles, threads, comments, counts;
posting, replying, editing, voting and reporting as a guest or a member; moderation for staff.

Reads need nothing. Writes as a member, and moderation, send a token made in the admin:
`Authorization: Bearer fk_…`. Every error is `application/problem+json` (RFC 9457). See the
README's "API" section for examples."""


LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def mended(value):
    """``value`` with each lone surrogate (a JSON "\\ud800", which no text encodes) replaced
    by U+FFFD, as Django reads such bytes in a form: kept visibly, and never a database error."""
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [mended(item) for item in value]
    if isinstance(value, dict):
        return {mended(key): mended(item) for key, item in value.items()}
    return value


class JsonParser(Parser):
    def parse_body(self, request):
        return mended(super().parse_body(request))


class Api(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """ninja's schema, with error answers declared as application/problem+json (what
        they are) and the bearer token named as the scheme members' and moderators' calls use."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                for status, answer in operation.get("responses", {}).items():
                    content = answer.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        answer["content"] = {problems.CONTENT_TYPE: content["application/json"]}
        components = schema.setdefault("components", {})
        components.setdefault("securitySchemes", {})["bearer"] = {
            "type": "http", "scheme": "bearer",
            "description": "A token made in the admin (API tokens).",
        }  # fmt: skip
        return schema


api = Api(
    title="forum API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    parser=JsonParser(),
)


@api.exception_handler(problems.Problem)
def _problem(request, exc):
    return problems.of(exc)


@api.exception_handler(SchemaError)
def _schema_error(request, exc):
    return problems.response(
        422, detail="Some values are not what this address takes.", kind="invalid",
        errors=problems.schema_errors(exc.errors),
    )  # fmt: skip


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return problems.response(401, detail="Send a token: “Authorization: Bearer <secret>”.",
                             headers={"WWW-Authenticate": "Bearer"})  # fmt: skip


@api.exception_handler(HttpError)
def _http_error(request, exc):
    # ninja's own: "Cannot parse request body" (malformed JSON) is a 400.
    return problems.response(exc.status_code, detail=str(exc))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problems.response(404, detail=str(exc) or "No such thing here.")


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return problems.response(403, detail=str(exc))


@api.exception_handler(SuspiciousOperation)
def _suspicious(request, exc):
    # A body over DATA_UPLOAD_MAX_MEMORY_SIZE, a Host not allowed, a broken multipart body.
    status = 413 if type(exc).__name__ == "RequestDataTooBig" else 400
    return problems.response(status, detail="The request was refused as malformed or too large.")


@api.exception_handler(DjangoValidationError)
def _rule(request, exc):
    return problems.response(422, detail=" ".join(exc.messages), kind="rule")


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _database_down(request, exc):
    logger.warning("Database unavailable for %s: %s", request.path, exc)
    return problems.response(503, detail="The database is unavailable; try again shortly.",
                             headers={"Retry-After": str(RETRY_AFTER_SECONDS)})  # fmt: skip


@api.exception_handler(Exception)
def _unexpected(request, exc):
    logger.exception("API error on %s %s", request.method, request.path)
    return problems.response(500, detail="Something went wrong on our side; it was logged.")


from api import moderation, reads, writes  # noqa: E402, F401  (their routes need ``api``)

api.add_router("", reads.router)  # writes.router is the same one: see api/routers.py
api.add_router("/moderation", moderation.router)
