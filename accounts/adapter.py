from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from core import limits
from core import text as one_line
from notifications import services as mail


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email):
        """Sign-up and a changed address follow the one-line rule of every form (#18)."""
        email = one_line.single_line(email)
        one_line.refuse_invisible(email)
        return super().clean_email(email)

    def _get_login_attempts_cache_key(self, request, **credentials):
        """allauth counts failed sign-ins under this key: one per account, whatever spelling of
        its username or address was typed, as the admin's lock-out counts them (#23)."""
        typed = credentials.get("email", credentials.get("username", ""))
        return f"account:{limits.account_name(typed)}"

    def get_client_ip(self, request):
        """allauth's per-address limits key on the same client as ours (IPv6: its /64)."""
        return limits.client_key(request) or super().get_client_ip(request)

    def send_mail(self, template_prefix, email, context):
        """Account mail (verification, password reset) goes through the outbox like all our
        mail (#13): the request does not wait on the SMTP server, and failures are retried."""
        message = self.render_mail(template_prefix, email, {**context, **site_context()})
        html = next(
            (c for c, kind in getattr(message, "alternatives", []) if kind == "text/html"), ""
        )
        text = message.body if message.content_subtype == "plain" else ""
        mail.queue(
            to=email, kind="account", subject=message.subject, text=text, html=html, asked=True
        )


def site_context():
    """What allauth's mail templates name the site by ("Hello from {{ current_site.name }}!"):
    the site's own name and public address, not the host of the request (#24)."""
    domain = urlsplit(settings.SITE_URL).netloc
    return {"current_site": SimpleNamespace(name=settings.SITE_NAME, domain=domain)}
