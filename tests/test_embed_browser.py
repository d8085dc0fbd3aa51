"""The embed in real Chromium (#30): a static page on another origin of the loopback frames the
discussion from the live server, with third-party cookies blocked. A reader reads, posts as a
guest, sees their comment awaiting moderation, replies; a list page shows counts; a site not
in the list gets nothing; axe finds nothing inside the frame. A member signs in through a popup
and comments under their name; new comments show live inside the frame."""

import functools
import http.server
import threading

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from comments.models import Comment
from embed import middleware
from embed.models import EmbeddedPage
from tests.conftest import CHROMIUM_ARGS
from tests.factories import make_comment, make_user, set_rules
from tests.test_accessibility import AXE, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_server", "rules")]

# Third-party cookies blocked, as Safari and Firefox do and Chrome lets readers choose: a
# frame's cookies are dropped unless partitioned. Playwright's contexts are off-the-record
# profiles, where Chromium already blocks them; the switch says so whatever that default
# becomes. ``test_without_partitioned_cookies_a_blocked_frame_forgets_the_guest`` checks it.
BLOCK_THIRD_PARTY_COOKIES = "--test-third-party-cookie-phaseout"

POST_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>A static post</title></head>
<body><main><h1>A static post</h1><p>Words.</p>
<div id="forum-comments" data-theme="{theme}" data-accent="{accent}"></div>
<noscript><a href="{forum}/embed/go/?page={origin}/post.html">Comments</a></noscript>
<script src="{forum}/static/js/embed.js" async></script>
</main></body></html>
"""
LIST_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Posts</title></head>
<body><ul>
<li><a href="/post.html">A static post</a>
  <a href="/post.html#comments" data-count="{origin}/post.html">Comments</a></li>
<li><a href="/other.html">Another</a> <a href="/other.html" data-count>Comments</a></li>
</ul><script src="{forum}/static/js/embed.js" async></script></body></html>
"""


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def other_site(forum):
    """The loopback's other name: localhost and 127.0.0.1 are two sites to a browser, whatever
    the ports (``--liveserver 127.0.0.1`` runs forum on the other one)."""
    return "localhost" if "//127.0.0.1" in forum else "127.0.0.1"


