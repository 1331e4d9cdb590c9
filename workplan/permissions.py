"""Who may do what with the workplan. `can_*` answer templates; `check_*` guard every service."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from hub.permissions import check_profile_complete, has_complete_profile
from workplan.models import WorkingGroup

MANAGE_PERMISSION = "workplan.manage_workplan"


def can_manage_workplan(user) -> bool:
    """The secretariat (permission workplan.manage_workplan) edits the workplan and decides on interest."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(MANAGE_PERMISSION))


def check_manage_workplan(user) -> None:
    """Raise unless the user may manage the workplan."""
    if not can_manage_workplan(user):
        raise PermissionDenied(_("Only the secretariat can manage the workplan."))


def can_express_interest(user, group: WorkingGroup) -> bool:
    """A signed-in stakeholder with a complete profile, for a group open to expressions of interest."""
    return bool(group.open_for_interest and has_complete_profile(user))


def check_express_interest(user, group: WorkingGroup) -> None:
    """Raise unless the user may express interest in joining the group for their organisation."""
    check_profile_complete(user)
    if not group.open_for_interest:
        raise PermissionDenied(_("This working group is not taking expressions of interest at the moment."))
