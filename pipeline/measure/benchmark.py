"""Speed: per-document CPU time beside bare trafilatura, and whole ``newsclean run`` benchmarks.

``bench_documents`` cleans pages in this one process, interleaved page by page with bare
trafilatura (or, for text dumps, alone), timing CPU (``time.process_time``) and keeping
each side's fastest round, with the Cleaner's own per-step counts and times.

``benchmark_runs`` times whole runs: each measurement is a fresh ``newsclean run``
subprocess on a fresh output folder, so start-up, scheduling, the batch index and
publishing are all in the figure. Larger inputs are the same files copied under new
names: every copy is cleaned in full (duplicates are only marked after cleaning), so the
work per page is that of the original pages, while the batch index holds N times as many
documents, which is what the memory figure tests.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable, Sequence

from pipeline.config import Config, load_config

_SAMPLE_SECONDS = 0.2
# A fixed pure-Python workload: how much faster two run side by side than one after the
# other tells what the CPUs can give two workers (shared cores, host contention).
_SPIN = "x = 0\nfor i in range(20_000_000):\n    x += i * i % 7\n"


HTML, TEXT = "html", "text"
OURS, TRAFILATURA = "newsclean", "trafilatura"
TEXT_SUFFIXES = (".txt", ".txt.gz")


def bench_documents(inputs: Sequence[str | Path], config: Config, *, kind: str = HTML, rounds: int = 3) -> dict:
    """Pages per CPU-second of the whole per-document path, beside bare trafilatura for HTML.

    The pages are read into memory first. Ours decodes and cleans each page with the
    Cleaner (metadata, language and all, as a run does); trafilatura runs
    ``bare_extraction(page, with_metadata=True)`` on the same bytes. Both run in this
    process, page by page in turn (the side that goes first alternates by round), so a
    busy machine slows both alike; each side is warmed up on the first page, untimed,
    after the pipeline's own ``warm_up``. Each side keeps its fastest round; ``steps``
    are the Cleaner's per-step calls and CPU seconds in our fastest round.
    """
    from trafilatura import bare_extraction

    from pipeline.batch.clean import warm_up
    from pipeline.cleaner import Cleaner, StepStats
    from pipeline.measure.evaluation import HTML_SUFFIXES, files_ending, read_page

    if rounds < 1:
        raise ValueError("rounds must be at least 1")
    if kind not in (HTML, TEXT):
        raise ValueError(f"kind must be {HTML!r} or {TEXT!r}, not {kind!r}")
    paths = files_ending(inputs, HTML_SUFFIXES if kind == HTML else TEXT_SUFFIXES)
    if not paths:
        raise ValueError(f"no {kind} pages in {', '.join(map(str, inputs))}")
    pages = [(path.name, read_page(path)) for path in paths]
    cleaner = Cleaner.from_config(config)
    warm_up(cleaner)
    sides: dict[str, Callable[[str, bytes], object]] = {OURS: _our_side(cleaner, kind)}
    if kind == HTML:
        sides[TRAFILATURA] = lambda name, data: bare_extraction(data, with_metadata=True)
    for run in sides.values():  # lazily loaded tables and compiled rules are not page throughput
        run(*pages[0])
    best: dict[str, float] = {}
    steps = StepStats()
    for number in range(rounds):
        stats = StepStats()
        sides[OURS] = _our_side(replace(cleaner, stats=stats), kind)
        order = list(sides) if number % 2 == 0 else list(reversed(sides))
        seconds = dict.fromkeys(order, 0.0)
        for name, data in pages:
            for side in order:
                started = time.process_time()
                sides[side](name, data)
                seconds[side] += time.process_time() - started
        for side, spent in seconds.items():
            if side not in best or spent < best[side]:
                best[side] = spent
                if side == OURS:
                    steps = stats
    return _bench_report(kind, len(pages), rounds, best, steps)


def _our_side(cleaner, kind: str) -> Callable[[str, bytes], object]:
    from pipeline.inputs.decoding import decode_bytes
    from pipeline.document import RawInput

    def run(name: str, data: bytes) -> object:
        return cleaner.clean(RawInput(source=name, content=decode_bytes(data, kind=kind).text, kind=kind))
    return run


def _bench_report(kind: str, pages: int, rounds: int, best: dict[str, float], steps) -> dict:
    sides = {side: {"cpu_seconds": round(spent, 3), "ms_per_page": round(1000 * spent / pages, 2),
                    "pages_per_cpu_second": round(pages / spent, 2) if spent else None}
             for side, spent in best.items()}
    total = sum(steps.seconds.values())
    by_step = {name: {"calls": steps.calls[name], "ms_per_page": round(1000 * steps.seconds[name] / pages, 2),
                      "share": round(steps.seconds[name] / total, 3) if total else None}
               for name in steps.calls}
    report = {"kind": kind, "pages": pages, "rounds": rounds, "sides": sides, "steps": by_step}
    if TRAFILATURA in best:
        ours, theirs = sides[OURS]["pages_per_cpu_second"], sides[TRAFILATURA]["pages_per_cpu_second"]
        report["ratio"] = round(ours / theirs, 3) if ours and theirs else None
    return report


def format_bench(report: dict) -> str:
    """The sides' pages per CPU-second, the ratio, then where our time goes, step by step."""
    lines = [f"{report['pages']} {report['kind']} pages, CPU time, fastest of {report['rounds']} rounds"]
    for side, figures in report["sides"].items():
        lines.append(f"{side:>12}: {figures['pages_per_cpu_second']:>8.2f} pages/CPU-s "
                     f"{figures['ms_per_page']:>8.2f} ms/page")
    if "ratio" in report:
        lines.append(f"{'ratio':>12}: {report['ratio']:.3f}x bare trafilatura")
    lines.append(f"{'step':>14} {'calls':>6} {'ms/page':>8} {'share':>6}")
    for name, figures in report["steps"].items():
        lines.append(f"{name:>14} {figures['calls']:>6} {figures['ms_per_page']:>8.2f} "
                     f"{100 * (figures['share'] or 0):>5.1f}%")
    return "\n".join(lines)


