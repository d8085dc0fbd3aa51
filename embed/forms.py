from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from embed.addresses import THEMES, accent_of, canonical
from embed.signins import SECRET, TOKEN

MAX_COUNTED_PAGES = 100
BAD = _("Send the sign-in's token and secret as the frame's script got them.")


class FrameForm(forms.Form):
    """What the host's script asks the frame for: ``/embed/thread/?page=...``."""

    page = forms.CharField(max_length=2000, error_messages={"required": _("Which page?")})
    title = forms.CharField(required=False, max_length=2000)
    theme = forms.ChoiceField(choices=[(t, t) for t in THEMES], required=False)
    accent = forms.CharField(required=False, max_length=20)

    def clean_page(self):
        self.origin, url = canonical(self.cleaned_data["page"])
        return url

    def clean_theme(self):
        return self.cleaned_data["theme"] or "auto"

    def clean_accent(self):
        return accent_of(self.cleaned_data["accent"])


class CountsForm(forms.Form):
    """``/embed/counts/?page=...&page=...``: pages of one site."""

    def __init__(self, data):
        super().__init__(data)
        self.pages = data.getlist("page")

    def clean(self):
        if not self.pages:
            raise ValidationError(_("Name at least one page."), code="page")
        if len(self.pages) > MAX_COUNTED_PAGES:
            raise ValidationError(
                _("At most %(n)d pages at once."), code="page", params={"n": MAX_COUNTED_PAGES}
            )
        found = {}
        for raw in self.pages:
            origin, url = canonical(raw)
            found[raw] = (origin, url)
        if len({origin for origin, _ in found.values()}) > 1:
            raise ValidationError(_("All the pages must be on one site."), code="page")
        self.origin = next(iter(found.values()))[0]
        self.urls = found  # as asked: (origin, canonical address)
        return self.cleaned_data


class TradeForm(forms.Form):
    """What the frame's script sends to trade an approved sign-in for its session."""

    token = forms.RegexField(regex=TOKEN, max_length=32, error_messages={"invalid": BAD})
    secret = forms.RegexField(regex=SECRET, max_length=43, error_messages={"invalid": BAD})

    def __init__(self, data):
        super().__init__(data)
        for field in self.fields.values():
            field.error_messages["required"] = BAD
