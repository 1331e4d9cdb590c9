"""The language of the content: a comment records the language its author wrote in (chosen in the form, by
default the interface's), its body carries `lang` (and `dir`), exports and bundles carry it, and switching the
interface language never changes what people wrote."""
from __future__ import annotations

import re
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from discussions import services
from discussions.interchange.exporter import export_consultation_bundle
from discussions.interchange.importer import bundle_language
from discussions.models import Comment
from tests.factories import make_comment, make_discussion, make_question, make_user

pytestmark = pytest.mark.django_db


def _form_data(**fields) -> dict:
    data = {"body": "Nous soutenons cette priorité.", "body_format": "text", "submission_key": str(uuid.uuid4()),
            "action": "post"}
    data.update(fields)
    return data


def _selected_language(html: str) -> str:
    select = re.search(r'<select name="language".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="([^"]+)"[^>]*selected', select).group(1)


@pytest.mark.parametrize("prefix, code", [("", "en"), ("/fr", "fr"), ("/ar", "ar")])
def test_the_comment_form_offers_the_languages_and_defaults_to_the_interface_language(client, prefix, code):
    question = make_question()
    client.force_login(make_user())
    with translation.override(code):
        url = reverse("discussions:comment-create", kwargs={"slug": question.discussion.slug})
    assert url.startswith(f"{prefix}/discussions/")
    html = client.get(f"{url}?question={question.pk}").content.decode()
    assert _selected_language(html) == code
    for value in ("en", "fr", "es", "ar", "other"):
        assert f'<option value="{value}"' in html


def test_the_chosen_language_is_saved_with_the_comment(client):
    question = make_question()
    client.force_login(make_user())
    url = reverse("discussions:comment-create", kwargs={"slug": question.discussion.slug})
    response = client.post(url, _form_data(question=question.pk, language="fr"))
    assert response.status_code == 302
    assert Comment.objects.get().language == "fr"


def test_without_a_choice_the_comment_is_in_the_interface_language(client):
    question = make_question()
    client.force_login(make_user())
    with translation.override("es"):
        url = reverse("discussions:comment-create", kwargs={"slug": question.discussion.slug})
    client.post(url, _form_data(question=question.pk))
    assert Comment.objects.get().language == "es"


def test_a_language_outside_the_list_is_refused_and_the_text_is_kept(client):
    question = make_question()
    client.force_login(make_user())
    url = reverse("discussions:comment-create", kwargs={"slug": question.discussion.slug})
    response = client.post(url, _form_data(question=question.pk, language="klingon"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nous soutenons cette priorité." in html
    assert 'id="language-errors"' in html
    assert not Comment.objects.exists()


def test_the_service_refuses_an_unknown_language():
    question = make_question()
    with pytest.raises(ValidationError) as caught:
        services.comment_post(actor=make_user(), discussion=question.discussion, question=question,
                              body="Text", body_format="text", language="xx")
    assert "language" in caught.value.message_dict


def test_editing_can_change_the_language(client):
    author = make_user()
    comment = make_comment(question=make_question(), author=author, language="en")
    services.comment_edit(actor=author, comment=comment, body="<p>Texto en español.</p>", language="es")
    comment.refresh_from_db()
    assert comment.language == "es"


@pytest.mark.parametrize("language, lang, direction", [
    ("fr", "fr", "ltr"), ("ar", "ar", "rtl"), ("other", "", "auto"), ("", "", "auto"),
])
def test_the_comment_body_is_rendered_with_its_lang_and_dir(client, language, lang, direction):
    comment = make_comment(question=make_question(), language=language, body="<p>Le texte.</p>")
    html = client.get(comment.discussion.get_absolute_url()).content.decode()
    assert f'<div class="comment-body" lang="{lang}" dir="{direction}"><p>Le texte.</p></div>' in html


def test_switching_the_interface_language_never_changes_what_people_wrote(client):
    question = make_question()
    arabic = make_comment(question=question, language="ar", body="<p>نحن ندعم هذه الأولوية.</p>")
    french = make_comment(question=question, language="fr", body="<p>Nous soutenons cette priorité.</p>")
    bodies = {}
    url = question.discussion.get_absolute_url()
    for prefix in ("", "/fr", "/es", "/ar"):
        html = client.get(f"{prefix}{url}").content.decode()
        bodies[prefix] = re.findall(r'<div class="comment-body" lang="(\w*)" dir="(\w+)">(.*?)</div>', html, re.S)
    assert bodies[""] == [("ar", "rtl", "<p>نحن ندعم هذه الأولوية.</p>"), ("fr", "ltr", "<p>Nous soutenons cette priorité.</p>")]
    assert bodies["/fr"] == bodies["/es"] == bodies["/ar"] == bodies[""]
    arabic.refresh_from_db()
    french.refresh_from_db()
    assert (arabic.language, french.language) == ("ar", "fr")


def test_the_bundle_carries_the_comment_language_and_the_importer_reads_it(tmp_path):
    discussion = make_discussion()
    make_comment(discussion=discussion, language="es")
    make_comment(discussion=discussion, language="")
    data = export_consultation_bundle(discussion, tmp_path / "bundle.zip")
    languages = [c.get("language") for c in data["comments"]]
    assert languages == ["es", None]
    assert [bundle_language(v) for v in ("fr", "fr-CA", "AR", "de", "", None, 3)] == \
        ["fr", "fr", "ar", "other", "", "", ""]
