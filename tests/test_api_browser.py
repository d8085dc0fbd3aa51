"""The API's docs page in a real browser (issue #30): Swagger UI runs from our own static files
under the site's CSP (script-src 'self'), with nothing refused and no request elsewhere."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]


def test_the_docs_page_lists_every_operation_under_our_csp(page, live_server):
    refused, elsewhere = [], []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.on(
        "request",
        lambda r: elsewhere.append(r.url) if not r.url.startswith(live_server.url) else None,
    )

    page.goto(f"{live_server.url}/api/v1/docs")

    expect(page.get_by_text("forum API").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/articles/{article_id}/threads")
           .first).to_be_visible()  # fmt: skip
    assert refused == [] and [u for u in elsewhere if not u.startswith("data:")] == []
