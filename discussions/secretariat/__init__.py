"""The secretariat's side of discussions: feedback exports, the per-priority synthesis and the response table."""
