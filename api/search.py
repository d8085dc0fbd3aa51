"""Search (#30): the site's search (``search.services``, its form and its limit per client),
as JSON."""

from django.conf import settings
from ninja import Query

from api.access import caller, limit
from api.answers import answer, page_links, page_of
from api.problems import Problem, field_errors
from api.routers import discussions as router
from api.rows import api_path
from api.schemas import MAX_ID, Id, SearchPage
from api.schemas import Problem as ProblemOut
from core.limits import client_key
from search import services
from search.forms import SearchForm
from search.views import RESULTS_PER_PAGE, SEARCHES_PER_MINUTE

Page = Query(1, ge=1, le=MAX_ID, description="Page number, from 1.")
Kind = Query("all", description="all, articles or comments.")


@router.get(
    path="/search",
    tags=["reading"],
    response={200: SearchPage, **dict.fromkeys((404, 422, 429), ProblemOut)},
    url_name="search",
)
def search(request, q: str, type: str = Kind, article: Id | None = None, page: int = Page):
    """Published articles and approved comments matching ``q`` (words, "a phrase", -word, or),
    best first; ``article`` searches one discussion."""
    caller(request)
    form = SearchForm({"q": q, "type": type, "article": article or ""})
    if not form.is_valid() or not form.cleaned_data["q"]:
        errors = field_errors(form.errors) or {"q": ["Type something to search for."]}
        raise Problem(422, "Nothing can be searched for with this.", kind="invalid", errors=errors)
    limit(f"search:{client_key(request)}", SEARCHES_PER_MINUTE, 60)  # shared with the page
    given = form.cleaned_data
    rows = list(services.matches(given["q"], kind=given["type"], article=given["article"]))
    shown = page_of(rows, page, RESULTS_PER_PAGE)
    hits = [
        {
            "kind": hit["kind"],
            "title": hit["title"],
            "url": settings.SITE_URL + hit["url"],
            "snippet_html": str(hit["snippet"]),
            "date": hit["date"],
        }  # fmt: skip
        for hit in services.results(list(shown.object_list), given["q"])
    ]
    links = page_links(api_path("search"), shown, q=given["q"], type=given["type"],
                       article=given["article"] and given["article"].pk)  # fmt: skip
    data = {"items": hits, "page": shown.number, "pages": shown.paginator.num_pages,
            "more": len(rows) >= services.CANDIDATES, "links": links}  # fmt: skip
    return answer(SearchPage, data, links=links)
