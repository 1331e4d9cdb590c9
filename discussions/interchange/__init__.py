"""Import and export of a whole consultation in the interchange format (`discussions/data/consultation.schema.json`).

A bundle is a .zip, or a folder, with `consultation.json` at its root and the attachment files at the paths the
comments name. An import checks everything before it writes anything: the schema's rules (by a small validator of
our own for this schema's shape), the references between records (ids, parents, questions, priority codes) and the
attachment files (present, sha256 and size as stated). It then writes in one transaction, so an invalid bundle
leaves no row and no stored file behind. Every error names the first problem by its place in the file, e.g.
`comments[3].parent: 'c9' is not an earlier comment id`.

Matching on re-import: workplan and discussion by slug, priorities by kind and number, working groups by slug,
questions and comments by their id in the file (kept as `source_id`), so importing the same file twice updates.
Updating a discussion that already exists here, and making existing accounts its moderators, are never done
silently: the first needs `update_existing`, the second `grant_moderators` (the command's --update-existing and
--grant-moderators), and `plan_import` (the command's --check) lists both before anything is written.

Attachments pass the same checks as an upload (discussions/uploads.py: the name cleaned, the type read from the
bytes and matching the name, the site's size limit). A comment whose HTML cleans to nothing visible is kept with a
note saying its content could not be shown (listed in the report), unless `strict` asks to refuse the bundle.

What the models cannot hold (moderators named in the file without an account here, the organisation of the person
who posted a question) is kept in the import's audit entry, which the export reads back. Authors' e-mails are kept
only by linking the comment to the account with that e-mail. The export writes e-mail addresses only when asked
(`include_emails`, the export command's --include-emails): by default a bundle carries none.

The workplan with its priorities and working groups, and the organisations that co-lead them, are written by their
apps' services (`workplan.services.workplan_import`, `hub.services.organisation_get_or_create`), which audit them.

The package: `bundle` reads a .zip or folder within its limits, `validate` checks a parsed file section by section,
`importer` plans and writes an import, `exporter` writes a bundle; `errors` holds InterchangeError. Code outside the
package imports from here.
"""
from discussions.interchange.bundle import (
    MANIFEST,
    MAX_ATTACHMENT_BYTES,
    MAX_BUNDLE_BYTES,
    MAX_MANIFEST_BYTES,
    MAX_NESTING,
    MAX_ZIP_ENTRIES,
    Bundle,
    FolderBundle,
    ZipBundle,
    open_bundle,
    read_manifest,
)
from discussions.interchange.errors import InterchangeError
from discussions.interchange.exporter import (
    FORMAT,
    VERSION,
    consultation_to_dict,
    export_consultation_bundle,
    safe_filename,
)
from discussions.interchange.importer import (
    IMPORT_ACTION,
    ImportPlan,
    ImportReport,
    check_consultation_bundle,
    import_consultation_bundle,
    plan_import,
    unshowable_note,
)
from discussions.interchange.validate import (
    SCHEMA_PATH,
    Validated,
    has_visible_content,
    load_schema,
    parse_datetime,
    validate_consultation,
)

__all__ = [
    "FORMAT", "IMPORT_ACTION", "MANIFEST", "MAX_ATTACHMENT_BYTES", "MAX_BUNDLE_BYTES", "MAX_MANIFEST_BYTES",
    "MAX_NESTING", "MAX_ZIP_ENTRIES", "SCHEMA_PATH", "VERSION", "Bundle", "FolderBundle", "ImportPlan", "ImportReport",
    "InterchangeError", "Validated", "ZipBundle", "check_consultation_bundle", "consultation_to_dict",
    "export_consultation_bundle", "has_visible_content", "import_consultation_bundle", "load_schema", "open_bundle",
    "parse_datetime", "plan_import", "read_manifest", "safe_filename", "unshowable_note", "validate_consultation",
]
