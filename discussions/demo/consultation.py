"""Demo consultation for `manage.py load_demo`, shaped like the reference "Draft Network Workplan 2022-2024".

Idempotent: the discussion is keyed on its slug, questions and comments on their `source_id`, so running it again
updates the same rows. All texts were written for this demo; organisations marked "(example)" are invented.
Comments by people without a demo account carry only their attribution snapshot, like imported comments.
"""
from __future__ import annotations

import hashlib
import zlib
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from discussions.models import Attachment, Comment, Discussion, Milestone, Question
from discussions.services import attribution_snapshot
from hub.text import clean_html, html_to_text
from workplan.models import Priority, WorkingGroup, Workplan

SLUG = "draft-network-workplan-2022-2024"
WORKPLAN_SLUG = "network-workplan-2022-2024"

WELCOME = """
<p>Welcome to the online consultation on the <strong>Draft Network Workplan 2022-2024</strong>. The workplan sets
out the priorities through which the Network will support Member States in implementing the Global Compact for
Safe, Orderly and Regular Migration over the next three years.</p>
<p>We invite all network members, stakeholders and Member States to read the draft and answer the three questions
below. You may also post general comments, reply to others, and attach a longer position paper. Please say which
priorities your comment is about, so that the secretariat can bring all feedback on a priority together.</p>
<p>Comments are reviewed by the moderator before they are published. The discussion runs in English; comments in
French and Spanish are welcome. Questions about taking part: see the help page, or write to the moderator.</p>
"""

QUESTIONS = [
    ("q1", "Does the workplan capture a comprehensive plan for the Network's work in 2022-2024? What is missing?"),
    ("q2", "Which priority areas are of particular interest to your entity, and how could you contribute?"),
    ("q3", "What other priority areas should the Network consider, and why?"),
]

# Accounts from hub/demo.py, by e-mail; None means a participant without an account (snapshot only).
AMINA, RICHARD, UNION, MODERATOR = ("amina@demo.hub.localhost", "richard@demo.hub.localhost",
                                    "union@demo.hub.localhost", "moderator@demo.hub.localhost")
# Demo guests (no account) are attributed as confirmed members, like the demo accounts.
GUESTS = {
    "mariam": {"author_name": "Mariam Al-Haddad Benyoussef", "author_organisation": "Office of the High "
               "Commissioner for Human Rights", "author_stakeholder_group": "un_entity", "author_badge": "UN Network",
               "author_country": "", "author_organisation_confirmed": True, "show_personal_name": True},
    "tomas": {"author_name": "Tomás Echeverría", "author_organisation": "Centre for Mobility Research (example)",
              "author_stakeholder_group": "academia", "author_badge": "", "author_country": "Mexico",
              "author_organisation_confirmed": True, "show_personal_name": True},
    "ministry": {"author_name": "Desk officer", "author_organisation": "Ministry of Labour of Examplestan (example)",
                 "author_stakeholder_group": "member_state", "author_badge": "", "author_country": "Examplestan",
                 "author_organisation_confirmed": True, "show_personal_name": False},
}

