"""The membership queue (hub:membership-queue): the secretariat confirms or refuses every request, an
organisation's confirmed contact those of their organisation; the profile page says where a claim stands."""
import pytest
from django.urls import reverse

from hub.models import Membership, Profile
from hub.roles import MODERATORS, SECRETARIAT
from tests.factories import make_organisation, make_user

pytestmark = pytest.mark.django_db
QUEUE = "/memberships/"


def decide_url(profile) -> str:
    return reverse("hub:membership-decide", args=[profile.pk])


@pytest.fixture
def org():
    return make_organisation(name="Global Union of Care Workers", acronym="GUCW")


@pytest.fixture
def requester(org):
    return make_user(name="Lotte Vermeulen", email="lotte@example.org", organisation=org,
                     membership=Membership.REQUESTED)


def test_the_queue_is_the_named_route():
    assert reverse("hub:membership-queue") == QUEUE


def test_anonymous_visitors_are_sent_to_log_in(client, requester):
    response = client.get(QUEUE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = client.post(decide_url(requester.profile), {"decision": "confirm", "organisation": requester.profile.organisation_id})
    assert response.status_code == 302
    assert Profile.objects.get(user=requester).membership == Membership.REQUESTED


@pytest.mark.parametrize("who", ["requester", "another stakeholder", "colleague", "moderator"])
def test_people_who_do_not_decide_get_403_and_change_nothing(client, org, requester, who):
    user = {"requester": lambda: requester,
            "another stakeholder": lambda: make_user(),
            "colleague": lambda: make_user(organisation=org),
            "moderator": lambda: make_user(role=MODERATORS)}[who]()
    client.force_login(user)
    assert client.get(QUEUE).status_code == 403
    response = client.post(decide_url(requester.profile), {"decision": "confirm", "organisation": org.pk})
    assert response.status_code == 403
    assert Profile.objects.get(user=requester).membership == Membership.REQUESTED
    assert "Membership requests" not in client.get("/").content.decode()  # no menu link


def test_the_secretariat_sees_every_request_and_the_menu_link(client, requester):
    make_user(name="Tomás Echeverría", membership=Membership.REQUESTED)
    make_user(name="Already Confirmed")
    client.force_login(make_user(role=SECRETARIAT))
    response = client.get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lotte Vermeulen" in html and "lotte@example.org" in html and "Global Union of Care Workers" in html
    assert "Tomás Echeverría" in html and "Already Confirmed" not in html
    assert f'href="{QUEUE}"' in client.get("/").content.decode()


def test_a_contact_sees_only_their_organisations_requests_and_decides_them(client, org, requester,
                                                                          django_capture_on_commit_callbacks,
                                                                          mailoutbox):
    stranger = make_user(name="Someone Elsewhere", membership=Membership.REQUESTED)
    contact = make_user(organisation=org, contact=True)
    client.force_login(contact)
    html = client.get(QUEUE).content.decode()
    assert "Lotte Vermeulen" in html and "Someone Elsewhere" not in html
    assert f'href="{QUEUE}"' in html  # the menu link
    assert client.get(QUEUE + "?status=confirmed").status_code == 200  # contacts only ever see requests
    assert "Someone Elsewhere" not in client.get(QUEUE + "?status=requested").content.decode()
    response = client.post(decide_url(stranger.profile), {"decision": "confirm",
                                                          "organisation": stranger.profile.organisation_id})
    assert response.status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide_url(requester.profile), {"decision": "confirm", "organisation": org.pk},
                               follow=True)
    assert "Lotte Vermeulen is confirmed as a member of Global Union of Care Workers" in response.content.decode()
    assert Profile.objects.get(user=requester).membership == Membership.CONFIRMED
    assert [m.to for m in mailoutbox] == [["lotte@example.org"]]


def test_refusing_without_a_reason_keeps_the_page_and_explains(client, requester):
    client.force_login(make_user(role=SECRETARIAT))
    response = client.post(decide_url(requester.profile), {"decision": "refuse", "reason": "  ",
                                                           "organisation": requester.profile.organisation_id})
    assert response.status_code == 400
    assert "Say why, so the person knows what to do." in response.content.decode()
    assert Profile.objects.get(user=requester).membership == Membership.REQUESTED


