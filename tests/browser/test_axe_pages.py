"""axe-core on every page of the site, for each role that sees it, in every language of settings.LANGUAGES.

PAGES below names every URL pattern of the site (SKIPPED names the few that are not pages, each with the reason).
`test_every_url_pattern_is_in_the_accessibility_matrix` fails when a URL pattern exists that neither names, so a
new page cannot escape the check. The data is the demo data (`manage.py load_demo`), loaded once per test, and
each role's test signs in once, in one browser context, and walks all the pages that role sees in every language.

Languages: English is unprefixed; the others are built as "/<code>" + path. Until the site's URLs carry language
prefixes (i18n_patterns in hub.urls) a prefixed URL answers 404, and only then is that language left out (and
`test_each_language_of_the_settings_is_served_under_its_prefix` is skipped for it, saying so): once the prefixes
exist, the matrix covers them with no change here.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa",
                                          "best-practice"]},
    "resultTypes": ["violations"],
}

DUPLICATE_IDS = """() => {
  const seen = {};
  document.querySelectorAll("[id]").forEach((el) => { seen[el.id] = (seen[el.id] || 0) + 1; });
  return Object.keys(seen).filter((id) => seen[id] > 1);
}"""

ANON, STAKEHOLDER, MODERATOR, SECRETARIAT = "anonymous", "stakeholder", "moderator", "secretariat"
ROLES = (ANON, STAKEHOLDER, MODERATOR, SECRETARIAT)
SIGNED_IN = (STAKEHOLDER, MODERATOR, SECRETARIAT)
EVERYONE = ROLES
# The demo accounts of each role (hub/demo.py). Richard is a stakeholder who is also a peer reviewer.
ACCOUNTS = {STAKEHOLDER: "richard@demo.hub.localhost", MODERATOR: "moderator@demo.hub.localhost",
            SECRETARIAT: "secretariat@demo.hub.localhost"}


class Scene:
    """The demo objects the URLs are built from, looked up once after load_demo."""

    def __init__(self):
        from allauth.account.forms import default_token_generator
        from allauth.account.models import EmailAddress, EmailConfirmationHMAC
        from allauth.account.utils import user_pk_to_url_str

        from discussions.models import Comment, Discussion, Question
        from discussions.notifications import unsubscribe_token
        from hub.library.models import Resource, Review
        from hub.library.permissions import EDITABLE
        from hub.models import User
        from workplan.models import Priority, WorkingGroup, Workplan

        self.users = {role: User.objects.get(email=email) for role, email in ACCOUNTS.items()}
        stakeholder = self.users[STAKEHOLDER]
        self.discussion = Discussion.objects.order_by("pk").first()
        self.question = Question.objects.filter(discussion=self.discussion).order_by("order", "pk").first()
        published = Comment.objects.filter(discussion=self.discussion, status=Comment.Status.PUBLISHED)
        # The moderator's comment page of a highlighted comment shows the most on one page ...
        self.moderated_comment = published.filter(highlighted=True).first() or published.first()
        # ... and a moderator's edit with its reason, so that the history page has an earlier version to show.
        from discussions.moderation.edit import comment_moderator_edit

        comment_moderator_edit(actor=self.users[MODERATOR], comment=self.moderated_comment,
                               body=self.moderated_comment.body + "<p>(Phone number removed by the moderator.)</p>",
                               reason="Personal phone number removed")
        self.other_comment = published.exclude(author=stakeholder).first()
        self.own_comment = Comment.objects.filter(
            author=stakeholder, status__in=[Comment.Status.PUBLISHED, Comment.Status.PENDING]).order_by("pk").first()
        self.workplan = Workplan.objects.order_by("pk").first()
        self.priority = Priority.objects.filter(workplan=self.workplan).order_by("pk").first()
        self.group = WorkingGroup.objects.filter(workplan=self.workplan).order_by("pk").first()
        self.resource = Resource.objects.filter(status=Resource.Status.PUBLISHED).order_by("pk").first()
        # The demo's submitter is another stakeholder: one editable submission becomes this one's.
        reviewed = Review.objects.filter(reviewer__user=stakeholder).values_list("resource_id", flat=True)
        self.own_resource = (Resource.objects.filter(status__in=EDITABLE).exclude(pk__in=reviewed)
                             .order_by("pk").first())
        Resource.objects.filter(pk=self.own_resource.pk).update(submitted_by=stakeholder)
        self.review = Review.objects.filter(reviewer__user=stakeholder).order_by("pk").first()
        self.unsubscribe = unsubscribe_token(user_id=stakeholder.pk, discussion_id=self.discussion.pk)
        # A visitor who signed up and has not confirmed the address yet, for the confirmation page.
        newcomer = User.objects.create_user(username="newcomer", email="newcomer@example.org", password="x-Pass-2026!")
        address = EmailAddress.objects.create(user=newcomer, email=newcomer.email, verified=False, primary=True)
        self.confirmation_key = EmailConfirmationHMAC(address).key
        self.reset_uid = user_pk_to_url_str(newcomer)
        self.reset_key = default_token_generator.make_token(newcomer)
        # The secretariat's background jobs: a finished export, and the check of an uploaded bundle (its page
        # lists the findings and the options). Without a broker both run at once.
        self.export_job, self.check_job = self._jobs()

    def _jobs(self):
        import io

        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.http import QueryDict

        from discussions.interchange.exporter import export_consultation_bundle
        from discussions.secretariat import imports, jobs
        from discussions.secretariat.forms import ExportFilterForm
        from hub.jobs.services import job_start

        secretary = self.users[SECRETARIAT]
        form = ExportFilterForm(QueryDict(f"discussion={self.discussion.pk}"))
        assert form.is_valid(), form.errors
        export_job = job_start(actor=secretary, kind=jobs.KIND, params=jobs.export_params(
            form=form, fmt="csv", base_url="http://localhost", include_personal_names=True, language="en"))
        bundle = io.BytesIO()
        export_consultation_bundle(self.discussion, bundle)
        _token, check_job = imports.check_start(actor=secretary, uploaded=SimpleUploadedFile(
            "consultation.zip", bundle.getvalue(), content_type="application/zip"))
        return export_job, check_job


@dataclass(frozen=True)
class Page:
    route: str                       # the URL pattern, as `url_routes()` spells it
    build: Callable[[Scene], str]    # a real path from the demo data
    # Who sees the page (others are redirected or refused). The sign-up and password-reset pages are for
    # visitors: signed in, the same template only gains the header the other pages check.
    roles: tuple[str, ...]
    redirects: bool = False          # the address forwards to another page, which is then checked


def _p(route: str, build: Callable[[Scene], str] | str, roles: tuple[str, ...], redirects: bool = False) -> Page:
    return Page(route, build if callable(build) else (lambda s, path=build: path), roles, redirects)


PAGES: list[Page] = [
    # hub
    _p("", "/", EVERYONE),
    _p("profile/", "/profile/", SIGNED_IN),
    _p("memberships/", "/memberships/", (SECRETARIAT,)),
    _p("contact/", "/contact/", EVERYONE),
    _p("contact/thanks/", "/contact/thanks/", EVERYONE),
    _p("about/", "/about/", EVERYONE),
    _p("disclaimer/", "/disclaimer/", EVERYONE),
    _p("accessibility/", "/accessibility/", EVERYONE),
    # accounts (allauth, with our templates)
    _p("accounts/login/", "/accounts/login/", (ANON,)),
    _p("accounts/logout/", "/accounts/logout/", SIGNED_IN),
    _p("accounts/inactive/", "/accounts/inactive/", (ANON,)),
    _p("accounts/signup/", "/accounts/signup/", (ANON,)),
    _p("accounts/reauthenticate/", "/accounts/reauthenticate/", SIGNED_IN),
    _p("accounts/email/", "/accounts/email/", SIGNED_IN),
    _p("accounts/confirm-email/", "/accounts/confirm-email/", (ANON,)),
    _p("accounts/password/change/", "/accounts/password/change/", SIGNED_IN),
    # Every demo account has a password, so this forwards to the change form.
    _p("accounts/password/set/", "/accounts/password/set/", SIGNED_IN, redirects=True),
    _p("accounts/password/reset/", "/accounts/password/reset/", (ANON,)),
    # Sign-in by code is off: the page forwards to the sign-in form.
    _p("accounts/login/code/confirm/", "/accounts/login/code/confirm/", (ANON,), redirects=True),
    _p("accounts/^confirm-email/(?P<key>[-:\\w]+)/$", lambda s: f"/accounts/confirm-email/{s.confirmation_key}/",
       (ANON,)),
    _p("accounts/password/reset/key/done/", "/accounts/password/reset/key/done/", (ANON,)),
    # allauth keeps the key in the session and forwards to the same form without it.
    _p("accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
       lambda s: f"/accounts/password/reset/key/{s.reset_uid}-{s.reset_key}/", (ANON,), redirects=True),
    _p("accounts/password/reset/done/", "/accounts/password/reset/done/", (ANON,)),
    # workplan
    _p("workplan/", "/workplan/", EVERYONE),
    _p("workplan/interest/", "/workplan/interest/", (SECRETARIAT,)),
    _p("workplan/objectives/<int:number>/", "/workplan/objectives/5/", EVERYONE),
    _p("workplan/<slug:slug>/", lambda s: s.workplan.get_absolute_url(), EVERYONE),
    _p("workplan/<slug:slug>/priorities/<str:code>/", lambda s: s.priority.get_absolute_url(), EVERYONE),
    _p("workplan/<slug:slug>/groups/<slug:group>/", lambda s: s.group.get_absolute_url(), EVERYONE),
    # discussions
    _p("discussions/", "/discussions/", EVERYONE),
    _p("discussions/comments/<int:pk>/", lambda s: f"/discussions/comments/{s.other_comment.pk}/", EVERYONE,
       redirects=True),
    _p("discussions/comments/<int:pk>/edit/", lambda s: f"/discussions/comments/{s.own_comment.pk}/edit/",
       (STAKEHOLDER,)),
    _p("discussions/comments/<int:pk>/withdraw/", lambda s: f"/discussions/comments/{s.own_comment.pk}/withdraw/",
       (STAKEHOLDER,)),
    _p("discussions/unsubscribe/<str:token>/", lambda s: f"/discussions/unsubscribe/{s.unsubscribe}/", EVERYONE),
    _p("discussions/<discussion_slug:slug>/", lambda s: s.discussion.get_absolute_url(), EVERYONE),
    _p("discussions/<discussion_slug:slug>/post/",
       lambda s: f"{s.discussion.get_absolute_url()}post/?question={s.question.pk}", SIGNED_IN),
    # moderation
    _p("discussions/moderation/", "/discussions/moderation/", (MODERATOR,)),
    _p("discussions/moderation/dashboard/", "/discussions/moderation/dashboard/", (MODERATOR,)),
    _p("discussions/moderation/audit/", "/discussions/moderation/audit/", (MODERATOR,)),
    _p("discussions/moderation/comments/<int:pk>/",
       lambda s: f"/discussions/moderation/comments/{s.moderated_comment.pk}/", (MODERATOR,)),
    _p("discussions/moderation/comments/<int:pk>/report/",
       lambda s: f"/discussions/moderation/comments/{s.other_comment.pk}/report/", SIGNED_IN),
    _p("discussions/moderation/comments/<int:pk>/edit/",
       lambda s: f"/discussions/moderation/comments/{s.moderated_comment.pk}/edit/", (MODERATOR,)),
    _p("discussions/moderation/comments/<int:pk>/history/",
       lambda s: f"/discussions/moderation/comments/{s.moderated_comment.pk}/history/", (MODERATOR,)),
    _p("discussions/moderation/comments/<int:pk>/audit/",
       lambda s: f"/discussions/moderation/comments/{s.moderated_comment.pk}/audit/", (MODERATOR,)),
    _p("discussions/moderation/discussions/<slug:slug>/",
       lambda s: f"/discussions/moderation/discussions/{s.discussion.slug}/", (MODERATOR,)),
    _p("discussions/moderation/questions/<int:pk>/edit/",
       lambda s: f"/discussions/moderation/questions/{s.question.pk}/edit/", (MODERATOR,)),
    # secretariat
    _p("discussions/secretariat/", "/discussions/secretariat/", (SECRETARIAT,)),
    _p("discussions/secretariat/export/", "/discussions/secretariat/export/", (SECRETARIAT,)),
    _p("discussions/secretariat/import/", "/discussions/secretariat/import/", (SECRETARIAT,)),
    # jobs: a finished export (progress, report, download link) and an import's check (findings and options)
    _p("jobs/<int:pk>/", lambda s: f"/jobs/{s.export_job.pk}/", (SECRETARIAT,)),
    _p("discussions/secretariat/<slug:slug>/synthesis/",
       lambda s: f"/discussions/secretariat/{s.discussion.slug}/synthesis/", (SECRETARIAT,)),
    _p("discussions/secretariat/<slug:slug>/responses/",
       lambda s: f"/discussions/secretariat/{s.discussion.slug}/responses/", (SECRETARIAT,)),
    # library
    _p("library/", "/library/", EVERYONE),
    _p("library/<int:pk>/", lambda s: f"/library/{s.resource.pk}/", EVERYONE),
    _p("library/<int:pk>/edit/", lambda s: f"/library/{s.own_resource.pk}/edit/", (STAKEHOLDER,)),
    _p("library/submit/", "/library/submit/", SIGNED_IN),
    _p("library/criteria/", "/library/criteria/", EVERYONE),
    _p("library/mine/", "/library/mine/", SIGNED_IN),
    # The demo stakeholder is already on the roster, so only the others are offered the form.
    _p("library/roster/apply/", "/library/roster/apply/", (MODERATOR, SECRETARIAT)),
    _p("library/reviews/", "/library/reviews/", SIGNED_IN),
    _p("library/reviews/<int:pk>/", lambda s: f"/library/reviews/{s.review.pk}/", (STAKEHOLDER,)),
    _p("library/manage/", "/library/manage/", (SECRETARIAT,)),
    _p("library/manage/<int:pk>/", lambda s: f"/library/manage/{s.resource.pk}/", (SECRETARIAT,)),
    _p("library/manage/roster/", "/library/manage/roster/", (SECRETARIAT,)),
    _p("library/manage/criteria/", "/library/manage/criteria/", (SECRETARIAT,)),
    # search
    _p("search/", "/search/?q=priority", EVERYONE),
]
# More instances of routes named above, where one page shape is not enough: an import's check is a job page too,
# with a report of its own (the findings and the options).
MORE_PAGES: list[Page] = [_p("jobs/<int:pk>/", lambda s: f"/jobs/{s.check_job.pk}/", (SECRETARIAT,))]

_DOWNLOAD = "a file download, not an HTML page"
_POST = "POST-only: a form's action, answers 405 to GET; its form is checked on the page that shows it"
SKIPPED: dict[str, str] = {
    "healthz": "for load balancers: a short JSON answer, no page",
    "readyz": "for load balancers: a short JSON answer, no page",
    "jsi18n/": "the JavaScript catalogue (a script), no page",
    "discussions/secretariat/export/start/": _POST,
    "discussions/secretariat/import/<str:token>/": "GET forwards to the check's job page (checked as jobs/<int:pk>/); "
                                                  "POST starts the import",
    "discussions/secretariat/import/<str:token>/cancel/": _POST,
    "jobs/<int:pk>/status": "JSON: the job page's progress, polled by its script",
    "jobs/<int:pk>/download": _DOWNLOAD,
    "memberships/<int:pk>/decide/": _POST,
    "memberships/<int:pk>/contact/": _POST,
    "workplan/interest/export.csv": _DOWNLOAD,
    "workplan/interest/<int:pk>/decide/": _POST,
    "workplan/interest/<int:pk>/withdraw/": _POST,
    "workplan/<slug:slug>/document/": _DOWNLOAD,
    "discussions/files/<int:pk>/": _DOWNLOAD,
    "discussions/documents/<int:pk>/": _DOWNLOAD,
    "discussions/<discussion_slug:slug>/follow/": _POST,
    "discussions/<discussion_slug:slug>/unfollow/": _POST,
    "discussions/moderation/bulk/": _POST,
    "discussions/moderation/comments/<int:pk>/publish/": _POST,
    "discussions/moderation/comments/<int:pk>/decline/": _POST,
    "discussions/moderation/comments/<int:pk>/tags/": _POST,
    "discussions/moderation/comments/<int:pk>/hide/": _POST,
    "discussions/moderation/comments/<int:pk>/unhide/": _POST,
    "discussions/moderation/comments/<int:pk>/highlight/": _POST,
    "discussions/moderation/comments/<int:pk>/unhighlight/": _POST,
    "discussions/moderation/comments/<int:pk>/notes/": _POST,
    "discussions/moderation/comments/<int:pk>/dismiss-reports/": _POST,
    "discussions/moderation/discussions/<slug:slug>/close/": _POST,
    "discussions/moderation/discussions/<slug:slug>/reopen/": _POST,
    "discussions/moderation/discussions/<slug:slug>/questions/add/": _POST,
    "discussions/moderation/questions/<int:pk>/lock/": _POST,
    "discussions/moderation/questions/<int:pk>/unlock/": _POST,
    "discussions/moderation/questions/<int:pk>/move/": _POST,
    "discussions/secretariat/export/count/": "JSON: the export page's live count",
    "discussions/secretariat/comments/<int:pk>/response/": _POST,
    "discussions/secretariat/<slug:slug>/responses/publish/": _POST,
    "library/<int:pk>/file/": _DOWNLOAD,
    "library/reviews/<int:pk>/decline/": _POST,
    "library/manage/<int:pk>/assign/": _POST,
    "library/manage/<int:pk>/decide/": _POST,
    "library/manage/reviews/<int:pk>/withdraw/": _POST,
    "library/manage/roster/<int:pk>/decide/": _POST,
    "library/manage/roster/<int:pk>/retire/": _POST,
    "library/manage/export.csv": _DOWNLOAD,
    "library/manage/export.xlsx": _DOWNLOAD,
}
SKIPPED_PREFIXES = {
    "admin/": "Django's admin: its own templates, not ours",
    settings.STATIC_URL.lstrip("/"): "static files",
    settings.MEDIA_URL.lstrip("/") if settings.MEDIA_URL not in ("", "/") else "\0": "uploaded files",
}


def url_routes(resolver=None, prefix: str = "") -> list[str]:
    """Every URL pattern of the site, as the concatenation of its resolvers' routes (language prefix left out)."""
    routes = []
    for pattern in (resolver or get_resolver()).url_patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            # i18n_patterns' LocalePrefixPattern prints the current language's prefix: the routes below it are
            # the same in every language.
            if type(pattern.pattern).__name__ == "LocalePrefixPattern":
                route = ""
            routes += url_routes(pattern, prefix + route)
        elif isinstance(pattern, URLPattern):
            routes.append(prefix + route)
    return routes


