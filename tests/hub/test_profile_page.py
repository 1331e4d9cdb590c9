"""The profile page: who you are, which organisation you speak for, and how your comments are attributed."""
import re

import pytest
from django.urls import reverse

from hub.models import Attribution, AuditEntry, Organisation, Profile, StakeholderGroup
from tests.factories import make_organisation, make_user

pytestmark = pytest.mark.django_db
URL = "/profile/"


def form_data(**overrides):
    data = {"display_name": "Amina Odhiambo-Wanjiru", "organisation": "", "new_organisation_name": "",
            "new_organisation_acronym": "", "new_organisation_group": "", "job_title": "Policy coordinator",
            "country": "Kenya", "attribution": Attribution.PERSON}
    data.update(overrides)
    return data


def test_the_profile_url_is_the_named_route():
    assert reverse("hub:profile") == URL


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/profile/"


def test_an_incomplete_profile_shows_the_form_and_the_reason(client):
    user = make_user(complete=False)
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "You need a complete profile to comment." in body
    assert 'name="display_name"' in body and 'name="new_organisation_name"' in body
    assert user.email in body


def test_the_form_is_filled_with_the_saved_profile(client):
    organisation = make_organisation(name="Global Union of Care Workers", acronym="GUCW")
    user = make_user(name="Lotte Vermeulen", organisation=organisation, attribution=Attribution.ORGANISATION)
    client.force_login(user)
    response = client.get(URL)
    assert response.context["form"].initial["organisation"] == organisation.pk
    body = response.content.decode()
    assert 'value="Lotte Vermeulen"' in body
    assert f'<option value="{organisation.pk}" selected>' in body
    assert re.search(r'<input type="radio"[^>]*value="organisation"[^>]*checked>', body)
    assert not re.search(r'<input type="radio"[^>]*value="person"[^>]*checked>', body)
    assert "You need a complete profile" not in body


def test_choosing_an_existing_organisation_completes_the_profile(client):
    organisation = make_organisation(name="Centre for Mobility Research")
    user = make_user(complete=False)
    client.force_login(user)
    response = client.post(URL, form_data(organisation=organisation.pk))
    assert response.status_code == 302 and response["Location"] == URL
    profile = Profile.objects.get(user=user)
    assert profile.display_name == "Amina Odhiambo-Wanjiru"
    assert profile.organisation == organisation
    assert (profile.job_title, profile.country) == ("Policy coordinator", "Kenya")
    assert profile.is_complete
    assert Organisation.objects.count() == 1
    assert AuditEntry.objects.filter(action="profile.update", target_id=str(profile.pk)).count() == 1
    followed = client.get(URL)
    assert "Your profile is saved." in followed.content.decode()


def test_adding_a_new_organisation_creates_it_unverified_and_outside_the_network(client):
    user = make_user(complete=False)
    client.force_login(user)
    response = client.post(URL, form_data(new_organisation_name="  Migrant  Voices   Collective ",
                                          new_organisation_acronym="MVC",
                                          new_organisation_group=StakeholderGroup.MIGRANT_LED))
    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert organisation.name == "Migrant Voices Collective"
    assert organisation.acronym == "MVC"
    assert organisation.stakeholder_group == StakeholderGroup.MIGRANT_LED
    assert organisation.verified is False and organisation.network_member is False
    assert organisation.shown_badge == ""
    assert Profile.objects.get(user=user).organisation == organisation
    assert AuditEntry.objects.filter(action="organisation.create").count() == 1


@pytest.mark.parametrize("choice", [Attribution.PERSON, Attribution.ORGANISATION])
def test_the_attribution_choice_is_saved(client, choice):
    user = make_user()
    client.force_login(user)
    client.post(URL, form_data(organisation=user.profile.organisation_id, attribution=choice))
    assert Profile.objects.get(user=user).attribution == choice


