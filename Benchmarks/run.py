#!/usr/bin/env python3
"""mediaform benchmarks: builds in release, runs every measurement, and rewrites Benchmarks/RESULTS.md and
Benchmarks/plan-time.svg.

    Benchmarks/run.py [--sizes 10000,100000] [--million] [--apply-assets 10000] [--skip-apply]

Measurements (docs/design.md §8, issue "Benchmarks"):
- plan with nothing changed, at each size: wall time and peak memory of `mediaform plan`, the phases
  (manifest load, state read, planning, rendering, from mediaform-bench), and libyaml's raw event scan of the
  same files as the floor;
- validate of the examples;
- apply of N new assets against an emulator process limited to 20 requests/s: uploads per second against the
  ceiling of 20 x 20 = 400/s; again with 5 % errors and 5 % throttling;
- journal bytes per batch at two sizes (the journal must not grow per batch with N);
- plan --refresh of N managed media against an emulator process limited to 20 requests/s: media read per second
  against the ceiling of 20 x 20 = 400/s, over the whole process as a user sees it (`--only-refresh` runs this
  alone and writes Benchmarks/RESULTS-refresh.md).
- `--targets`: the six targets of issue 18 side by side with the same diff done by a PyYAML + hashlib script
  (Benchmarks/pyyaml_plan.py, same files, same run), written to Benchmarks/RESULTS-targets.md (`--million` adds
  target 5; `--skip-apply` leaves out target 6).
Work files go to Benchmarks/output/ (git-ignored).
"""
import argparse
import gzip
import json
import os
import pathlib
import platform
import re
import shutil
import signal
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Benchmarks" / "output"
BIN = ROOT / ".build" / "release" / "mediaform"
BENCH = ROOT / ".build" / "release" / "mediaform-bench"
# Fault injection (MEDIAFORM_FAULT) is compiled into debug builds only: the journal measurement crashes one.
DEBUG_BIN = ROOT / ".build" / "debug" / "mediaform"


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)


def timed(cmd, env=None):
    """Runs cmd under /usr/bin/time; returns (seconds, peak KiB, completed process)."""
    proc = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M"] + cmd, text=True, capture_output=True, env=env)
    m = re.search(r"TIME ([0-9.]+) ([0-9]+)", proc.stderr)
    return float(m.group(1)), int(m.group(2)), proc


def best_of(n, cmd, env=None):
    runs = [timed(cmd, env) for _ in range(n)]
    best = min(runs, key=lambda r: r[0])
    return best[0], max(r[1] for r in runs), best[2]


def machine():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    swift = sh(["swift", "--version"]).stdout.splitlines()[0] if shutil.which("swift") else "?"
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, {platform.system()} {platform.release()}, {swift}"


# How the current state format's files begin (`State.formatVersion`).
STATE_FORMAT = b'{\n  "version": 2,'


def project(size):
    d = OUT / f"project-{size}"
    if not (d / "mediaform.yaml").exists():
        sh([sys.executable, str(ROOT / "Scripts" / "generate-project.py"), str(d), "--assets", str(size)])
    state = d / "mediaform.state.json"
    # A state of an older format, or made before the manifest cache existed, is made again, as apply would now
    # record it.
    head = state.open("rb").read(4096) if state.exists() else b""
    if b'"manifestCache"' not in head or STATE_FORMAT not in head or not cache_holds(d):
        sh([str(BENCH), "make-state", str(d)])
    return d


def cache_holds(d):
    """Whether the state's manifest cache still vouches for every file: a mediaform that digests records
    differently (`ManifestCache.recordsDigest`) parses them all until the next apply records the cache again."""
    phases = json.loads(sh([str(BENCH), "plan-cached", str(d)]).stdout)
    files = sum(1 for _ in (d / "assets").rglob("*.yaml"))
    return phases["skipped_files"] == files


def compressed_copy(d):
    """The project `d` (its asset files copied) with `state.path: mediaform.state.json.gz`, applied."""
    c = OUT / f"{d.name}-gz"
    state = c / "mediaform.state.json.gz"
    if (not state.exists() or state.stat().st_size < 1000 or STATE_FORMAT not in gzip.open(state).read(4096)
            or not cache_holds(c)):
        shutil.rmtree(c, ignore_errors=True)
        c.mkdir(parents=True)
        shutil.copytree(d / "assets", c / "assets")
        text = (d / "mediaform.yaml").read_text()
        (c / "mediaform.yaml").write_text(text.replace("manifests:", "state: {path: mediaform.state.json.gz}\nmanifests:", 1))
        sh([str(BENCH), "make-state", str(c)])
    return c


