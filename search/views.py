from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render

from core.limits import client_key, refuse_if_over_limit
from search import services
from search.forms import SearchForm

RESULTS_PER_PAGE = 20
SEARCHES_PER_MINUTE = 30  # per IP address, like previews


def search(request):
    """/search/?q=...: a normal page for any input; results only for a valid, non-empty query."""
    form = SearchForm(request.GET or None)
    context, status = {"form": form, "page": None, "query": ""}, 200
    if form.is_valid() and form.cleaned_data["q"]:
        try:
            refuse_if_over_limit(
                f"search:{client_key(request)}", limit=SEARCHES_PER_MINUTE, seconds=60
            )
        except ValidationError as error:
            form.add_error(None, error)
            return render(request, "search/results.html", context, status=429)
        data = form.cleaned_data
        # At most CANDIDATES rows of each kind: fetched at once, they need no count query.
        rows = list(services.matches(data["q"], kind=data["type"], article=data["article"]))
        page = Paginator(rows, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        more = len(rows) >= services.CANDIDATES  # only the newest matches were ranked
        context.update(
            page=page, query=data["q"], article=data["article"], more=more,
            results=services.results(list(page.object_list), data["q"]),
        )  # fmt: skip
    elif form.is_bound and not form.is_valid():
        status = 400
    return render(request, "search/results.html", context, status=status)
