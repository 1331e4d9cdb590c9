from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.i18n import JavaScriptCatalog
from django.views.decorators.http import require_POST

from hub.pagecache import public_page
from hub import ratelimit
from hub.forms import ContactForm, MembershipContactForm, MembershipDecisionForm, ProfileForm
from hub.http import apply_errors, safe_next
from hub.models import Membership, Profile
from hub.permissions import can_manage_memberships, check_review_memberships
from hub.selectors import MEMBERSHIP_QUEUE_FILTERS, membership_queue as membership_queue_for, profile_for_user
from hub.services import (
    contact_message_send,
    membership_confirm,
    membership_contact_set,
    membership_refuse,
    organisation_create,
    profile_update,
)

MEMBERSHIP_QUEUE_PER_PAGE = 50


def account_display_name(user) -> str:
    """How allauth names a person in its pages, messages and e-mails: the profile's name, else the e-mail."""
    profile = profile_for_user(user)
    return (profile.display_name if profile else "") or user.email


@cache_control(public=True, max_age=3600)
def javascript_catalog(request: HttpRequest) -> HttpResponse:
    """The djangojs catalogue of the language named by `?lang=` (the page's own language, see base.html): one URL
    per language, outside the language prefix, so a cached page and its catalogue always agree."""
    lang = request.GET.get("lang", settings.LANGUAGE_CODE)
    if lang not in dict(settings.LANGUAGES):
        raise Http404
    with translation.override(lang):
        return JavaScriptCatalog.as_view()(request)


@public_page
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "hub/home.html")


@public_page
def page(request: HttpRequest, name: str) -> HttpResponse:
    return render(request, f"hub/{name}.html")


def admin_login(request: HttpRequest) -> HttpResponse:
    """The Django admin has no password form of its own: people sign in through the site's login (allauth), where
    its rate limits and e-mail verification apply. Whatever is posted here is never checked."""
    target = safe_next(request) or reverse("admin:index")
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
                    saved = profile_update(
                        actor=request.user, user=request.user, display_name=data["display_name"],
                        organisation=organisation, job_title=data["job_title"], country=data["country"],
                        attribution=data["attribution"], language=data.get("language") or None,
                    )
            except ValidationError as exc:
                apply_errors(form, exc, fields={"name": "new_organisation_name",
                                                "stakeholder_group": "new_organisation_group"})
            else:
                messages.success(request, _("Your profile is saved."))
                if saved.organisation_id != current.organisation_id:
                    if saved.membership_confirmed:
                        messages.success(request, _("Your membership of %(organisation)s is confirmed: your e-mail "
                                                    "address is at one of its domains.") % {
                                                        "organisation": saved.organisation.name})
                    else:
                        messages.info(request, _("Your membership of %(organisation)s awaits confirmation by the "
                                                 "secretariat. Until then your comments show your own name with the "
                                                 "organisation marked as unconfirmed.") % {
                                                     "organisation": saved.organisation.name})
                return redirect(safe_next(request) or "hub:profile")
    else:
        form = ProfileForm(initial={
            "display_name": current.display_name, "organisation": current.organisation_id,
            "job_title": current.job_title, "country": current.country, "attribution": current.attribution,
            # A first profile proposes the language the person is reading the site in.
            "language": current.language if current.pk else translation.get_language(),
        })
    return render(request, "hub/profile.html", {"form": form, "profile": current, "next": safe_next(request) or ""})


def _membership_queue_page(request: HttpRequest, *, status: str, failed: tuple[int, MembershipDecisionForm] | None = None,
                           http_status: int = 200) -> HttpResponse:
    paginator = Paginator(membership_queue_for(request.user, status), MEMBERSHIP_QUEUE_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "hub/membership_queue.html", {
        "page": page, "status": status, "Membership": Membership,
        "filters": list(MEMBERSHIP_QUEUE_FILTERS) if can_manage_memberships(request.user) else [],
        "is_secretariat": can_manage_memberships(request.user),
        "failed_pk": failed[0] if failed else None, "failed_form": failed[1] if failed else None,
    }, status=http_status)


def _queue_status(request: HttpRequest) -> str:
    status = request.POST.get("status") or request.GET.get("status") or Membership.REQUESTED
    return status if status in MEMBERSHIP_QUEUE_FILTERS else Membership.REQUESTED


def _back_to_queue(status: str) -> HttpResponse:
    url = reverse("hub:membership-queue")
    return redirect(url if status == Membership.REQUESTED else f"{url}?{urlencode({'status': status})}")


@login_required
def membership_queue(request: HttpRequest) -> HttpResponse:
    """Membership requests for the secretariat (all) and organisation contacts (their organisation's)."""
    check_review_memberships(request.user)
    return _membership_queue_page(request, status=_queue_status(request))


@login_required
@require_POST
def membership_decide(request: HttpRequest, pk: int) -> HttpResponse:
    check_review_memberships(request.user)
    profile = get_object_or_404(Profile.objects.select_related("user", "organisation"), pk=pk)
    status = _queue_status(request)
    form = MembershipDecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "confirm":
                profile = membership_confirm(actor=request.user, profile=profile, organisation=data["organisation"])
            else:
                profile = membership_refuse(actor=request.user, profile=profile, organisation=data["organisation"],
                                            reason=data["reason"])
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                messages.error(request, " ".join(exc.messages))
                return _back_to_queue(status)
            apply_errors(form, exc)
        else:
            name = profile.display_name or profile.user.email
            if profile.membership == Membership.CONFIRMED:
                messages.success(request, _("%(name)s is confirmed as a member of %(organisation)s. They have been "
                                            "e-mailed.") % {"name": name, "organisation": profile.organisation.name})
            else:
                messages.success(request, _("The membership of %(name)s in %(organisation)s is refused. They have been "
                                            "e-mailed the reason.") % {"name": name,
                                                                         "organisation": profile.organisation.name})
            return _back_to_queue(status)
    # What was typed stays on the page, beside the request it was for.
    return _membership_queue_page(request, status=status, failed=(profile.pk, form), http_status=400)


@login_required
@require_POST
def membership_contact(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(Profile, pk=pk)
    form = MembershipContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether the person is the organisation's contact."))
        return _back_to_queue(Membership.CONFIRMED)
    try:
        profile = membership_contact_set(actor=request.user, profile=profile, contact=form.cleaned_data["contact"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        name = profile.display_name or profile.user.email
        if profile.organisation_contact:
            messages.success(request, _("%(name)s is now a contact of %(organisation)s and confirms its members.") % {
                "name": name, "organisation": profile.organisation.name})
        else:
            messages.success(request, _("%(name)s is no longer a contact of %(organisation)s.") % {
                "name": name, "organisation": profile.organisation.name})
    return _back_to_queue(Membership.CONFIRMED)


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
