"""purge_staged_uploads: files staged between a preview and the post are removed once they have waited too long."""
from __future__ import annotations

import io
import os
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from discussions.models import Comment
from discussions.uploads import purge_stale_staged
from tests.factories import make_attachment, make_comment, make_question, make_user, minimal_pdf

pytestmark = pytest.mark.django_db

HOUR = 3600


def staged_file(settings, relative: str, *, age_hours: float) -> Path:
    path = Path(settings.MEDIA_ROOT) / "attachments" / "staged" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(minimal_pdf())
    when = time.time() - age_hours * HOUR
    os.utime(path, (when, when))
    return path


def purge(*args) -> str:
    out = io.StringIO()
    call_command("purge_staged_uploads", *args, stdout=out)
    return out.getvalue()


def test_files_staged_more_than_a_day_ago_are_removed_and_fresher_ones_kept(settings):
    stale = staged_file(settings, "7/aaa", age_hours=25)
    other_persons = staged_file(settings, "9/bbb", age_hours=30)
    from_before_per_person_folders = staged_file(settings, "ccc", age_hours=48)
    fresh = staged_file(settings, "7/ddd", age_hours=23)
    output = purge()
    assert not stale.exists() and not other_persons.exists() and not from_before_per_person_folders.exists()
    assert fresh.exists()
    assert "removed attachments/staged/7/aaa" in output and "removed attachments/staged/ccc" in output
    assert output.strip().endswith("3 staged file(s) older than 24h removed.")


@pytest.mark.parametrize("age, kept", [("90m", []), ("2", ["new"]), ("2d", ["new", "old"]), ("30H", ["new", "old"])])
def test_the_age_is_given_in_minutes_hours_or_days(settings, age, kept):
    staged_file(settings, "1/old", age_hours=25)
    staged_file(settings, "1/new", age_hours=1.75)
    purge("--older-than", age)
    root = Path(settings.MEDIA_ROOT) / "attachments" / "staged"
    assert sorted(path.name for path in root.rglob("*") if path.is_file()) == kept


@pytest.mark.parametrize("age", ["", "yesterday", "-1h", "1.5h", "1w"])
def test_an_age_that_is_not_minutes_hours_or_days_is_refused(age):
    with pytest.raises(CommandError, match="give a number of minutes, hours or days"):
        purge(f"--older-than={age}")


def test_attachments_of_posted_comments_are_never_touched(settings):
    attachment = make_attachment(comment=make_comment())
    path = Path(attachment.file.path)
    os.utime(path, (time.time() - 90 * 24 * HOUR,) * 2)
    assert purge_stale_staged(timedelta(0)) == []
    assert path.exists()


def test_a_form_naming_a_purged_file_asks_for_it_again_instead_of_posting_without_it(client, settings):
    question = make_question()
    client.force_login(make_user())
    url = reverse("discussions:comment-create", args=[question.discussion.slug])
    form = {"question": question.pk, "body": "See attached.", "submission_key": str(uuid.uuid4())}
    response = client.post(url, {**form, "action": "preview",
                                 "files": [SimpleUploadedFile("Position.pdf", minimal_pdf())]})
    [staged] = response.context["staged"]
    for path in (Path(settings.MEDIA_ROOT) / "attachments" / "staged").rglob("*"):
        os.utime(path, (time.time() - 25 * HOUR,) * 2)
    assert "1 staged file(s)" in purge()
    response = client.post(url, {**form, "action": "post", "staged": [staged.token]})
    assert response.status_code == 400
    assert "“Position.pdf”, chosen earlier, is no longer kept on the server" in response.content.decode()
    assert "See attached." in response.content.decode() and not Comment.objects.exists()
