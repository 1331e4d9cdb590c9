#!/usr/bin/env python
"""Benchmark: the comment pipeline on hostile bodies, every shape up to the raw-input cap, in under 200 ms.

Runs what a preview or a post runs on the body, in one process, without a database: `body_to_html` (the raw cap,
cleaning, linking of bare URLs and e-mail addresses, the plain text and the length check), the priority
suggestion of the preview (`mentioned_priorities` on the text) and the rendering of the body with its priority
mentions linked (`rendering.body_html`), against a workplan of 15 priorities (5 new, 10 ongoing). Each shape is
built at several sizes up to the raw cap (`discussions.services.MAX_RAW_CHARS`) and sent both as editor HTML and as
plain text (the form without the editor); a refusal (too long, empty) is a result too, and is timed the same way.

    .venv/bin/python bench/hostile_text.py [--runs 3] [--sizes 16000,64000,cap] [--shapes long-word,dotted]
        [--limit-ms 200]

It prints one line per shape, size and format: the outcome, the min and the median time of the runs, and PASS or
FAIL of the median against the limit, and exits with status 1 if anything failed. A run that takes over 5 s is not repeated.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def configure(tmp: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.db'}"  # never touched: nothing here queries
    os.environ["DJANGO_SETTINGS_MODULE"] = "hub.settings"
    os.environ.pop("DJANGO_DEBUG", None)
    sys.path.insert(0, str(ROOT))


def _fill(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def _realistic(size: int) -> str:
    paragraph = ("<p>We support <strong>New Priority 3</strong> and OP 7, see https://example.org/report?id=12&amp;x=1 "
                 "or write to secretariat@example.org. The <em>GCM Obj. 15, PD 51</em> matters (www.iom.int).</p>"
                 "<ul><li>first point on priority 2</li><li>second, with <a href=\"https://example.org/a\">a link"
                 "</a></li></ul><blockquote><p>quoted text</p></blockquote>")
    return _fill(paragraph, size)


def _formatting_bomb(size: int) -> str:
    """Distinct unclosed formatting elements that an HTML parser re-opens in every later paragraph."""
    head = "<p>" + "".join(f"<b title={i}>" for i in range(size // 30)) + "</p>"
    return head + _fill("<p>x</p>", max(size - len(head), 0))


SHAPES = {
    "long-word": lambda n: _fill("a", n),
    "dotted": lambda n: _fill("a.", n),
    "at-dotted": lambda n: _fill("a@a.", n),
    "http-repeat": lambda n: _fill("http://", n),
    "www-repeat": lambda n: _fill("www.", n),
    "dotted-2k-words": lambda n: _fill("a." * 1000 + " ", n),
    "at-dotted-2k-words": lambda n: _fill("a@a." * 500 + " ", n),
    "brackets-2k-words": lambda n: _fill("(" * 1000 + ")" * 1000 + " ", n),
    "url-long-path": lambda n: "https://example.org/" + _fill("a/", n - 20),
    "many-domains": lambda n: _fill("a.co ", n),
    "many-emails": lambda n: _fill("a@b.co ", n),
    "np-mentions": lambda n: _fill("np1 ", n),
    "label-mentions": lambda n: _fill("New Priority 1 ", n),
    "priority-spaces": lambda n: "priority" + _fill(" ", n - 9) + "x",
    "deep-blockquote": lambda n: _fill("<blockquote>", n),
    "deep-list": lambda n: _fill("<ul><li>", n),
    "open-tags": lambda n: _fill("<b>", n),
    "line-breaks": lambda n: _fill("<br>", n),
    "paragraphs": lambda n: _fill("<p>", n),
    "tiny-tags": lambda n: _fill("<b>x</b>", n),
    "empty-tags": lambda n: _fill("<i></i>", n),
    "format-bomb": _formatting_bomb,
    "unclosed-quotes": lambda n: _fill("<a '\"", n),
    "open-brackets": lambda n: _fill("<a", n),
    "comments": lambda n: _fill("<!--", n),
    "amp-line": lambda n: _fill("&amp;", n),
    "unicode": lambda n: _fill("é中😀\u200b ", n),
    "unicode-word": lambda n: _fill("中", n),
    "lines": lambda n: _fill("a\n", n),
    "realistic": _realistic,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="16000,64000,cap")
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--formats", default="html,text")
    parser.add_argument("--limit-ms", type=float, default=200.0)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    configure(tmp)
    import django

    django.setup()
    from django.core.exceptions import ValidationError

    from discussions import rendering, services
    from discussions.models import Comment, Discussion
    from workplan.mentions import PriorityIndex, mentioned_priorities
    from workplan.models import Priority, Workplan

    workplan = Workplan(pk=1, slug="bench-workplan", title="Bench")
    priorities = [Priority(pk=i, workplan=workplan, kind=kind, number=number, title=f"{kind} {number}")
                  for i, (kind, number) in enumerate([("new", n) for n in range(1, 6)]
                                                     + [("ongoing", n) for n in range(1, 11)], start=1)]
    index = PriorityIndex(priorities)
    workplan._priority_index = index
    discussion = Discussion(pk=1, slug="bench", workplan=workplan)

    def pipeline(body: str, body_format: str) -> str:
        try:
            html, text = services.body_to_html(body, body_format=body_format)
        except ValidationError as exc:
            message = " ".join(exc.message_dict.get("body", []))
            return "refused: " + ("too long" if "long" in message or "characters" in message else message[:20])
        mentioned_priorities(text, index)
        rendered = rendering.body_html(Comment(body=html), discussion)
        return f"ok {len(html):,}->{len(rendered):,}"

    cap = getattr(services, "MAX_RAW_CHARS")
    sizes = [cap if s == "cap" else int(s) for s in args.sizes.split(",")]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"raw cap {cap:,} characters; limit {args.limit_ms:.0f} ms; runs {args.runs}; "
          f"load average {load:.1f} on {os.cpu_count()} CPUs (the minimum is the least disturbed by other work)")
    print(f"{'shape':<16} {'format':<5} {'size':>8}  {'outcome':<28} {'min ms':>9} {'median ms':>10}  result")
    failed = 0
    for name in args.shapes.split(","):
        for size in sizes:
            body = SHAPES[name](size)
            for body_format in args.formats.split(","):
                times = []
                outcome = ""
                for _ in range(args.runs):
                    start = time.perf_counter()
                    outcome = pipeline(body, body_format)
                    times.append((time.perf_counter() - start) * 1000)
                    if times[-1] > 5000:
                        break
                ok = statistics.median(times) < args.limit_ms
                failed += not ok
                print(f"{name:<16} {body_format:<5} {len(body):>8,}  {outcome:<28} {min(times):>9.1f} "
                      f"{statistics.median(times):>10.1f}  {'PASS' if ok else 'FAIL'}", flush=True)
    print(f"{failed} failed" if failed else "all passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
