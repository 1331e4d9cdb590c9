"""The import in bulk (discussions/interchange/importer.py): comments written a chunk at a time, replies pointed at
parents created in the same chunk or an earlier one, tag links replaced, progress reported, a fixed number of
queries whatever the number of comments, and nothing left when a later chunk fails."""
from __future__ import annotations

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discussions.interchange import import_consultation_bundle
from discussions.models import Comment
from hub.search.models import SearchEntry
from tests.discussions.interchange.bundles import example_data, row_counts, stored_files, write_folder

pytestmark = pytest.mark.django_db


def many_comments(count: int, *, attachment_at: int | None = None) -> dict:
    """The example file with `count` comments: every third a reply to the one before it (so chains cross chunk
    borders), priorities and working groups on some, and the example's attachment on comment `attachment_at`."""
    data = example_data()
    template = data["comments"][0]
    comments = []
    for i in range(count):
        item = copy.deepcopy(template)
        item.update(id=f"c{i + 1}", question=None if i % 3 == 2 else "q1", parent=f"c{i}" if i % 3 == 2 else None,
                    priorities=["OP3", "NP1"] if i % 2 else [], working_groups=["wg-detention"] if i % 5 == 0 else [],
                    body_html=f"<p>Comment number {i + 1} on Ongoing Priority 3.</p>",
                    attachments=template["attachments"] if i == attachment_at else [])
        comments.append(item)
    data["comments"] = comments
    return data


def test_replies_in_the_same_chunk_and_across_chunks_get_their_parent_depth_and_question(tmp_path, monkeypatch):
    monkeypatch.setattr("discussions.interchange.importer.CHUNK", 4)
    data = many_comments(12)

    report = import_consultation_bundle(write_folder(tmp_path / "b", data))

    assert report.created["comment"] == 12
    comments = {c.source_id: c for c in Comment.objects.select_related("parent", "question")}
    for i in range(12):
        comment = comments[f"c{i + 1}"]
        if i % 3 == 2:
            assert comment.parent == comments[f"c{i}"], comment.source_id
            assert comment.depth == 1 and comment.question.source_id == "q1"
        else:
            assert comment.parent is None and comment.depth == 0
    # c3 replies to c2 in the same chunk of four (c1-c4); c12 to c11 in the last one; c6 to c5 across none.
    assert comments["c3"].parent_id == comments["c2"].pk
    assert sorted(p.code for p in comments["c2"].priorities.all()) == ["NP1", "OP3"]
    assert list(comments["c1"].priorities.all()) == []
    assert [g.slug for g in comments["c6"].working_groups.all()] == ["wg-detention"]


def test_reimporting_replaces_the_tag_links_and_keeps_the_rows(tmp_path, monkeypatch):
    monkeypatch.setattr("discussions.interchange.importer.CHUNK", 4)
    data = many_comments(9)
    import_consultation_bundle(write_folder(tmp_path / "first", data))
    pks = dict(Comment.objects.values_list("source_id", "pk"))
    for item in data["comments"]:
        item["priorities"] = ["NP1"] if item["priorities"] else ["OP3"]
        item["working_groups"] = []
        item["status"] = "hidden"

    report = import_consultation_bundle(write_folder(tmp_path / "second", data), update_existing=True)

    assert report.updated["comment"] == 9 and report.created["comment"] == 0
    assert dict(Comment.objects.values_list("source_id", "pk")) == pks
    assert Comment.priorities.through.objects.count() == 9
    assert Comment.working_groups.through.objects.count() == 0
    assert set(Comment.objects.values_list("status", flat=True)) == {"hidden"}
    c3 = Comment.objects.get(source_id="c3")
    assert c3.parent.source_id == "c2" and [p.code for p in c3.priorities.all()] == ["OP3"]
    assert [p.code for p in Comment.objects.get(source_id="c2").priorities.all()] == ["NP1"]


def test_an_existing_comment_may_become_a_reply_to_a_new_one(tmp_path):
    data = many_comments(2)
    import_consultation_bundle(write_folder(tmp_path / "first", data))
    new = copy.deepcopy(data["comments"][0])
    new.update(id="c-new")
    data["comments"] = [data["comments"][0], new, {**data["comments"][1], "parent": "c-new", "question": None}]

    import_consultation_bundle(write_folder(tmp_path / "second", data), update_existing=True)

    c2 = Comment.objects.get(source_id="c2")
    assert c2.parent.source_id == "c-new" and c2.depth == 1 and c2.question.source_id == "q1"


def test_the_progress_callback_is_told_of_every_chunk_up_to_the_total(tmp_path, monkeypatch):
    monkeypatch.setattr("discussions.interchange.importer.CHUNK", 5)
    calls = []

    import_consultation_bundle(write_folder(tmp_path / "b", many_comments(12)),
                               progress=lambda done, total: calls.append((done, total)))

    assert calls == [(0, 12), (5, 12), (10, 12), (12, 12)]


def test_a_failure_in_the_second_half_leaves_nothing_behind(tmp_path, monkeypatch):
    """The first chunks are written when a later one fails: the transaction takes them all back, and the attachment
    stored by the first half is deleted again."""
    monkeypatch.setattr("discussions.interchange.importer.CHUNK", 10)
    bundle = write_folder(tmp_path / "b", many_comments(40, attachment_at=3))
    before = row_counts()
    written = []

    def fail_halfway(done, total):
        written.append(Comment.objects.count())
        if done > total // 2:
            raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        import_consultation_bundle(bundle, progress=fail_halfway)

    assert written[-1] == 30  # the first three chunks were in the database when it failed
    assert row_counts() == before
    assert stored_files() == []
    assert SearchEntry.objects.count() == 0


def test_the_comments_are_written_in_the_same_number_of_queries_whatever_their_number(tmp_path, monkeypatch):
    """Measured around the comments' part of the import (the workplan and discussion around it differ between a
    first and a later import). Three comments at least, so that the small file has a reply and a priority link too;
    thirty at most, as SQLite's limit of 999 parameters splits an insert of comments every 37 rows."""
    from discussions.interchange.importer import _Importer

    counted = []
    original = _Importer.import_comments

    def counting(self, discussion, questions):
        with CaptureQueriesContext(connection) as captured:
            original(self, discussion, questions)
        counted.append(len(captured.captured_queries))

    monkeypatch.setattr(_Importer, "import_comments", counting)
    for count in (3, 30):
        data = many_comments(count)
        data["discussion"]["slug"] = f"consultation-{count}"
        import_consultation_bundle(write_folder(tmp_path / str(count), data))

    assert Comment.objects.count() == 33
    assert counted[0] == counted[1]


def test_imported_comments_are_searchable_once_committed(tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        import_consultation_bundle(write_folder(tmp_path / "b", many_comments(6)))

    published = Comment.objects.filter(status="published").count()
    assert SearchEntry.objects.filter(kind="comment").count() == published == 6
