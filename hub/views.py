from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.conf import settings

from hub import ratelimit
from hub.forms import ContactForm, ProfileForm
from hub.selectors import profile_for_user
from hub.services import contact_message_send, organisation_create, profile_update


def account_display_name(user) -> str:
    """How allauth names a person in its pages, messages and e-mails: the profile's name, else the e-mail."""
    profile = profile_for_user(user)
    return (profile.display_name if profile else "") or user.email


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "hub/home.html")


def page(request: HttpRequest, name: str) -> HttpResponse:
    return render(request, f"hub/{name}.html")


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return None


def admin_login(request: HttpRequest) -> HttpResponse:
    """The Django admin has no password form of its own: people sign in through the site's login (allauth), where
    its rate limits and e-mail verification apply. Whatever is posted here is never checked."""
    target = _safe_next(request) or reverse("admin:index")
    if request.user.is_authenticated:
        if admin.site.has_permission(request):
            return redirect(target)
        # Sending a signed-in person to the login page would bounce them straight back here.
        return render(request, "hub/admin_refused.html", status=403)
    return redirect(f"{reverse('account_login')}?{urlencode({'next': target})}")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    current = profile_for_user(request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    organisation = data["organisation"]
                    if not organisation:
                        organisation = organisation_create(
                            actor=request.user, name=data["new_organisation_name"],
                            acronym=data["new_organisation_acronym"], stakeholder_group=data["new_organisation_group"],
                            country=data["country"],
                        )
                    profile_update(
                        actor=request.user, user=request.user, display_name=data["display_name"],
                        organisation=organisation, job_title=data["job_title"], country=data["country"],
                        attribution=data["attribution"],
                    )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    target = {"name": "new_organisation_name", "stakeholder_group": "new_organisation_group"}.get(field, field)
                    form.add_error(target if target in form.fields else None, errors)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect(_safe_next(request) or "hub:profile")
    else:
        form = ProfileForm(initial={
            "display_name": current.display_name, "organisation": current.organisation_id,
            "job_title": current.job_title, "country": current.country, "attribution": current.attribution,
        })
    return render(request, "hub/profile.html", {"form": form, "profile": current, "next": _safe_next(request) or ""})


def contact(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            if form.cleaned_data["website"]:
                # A bot filled the hidden field: answer as if sent, store nothing.
                return redirect("hub:contact-thanks")
            if not ratelimit.allow_request(request, "contact", settings.HUB_CONTACT_RATE_LIMIT):
                form.add_error(None, _("You have sent several messages in a short time. Please try again in an hour."))
                return render(request, "hub/contact.html", {"form": form}, status=429)
            data = form.cleaned_data
            contact_message_send(actor=request.user, name=data["name"], email=data["email"],
                                 subject=data["subject"], message=data["message"])
            return redirect("hub:contact-thanks")
    else:
        initial = {}
        if request.user.is_authenticated:
            p = profile_for_user(request.user)
            initial = {"name": p.display_name if p else "", "email": request.user.email}
        form = ContactForm(initial=initial)
    return render(request, "hub/contact.html", {"form": form})


def contact_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "hub/contact_thanks.html")
