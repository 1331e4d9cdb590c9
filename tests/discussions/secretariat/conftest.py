"""Fixtures of the secretariat's tests (export, synthesis, responses): a known set of comments for read-back tests,
the secretariat signed in, and small factories (`make_export_*`, `make_comments`) under names of their own, so
they never clash with the shared ones in tests/factories.py.

The browser tests build the same known set: they import `KnownSet` from here.
"""
from __future__ import annotations

import datetime
import hashlib
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.http import urlencode

from discussions.models import Attachment, Comment, Discussion, Disposition, Question
from hub.jobs.models import Job
from hub.models import StakeholderGroup
from hub.text import clean_html, html_to_text
from tests.factories import make_priority, make_user, make_workplan, make_working_group

_seq = itertools.count(1)
UTC = datetime.timezone.utc


def _export_discussion(**fields) -> Discussion:
    n = next(_seq)
    defaults = {"slug": f"consultation-{n}", "title": f"Consultation {n}", "status": Discussion.Status.OPEN}
    defaults.update(fields)
    if "workplan" not in defaults:
        defaults["workplan"] = make_workplan()
    return Discussion.objects.create(**defaults)


def _export_question(discussion: Discussion, *, order: int = 1, text: str | None = None) -> Question:
    return Question.objects.create(discussion=discussion, order=order, text=text or f"Question {order}?")


def _export_comment(discussion: Discussion, *, body: str = "<p>A comment.</p>", priorities=(), working_groups=(),
                        **fields) -> Comment:
    n = next(_seq)
    html = clean_html(body)
    defaults = {
        "author_name": f"Author {n}", "author_organisation": f"Organisation {n}",
        "author_stakeholder_group": StakeholderGroup.CIVIL_SOCIETY, "author_country": "Kenya",
        "status": Comment.Status.PUBLISHED, "created_at": datetime.datetime(2024, 9, 15, 10, 0, tzinfo=UTC),
    }
    defaults.update(fields)
    parent = defaults.get("parent")
    if parent is not None and "depth" not in fields:
        defaults["depth"] = parent.depth + 1
    comment = Comment.objects.create(discussion=discussion, body=html, body_text=html_to_text(html), **defaults)
    if priorities:
        comment.priorities.set(priorities)
    if working_groups:
        comment.working_groups.set(working_groups)
    return comment


def _export_attachment(comment: Comment, *, name: str = "position paper.pdf", data: bytes = b"%PDF-1.4 test") -> Attachment:
    return Attachment.objects.create(
        comment=comment, file=SimpleUploadedFile(name, data), original_name=name, content_type="application/pdf",
        size=len(data), sha256=hashlib.sha256(data).hexdigest())


def _comments(discussion: Discussion, count: int, *, priorities=(), question=None) -> list[Comment]:
    """`count` published comments, with a reply every third one, spread over days."""
    made = []
    start = datetime.datetime(2024, 9, 1, 9, 0, tzinfo=UTC)
    for i in range(count):
        parent = made[-1] if made and i % 3 == 2 else None
        group = list(StakeholderGroup.values)[i % len(StakeholderGroup.values)]
        made.append(_export_comment(
            discussion, question=question, parent=parent, author_stakeholder_group=group,
            priorities=priorities, created_at=start + datetime.timedelta(days=i % 20, hours=i),
            body=f"<p>Comment {i}</p><ul><li>first</li><li>second</li></ul>"))
    return made


