"""The moderators' and secretariat's pages, finished: the editor for edits, the audit log as sentences, plain
confirmations and refusals."""
import pytest
from django.urls import reverse

from discussions import moderation as mod
from discussions.models import Comment
from tests.factories import make_comment, make_discussion, make_question, make_user, make_workplan

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    moderator = make_user(name="Sofia Marquez")
    discussion = make_discussion(workplan=make_workplan(), moderators=[moderator])
    question = make_question(discussion=discussion)
    return moderator, discussion, question


def edit_url(comment):
    return reverse("discussions:moderation-edit", kwargs={"pk": comment.pk})


def test_the_moderators_edit_page_offers_the_stakeholders_editor_not_raw_html(client, world):
    moderator, discussion, question = world
    comment = make_comment(discussion=discussion, question=question, body="<p>First <strong>point</strong></p>",
                           body_text="First point")
    client.force_login(moderator)
    html = client.get(edit_url(comment)).content.decode()
    assert "data-comment-form" in html and "discussions/editor.js" in html
    # The box without the editor holds the text a person reads; the editor starts from the HTML.
    assert '<textarea name="body"' in html and "First point</textarea>" in html
    assert 'name="body_html" value="&lt;p&gt;First &lt;strong&gt;point&lt;/strong&gt;&lt;/p&gt;"' in html
    assert "HTML:" not in html


