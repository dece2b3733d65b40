#!/usr/bin/env python3
"""Chaos apply: proves "nothing lost, nothing twice" under faults and SIGKILL.

    Scripts/chaos.py [--assets 500] [--kills 20] [--seed 1] [--binary .build/debug/mediaform] [--backend postgres]
                     [--oss-share 0.1]

Applies a project of N assets against an emulator process that answers 10 % of requests with 5xx, throttles
10 %, and drops 5 % of upload answers after committing them; kills `apply` with SIGKILL at random moments, then
re-runs it until it converges. A share of the assets (`--oss-share`) have `oss://` sources, registered in place with
RegisterMediaInfo (whose answers are dropped the same way). Asserts: every source was uploaded or registered exactly
once (the emulator's introspection), every asset is in the state with the emulator's job and media IDs, and no
journal entry is left unresolved.
Run by .ci/run with 20 kills on each backend; `--kills 100` is the long mode. `--backend postgres` keeps the state
in the database of MEDIAFORM_PG_URL (under a new state name) and reads it back with psql.
"""
import argparse
import json
import os
import pathlib
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assets", type=int, default=500)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--binary", default=str(ROOT / ".build" / "debug" / "mediaform"))
    parser.add_argument("--backend", choices=["local", "postgres"], default="local")
    parser.add_argument("--oss-share", type=float, default=0.1, help="share of assets with oss:// sources")
    args = parser.parse_args()
    if args.backend == "postgres" and not os.environ.get("MEDIAFORM_PG_URL"):
        parser.error("--backend postgres needs MEDIAFORM_PG_URL")
    rng = random.Random(args.seed)
    work = pathlib.Path(tempfile.mkdtemp(prefix="mediaform-chaos-"))
    project = work / "project"
    subprocess.run([sys.executable, str(ROOT / "Scripts" / "generate-project.py"), str(project), "--assets", str(args.assets), "--files", "5"],
                   check=True, capture_output=True)
    # Every n-th source becomes an object of the team's own bucket: registered in place, not uploaded.
    every = max(1, round(1 / args.oss_share)) if args.oss_share > 0 else 0
    seen = 0
    for path in sorted((project / "assets").rglob("*.yaml")):
        lines = path.read_text().splitlines(keepends=True)
        for i, line in enumerate(lines):
            if "source: https://cdn.example.com/" in line:
                seen += 1
                if every and seen % every == 0:
                    lines[i] = line.replace("source: https://cdn.example.com/", "source: oss://chaos-media/")
        path.write_text("".join(lines))
    emulator = subprocess.Popen(
        [args.binary, "emulator", "--port", "0", "--data", str(work / "emulator"), "--process-delay", "300ms",
         "--error-rate", "0.1", "--throttle-rate", "0.1", "--drop-rate", "0.05", "--latency", "20ms"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    endpoint = re.search(r"(http://127\.0\.0\.1:\d+)", emulator.stdout.readline()).group(1)
    text = (project / "mediaform.yaml").read_text().replace("endpoint: emulator", f"endpoint: {endpoint}")
    store = StateStore(project, args.backend, f"chaos-{args.seed}-{os.getpid()}")
    (project / "mediaform.yaml").write_text(text + store.project_section())
    env = dict(os.environ, ALIBABA_CLOUD_ACCESS_KEY_ID="EMULATORKEYID", ALIBABA_CLOUD_ACCESS_KEY_SECRET="emulator-secret-not-for-production", NO_COLOR="1")
    # 3 calls/s: the 25 calls of a full run take about eight seconds, so every kill lands in the middle of work.
    apply = [args.binary, "apply", str(project), "--auto-approve", "--rate", "3", "--parallelism", "4", "--lock-timeout", "10s"]
    kills = runs = adopted = ambiguous = retried = resolved = 0
    try:
        for _ in range(args.kills):
            before = store.journal_mark()
            # stdout goes to a file: an unread pipe would fill with the plan and stall the run.
            proc = subprocess.Popen(apply, env=env, stdout=open(work / "stdout.log", "w"), stderr=subprocess.PIPE, text=True)
            # Wait until the run is at work (its journal grows), then kill it at a random moment of that work.
            deadline = time.time() + 15
            while proc.poll() is None and time.time() < deadline and store.journal_mark() == before:
                time.sleep(0.01)
            time.sleep(rng.uniform(0, 1.0))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            out, err = proc.communicate()
            if os.environ.get("CHAOS_DEBUG"):
                print("---", err[:600], file=sys.stderr)
            runs += 1
            adopted += len(re.findall(r"^adopted ", err, re.M))
            resolved += sum(int(n) for n in re.findall(r"resolving (\d+) call", err))
            ambiguous += err.count("failed ambiguously")
        converged = False
        for _ in range(20):
            proc = subprocess.run(apply + ["--wait", "--timeout", "60s"], env=env, capture_output=True, text=True)
            runs += 1
            adopted += len(re.findall(r"^adopted ", proc.stderr, re.M))
            resolved += sum(int(n) for n in re.findall(r"resolving (\d+) call", proc.stderr))
            ambiguous += proc.stderr.count("failed ambiguously")
            m = re.search(r"retried (\d+)", proc.stdout)
            retried += int(m.group(1)) if m else 0
            plan = subprocess.run([args.binary, "plan", str(project), "--detailed-exitcode"], env=env, capture_output=True, text=True)
            if proc.returncode == 0 and plan.returncode == 0:
                converged = True
                break
        jobs = json.load(urllib.request.urlopen(endpoint + "/_emulator/jobs"))
        state = store.state()
        by_url = {}
        for job in jobs["jobs"]:
            by_url.setdefault(job["uploadURL"], []).append(job)
        duplicates = sum(len(v) - 1 for v in by_url.values() if len(v) > 1)
        lost = 0
        for key, record in state["assets"].items():
            # A registered media has no job the state knows: its media ID alone names it.
            matches = [j for j in by_url.get(record["source"], [])
                       if j["mediaId"] == record.get("mediaId") and (record["source"].startswith("oss://") or j["jobId"] == record.get("jobId"))]
            if not matches or record["status"] != "ready":
                lost += 1
        lost += args.assets - len(state["assets"])
        unresolved = store.open_intents()
        print(f"chaos: {args.backend} backend, seed {args.seed}, {args.assets} assets, {kills} kills over {runs} runs, converged: {converged}")
        registered = sum(1 for url in by_url if url.startswith("oss://"))
        print(f"chaos: jobs created {jobs['jobCount']} ({registered} of them registrations), duplicates {duplicates}, lost {lost}, unresolved journal entries {unresolved}, "
              f"ambiguous calls {ambiguous}, calls left open by a kill and resolved {resolved}, jobs adopted from them {adopted}, "
              f"retries in the final runs {retried}")
        ok = converged and duplicates == 0 and lost == 0 and unresolved == 0 and jobs["jobCount"] == args.assets
        if not ok:
            print(f"chaos: FAILED (work files kept in {work})", file=sys.stderr)
            return 1
        shutil.rmtree(work, ignore_errors=True)
        return 0
    finally:
        emulator.send_signal(signal.SIGINT)
        emulator.wait(timeout=10)


class StateStore:
    """Reads the state the way each backend keeps it: the file and its journal, or rows through psql."""

    def __init__(self, project, backend, name):
        self.project, self.backend, self.name = project, backend, name
        self.url = os.environ.get("MEDIAFORM_PG_URL", "")

    def project_section(self):
        return f"state:\n  backend: postgres\n  name: {self.name}\n" if self.backend == "postgres" else ""

    def sql(self, query):
        # The URL carries the password: it goes to psql through the environment, never on a command line.
        u = urllib.parse.urlsplit(self.url)
        env = dict(os.environ, PGHOST=u.hostname or "localhost", PGPORT=str(u.port or 5432), PGUSER=urllib.parse.unquote(u.username or ""),
                   PGPASSWORD=urllib.parse.unquote(u.password or ""), PGDATABASE=urllib.parse.unquote(u.path.lstrip("/")))
        result = subprocess.run(["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", query], env=env, capture_output=True, text=True)
        if result.returncode != 0:
            print(f"chaos: psql: {result.stderr.strip()}", file=sys.stderr)
            return None
        return result.stdout

    def journal_mark(self):
        if self.backend == "local":
            journal = self.project / ".mediaform" / "mediaform.state.json.journal"
            return journal.stat().st_size if journal.exists() else -1
        out = self.sql(f"SELECT count(*), coalesce(max(sequence), 0) FROM mediaform.journal WHERE state_name = '{self.name}'")
        return out.strip() if out is not None else None

    def state(self):
        if self.backend == "local":
            return json.loads((self.project / "mediaform.state.json").read_text())
        out = self.sql(f"SELECT json_object_agg(key, record::json) FROM mediaform.assets WHERE state_name = '{self.name}'")
        return {"assets": json.loads(out) if out and out.strip() else {}}

    def open_intents(self):
        if self.backend == "local":
            journal = (self.project / ".mediaform" / "mediaform.state.json.journal").read_text()
            return sum(1 for line in journal.splitlines() if '"type":"intent"' in line)
        out = self.sql(f"""SELECT count(*) FROM mediaform.journal WHERE state_name = '{self.name}' AND strpos(record, '"type":"intent"') > 0""")
        return int(out.strip())


if __name__ == "__main__":
    sys.exit(main())
