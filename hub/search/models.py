"""The search index (derived data: `rebuild_search_index` makes it again from the apps' own tables) and the text
extracted from attached files."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    """One searchable object, as its provider described it. Only public objects have an entry.

    The full-text part lives beside this table and is made by migration 0001 for each database: on PostgreSQL a
    generated, weighted ``vector`` column (title A, body B, extra C; text search configuration by ``language``) with
    a GIN index; on SQLite an FTS5 table ``search_fts`` whose rowid is this table's id, kept in step by
    ``hub.search.backends`` (every write to this table goes through ``hub.search.indexing``).
    """

    kind = models.CharField(max_length=32)
    object_id = models.BigIntegerField()
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    extra = models.TextField(blank=True)
    language = models.CharField(max_length=8, blank=True)
    url = models.CharField(max_length=500)
    date = models.DateTimeField(null=True, blank=True)
    discussion_id = models.BigIntegerField(null=True, blank=True)
    # "|3|17|": the priorities the object is about, filtered with LIKE '%|3|%' on rows the text query already chose.
    priorities = models.CharField(max_length=500, blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique_object")]
        indexes = [models.Index(fields=["discussion_id"], name="search_entry_discussion_idx")]
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")

    def __str__(self) -> str:
        return f"{self.kind} #{self.object_id}: {self.title}"


class ExtractedText(models.Model):
    """The text of an attached file, found by the file's SHA-256 so that each file is read once, however often
    the object it hangs on is reindexed. A failed extraction is kept too (ok=False), with its reason."""

    sha256 = models.CharField(max_length=64, unique=True)
    text = models.TextField(blank=True)
    ok = models.BooleanField(default=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("extracted text")
        verbose_name_plural = _("extracted texts")

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({len(self.text)} characters)"