def test_missing_organisation_is_explained_and_what_was_typed_is_kept(client):
    user = make_user(complete=False)
    client.force_login(user)
    response = client.post(URL, form_data(job_title="Desk officer for <return> & reintegration"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Choose your organisation, or add it below." in body
    assert 'value="Amina Odhiambo-Wanjiru"' in body
    assert 'value="Desk officer for &lt;return&gt; &amp; reintegration"' in body
    assert not Profile.objects.get(user=user).is_complete


def test_choosing_and_adding_an_organisation_at_once_is_refused(client):
    organisation = make_organisation()
    user = make_user(complete=False)
    client.force_login(user)
    response = client.post(URL, form_data(organisation=organisation.pk, new_organisation_name="Another one",
                                          new_organisation_group=StakeholderGroup.OTHER))
    assert response.status_code == 200
    assert "Choose an organisation from the list or add a new one, not both." in response.content.decode()
    assert Organisation.objects.count() == 1


def test_a_new_organisation_needs_its_stakeholder_group(client):
    user = make_user(complete=False)
    client.force_login(user)
    response = client.post(URL, form_data(new_organisation_name="Mobility Lab"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Choose the new organisation&#x27;s stakeholder group." in body
    assert 'value="Mobility Lab"' in body
    assert not Organisation.objects.exists()


def test_adding_an_organisation_that_exists_points_to_the_list_and_saves_nothing(client):
    make_organisation(name="International Organization for Migration")
    user = make_user(complete=False)
    client.force_login(user)
    response = client.post(URL, form_data(new_organisation_name="international organization for migration",
                                          new_organisation_group=StakeholderGroup.UN_ENTITY))
    assert response.status_code == 200
    body = response.content.decode()
    assert "This organisation already exists; choose it from the list." in body
    assert 'value="international organization for migration"' in body
    assert Organisation.objects.count() == 1
    assert not Profile.objects.get(user=user).is_complete


def test_a_blank_name_is_refused(client):
    user = make_user(complete=False)
    client.force_login(user)
    response = client.post(URL, form_data(display_name="", organisation=make_organisation().pk))
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Profile.objects.get(user=user).display_name == ""


def test_saving_returns_to_a_safe_next_page(client):
    user = make_user()
    client.force_login(user)
    response = client.post(URL, form_data(organisation=user.profile.organisation_id, next="/about/"))
    assert response["Location"] == "/about/"


def test_saving_ignores_a_next_page_on_another_site(client):
    user = make_user()
    client.force_login(user)
    response = client.post(URL, form_data(organisation=user.profile.organisation_id, next="https://evil.example.org/"))
    assert response["Location"] == URL


def test_the_header_links_to_the_profile_and_shows_the_display_name(client):
    user = make_user(name="Richard Francis Ellington-Moreau")
    client.force_login(user)
    body = client.get("/").content.decode()
    assert 'href="/profile/"' in body
    assert '<span class="user-name">Richard Francis Ellington-Moreau</span>' in body


@pytest.mark.parametrize("organisations", [1, 50])
def test_the_profile_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, organisations):
    for _ in range(organisations - 1):
        make_organisation()
    user = make_user()
    client.force_login(user)
    # session, user, profile with its organisation, the organisation list
    with django_assert_num_queries(9):  # + my comments, interest, menu (2 perms, moderated ids)
        response = client.get(URL)
    assert response.status_code == 200
    select = re.search(r'<select name="organisation".*?</select>', response.content.decode(), re.S).group(0)
    assert select.count("<option value=") == Organisation.objects.count() + 1  # and the empty choice


def test_the_home_page_runs_a_fixed_number_of_queries_for_a_signed_in_user(client, django_assert_num_queries):
    client.force_login(make_user())
    with django_assert_num_queries(6):  # session, user, profile with its organisation; menu: 2 perms, moderated ids
        assert client.get("/").status_code == 200


def test_the_language_of_emails_is_saved_and_shown(client):
    user = make_user()
    client.force_login(user)
    organisation = user.profile.organisation
    response = client.post(URL, form_data(organisation=organisation.pk, language="fr"))
    assert response.status_code == 302
    assert Profile.objects.get(user=user).language == "fr"
    body = client.get(URL).content.decode()
    assert re.search(r'<option value="fr" selected>', body)
    client.post(URL, form_data(organisation=organisation.pk, language=""))  # no choice: the preference stays
    assert Profile.objects.get(user=user).language == "fr"


def test_a_language_the_site_does_not_offer_is_refused(client):
    user = make_user()
    client.force_login(user)
    response = client.post(URL, form_data(organisation=user.profile.organisation.pk, language="xx"))
    assert response.status_code == 200
    assert Profile.objects.get(user=user).language == "en"  # unchanged: the site's default