def test_a_moderators_edit_from_the_editor_is_cleaned_and_kept_as_html(client, world):
    moderator, discussion, question = world
    comment = make_comment(discussion=discussion, question=question, body="<p>Call Jane on 555.</p>")
    client.force_login(moderator)
    response = client.post(edit_url(comment), {"body": "Call the office.", "body_format": "html",
                                               "body_html": "<p>Call <em>the office</em>.</p><script>x()</script>",
                                               "reason": "Personal data"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "<p>Call <em>the office</em>.</p>"
    assert comment.versions.get().body == "<p>Call Jane on 555.</p>"


def test_a_moderators_edit_without_the_editor_turns_plain_text_into_paragraphs(client, world):
    moderator, discussion, question = world
    comment = make_comment(discussion=discussion, question=question, body="<p>Old</p>")
    client.force_login(moderator)
    client.post(edit_url(comment), {"body": "One <b>line</b>.\n\nTwo.", "body_format": "text", "reason": "Typo"})
    comment.refresh_from_db()
    assert comment.body == "<p>One &lt;b&gt;line&lt;/b&gt;.</p><p>Two.</p>"


def test_a_refused_moderators_edit_keeps_what_was_typed_and_says_why(client, world):
    moderator, discussion, question = world
    comment = make_comment(discussion=discussion, question=question, body="<p>Old</p>")
    client.force_login(moderator)
    response = client.post(edit_url(comment), {"body": "Kept text", "body_format": "html",
                                               "body_html": "<p>Kept <em>text</em></p>", "reason": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Kept text</textarea>" in html and "&lt;p&gt;Kept &lt;em&gt;text&lt;/em&gt;&lt;/p&gt;" in html
    assert Comment.objects.get(pk=comment.pk).body == "<p>Old</p>"
    too_long = client.post(edit_url(comment), {"body": "x " * 20_001, "body_format": "text", "reason": "Shorter"})
    assert too_long.status_code == 400 and "at most" in too_long.content.decode()


def test_the_audit_log_reads_as_sentences_with_the_reason_in_them(client, world):
    moderator, discussion, question = world
    comment = make_comment(discussion=discussion, question=question)
    mod.comment_hide(actor=moderator, comment=comment, reason="Insulting language")
    client.force_login(moderator)
    html = client.get(reverse("discussions:moderation-audit")).content.decode()
    assert f"Sofia Marquez hid comment #{comment.pk}: Insulting language" in html
    page = client.get(reverse("discussions:moderation-comment-audit", kwargs={"pk": comment.pk})).content.decode()
    assert f"Sofia Marquez hid comment #{comment.pk}: Insulting language" in page


def test_a_moderators_edit_shows_in_the_audit_log_as_a_diff_of_words(client, world):
    moderator, discussion, question = world
    comment = make_comment(discussion=discussion, question=question, body="<p>Call Jane on 555 today.</p>")
    mod.comment_moderator_edit(actor=moderator, comment=comment, body="<p>Call the office today.</p>",
                               reason="Personal data")
    client.force_login(moderator)
    html = client.get(reverse("discussions:moderation-comment-audit", kwargs={"pk": comment.pk})).content.decode()
    assert f"Sofia Marquez edited the text of comment #{comment.pk}: Personal data" in html
    assert '<del><span class="visually-hidden">removed: </span>Jane on 555</del>' in html
    assert '<ins><span class="visually-hidden">added: </span>the office</ins>' in html
    assert "&lt;p&gt;" not in html  # the diff is of the text people read, not of its markup


def test_the_audit_filter_names_actions_in_words(client, world):
    moderator, *_ = world
    client.force_login(moderator)
    html = client.get(reverse("discussions:moderation-audit")).content.decode()
    assert '<option value="comment.hide">Comment hidden</option>' in html


def test_the_word_diff_of_long_texts_compares_paragraphs_first_and_stays_fast():
    from discussions.moderation.audit import word_diff

    before = "\n".join(f"Paragraph {i} about migration and labour." for i in range(2000))
    after = before.replace("Paragraph 7 about", "Paragraph 7 on")
    runs = word_diff(before, after)
    assert ("del", "about") in runs and ("ins", "on") in runs
    assert sum(1 for kind, _ in runs if kind != "same") == 2


QUEUE = reverse("discussions:moderation-queue")


def test_a_refused_decline_in_the_queue_names_the_comment_and_marks_its_card(client, world):
    moderator, discussion, question = world
    first = make_comment(discussion=discussion, question=question, status="pending")
    second = make_comment(discussion=discussion, question=question, status="pending")
    client.force_login(moderator)
    response = client.post(reverse("discussions:moderation-decline", kwargs={"pk": second.pk}),
                           {"standard_reason": "", "details": "", "next": QUEUE})
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{second.pk}")
    html = client.get(response["Location"]).content.decode()
    assert f"Comment #{second.pk} by {second.shown_name} was not declined" in html
    def card_of(comment):
        start = html.rindex("<li", 0, html.index(f'id="item-{comment.pk}"'))
        return html[start:html.index("</li>", start)]

    card = card_of(second)
    assert "queue-item-refused" in card and 'aria-invalid="true"' in card and 'role="alert"' in card
    assert "queue-item-refused" not in card_of(first)
    assert Comment.objects.get(pk=second.pk).status == "pending"


def test_a_bulk_decision_asks_for_confirmation_before_it_changes_anything(client, world):
    moderator, discussion, question = world
    a, b = (make_comment(discussion=discussion, question=question, status="pending") for _ in range(2))
    client.force_login(moderator)
    response = client.post(reverse("discussions:moderation-bulk"), {"action": "publish", "comments": [a.pk, b.pk],
                                                                      "next": QUEUE})
    html = response.content.decode()
    assert response.status_code == 200 and "Publish 2 comments?" in html and "Yes, publish 2 comments" in html
    assert f"#{a.pk}" in html and f"#{b.pk}" in html and 'name="confirm" value="1"' in html
    assert set(Comment.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {"pending"}
    client.post(reverse("discussions:moderation-bulk"), {"action": "publish", "comments": [a.pk, b.pk],
                                                         "next": QUEUE, "confirm": "1"})
    assert set(Comment.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {"published"}


def test_the_bulk_confirmation_names_no_comment_the_person_may_not_moderate(client, world):
    _, discussion, question = world
    pending = make_comment(discussion=discussion, question=question, status="pending")
    client.force_login(make_user())
    response = client.post(reverse("discussions:moderation-bulk"), {"action": "publish", "comments": [pending.pk]})
    assert response.status_code in (403, 404)
    assert pending.body_text not in response.content.decode()


def test_closing_a_discussion_asks_for_confirmation_first(client, world):
    moderator, discussion, _ = world
    client.force_login(moderator)
    url = reverse("discussions:moderation-discussion-close", kwargs={"slug": discussion.slug})
    response = client.post(url, {"reason": "Consultation period over"})
    html = response.content.decode()
    assert response.status_code == 200 and "Yes, close the discussion" in html and "Consultation period over" in html
    discussion.refresh_from_db()
    assert discussion.status == "open"
    client.post(url, {"reason": "Consultation period over", "confirm": "1"})
    discussion.refresh_from_db()
    assert discussion.status == "closed"
    assert discussion.status == "closed"


def test_a_reported_comments_choices_say_what_each_does(client, world):
    moderator, discussion, question = world
    comment = make_comment(discussion=discussion, question=question)
    reader = make_user()
    from discussions.models import Flag
    Flag.objects.create(comment=comment, reporter=reader, reason=Flag.Reason.OFF_TOPIC)
    client.force_login(moderator)
    html = client.get(reverse("discussions:comment-moderate", kwargs={"pk": comment.pk})).content.decode()
    assert "The reports are closed as answered. The comment stays as it is and readers keep seeing it." in html
    assert "Readers see your reason in its place; the replies to it stay." in html
    assert "It is taken out of the discussion: readers no longer see it" in html



def test_the_audit_log_names_fields_and_values_as_people_read_them(client, world):
    moderator, discussion, question = world
    comment = make_comment(discussion=discussion, question=question)
    mod.comment_hide(actor=moderator, comment=comment, reason="Insulting language")
    client.force_login(moderator)
    html = client.get(reverse("discussions:moderation-comment-audit", kwargs={"pk": comment.pk})).content.decode()
    assert "<strong>Status:</strong>" in html and "Published</del>" in html and "Hidden</ins>" in html
    assert "<strong>Reason for hiding:</strong>" in html
    assert "hidden_reason" not in html and ">published<" not in html  # no codes for people to decode
