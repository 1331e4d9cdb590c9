"""One search over everything the site publishes.

`hub.search` (app label ``search``) keeps an index table of what each app offers to search; the apps register a
provider (see ``registry``) in their ``AppConfig.ready()``, so ``hub`` imports nothing from them. SQLite searches
with FTS5, PostgreSQL with weighted tsvectors and a GIN index (see ``backends``).
"""