def plan_benchmark(size):
    d = project(size)
    wall, peak, proc = best_of(3, [str(BIN), "plan", str(d)])
    assert proc.returncode == 0 and proc.stdout.strip() == "No changes.", proc.stdout + proc.stderr
    full_wall, full_peak, proc = best_of(3, [str(BIN), "plan", str(d), "--no-cache"])
    assert proc.returncode == 0 and proc.stdout.strip() == "No changes.", proc.stdout + proc.stderr
    phases = json.loads(sh([str(BENCH), "plan", str(d)]).stdout)
    scan = json.loads(sh([str(BENCH), "load", str(d)]).stdout)
    size_bytes = sum(p.stat().st_size for p in (d / "assets").rglob("*.yaml"))
    return {
        "assets": size, "wall_s": wall, "peak_mib": peak / 1024, "manifest_mib": size_bytes / 2**20,
        "full_wall_s": full_wall, "full_peak_mib": full_peak / 1024,
        "state_mib": (d / "mediaform.state.json").stat().st_size / 2**20,
        "manifest_load_s": phases["manifest_load_s"], "state_read_s": phases["state_read_s"],
        "plan_s": phases["plan_s"], "render_s": phases["render_s"], "raw_scan_s": scan["raw_scan_s"],
    }


def postgres_url():
    """MEDIAFORM_PG_URL, or a throw-away cluster of Scripts/pg-cluster.sh (stopped at exit)."""
    if os.environ.get("MEDIAFORM_PG_URL"):
        return os.environ["MEDIAFORM_PG_URL"]
    cluster = OUT / "pg-cluster"
    url = sh([str(ROOT / "Scripts" / "pg-cluster.sh"), "start", str(cluster)]).stdout.strip()
    import atexit
    atexit.register(lambda: subprocess.run([str(ROOT / "Scripts" / "pg-cluster.sh"), "stop", str(cluster)]))
    return url


def psql(url, sql):
    """Runs one statement with psql (the password goes through the environment, not argv)."""
    import urllib.parse
    u = urllib.parse.urlsplit(url)
    env = dict(os.environ, PGHOST=u.hostname or "localhost", PGPORT=str(u.port or 5432), PGUSER=urllib.parse.unquote(u.username or ""),
               PGPASSWORD=urllib.parse.unquote(u.password or ""), PGDATABASE=urllib.parse.unquote(u.path.lstrip("/")))
    return subprocess.run(["psql", "-X", "-q", "-c", sql], env=env, capture_output=True, text=True)


def drop_postgres_state(url, name):
    """Removes a state from the database."""
    for table in ("assets", "journal", "locks"):
        psql(url, f"DELETE FROM mediaform.{table} WHERE state_name = '{name}'")
    psql(url, f"DELETE FROM mediaform.states WHERE name = '{name}'")


