from django import forms
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from core.text import JOINERS, SingleLineField

MAX_QUERY = 200


class SearchForm(forms.Form):
    q = SingleLineField(
        label=_("Search"), max_length=MAX_QUERY, required=False, allowed=JOINERS,
        error_messages={"max_length": _("Search for at most %(limit_value)d characters.")},
    )  # fmt: skip
    type = forms.ChoiceField(
        label=_("Show"),
        choices=[("all", _("Articles and comments")), ("articles", _("Articles")),
                 ("comments", _("Comments"))],
        required=False, widget=forms.RadioSelect, initial="all",
    )  # fmt: skip
    article = forms.ModelChoiceField(
        queryset=Article.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Published as of this request: "now" is taken when the form is made, not at start-up.
        self.fields["article"].queryset = Article.objects.published()

    def clean_type(self):
        return self.cleaned_data["type"] or "all"
