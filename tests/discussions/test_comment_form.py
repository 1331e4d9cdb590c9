"""The comment form, finished: files stay attached through a preview, a file chosen twice is attached once, the
comment replied to is shown in full, and the form names the draft the browser keeps (static/discussions/draft.js)."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone as dt_timezone
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from discussions.models import Attachment, Comment
from tests.factories import make_attachment, make_comment, make_question, make_user, minimal_pdf

pytestmark = pytest.mark.django_db


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def create_url(question) -> str:
    return reverse("discussions:comment-create", args=[question.discussion.slug]) + f"?question={question.pk}"


def form(question, **fields) -> dict:
    return {"question": question.pk, "body": "Our answer, with the paper attached.", "body_format": "text",
            "submission_key": str(uuid.uuid4()), **fields}


def staged_in_storage(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "attachments" / "staged"
    return sorted(path for path in root.rglob("*") if path.is_file())


@pytest.fixture
def question():
    return make_question()


@pytest.fixture
def author(client):
    user = make_user()
    client.force_login(user)
    return user


# --- Files through a preview -----------------------------------------------------------------------------------

def test_a_preview_lists_the_chosen_files_as_attached_by_name_type_and_size_each_with_a_remove_button(
        client, author, question):
    response = client.post(create_url(question), form(question, action="preview", files=[
        upload("paper.pdf", minimal_pdf()), upload("annex.pdf", minimal_pdf("Annex"))]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Attached, posted with your comment:" in page
    for f in response.context["staged"]:
        size = f"{f.size}\xa0bytes"
        assert re.search(rf"<span class=\"staged-file-name\">{f.name}</span> <span[^>]*>\(PDF, {size}\)</span>", page)
        assert f'<input type="hidden" name="staged" value="{f.token}">' in page
        assert f'name="remove_staged" value="{f.token}"' in page and f"Remove “{f.name}”" in page
    assert not Comment.objects.exists()


def test_posting_after_a_preview_attaches_exactly_the_files_listed_and_forgets_the_staged_copies(
        client, author, question, settings):
    response = client.post(create_url(question), form(question, action="preview", files=[
        upload("paper.pdf", minimal_pdf()), upload("annex.pdf", minimal_pdf("Annex"))]))
    tokens = [f.token for f in response.context["staged"]]
    response = client.post(create_url(question), form(question, action="post", staged=tokens))
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert [(a.original_name, a.size) for a in comment.attachments.all()] == [
        ("paper.pdf", len(minimal_pdf())), ("annex.pdf", len(minimal_pdf("Annex")))]
    assert staged_in_storage(settings) == []


def test_removing_a_file_on_the_preview_drops_it_so_the_post_attaches_only_the_others(
        client, author, question, settings):
    response = client.post(create_url(question), form(question, action="preview", files=[
        upload("paper.pdf", minimal_pdf()), upload("annex.pdf", minimal_pdf("Annex"))]))
    paper, annex = response.context["staged"]
    response = client.post(create_url(question), form(question, staged=[paper.token, annex.token],
                                                      remove_staged=annex.token))
    assert response.status_code == 200
    assert [f.name for f in response.context["staged"]] == ["paper.pdf"]
    assert "“annex.pdf” is no longer attached." in response.content.decode()
    assert "Our answer, with the paper attached." in response.content.decode()  # the text is kept
    assert len(staged_in_storage(settings)) == 1 and not Comment.objects.exists()
    client.post(create_url(question), form(question, action="post", staged=[paper.token, annex.token]))
    assert [a.original_name for a in Attachment.objects.all()] == ["paper.pdf"]


def test_removing_a_file_is_not_counted_as_a_post_against_the_rate_limit(client, author, question, settings):
    settings.HUB_COMMENT_RATE_LIMIT = "1/h"
    response = client.post(create_url(question), form(question, action="preview",
                                                      files=[upload("paper.pdf", minimal_pdf())]))
    [paper] = response.context["staged"]
    client.post(create_url(question), form(question, staged=[paper.token], remove_staged=paper.token))
    response = client.post(create_url(question), form(question, action="post"))
    assert response.status_code == 302 and Comment.objects.count() == 1


# --- The same file twice ---------------------------------------------------------------------------------------

def test_choosing_the_same_file_again_after_a_preview_keeps_one_copy_and_says_it_is_already_attached(
        client, author, question, settings):
    response = client.post(create_url(question), form(question, action="preview",
                                                      files=[upload("paper.pdf", minimal_pdf())]))
    [paper] = response.context["staged"]
    response = client.post(create_url(question), form(question, action="preview", staged=[paper.token],
                                                      files=[upload("paper.pdf", minimal_pdf())]))
    assert response.status_code == 200
    assert [f.token for f in response.context["staged"]] == [paper.token]
    assert "“paper.pdf” is already attached." in response.content.decode()
    assert len(staged_in_storage(settings)) == 1


def test_a_file_chosen_again_while_posting_is_attached_once_and_the_page_after_says_so(client, author, question):
    response = client.post(create_url(question), form(question, action="preview",
                                                      files=[upload("paper.pdf", minimal_pdf())]))
    [paper] = response.context["staged"]
    response = client.post(create_url(question), form(question, action="post", staged=[paper.token],
                                                      files=[upload("paper.pdf", minimal_pdf())]), follow=True)
    assert [a.original_name for a in Attachment.objects.all()] == ["paper.pdf"]
    assert "“paper.pdf” is already attached." in response.content.decode()


def test_a_repeated_file_does_not_count_toward_the_limit_of_files(client, author, question, settings):
    settings.HUB_ATTACHMENT_MAX_FILES = 1
    response = client.post(create_url(question), form(question, action="preview",
                                                      files=[upload("paper.pdf", minimal_pdf())]))
    [paper] = response.context["staged"]
    response = client.post(create_url(question), form(question, action="preview", staged=[paper.token],
                                                      files=[upload("paper.pdf", minimal_pdf())]))
    assert response.status_code == 200
    assert "You can attach at most" not in response.content.decode()


def test_the_same_name_with_other_content_and_the_same_content_under_another_name_are_other_files(
        client, author, question):
    response = client.post(create_url(question), form(question, action="preview",
                                                      files=[upload("paper.pdf", minimal_pdf())]))
    [paper] = response.context["staged"]
    response = client.post(create_url(question), form(question, action="preview", staged=[paper.token], files=[
        upload("paper.pdf", minimal_pdf("Revised")), upload("copy.pdf", minimal_pdf())]))
    assert [f.name for f in response.context["staged"]] == ["paper.pdf", "paper.pdf", "copy.pdf"]
    assert "already attached" not in response.content.decode()


def test_on_the_edit_form_a_file_the_comment_already_has_is_not_attached_a_second_time(client, author):
    comment = make_comment(author=author)
    make_attachment(comment=comment, name="paper.pdf", data=minimal_pdf())
    url = reverse("discussions:comment-edit", args=[comment.pk])
    response = client.post(url, {"body": "Edited.", "body_format": "text", "action": "preview",
                                 "files": [upload("paper.pdf", minimal_pdf())]})
    assert response.status_code == 200
    assert response.context["staged"] == []
    assert "“paper.pdf” is already attached." in response.content.decode()
    response = client.post(url, {"body": "Edited.", "body_format": "text", "action": "save",
                                 "files": [upload("paper.pdf", minimal_pdf())]}, follow=True)
    assert [a.original_name for a in comment.attachments.all()] == ["paper.pdf"]
    assert "“paper.pdf” is already attached." in response.content.decode()


def test_on_the_edit_form_a_file_being_removed_may_be_chosen_again_in_the_same_save(client, author):
    comment = make_comment(author=author)
    old = make_attachment(comment=comment, name="paper.pdf", data=minimal_pdf())
    response = client.post(reverse("discussions:comment-edit", args=[comment.pk]), {
        "body": "Edited.", "body_format": "text", "action": "save", "remove_attachments": [str(old.pk)],
        "files": [upload("paper.pdf", minimal_pdf())]})
    assert response.status_code == 302
    [new] = comment.attachments.all()
    assert new.original_name == "paper.pdf" and new.pk != old.pk


# --- The comment replied to --------------------------------------------------------------------------------------

def test_the_reply_page_shows_the_parents_author_date_and_full_text_open_not_collapsed(client, author, question):
    long_body = "".join(f"<p>Paragraph {i}: we ask the network to fund the indicators.</p>" for i in range(1, 31))
    parent = make_comment(question=question, author=make_user(name="Richard Franciscus van der Berg"),
                          body=long_body + "<ul><li>first point</li></ul>", body_text="ignored in favour of body",
                          created_at=datetime(2024, 9, 15, 13, 30, tzinfo=dt_timezone.utc))
    response = client.get(reverse("discussions:comment-create", args=[question.discussion.slug])
                          + f"?parent={parent.pk}")
    assert response.status_code == 200
    page = response.content.decode()
    section = page[page.index('<section class="reply-parent'):page.index("</section>", page.index("reply-parent"))]
    assert "<details" not in page
    assert "The comment you reply to" in section
    assert "Richard Franciscus van der Berg" in section
    assert '<time class="comment-date" datetime="2024-09-15T13:30:00+00:00">15 September 2024, 13:30</time>' in section
    assert "Paragraph 1:" in section and "Paragraph 30: we ask the network to fund the indicators." in section
    assert "<li>first point</li>" in section


def test_the_reply_page_shows_only_the_organisation_when_the_parent_was_posted_so(client, author, question):
    parent = make_comment(question=question, author_name="Hidden Person", author_organisation="UN Network",
                          show_personal_name=False)
    page = client.get(reverse("discussions:comment-create", args=[question.discussion.slug])
                      + f"?parent={parent.pk}").content.decode()
    section = page[page.index('<section class="reply-parent'):]
    section = section[:section.index("</section>")]
    assert "UN Network" in section and "Hidden Person" not in section


# --- Drafts kept in the browser: what the server tells the script ------------------------------------------------

def draft_form_tag(page: str) -> str:
    return re.search(r"<form [^>]*data-comment-form[^>]*>", page).group(0)


def test_each_form_target_names_its_own_draft_and_only_a_freshly_opened_form_may_restore_one(
        client, author, question):
    base = reverse("discussions:comment-create", args=[question.discussion.slug])
    parent = make_comment(question=question)
    d = question.discussion.pk
    cases = [(f"?question={question.pk}", f"hub-draft:{author.pk}:d{d}-question-{question.pk}"),
             (f"?parent={parent.pk}", f"hub-draft:{author.pk}:d{d}-reply-{parent.pk}"),
             ("", f"hub-draft:{author.pk}:d{d}-general")]
    for query, key in cases:
        tag = draft_form_tag(client.get(base + query).content.decode())
        assert f'data-draft-key="{key}"' in tag and "data-draft-fresh" in tag
    own = make_comment(author=author)
    tag = draft_form_tag(client.get(reverse("discussions:comment-edit", args=[own.pk])).content.decode())
    assert f'data-draft-key="hub-draft:{author.pk}:edit-{own.pk}"' in tag and "data-draft-fresh" in tag
    # A form sent back after a preview or an error holds what was sent: the browser must not replace it.
    tag = draft_form_tag(client.post(base + f"?question={question.pk}", form(question, action="preview")).content.decode())
    assert "data-draft-fresh" not in tag
    assert "discussions/draft.js" in client.get(base).content.decode()


def test_the_page_after_posting_names_the_draft_to_forget_on_its_message(client, author, question):
    response = client.post(create_url(question), form(question, action="post"), follow=True)
    assert re.search(rf'<div class="alert alert-(success|info)" role="status" data-posted-draft-key='
                     rf'"hub-draft:{author.pk}:d{question.discussion.pk}-question-{question.pk}">Thank you.',
                     response.content.decode())


def test_the_page_after_saving_an_edit_names_the_edit_draft_to_forget(client, author):
    comment = make_comment(author=author)
    response = client.post(reverse("discussions:comment-edit", args=[comment.pk]),
                           {"body": "Edited.", "body_format": "text", "action": "save"}, follow=True)
    assert f'data-posted-draft-key="hub-draft:{author.pk}:edit-{comment.pk}"' in response.content.decode()


def test_a_failed_post_keeps_the_draft(client, author, question):
    response = client.post(create_url(question), form(question, action="post", body=""), follow=True)
    assert response.status_code == 400 and "data-posted-draft-key" not in response.content.decode()


def test_the_page_after_signing_out_tells_the_browser_to_forget_every_draft(client, author):
    page = client.get("/").content.decode()
    assert re.search(r'<form method="post" action="/accounts/logout/" data-sign-out>', page)
    assert f'data-hub-user="{author.pk}"' in page
    response = client.post("/accounts/logout/", follow=True)
    page = response.content.decode()
    assert re.search(r'role="status" data-drafts-clear>[^<]*signed out', page, re.I)
    assert "data-hub-user" not in page
