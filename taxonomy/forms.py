from django import forms
from django.utils.translation import gettext_lazy as _

from taxonomy.models import Tag


class MergeTagsForm(forms.Form):
    """The confirmation of "Merge into…": which tag the selected ones become."""

    into = forms.ModelChoiceField(
        queryset=Tag.objects.all(), label=_("Merge them into"),
        help_text=_("Their articles get this tag, and their addresses lead to it."),
    )  # fmt: skip
