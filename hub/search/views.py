"""The search page: a GET form, so that a search can be bookmarked and shared."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hub.search import selectors
from hub.search.forms import SearchForm


def _page_number(value: str | None) -> int:
    try:
        return int(value) if value and len(value) <= 6 else 1
    except ValueError:
        return 1


def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None, choices=selectors.filter_choices())
    results = None
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        data = form.cleaned_data
        results = selectors.search(
            text=data["q"], kind=data["kind"] or None, discussion_id=data["discussion"],
            priority_id=data["priority"], language=data["language"] or None, date_from=data["date_from"],
            date_to=data["date_to"], page=_page_number(request.GET.get("page")),
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "search/search.html", {"form": form, "results": results,
                                                  "query_string": query.urlencode()})