def test_a_too_long_reason_is_kept_on_the_page_with_the_error(client, requester):
    client.force_login(make_user(role=SECRETARIAT))
    reason = "Not on the staff list <b>& no reply</b>. " * 30
    response = client.post(decide_url(requester.profile), {"decision": "refuse", "reason": reason,
                                                           "organisation": requester.profile.organisation_id})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ensure this value has at most 1000 characters" in html
    assert "Not on the staff list &lt;b&gt;&amp; no reply&lt;/b&gt;." in html


def test_the_secretariat_refuses_with_a_reason(client, requester, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(make_user(role=SECRETARIAT))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide_url(requester.profile), {
            "decision": "refuse", "reason": "Not on the staff list.",
            "organisation": requester.profile.organisation_id}, follow=True)
    assert "is refused" in response.content.decode()
    profile = Profile.objects.get(user=requester)
    assert profile.membership == Membership.REFUSED and profile.membership_reason == "Not on the staff list."
    assert "Not on the staff list." in mailoutbox[0].body


def test_a_request_changed_since_the_page_loaded_is_not_confirmed(client, requester):
    client.force_login(make_user(role=SECRETARIAT))
    response = client.post(decide_url(requester.profile), {"decision": "confirm",
                                                           "organisation": make_organisation().pk}, follow=True)
    assert "changed their organisation" in response.content.decode()
    assert Profile.objects.get(user=requester).membership == Membership.REQUESTED


def test_the_secretariat_makes_a_confirmed_member_the_contact_from_the_confirmed_list(client, org):
    member = make_user(name="Richard Ellington", organisation=org)
    client.force_login(make_user(role=SECRETARIAT))
    html = client.get(QUEUE + "?status=confirmed").content.decode()
    assert "Richard Ellington" in html and "Make organisation contact" in html
    client.post(reverse("hub:membership-contact", args=[member.profile.pk]), {"contact": "1"})
    assert Profile.objects.get(user=member).is_organisation_contact
    # A contact cannot name others.
    client.force_login(member)
    colleague = make_user(organisation=org)
    assert client.post(reverse("hub:membership-contact", args=[colleague.profile.pk]),
                       {"contact": "1"}).status_code == 403


@pytest.mark.parametrize("size", [1, 20])
def test_the_queue_takes_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    for _ in range(size):
        make_user(membership=Membership.REQUESTED)
    make_user(role=SECRETARIAT)  # decides nothing here, but shows decided_by on other tabs
    client.force_login(make_user(role=SECRETARIAT))
    # session, user, the header's profile, user and group permissions, the discussions menu's moderated
    # discussions, count, one page with person, organisation and decider
    with django_assert_num_queries(8):
        response = client.get(QUEUE)
    assert response.content.decode().count('class="border rounded p-3 mb-3 membership-item"') == size


@pytest.mark.parametrize("size", [1, 20])
def test_the_decided_lists_take_a_fixed_number_of_queries_too(client, django_assert_num_queries, size):
    secretariat = make_user(role=SECRETARIAT)
    for _ in range(size):
        make_user(membership=Membership.REQUESTED)
    from hub.services import membership_confirm

    for profile in Profile.objects.filter(membership=Membership.REQUESTED):
        membership_confirm(actor=secretariat, profile=profile, organisation=profile.organisation_id)
    client.force_login(make_user(role=SECRETARIAT))
    with django_assert_num_queries(8):
        response = client.get(QUEUE + "?status=confirmed")
    assert secretariat.profile.display_name in response.content.decode()


# --- The profile page --------------------------------------------------------------------------------------------

def test_the_profile_says_a_new_claim_awaits_confirmation(client, org):
    user = make_user(complete=False)
    client.force_login(user)
    response = client.post("/profile/", {"display_name": "Lotte Vermeulen", "organisation": org.pk,
                                         "attribution": "organisation"}, follow=True)
    html = response.content.decode()
    assert "Your membership of Global Union of Care Workers awaits confirmation" in html
    assert 'data-membership="requested"' in html and "Awaiting confirmation" in html


def test_the_profile_says_confirmed_and_refused_with_the_reason(client, org):
    confirmed = make_user(organisation=org)
    client.force_login(confirmed)
    assert "Confirmed: you are a member of Global Union of Care Workers." in client.get("/profile/").content.decode()
    refused = make_user(organisation=org, membership=Membership.REFUSED)
    Profile.objects.filter(user=refused).update(membership_reason="Not on our staff list.")
    client.force_login(refused)
    html = client.get("/profile/").content.decode()
    assert "was refused" in html and "Not on our staff list." in html