def test_every_url_pattern_is_in_the_accessibility_matrix():
    named = {page.route for page in PAGES}
    assert len(named) == len(PAGES), "a route is named twice in PAGES"
    assert not named & set(SKIPPED), "a route is both checked and skipped"
    missing = [route for route in url_routes()
               if route not in named and route not in SKIPPED
               and not any(route.startswith(p) for p in SKIPPED_PREFIXES)]
    assert missing == [], ("URL patterns without an entry in PAGES (or SKIPPED, with a reason) in "
                           f"tests/browser/test_axe_pages.py: {missing}")
    stale = sorted((named | set(SKIPPED)) - set(url_routes()))
    assert stale == [], f"entries for URL patterns that no longer exist: {stale}"


def _has_i18n_patterns() -> bool:
    from django.conf.urls.i18n import is_language_prefix_patterns_used

    return is_language_prefix_patterns_used(settings.ROOT_URLCONF)[0]


LANGUAGES = [code for code, _name in settings.LANGUAGES]


def _prefixed(language: str, path: str) -> str:
    return path if language == settings.LANGUAGE_CODE.split("-")[0] else f"/{language}{path}"


def _status(url: str) -> int:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = "; ".join(" ".join(map(str, node["target"])) for node in v["nodes"][:5])
        lines.append(f"    {v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']} — {targets}")
        first = v["nodes"][0]
        why = [check["message"] for kind in ("any", "all", "none") for check in first.get(kind, [])]
        lines.append(f"      first: {first['html'][:160]} — {' / '.join(why)[:300]}")
    return "\n".join(lines)


