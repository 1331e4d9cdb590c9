"""The library in the Django admin: every page opens; only languages are edited there."""
import pytest
from django.urls import reverse

from tests.factories import make_user
from tests.library.factories import make_resource, make_review, make_roster_member

pytestmark = pytest.mark.django_db

MODELS = ["resource", "review", "rostermember", "criterion", "criteriapage", "language"]


def test_every_library_admin_page_opens_and_only_languages_can_be_added(client):
    resource = make_resource()
    make_review(resource=resource, reviewer=make_roster_member())
    client.force_login(make_user(is_staff=True, is_superuser=True))
    for model in MODELS:
        assert client.get(reverse(f"admin:library_{model}_changelist")).status_code == 200, model
    assert client.get(reverse("admin:library_resource_change", args=[resource.pk])).status_code == 200
    assert client.get(reverse("admin:library_resource_add")).status_code == 403
    assert client.get(reverse("admin:library_language_add")).status_code == 200
