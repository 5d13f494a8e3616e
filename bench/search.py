"""Benchmark search and filters on a generated log (see bench/gen_logs.py).

    python bench/gen_logs.py --size 1G --sessions 2000 --out bench/data/1g
    python bench/search.py bench/data/1g/app.log [--repeat 3]

Prints, in one run:

* ``search_index`` for a string that appears on exactly one line, against
  ``grep -c`` of the same string on the same file (grep run twice, the best time
  kept), and the ratio (goal: at most 1.5x). The string is a whole line from the
  middle of the log without its session prefix; grep's count proves it is unique.
  The same for its lower-case form (a case-insensitive query) against ``grep -ci``,
  and a regular expression against ``grep -cE``; then two frequent strings.
* On 100,000 consecutive lines of the log (a ``ListLines``): the time to build the
  facets, each level-filter toggle (first and cached), a logger filter, a search
  with ``search_lines``, and reading a page of a ``FilteredLines``.

The log is never modified. The page cache is warmed by one read first so that grep
and the search read the same cached file.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from session_explorer.core.applog.index import LogIndex
from session_explorer.core.query import compile_query
from session_explorer.core.reading.filters import FilteredLines, LevelStep, LineFacets, LoggerFilter
from session_explorer.core.reading.search import search_index, search_lines
from session_explorer.core.reading.sources import ListLines

SESSION_LINES = 100_000


def best(fn, repeat: int):
    """(best seconds, last result) of ``repeat`` calls."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def grep_count(args: list[str], path: Path, repeat: int = 2) -> tuple[float, int]:
    def run() -> int:
        done = subprocess.run(["grep", *args, str(path)], capture_output=True, check=False)
        return int(done.stdout.strip() or 0)
    return best(run, repeat)


def unique_line(path: Path) -> str:
    """A line from the middle of the log (without ``[session] - ``) that grep finds once."""
    size = path.stat().st_size
    with path.open("rb") as f:
        for fraction in (0.61, 0.37, 0.83, 0.52):
            f.seek(int(size * fraction))
            f.readline()
            for _ in range(50):
                line = f.readline().rstrip(b"\r\n")
                text = line.split(b"] - ", 1)[-1].decode("utf-8", "replace")
                if len(text) > 40 and text.isascii() and grep_count(["-cF", text], path, 1)[1] == 1:
                    return text
    raise SystemExit("no unique line found")


def warm(path: Path) -> float:
    t0 = time.perf_counter()
    with path.open("rb") as f:
        while f.read(16 << 20):
            pass
    return time.perf_counter() - t0


def compare(index: LogIndex, path: Path, label: str, query: str, grep_args: list[str],
            repeat: int) -> None:
    q = compile_query(query)
    t_search, found = best(lambda: search_index(index, q), repeat)
    t_grep, grep_n = grep_count(grep_args, path)
    ratio = t_search / t_grep if t_grep else float("nan")
    verdict = "ok" if ratio <= 1.5 else "OVER 1.5x"
    print(f"  {label:<22} search_index {t_search * 1000:8.0f} ms ({len(found)} lines)   "
          f"grep {' '.join(grep_args[:-1])} {t_grep * 1000:6.0f} ms ({grep_n} lines)   "
          f"ratio {ratio:4.2f}x  {verdict}")


def plain_regex(text: str) -> str:
    """``text`` as a regular expression both Python and ``grep -E`` read alike."""
    return re.sub(r"[^A-Za-z0-9 ,:_-]", ".", text)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def filters_bench(index: LogIndex, repeat: int) -> None:
    start = max(index.line_count // 2 - SESSION_LINES // 2, 0)
    t0 = time.perf_counter()
    source = ListLines(index.read_lines(start, start + SESSION_LINES))
    print(f"\n{len(source):,} lines (read in {ms(time.perf_counter() - t0).strip()}):")
    t_build, facets = best(lambda: LineFacets.build(source), 1)
    print(f"  LineFacets.build                {ms(t_build)}   "
          f"({len(facets.logger_summary())} loggers, ranks {facets.rank_counts})")
    for step in LevelStep:
        facets._step_cache.clear()
        t_first, lines = best(lambda step=step: facets.select(step), 1)
        t_cached, _ = best(lambda step=step: facets.select(step), repeat)
        print(f"  level {step.label:<22}  first {ms(t_first)}  cached {ms(t_cached)}  "
              f"-> {len(lines):,} lines")
    top = facets.logger_summary()[0][0]
    for label, flt in (("logger (one name)", LoggerFilter.only([top])),
                       ("logger prefix cycling_ai.tools", LoggerFilter.under("cycling_ai.tools")),
                       ("hide httpx", LoggerFilter(frozenset({"httpx"}), exclude=True))):
        for step in (LevelStep.ALL, LevelStep.WARNING):
            facets._mask_cache = None
            t_first, lines = best(lambda step=step, flt=flt: facets.select(step, flt), 1)
            t_again, _ = best(lambda step=step, flt=flt: facets.select(step, flt), repeat)
            print(f"  {label:<31} + {step.label:<19} first {ms(t_first)}  again {ms(t_again)}  "
                  f"-> {len(lines):,} lines")
    view = FilteredLines(source, facets.select(LevelStep.WARNING))
    t_page, _page = best(lambda: view.read(len(view) // 2, len(view) // 2 + 60), repeat)
    print(f"  FilteredLines page of 60        {ms(t_page)}")
    for query in ("timeout", "Rate limited", r"re:attempt [7-9]\)"):
        t_s, hits = best(lambda query=query: search_lines(source, query), repeat)
        print(f"  search_lines {query!r:<22} {ms(t_s)}  -> {len(hits):,} lines")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("log", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timing (best kept)")
    args = parser.parse_args(argv)
    path: Path = args.log
    print(f"{path}: {path.stat().st_size / 2**20:,.0f} MiB; page cache warmed in {warm(path):.2f} s")
    with LogIndex([path], "app", follow=False) as index:
        t0 = time.perf_counter()
        index.build()
        print(f"indexed {index.line_count:,} lines in {time.perf_counter() - t0:.1f} s")
        text = unique_line(path)
        print(f"\nunique string: {text!r}")
        compare(index, path, "exact (smart case)", text, ["-cF", text], args.repeat)
        lower = text.lower()
        compare(index, path, "lower case (ignore)", lower, ["-ciF", lower], args.repeat)
        rx = plain_regex(text[:24]) + ".*" + plain_regex(text[-12:])
        compare(index, path, "regex", "re:" + rx, ["-cE", rx], args.repeat)
        print("\nfor scale, frequent strings (every match costs a little Python):")
        compare(index, path, "'Rate limited'", "Rate limited", ["-cF", "Rate limited"], 1)
        compare(index, path, "'retrying in'", "retrying in", ["-ciF", "retrying in"], 1)
        filters_bench(index, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