# key, question key (None: general), parent key, author, status, days after opening, priority codes, body HTML
COMMENTS = [
    ("c1", "q1", None, RICHARD, "published", 1, ["NP1", "OP2"], """
<p>Thank you for a clear draft. Overall the workplan reads as a comprehensive plan, and we welcome the balance
between the five new priorities and the continuity of the ongoing ones.</p>
<p>Three points we would strengthen:</p>
<ol><li>New Priority 1 should say who collects the indicator data and how often, so that the review can start in
the first year rather than the last.</li>
<li>Ongoing Priority 2 would benefit from a short list of the country teams that asked for support, to show demand.</li>
<li>The workplan could explain how the working groups report back to the Network as a whole.</li></ol>
<p>Our full comments are attached.</p>"""),
    ("c2", "q1", "c1", AMINA, "published", 2, ["NP1"], """
<p>We agree on the indicators. From the perspective of migrant-led organisations, any set of indicators must
include what migrants themselves report, not only administrative data.</p>
<blockquote><p>"Ensure that migrants and communities are meaningfully involved in the review." (GCM Obj. 23, PD 51)</p></blockquote>
<p>Could NP1 name participatory data collection as one of its methods?</p>"""),
    ("c3", "q1", "c2", RICHARD, "published", 3, [], """
<p>A good point, Amina. Participatory methods are in scope; we will suggest wording to the secretariat that makes
this explicit, and we would welcome your organisation's examples.</p>"""),
    ("c4", "q1", "c3", AMINA, "published", 3, [], """
<p>Happy to share them. Two short examples from our members in Nairobi and Mombasa are on our website; we can
present them at the annual meeting.</p>"""),
    ("c5", "q1", None, "mariam", "published", 2, ["OP3", "OP5"], """
<p>The draft is broad, but the human rights basis of the work could be more visible across priorities, not only in
Ongoing Priority 3 and Ongoing Priority 5.</p>
<ul><li>Each priority could name the rights it protects.</li>
<li>Return and reintegration (OP5) should refer to the principle of non-refoulement explicitly.</li>
<li>Alternatives to detention (OP3) should aim at ending child immigration detention.</li></ul>"""),
    ("c6", "q1", "c5", UNION, "published", 4, ["OP3"], """
<p>We support this comment. Trade unions see the effects of detention on workers who lose their status through no
fault of their own, for example when an employer stops renewing a permit.</p>"""),
    ("c7", "q1", None, "tomas", "published", 5, [], """
<p>From a research perspective the plan is comprehensive, but it would help to separate outputs (what the Network
produces) from outcomes (what changes for migrants). A simple results table per priority would do.</p>
<p>See for instance the approach described at https://example.org/results-frameworks for a light-weight template.</p>"""),
    ("c8", "q1", "c7", RICHARD, "pending", 6, [], """
<p>A results table is a good idea. Would it be one table for the whole workplan, or one per working group?</p>"""),
    ("c9", "q2", None, AMINA, "published", 2, ["NP5", "OP10"], """
<p>Our forum's members are most interested in <strong>New Priority 5</strong> (socio-economic integration) and
<strong>Ongoing Priority 10</strong> (regular pathways for migrants in vulnerable situations).</p>
<p>We can contribute:</p>
<ul><li>testimonies and case studies collected by migrant-led groups;</li>
<li>a network of community interpreters for consultations at country level;</li>
<li>co-facilitation of one session at the annual meeting.</li></ul>"""),
    ("c10", "q2", "c9", "ministry", "published", 4, ["NP5"], """
<p>Our ministry would join the work on NP5, in particular on the recognition of skills and qualifications, where we
have recently changed our national procedures.</p>"""),
    ("c11", "q2", "c10", AMINA, "published", 5, [], """
<p>Thank you. Recognition of skills is exactly where our members meet the most obstacles. We would be glad to
exchange on the new procedure.</p>"""),
    ("c12", "q2", None, UNION, "published", 3, ["OP4", "NP5"], """
<p>Our federation's priority is <em>Ongoing Priority 4</em> on bilateral labour migration agreements. Agreements
should be negotiated with social partners, published, and include a complaint mechanism for workers.</p>
<p>We are ready to co-lead a session on model clauses, and to share the checklist our affiliates use.</p>"""),
    ("c13", "q2", "c12", RICHARD, "published", 4, ["OP4"], """
<p>We would welcome the checklist. It could become an annex to the guidance planned under OP4.</p>"""),
    ("c14", "q2", "c13", UNION, "published", 5, [], """
<p>We will send it to the secretariat this week.</p>"""),
    ("c15", "q2", "c14", "tomas", "published", 6, [], """
<p>If useful, our centre can review how the checklist's clauses appear in agreements signed since 2018. We have a
dataset of about 120 agreements.</p>"""),
    ("c16", "q2", "c15", UNION, "published", 7, [], """
<p>Very useful, thank you. Let us talk at the annual meeting.</p>"""),
    ("c17", "q2", None, "mariam", "published", 5, ["OP6"], """
<p>Of particular interest to us is Ongoing Priority 6 on climate change. We would like to see displacement in the
context of disasters addressed together with planned relocation, with the participation of affected communities.</p>"""),
    ("c18", "q2", None, "tomas", "pending", 8, ["NP3"], """
<p>Our centre works on health systems and mobility and would contribute to NP3 (future health emergencies), in
particular on access to vaccination regardless of status.</p>"""),
    ("c19", "q3", None, AMINA, "published", 3, [], """
<p>The Network could consider a priority on <strong>migrants' participation in decision-making</strong>, at local,
national and global levels. Today participation depends on project funding and stops when projects end.</p>
<ol><li>A standing consultation mechanism with migrant-led organisations.</li>
<li>Funding for travel and interpretation so that grassroots groups can take part.</li></ol>"""),
    ("c20", "q3", "c19", "mariam", "published", 4, [], """
<p>Strongly supported. This also follows from the guiding principles of the Compact: a whole-of-society approach.</p>"""),
    ("c21", "q3", None, "ministry", "published", 6, ["OP9"], """
<p>We propose that the Network considers digital remittance costs as a separate priority area, given their weight
for families at home. Ongoing Priority 9 could be broadened in that direction.</p>"""),
    ("c22", "q3", None, RICHARD, "pending", 9, ["OP7"], """
<p>One more area to consider: data protection for migrants in digital identity systems. This is growing fast and
touches several priorities at once.</p>"""),
    ("c23", "q3", "c21", UNION, "pending", 9, [], """
<p>Remittances matter, but we would not want a new priority at the expense of labour rights work.</p>"""),
    ("c24", None, None, "tomas", "published", 7, [], """
<p>A general remark: the consultation would be easier to follow with a one-page summary of the changes compared
with the previous workplan. Thank you to the moderator for keeping the discussion so well organised.</p>"""),
    ("c25", None, "c24", MODERATOR, "published", 8, [], """
<p>Thank you. The secretariat will publish a summary of changes together with the revised draft in December.</p>"""),
]

ATTACHED_TO = "c1"