def postgres_benchmark(size, url, local):
    """The same no-change plan with the state in PostgreSQL: the local state migrated into the database."""
    src = project(size)
    d = OUT / f"project-{size}-postgres"
    if not d.exists():
        shutil.copytree(src / "assets", d / "assets")
    name = f"bench-{size}"
    text = (src / "mediaform.yaml").read_text()
    (d / "mediaform.yaml").write_text(text + f"state:\n  backend: postgres\n  name: {name}\n")
    env = dict(os.environ, MEDIAFORM_PG_URL=url)
    # Copy the local state in, from scratch each run, so that the migrate column is a first copy.
    drop_postgres_state(url, name)
    migrate_wall, migrate_peak, proc = timed([str(BIN), "state", "migrate", "--to", "postgres", "--name", name, "-C", str(src)], env=env)
    assert proc.returncode == 0, proc.stderr
    # The cache migrated in was made with the local project file: an apply with nothing to do records this
    # project's, as the first apply after a move to PostgreSQL would.
    proc = subprocess.run([str(BIN), "apply", str(d), "--auto-approve"], env=env, text=True, capture_output=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # A database as it is between runs, not while its autovacuum goes over the rows just copied in (on this
    # machine the server shares the two cores with the plan).
    for sql in ("VACUUM ANALYZE mediaform.assets", "VACUUM ANALYZE mediaform.states", "CHECKPOINT"):
        psql(url, sql)
    # The local plan again, alternating with the PostgreSQL one: this machine's speed drifts by a third within
    # minutes, and a ratio of two figures taken minutes apart measured the drift as much as the backends.
    pg_runs, local_runs = [], []
    for _ in range(3):
        pg_runs.append(timed([str(BIN), "plan", str(d)], env=env))
        local_runs.append(timed([str(BIN), "plan", str(src)]))
    wall, peak, proc = min(pg_runs, key=lambda r: r[0])[0], max(r[1] for r in pg_runs), pg_runs[-1][2]
    assert proc.returncode == 0 and proc.stdout.strip() == "No changes.", proc.stdout + proc.stderr
    local_wall = min(r[0] for r in local_runs)
    phases = json.loads(sh([str(BENCH), "plan", str(d)], env=env).stdout)
    return {"assets": size, "wall_s": wall, "peak_mib": peak / 1024, "state_read_s": phases["state_read_s"],
            "local_wall_s": local_wall, "local_state_read_s": local["state_read_s"],
            "ratio": wall / local_wall, "migrate_s": migrate_wall}


def start_emulator(*args):
    proc = subprocess.Popen([str(BIN), "emulator", "--port", "0", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    m = re.search(r"(http://127\.0\.0\.1:\d+)", line)
    if not m:
        proc.kill()
        raise RuntimeError("emulator did not start: " + line + proc.stderr.read())
    return proc, m.group(1)


def apply_benchmark(size, emulator_args, label, rate=20):
    d = OUT / f"apply-{label}-{size}"
    shutil.rmtree(d, ignore_errors=True)
    sh([sys.executable, str(ROOT / "Scripts" / "generate-project.py"), str(d), "--assets", str(size), "--files", str(max(1, size // 1000))])
    emulator, endpoint = start_emulator(*emulator_args)
    try:
        text = (d / "mediaform.yaml").read_text().replace("endpoint: emulator", f"endpoint: {endpoint}")
        (d / "mediaform.yaml").write_text(text)
        env = dict(os.environ, ALIBABA_CLOUD_ACCESS_KEY_ID="EMULATORKEYID", ALIBABA_CLOUD_ACCESS_KEY_SECRET="emulator-secret-not-for-production")
        start = time.time()
        wall, peak, proc = timed([str(BIN), "apply", str(d), "--auto-approve", "--rate", str(rate), "--parallelism", "8", "--format", "json"], env)
        elapsed = time.time() - start
        events = [json.loads(l) for l in proc.stdout.splitlines() if l.startswith("{")]
        submitted = sum(1 for e in events if e.get("event") == "submitted")
        failed = sum(1 for e in events if e.get("event") == "failed")
        jobs = json.loads(subprocess.run(["curl", "-s", endpoint + "/_emulator/jobs"], capture_output=True, text=True).stdout or "{}")
        # Throughput over the submission window (first job to last), without process start-up and planning.
        created = sorted(j["created"] for j in jobs.get("jobs", []))
        window = (created[-1] - created[0]) + 1 / 20 if len(created) > 1 else wall
        return {
            "window_s": window, "window_uploads_per_s": len(created) / window if window else 0,
            "label": label, "assets": size, "wall_s": wall, "peak_mib": peak / 1024, "submitted": submitted,
            "failed": failed, "uploads_per_s": submitted / wall if wall else 0, "exit": proc.returncode,
            "jobs_created": jobs.get("jobCount"), "duplicates": len(jobs.get("duplicates", {})), "elapsed_s": elapsed,
        }
    finally:
        emulator.send_signal(signal.SIGINT)
        emulator.wait(timeout=10)


def refresh_benchmark(size, drifted=100):
    """Applies `size` assets to an unlimited emulator keeping its data, edits `drifted` titles as the console would,
    then times `plan --refresh` against the same data behind an emulator limited to 20 requests/s."""
    d = OUT / f"refresh-{size}"
    data = OUT / f"refresh-{size}-emulator"
    shutil.rmtree(d, ignore_errors=True)
    shutil.rmtree(data, ignore_errors=True)
    sh([sys.executable, str(ROOT / "Scripts" / "generate-project.py"), str(d), "--assets", str(size), "--files", str(max(1, size // 1000))])
    env = dict(os.environ, ALIBABA_CLOUD_ACCESS_KEY_ID="EMULATORKEYID", ALIBABA_CLOUD_ACCESS_KEY_SECRET="emulator-secret-not-for-production")
    emulator, endpoint = start_emulator("--process-delay", "0s", "--data", str(data))
    try:
        text = (d / "mediaform.yaml").read_text().replace("endpoint: emulator", f"endpoint: {endpoint}")
        (d / "mediaform.yaml").write_text(text)
        proc = subprocess.run([str(BIN), "apply", str(d), "--auto-approve", "--wait", "--rate", "1000", "--parallelism", "8"],
                              env=env, text=True, capture_output=True)
        assert proc.returncode == 0, proc.stderr
        state = json.loads((d / "mediaform.state.json").read_text())
        ids = sorted(r["mediaId"] for r in state["assets"].values())[:drifted]
        edit = ROOT / "Benchmarks" / "output" / "console-edit.py"
        edit.write_text(CONSOLE_EDIT)
        venv = ROOT / ".venv-tests" / "bin" / "python"
        if venv.exists():
            subprocess.run([str(venv), str(edit), endpoint, *ids], check=True)
        else:
            drifted = 0
    finally:
        emulator.send_signal(signal.SIGINT)
        emulator.wait(timeout=10)
    emulator, endpoint2 = start_emulator("--rate-limit", "20", "--data", str(data))
    try:
        text = (d / "mediaform.yaml").read_text().replace(endpoint, endpoint2)
        (d / "mediaform.yaml").write_text(text)
        wall, peak, proc = timed([str(BIN), "plan", str(d), "--refresh", "--rate", "20", "--parallelism", "8", "--format", "json"], env)
        assert proc.returncode == 0, proc.stderr
        plan = json.loads(proc.stdout)
        found = sum(1 for c in plan["changes"] if c.get("drift"))
        return {"assets": size, "wall_s": wall, "peak_mib": peak / 1024, "read_per_s": size / wall,
                "drifted": drifted, "found": found}
    finally:
        emulator.send_signal(signal.SIGINT)
        emulator.wait(timeout=10)


# Edits titles with the official SDK, as a person in the IMS console would (run with the test venv's Python).
CONSOLE_EDIT = """
import sys
from alibabacloud_ice20201109.client import Client
from alibabacloud_ice20201109 import models as m
from alibabacloud_tea_openapi import utils_models as om
endpoint = sys.argv[1].split("//", 1)[1]
c = Client(om.Config(access_key_id="EMULATORKEYID", access_key_secret="emulator-secret-not-for-production",
                     endpoint=endpoint, protocol="http", region_id="cn-shanghai"))
for media_id in sys.argv[2:]:
    c.update_media_info(m.UpdateMediaInfoRequest(media_id=media_id, title="Edited in the console"))
"""


def write_refresh_results(r):
    lines = ["# Benchmark: plan --refresh", "",
             f"Generated by `Benchmarks/run.py --only-refresh` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.", "",
             f"Machine: {machine()}. Release build.", "",
             "`mediaform plan --refresh` of managed media against an emulator process limited to 20 requests/s "
             "(`BatchGetMediaInfos`, 20 IDs a call: a ceiling of 400 media read per second), timed over the whole "
             "process as a user sees it: start-up, manifests, state, every read, planning and the JSON output. "
             f"{r['drifted']} titles were edited first with the official SDK, as in the console.", "",
             "| media | wall | media read/s | of ceiling | drifted found | peak memory |",
             "|---:|---:|---:|---:|---:|---:|",
             f"| {r['assets']:,} | {r['wall_s']:.1f} s | {r['read_per_s']:.0f} | {r['read_per_s'] / 4:.0f} % | "
             f"{r['found']} of {r['drifted']} | {r['peak_mib']:.0f} MiB |", ""]
    (ROOT / "Benchmarks" / "RESULTS-refresh.md").write_text("\n".join(lines) + "\n")
    print((ROOT / "Benchmarks" / "RESULTS-refresh.md").read_text())


def journal_benchmark(size):
    """Applies `size` assets with a crash just before the journal is trimmed (a debug build: release binaries
    ignore MEDIAFORM_FAULT), and measures it."""
    if not DEBUG_BIN.exists():
        subprocess.run(["swift", "build", "--product", "mediaform"], cwd=ROOT, check=True)
    d = OUT / f"journal-{size}"
    shutil.rmtree(d, ignore_errors=True)
    sh([sys.executable, str(ROOT / "Scripts" / "generate-project.py"), str(d), "--assets", str(size)])
    emulator, endpoint = start_emulator("--process-delay", "1s")
    try:
        text = (d / "mediaform.yaml").read_text().replace("endpoint: emulator", f"endpoint: {endpoint}")
        (d / "mediaform.yaml").write_text(text)
        env = dict(os.environ, ALIBABA_CLOUD_ACCESS_KEY_ID="EMULATORKEYID", ALIBABA_CLOUD_ACCESS_KEY_SECRET="emulator-secret-not-for-production",
                   MEDIAFORM_FAULT="state-before-journal-trim")
        subprocess.run([str(DEBUG_BIN), "apply", str(d), "--auto-approve", "--rate", "1000", "--parallelism", "8"], env=env, capture_output=True)
        journal = d / ".mediaform" / "mediaform.state.json.journal"
        lines = journal.read_text().splitlines()
        batches = sum(1 for l in lines if '"type":"intent"' in l)
        assert batches > 0, "the journal was trimmed: the fault did not stop the apply"
        return {"assets": size, "journal_bytes": journal.stat().st_size, "batches": batches,
                "bytes_per_batch": journal.stat().st_size / max(1, batches)}
    finally:
        emulator.send_signal(signal.SIGINT)
        emulator.wait(timeout=10)


def svg_plot(rows):
    """Plan time against N, log-log, as a small SVG."""
    import math
    w, h, pad = 560, 320, 50
    xs = [math.log10(r["assets"]) for r in rows]
    ys = [r["wall_s"] for r in rows]
    x0, x1 = min(xs) - 0.2, max(xs) + 0.2
    y1 = max(ys) * 1.2
    def px(x): return pad + (x - x0) / (x1 - x0) * (w - 2 * pad)
    def py(y): return h - pad - y / y1 * (h - 2 * pad)
    full = [r.get("full_wall_s", r["wall_s"]) for r in rows]
    y1 = max(ys + full) * 1.2
    pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, ys))
    full_pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, full))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<line x1="{pad}" y1="{h-pad}" x2="{w-pad}" y2="{h-pad}" stroke="black"/>',
           f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{h-pad}" stroke="black"/>',
           f'<text x="{w/2}" y="{h-10}" text-anchor="middle">assets (log scale)</text>',
           f'<text x="15" y="{h/2}" transform="rotate(-90 15 {h/2})" text-anchor="middle">plan wall time (s)</text>',
           f'<text x="{w/2}" y="20" text-anchor="middle">mediaform plan, nothing changed</text>',
           f'<polyline points="{full_pts}" fill="none" stroke="#aaaaaa" stroke-width="2" stroke-dasharray="6 4"/>',
           f'<text x="{w-pad}" y="{pad}" text-anchor="end" fill="#888888">dashed: --no-cache (every file parsed)</text>',
           f'<polyline points="{pts}" fill="none" stroke="#1f77b4" stroke-width="2"/>']
    for x, y, r in zip(xs, ys, rows):
        out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="4" fill="#1f77b4"/>')
        out.append(f'<text x="{px(x):.1f}" y="{py(y)-8:.1f}" text-anchor="middle">{r["assets"]:,}: {y:.2f} s</text>')
    for frac in (0, 0.5, 1):
        y = y1 * frac / 1.2
        out.append(f'<text x="{pad-5}" y="{py(y)+4:.1f}" text-anchor="end">{y:.1f}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--million", action="store_true", help="also 1,000,000 assets (several minutes, ~10 GiB)")
    parser.add_argument("--apply-assets", type=int, default=10000)
    parser.add_argument("--skip-apply", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true", help="skip the plan with the state in PostgreSQL")
    parser.add_argument("--refresh-assets", type=int, default=10000)
    parser.add_argument("--only-refresh", action="store_true",
                        help="only plan --refresh against a limited emulator (writes RESULTS-refresh.md)")
    parser.add_argument("--targets", action="store_true",
                        help="issue 18's six targets against the PyYAML script (writes RESULTS-targets.md)")
    parser.add_argument("--only-postgres", action="store_true",
                        help="only the local-against-PostgreSQL plan comparison (writes RESULTS-postgres.md, leaves RESULTS.md)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    print("building release…", file=sys.stderr)
    subprocess.run(["swift", "build", "-c", "release", "--product", "mediaform"], cwd=ROOT, check=True)
    subprocess.run(["swift", "build", "-c", "release", "--product", "mediaform-bench"], cwd=ROOT, check=True)

    if args.targets:
        write_target_results(targets_benchmark(args.million, args.skip_apply))
        return
    if args.only_refresh:
        print(f"plan --refresh, {args.refresh_assets} media…", file=sys.stderr)
        write_refresh_results(refresh_benchmark(args.refresh_assets))
        return
    sizes = [int(s) for s in args.sizes.split(",")] + ([1_000_000] if args.million else [])
    plans = []
    for size in sizes:
        print(f"plan, {size} assets…", file=sys.stderr)
        plans.append(plan_benchmark(size))
    postgres = []
    if not args.skip_postgres:
        url = postgres_url()
        for local in plans:
            print(f"plan with the state in PostgreSQL, {local['assets']} assets…", file=sys.stderr)
            postgres.append(postgres_benchmark(local["assets"], url, local))
    if postgres:
        write_postgres_results(postgres)
    if args.only_postgres:
        return
    validate_wall, _, proc = best_of(5, [str(BIN), "validate", str(ROOT / "examples" / "course-library")])
    assert proc.returncode == 0

    applies, journals = [], []
    if not args.skip_apply:
        print(f"apply, {args.apply_assets} assets…", file=sys.stderr)
        applies.append(apply_benchmark(args.apply_assets, ["--rate-limit", "20", "--process-delay", "1s"], "clean"))
        applies.append(apply_benchmark(args.apply_assets, ["--rate-limit", "20", "--process-delay", "1s", "--error-rate", "0.05"], "5% errors"))
        # Throttling: the client asks for 5 % more than the emulator allows.
        applies.append(apply_benchmark(args.apply_assets, ["--rate-limit", "20", "--process-delay", "1s"], "throttled", rate=21))
        for size in (10000, 100000):
            print(f"journal, {size} assets…", file=sys.stderr)
            journals.append(journal_benchmark(size))
        print(f"plan --refresh, {args.refresh_assets} media…", file=sys.stderr)
        write_refresh_results(refresh_benchmark(args.refresh_assets))

    lines = ["# Benchmark results", "",
             f"Generated by `Benchmarks/run.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.", "",
             f"Machine: {machine()}. Release build. Times are the best of three runs (the machine is shared and noisy).", "",
             "## plan, nothing changed", "",
             "| assets | manifests | state | wall | peak memory | wall, --no-cache | peak, --no-cache | manifest load | state read | planning | rendering | raw libyaml scan |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in plans:
        lines.append(f"| {r['assets']:,} | {r['manifest_mib']:.0f} MiB | {r['state_mib']:.0f} MiB | {r['wall_s']:.2f} s | {r['peak_mib']:.0f} MiB | "
                     f"{r['full_wall_s']:.2f} s | {r['full_peak_mib']:.0f} MiB | "
                     f"{r['manifest_load_s']:.2f} s | {r['state_read_s']:.2f} s | {r['plan_s']:.2f} s | {r['render_s']:.3f} s | {r['raw_scan_s']:.2f} s |")
    lines += ["", "`wall` is `mediaform plan` with the state as apply records it (its manifest cache lets the plan skip every",
              "unchanged file); `--no-cache` parses every file. The phases are those of a full load, timed one after another by",
              "`mediaform-bench plan`; `mediaform plan` itself reads the state while the manifests load (two cores), so its wall",
              "time is below their sum. The raw scan is libyaml's event stream alone over the same files: the floor for any",
              "YAML-based loader.", "", "![plan time against N](plan-time.svg)", "",
              "## validate", "", f"`mediaform validate examples/course-library`: {validate_wall * 1000:.0f} ms wall (target ≤ 50 ms).", ""]
    if applies:
        lines += ["## apply against an emulator process limited to 20 requests/s", "",
                  "Ceiling: 20 calls/s × 20 URLs = 400 uploads/s.", "",
                  "Uploads/s is measured over the submission window (the emulator's first to last job); the wall time also",
                  "includes start-up, planning and printing the plan.", "",
                  "| run | assets | wall | submission window | uploads/s | of ceiling | failed | jobs created | duplicate jobs | peak memory |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for a in applies:
            lines.append(f"| {a['label']} | {a['assets']:,} | {a['wall_s']:.1f} s | {a['window_s']:.1f} s | {a['window_uploads_per_s']:.0f} | "
                         f"{a['window_uploads_per_s'] / 4:.0f} % | {a['failed']} | {a['jobs_created']} | {a['duplicates']} | {a['peak_mib']:.0f} MiB |")
        lines += ["", "## journal cost", "", "| assets | batches | journal bytes | bytes per batch |", "|---:|---:|---:|---:|"]
        for j in journals:
            lines.append(f"| {j['assets']:,} | {j['batches']:,} | {j['journal_bytes']:,} | {j['bytes_per_batch']:.0f} |")
        lines.append("")
    (ROOT / "Benchmarks" / "RESULTS.md").write_text("\n".join(lines) + "\n")
    (ROOT / "Benchmarks" / "plan-time.svg").write_text(svg_plot(plans))
    print((ROOT / "Benchmarks" / "RESULTS.md").read_text())


def pyyaml_python():
    """A venv with PyYAML (its C loader) for the baseline script."""
    venv = OUT / "venv-pyyaml"
    python = venv / "bin" / "python"
    if not python.exists():
        sh([sys.executable, "-m", "venv", str(venv)])
        sh([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "pyyaml>=6"])
    return python


def fresh_project(name, size, files=None):
    """A generated project without a state (every asset new)."""
    d = OUT / name
    if not (d / "mediaform.yaml").exists():
        args = [sys.executable, str(ROOT / "Scripts" / "generate-project.py"), str(d), "--assets", str(size)]
        if files:
            args += ["--files", str(files)]
        sh(args)
    return d


def targets_benchmark(million, skip_apply):
    """Issue 18's targets: (name, goal, mediaform's figure, the PyYAML script's figure, met)."""
    python = pyyaml_python()
    baseline = [str(python), str(ROOT / "Benchmarks" / "pyyaml_plan.py")]
    rows = []

    def plan_row(name, d, wall_goal, mib_goal, extra=(), baseline_dir=None, baseline_runs=3, runs=5):
        # Five runs of a plan (a slow spell of this machine lasts minutes and can cover three), shown as the
        # best with the median beside it.
        timings = [timed([str(BIN), "plan", str(d), *extra]) for _ in range(runs)]
        assert all(t[2].returncode == 0 for t in timings), timings[-1][2].stderr
        walls = sorted(t[0] for t in timings)
        wall, median, peak = walls[0], walls[len(walls) // 2], max(t[1] for t in timings)
        script, script_peak, sproc = best_of(baseline_runs, baseline + [str(baseline_dir or d)])
        assert sproc.returncode == 0, sproc.stderr
        goal = f"≤ {wall_goal} s" + (f", ≤ {mib_goal} MiB" if mib_goal else "")
        met = wall <= wall_goal and (mib_goal is None or peak / 1024 <= mib_goal)
        ours = f"{wall:.2f} s (median {median:.2f} s), {peak / 1024:.0f} MiB"
        rows.append((name, goal, ours, f"{script:.2f} s, {script_peak / 1024:.0f} MiB", met))
        return wall, peak

    print("targets: plan of 100,000 new assets…", file=sys.stderr)
    plan_row("1. plan, 100,000 new assets (100 files)", fresh_project("targets-new-100000", 100_000), 1.0, 250)
    print("targets: plan with nothing changed…", file=sys.stderr)
    steady = project(100_000)
    plan_row("2. plan, nothing changed, 100,000 applied (manifest cache, as apply records it)", steady, 1.0, 250)
    plan_row("2. the same with --no-cache (every file parsed)", steady, 1.0, 250, extra=["--no-cache"])
    compressed = compressed_copy(steady)
    plan_row("2. the same, state compressed (state.path *.gz)", compressed, 1.0, 250, baseline_dir=steady)
    print("targets: one file of 100,000 assets…", file=sys.stderr)
    plan_row("3. plan, 100,000 new assets in one file", fresh_project("targets-one-file", 100_000, files=1), 1.5, None)
    per_asset = (steady / "mediaform.state.json").stat().st_size / 100_000
    rows.append(("4. state bytes per asset, plain JSON (the default)", "≤ 350", f"{per_asset:.0f}", "—", per_asset <= 350))
    per_asset = (compressed / "mediaform.state.json.gz").stat().st_size / 100_000
    rows.append(("4. state bytes per asset, state.path *.gz", "≤ 350", f"{per_asset:.0f}", "—", per_asset <= 350))
    if million:
        print("targets: 1,000,000 assets…", file=sys.stderr)
        # The PyYAML script takes minutes at this size: one run of it.
        wall, _ = plan_row("5. plan, nothing changed, 1,000,000 applied (local)", project(1_000_000), 12.0, 2048,
                           baseline_runs=1, runs=3)
        print("targets: 1,000,000 assets with the state in PostgreSQL…", file=sys.stderr)
        pg = postgres_benchmark(1_000_000, postgres_url(), {"wall_s": wall, "state_read_s": 0})
        met = pg["wall_s"] <= 12.0 and pg["peak_mib"] <= 2048 and pg["ratio"] <= 1.3
        rows.append(("5. the same with the state in PostgreSQL (local timed again, alternating with it)",
                     "≤ 12 s, ≤ 2 GiB, ≤ 1.3× local",
                     f"{pg['wall_s']:.2f} s, {pg['peak_mib']:.0f} MiB ({pg['ratio']:.2f}× local's {pg['local_wall_s']:.2f} s)",
                     "—", met))
    if not skip_apply:
        for label, extra, goal in (("clean", [], 95), ("5% errors", ["--error-rate", "0.05"], 90)):
            print(f"targets: apply of 2,000 assets, {label}…", file=sys.stderr)
            # Best of three, the median beside it, as the plans: one run measured the machine's moment as much as
            # the apply (94 % and 95 % to 97 % minutes apart).
            shares = []
            for _ in range(3):
                a = apply_benchmark(2000, ["--rate-limit", "20", "--process-delay", "1s", *extra], f"targets-{label}")
                shares.append((a["jobs_created"] / a["wall_s"] / 400 * 100 if a["wall_s"] else 0, a["wall_s"]))
            shares.sort(reverse=True)
            (share, wall), median = shares[0], shares[1][0]
            rows.append((f"6. apply of 2,000 new assets, emulator at 20 requests/s, {label}",
                         f"≥ {goal} % of 400 uploads/s, whole process",
                         f"{share:.0f} % ({wall:.2f} s; median {median:.0f} %)", "—", share >= goal))
    return rows


def write_target_results(rows):
    lines = ["# Issue 18's targets", "",
             f"Generated by `Benchmarks/run.py --targets` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.", "",
             f"Machine: {machine()}. Release build. The machine is shared and its speed drifts by a third within",
             "minutes: plans are the best of five runs, the median beside it (a million assets and applies: three runs); the baseline,",
             "Benchmarks/pyyaml_plan.py (PyYAML's C loader and hashlib), is the best of three on the same files in the same run.", "",
             "| target | goal | mediaform | PyYAML script | met |", "|---|---|---:|---:|:---:|"]
    for name, goal, ours, theirs, met in rows:
        lines.append(f"| {name} | {goal} | {ours} | {theirs} | {'yes' if met else 'no'} |")
    (ROOT / "Benchmarks" / "RESULTS-targets.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def write_postgres_results(rows):
    lines = ["# Benchmark results: state in PostgreSQL", "",
             f"Generated by `Benchmarks/run.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.", "",
             f"Machine: {machine()}. Release build. PostgreSQL: the throw-away cluster of `Scripts/pg-cluster.sh` on the same",
             "machine (loopback), unless MEDIAFORM_PG_URL named another. Times are the best of three runs.", "",
             "The same no-change `mediaform plan` with the state as rows in PostgreSQL, against the local JSON file (the two",
             "timed alternately, three runs each, best of each: this machine's speed drifts within minutes).",
             "Target: no more than twice the local backend's time.", "",
             "| assets | local plan | postgres plan | ratio | local state read | postgres state read | postgres peak memory | migrate local → postgres |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['assets']:,} | {r['local_wall_s']:.2f} s | {r['wall_s']:.2f} s | {r['ratio']:.2f}× | {r['local_state_read_s']:.2f} s | "
                     f"{r['state_read_s']:.2f} s | {r['peak_mib']:.0f} MiB | {r['migrate_s']:.1f} s |")
    lines += ["", "State reads are timed alone by `mediaform-bench plan`; `mediaform plan` reads the state while the manifests",
              "load, so a slower read costs the wall time only where it outlasts the manifest load. The migrate column is a first",
              "copy of the local state into an empty database state: read the file, write the rows, read them back and compare.", ""]
    (ROOT / "Benchmarks" / "RESULTS-postgres.md").write_text("\n".join(lines) + "\n")
    print((ROOT / "Benchmarks" / "RESULTS-postgres.md").read_text())


if __name__ == "__main__":
    main()