@pytest.fixture
def host(tmp_path_factory):
    """Start a static site on 127.0.0.1 (forum is on localhost: another site); returns a
    function that writes its pages and gives its origin."""
    servers = []

    def start(forum, theme="light", accent="#1f5b8f"):
        root = tmp_path_factory.mktemp("host")
        handler = functools.partial(Quiet, directory=str(root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        origin = f"http://{other_site(forum)}:{server.server_address[1]}"
        values = {"forum": forum, "origin": origin, "theme": theme, "accent": accent}
        (root / "post.html").write_text(POST_PAGE.format(**values))
        (root / "list.html").write_text(LIST_PAGE.format(**values))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return origin

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def chromium(browser_type, browser_type_launch_args):
    """Chromium with third-party cookies blocked."""
    browser = browser_type.launch(
        **{**browser_type_launch_args, "args": [*CHROMIUM_ARGS, BLOCK_THIRD_PARTY_COOKIES]}
    )
    yield browser
    browser.close()


def discussion_frame(page):
    frame = page.frame_locator("#forum-comments iframe")
    expect(frame.locator("#comments")).to_be_visible()
    return frame


def fill(frame, body, name="Sam"):
    frame.get_by_role("textbox", name="Comment", exact=True).fill(body)
    name_box = frame.get_by_role("textbox", name="Name", exact=True)
    if not name_box.input_value():
        name_box.fill(name)
        frame.get_by_role("textbox", name="Email", exact=True).fill("sam@example.com")


def test_a_guest_reads_posts_and_replies_in_the_frame_with_third_party_cookies_blocked(
    chromium, live_server, host, settings
):
    origin = host(live_server.url)
    settings.EMBED_SITES = [origin]
    set_rules(hold_all=True)
    page = chromium.new_page()
    page.goto(f"{origin}/post.html")
    frame = discussion_frame(page)
    expect(frame.get_by_role("heading", name="No comments yet")).to_be_visible()
    embedded = EmbeddedPage.objects.select_related("article").get()
    assert embedded.url == f"{origin}/post.html"
    assert embedded.article.title == "A static post"
    first = make_comment(embedded.article, author_name="Ines", body="An approved first thread")
    page.reload()
    frame = discussion_frame(page)
    expect(frame.get_by_text("An approved first thread")).to_be_visible()

    # A guest posts: held, and shown to them alone, in the frame they posted from.
    fill(frame, "My comment from the static site")
    frame.get_by_role("checkbox", name="Save my name, email, and website").check()
    frame.get_by_role("button", name="Post Comment").click()
    expect(frame.get_by_text("Your comment is awaiting moderation.").first).to_be_visible()
    comment = Comment.objects.get(body="My comment from the static site")
    assert comment.status == Comment.Status.PENDING and comment.article == embedded.article
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["sessionid"].get("partitionKey") == f"http://{other_site(live_server.url)}"

    # Its writer edits it, in the frame, whose session alone knows it is theirs.
    box = frame.locator(f"#comment-{comment.pk}")
    box.locator("summary").click()  # "More", where the minor actions are
    box.get_by_role("link", name="Edit your comment").click()
    frame.get_by_role("textbox", name="Comment", exact=True).fill("My edited comment")
    frame.get_by_role("button", name="Save").click()
    expect(frame.get_by_text("Your comment was changed.")).to_be_visible()
    expect(frame.get_by_text("My edited comment")).to_be_visible()
    assert Comment.objects.get(pk=comment.pk).body == "My edited comment"

    # The frame grew to its content: no scroll bar of its own.
    height = page.locator("#forum-comments iframe").evaluate(
        "f => f.getBoundingClientRect().height"
    )
    inner = frame.locator("body").evaluate("b => b.getBoundingClientRect().height")
    assert height >= inner > 100

    # A reply, with the script's inline form; the remembered name fills itself in.
    frame.locator(f"#comment-{first.pk}").get_by_role("link", name="Reply to Ines").click()
    expect(frame.get_by_role("textbox", name="Name", exact=True)).to_have_value("Sam")
    fill(frame, "A reply from the static site")
    frame.get_by_role("button", name="Post Reply").click()
    expect(frame.get_by_text("A reply from the static site")).to_be_visible()
    reply = Comment.objects.get(body="A reply from the static site")
    assert reply.parent_id == first.pk
    expect(frame.get_by_text("Your comment is awaiting moderation.")).to_have_count(2)

    # A guest's vote is theirs (its key in a partitioned cookie): pressed again after a reload.
    upvote = frame.get_by_role("button", name="Upvote the comment by Ines")
    upvote.click()
    expect(upvote).to_have_attribute("aria-pressed", "true")
    page.reload()
    upvote = discussion_frame(page).get_by_role("button", name="Upvote the comment by Ines")
    expect(upvote).to_have_attribute("aria-pressed", "true")
    assert Comment.objects.get(pk=first.pk).upvotes == 1

    # Another reader (another browser, nothing shared) sees neither held comment.
    other = chromium.new_page()
    other.goto(f"{origin}/post.html")
    expect(discussion_frame(other).get_by_text("An approved first thread")).to_be_visible()
    expect(discussion_frame(other).get_by_text("awaiting moderation")).to_have_count(0)
    other.context.close()
    page.context.close()


def test_without_partitioned_cookies_a_blocked_frame_forgets_the_guest(
    chromium, live_server, host, settings, monkeypatch
):
    """The control: the same post with third-party cookies that are not partitioned
    (``SameSite=None; Secure``), which this browser drops; the writer no longer sees their held
    comment."""
    monkeypatch.setattr(middleware, "SAMESITE", "None")
    origin = host(live_server.url)
    settings.EMBED_SITES = [origin]
    set_rules(hold_all=True)
    page = chromium.new_page()
    page.goto(f"{origin}/post.html")
    frame = discussion_frame(page)
    fill(frame, "Lost to the cookie rules")
    # The answer to the post itself: the page before it said "No comments yet" too.
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/post/")):
        frame.get_by_role("button", name="Post Comment").click()
    expect(frame.get_by_role("heading", name="No comments yet")).to_be_visible()
    assert Comment.objects.filter(body="Lost to the cookie rules").exists()
    expect(frame.get_by_text("awaiting moderation")).to_have_count(0)
    page.context.close()


def test_a_list_page_gets_its_counts_in_one_request(chromium, live_server, host, settings):
    origin = host(live_server.url)
    settings.EMBED_SITES = [origin]
    page = chromium.new_page()
    page.goto(f"{origin}/post.html")
    discussion_frame(page)
    make_comment(EmbeddedPage.objects.get().article)
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/embed/counts/" in r.url else None)
    page.goto(f"{origin}/list.html")
    expect(page.get_by_role("link", name="1 comment", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="0 comments", exact=True)).to_be_visible()
    assert len(asked) == 1
    page.context.close()


def test_a_site_not_in_the_list_gets_nothing(chromium, live_server, host, settings):
    allowed = host(live_server.url)
    stranger = host(live_server.url)
    settings.EMBED_SITES = [allowed]
    page = chromium.new_page()
    page.goto(f"{stranger}/post.html")
    frame = page.frame_locator("#forum-comments iframe")
    expect(frame.get_by_text("This site may not show these comments.")).to_be_visible()
    expect(frame.locator("#comments")).to_have_count(0)
    page.goto(f"{stranger}/list.html")
    expect(page.get_by_role("link", name="Comments")).to_have_count(2)
    page.context.close()


def test_a_stranger_framing_an_allowed_sites_page_is_refused_by_the_browser(
    chromium, live_server, host, settings
):
    allowed = host(live_server.url)
    stranger = host(live_server.url)
    settings.EMBED_SITES = [allowed]
    page = chromium.new_page()
    page.goto(f"{allowed}/post.html")
    discussion_frame(page)
    page.goto(f"{stranger}/post.html")
    page.evaluate(
        "page => { const f = document.createElement('iframe'); f.id = 'forged';"
        " f.src = page; document.body.appendChild(f); }",
        f"{live_server.url}/embed/thread/?page={allowed}/post.html",
    )
    forged = page.frame_locator("#forged")
    page.wait_for_load_state("load")
    expect(forged.locator("#comments")).to_have_count(0)
    page.context.close()


@pytest.mark.parametrize(("theme", "accent"), [("light", "#1f5b8f"), ("dark", "#8cc4f5")])
def test_axe_finds_nothing_inside_the_frame(browser, live_server, host, settings, theme, accent):
    if not AXE.exists():
        pytest.fail("axe-core is not installed (npm ci)")
    origin = host(live_server.url, theme=theme, accent=accent)
    settings.EMBED_SITES = [origin]
    context = browser.new_context(bypass_csp=True)  # axe is injected as an inline script
    page = context.new_page()
    page.goto(f"{origin}/post.html")
    discussion_frame(page)
    article = EmbeddedPage.objects.get().article
    root = make_comment(article, author_name="Ines", body="A thread")
    make_comment(article, parent=root, body="A reply")
    page.reload()
    discussion_frame(page)
    inner = next(f for f in page.frames if "/embed/" in f.url)
    assert axe_violations(inner) == []
    context.close()


# Members sign in through a popup; live updates in the frame

PASSWORD = "a long passphrase 42"


def make_member():
    member = make_user(username="bob", first_name="Bob", email="bob@example.com")
    member.set_password(PASSWORD)
    member.save()
    EmailAddress.objects.create(user=member, email="bob@example.com", verified=True, primary=True)
    return member


def open_sign_in(page, frame):
    """Press "Sign in" in the frame: the popup it opens."""
    with page.expect_popup() as opened:
        frame.get_by_role("link", name="Sign in", exact=True).click()
    return opened.value


def sign_in_with_allauth(popup):
    popup.get_by_label("Username or email").fill("bob@example.com")
    popup.locator("#id_password").fill(PASSWORD)
    popup.get_by_role("button", name="Sign In").click()


def test_a_member_signs_in_through_a_popup_and_comments_as_themselves(
    chromium, live_server, host, settings
):
    origin = host(live_server.url)
    settings.EMBED_SITES = [origin]
    member = make_member()
    page = chromium.new_page()
    page.goto(f"{origin}/post.html")
    frame = discussion_frame(page)

    # Signed out on forum too: allauth's own sign-in in the popup, then the question.
    popup = open_sign_in(page, frame)
    expect(
        frame.get_by_role("status").filter(has_text="Sign in in the window that opened")
    ).to_be_visible()
    sign_in_with_allauth(popup)
    where = origin.split("//")[1]
    expect(
        popup.get_by_role("heading", name=f"Sign in to the discussion on {where}?")
    ).to_be_visible()
    popup.get_by_role("button", name=f"Sign in on {where}").click()

    # The frame finds out by itself (the popup's opener is cut by forum's COOP) and reloads.
    expect(frame.get_by_text("Commenting as Bob")).to_be_visible(timeout=10_000)
    expect(frame.get_by_role("textbox", name="Name", exact=True)).to_have_count(0)
    cookies = [c for c in page.context.cookies() if c["name"] == "sessionid"]
    assert sorted(c.get("partitionKey", "") for c in cookies) == [
        "",
        f"http://{other_site(live_server.url)}",
    ]  # forum's own session, and the frame's, in the host site's jar alone

    frame.get_by_role("textbox", name="Comment", exact=True).fill("Bob, from the static site")
    frame.get_by_role("button", name="Post Comment").click()
    expect(frame.get_by_text("Bob, from the static site")).to_be_visible()
    comment = Comment.objects.get(body="Bob, from the static site")
    assert comment.user == member

    # Signing out of the frame leaves forum's own session; signing in again only asks.
    frame.get_by_role("link", name="sign out").click()
    frame.get_by_role("button", name="Sign out").click()
    expect(frame.get_by_role("textbox", name="Name", exact=True)).to_be_visible()
    popup = open_sign_in(page, frame)
    expect(
        popup.get_by_role("heading", name=f"Sign in to the discussion on {where}?")
    ).to_be_visible()
    popup.get_by_role("button", name="Cancel").click()
    expect(frame.get_by_text("This sign-in was cancelled.")).to_be_visible(timeout=10_000)
    expect(frame.get_by_role("textbox", name="Name", exact=True)).to_be_visible()
    page.context.close()


def test_axe_finds_nothing_in_the_sign_in_popup_nor_in_the_signed_in_frame(
    chromium, live_server, host, settings
):
    if not AXE.exists():
        pytest.fail("axe-core is not installed (npm ci)")
    origin = host(live_server.url)
    settings.EMBED_SITES = [origin]
    make_member()
    context = chromium.new_context(bypass_csp=True)  # axe is injected as an inline script
    page = context.new_page()
    page.goto(f"{origin}/post.html")
    frame = discussion_frame(page)
    popup = open_sign_in(page, frame)
    sign_in_with_allauth(popup)
    expect(popup.get_by_role("button", name="Cancel")).to_be_visible()
    assert axe_violations(popup) == []
    popup.get_by_role("button", name="Sign in on", exact=False).click()
    expect(frame.get_by_text("Commenting as Bob")).to_be_visible(timeout=10_000)
    inner = next(f for f in page.frames if "/embed/" in f.url)
    assert axe_violations(inner) == []
    context.close()


def test_new_comments_show_live_inside_the_frame(chromium, live_server, host, settings):
    origin = host(live_server.url)
    settings.EMBED_SITES = [origin]
    page = chromium.new_page()
    page.goto(f"{origin}/post.html")
    frame = discussion_frame(page)
    article = EmbeddedPage.objects.get().article
    iframe = page.locator("#forum-comments iframe")
    before = iframe.evaluate("f => f.getBoundingClientRect().height")

    make_comment(article, author_name="Ines", body="Written while the reader reads")
    inner = next(f for f in page.frames if "/embed/" in f.url)
    # The frame's poll, now rather than in 30 s: what a reader coming back to the tab does.
    inner.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    banner = frame.locator(".live-banner")
    expect(banner).to_contain_text("1 new comment")
    banner.get_by_role("button", name="Show").click()
    expect(frame.get_by_text("Written while the reader reads")).to_be_visible()
    expect(frame.get_by_role("heading", name="1 comment")).to_be_visible()
    page.wait_for_function(
        "before => document.querySelector('#forum-comments iframe')"
        ".getBoundingClientRect().height > before + 40",
        arg=before,
    )  # the frame grew to show it: no scroll bar of its own
    assert EmbeddedPage.objects.get().views == 1  # the script's refresh is not a frame shown
    page.context.close()
