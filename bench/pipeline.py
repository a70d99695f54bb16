"""The whole pipeline, import to synthesised story, against the naive per-article analysis, in one run.

    .venv/bin/python bench/pipeline.py [PATH] [--sizes 50,200,1000] [--stacks embedded,real]

PATH is a Multi-News style JSON Lines file (default ../shared/eval/multinews-val.jsonl). For each size N, a
story of N articles (distinct documents of the file in order, repeated with a numbered line when the file
runs out) is built through the real services:

- embedded: the embedded default, as `make run` works: SQLite in a fresh file; the web side records the import
  (WORKBENCH_JOBS=worker, `jobs.start_import` as the import form calls it) and the embedded worker processes
  `manage.py serve` starts (`manage.py run_jobs`, one per core, at most 2) import, analyse and synthesise;
- real: PostgreSQL (a fresh database), Redis and one Celery worker with two processes (`--concurrency 2`),
  the production settings; the import is queued the same way and the worker does the rest.

It reports seconds from the import (the first upload recorded, as a running web server records it: the process
that queues the uploads starts Django before the clock starts) to the synthesised story (the story's candidate
brief written and no job queued or running), articles per second, the time per article relative to the
200-article story, and the peak memory of the worker process(es). The naive baseline, measured in the same run
on the same 200 articles in this process: one full `nlp(text)` per article (every component of the packaged
model) and one sumy LexRank call over its sentences, one process, nothing stored. Goals (issue 13): at 200
articles the whole pipeline costs no more than the naive analysis alone (ratio <= 1), and 1,000 articles cost
at most 5.5 times 200. A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from bench.analysis import naive  # noqa: E402
from bench.load import DEFAULT_PATH, load_documents, recreate_database  # noqa: E402

BIN = Path(sys.executable).parent


def documents(path: Path, count: int) -> list[tuple[str, str]]:
    """`count` (name, text) pairs: the distinct documents, then copies with a first line of their own."""
    found = load_documents(path, count)
    if not found:
        raise SystemExit(f"{path}: no documents")
    out = list(found)
    copy = 1
    while len(out) < count:
        for name, text in found:
            if len(out) == count:
                break
            out.append((f"copy{copy}-{name}", f"Copy {copy} of a wire story.\n\n{text}"))
        copy += 1
    return out


def rss_kib(pids: list[int]) -> int:
    """Resident memory of the processes and all their descendants, in KiB (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, list(pids)
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


class Run:
    """One stack's environment, its worker processes and the sampling of their memory."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env, self.log_dir = env, log_dir
        self.processes: list[subprocess.Popen] = []
        self.peak_kib = 0

    def manage(self, *args: str, **extra: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT_DIR,
            env={**self.env, **extra},
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        with open(self.log_dir / f"{name}.log", "ab") as log:
            process = subprocess.Popen(
                command,
                cwd=PROJECT_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(process)
        return process

    def sample(self) -> None:
        self.peak_kib = max(self.peak_kib, rss_kib([p.pid for p in self.processes if p.poll() is None]))

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()


QUEUE_SCRIPT = """
import json, sys, django
django.setup()
from articles.importing import ImportSource
from articles.jobs import start_import
from articles.services.stories import story_get_or_create
docs = json.load(open(sys.argv[1]))
story, _ = story_get_or_create(title="Pipeline benchmark", slug="pipeline")
from django.conf import settings
sources = [ImportSource(name=n, data=t.encode(), url=None, format_hint="text") for n, t in docs]
step = settings.IMPORT_MAX_FILES  # as an editor would: uploads of at most that many files, one after another
import time
print(f"QUEUE_STARTED {time.time()!r}", flush=True)  # the clock starts at the first upload
for start in range(0, len(sources), step):
    start_import(story, sources[start : start + step])
"""

STATE_SQL = (
    "SELECT (SELECT COUNT(*) FROM articles_candidatebrief), "
    "(SELECT COUNT(*) FROM articles_job WHERE state IN ('queued', 'running')), "
    "(SELECT COUNT(*) FROM articles_article WHERE analyzed_at IS NOT NULL), "
    "(SELECT COUNT(*) FROM articles_job WHERE state = 'failed'), "
    "(SELECT COUNT(*) FROM articles_claim)"
)


def wait_synthesised(run: Run, query, size: int, started: float, timeout: float) -> tuple[float, int, int]:
    last_print = 0.0
    idle_since: float | None = None
    while True:
        time.sleep(0.5)
        run.sample()
        briefs, active, analysed, failed, claims = query(STATE_SQL)
        elapsed = time.time() - started
        if briefs and not active:
            return elapsed, failed, claims
        idle_since = idle_since if not active else None
        if not active and idle_since is None:
            idle_since = elapsed
        if not active and elapsed - idle_since > 10:
            raise SystemExit(
                f"Nothing runs and the story has no synthesis ({failed} failed job(s)); see {run.log_dir}"
            )
        if elapsed - last_print >= 15:
            print(f"    {elapsed:6.0f} s: {analysed} of {size} analysed, {active} job(s) active", flush=True)
            last_print = elapsed
        if elapsed > timeout:
            print(f"    gave up after {timeout:.0f} s ({analysed} of {size} analysed)", flush=True)
            return float("nan"), failed, claims
        if run.processes and all(p.poll() is not None for p in run.processes):
            raise SystemExit(f"the worker stopped; see {run.log_dir}")


def time_story(run: Run, query, docs_file: Path, size: int, timeout: float) -> dict:
    """Queue the import as the web side does, wait for the synthesised story, stop the workers."""
    launched = time.time()
    output = run.manage("shell", "-c", QUEUE_SCRIPT.replace("sys.argv[1]", repr(str(docs_file))))
    started = float(next(line.split()[1] for line in output.splitlines() if line.startswith("QUEUE_STARTED")))
    print(
        f"  (the queueing process took {started - launched:.1f} s to start Django: not counted)", flush=True
    )
    try:
        elapsed, failed, claims = wait_synthesised(run, query, size, started, timeout)
    finally:
        run.sample()
        run.stop()
    return {"elapsed": elapsed, "failed": failed, "claims": claims, "peak_kib": run.peak_kib}


def embedded(docs_file: Path, size: int, work: Path, timeout: float) -> dict:
    db = work / f"embedded-{size}.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="workbench.settings.local", DATABASE_URL=f"sqlite:///{db}")
    env["WORKBENCH_JOBS"] = "worker"
    run = Run(env, work)
    run.manage("migrate", "--noinput", "-v", "0")
    # The workers first, so that their model loading is not counted (as on a server that was already up); as
    # many as `manage.py serve` starts, with the cores shared out the same way.
    workers = max(1, min(2, os.cpu_count() or 1))
    run.env["EMBEDDING_THREADS"] = str(max(1, (os.cpu_count() or 1) // workers))
    for n in range(workers):
        run.start(f"embedded-worker-{size}-{n}", [sys.executable, "manage.py", "run_jobs", "--poll", "0.2"])
    time.sleep(10)

    def query(sql: str):
        with sqlite3.connect(db, timeout=30) as conn:
            return conn.execute(sql).fetchone()

    return time_story(run, query, docs_file, size, timeout)


def real(docs_file: Path, size: int, work: Path, timeout: float, pg: str, redis: str) -> dict:
    import psycopg

    name = "wb_pipeline"
    recreate_database(pg, name)
    queue = f"wb-pipeline-{secrets.token_hex(4)}"
    env = {**os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.load_settings",
        DATABASE_URL=f"{pg}/{name}",
        CELERY_BROKER_URL=redis,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        LOAD_QUEUE=queue,
        LOAD_STATIC_ROOT=str(work / "static"),
        PYTHONPATH=str(PROJECT_DIR),
    )
    run = Run(env, work)
    run.manage("migrate", "--noinput", "-v", "0")
    worker = [str(BIN / "celery"), "-A", "workbench", "worker", "-Q", queue, "--concurrency=2"]
    run.start(f"celery-{size}", [*worker, "--without-gossip", "--without-mingle", "--loglevel=WARNING"])
    time.sleep(12)  # both processes load their models before the clock starts

    def query(sql: str):
        with psycopg.connect(f"{pg}/{name}", autocommit=True) as conn:
            return conn.execute(sql).fetchone()

    return time_story(run, query, docs_file, size, timeout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--sizes", default="50,200,1000")
    parser.add_argument("--stacks", default="embedded,real")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per story before giving up")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/8")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    stacks = [s for s in args.stacks.split(",") if s]

    import json

    work = Path(tempfile.mkdtemp(prefix="wb-pipeline-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings.local")
    import django

    django.setup()
    from django.conf import settings

    baseline_docs = documents(args.path, 200)
    print("Naive baseline: full nlp(text) + one LexRank call per article, 200 articles, one process ...")
    naive_seconds, _ = naive([t for _, t in baseline_docs], settings.SPACY_MODEL, "lexrank", 3)
    print(f"  {naive_seconds:.1f} s ({200 / naive_seconds:.1f} articles/s)", flush=True)

    rows = []
    for stack in stacks:
        for size in sizes:
            docs_file = work / f"docs-{size}.json"
            docs_file.write_text(json.dumps(documents(args.path, size)))
            print(f"{stack}, {size} articles ...", flush=True)
            if stack == "embedded":
                result = embedded(docs_file, size, work, args.timeout)
            else:
                result = real(docs_file, size, work, args.timeout, args.postgres, args.redis)
            rows.append({"stack": stack, "size": size, **result})
            print(f"  {result['elapsed']:.1f} s, {result['failed']} failed job(s), {result['claims']} claims")

    print()
    print(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; log files in {work}"
    )
    print(f"Naive per-article analysis (200 articles, one process): **{naive_seconds:.1f} s**")
    print()
    print("| stack | articles | import to synthesised story (s) | articles/s | s per article vs. 200 | "
          "vs. naive at 200 | peak worker memory (MiB) | failed jobs |")  # fmt: skip
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        at_200 = next((r for r in rows if r["stack"] == row["stack"] and r["size"] == 200), None)
        per_article = row["elapsed"] / row["size"]
        growth = per_article / (at_200["elapsed"] / 200) if at_200 else float("nan")
        versus = row["elapsed"] / naive_seconds if row["size"] == 200 else float("nan")
        print(
            f"| {row['stack']} | {row['size']} | {row['elapsed']:.1f} | {row['size'] / row['elapsed']:.1f} | "
            f"{growth:.2f} | {versus:.2f} | {row['peak_kib'] / 1024:.0f} | {row['failed']} |"
        )


if __name__ == "__main__":
    main()
