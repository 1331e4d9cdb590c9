"""Who may open every moderation page and perform every moderation action.

404 for a comment the user may not see at all (someone else's pending comment), 403 for what they see but may not
moderate, and the login page for visitors."""
from dataclasses import dataclass
from typing import Callable

import pytest
from django.urls import reverse

from discussions.models import Comment, Discussion, Flag, Question
from tests.factories import make_comment, make_discussion, make_question, make_user

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "author", "stakeholder", "other_moderator", "moderator", "site_moderator", "secretariat"]
MODERATORS = {"moderator", "site_moderator"}


@dataclass
class World:
    discussion: Discussion
    question: Question
    pending: Comment
    published: Comment
    hidden: Comment
    users: dict


@pytest.fixture
def world():
    author = make_user()
    moderator = make_user()
    other_moderator = make_user()
    discussion = make_discussion(moderators=[moderator])
    make_discussion(moderators=[other_moderator])
    question = make_question(discussion=discussion)
    users = {"anonymous": None, "author": author, "stakeholder": make_user(), "other_moderator": other_moderator,
             "moderator": moderator, "site_moderator": make_user(role="Moderators"),
             "secretariat": make_user(role="Secretariat")}
    return World(
        discussion=discussion, question=question,
        pending=make_comment(discussion=discussion, question=question, author=author, status="pending"),
        published=make_comment(discussion=discussion, question=question, author=author),
        hidden=make_comment(discussion=discussion, question=question, author=author, status="hidden",
                            hidden_reason="Off topic"),
        users=users,
    )


def expected_for(target: str, role: str, allowed: set[str] = MODERATORS) -> int | str:
    if role == "anonymous":
        return "login"
    if role in allowed:
        return "ok"
    if target == "pending" and role != "author":
        return 404
    return 403


def client_for(client, world, role):
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


def check(response, expected):
    if expected == "login":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], response
    elif expected == "ok":
        assert response.status_code in (200, 302), response
        if response.status_code == 302:
            assert "/accounts/login/" not in response["Location"]
    else:
        assert response.status_code == expected, (response.status_code, expected)


# --- Pages (GET) ------------------------------------------------------------------------------------------------

