"""Faces in discussions (issue #28): letters over a keyed pattern by default, a member's
uploaded picture once staff approve it, or their Gravatar, fetched by the worker, stored and
served from this site; bad files are refused with a message."""

import hashlib
import io
import re
import struct
import zlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from PIL import Image

from avatars.models import Avatar
from comments.models import Comment
from tests.factories import make_article, make_comment, make_user
from tests.outbox import run_tasks
from tests.pages import page_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rules")]
Status = Avatar.Status
EMAIL = "ada@example.com"


@pytest.fixture
def member():
    return make_user(username="ada", first_name="Ada", last_name="Byron", email=EMAIL)


def picture(fmt="JPEG", size=(300, 200), colour=(200, 40, 40), **save):
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt, **save)
    return out.getvalue()


def with_exif():
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # where it was taken
    return picture(exif=exif.tobytes())


def png_header(width, height):
    """A tiny PNG file that claims to be ``width`` x ``height``: a decompression bomb."""

    def chunk(kind, data):
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def save_profile(client, *, upload=None, gravatar=False, remove=False, name="picture.jpg"):
    data = {"display_name": "Ada Byron", "website": "", "bio": ""}
    if upload is not None:
        data["avatar-picture"] = SimpleUploadedFile(name, upload)
    if gravatar:
        data["avatar-gravatar"] = "on"
    if remove:
        data["avatar-remove"] = "on"
    return client.post("/users/me/", data, follow=True)


def header(comment):
    comment.refresh_from_db()
    return comment.header_html


def approve(admin_client, avatar):
    admin_client.post(
        "/admin/avatars/avatar/", {"action": "approve", "_selected_action": [avatar.pk]}
    )


def test_an_upload_is_re_encoded_without_exif_and_held_until_a_moderator_approves_it(
    client, admin_client, member
):
    article = make_article()
    comment = make_comment(article, user=member, author_name="Ada Byron", author_email=EMAIL)
    client.force_login(member)

    page = page_of(save_profile(client, upload=with_exif()))

    assert "Your profile is saved." in page
    avatar = Avatar.objects.get(user=member)
    stored = Image.open(io.BytesIO(bytes(avatar.image)))
    assert (stored.format, stored.size, dict(stored.getexif())) == ("WEBP", (128, 128), {})
    assert b"SecretCameraMaker" not in bytes(avatar.image) and b"Exif" not in bytes(avatar.image)
    assert avatar.status == Status.PENDING
    assert '<svg class="avatar"' in header(comment) and "<img" not in header(comment)
    assert client.get(f"/avatars/{avatar.digest}.webp").status_code == 404
    assert "waiting for a moderator" in page_of(client.get("/users/me/"))
    reader = Client()
    assert "<img" not in page_of(reader.get(article.get_absolute_url()))  # now in the cache

    approve(admin_client, avatar)

    url = f"/avatars/{avatar.digest}.webp"
    assert f'<img class="avatar" src="{url}"' in header(comment)
    assert f'src="{url}"' in page_of(reader.get(article.get_absolute_url()))


def test_a_photo_taken_sideways_is_stored_upright(client, member):
    sideways = Image.new("RGB", (300, 200), (0, 0, 255))
    sideways.paste((255, 0, 0), (0, 0, 300, 100))  # the top half, shown on the right
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: turn 90 degrees clockwise to show
    out = io.BytesIO()
    sideways.save(out, "JPEG", exif=exif.tobytes())
    client.force_login(member)

    save_profile(client, upload=out.getvalue())

    stored = Image.open(io.BytesIO(bytes(Avatar.objects.get().image))).convert("RGB")
    (left, *_), (right, *_) = stored.getpixel((10, 64)), stored.getpixel((118, 64))
    assert left < 60 and right > 200  # blue on the left, red on the right


