#!/usr/bin/env python
"""Benchmark: run the attachment check on zip bombs and malformed archives, and measure the memory it takes.

Builds each hostile shape in memory (small on disk; by default they unpack to 1 GiB), saves it under
bench/out/hostile/ so that later runs reuse it, then checks it with `discussions.uploads.check_file` in a fresh
Python process per shape, and prints for each: the file's size, the verdict (accepted, or refused and the message)
and how far the check raised the process's peak resident memory: `resource.getrusage(RUSAGE_SELF).ru_maxrss`
read just before and just after the check, in a process that has already loaded Django and read the file, and
the peak of Python's own allocations during the check (tracemalloc). A shape PASSes when both are under 20 MB.

It also runs the check as it was before (discussions/uploads.py at --old-rev, default the commit this work started
from) on the .odt "mimetype" bombs, to show what they cost there. With --old-all, on every shape.

    .venv/bin/python bench/hostile_uploads.py [--size-mb 1024] [--old-rev 188972b] [--old-all | --no-old]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "hostile"
LIMIT_MB = 20
MB = 1 << 20


def shapes(size: int):
    """(label, file name, builder) for each shape; `size` is what the bombs unpack to."""
    from tests import zipbombs as zb

    return [
        ("baseline: a 10 MB PDF", "paper.pdf", lambda: b"%PDF-1.4\n" + bytes(10 * MB - 9)),
        ("valid .odt (stored mimetype first)", "paper.odt", lambda: zb.odt()),
        ("valid .odt, data descriptors", "paper.odt", lambda: zb.odt(data_descriptor=True)),
        ("valid .docx", "paper.docx", lambda: zb.docx_many_members(20)),
        (".odt mimetype deflate bomb", "bomb.odt", lambda: zb.odt_mimetype_bomb(size, zb.DEFLATED)),
        (".odt mimetype bzip2 bomb", "bomb.odt", lambda: zb.odt_mimetype_bomb(size, zb.BZIP2)),
        (".odt mimetype lzma bomb", "bomb.odt", lambda: zb.odt_mimetype_bomb(size, zb.LZMA)),
        (".odt stored mimetype declared huge", "bomb.odt", lambda: zb.odt_mimetype_declared_huge(size)),
        (".docx document.xml deflate bomb", "bomb.docx", lambda: zb.docx_document_bomb(size, zb.DEFLATED)),
        (".docx document.xml bzip2 bomb", "bomb.docx", lambda: zb.docx_document_bomb(size, zb.BZIP2)),
        (".docx 10,001 members", "many.docx", lambda: zb.docx_many_members(10_001)),
        (".docx 150,000 directory entries", "many.docx", lambda: zb.docx_directory_only_members(150_000)),
        (".docx 9,000 entries with 1 KB extras", "fat.docx", lambda: zb.docx_fat_directory(9_000, 1_024)),
        (".docx 9,000 entries with 160 B extras", "fat.docx", lambda: zb.docx_fat_directory(9_000, 160)),
        (".docx directory says 13 B, header 1 GiB", "bomb.docx", lambda: zb.docx_directory_understates(size)),
        (".docx directory says 1 GiB, header 13 B", "bomb.docx", lambda: zb.docx_directory_overstates(size)),
        (".docx overlapping members (quine-ish)", "bomb.docx", lambda: zb.docx_overlapping(1000, MB)),
        (".docx holding a nested zip bomb", "nested.docx", lambda: zb.docx_with_nested_bomb(size)),
    ]


def build_all(size: int) -> list[tuple[str, str, Path]]:
    sys.path.insert(0, str(ROOT))
    OUT.mkdir(parents=True, exist_ok=True)
    built = []
    for label, name, builder in shapes(size):
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        path = OUT / f"{slug}-{size // MB}MB-{name}"
        if not path.exists():
            started = time.monotonic()
            path.write_bytes(builder())
            print(f"  built {label}: {path.stat().st_size:,} B in {time.monotonic() - started:.1f} s", flush=True)
        built.append((label, name, path))
    return built


def measure(path: str, name: str, old_source: str | None) -> dict:
    """In this (fresh) process: check the file and report the verdict and the growth of peak memory."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "hub.settings"
    os.environ.pop("DJANGO_DEBUG", None)
    import gc

    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    if old_source:
        import types

        module = types.ModuleType("old_uploads")
        module.__file__ = old_source
        sys.modules[module.__name__] = module  # dataclasses look their module up
        exec(compile(Path(old_source).read_text(), old_source, "exec"), module.__dict__)
        check_file = module.check_file
    else:
        from discussions.uploads import check_file
    upload = SimpleUploadedFile(name, Path(path).read_bytes())
    gc.collect()
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    resident_kb = int(Path("/proc/self/statm").read_text().split()[1]) * page_kb
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.monotonic()
    try:
        checked = check_file(upload)
        verdict, message = "accepted", checked.content_type
    except ValidationError as exc:
        verdict, message = "refused", " ".join(exc.messages)
    except MemoryError:
        verdict, message = "crashed", "MemoryError"
    seconds = time.monotonic() - started
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Growth of the peak hides up to (peak - resident) before the check; tracemalloc's peak does not.
    return {"verdict": verdict, "message": message, "growth_kb": after - before, "seconds": seconds,
            "traced_kb": traced_peak // 1024, "slack_kb": before - resident_kb}


def run_child(path: Path, name: str, old_source: Path | None) -> dict:
    command = [sys.executable, __file__, "--measure", str(path), "--name", name]
    if old_source:
        command += ["--old-source", str(old_source)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if result.returncode != 0:
        return {"verdict": "crashed", "message": (result.stderr.strip().splitlines() or ["?"])[-1],
                "growth_kb": None, "traced_kb": None, "slack_kb": None, "seconds": 0.0}
    return json.loads(result.stdout.strip().splitlines()[-1])


def report(label: str, path: Path, result: dict) -> bool:
    growth, traced = result["growth_kb"], result["traced_kb"]
    ok = growth is not None and growth < LIMIT_MB * 1024 and traced < LIMIT_MB * 1024

    def mb(kb):
        return "       ?" if kb is None else f"{kb / 1024:8.1f}"

    print(f"{label:42} {path.stat().st_size:>11,} B {mb(growth)} {mb(traced)} {mb(result['slack_kb'])} "
          f"{result['seconds']:7.2f} s  {'PASS' if ok else 'FAIL'}  {result['verdict']}: {result['message'][:150]}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="what the bombs unpack to, in MiB (default 1024)")
    parser.add_argument("--old-rev", default="188972b", help="git revision of the check before this work")
    parser.add_argument("--old-all", action="store_true", help="run the old check on every shape")
    parser.add_argument("--no-old", action="store_true", help="do not run the old check")
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--name", help=argparse.SUPPRESS)
    parser.add_argument("--old-source", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.name, args.old_source)))
        return 0
    if args.build:
        build_all(args.size_mb * MB)
        return 0

    # Built in a process of its own: a child inherits its parent's peak resident size, which would hide growth.
    print(f"Building shapes (unpacking to {args.size_mb} MiB) in {OUT.relative_to(ROOT)}/ ...", flush=True)
    subprocess.run([sys.executable, __file__, "--build", "--size-mb", str(args.size_mb)], check=True, cwd=ROOT)
    built = build_all(args.size_mb * MB)  # already built: only lists them
    print(f"\nMemory taken by check_file, in MB, in a fresh process per shape: 'rss+' is the growth of the peak "
          f"resident size (ru_maxrss after - before), 'traced' the peak of Python allocations during the check "
          f"(tracemalloc), 'slack' how far the peak already exceeded the resident size before the check (growth "
          f"up to that much does not show in rss+); 'time' is with tracemalloc running, which slows allocation "
          f"several-fold. PASS: rss+ and traced both under {LIMIT_MB} MB.\n")
    print(f"{'shape':42} {'file size':>13} {'rss+':>8} {'traced':>8} {'slack':>8} {'time':>9}        verdict")
    failed = 0
    for label, name, path in built:
        failed += not report(label, path, run_child(path, name, None))

    if not args.no_old:
        old_source = OUT / f"uploads-{args.old_rev}.py"
        source = subprocess.run(["git", "show", f"{args.old_rev}:discussions/uploads.py"], cwd=ROOT,
                                capture_output=True, text=True)
        if source.returncode != 0:
            print(f"\n(old check not measured: {source.stderr.strip()})")
        else:
            old_source.write_text(source.stdout)
            print(f"\nThe same check before this work (discussions/uploads.py at {args.old_rev}):\n")
            for label, name, path in built:
                if args.old_all or "mimetype" in label and "bomb" in label:
                    report(label, path, run_child(path, name, old_source))
    print(f"\n{failed} shape(s) over {LIMIT_MB} MB with the current check.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
