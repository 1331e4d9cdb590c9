"""Signals other apps listen to (workplan never imports them)."""
from django.dispatch import Signal

# Sent after a commit that changed what a priority mention links to or shows (a priority's code, title or
# activity, a workplan's slug), with `workplan_id`. discussions remakes the stored display copies of comments.
priorities_changed = Signal()
