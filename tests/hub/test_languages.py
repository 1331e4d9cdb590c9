"""Four languages end to end: the language is in the URL (English unprefixed), a header switcher of plain links,
right to left for Arabic, the JavaScript catalogue, the profile's preferred language and per-language dates."""
from __future__ import annotations

import datetime
import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from hub.languages import page_in_language, preferred_language
from hub.models import Profile
from hub.services import profile_update
from tests.factories import make_discussion, make_user

pytestmark = pytest.mark.django_db


def test_english_pages_stay_unprefixed_and_other_languages_get_their_prefix(client):
    assert client.get("/discussions/").status_code == 200
    for code in ("fr", "es", "ar"):
        response = client.get(f"/{code}/discussions/")
        assert response.status_code == 200
        assert f'<html lang="{code}"' in response.content.decode()
    # English is the unprefixed address: /en/ is not a second copy of every page.
    assert client.get("/en/discussions/").status_code == 404


def test_reversing_a_url_follows_the_active_language():
    assert reverse("discussions:discussion-list") == "/discussions/"
    with translation.override("fr"):
        assert reverse("discussions:discussion-list") == "/fr/discussions/"


def test_the_browser_language_does_not_change_an_unprefixed_page(client):
    # The URL says the language, so a page cached whole for anonymous readers is the same for everyone.
    html = client.get("/", headers={"accept-language": "fr"}).content.decode()
    assert '<html lang="en" dir="ltr">' in html


def test_arabic_pages_are_right_to_left_with_bootstraps_rtl_stylesheet(client):
    html = client.get("/ar/").content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "bootstrap/css/bootstrap.rtl.min.css" in html
    assert "bootstrap/css/bootstrap.min.css" not in html


@pytest.mark.parametrize("code", ["en", "fr", "es"])
def test_other_languages_are_left_to_right_with_the_usual_stylesheet(client, code):
    html = client.get("/" if code == "en" else f"/{code}/").content.decode()
    assert f'<html lang="{code}" dir="ltr">' in html
    assert "bootstrap/css/bootstrap.min.css" in html and "bootstrap.rtl" not in html


def _switcher(html: str) -> list[tuple[str, str, str, str]]:
    block = re.search(r'<nav class="language-switcher".*?</nav>', html, re.S).group(0)
    return re.findall(r'<a href="([^"]*)" lang="([^"]*)" hreflang="([^"]*)" dir="[^"]*"[^>]*>([^<]*)</a>', block)


def test_the_switcher_links_to_the_same_page_in_each_language_named_in_itself(client):
    discussion = make_discussion()
    html = client.get(f"{discussion.get_absolute_url()}?sort=new").content.decode()
    assert _switcher(html) == [
        (f"/discussions/{discussion.slug}/?sort=new", "en", "en", "English"),
        (f"/fr/discussions/{discussion.slug}/?sort=new", "fr", "fr", "Français"),
        (f"/es/discussions/{discussion.slug}/?sort=new", "es", "es", "Español"),
        (f"/ar/discussions/{discussion.slug}/?sort=new", "ar", "ar", "العربيّة"),
    ]


def test_from_a_prefixed_page_the_switcher_goes_back_to_the_unprefixed_english_one(client):
    html = client.get("/ar/about/").content.decode()
    links = {lang: href for href, lang, _hreflang, _name in _switcher(html)}
    assert links == {"en": "/about/", "fr": "/fr/about/", "es": "/es/about/", "ar": "/ar/about/"}
    assert 'aria-current="true"' in re.search(r'<a [^>]*hreflang="ar"[^>]*>', html).group(0)


def test_the_switcher_is_plain_links_so_anonymous_pages_carry_no_csrf_token(client):
    html = client.get("/about/").content.decode()
    assert "language-switcher" in html
    assert "csrfmiddlewaretoken" not in html
    assert 'action="/i18n/setlang/"' not in html


def test_a_page_that_does_not_exist_still_offers_the_switcher():
    assert page_in_language("/fr/nowhere/?a=1", "es") == "/es/nowhere/?a=1"
    assert page_in_language("/nowhere/", "ar") == "/ar/nowhere/"
    assert page_in_language("/ar/nowhere/", "en") == "/nowhere/"


def test_the_javascript_catalogue_is_served_per_language_and_loaded_before_our_scripts(client):
    html = client.get("/fr/").content.decode()
    catalogue = html.index('<script src="/jsi18n/?lang=fr">')
    assert catalogue < html.index("hub/hub.js") and catalogue < html.index("bootstrap.bundle.min.js")
    response = client.get("/jsi18n/?lang=fr")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "django.gettext" in response.content.decode() or "gettext" in response.content.decode()
    assert client.get("/jsi18n/?lang=xx").status_code == 404


