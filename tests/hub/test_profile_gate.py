"""The profile completion gate: attributed participation needs a name and an organisation."""
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from hub.models import Profile
from hub.permissions import check_profile_complete, has_complete_profile
from tests.factories import make_organisation, make_user

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_told_to_log_in():
    assert has_complete_profile(AnonymousUser()) is False
    with pytest.raises(PermissionDenied, match="Sign in"):
        check_profile_complete(AnonymousUser())


def test_a_user_with_name_and_organisation_passes():
    user = make_user()
    assert has_complete_profile(user) is True
    assert check_profile_complete(user) is None


def test_a_user_without_an_organisation_is_asked_to_complete_the_profile():
    user = make_user(complete=False, name="Amina Odhiambo")
    assert has_complete_profile(user) is False
    with pytest.raises(PermissionDenied, match="Complete your profile"):
        check_profile_complete(user)


def test_a_user_with_an_organisation_but_a_blank_name_is_incomplete():
    user = make_user(complete=False)
    Profile.objects.filter(user=user).update(display_name="   ", organisation=make_organisation())
    assert has_complete_profile(user) is False


def test_a_user_without_any_profile_row_is_incomplete():
    user = make_user(complete=False)
    Profile.objects.filter(user=user).delete()
    assert has_complete_profile(user) is False
    with pytest.raises(PermissionDenied, match="Complete your profile"):
        check_profile_complete(user)


def test_completing_the_profile_through_the_service_opens_the_gate_at_once(client):
    from hub.services import profile_update

    user = make_user(complete=False, name="Lotte")
    assert has_complete_profile(user) is False  # caches the incomplete profile on the user object
    profile_update(actor=user, user=user, display_name="Lotte Vermeulen", organisation=make_organisation())
    assert has_complete_profile(user) is True
