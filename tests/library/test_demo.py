"""The demo has a small reviewed library, and loading it twice changes nothing."""
from io import StringIO

import pytest
from django.core.management import call_command

from hub.library.models import Resource, Review, ReviewScore, RosterMember

pytestmark = pytest.mark.django_db


def counts():
    return (Resource.objects.count(), Review.objects.count(), ReviewScore.objects.count(),
            RosterMember.objects.count())


def test_the_demo_library_is_reviewed_and_idempotent(settings, client):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    first = counts()
    call_command("load_demo", stdout=StringIO())
    assert counts() == first
    published = Resource.objects.filter(status=Resource.Status.PUBLISHED)
    assert published.count() >= 3
    for resource in published:
        reviews = resource.reviews.filter(status=Review.Status.SUBMITTED)
        assert reviews.count() == 2
        assert not reviews.filter(reviewer__organisation=resource.submitter_organisation).exists()
    assert RosterMember.objects.filter(status=RosterMember.Status.ACCEPTED).count() == 2
    html = client.get("/library/").content.decode()
    assert all(resource.title in html for resource in published)
