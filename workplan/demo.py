"""Demo workplan for `manage.py load_demo`: idempotent, keyed on slugs and (kind, number).

Priorities marked as facts are named in the reference workplan; the others are invented for the demo and
flagged `is_example`, as are the working groups (their names, co-leads and descriptions are not real).
"""
from __future__ import annotations

from django.db import transaction

from hub.models import Organisation
from hub.text import clean_html
from workplan.models import GcmObjective, Priority, WorkingGroup, Workplan

NEW, ONGOING = Priority.Kind.NEW, Priority.Kind.ONGOING

# kind, number, title, GCM objectives, invented?
PRIORITIES = [
    (NEW, 1, "A limited set of indicators to review progress on GCM implementation", [1, 23], False),
    (NEW, 2, "Migrant-inclusive local governance (example)", [16, 23], True),
    (NEW, 3, "Preparing for future health emergencies", [7, 15, 23], False),
    (NEW, 4, "Protecting migrants' data in digital migration systems (example)", [1, 4], True),
    (NEW, 5, "Strengthening migrants' socio-economic integration", [16, 18, 22], False),
    (ONGOING, 1, "Balanced public narratives on migration (example)", [17, 3], True),
    (ONGOING, 2, "Capacity development of Member States and UN country teams for GCM implementation", [23, 1], False),
    (ONGOING, 3, "Alternatives to immigration detention", [13, 7], False),
    (ONGOING, 4, "Bilateral labour migration agreements", [5, 6, 18, 22], False),
    (ONGOING, 5, "Safe, dignified and rights-based return and readmission, and sustainable reintegration", [21, 7], False),
    (ONGOING, 6, "Climate change, the GCM and the Paris Agreement", [2, 5], False),
    (ONGOING, 7, "Missing migrants and humanitarian assistance (example)", [8], True),
    (ONGOING, 8, "Fair and ethical recruitment (example)", [6], True),
    (ONGOING, 9, "Remittances and financial inclusion (example)", [20, 19], True),
    (ONGOING, 10, "Regular pathways for migrants in vulnerable situations", [5, 7], False),
]

# slug, name, kind, priority codes, co-lead acronyms, description
WORKING_GROUPS = [
    ("gcm-review", "Working group on GCM progress review and capacity (example)", WorkingGroup.Kind.WORKING_GROUP,
     ["NP1", "OP2"], ["IOM", "OHCHR"],
     "<p>Develops the limited set of indicators and supports Member States and UN country teams in reviewing "
     "GCM implementation. <em>Invented for the demo.</em></p>"),
    ("rights-detention-return", "Working group on alternatives to detention and return (example)",
     WorkingGroup.Kind.WORKING_GROUP, ["OP3", "OP5", "OP10"], ["OHCHR", "MWSF"],
     "<p>Shares practice on alternatives to immigration detention, rights-based return and reintegration, and "
     "regular pathways for migrants in vulnerable situations. <em>Invented for the demo.</em></p>"),
    ("labour-mobility", "Workstream on labour mobility and integration (example)", WorkingGroup.Kind.WORKSTREAM,
     ["OP4", "NP5", "OP8"], ["GUCW", "IOM"],
     "<p>Bilateral labour migration agreements, fair recruitment and migrants' socio-economic integration. "
     "<em>Invented for the demo.</em></p>"),
    ("climate-health", "Working group on climate, health and mobility (example)", WorkingGroup.Kind.WORKING_GROUP,
     ["OP6", "NP3"], ["IOM", "CMR"],
     "<p>Climate change and human mobility under the GCM and the Paris Agreement, and preparedness for future "
     "health emergencies. <em>Invented for the demo.</em></p>"),
]

SUMMARY = (
    "<p>The Network's workplan for 2022-2024 sets out five new priorities and ten ongoing priorities through "
    "which the Network supports Member States in implementing the Global Compact for Safe, Orderly and Regular "
    "Migration. Priorities marked as examples are invented for this demonstration.</p>"
)


@transaction.atomic
def load(stdout, style) -> Workplan:
    """Create or refresh the demo workplan, its priorities and working groups."""
    workplan, _ = Workplan.objects.update_or_create(slug="network-workplan-2022-2024", defaults={
        "title": "Network Workplan 2022-2024", "period_start": 2022, "period_end": 2024,
        "status": Workplan.Status.FINAL, "summary": clean_html(SUMMARY)})
    objectives = GcmObjective.objects.in_bulk()
    by_code: dict[str, Priority] = {}
    for order, (kind, number, title, gcm, invented) in enumerate(PRIORITIES, start=1):
        priority, _ = Priority.objects.update_or_create(workplan=workplan, kind=kind, number=number, defaults={
            "title": title, "order": order, "active": True, "is_example": invented,
            "description": clean_html(f"<p>{title}.</p>" + ("<p><em>Invented for the demo.</em></p>" if invented else ""))})
        priority.gcm_objectives.set([objectives[n] for n in gcm])
        by_code[priority.code] = priority
    organisations = {org.acronym: org for org in Organisation.objects.exclude(acronym="")}
    for slug, name, kind, codes, co_leads, description in WORKING_GROUPS:
        group, _ = WorkingGroup.objects.update_or_create(workplan=workplan, slug=slug, defaults={
            "name": name, "kind": kind, "description": clean_html(description), "open_for_interest": True})
        group.priorities.set([by_code[code] for code in codes])
        group.co_leads.set([organisations[a] for a in co_leads if a in organisations])
    stdout.write(style.SUCCESS(f"Workplan: {workplan.title} with {len(PRIORITIES)} priorities and "
                               f"{len(WORKING_GROUPS)} working groups."))
    return workplan
