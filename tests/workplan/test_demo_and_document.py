from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from hub import demo as hub_demo
from workplan import demo
from workplan.models import Priority, WorkingGroup, Workplan
from workplan.validators import validate_workplan_document

pytestmark = pytest.mark.django_db


def _style():
    from django.core.management.color import no_style

    return no_style()


def test_the_demo_workplan_loads_twice_without_change():
    hub_demo.load(io.StringIO(), _style())
    demo.load(io.StringIO(), _style())
    demo.load(io.StringIO(), _style())
    workplan = Workplan.objects.get()
    assert workplan.title == "Network Workplan 2022-2024" and workplan.period == "2022-2024"
    assert sorted(p.code for p in workplan.priorities.all()) == sorted(
        [f"NP{i}" for i in range(1, 6)] + [f"OP{i}" for i in range(1, 11)])
    invented = {p.code for p in Priority.objects.filter(is_example=True)}
    assert invented == {"NP2", "NP4", "OP1", "OP7", "OP8", "OP9"}
    assert all(p.gcm_objectives.exists() for p in Priority.objects.all())
    assert WorkingGroup.objects.count() == 4
    for group in WorkingGroup.objects.all():
        assert group.co_leads.count() == 2 and group.priorities.exists()
    assert Priority.objects.get(kind="ongoing", number=3).title == "Alternatives to immigration detention"


@pytest.mark.parametrize("name, content, ok", [
    ("plan.pdf", b"%PDF-1.7 ...", True),
    ("plan.docx", b"PK\x03\x04rest", True),
    ("plan.PDF", b"%PDF-1.4", True),
    ("plan.exe", b"MZ....", False),
    ("plan.pdf", b"<html>not a pdf", False),
    ("plan.docx", b"%PDF-1.7", False),
    ("plan.doc", b"\xd0\xcf\x11\xe0", False),
])
def test_the_workplan_document_must_be_a_real_pdf_or_docx(name, content, ok):
    upload = SimpleUploadedFile(name, content)
    if ok:
        validate_workplan_document(upload)
    else:
        with pytest.raises(ValidationError):
            validate_workplan_document(upload)
