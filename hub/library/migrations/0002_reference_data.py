"""Reference data: the languages resources come in, and a first set of review criteria the secretariat can edit."""
from django.db import migrations

LANGUAGES = [
    ("en", "English"), ("fr", "French"), ("es", "Spanish"), ("ar", "Arabic"), ("zh", "Chinese"),
    ("ru", "Russian"), ("pt", "Portuguese"), ("de", "German"),
]

INTRO = (
    "<p>Resources in the library are peer reviewed by experts from the peer review roster before they are "
    "published. Two reviewers score each submission against the criteria below; the secretariat then decides to "
    "publish it, to ask for a revision, or not to accept it, and tells the submitter why.</p>"
    "<p>Comprehensive and global resources are shown before regional and national ones.</p>"
)

CRITERIA = [
    ("Relevance", "Relevant to migration governance and to one or more objectives of the Global Compact for Safe, "
                  "Orderly and Regular Migration."),
    ("Evidence and rigour", "Based on sound evidence or a clear method; sources are cited; claims are supported."),
    ("Rights-based approach", "Consistent with human rights, gender-responsive and child-sensitive, and respectful "
                              "of migrants whatever their status."),
    ("Usefulness", "Of practical use to governments and stakeholders; lessons can be applied elsewhere."),
    ("Clarity and accessibility", "Clearly written and presented, current, and freely accessible or with its access "
                                  "conditions stated."),
]


def load(apps, schema_editor):
    Language = apps.get_model("library", "Language")
    Criterion = apps.get_model("library", "Criterion")
    CriteriaPage = apps.get_model("library", "CriteriaPage")
    for order, (code, name) in enumerate(LANGUAGES, start=1):
        Language.objects.update_or_create(code=code, defaults={"name": name, "order": order})
    if not Criterion.objects.exists():
        for order, (name, description) in enumerate(CRITERIA, start=1):
            Criterion.objects.create(name=name, description=description, order=order, active=True)
    if not CriteriaPage.objects.exists():
        CriteriaPage.objects.create(intro=INTRO)


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
