"""Photo ingest speed and memory: our pipeline against a naive Pillow one, on 12-megapixel phone JPEGs.

    python benchmarks/evidence.py [--photos 40] [--rounds 3] [--json]

Made-up 4000×3000 JPEGs with EXIF time, GPS, camera (every fourth one turned, orientation 6) are written to
a temporary folder. "Ours" is `ingest_photos` on a fresh data folder: per file SHA-256 and a copy into the
blob store with fsync, EXIF read, draft-mode decode, orientation, 320-pixel thumbnail, a database row.
"Naive" does the same job the obvious way: read the bytes, SHA-256, copy, EXIF, full decode,
`exif_transpose`, thumbnail, JPEG-encode it (no fsync, no database: its times are flattering).
Peak memory is the resident set's high-water mark of a fresh child process per batch size, above what the
process held just before the batch: on Linux VmHWM, reset after the set-up through /proc/self/clear_refs; on
other POSIX systems `ru_maxrss`, which then includes the set-up (`resource` is POSIX only, as elsewhere).

Goals from the issue: ingest ≥ 4× faster than the naive pipeline, peak memory flat as the batch grows.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import io
import json
import os
import re
import resource  # POSIX only: benchmarks run on the Linux CI machines
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from inspector.demo.seed import seed_demo
from inspector.evidence.images import read_facts, thumbnail_jpeg
from inspector.evidence.samples import write_sample_photo
from inspector.evidence.service import PREPARE_WORKERS, derived_images, ingest_photos
from inspector.inspections.service import start_inspection
from inspector.registry.service import active_inspectors, search_enterprises
from inspector.store.blobs import BlobStore
from inspector.store.db import Store, open_store

GOAL_SPEEDUP = 4.0
CAMERAS = [("HUAWEI", "ELS-AN00"), ("Xiaomi", "M2102K1C"), ("OPPO", "PEEM00"), ("Apple", "iPhone 13")]


def _proc_status_mb(field: str) -> float | None:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    found = re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) / 1024 if found else None


def rss_mb() -> float:
    """The resident set now (Linux), else the high-water mark so far."""
    now = _proc_status_mb("VmRSS")
    return now if now is not None else peak_rss_mb()


def peak_rss_mb() -> float:
    """The resident set's high-water mark: VmHWM on Linux (reset by `reset_peak_rss`), else ru_maxrss."""
    hwm = _proc_status_mb("VmHWM")
    if hwm is not None:
        return hwm
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