def test_a_rejected_or_removed_picture_is_not_shown(client, admin_client, member):
    comment = make_comment(make_article(), user=member, author_email=EMAIL)
    client.force_login(member)
    save_profile(client, upload=picture("PNG"))
    avatar = Avatar.objects.get(user=member)
    approve(admin_client, avatar)
    assert "<img" in header(comment)

    admin_client.post(
        "/admin/avatars/avatar/", {"action": "reject", "_selected_action": [avatar.pk]}
    )
    assert "<img" not in header(comment) and "not approved" in page_of(client.get("/users/me/"))

    save_profile(client, remove=True)

    assert not Avatar.objects.filter(user=member).exists() and "<img" not in header(comment)
    assert client.get(f"/avatars/{avatar.digest}.webp").status_code == 404


def test_the_picture_is_served_from_our_origin_cached_for_good_under_the_same_policy(
    client, admin_client, member
):
    client.force_login(member)
    save_profile(client, upload=picture("GIF"))
    avatar = Avatar.objects.get(user=member)
    approve(admin_client, avatar)
    policy = client.get("/").headers["Content-Security-Policy"]

    response = client.get(f"/avatars/{avatar.digest}.webp")

    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == bytes(avatar.image)
    assert "img-src 'self' data: https:" in policy  # no avatar service's origin added
    assert response["Content-Security-Policy"] == policy


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"Just some text, not a picture.", "notes.png", "This file is not a picture"),
        (b"<html><script>alert(1)</script></html>", "page.jpg", "This file is not a picture"),
        (picture()[:200], "cut.jpg", "This file is not a picture"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "a.svg",
            "SVG drawings are not accepted",
        ),
        (
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
            "b.png",
            "SVG drawings are not accepted",
        ),
        (png_header(100_000, 100_000), "bomb.png", "This picture is too large"),
        (png_header(7_000, 7_000), "big.png", "This picture is too large"),
        (b"\xff" * (5 * 1024 * 1024 + 1), "huge.jpg", "This file is over 5 MB"),
    ],
    ids=["text", "html", "truncated", "svg", "svg-xml", "bomb", "49-megapixels", "over-5-mb"],
)
def test_a_file_that_is_not_a_picture_we_take_is_refused_with_a_message(
    client, member, data, name, message
):
    client.force_login(member)

    response = save_profile(client, upload=data, name=name)

    assert response.status_code == 200 and message in page_of(response)
    assert "Your profile is saved." not in page_of(response)
    assert not Avatar.objects.exists()


def test_a_script_hidden_in_a_pictures_text_chunk_does_not_survive(client, member):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    client.force_login(member)

    save_profile(client, upload=picture("PNG", pnginfo=info), name="a.png")

    assert b"<script" not in bytes(Avatar.objects.get().image)


def test_two_writers_with_the_same_initials_get_different_avatars():
    article = make_article()
    first = make_comment(article, author_name="Ada Bell", author_email="ada@bell.example")
    second = make_comment(article, author_name="Alan Brown", author_email="alan@brown.example")
    again = make_comment(article, author_name="Ada Bell", author_email="ada@bell.example")

    for comment in (first, second):
        assert ">AB</text>" in comment.header_html and '<path d="M' in comment.header_html

    def avatar(c):
        return c.header_html.split("</svg>")[0]

    assert avatar(first) != avatar(second)
    assert avatar(first) == avatar(again)  # the same person looks the same


@pytest.fixture
def gravatar(httpserver, settings):
    """A fake Gravatar on the loopback, answering for EMAIL."""
    settings.GRAVATAR_URL = httpserver.url_for("/avatar/")
    key = hashlib.md5(EMAIL.encode()).hexdigest()
    handler = httpserver.expect_request(f"/avatar/{key}", query_string="s=128&d=404")
    handler.respond_with_data(picture("PNG", colour=(0, 90, 200)), content_type="image/png")
    return httpserver


