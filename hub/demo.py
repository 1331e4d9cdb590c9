"""Demo accounts and organisations for `manage.py load_demo`. Idempotent: running it twice changes nothing."""
from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from hub.models import Attribution, Membership, Organisation, Profile, StakeholderGroup
from hub.roles import MODERATORS, SECRETARIAT

DEMO_PASSWORD = "demo-hub-2026"

ORGANISATIONS = [
    # name, acronym, group, country, network member, verified
    ("International Organization for Migration", "IOM", StakeholderGroup.UN_ENTITY, "", True, True),
    ("Office of the High Commissioner for Human Rights", "OHCHR", StakeholderGroup.UN_ENTITY, "", True, True),
    ("Migrant Workers Solidarity Forum (example)", "MWSF", StakeholderGroup.MIGRANT_LED, "Kenya", False, True),
    ("Global Union of Care Workers (example)", "GUCW", StakeholderGroup.TRADE_UNION, "Belgium", False, True),
    ("Centre for Mobility Research (example)", "CMR", StakeholderGroup.ACADEMIA, "Mexico", False, False),
    ("Ministry of Labour of Examplestan (example)", "", StakeholderGroup.MEMBER_STATE, "Examplestan", False, True),
    ("Network Secretariat", "SEC", StakeholderGroup.UN_ENTITY, "", True, True),
]

# email, name, organisation acronym or name, job title, attribution, role group, staff, superuser
ACCOUNTS = [
    ("amina@demo.hub.localhost", "Amina Odhiambo-Wanjiru", "MWSF", "Policy coordinator", Attribution.PERSON, None, False, False),
    ("richard@demo.hub.localhost", "Richard Francis Ellington-Moreau", "IOM", "Senior migration policy officer", Attribution.PERSON, None, False, False),
    ("union@demo.hub.localhost", "Lotte Vermeulen", "GUCW", "Migration desk", Attribution.ORGANISATION, None, False, False),
    ("moderator@demo.hub.localhost", "Sofia Marquez", "SEC", "Consultation moderator", Attribution.PERSON, MODERATORS, False, False),
    ("secretariat@demo.hub.localhost", "Jonas Lindqvist", "SEC", "Programme officer", Attribution.PERSON, SECRETARIAT, True, False),
    ("admin@demo.hub.localhost", "Site Administrator", "SEC", "Administrator", Attribution.PERSON, None, True, True),
]


@transaction.atomic
def load(stdout, style) -> list[tuple[str, str]]:
    """Create or refresh the demo organisations and accounts; return (e-mail, role) pairs."""
    by_key: dict[str, Organisation] = {}
    for name, acronym, group, country, member, verified in ORGANISATIONS:
        org, _ = Organisation.objects.update_or_create(
            name=name, defaults={"acronym": acronym, "stakeholder_group": group, "country": country,
                                 "network_member": member, "verified": verified},
        )
        by_key[acronym or name] = org
    User = get_user_model()
    created = []
    for email, name, org_key, job, attribution, group, staff, superuser in ACCOUNTS:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(username=email.split("@")[0], email=email, password=DEMO_PASSWORD)
        user.is_staff = staff
        user.is_superuser = superuser
        user.save(update_fields=["is_staff", "is_superuser"])
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        # Demo members are confirmed members of their organisation (real claims start as requests).
        profile = Profile.objects.filter(user=user).first()
        already = profile is not None and profile.organisation_id == by_key[org_key].pk and profile.membership_confirmed
        Profile.objects.update_or_create(user=user, defaults={
            "display_name": name, "organisation": by_key[org_key], "job_title": job, "attribution": attribution,
            "membership": Membership.CONFIRMED, "membership_reason": "",
            **({} if already else {"membership_requested_at": timezone.now(), "membership_decided_at": timezone.now()}),
        })
        if group:
            user.groups.add(Group.objects.get(name=group))
        role = group or ("admin" if superuser else "stakeholder")
        created.append((email, role))
    return created