LIST_PAGES = ["discussions:moderation-queue", "discussions:moderation-dashboard", "discussions:moderation-audit"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_pages_are_for_moderators_of_any_discussion(client, world, role, name):
    allowed = MODERATORS | {"other_moderator"}
    response = client_for(client, world, role).get(reverse(name))
    check(response, "login" if role == "anonymous" else ("ok" if role in allowed else 403))


COMMENT_PAGES = ["discussions:comment-moderate", "discussions:moderation-history",
                 "discussions:moderation-comment-audit", "discussions:moderation-edit"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("target", ["pending", "published", "hidden"])
@pytest.mark.parametrize("name", COMMENT_PAGES)
def test_comment_pages_are_for_this_discussions_moderators(client, world, role, target, name):
    comment = getattr(world, target)
    response = client_for(client, world, role).get(reverse(name, kwargs={"pk": comment.pk}))
    check(response, expected_for(target, role))


@pytest.mark.parametrize("role", ROLES)
def test_discussion_and_question_pages_are_for_this_discussions_moderators(client, world, role):
    c = client_for(client, world, role)
    for url in (reverse("discussions:moderation-discussion", kwargs={"slug": world.discussion.slug}),
                reverse("discussions:moderation-question-edit", kwargs={"pk": world.question.pk})):
        check(c.get(url), expected_for("discussion", role))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("target", ["pending", "published", "hidden"])
def test_the_report_form_is_for_signed_in_readers_of_published_comments_of_others(client, world, role, target):
    comment = getattr(world, target)
    response = client_for(client, world, role).get(reverse("discussions:comment-flag", kwargs={"pk": comment.pk}))
    if role == "anonymous":
        expected = "login"
    elif target == "published" and role != "author":
        expected = "ok"
    elif target == "pending" and role not in MODERATORS | {"author"}:
        expected = 404
    else:
        expected = 403
    check(response, expected)


# --- Actions (POST) ---------------------------------------------------------------------------------------------

@dataclass
class Action:
    name: str
    target: str
    data: dict | Callable[[World], dict]
    done: Callable[[World], bool]
    setup: Callable[[World], None] = lambda w: None


def _with_priority(world):
    from tests.factories import make_priority, make_workplan

    workplan = make_workplan()
    Discussion.objects.filter(pk=world.discussion.pk).update(workplan=workplan)
    world.discussion.refresh_from_db()
    world.priority = make_priority(workplan=workplan)


def _status(world, target):
    return Comment.objects.get(pk=getattr(world, target).pk).status


ACTIONS = [
    Action("discussions:moderation-publish", "pending", {}, lambda w: _status(w, "pending") == "published"),
    Action("discussions:moderation-decline", "pending", {"standard_reason": "duplicate"},
           lambda w: _status(w, "pending") == "declined"),
    Action("discussions:moderation-edit", "published", {"body": "Shorter.", "body_html": "<p>Shorter.</p>", "body_format": "html", "reason": "Too long"},
           lambda w: Comment.objects.get(pk=w.published.pk).body == "<p>Shorter.</p>"),
    Action("discussions:moderation-retag", "published", lambda w: {"priorities": [w.priority.pk]},
           lambda w: Comment.objects.get(pk=w.published.pk).priorities.exists(), setup=_with_priority),
    Action("discussions:moderation-hide", "published", {"reason": "Insulting"},
           lambda w: _status(w, "published") == "hidden"),
    Action("discussions:moderation-unhide", "hidden", {}, lambda w: _status(w, "hidden") == "published"),
    Action("discussions:moderation-highlight", "published", {},
           lambda w: Comment.objects.get(pk=w.published.pk).highlighted),
    Action("discussions:moderation-unhighlight", "published", {},
           lambda w: not Comment.objects.get(pk=w.published.pk).highlighted,
           setup=lambda w: Comment.objects.filter(pk=w.published.pk).update(highlighted=True)),
    Action("discussions:moderation-note", "pending", {"body": "Check the attachment."},
           lambda w: w.pending.moderator_notes.exists()),
    Action("discussions:moderation-dismiss-flags", "published", {},
           lambda w: not Flag.objects.filter(comment=w.published, resolved_at__isnull=True).exists()),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name.split(":")[1])
def test_comment_actions_are_for_this_discussions_moderators(client, world, role, action):
    Flag.objects.create(comment=world.published, reporter=world.users["stakeholder"], reason="spam")
    action.setup(world)
    comment = getattr(world, action.target)
    data = action.data(world) if callable(action.data) else action.data
    response = client_for(client, world, role).post(reverse(action.name, kwargs={"pk": comment.pk}), data)
    expected = expected_for(action.target, role)
    check(response, expected)
    assert action.done(world) == (expected == "ok")


@pytest.mark.parametrize("role", ROLES)
def test_bulk_actions_are_for_this_discussions_moderators(client, world, role):
    response = client_for(client, world, role).post(reverse("discussions:moderation-bulk"),
                                                    {"action": "publish", "comments": [world.pending.pk], "confirm": "1"})
    if role == "anonymous":
        check(response, "login")
    elif role in MODERATORS:
        check(response, "ok")
        assert _status(world, "pending") == "published"
    else:
        assert response.status_code in (403, 404)
        assert _status(world, "pending") == "pending"


DISCUSSION_ACTIONS = [
    ("discussions:moderation-discussion-close", "slug", {"confirm": "1"}, lambda w: Discussion.objects.get(pk=w.discussion.pk).status == "closed"),
    ("discussions:moderation-question-add", "slug", {"text": "A fourth question?"},
     lambda w: w.discussion.questions.filter(text="A fourth question?").exists()),
    ("discussions:moderation-question-lock", "question", {}, lambda w: Question.objects.get(pk=w.question.pk).locked),
    ("discussions:moderation-question-edit", "question", {"text": "Reworded?"},
     lambda w: Question.objects.get(pk=w.question.pk).text == "Reworded?"),
    ("discussions:moderation-question-move", "question", {"direction": "up"},
     lambda w: Question.objects.get(pk=w.question.pk).order == 0),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,kind,data,done", DISCUSSION_ACTIONS, ids=lambda v: v if isinstance(v, str) else "")
def test_discussion_and_question_actions_are_for_this_discussions_moderators(client, world, role, name, kind, data, done):
    if "move" in name:
        world.question = make_question(discussion=world.discussion)  # the second question moves up to first place
    kwargs = {"slug": world.discussion.slug} if kind == "slug" else {"pk": world.question.pk}
    response = client_for(client, world, role).post(reverse(name, kwargs=kwargs), data)
    expected = expected_for("discussion", role)
    check(response, expected)
    assert done(world) == (expected == "ok")


@pytest.mark.parametrize("role", ROLES)
def test_reopening_and_unlocking_are_for_this_discussions_moderators(client, world, role):
    Discussion.objects.filter(pk=world.discussion.pk).update(status="closed")
    Question.objects.filter(pk=world.question.pk).update(locked=True)
    c = client_for(client, world, role)
    expected = expected_for("discussion", role)
    check(c.post(reverse("discussions:moderation-discussion-reopen", kwargs={"slug": world.discussion.slug})), expected)
    check(c.post(reverse("discussions:moderation-question-unlock", kwargs={"pk": world.question.pk})), expected)
    assert (Discussion.objects.get(pk=world.discussion.pk).status == "open") == (expected == "ok")
    assert (not Question.objects.get(pk=world.question.pk).locked) == (expected == "ok")


@pytest.mark.parametrize("role", ROLES)
def test_reporting_is_for_any_signed_in_reader_but_the_author(client, world, role):
    response = client_for(client, world, role).post(
        reverse("discussions:comment-flag", kwargs={"pk": world.published.pk}), {"reason": "spam"})
    if role == "anonymous":
        check(response, "login")
    elif role == "author":
        check(response, 403)
    else:
        check(response, "ok")
        assert Flag.objects.filter(comment=world.published, reporter=world.users[role]).exists()


@pytest.mark.parametrize("method", ["get"])
@pytest.mark.parametrize("name", ["discussions:moderation-publish", "discussions:moderation-hide",
                                  "discussions:moderation-bulk"])
def test_actions_refuse_get(client, world, method, name):
    client.force_login(world.users["moderator"])
    kwargs = {} if name.endswith("bulk") else {"pk": world.published.pk}
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 405


def test_the_moderation_scope_is_every_discussion_for_site_moderators_and_the_listed_ones_for_others(world):
    from django.contrib.auth.models import AnonymousUser

    from discussions.permissions import in_moderation_scope, moderated_discussion_ids

    users = world.users
    other = Discussion.objects.exclude(pk=world.discussion.pk).get()
    assert moderated_discussion_ids(users["site_moderator"]) is None
    assert moderated_discussion_ids(users["moderator"]) == {world.discussion.pk}
    assert moderated_discussion_ids(users["other_moderator"]) == {other.pk}
    assert moderated_discussion_ids(users["stakeholder"]) == set()
    assert moderated_discussion_ids(AnonymousUser()) == set()

    def scoped(user):
        return set(Discussion.objects.filter(in_moderation_scope(user, "pk")).values_list("pk", flat=True))

    assert scoped(users["site_moderator"]) == {world.discussion.pk, other.pk}
    assert scoped(users["moderator"]) == {world.discussion.pk}
    assert scoped(users["secretariat"]) == set()
