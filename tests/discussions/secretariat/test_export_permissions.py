"""Nobody without the export permission reaches an export, synthesis or response URL, or any download."""
from __future__ import annotations

import pytest
from django.urls import reverse

from discussions.models import Disposition
from hub.jobs.models import Job
from tests.discussions.secretariat.conftest import start_export
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _urls(k) -> list[tuple[str, str]]:
    slug = k.discussion.slug
    return [
        ("get", reverse("discussions:secretariat")),
        ("get", reverse("discussions:secretariat-export")),
        ("get", reverse("discussions:secretariat-export-count")),
        ("post", reverse("discussions:secretariat-export-start") + f"?discussion={k.discussion.pk}"),
        ("get", reverse("discussions:secretariat-synthesis", kwargs={"slug": slug})),
        ("get", reverse("discussions:secretariat-responses", kwargs={"slug": slug})),
        ("post", reverse("discussions:secretariat-response-record", kwargs={"pk": k.chinese.pk})),
        ("post", reverse("discussions:secretariat-responses-publish", kwargs={"slug": slug})),
    ]


def _assert_no_data(response) -> None:
    assert not getattr(response, "streaming", False)
    assert "attachment" not in response.get("Content-Disposition", "")


def test_visitors_are_sent_to_log_in_from_every_secretariat_url(client, known):
    for method, url in _urls(known):
        response = getattr(client, method)(url, {"outcome": "taken_up"} if method == "post" else None)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url
        _assert_no_data(response)
    assert not Disposition.objects.filter(comment=known.chinese).exists()


@pytest.mark.parametrize("who", ["stakeholder", "author", "moderator", "discussion_moderator"])
def test_signed_in_people_without_the_export_permission_are_refused_everywhere(client, known, who):
    if who == "stakeholder":
        user = make_user()
    elif who == "author":
        user = make_user()
        known.chinese.author = user
        known.chinese.save(update_fields=["author"])
    elif who == "moderator":
        user = make_user(role="Moderators")
    else:
        user = make_user()
        known.discussion.moderators.add(user)
    client.force_login(user)
    for method, url in _urls(known):
        response = getattr(client, method)(url, {"outcome": "taken_up", "publish": "1"} if method == "post" else None)
        assert response.status_code == 403, (who, url)
        _assert_no_data(response)
    assert not Disposition.objects.filter(comment=known.chinese).exists()
    assert not Job.objects.exists()
    known.discussion.refresh_from_db()
    assert known.discussion.publish_responses is False


def test_the_secretariat_reaches_every_secretariat_url(client, known):
    client.force_login(make_user(role="Secretariat"))
    for method, url in _urls(known):
        data = {"outcome": "taken_up", "publish": "1"} if method == "post" else None
        response = getattr(client, method)(url, data)
        assert response.status_code in (200, 302), url
        if method == "post":
            assert "/secretariat/" in response["Location"]
    assert Disposition.objects.get(comment=known.chinese).outcome == "taken_up"


@pytest.mark.parametrize("fmt", ["csv", "csv-bom", "xlsx", "attachments", "bundle"])
def test_every_export_format_is_refused_to_people_without_the_export_permission(client, known, fmt):
    for user in (make_user(), make_user(role="Moderators")):
        client.force_login(user)
        assert start_export(client, fmt, {"discussion": known.discussion.pk}).status_code == 403
    assert not Job.objects.exists()


def test_a_secretariat_export_job_is_404_to_everyone_without_the_export_permission(
        client, known, export_download):
    owner = make_user(role="Secretariat")
    client.force_login(owner)
    assert export_download(client, "csv", {"discussion": known.discussion.pk}).status_code == 200
    job = Job.objects.get()
    urls = [job.get_absolute_url(), reverse("jobs:status", kwargs={"pk": job.pk}),
            reverse("jobs:download", kwargs={"pk": job.pk})]
    author = make_user()
    known.chinese.author = author
    known.chinese.save(update_fields=["author"])
    moderator = make_user()
    known.discussion.moderators.add(moderator)
    for user in (make_user(), author, make_user(role="Moderators"), moderator):
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 404, url
            _assert_no_data(response)
    # Another member of the secretariat may follow and download it.
    client.force_login(make_user(role="Secretariat"))
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    client.logout()
    assert [client.get(url).status_code for url in urls] == [302, 302, 302]
