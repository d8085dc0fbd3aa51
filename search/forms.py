from django import forms

from articles.models import Article
from core.text import JOINERS, SingleLineField

MAX_QUERY = 200


class SearchForm(forms.Form):
    q = SingleLineField(
        label="Search", max_length=MAX_QUERY, required=False, allowed=JOINERS,
        error_messages={"max_length": "Search for at most %(limit_value)d characters."},
    )  # fmt: skip
    type = forms.ChoiceField(
        label="Show",
        choices=[("all", "Articles and comments"), ("articles", "Articles"),
                 ("comments", "Comments")],
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