def reset_peak_rss() -> None:
    """Linux: start the high-water mark again from the current size, so set-up does not hide the batch.

    ru_maxrss cannot be reset and on Linux even carries the parent's peak across fork and exec."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _make_photo(folder: Path, i: int) -> int:
    path = write_sample_photo(
        folder / f"IMG_20261128_{i:04d}.jpg",
        taken_at=datetime(2026, 11, 28, 9, 30) + timedelta(minutes=3 * i, seconds=7 * i),
        gps=(35.4861 + i * 0.0001, 112.4156 + i * 0.0001),
        camera=CAMERAS[i % len(CAMERAS)],
        orientation=6 if i % 4 == 3 else 1,
        label=f"现场照片 {i}",
        seed=i,
    )
    return path.stat().st_size


def make_photos(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(_make_photo, [folder] * n, range(n)))
    return sorted(folder.glob("*.jpg"))


def new_inspection(store: Store) -> str:
    with store.session() as session:
        enterprise = search_enterprises(session)[0].id
        people = [i.id for i in active_inspectors(session)][:2]
        return start_inspection(session, enterprise_id=enterprise, inspector_ids=people).id


def run_ours(store: Store, photos: list[Path]) -> float:
    inspection_id = new_inspection(store)
    started = time.perf_counter()
    report = ingest_photos(store, inspection_id, photos)
    elapsed = time.perf_counter() - started
    if len(report.added) != len(photos):
        raise SystemExit(f"ingest added {len(report.added)} of {len(photos)} photos: {report.rejected}")
    return elapsed


def naive_one(path: Path, copies: Path) -> bytes:
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    (copies / f"{sha}.jpg").write_bytes(data)  # keeps the original, as ours does (but without fsync)
    with Image.open(path) as image:
        exif = image.getexif()
        _facts = (exif.get(0x010F), exif.get(0x0110), exif.get_ifd(0x8769).get(0x9003), exif.get_ifd(0x8825))
        image.load()  # all 12 million pixels
        upright = ImageOps.exif_transpose(image)
    upright.thumbnail((320, 320))
    out = io.BytesIO()
    upright.convert("RGB").save(out, "JPEG", quality=82)
    return out.getvalue()


def run_naive(photos: list[Path], copies: Path) -> float:
    copies.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for path in photos:
        naive_one(path, copies)
    return time.perf_counter() - started


def breakdown(store: Store, photos: list[Path], scratch: Path) -> dict[str, float]:
    """ms per photo of each step ingest takes, done again on the same files (blobs into a scratch store)."""
    blobs = BlobStore(scratch / "blobs")
    derived = derived_images(store)
    steps = {"EXIF read": 0.0, "decode + thumbnail": 0.0, "SHA-256 + copy + fsync": 0.0, "save thumbnail": 0.0}
    for path in photos:
        t0 = time.perf_counter()
        with path.open("rb") as fh:
            read_facts(fh, name=path.name)
        t1 = time.perf_counter()
        with path.open("rb") as fh:
            thumb = thumbnail_jpeg(fh, name=path.name)
        t2 = time.perf_counter()
        sha = blobs.put_file(path)
        t3 = time.perf_counter()
        derived.save_thumbnail(sha, thumb)
        t4 = time.perf_counter()
        for key, took in zip(steps, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            steps[key] += took
    return {key: total * 1000 / len(photos) for key, total in steps.items()}


def child(mode: str, data_dir: Path, photos: list[Path]) -> None:
    """In a fresh process: one batch, then the resident high-water mark above what it held before."""
    store = open_store(data_dir) if mode == "ours" else None
    inspection_id = new_inspection(store) if store is not None else ""
    copies = data_dir / "naive-copies"
    copies.mkdir()
    gc.collect()
    reset_peak_rss()
    before = rss_mb()
    if store is not None:
        ingest_photos(store, inspection_id, photos)
    else:
        for path in photos:
            naive_one(path, copies)
    after = peak_rss_mb()
    if store is not None:
        store.close()
    print(json.dumps({"before_mb": before, "peak_mb": after, "growth_mb": after - before}))


def measure_memory(mode: str, data_dir: Path, photos: list[Path]) -> dict[str, float]:
    argv = [sys.executable, __file__, "--child", mode, "--data-dir", str(data_dir), *map(str, photos)]
    done = subprocess.run(argv, check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def batch_sizes(n: int) -> list[int]:
    return sorted({max(1, n // 4), max(1, n // 2), n})


def pipeline_figures(times: list[float], n: int) -> dict[str, Any]:
    best = min(times)
    return {
        "seconds_per_round": times,
        "seconds": best,
        "photos_per_s": n / best,
        "ms_per_photo": best * 1000 / n,
        "median_ms_per_photo": statistics.median(times) * 1000 / n,
    }


def report(figures: dict[str, Any]) -> None:
    ours, naive = figures["ours"], figures["naive"]
    print(
        f"{figures['photos']} photos of {figures['megapixels']:.0f} MP, average {figures['avg_file_mb']:.2f} MB "
        f"(generated in {figures['generate_s']:.0f} s); best of {figures['rounds']} alternating rounds:"
    )
    print(f"  {'pipeline':<8} {'batch s':>8} {'photos/s':>9} {'ms/photo':>9} {'median ms/photo':>16}")
    for name, row in (("ours", ours), ("naive", naive)):
        print(
            f"  {name:<8} {row['seconds']:8.2f} {row['photos_per_s']:9.1f} {row['ms_per_photo']:9.1f} "
            f"{row['median_ms_per_photo']:16.1f}"
        )
    print(f"speed-up ours/naive: {figures['speedup']:.2f}× (on medians {figures['median_speedup']:.2f}×)")
    print("ours, ms per photo by step (the same calls timed one by one, best of the rounds):")
    for step, ms in figures["ours_steps_ms"].items():
        print(f"  {step:<28} {ms:6.1f}")
    steps_total = sum(figures["ours_steps_ms"].values())
    print(f"  {'sum of the steps':<28} {steps_total:6.1f}  (one photo at a time)")
    print(
        f"  ours prepares {PREPARE_WORKERS} photos at once, so its {figures['ours_ms']:.1f} ms/photo is below "
        "the sum of its steps"
    )
    print("peak resident memory of a fresh process per batch: MB above its size before the batch (peak in all)")
    print(f"  {'batch':>5} {'ours':>14} {'naive':>14}")
    for size in figures["batches"]:
        o, v = figures["memory"]["ours"][str(size)], figures["memory"]["naive"][str(size)]
        print(f"  {size:5d} {o['growth_mb']:6.0f} ({o['peak_mb']:4.0f}) {v['growth_mb']:6.0f} ({v['peak_mb']:4.0f})")
    spread = figures["ours_memory_spread_mb"]
    print(f"ours' peak growth, largest batch minus smallest: {spread:+.0f} MB")
    verdict = "MET" if figures["goal_met"] else "NOT MET"
    print(f"goal ingest ≥ {GOAL_SPEEDUP:.0f}× faster than naive: {verdict} ({figures['speedup']:.2f}×)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of both pipelines; best counts")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--child", choices=["ours", "naive"], help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("files", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.data_dir, args.files)
        return
    if args.photos < 1 or args.rounds < 1:
        parser.error("--photos and --rounds must be at least 1")
    say = (lambda *_: None) if args.json else lambda text: print(text, file=sys.stderr, flush=True)
    folder = Path(tempfile.mkdtemp(prefix="inspector-bench-evidence-"))
    try:
        say(f"making {args.photos} photos in {folder} …")
        started = time.perf_counter()
        photos = make_photos(folder / "phone", args.photos)
        generate_s = time.perf_counter() - started
        sizes = [p.stat().st_size for p in photos]
        for path in photos:  # both pipelines read from the page cache, as after a copy from the phone
            path.read_bytes()

        template = folder / "seeded"  # the demo data folder, copied fresh for every run: every photo is new to it
        store = open_store(template)
        try:
            seed_demo(store)
        finally:
            store.close()

        def fresh_data(name: str) -> Path:
            return Path(shutil.copytree(template, folder / name))

        naive_times, ours_times, step_runs = [], [], []
        for r in range(args.rounds):  # alternating, so that a busy moment of the machine hits both
            say(f"round {r + 1}/{args.rounds}: naive pipeline, ingest_photos, its steps one by one …")
            naive_times.append(run_naive(photos, folder / f"round-{r}-naive"))
            store = open_store(fresh_data(f"round-{r}"))
            try:
                ours_times.append(run_ours(store, photos))
                step_runs.append(breakdown(store, photos, folder / f"round-{r}-steps"))
            finally:
                store.close()
            shutil.rmtree(folder / f"round-{r}")
            shutil.rmtree(folder / f"round-{r}-steps")
            shutil.rmtree(folder / f"round-{r}-naive")

        batches = batch_sizes(len(photos))
        memory: dict[str, dict[str, dict[str, float]]] = {"ours": {}, "naive": {}}
        for size in batches:
            for mode in ("ours", "naive"):
                say(f"memory: {mode}, batch of {size} in a fresh process …")
                data = fresh_data(f"memory-{mode}-{size}")
                memory[mode][str(size)] = measure_memory(mode, data, photos[:size])
                shutil.rmtree(data)

        n = len(photos)
        ours, naive = pipeline_figures(ours_times, n), pipeline_figures(naive_times, n)
        steps = {step: min(run[step] for run in step_runs) for step in step_runs[0]}
        growth = [memory["ours"][str(s)]["growth_mb"] for s in batches]
        figures: dict[str, Any] = {
            "photos": n,
            "megapixels": 4000 * 3000 / 1e6,
            "avg_file_mb": sum(sizes) / n / 1e6,
            "generate_s": generate_s,
            "rounds": args.rounds,
            "ours": ours,
            "naive": naive,
            "speedup": naive["seconds"] / ours["seconds"],
            "median_speedup": naive["median_ms_per_photo"] / ours["median_ms_per_photo"],
            "ours_steps_ms": steps,
            "ours_ms": ours["ms_per_photo"],
            "batches": batches,
            "memory": memory,
            "ours_memory_spread_mb": growth[-1] - growth[0],
            "goal_speedup": GOAL_SPEEDUP,
            "goal_met": naive["seconds"] / ours["seconds"] >= GOAL_SPEEDUP,
        }
        if args.json:
            print(json.dumps(figures, indent=2, ensure_ascii=False))
        else:
            report(figures)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