def minimal_pdf(text: str = "Full comments") -> bytes:
    """A small, valid one-page PDF showing `text` (built by hand: no PDF library needed)."""
    safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = zlib.compress(f"BT /F1 18 Tf 72 720 Td ({safe}) Tj ET".encode("latin-1", "replace"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@transaction.atomic
def load(stdout, style) -> Discussion:
    """Create or refresh the demo discussion, its questions and comments."""
    User = get_user_model()
    users = {u.email: u for u in User.objects.filter(email__in=[AMINA, RICHARD, UNION, MODERATOR])
             .select_related("profile__organisation")}
    workplan = Workplan.objects.filter(slug=WORKPLAN_SLUG).first()
    opened = (timezone.now() - timedelta(days=12)).replace(hour=9, minute=0, second=0, microsecond=0)
    moderator = users.get(MODERATOR)
    discussion = _discussion(workplan=workplan, opened=opened, moderator=moderator)
    questions = _questions(discussion, opened=opened, moderator=moderator)
    comments = _comments(discussion, questions, users=users, opened=opened, moderator=moderator)
    if ATTACHED_TO in comments and not comments[ATTACHED_TO].attachments.exists():
        _attach_full_comments(comments[ATTACHED_TO])
    if workplan is not None:
        # The demo rows are written directly: give them the display copies the posting services store.
        from discussions.tasks import refresh_display_copies

        refresh_display_copies(workplan.pk)
    stdout.write(style.SUCCESS(f"Demo discussion “{discussion.title}”: {len(questions)} questions, "
                               f"{len(comments)} comments (/discussions/{SLUG}/)."))
    return discussion


def _discussion(*, workplan: Workplan | None, opened, moderator) -> Discussion:
    discussion, _ = Discussion.objects.update_or_create(slug=SLUG, defaults={
        "title": "Draft Network Workplan 2022-2024", "welcome": clean_html(WELCOME), "workplan": workplan,
        "expected_audience": "All network members, stakeholders and Member States",
        "languages": ["English", "French", "Spanish"], "opens_at": opened, "closes_at": opened + timedelta(days=45),
        "status": Discussion.Status.OPEN, "moderation": Discussion.Moderation.PRE, "attachments_allowed": True,
        "help_url": "https://example.org/help/consultations", "contact_email": "moderator@demo.hub.localhost",
    })
    if moderator is not None:
        discussion.moderators.add(moderator)
    Milestone.objects.filter(discussion=discussion).delete()
    for days, label in [(0, "Consultation opens"), (30, "Discussed at the annual meeting of the Network"),
                        (45, "Consultation closes"), (90, "Final workplan published")]:
        Milestone.objects.create(discussion=discussion, date=(opened + timedelta(days=days)).date(), label=label)
    return discussion


def _questions(discussion: Discussion, *, opened, moderator) -> dict[str, Question]:
    moderator_name = moderator.profile.display_name if moderator and hasattr(moderator, "profile") else "Moderator"
    questions = {}
    for order, (key, text) in enumerate(QUESTIONS, start=1):
        questions[key], _ = Question.objects.update_or_create(discussion=discussion, source_id=f"demo-{key}", defaults={
            "order": order, "text": text, "posted_by": moderator, "posted_by_name": moderator_name, "posted_at": opened})
    return questions


def _comments(discussion: Discussion, questions: dict[str, Question], *, users: dict, opened,
              moderator) -> dict[str, Comment]:
    workplan = discussion.workplan
    priorities = {p.code: p for p in Priority.objects.filter(workplan=workplan)} if workplan else {}
    comments: dict[str, Comment] = {}
    for key, q_key, parent_key, who, status, days, codes, body in COMMENTS:
        user = users.get(who) if "@" in who else None
        if "@" in who and user is None:
            continue  # hub's demo accounts are missing: skip their comments rather than invent accounts
        snapshot = attribution_snapshot(user) if user else GUESTS[who]
        parent = comments.get(parent_key) if parent_key else None
        created = opened + timedelta(days=days, hours=len(key))
        html = clean_html(" ".join(body.split()))
        comment, _ = Comment.objects.update_or_create(discussion=discussion, source_id=f"demo-{key}", defaults={
            "question": questions[q_key] if q_key else (parent.question if parent else None), "parent": parent,
            "depth": parent.depth + 1 if parent else 0, "author": user, "body": html, "body_text": html_to_text(html),
            "status": status, "created_at": created, "published_at": created if status == "published" else None,
            "moderated_by": moderator if status == "published" else None,
            **snapshot,
        })
        named = [priorities[c] for c in codes if c in priorities]
        comment.priorities.set(named)
        if workplan and codes:
            comment.working_groups.set(WorkingGroup.objects.filter(workplan=workplan, priorities__in=named)
                                       .distinct()[:1])
        comments[key] = comment
    return comments


def _attach_full_comments(comment: Comment) -> None:
    data = minimal_pdf("Full comments on the Draft Network Workplan 2022-2024 (demo)")
    attachment = Attachment(comment=comment, original_name="IOM full comments on the draft workplan.pdf",
                            content_type="application/pdf", size=len(data), sha256=hashlib.sha256(data).hexdigest())
    attachment.file.save("full-comments.pdf", ContentFile(data), save=False)
    attachment.save()