class KnownSet:
    """A discussion whose comments exercise every column: non-Latin text, emoji, quotes, line breaks,
    formula-like cells, a reply, an attachment, a response, a declined comment."""

    def __init__(self) -> None:
        self.workplan = make_workplan(title="Network Workplan 2022-2024")
        self.np1 = make_priority(workplan=self.workplan, kind="new", number=1,
                                 title="A limited set of indicators to review progress")
        self.op3 = make_priority(workplan=self.workplan, kind="ongoing", number=3,
                                 title="Alternatives to immigration detention")
        self.group = make_working_group(workplan=self.workplan, name="Working group on detention", slug="detention")
        self.discussion = _export_discussion(slug="draft-workplan", title="Draft Network Workplan 2022-2024",
                                                 workplan=self.workplan)
        self.q1 = _export_question(self.discussion, order=1, text="Does the workplan capture a comprehensive plan?")
        self.q2 = _export_question(self.discussion, order=2, text="Which priority areas interest your entity?")
        self.moderator = make_user(name="Maria Moderator", role="Moderators")
        moderated_at = datetime.datetime(2024, 9, 16, 8, 0, tzinfo=UTC)

        self.arabic = _export_comment(
            self.discussion, question=self.q1, author_name="ليلى حداد", author_organisation="منظمة الهجرة",
            author_stakeholder_group=StakeholderGroup.MIGRANT_LED, author_country="الأردن",
            body="<p>نص عربي</p><ul><li>أولاً</li><li>ثانياً</li></ul>", priorities=[self.op3],
            created_at=datetime.datetime(2024, 9, 15, 10, 30, tzinfo=UTC))
        self.chinese = _export_comment(
            self.discussion, question=self.q2, author_name="王小明", author_organisation="中国移民研究中心",
            author_stakeholder_group=StakeholderGroup.ACADEMIA, author_country="China",
            body="<p>中文评论 🌍🚀</p>", priorities=[self.np1],
            created_at=datetime.datetime(2024, 9, 16, 11, 0, tzinfo=UTC))
        self.quoted = _export_comment(
            self.discussion, question=self.q1, author_name='Richard "Rick" Francis-O\'Brien',
            author_organisation="UN Network on Migration", author_stakeholder_group=StakeholderGroup.UN_ENTITY,
            author_country="Switzerland", author_badge="UN Network",
            body='<p>He said "yes", and \'no\'; fine.</p><p>Line one<br>line two</p><ol><li>One</li><li>Two</li></ol>',
            priorities=[self.np1, self.op3], working_groups=[self.group], highlighted=True, edit_count=2,
            moderated_by=self.moderator, moderated_at=moderated_at,
            created_at=datetime.datetime(2024, 9, 17, 12, 0, tzinfo=UTC))
        self.attachment = _export_attachment(self.quoted)
        Disposition.objects.create(comment=self.quoted, outcome=Disposition.Outcome.PARTLY,
                                   rationale="=Covered in OP3; see annex", decided_at=moderated_at)
        self.formula = _export_comment(
            self.discussion, question=self.q1, parent=self.quoted, author_name="=HYPERLINK(\"http://x\")",
            author_organisation="+SUM(A1:A2)", author_stakeholder_group=StakeholderGroup.MEMBER_STATE,
            author_country="@cmd", author_badge="-1", show_personal_name=False, body="<p>=1+1</p>",
            created_at=datetime.datetime(2024, 9, 18, 9, 15, tzinfo=UTC))
        self.general = _export_comment(
            self.discussion, question=None, author_name="Tab Person", author_organisation="\tTabbed Org",
            body="<p>General remark</p>", created_at=datetime.datetime(2024, 9, 19, 9, 0, tzinfo=UTC))
        self.declined = _export_comment(
            self.discussion, question=self.q2, author_name="Declined Author", author_organisation="Some NGO",
            status=Comment.Status.DECLINED, decline_reason="Off topic", moderated_by=self.moderator,
            moderated_at=moderated_at, created_at=datetime.datetime(2024, 9, 20, 9, 0, tzinfo=UTC))

    @property
    def published(self) -> list[Comment]:
        return [self.arabic, self.chinese, self.quoted, self.formula, self.general]


@pytest.fixture
def known() -> KnownSet:
    return KnownSet()


@pytest.fixture
def secretary():
    return make_user(name="Sam Secretariat", role="Secretariat")


@pytest.fixture
def secretariat_client(client, secretary):
    client.force_login(secretary)
    return client


@pytest.fixture
def make_export_discussion():
    return _export_discussion


@pytest.fixture
def make_export_question():
    return _export_question


@pytest.fixture
def make_export_comment():
    return _export_comment


@pytest.fixture
def make_export_attachment():
    return _export_attachment


@pytest.fixture
def make_comments():
    return _comments


def start_export(client, fmt: str = "csv", params: dict | None = None):
    """Press an export button of the page for this selection: the response of the start request (a redirect to the
    job's page, or back to the export page)."""
    query = urlencode(params or {}, doseq=True)
    url = reverse("discussions:secretariat-export-start") + (f"?{query}" if query else "")
    return client.post(url, {"format": fmt})


@pytest.fixture
def export_download(django_capture_on_commit_callbacks):
    """Start an export as the page does, let its job run (in-process, once the request has committed, as without a
    broker) and download the job's file: returns the download's response."""

    def download(client, fmt: str = "csv", params: dict | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            started = start_export(client, fmt, params)
        assert started.status_code == 302, started
        job = Job.objects.latest("id")
        assert started["Location"] == job.get_absolute_url()
        assert job.status == Job.Status.DONE, job.error
        return client.get(reverse("jobs:download", kwargs={"pk": job.pk}))

    return download