def scale_inputs(inputs: Sequence[str], copies: int, dest: Path) -> list[str]:
    """Copy each input folder or file ``copies`` times into ``dest``; return the new input paths.

    Copy k of "a/b.html" is "a/b~k.html" (k >= 2; copy 1 keeps its name): file names stay
    distinct, extensions and folder layout (which names a page's site) stay as they were.
    """
    scaled = []
    for n, given in enumerate(inputs):
        source = Path(given)
        target = dest / f"{n}-{source.name}"
        files = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source]
        for path in files:
            relative = path.relative_to(source) if source.is_dir() else Path(path.name)
            for k in range(1, copies + 1):
                name = relative.name if k == 1 else _copy_name(relative.name, k)
                out = target / relative.parent / name if source.is_dir() else target / name
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, out)
        scaled.append(str(target if source.is_dir() else target / source.name))
    return scaled


def _copy_name(name: str, k: int) -> str:
    stem, dot, ext = name.partition(".")
    return f"{stem}~{k}{dot}{ext}"


def _pss_kb(pid: int) -> int:
    """Proportional set size of one process in kB (shared pages split among sharers); 0 if gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def _sample_tree_pss(root: int, stop: threading.Event, peak: list[int]) -> None:
    while not stop.wait(_SAMPLE_SECONDS):
        peak[0] = max(peak[0], sum(_pss_kb(pid) for pid in _descendants(root)))


def measure_run(inputs: Sequence[str], output: Path, workers: int, shard_size: int = 0,
                config_path: str | None = None) -> dict:
    """Time one ``newsclean run`` subprocess; return pages, seconds, pages/s and peak memory.

    ``max_rss_mb`` is the largest resident set of any one process of the run (exact, from
    wait4's rusage of the run's process tree); ``tree_pss_mb`` is the largest sum of
    proportional set sizes over the whole tree, sampled every 0.2 s (shared pages counted
    once), so it can miss a short peak. ``cpu_seconds`` (user + system, whole tree) and
    the load average before the run tell whether other work shared the CPUs.
    """
    command = [sys.executable, "-m", "pipeline.cli", "run", *inputs, "--output", str(output),
               "--workers", str(workers), "--no-progress", "--shard-size", str(shard_size)]
    if config_path:
        command += ["--config", config_path]
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stop, peak = threading.Event(), [0]
    sampler = threading.Thread(target=_sample_tree_pss, args=(process.pid, stop, peak), daemon=True)
    sampler.start()
    # wait4, not wait: its rusage covers this run's process tree alone
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode("utf-8", "replace")
    process.stderr.close()
    if process.returncode != 0:
        raise RuntimeError(f"newsclean run failed ({process.returncode}): {errors[-2000:]}")
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    pages = manifest["inputs"]["documents"]
    return {"workers": workers, "pages": pages, "shards": manifest["shards"], "seconds": round(seconds, 2),
            "pages_per_second": round(pages / seconds, 2), "max_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "tree_pss_mb": round(peak[0] / 1024, 1), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
            "load_before": round(load_before, 2)}


def parallel_ceiling(copies: int = 2) -> float:
    """Speed-up of ``copies`` CPU-bound processes side by side over one after the other."""
    def timed(n: int) -> float:
        started = time.perf_counter()
        spinners = [subprocess.Popen([sys.executable, "-c", _SPIN]) for _ in range(n)]
        for spinner in spinners:
            spinner.wait()
        return time.perf_counter() - started

    return round(copies * timed(1) / timed(copies), 2)


def benchmark_runs(inputs: Sequence[str], workers: Sequence[int] = (1, 2), scales: Sequence[int] = (1, 4),
                   shard_size: int = 0, config_path: str | None = None, keep: str | None = None,
                   repeat: int = 1) -> dict:
    """Measure every (scale, workers) pair; return the runs and the ratios that matter.

    With ``repeat`` > 1 each pair runs that many times and the fastest run is kept (the
    usual answer to a machine shared with other work); peak memory is the largest seen.
    ``speedup`` is pages/s with the most workers over pages/s with the fewest, per scale;
    ``memory_growth`` is peak memory at the largest scale over the smallest, per worker count;
    ``parallel_ceiling`` is what the CPUs gave a pure-Python workload run twice side by side.
    """
    base = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="newsclean-bench-"))
    runs = []
    try:
        ceiling = parallel_ceiling(max(workers))
        for scale in scales:
            scaled = scale_inputs(inputs, scale, base / f"input-x{scale}")
            for count in workers:
                tries = []
                for attempt in range(repeat):
                    output = base / f"output-x{scale}-w{count}-{attempt}"
                    tries.append(measure_run(scaled, output, count, shard_size, config_path))
                    if not keep:
                        shutil.rmtree(output, ignore_errors=True)
                best = min(tries, key=lambda r: r["seconds"])
                runs.append({"scale": scale, **best, "max_rss_mb": max(r["max_rss_mb"] for r in tries),
                             "tree_pss_mb": max(r["tree_pss_mb"] for r in tries), "repeats": repeat})
    finally:
        if not keep:
            shutil.rmtree(base, ignore_errors=True)
    return {"cpus": os.cpu_count(), "parallel_ceiling": ceiling, "runs": runs, **_ratios(runs, workers, scales)}


def _ratios(runs: list[dict], workers: Sequence[int], scales: Sequence[int]) -> dict:
    by = {(r["scale"], r["workers"]): r for r in runs}
    low, high = min(workers), max(workers)
    small, large = min(scales), max(scales)
    speedup = {f"x{s}": round(by[s, high]["pages_per_second"] / by[s, low]["pages_per_second"], 2)
               for s in scales} if high != low else {}
    growth = {f"w{w}": {"max_rss": round(by[large, w]["max_rss_mb"] / by[small, w]["max_rss_mb"], 2),
                        "tree_pss": round(by[large, w]["tree_pss_mb"] / max(by[small, w]["tree_pss_mb"], 0.1), 2)}
              for w in workers} if large != small else {}
    return {"speedup": speedup, "memory_growth": growth}


def format_report(report: dict) -> str:
    """A small table of the runs, then the ratios."""
    lines = [f"{'scale':>5} {'workers':>7} {'pages':>6} {'shards':>6} {'seconds':>8} {'pages/s':>8} "
             f"{'max RSS MB':>10} {'tree PSS MB':>11} {'CPU s':>7} {'load':>5}"]
    for r in report["runs"]:
        lines.append(f"{'x' + str(r['scale']):>5} {r['workers']:>7} {r['pages']:>6} {r['shards']:>6} "
                     f"{r['seconds']:>8.2f} {r['pages_per_second']:>8.2f} {r['max_rss_mb']:>10.1f} "
                     f"{r['tree_pss_mb']:>11.1f} {r['cpu_seconds']:>7.1f} {r['load_before']:>5.2f}")
    for scale, ratio in report["speedup"].items():
        lines.append(f"speed-up at {scale}: {ratio:.2f}x ({report['cpus']} CPUs; two CPU-bound processes side "
                     f"by side ran {report['parallel_ceiling']:.2f}x as fast as one after the other)")
    for count, growth in report["memory_growth"].items():
        lines.append(f"peak memory, largest over smallest input, {count}: max RSS {growth['max_rss']:.2f}x, "
                     f"tree PSS {growth['tree_pss']:.2f}x")
    return "\n".join(lines)


# ------------------------------------------------------------------ synthetic index

def synthetic_shard(path: Path, start: int, count: int, rules, sites: int, seed: int) -> None:
    """A clean shard of ``count`` synthetic records (ids ``start``...) with made-up fingerprints and signatures.

    Each record has 20 fingerprints of its own and the 3 of its site's chrome, a distinct
    text hash and a random MinHash signature; every 10th record is a near copy of the
    record 7 before it (its signature with 10% of the values changed). Nothing is cleaned:
    it measures IndexBatch and FinaliseShard alone.
    """
    import random

    import numpy as np

    from pipeline.batch.records import RecordRow, as_json
    from pipeline.batch.writing import dumps
    from pipeline.document import Document

    rng = np.random.default_rng(seed + start)
    chooser = random.Random(seed + start)
    with open(path, "w", encoding="utf-8") as out:
        recent: list[np.ndarray] = []
        for n in range(start, start + count):
            site = f"site{n % sites}.example"
            if n % 10 == 9 and len(recent) >= 7:
                values = recent[-7].copy()
                changed = rng.choice(rules.num_perm, rules.num_perm // 10, replace=False)
                values[changed] = rng.integers(0, 2**32, len(changed), dtype=np.uint32)
            else:
                values = rng.integers(0, 2**32, rules.num_perm, dtype=np.uint32)
            recent = (recent + [values])[-8:]
            own = [f"{chooser.getrandbits(64):016x}" for _ in range(20)]
            chrome = [hashlib.blake2b(f"{site} {k}".encode(), digest_size=8).hexdigest() for k in range(3)]
            record = Document(f"{n:016x}", f"{site}/{n}.html", url=f"https://{site}/{n}").as_record()
            row = RecordRow.from_fields({**record, "text": f"Story {n}."}, paragraphs=[f"Story {n}."],
                                        fingerprints=sorted(own + chrome), text_hash=f"{n:032x}",
                                        minhash=base64.b64encode(values.astype("<u4").tobytes()).decode("ascii"))
            out.write(dumps(as_json(row)) + "\n")


def _index_child(shards: list[str], config_path: str | None, work: str, partitions: int, queue) -> None:
    """IndexBatch over ``shards`` in this (child) process, then FinaliseShard of each: CPU seconds and peak RSS."""
    import resource

    from pipeline.batch.finalise import finalise_shard
    from pipeline.batch.index import build_batch_index, fresh_scratch
    from pipeline.dedup.site_repeated import SiteStats

    config = load_config(config_path)
    slices = Path(work, "slices")
    slices.mkdir(parents=True, exist_ok=True)

    def open_shards():
        for path in shards:
            with open(path, encoding="utf-8") as handle:
                yield Path(path).stem, handle

    def write_slice(shard_id: str, part: dict) -> None:
        Path(slices, f"{shard_id}.json").write_text(json.dumps(part, sort_keys=True), encoding="utf-8")

    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # what the child had before the index
    started = time.process_time()
    with open(Path(work, "stats.json"), "w", encoding="utf-8") as stats_out:
        summary = build_batch_index(open_shards, SiteStats(), config, fresh_scratch(Path(work, "scratch")),
                                    write_slice, stats_out, partitions)
    index_seconds = time.process_time() - started
    index_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.process_time()
    for path in shards:
        part = json.loads(Path(slices, f"{Path(path).stem}.json").read_text(encoding="utf-8"))
        with open(path, encoding="utf-8") as shard, open(os.devnull, "w") as records, open(os.devnull, "w") as rejects:
            finalise_shard(shard, part, config, records, rejects)
    queue.put({**summary, "index_cpu_s": index_seconds, "index_max_rss_kb": index_rss, "base_rss_kb": base_rss,
               "finalise_cpu_s": time.process_time() - started})


def benchmark_synthetic_index(documents: int, scales: Sequence[int] = (1, 4, 16), *, shard_records: int = 2000,
                              sites: int = 500, config_path: str | None = None, partitions: int = 0,
                              keep: str | None = None) -> dict:
    """IndexBatch and FinaliseShard over ``documents`` x each scale synthetic records, each scale in a fresh child.

    ``partitions`` 0 takes the configuration's ``[run] index_partition_bytes``, as a run does.
    """
    import multiprocessing

    from pipeline.batch.index import index_partitions

    config = load_config(config_path)
    base = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="newsclean-synthetic-"))
    runs = []
    try:
        for scale in scales:
            total = documents * scale
            folder = base / f"x{scale}"
            folder.mkdir(parents=True, exist_ok=True)
            shards = []
            for number, start in enumerate(range(0, total, shard_records)):
                path = folder / f"shard{number:05d}.jsonl"
                synthetic_shard(path, start, min(shard_records, total - start), config.rules.dedup, sites, seed=1)
                shards.append(str(path))
            clean_bytes = sum(Path(p).stat().st_size for p in shards)
            parts = partitions or index_partitions(clean_bytes, config.settings.run.index_partition_bytes)
            queue = multiprocessing.get_context("fork").Queue()
            child = multiprocessing.get_context("fork").Process(
                target=_index_child, args=(shards, config_path, str(folder / "work"), parts, queue))
            child.start()
            result = queue.get()
            child.join()
            runs.append({"scale": scale, "documents": total, "shards": len(shards), "clean_mb": clean_bytes / 2**20,
                         **result})
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        if not keep:
            shutil.rmtree(base, ignore_errors=True)
    return {"synthetic": runs}


def format_synthetic(report: dict) -> str:
    """The synthetic-index table: per document, IndexBatch's CPU time and memory and FinaliseShard's CPU time."""
    lines = [f"{'scale':>5} {'documents':>10} {'shards':>6} {'parts':>5} {'dups':>7} {'index ms/doc':>12} "
             f"{'index RSS MB':>12} {'growth B/doc':>12} {'final ms/doc':>12}"]
    for run in report["synthetic"]:
        n = run["documents"]
        lines.append(f"{'x' + str(run['scale']):>5} {n:>10} {run['shards']:>6} {run['partitions']:>5} "
                     f"{run['duplicates']:>7} {1000 * run['index_cpu_s'] / n:>12.3f} "
                     f"{run['index_max_rss_kb'] / 1024:>12.1f} {1024 * (run['index_max_rss_kb'] - run['base_rss_kb']) / n:>12.0f} "
                     f"{1000 * run['finalise_cpu_s'] / n:>12.3f}")
    lines.append("index RSS: peak of the child process (its start, the forked command, included); growth: "
                 "peak less that start, per document")
    return "\n".join(lines)