def _load_demo() -> None:
    """The demo data, after the reference data of the migrations that transactional tests flush away."""
    import importlib

    from django.apps import apps as django_apps
    from django.core.management import call_command

    from hub.roles import ensure_roles

    ensure_roles()
    importlib.import_module("workplan.migrations.0002_gcm_objectives").load_objectives(django_apps, None)
    importlib.import_module("hub.library.migrations.0002_reference_data").load(django_apps, None)
    call_command("load_demo", "--force", stdout=StringIO())


def _sign_in(tab, email: str) -> None:
    from hub.demo import DEMO_PASSWORD

    tab.goto("/accounts/login/")
    tab.locator("#id_login").fill(email)
    tab.locator("#id_password").fill(DEMO_PASSWORD)
    with tab.expect_navigation():
        tab.locator("form.login [type=submit], form [type=submit]").last.click()


def _not_served(base_url: str, language: str) -> bool:
    """A language whose prefixed URLs answer 404 while hub.urls has no i18n_patterns: not part of the site yet."""
    return (language != LANGUAGES[0] and _status(base_url + _prefixed(language, "/")) == 404
            and not _has_i18n_patterns())


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_each_language_of_the_settings_is_served_under_its_prefix(live_server, language):
    """Says (as a skip) which languages the matrix below leaves out until the URLs carry language prefixes."""
    if _not_served(live_server.url, language):
        pytest.skip(f"/{language}/ answers 404 and hub.urls has no i18n_patterns yet: not checked by axe")
    assert _status(live_server.url + _prefixed(language, "/")) == 200