def test_an_opted_in_gravatar_is_fetched_once_by_the_worker_and_served_from_here(
    client, member, gravatar
):
    article = make_article()
    comment = make_comment(article, user=member, author_name="Ada Byron", author_email=EMAIL)
    client.force_login(member)

    save_profile(client, gravatar=True)
    assert gravatar.log == []  # the request did not wait on Gravatar
    run_tasks()
    save_profile(client, gravatar=True)  # saving again fetches nothing more
    run_tasks()

    assert len(gravatar.log) == 1
    avatar = Avatar.objects.get(user=member, kind=Avatar.Kind.GRAVATAR)
    assert avatar.fetched_at is not None
    assert f'<img class="avatar" src="/avatars/{avatar.digest}.webp"' in header(comment)
    assert client.get(f"/avatars/{avatar.digest}.webp").content == bytes(avatar.image)
    form = page_of(client.get("/users/me/"))
    assert re.search(r'<input type="checkbox" name="avatar-gravatar"[^>]* checked', form)


def test_no_page_carries_an_email_hash_or_asks_another_site(client, member, gravatar):
    article = make_article()
    make_comment(article, user=member, author_name="Ada Byron", author_email=EMAIL)
    client.force_login(member)
    save_profile(client, gravatar=True)
    run_tasks()
    hashes = [hashlib.md5(EMAIL.encode()).hexdigest(), hashlib.sha256(EMAIL.encode()).hexdigest()]

    for url in (article.get_absolute_url(), "/users/ada/", "/users/me/", "/"):
        page = page_of(client.get(url))
        assert not any(h in page for h in hashes), url
        assert "gravatar.com" not in page and gravatar.url_for("/") not in page, url


def test_the_weekly_refresh_fetches_a_changed_gravatar_again(client, member, gravatar):
    comment = make_comment(make_article(), user=member, author_email=EMAIL)
    client.force_login(member)
    save_profile(client, gravatar=True)
    run_tasks()
    first = Avatar.objects.get(user=member).digest

    call_command("refresh_gravatars", stdout=(out := StringIO()))
    assert "0 Gravatars queued." in out.getvalue()  # fetched this week

    gravatar.clear()
    key = hashlib.md5(EMAIL.encode()).hexdigest()
    gravatar.expect_request(f"/avatar/{key}").respond_with_data(
        picture("PNG", colour=(10, 160, 60)), content_type="image/png"
    )
    Avatar.objects.update(fetched_at=timezone.now() - timedelta(days=8))
    call_command("refresh_gravatars", stdout=(out := StringIO()))
    run_tasks()

    assert "1 Gravatar queued." in out.getvalue() and len(gravatar.log) == 1
    now = Avatar.objects.get(user=member).digest
    assert now != first and f"/avatars/{now}.webp" in header(comment)
    assert client.get(f"/avatars/{first}.webp").status_code == 404


def test_a_member_without_a_gravatar_keeps_the_letters(client, settings, httpserver):
    settings.GRAVATAR_URL = httpserver.url_for("/avatar/")
    httpserver.expect_request("/avatar/", method="GET").respond_with_data("", status=404)
    member = make_user(username="nobody", email="nobody@example.com")
    comment = make_comment(make_article(), user=member, author_email="nobody@example.com")
    client.force_login(member)

    save_profile(client, gravatar=True)
    run_tasks()

    assert Avatar.objects.get().digest == "" and '<svg class="avatar"' in header(comment)


def test_opting_out_deletes_the_stored_gravatar(client, member, gravatar):
    comment = make_comment(make_article(), user=member, author_email=EMAIL)
    client.force_login(member)
    save_profile(client, gravatar=True)
    run_tasks()
    digest = Avatar.objects.get().digest

    save_profile(client, gravatar=False)

    assert not Avatar.objects.exists()
    assert '<svg class="avatar"' in header(comment)
    assert client.get(f"/avatars/{digest}.webp").status_code == 404


