"""Arabic and French in a real browser (issue #27): axe finds nothing, nothing scrolls sideways
down to a 360px phone, the Arabic page mirrors (replies indented from the right), and the
script speaks the page's language. Screenshots go beside the English ones."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from comments.services import feature
from tests.factories import make_article, make_comment, set_rules
from tests.test_accessibility import (
    SCREENSHOTS,
    axe_violations,
    npm_tools,  # noqa: F401 (a fixture, used by name)
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("npm_tools")]

SIZES = [("desktop", 1280, 900), ("phone", 360, 780)]


@pytest.fixture
def discussion(transactional_db):
    """Three threads, one of them deep, with the author answering, links, a featured comment
    and a comment in the other direction's script: what a page in either direction shows."""
    article = make_article(title="Ponts et passerelles", body="## Un titre\n\nDu *texte*.")
    set_rules(threads_per_page=3, downvotes=True)
    for n in range(3):
        root = make_comment(article, body=f"Fil {n} avec [un lien](https://example.org)")
        reply = make_comment(article, parent=root, user=article.author, author_name="L’autrice")
        parent = make_comment(article, parent=reply, author_name="سلمى", body="تعليق بالعربية")
        for level in range(5 if n == 0 else 0):
            parent = make_comment(article, parent=parent, body=f"Plus profond, niveau {level}")
    first = Comment.objects.filter(article=article, level=0).order_by("pk").first()
    feature(Comment.objects.filter(pk=first.pk))
    return article


def paths(article):
    deep = article.comments.filter(level=5).first()
    return {
        "front": "/",
        "article": article.get_absolute_url(),
        "thread": f"/comments/{deep.pk}/thread/",
        "subscribe": "/subscribe/",
    }


@pytest.mark.parametrize("language", ["ar", "fr"])
@pytest.mark.parametrize(("device", "width", "height"), SIZES)
def test_pages_in_arabic_and_french_are_accessible_and_fit_a_phone(
    browser, live_server, discussion, language, device, width, height
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # The browser asks for the language; axe is injected inline, which the CSP refuses.
    context = browser.new_context(
        locale=language, viewport={"width": width, "height": height}, bypass_csp=True
    )
    page = context.new_page()
    found, wide = {}, {}
    for name, path in paths(discussion).items():
        page.goto(live_server.url + path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        wide[name] = page.evaluate("document.documentElement.scrollWidth") > width
        found[name] = axe_violations(page)
        if name in ("front", "article"):
            page.screenshot(path=SCREENSHOTS / f"{name}-{device}-{language}.png", full_page=True)
    context.close()
    assert found == {name: [] for name in found}
    assert wide == dict.fromkeys(wide, False)


def test_an_arabic_discussion_mirrors_and_its_script_speaks_arabic(
    browser, live_server, discussion
):
    context = browser.new_context(locale="ar", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + discussion.get_absolute_url())

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    # The second thread: its first comment, a reply by the author and one reply to that.
    root = page.locator("#comments > .comment-list > .comment-item").nth(1)
    reply = root.locator(":scope > .comment-list > .comment-item").first
    outer, inner = root.bounding_box(), reply.bounding_box()
    # Replies are indented from the right, where an Arabic line starts.
    assert inner["x"] + inner["width"] < outer["x"] + outer["width"]
    assert abs(inner["x"] - outer["x"]) < 1
    lines = root.locator(":scope > .comment-list").evaluate(
        "el => [getComputedStyle(el).borderRightWidth, getComputedStyle(el).borderLeftWidth]"
    )
    assert lines == ["1px", "0px"]  # the reply line sits on the start side
    # comments.js takes its words from the catalogue: "Hide 2 replies", in Arabic's dual.
    expect(root.locator(":scope > article .toggle")).to_have_text("إخفاء ردّين")
    context.close()


def test_the_french_script_moves_the_form_and_names_it_in_french(browser, live_server, discussion):
    context = browser.new_context(locale="fr", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + discussion.get_absolute_url())
    first = page.locator("article.comment:not(.removed)").first
    name = first.locator(".comment-author").inner_text()
    first.locator("a.reply").click()

    expect(page.locator("#reply-title")).to_have_text(f"Répondre à {name}")
    expect(page.get_by_role("button", name="Publier la réponse")).to_be_visible()
    expect(page.get_by_role("button", name="Aperçu")).to_be_visible()
    page.get_by_role("link", name="Annuler la réponse").click()
    expect(page.locator("#reply-title")).to_have_text("Laisser un commentaire")
    context.close()