@pytest.mark.parametrize("role", ROLES)
def test_every_page_has_no_accessibility_violations(browser, live_server, role):
    """One browser context per role, signed in once, walks every page the role sees in every language."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make test`, which installs axe-core from npm (npm ci).")
    languages = [code for code in LANGUAGES if not _not_served(live_server.url, code)]
    _load_demo()
    scene = Scene()
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    # Injected by the driver on every page, before its own scripts: our CSP would refuse a <script> tag.
    context.add_init_script(AXE.read_text(encoding="utf-8"))
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        if role != ANON:
            _sign_in(tab, ACCOUNTS[role])
            assert "/accounts/login/" not in tab.url, f"{role} could not sign in"
        failures, checked = [], 0
        for language in languages:
            done: set[str] = set()  # a page reached twice (through a redirect) is checked once per language
            for page in PAGES + MORE_PAGES:
                if role not in page.roles:
                    continue
                path = _prefixed(language, page.build(scene))
                response = tab.goto(path)
                where = f"{page.route or '/'} as {role} in {language} ({path})"
                if response is None or response.status != 200:
                    failures.append(f"{where}: status {response and response.status}")
                    continue
                final = tab.url.split("#")[0]
                if not page.redirects and final.split("?")[0] != live_server.url + path.split("?")[0]:
                    failures.append(f"{where}: forwarded to {tab.url}")
                    continue
                checked += 1
                if final in done:
                    continue
                done.add(final)
                if tab.locator("html").get_attribute("lang") != language:
                    failures.append(f"{where}: <html lang> is {tab.locator('html').get_attribute('lang')!r}")
                result = tab.evaluate("async (options) => await axe.run(document, options)", AXE_OPTIONS)
                if result["violations"]:
                    failures.append(f"{where}:\n{_report(result['violations'])}")
                # axe 4 no longer checks that ids are unique (a duplicate id gives a label to the wrong field).
                duplicates = tab.evaluate(DUPLICATE_IDS)
                if duplicates:
                    failures.append(f"{where}:\n    duplicate-id (serious): {duplicates}")
        print(f"axe: {checked} (page, language) combinations checked as {role} in {', '.join(languages)}")
        assert not failures, "\n".join(failures)
        assert not errors, f"JavaScript errors: {errors}"
    finally:
        context.close()


def combinations() -> int:
    """How many (page, role, language) combinations the matrix checks once every language is served."""
    return sum(len(page.roles) for page in PAGES + MORE_PAGES) * len(LANGUAGES)


if __name__ == "__main__":  # pragma: no cover - a quick count for the report
    print(json.dumps({"pages": len(PAGES), "combinations": combinations()}))
