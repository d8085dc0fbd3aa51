"""The API fuzzed from its own OpenAPI schema (issue #30): schemathesis sends generated valid
and invalid requests to every operation, in-process through WSGI on the test database, and
checks that none answers a server error and that every answer conforms to the schema (status,
content type, headers, body). Derandomized, so a run is the same every time."""

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api import services as tokens
from api.main import api
from api.models import ApiToken
from comments.models import Comment
from tests.factories import make_article, make_comment, make_user
from tests.test_api import make_moderator

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
MODERATOR = {}  # the seeded moderator's token, sent to the moderation operations


@pytest.fixture
def seeded(db, rules, settings):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    settings.API_WRITES_PER_MINUTE = 10_000  # fuzzing is not flooding: that is tested on its own
    article = make_article()
    root = make_comment(article, body="A **thread**")
    make_comment(article, parent=root, body="<script>alert(1)</script>")
    make_comment(article, status=Comment.Status.PENDING)
    make_comment(make_article(), user=make_user())
    MODERATOR["token"] = tokens.issue_token(
        ApiToken(user=make_moderator(), name="fuzz", scope=ApiToken.Scope.MODERATE)
    )
    # As Django's test client does: the app's end of request must not close the test's
    # connection, which holds the test's transaction.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


# The schema the app serves at /api/v1/openapi.json, made by the same code; requests go to
# the whole Django app (middleware included) in-process.
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = WSGIHandler()


@schema.parametrize()
@hypothesis.settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_every_operation_answers_within_its_schema_and_never_a_server_error(case, seeded):
    headers = {"Accept-Encoding": "identity"}  # the test client does not decompress
    if case.operation.path.startswith("/api/v1/moderation"):
        headers["Authorization"] = f"Bearer {MODERATOR['token']}"
    case.call_and_validate(headers=headers, checks=CHECKS)
