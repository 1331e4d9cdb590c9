"""Stored HTML reaches pages through the `sanitized` filter, even if something saved it without cleaning."""
from django.template import Context, Template


def test_the_sanitized_filter_strips_script_and_keeps_allowed_markup():
    html = Template("{% load hub_tags %}{{ value|sanitized }}").render(Context({
        "value": '<p onclick="x()">Kept <strong>bold</strong></p><script>alert(1)</script><a href="javascript:x">l</a>'}))
    assert "<strong>bold</strong>" in html and "<p>Kept" in html
    assert "script" not in html and "onclick" not in html and "javascript" not in html


def test_a_workplan_summary_saved_without_cleaning_is_still_cleaned_on_the_page(client, db):
    from workplan.models import Workplan

    workplan = Workplan.objects.create(title="Raw", slug="raw", period_start=2025, period_end=2027,
                                       summary='<p>Summary</p><img src=x onerror="alert(1)">')
    html = client.get(workplan.get_absolute_url()).content.decode()
    assert "<p>Summary</p>" in html
    assert "onerror" not in html
