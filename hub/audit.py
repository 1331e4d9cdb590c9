"""Writing to the append-only audit log. Services call `audit_log` inside their transaction."""
from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from hub import pagecache
from hub.models import AuditEntry


def audit_log(
    *, actor, action: str, target: models.Model | None = None, before: dict | None = None,
    after: dict | None = None, reason: str = "",
) -> AuditEntry:
    """Record one action; the actor's name is copied so the entry survives account deletion. Every write of a
    service passes here, so this is where the page cache (and the reads kept with it) learns that something
    changed. Every action counts, even those no visitor sees (following, exports): the signed-in reads kept under
    the same generation (hub.pagecache.cached_reads) include what only the actor sees."""
    pagecache.invalidate()
    actor_name = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        profile = getattr(actor, "profile", None)
        actor_name = (profile.display_name if profile else "") or actor.get_username()
    return AuditEntry.objects.create(
        actor=actor if actor_name else None,
        actor_name=actor_name or "system",
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        before=_jsonable(before or {}),
        after=_jsonable(after or {}),
        reason=reason,
    )


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    def convert(value):
        if isinstance(value, (str, int, float, bool)) or value is None:
            return value
        if isinstance(value, dict):
            return {str(k): convert(v) for k, v in value.items()}
        if isinstance(value, (list, tuple, set)):
            return [convert(v) for v in value]
        return str(value)

    return convert(data)
