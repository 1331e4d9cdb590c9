"""View helpers that more than one app uses: where to go next, a service's refusal shown on a form, and the
absolute address of a page for links made outside a request (e-mails)."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str | None = None) -> str | None:
    """The `next` address the request names (POST first, then GET) if it stays on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def apply_errors(form: Form, exc: ValidationError, *, fields: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on the form: each field's messages on that field when the form has it,
    everything else at the top of the form. `fields` names the form field of a service's field where they differ."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            field = (fields or {}).get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def with_query(url: str, *, drop: tuple[str, ...] = (), fragment: str | None = None, **params: str) -> str:
    """`url` with query parameters replaced (`drop` removes some) and, if given, a new #fragment."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in drop and k not in params]
    query += [(k, v) for k, v in params.items() if v not in (None, "")]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query),
                       parts.fragment if fragment is None else fragment))


def absolute_url(path: str = "") -> str:
    """The absolute address of `path` ("/discussions/x/") on HUB_SITE_URL, the one source of every link in an
    e-mail or anything else made outside a request; `absolute_url()` is the site's root without a trailing slash."""
    base = settings.HUB_SITE_URL.rstrip("/")
    if path and not path.startswith("/"):
        path = "/" + path
    return base + path
