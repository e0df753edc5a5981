"""Measure the calendar against a minimal Django view, on a large seeded data set.

    bench/run.sh                       # 10,000 events in a fresh SQLite file under var/bench/
    bench/run.sh --database-url postgres://postgres@127.0.0.1:5432/portal_bench
    bench/run.sh --events 2000 --duration 5

Seeds a separate database (never the portal's own), serves the portal with gunicorn (2 sync
workers) on a free port, then loads each page with wrk (or a Python thread loop without it)
and prints requests per second, latency p50/p95/p99, and each page's ratio to the minimal view
measured in the same run. Load and server share the machine: compare ratios, not absolute
numbers across machines or runs."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_database(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        path = Path(parts.path)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    import psycopg

    name = parts.path.lstrip("/")
    if not name.startswith(("portal_bench", "bench")):
        sys.exit(f"Refusing to recreate database {name!r}: bench databases are named portal_bench…")
    admin = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def run(cmd: list[str], env: dict) -> str:
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def get(url: str, cookie: str | None = None, timeout: float = 30) -> tuple[int, int]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, len(response.read())
    except urllib.error.HTTPError as error:
        return error.code, 0


def wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn stopped before it answered; see the output above.")
        try:
            if get(base + "/healthz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit("gunicorn did not answer /healthz within 60 s")


def load_with_wrk(url: str, *, cookie, duration: int, connections: int) -> dict:
    cmd = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "30s",
        "-s",
        str(ROOT / "bench" / "report.lua"),
    ]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("{"))
    return json.loads(line)


def load_with_threads(url: str, *, cookie, duration: int, connections: int) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + duration

    def worker():
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                status, _ = get(url, cookie)
            except OSError:
                status = 0
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    errors[0] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0

    return {
        "requests": len(ordered),
        "rps": len(ordered) / seconds,
        "p50": pct(50),
        "p95": pct(95),
        "p99": pct(99),
        "errors": errors[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--database-url", default=f"sqlite:///{VAR / 'portal-bench.sqlite3'}")
    parser.add_argument("--duration", type=int, default=5, help="seconds per page and round")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds over all pages; each page's best round is reported"
    )
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections")
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    args = parser.parse_args()
    tool = args.tool if args.tool != "auto" else ("wrk" if shutil.which("wrk") else "python")
    load = load_with_wrk if tool == "wrk" else load_with_threads

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_PRODUCTION", "DJANGO_SETTINGS"))}
    env.update(
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key-not-used-anywhere-else-0123456789",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CONN_MAX_AGE="60",
    )
    python = sys.executable
    load_now = os.getloadavg()[0]
    print(f"Database: {args.database_url} (recreated); load average {load_now:.1f} on {os.cpu_count()} CPUs")
    fresh_database(args.database_url)
    run([python, "manage.py", "migrate", "--noinput", "-v0"], env)
    started = time.monotonic()
    seeded = json.loads(run([python, "-m", "bench.seed", "--events", str(args.events)], env).splitlines()[-1])
    print(
        f"Seeded {seeded['events']:,} events ({seeded['published_upcoming']:,} published and upcoming), "
        f"{seeded['sessions']:,} sessions, {seeded['categories']} categories, {seeded['subjects']} subjects "
        f"in {time.monotonic() - started:.0f} s"
    )

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = [python, "-m", "gunicorn", "config.wsgi:application", "-w", "2", "-k", "sync"]
    server = subprocess.Popen(
        [*gunicorn, "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "120"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        wait_until_up(base, server)
        member = seeded["session_cookie"]
        pages = [
            ("minimal Django view", "/bench/minimal/", None),
            ("calendar list", "/events/", None),
            (
                "calendar list, category+subject",
                f"/events/?category={seeded['category']}&subject={seeded['subject']}",
                None,
            ),
            ("calendar list, text search", "/events/?q=maths+workshop", None),
            ("calendar list, page 100", "/events/?page=100", None),
            (
                f"calendar month ({seeded['month_events']} events)",
                f"/events/month/?month={seeded['month']}",
                None,
            ),
            ("event page", f"/events/{seeded['event_slug']}/", None),
            ("iCal feed (first 500 events)", "/events/calendar.ics", None),
            ("calendar list, member", "/events/", member),
            ("event page, member", f"/events/{seeded['event_slug']}/", member),
        ]
        probed = json.loads(run([python, "-m", "bench.probe", json.dumps(pages)], env).splitlines()[-1])
        for _, path, cookie in pages:  # warm up both workers, and check every page answers
            for _ in range(6):
                status, _ = get(base + path, cookie)
                if status != 200:
                    sys.exit(f"{path} answered {status}")
        print(
            f"gunicorn: 2 sync workers on {base}; load: {tool}, "
            f"{args.connections} connections, best of {args.rounds} rounds of {args.duration} s per page\n"
        )
        # Pages are measured in turn, round after round, and each page keeps its best round: other
        # work on a shared machine then slows a page's figures less than measuring it only once.
        best: dict[str, dict] = {}
        for _ in range(args.rounds):
            for name, path, cookie in pages:
                figures = load(
                    base + path, cookie=cookie, duration=args.duration, connections=args.connections
                )
                if name not in best or figures["rps"] > best[name]["rps"]:
                    best[name] = figures
        columns = ["req/s", "p50 ms", "p95 ms", "p99 ms"]
        header = (
            f"{'page':40} {'queries':>7} {'1 req ms':>8} "
            + " ".join(f"{c:>8}" for c in columns)
            + f" {'errors':>6} {'vs minimal':>11}"
        )
        print(header)
        print("-" * len(header))
        baseline = best[pages[0][0]]["rps"]
        results = []
        for name, path, _ in pages:
            figures = best[name]
            ratio = figures["rps"] / baseline
            results.append({"page": name, "path": path, **figures, "ratio_to_minimal": ratio, **probed[name]})
            numbers = [figures[k] for k in ("rps", "p50", "p95", "p99")]
            print(
                f"{name:40} {probed[name]['queries']:7d} {probed[name]['server_ms']:8.1f} "
                + " ".join(f"{n:8.1f}" for n in numbers)
                + f" {figures['errors']:6d} {ratio:10.2f}x"
            )
        VAR.mkdir(parents=True, exist_ok=True)
        out = VAR / "results.json"
        out.write_text(json.dumps({"seeded": seeded, "tool": tool, "results": results}, indent=2))
        print(
            "\n'queries' and '1 req ms': one request in-process, cache cleared (median of 5); "
            "the rest under load."
            f"\n'vs minimal' = the page's requests per second / the minimal view's. Load average: "
            f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}. Figures in {out}"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
