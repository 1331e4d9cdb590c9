"""The admin saves a discussion through its service (welcome text cleaned, change audited) and never changes what
moderators decide: a comment's text and status, reports, notes and responses are read-only there."""
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from discussions import services
from discussions.models import Comment, Discussion, Disposition, Flag, ModeratorNote
from hub.models import AuditEntry
from hub.roles import SECRETARIAT
from tests.factories import make_comment, make_discussion, make_user

pytestmark = pytest.mark.django_db

HOSTILE_WELCOME = '<p onclick="steal()">Welcome.</p><script>steal()</script><a href="javascript:steal()">help</a>'


def discussion_form(discussion=None, **changes) -> dict:
    """The admin's change form as a browser would send it, with the three inlines empty."""
    data = {"slug": "consultation", "title": "Consultation", "welcome": "", "workplan": "",
            "expected_audience": "", "languages": "[]", "opens_at_0": "", "opens_at_1": "", "closes_at_0": "",
            "closes_at_1": "", "status": "open", "moderation": "pre", "attachments_allowed": "on", "help_url": "",
            "contact_email": "", "auto_hide_flags": "3", "trust_after_published": "", "moderators": []}
    if discussion is not None:
        data.update(slug=discussion.slug, title=discussion.title, welcome=discussion.welcome,
                    status=discussion.status, moderation=discussion.moderation)
    for prefix in ("milestones", "documents", "questions"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(changes)
    return data


@pytest.fixture
def secretariat(client):
    user = make_user(role=SECRETARIAT, is_staff=True)
    client.force_login(user)
    return user


def test_a_welcome_text_saved_in_the_admin_is_cleaned_and_the_change_audited(client, secretariat):
    discussion = make_discussion()
    response = client.post(reverse("admin:discussions_discussion_change", args=[discussion.pk]),
                           discussion_form(discussion, welcome=HOSTILE_WELCOME))
    assert response.status_code == 302
    discussion.refresh_from_db()
    assert "Welcome." in discussion.welcome
    assert "script" not in discussion.welcome and "onclick" not in discussion.welcome
    assert "javascript:" not in discussion.welcome
    entry = AuditEntry.objects.get(action="discussion.update", actor=secretariat)
    assert entry.target_id == str(discussion.pk) and "welcome" in entry.after["changed"]


def test_a_discussion_created_in_the_admin_is_cleaned_and_audited(client, secretariat):
    response = client.post(reverse("admin:discussions_discussion_add"), discussion_form(welcome=HOSTILE_WELCOME))
    assert response.status_code == 302
    discussion = Discussion.objects.get(slug="consultation")
    assert "script" not in discussion.welcome and "Welcome." in discussion.welcome
    assert AuditEntry.objects.filter(action="discussion.create", target_id=str(discussion.pk),
                                     actor=secretariat).exists()


def test_saving_a_discussion_needs_the_secretariats_permission():
    discussion = make_discussion()
    for user in (make_user(), make_user(is_staff=True)):
        with pytest.raises(PermissionDenied):
            services.discussion_save(actor=user, discussion=discussion, changed=["title"])
    assert not AuditEntry.objects.filter(action="discussion.update").exists()


def test_the_admin_cannot_change_a_comments_text_or_status(client):
    admin = make_user(is_staff=True, is_superuser=True)
    comment = make_comment(status=Comment.Status.PENDING)
    client.force_login(admin)
    url = reverse("admin:discussions_comment_change", args=[comment.pk])
    html = client.get(url).content.decode()
    assert 'name="body"' not in html and 'name="status"' not in html
    form = {"discussion": comment.discussion_id, "depth": "0", "author_name": comment.author_name,
            "created_at_0": "2024-01-01", "created_at_1": "10:00:00", "body": "<p>Rewritten behind the moderators.</p>",
            "status": "published", "highlighted": "on",
            "attachments-TOTAL_FORMS": "0", "attachments-INITIAL_FORMS": "0",
            "versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0"}
    assert client.post(url, form).status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert "Rewritten" not in comment.body and not comment.highlighted


@pytest.mark.parametrize("model", [Flag, Disposition, ModeratorNote])
def test_reports_responses_and_notes_are_read_only_in_the_admin(client, model):
    admin = make_user(is_staff=True, is_superuser=True)
    client.force_login(admin)
    opts = model._meta
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403
