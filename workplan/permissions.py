"""Who may do what with the workplan. `can_*` answer templates; `check_*` guard every service."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from hub.permissions import check_profile_complete, has_complete_profile, is_confirmed_member
from hub.selectors import profile_for_user
from workplan.models import InterestExpression, WorkingGroup

MANAGE_PERMISSION = "workplan.manage_workplan"


def can_manage_workplan(user) -> bool:
    """The secretariat (permission workplan.manage_workplan) edits the workplan and decides on interest."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(MANAGE_PERMISSION))


def check_manage_workplan(user) -> None:
    """Raise unless the user may manage the workplan."""
    if not can_manage_workplan(user):
        raise PermissionDenied(_("Only the secretariat can manage the workplan."))


def _check_confirmed_member(user) -> None:
    profile = profile_for_user(user)
    if not is_confirmed_member(user):
        raise PermissionDenied(_("Your membership of %(organisation)s must be confirmed before you can act for it.")
                               % {"organisation": profile.organisation.name if profile and profile.organisation_id
                                  else _("your organisation")})


def can_express_interest(user, group: WorkingGroup) -> bool:
    """A confirmed member of their organisation with a complete profile, for a group open to expressions of
    interest."""
    return bool(group.open_for_interest and has_complete_profile(user) and is_confirmed_member(user))


def check_express_interest(user, group: WorkingGroup) -> None:
    """Raise unless the user may express interest in joining the group for their organisation: only a confirmed
    member acts for an organisation."""
    check_profile_complete(user)
    _check_confirmed_member(user)
    if not group.open_for_interest:
        raise PermissionDenied(_("This working group is not taking expressions of interest at the moment."))


def check_withdraw_interest(user, expression: InterestExpression) -> None:
    """Only a confirmed member of the organisation takes back its expression of interest; a person who merely
    names the organisation on their profile cannot."""
    if not (has_complete_profile(user) and is_confirmed_member(user, expression.organisation_id)):
        raise PermissionDenied(_("Only confirmed members of %(organisation)s can withdraw its expression of "
                                 "interest.") % {"organisation": expression.organisation.name})


def can_withdraw_interest(user, expression: InterestExpression) -> bool:
    try:
        check_withdraw_interest(user, expression)
    except PermissionDenied:
        return False
    return True