def test_the_profile_stores_a_preferred_language_for_e_mails(client):
    user = make_user()
    client.force_login(user)
    page = client.get("/profile/").content.decode()
    assert 'name="language"' in page and ">العربيّة</option>" in page
    profile = user.profile
    data = {"display_name": profile.display_name, "organisation": profile.organisation_id or "",
            "attribution": profile.attribution, "language": "es"}
    response = client.post("/profile/", data)
    assert response.status_code == 302
    assert Profile.objects.get(user=user).language == "es"
    assert preferred_language(Profile.objects.get(user=user).user) == "es"


def test_a_language_the_site_does_not_have_is_refused_on_the_profile():
    user = make_user()
    with pytest.raises(Exception) as caught:
        profile_update(actor=user, user=user, display_name="A Person", organisation=user.profile.organisation,
                       language="de")
    assert "language" in str(caught.value)
    assert Profile.objects.get(user=user).language == "en"


def test_a_person_without_a_profile_gets_e_mails_in_the_default_language():
    assert preferred_language(None) == "en"


DAY = datetime.datetime(2026, 11, 17, 13, 30, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize("code, prose, comment, listing, audit", [
    ("en", "17 November 2026", "17 November 2026, 13:30", "17 Nov 2026", "17 Nov 2026 13:30"),
    ("fr", "17 novembre 2026", "17 novembre 2026, 13:30", "17 nov. 2026", "17 nov. 2026 13:30"),
    ("es", "17 de noviembre de 2026", "17 de noviembre de 2026, 13:30", "17 nov. 2026", "17 nov. 2026 13:30"),
    ("ar", "17 نوفمبر 2026", "17 نوفمبر 2026، 13:30", None, None),
])
def test_dates_follow_the_language_with_one_format_per_context(code, prose, comment, listing, audit):
    template = Template('{{ d|date:"DATE_FORMAT" }}|{{ d|date:"DATETIME_FORMAT" }}|{{ d|date:"SHORT_DATE_FORMAT" }}'
                        '|{{ d|date:"SHORT_DATETIME_FORMAT" }}')
    with translation.override(code):
        got = template.render(Context({"d": DAY})).split("|")
    assert got[0] == prose
    assert got[1] == comment
    if listing:
        assert got[2] == listing and got[3] == audit


def test_templates_use_the_named_formats_not_hard_coded_ones():
    from pathlib import Path

    from django.conf import settings

    offenders = []
    for path in (Path(settings.BASE_DIR) / "templates").rglob("*.*"):
        for match in re.finditer(r'\|date:["\']([^"\']+)["\']', path.read_text()):
            if match.group(1) not in ("DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATE_FORMAT",
                                      "SHORT_DATETIME_FORMAT", "c", "Y-m-d"):
                offenders.append(f"{path.name}: {match.group(1)}")
    assert offenders == []


def test_a_discussions_languages_are_named_in_the_readers_language(client):
    discussion = make_discussion(languages=["English", "fr", "Kiswahili"])
    with translation.override("es"):
        assert discussion.language_names == ["Inglés", "Francés", "Kiswahili"]
    html = client.get(f"/es{discussion.get_absolute_url()}").content.decode()
    assert "Inglés, Francés, Kiswahili" in html


def test_each_page_names_its_versions_in_the_other_languages_for_search_engines(client):
    html = client.get("/fr/about/").content.decode()
    assert '<link rel="alternate" hreflang="en" href="http://testserver/about/">' in html
    assert '<link rel="alternate" hreflang="ar" href="http://testserver/ar/about/">' in html


def test_a_first_profile_proposes_the_language_the_person_reads_the_site_in(client):
    user = make_user(complete=False)
    Profile.objects.filter(user=user).delete()  # as after signing up: no profile row yet
    client.force_login(user)
    html = client.get("/es/profile/").content.decode()
    assert re.search(r'<option value="es"[^>]*selected', html)


@pytest.mark.parametrize("path", ["/about/", "/fr/about/", "/ar/discussions/"])
def test_pages_do_not_vary_by_the_browsers_language_since_the_url_says_it(client, path):
    response = client.get(path, headers={"accept-language": "es"})
    assert "accept-language" not in response.headers.get("Vary", "").lower()
    assert response["Content-Language"] == (path.split("/")[1] if path.count("/") > 2 else "en")


def test_what_people_wrote_takes_its_own_direction_on_a_right_to_left_page(client):
    """English titles, welcome texts and questions on an Arabic page: dir="auto" lets each keep its direction (and
    its punctuation at the right end)."""
    from tests.factories import make_discussion, make_question

    discussion = make_discussion(title="Draft Network Workplan 2022-2024", welcome="<p>Welcome.</p>")
    make_question(discussion=discussion, text="What is missing?")
    html = client.get(f"/ar{discussion.get_absolute_url()}").content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert '<h1 id="discussion-title" dir="auto">Draft Network Workplan 2022-2024</h1>' in html
    assert '<div class="discussion-welcome" dir="auto">' in html
    assert '<span dir="auto">What is missing?</span>' in html
