"""Akismet, or a service speaking its API, as a second opinion (#26). Off unless
AKISMET_API_KEY is set; AKISMET_URL points at a compatible service instead of Akismet's own.
Any failure (timeout, refused connection, a strange answer) is "no opinion": posting never
waits on it for more than AKISMET_TIMEOUT seconds."""

import logging

import akismet
import httpx
from django.conf import settings

log = logging.getLogger(__name__)
AKISMET_HOST = "https://rest.akismet.com"


class Redirect(httpx.HTTPTransport):
    """Sends the client's requests for Akismet's host to ``base`` (a compatible service)."""

    def __init__(self, base, **kwargs):
        super().__init__(**kwargs)
        self.base = httpx.URL(base)

    def handle_request(self, request):
        request.url = request.url.copy_with(
            scheme=self.base.scheme, host=self.base.host, port=self.base.port
        )
        request.headers["Host"] = self.base.netloc.decode()
        return super().handle_request(request)


def enabled():
    return bool(settings.AKISMET_API_KEY)


def is_spam(comment):
    """True or False by the service, or None when it is off or did not answer."""
    if not enabled():
        return None
    base = settings.AKISMET_URL or AKISMET_HOST
    config = akismet.Config(key=settings.AKISMET_API_KEY, url=settings.SITE_URL)
    http = httpx.Client(
        transport=Redirect(base), timeout=settings.AKISMET_TIMEOUT,
        headers={"User-Agent": akismet.USER_AGENT},
    )  # fmt: skip
    # Not the client's context manager: that would check the key again on every post.
    service = akismet.SyncClient(config=config, http_client=http)
    try:
        with http:
            answer = service.comment_check(
                user_ip=comment.ip_address or "127.0.0.1",
                user_agent=comment.user_agent,
                comment_type="comment",
                comment_author=comment.author_name,
                comment_author_email=comment.author_email,
                comment_author_url=comment.author_url,
                comment_content=comment.body[:20_000],
            )
    except Exception as error:  # an outage must never block posting
        log.warning("Akismet did not answer: %s", error)
        return None
    return bool(answer)
