"""Import then export gives back the file (up to what `normalised` sets aside), and an export imports again onto
the same rows."""
from __future__ import annotations

import json
import zipfile

import pytest

from discussions.interchange import export_consultation_bundle, import_consultation_bundle
from discussions.models import Comment, Discussion, Question
from tests.discussions.interchange.bundles import EXAMPLE, example_data, normalised, row_counts, write_folder

pytestmark = pytest.mark.django_db


def test_an_imported_consultation_exports_back_equal_to_the_example(tmp_path):
    import_consultation_bundle(EXAMPLE)
    target = tmp_path / "out.zip"
    exported = export_consultation_bundle(Discussion.objects.get(), target)

    assert normalised(exported) == normalised(example_data())
    # The export keeps the file's ids where it has them, so even the ids survive this round trip.
    assert [c["id"] for c in exported["comments"]] == ["c1", "c2", "c3", "c4"]
    # The HTML really was sanitized on the way in (so the comparison above is not hiding a difference by accident).
    assert 'rel="nofollow ugc noopener"' in exported["comments"][0]["body_html"]
    with zipfile.ZipFile(target) as bundle:
        assert json.loads(bundle.read("consultation.json")) == exported


def test_the_exported_bundle_imports_again_as_an_update_and_exports_the_same(tmp_path):
    import_consultation_bundle(EXAMPLE)
    first = export_consultation_bundle(Discussion.objects.get(), tmp_path / "first.zip")
    before = row_counts()

    report = import_consultation_bundle(tmp_path / "first.zip", update_existing=True)
    second = export_consultation_bundle(Discussion.objects.get(), tmp_path / "second.zip")

    assert report.created["comment"] == 0 and report.updated["comment"] == 4
    assert report.created["attachment"] == 0  # the same file on the same comment is kept, not stored again
    assert {k: v for k, v in row_counts().items() if k != "AuditEntry"} == {
        k: v for k, v in before.items() if k != "AuditEntry"}
    first.pop("exported_at"), second.pop("exported_at")
    assert second == first


def test_a_site_made_discussion_exports_with_stable_ids_and_reimports_onto_the_same_rows(tmp_path):
    import_consultation_bundle(EXAMPLE)
    discussion = Discussion.objects.get()
    # A question and a reply made on this site carry no source id: the export names them q<pk> and c<pk>.
    question = Question.objects.create(discussion=discussion, order=3, text="Anything else?", posted_by_name="Mod")
    parent = Comment.objects.get(source_id="c3")
    reply = Comment.objects.create(discussion=discussion, question=parent.question, parent=parent, depth=1,
                                   author_name="Someone", body="<p>Yes.</p>", body_text="Yes.", status="published")
    exported = export_consultation_bundle(discussion, tmp_path / "out.zip")
    assert exported["questions"][-1]["id"] == f"q{question.pk}"
    assert exported["comments"][-1] == {**exported["comments"][-1], "id": f"c{reply.pk}", "parent": "c3",
                                        "question": None}
    before = row_counts()

    import_consultation_bundle(tmp_path / "out.zip", update_existing=True)

    assert row_counts()["Comment"] == before["Comment"] and row_counts()["Question"] == before["Question"]
    reply.refresh_from_db()
    assert reply.source_id == f"c{reply.pk}" and reply.depth == 1


def test_a_comment_attributed_to_a_badge_alone_imports_shows_and_exports_back_equal(client, tmp_path):
    """The reference consultation: one comment shows only the affiliation badge "UN Network"."""
    data = example_data()
    data["comments"][2]["author"] = {"name": "", "organisation": None, "badge": "UN Network",
                                     "attribution": "organisation"}
    import_consultation_bundle(write_folder(tmp_path / "b", data))

    comment = Comment.objects.get(source_id="c3")
    assert (comment.author_name, comment.author_organisation, comment.author_badge) == ("", "", "UN Network")
    assert comment.shown_name == "UN Network"
    exported = export_consultation_bundle(Discussion.objects.get(), tmp_path / "out.zip")
    assert exported["comments"][2]["author"] == {"name": "", "organisation": None, "stakeholder_group": None,
                                                 "badge": "UN Network", "attribution": "organisation"}
    assert normalised(exported) == normalised(data)

    html = client.get(Discussion.objects.get().get_absolute_url()).content.decode()
    header = html[html.index(f'id="comment-{comment.pk}-by"'):][:300]
    assert '<strong class="comment-name">UN Network</strong>' in header
    # The badge is the attribution: not shown a second time beside it.
    assert html.count("UN Network") == html[:html.index(f'id="comment-{comment.pk}-by"')].count("UN Network") + 1

