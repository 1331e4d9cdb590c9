"""The language a comment was written in leaves in the feedback export, and the export page filters on it."""
import csv
import io
import re

import pytest
from django.urls import reverse

from tests.factories import make_comment, make_discussion

pytestmark = pytest.mark.django_db


def rows_of(response):
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_the_export_has_a_language_column_and_the_page_filters_on_it(secretariat_client, export_download):
    discussion = make_discussion()
    make_comment(discussion=discussion, language="fr", body="<p>Français</p>", body_text="Français")
    make_comment(discussion=discussion, language="ar", body="<p>عربي</p>", body_text="عربي")
    rows = rows_of(export_download(secretariat_client, "csv", {"discussion": discussion.pk}))
    assert {(r["Comment (plain text)"], r["Language"]) for r in rows} == {("Français", "fr"), ("عربي", "ar")}
    rows = rows_of(export_download(secretariat_client, "csv", {"discussion": discussion.pk, "language": "ar"}))
    assert [r["Comment (plain text)"] for r in rows] == ["عربي"]
    page = secretariat_client.get(reverse("discussions:secretariat-export"), {"discussion": discussion.pk,
                                                                              "language": "fr"})
    html = page.content.decode()
    assert 'name="language"' in html
    assert re.search(r"\b1 comment matches", html)
