"""The two full-text engines: SQLite's FTS5 (the embedded default) and PostgreSQL's text search.

Each answers one page of results — the hits, their total, a highlighted snippet of the body and of the extra text,
and the title and address of the discussion a hit belongs to — in a single SQL statement.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils.dateparse import parse_datetime

from hub.search import query as query_syntax
from hub.search.normalize import MARK_END, MARK_START

ENTRY_TABLE = "search_searchentry"
FTS_TABLE = "search_fts"
DISCUSSION_KIND = "discussion"
# Words of context around each highlighted match, and how much of a long text a PostgreSQL headline reads.
SNIPPET_WORDS = 24
HEADLINE_CHARS = 800
# At most this many hits are ranked per branch (see _postgres_search); past it the page says "more than" this many.
CANDIDATES = 500


@dataclass
class Filters:
    kinds: list[str]
    discussion_id: int | None = None
    priority_id: int | None = None
    language: str | None = None
    date_from: datetime.datetime | None = None
    date_before: datetime.datetime | None = None  # exclusive


@dataclass
class Row:
    kind: str
    object_id: int
    title: str
    url: str
    date: datetime.datetime | None
    language: str
    total: int
    discussion_title: str | None
    discussion_url: str | None
    body_snippet: str
    extra_snippet: str


def _where(filters: Filters, params: dict) -> str:
    """SQL conditions on the entry `e` for the filters, adding their values to `params`."""
    ops = connection.ops
    kinds = filters.kinds or [""]
    names = []
    for i, kind in enumerate(kinds):
        params[f"kind{i}"] = kind
        names.append(f"%(kind{i})s")
    clauses = [f"e.kind IN ({', '.join(names)})"]
    if filters.discussion_id is not None:
        params["discussion"] = filters.discussion_id
        clauses.append("e.discussion_id = %(discussion)s")
    if filters.priority_id is not None:
        params["priority"] = f"%|{int(filters.priority_id)}|%"
        clauses.append("e.priorities LIKE %(priority)s")
    if filters.language is not None:
        params["language"] = filters.language
        clauses.append("e.language = %(language)s")
    if filters.date_from is not None:
        params["date_from"] = ops.adapt_datetimefield_value(filters.date_from)
        clauses.append("e.date >= %(date_from)s")
    if filters.date_before is not None:
        params["date_before"] = ops.adapt_datetimefield_value(filters.date_before)
        clauses.append("e.date < %(date_before)s")
    return " AND ".join(clauses)


def _aware(value) -> datetime.datetime | None:
    if value is None or isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and settings.USE_TZ and value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value


def search(parsed: query_syntax.ParsedQuery, filters: Filters, *, limit: int, offset: int) -> list[Row]:
    """One page of hits, best first (then newest), each carrying the total number of hits."""
    if not parsed or not filters.kinds:
        return []
    engine = _postgres_search if connection.vendor == "postgresql" else _sqlite_search
    with connection.cursor() as cursor:
        sql, params = engine(parsed, filters, limit=limit, offset=offset)
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [Row(kind, int(object_id), title, url, _aware(date), language, int(total), d_title, d_url,
                body_snippet or "", extra_snippet or "")
            for (kind, object_id, title, url, date, language, total, d_title, d_url, body_snippet,
                 extra_snippet) in rows]


# --- SQLite: an FTS5 table with the entries' text, rowid = the entry's id -------------------------------------

# bm25 weights of the title, body and extra columns (PostgreSQL's A, B and C).
_BM25 = f"bm25({FTS_TABLE}, 10.0, 4.0, 1.0)"


def _sqlite_search(parsed, filters, *, limit, offset):
    match = query_syntax.as_fts5(parsed)
    params = {"match": match, "title_match": f"title : ({match})", "limit": limit, "offset": offset,
              "cap": CANDIDATES, "start": MARK_START, "end": MARK_END, "gap": " … "}
    where = _where(filters, params)
    snippet = "snippet({table}, {column}, %(start)s, %(end)s, %(gap)s, {words})"
    # As on PostgreSQL, a bounded set of candidates is ranked: the first CANDIDATES hits in index order and the
    # first CANDIDATES whose title matches (ranked by that title match: ranking them by the whole query would run it
    # once per candidate). FTS5's ranking and snippet functions cannot sit beside a window function, and a snippet
    # costs: the page's rows are cut afterwards, by running the text query again on those rows alone.
    sql = f"""
        WITH anywhere AS (
            SELECT e.id, {_BM25} AS rank
            FROM {FTS_TABLE} JOIN {ENTRY_TABLE} e ON e.id = {FTS_TABLE}.rowid
            WHERE {FTS_TABLE} MATCH %(match)s AND {where}
            LIMIT %(cap)s
        ),
        title_ranked AS (
            SELECT e.id, {_BM25} AS rank
            FROM {FTS_TABLE} JOIN {ENTRY_TABLE} e ON e.id = {FTS_TABLE}.rowid
            WHERE {FTS_TABLE} MATCH %(title_match)s AND {where}
            LIMIT %(cap)s
        ),
        hits AS (
            SELECT id, min(rank) AS rank FROM (SELECT id, rank FROM anywhere UNION ALL SELECT id, rank FROM title_ranked)
            GROUP BY id
        ),
        page AS (
            SELECT hits.id, hits.rank, e.date FROM hits JOIN {ENTRY_TABLE} e ON e.id = hits.id
            ORDER BY hits.rank, e.date DESC, hits.id DESC LIMIT %(limit)s OFFSET %(offset)s
        )
        SELECT e.kind, e.object_id, e.title, e.url, e.date, e.language, (SELECT count(*) FROM hits),
               d.title, d.url,
               {snippet.format(table=FTS_TABLE, column=1, words=SNIPPET_WORDS)},
               {snippet.format(table=FTS_TABLE, column=2, words=SNIPPET_WORDS)}
        FROM page JOIN {FTS_TABLE} ON {FTS_TABLE}.rowid = page.id JOIN {ENTRY_TABLE} e ON e.id = page.id
        LEFT JOIN {ENTRY_TABLE} d ON d.kind = '{DISCUSSION_KIND}' AND d.object_id = e.discussion_id
        WHERE {FTS_TABLE} MATCH %(match)s
        ORDER BY page.rank, page.date DESC, page.id DESC"""
    return sql, params


def sqlite_sync(kind: str, object_ids: list[int], old_ids: list[int]) -> None:
    """Make the FTS rows of these objects match their entries (`old_ids`: their entries' ids before the write)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for chunk in _chunks(old_ids):
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({', '.join('%s' for _ in chunk)})", chunk)
        for chunk in _chunks(object_ids):
            marks = ", ".join("%s" for _ in chunk)
            # An id can come back after entries were removed outside this module (a test database flush): the FTS
            # row of a new entry is cleared first so that it never keeps someone else's text.
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN (SELECT id FROM {ENTRY_TABLE} "
                           f"WHERE kind = %s AND object_id IN ({marks}))", [kind, *chunk])
            cursor.execute(f"INSERT INTO {FTS_TABLE} (rowid, title, body, extra) SELECT id, title, body, extra "
                           f"FROM {ENTRY_TABLE} WHERE kind = %s AND object_id IN ({marks})", [kind, *chunk])


def sqlite_clear_orphans() -> None:
    """Drop FTS rows whose entry is gone (after a rebuild)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid NOT IN (SELECT id FROM {ENTRY_TABLE})")


def _chunks(values: list[int], size: int = 500):
    for start in range(0, len(values), size):
        yield values[start:start + size]


# --- PostgreSQL: a generated, weighted tsvector column with a GIN index --------------------------------------

# Each entry's vector is made with its language's configuration (search_config(language), see migration 0001).
# The query is parsed with every configuration and the results OR-ed, so a French comment is found from the
# English interface as well as an English one, and Arabic (no stemmer) through 'simple'. Exclusions are OR-ed over
# the configurations too and then negated as a whole: "-inspectors" must exclude a text indexed with 'simple'
# ('inspectors') as well as one indexed with 'english' ('inspector').
QUERY_CONFIGS = ("english", "french", "spanish", "simple")


def _headline_options() -> str:
    return (f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords={SNIPPET_WORDS + 6}, MinWords=12, '
            'MaxFragments=2, FragmentDelimiter=" … "')


def _any_config(name: str) -> str:
    return "(" + " || ".join(f"websearch_to_tsquery('{config}', %({name})s)" for config in QUERY_CONFIGS) + ")"


def _tsquery(parsed: query_syntax.ParsedQuery, params: dict) -> str:
    """SQL for the tsquery of the parsed query, its words passed as parameters (websearch syntax, quoted)."""
    groups = []
    for i, group in enumerate(parsed.groups):
        params[f"pos{i}"] = " ".join(query_syntax.quoted(phrase) for phrase in group.required)
        expression = _any_config(f"pos{i}")
        if group.excluded:
            params[f"neg{i}"] = " or ".join(query_syntax.quoted(phrase) for phrase in group.excluded)
            expression = f"({expression} && !!{_any_config(f'neg{i}')})"
        groups.append(expression)
    return " || ".join(groups)


def _headline_tsquery(parsed: query_syntax.ParsedQuery, params: dict) -> str:
    """Every searched word OR-ed, in every configuration: what a snippet marks. ts_headline looks for the best
    cover of its query, which for an AND of words in four configurations costs tens of milliseconds on a long
    attached text; a flat OR costs a few."""
    words = dict.fromkeys(word for group in parsed.groups for phrase in group.required for word in phrase)
    params["words"] = " or ".join(query_syntax.quoted([word]) for word in words)
    return _any_config("words")


def _window(column: str) -> str:
    """SQL for the part of a text around the first place where one of the searched words appears literally, in
    lower case or capitalised (the start when none does, e.g. when only a stemmed form matches): ts_headline, which
    parses all it is given, then reads a paragraph rather than a whole attached document."""
    return (f"substr({column}, greatest(1, coalesce((SELECT min(p) FROM unnest(%(raw)s::text[]) AS w(word), "
            f"LATERAL strpos({column}, w.word) AS p WHERE p > 0), 1) - %(before)s), %(chars)s)")


def _postgres_search(parsed, filters, *, limit, offset):
    # Ranking reads each hit's whole vector, so ranking every hit of a common word would cost in proportion to the
    # collection. The candidates are bounded instead: up to CANDIDATES entries whose title matches and up to
    # CANDIDATES entries matching anywhere, ranked together. A word found in more entries than that is reported as
    # "more than CANDIDATES results", and the rarer words people usually search for are ranked in full.
    # The text query is written out in each condition rather than taken from the CTE: then the planner sees its
    # words, estimates how many rows match, and reads a common word's first rows in table order instead of
    # collecting every match from the index first.
    params = {"limit": limit, "offset": offset, "options": _headline_options(), "chars": HEADLINE_CHARS,
              "before": HEADLINE_CHARS // 4, "cap": CANDIDATES, "start": MARK_START,
              "raw": sorted({form for word in parsed.words() for form in (word, word.capitalize())})}
    tsquery = _tsquery(parsed, params)
    marked = _headline_tsquery(parsed, params)
    where = _where(filters, params)
    sql = f"""
        WITH q AS (SELECT {tsquery} AS query, {marked} AS words),
        candidates AS (
            (SELECT e.id FROM {ENTRY_TABLE} e WHERE e.title_vector @@ ({tsquery}) AND {where} LIMIT %(cap)s)
            UNION
            (SELECT e.id FROM {ENTRY_TABLE} e WHERE e.vector @@ ({tsquery}) AND {where} LIMIT %(cap)s)
        ),
        hits AS (
            SELECT e.id, ts_rank(e.vector, q.query) AS rank, count(*) OVER () AS total
            FROM candidates JOIN {ENTRY_TABLE} e ON e.id = candidates.id CROSS JOIN q
            ORDER BY rank DESC, e.date DESC NULLS LAST, e.id DESC
            LIMIT %(limit)s OFFSET %(offset)s
        )
        SELECT e.kind, e.object_id, e.title, e.url, e.date, e.language, hits.total, d.title, d.url, body.headline,
               -- The attached text is cut into a snippet only when neither the body nor the title holds a match.
               CASE WHEN strpos(body.headline, %(start)s) > 0 OR e.title_vector @@ q.words THEN ''
                    ELSE ts_headline(search_config(e.language), {_window("e.extra")}, q.words, %(options)s) END
        FROM hits JOIN {ENTRY_TABLE} e ON e.id = hits.id CROSS JOIN q
        CROSS JOIN LATERAL (SELECT ts_headline(search_config(e.language), {_window("e.body")}, q.words,
                                               %(options)s) AS headline) body
        LEFT JOIN {ENTRY_TABLE} d ON d.kind = '{DISCUSSION_KIND}' AND d.object_id = e.discussion_id
        ORDER BY hits.rank DESC, e.date DESC NULLS LAST, e.id DESC"""
    return sql, params