def test_deleting_the_account_deletes_its_pictures(client, admin_client, member, gravatar):
    member.set_password("a long passphrase 42")
    member.save()
    comment = make_comment(make_article(), user=member, author_email=EMAIL)
    client.force_login(member)
    save_profile(client, gravatar=True, upload=picture())
    approve(admin_client, Avatar.objects.get(kind=Avatar.Kind.UPLOAD))
    run_tasks()
    digests = list(Avatar.objects.values_list("digest", flat=True))
    assert len(digests) == 2 and "<img" in header(comment)

    client.post("/users/me/delete/", {"password": "a long passphrase 42", "comments": "keep"})

    assert not Avatar.objects.exists()
    assert Comment.objects.get().user is None and "<img" not in header(comment)
    for digest in digests:
        assert client.get(f"/avatars/{digest}.webp").status_code == 404


def test_the_members_data_download_lists_their_pictures(client, admin_client, member):
    client.force_login(member)
    save_profile(client, upload=picture())
    approve(admin_client, avatar := Avatar.objects.get())

    data = client.get("/users/me/data.json").json()

    assert [(p["kind"], p["status"]) for p in data["pictures"]] == [("upload", "approved")]
    assert data["pictures"][0]["url"].endswith(f"/avatars/{avatar.digest}.webp")


def test_staff_see_a_pending_picture_in_the_admin_and_readers_do_not(client, admin_client, member):
    client.force_login(member)
    save_profile(client, upload=picture())
    avatar = Avatar.objects.get()

    listing = page_of(admin_client.get("/admin/avatars/avatar/"))
    preview = admin_client.get(f"/admin/avatars/avatar/{avatar.pk}/picture/")

    assert f'src="/admin/avatars/avatar/{avatar.pk}/picture/"' in listing
    assert preview.status_code == 200 and preview.content == bytes(avatar.image)
    assert client.get(f"/admin/avatars/avatar/{avatar.pk}/picture/").status_code == 302
    assert client.get(f"/avatars/{avatar.digest}.webp").status_code == 404


def test_gravatar_failing_keeps_the_copy_until_next_week(client, member, gravatar):
    client.force_login(member)
    save_profile(client, gravatar=True)
    run_tasks()
    kept = Avatar.objects.get().digest
    gravatar.clear()
    gravatar.expect_request(re.compile("/avatar/.*")).respond_with_data("down", status=503)
    Avatar.objects.update(fetched_at=timezone.now() - timedelta(days=8))

    call_command("refresh_gravatars", stdout=StringIO())
    run_tasks()

    assert len(gravatar.log) == 1 and Avatar.objects.get().digest == kept
    assert client.get(f"/avatars/{kept}.webp").status_code == 200
    assert call_command("refresh_gravatars", "--dry-run", stdout=(out := StringIO())) is None
    assert "1 Gravatar would be fetched." in out.getvalue()  # tried again next time


def test_a_moderator_approves_pictures(client, member):
    from django.contrib.auth.models import Group

    moderator = make_user(username="mod", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(member)
    save_profile(client, upload=picture())
    client.force_login(moderator)

    approve(client, avatar := Avatar.objects.get())

    avatar.refresh_from_db()
    assert avatar.status == Status.APPROVED


def test_pictures_cost_a_page_no_query_per_comment():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(count):
        article = make_article()
        for n in range(count):
            writer = make_user()
            Avatar.objects.create(
                user=writer, kind=Avatar.Kind.UPLOAD, status=Status.APPROVED, digest=f"{n:032x}"
            )
            make_comment(article, user=writer, author_email=writer.email)
        reader = Client()
        reader.get(article.get_absolute_url())  # the first visit may fill the caches
        with CaptureQueriesContext(connection) as queries:
            page = page_of(reader.get(article.get_absolute_url()))
        assert page.count('<img class="avatar"') == count
        return len(queries)

    assert queries_for(1) == queries_for(12)
