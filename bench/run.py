"""Benchmark: the storefront against a minimal yardstick page, on a synthetic 20,000-product catalogue.

    make bench                              # PostgreSQL at 127.0.0.1:5432, user postgres
    .venv/bin/python bench/run.py --sqlite  # a throw-away SQLite file instead

Steps: create a throw-away database, `flask db upgrade heads`, load the synthetic catalogue
(bench/load_synthetic.py), start gunicorn for the app (wsgi:app) and for the yardstick
(bench/yardstick.py) and for the bare flat-table pages (bench/bare.py, which first fills its own
`bare_products` table from the public products) with the same settings, measure each URL with wrk (or,
without wrk, a small threaded Python load generator), print requests per second, p50 and p99 and the
ratios of issue 15, then stop the servers and drop the database. Everything listens on and talks to 127.0.0.1 only, and every step has a time limit.
"""

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"


@dataclass
class Result:
    label: str
    path: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    tool: str


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# --- database -------------------------------------------------------------------------------------

class Database:
    """A throw-away database: created on enter, dropped on exit."""

    def __init__(self, sqlite: bool, pg_url: str):
        self.sqlite = sqlite
        self.pg_url = pg_url.rstrip("/")
        self.name = f"ocop_bench_{os.getpid()}"
        self.directory: str | None = None
        self.url = ""

    def __enter__(self) -> "Database":
        if self.sqlite:
            self.directory = tempfile.mkdtemp(prefix="ocop-bench-")
            self.url = f"sqlite:///{self.directory}/bench.sqlite3"
        else:
            self._admin(f'CREATE DATABASE "{self.name}"')
            self.url = f"{self.pg_url}/{self.name}"
        return self

    def __exit__(self, *exc) -> None:
        if self.sqlite:
            if self.directory:
                shutil.rmtree(self.directory, ignore_errors=True)
        else:
            with suppress(Exception):
                self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
                log(f"dropped database {self.name}")

    def _admin(self, statement: str) -> None:
        import sqlalchemy as sa

        engine = sa.create_engine(f"{self.pg_url}/postgres", isolation_level="AUTOCOMMIT",
                                  connect_args={"connect_timeout": 10})
        try:
            with engine.connect() as connection:
                connection.execute(sa.text(statement))
        finally:
            engine.dispose()

    def public_product_slug(self) -> str:
        """The slug of some public product (the listing rule, evaluated here in SQL)."""
        import sqlalchemy as sa

        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as connection:
                return connection.execute(sa.text(
                    "SELECT p.slug FROM products p JOIN producers pr ON pr.id = p.producer_id "
                    "WHERE p.status = 'active' AND pr.verification_status = 'verified' AND p.star_level >= 3 "
                    "AND p.certified_until >= CURRENT_DATE ORDER BY p.id LIMIT 1 OFFSET 1000"
                )).scalar_one()
        finally:
            engine.dispose()


# --- servers --------------------------------------------------------------------------------------

class Server:
    """A gunicorn process group on 127.0.0.1, stopped (by its own id) on exit."""

    def __init__(self, name: str, target: str, env: dict, workers: int, threads: int, ready_path: str):
        self.name, self.target, self.env = name, target, env
        self.workers, self.threads, self.ready_path = workers, threads, ready_path
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log_file = tempfile.NamedTemporaryFile(prefix=f"ocop-bench-{name}-", suffix=".log", delete=False)

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self) -> "Server":
        command = [
            str(BIN / "gunicorn"), "--bind", f"{HOST}:{self.port}", "--workers", str(self.workers),
            "--threads", str(self.threads), "--worker-class", "gthread" if self.threads > 1 else "sync",
            "--timeout", "30", "--graceful-timeout", "5", "--log-level", "warning", "--chdir", str(ROOT), self.target,
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self.log_file,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early; see {self.log_file.name}")
            with suppress(OSError):
                with urllib.request.urlopen(self.base + self.ready_path, timeout=5) as response:
                    if response.status == 200:
                        return self
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not answer within 60 s; see {self.log_file.name}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.log_file.close()
        if exc[0] is None:
            # Keep the server's log only when something went wrong.
            Path(self.log_file.name).unlink(missing_ok=True)


# --- load generators ------------------------------------------------------------------------------

def _milliseconds(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


#: Sent by both load generators: a signed-in session is bound to the client's address and User-Agent.
USER_AGENT = "ocop-bench"


def measure_wrk(url: str, seconds: int, connections: int, threads: int, cookie: str = "") -> tuple[float, float, float, int]:
    headers = ["-H", f"User-Agent: {USER_AGENT}"] + (["-H", f"Cookie: {cookie}"] if cookie else [])
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency", *headers, url],
        capture_output=True, text=True, timeout=seconds + 30, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    failed = int(errors.group(1)) if errors else 0
    if socket_errors:
        failed += sum(int(group) for group in socket_errors.groups())
    return rps, _milliseconds(*p50.groups()), _milliseconds(*p99.groups()), failed


def measure_python(url: str, seconds: int, connections: int, cookie: str = "") -> tuple[float, float, float, int]:
    """A small closed-loop load generator: `connections` threads, each sending one request after another."""
    match = re.match(r"http://([^:/]+):(\d+)(/.*)", url)
    host, port, path = match.group(1), int(match.group(2)), match.group(3)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker():
        connection = http.client.HTTPConnection(host, port, timeout=10)
        local, failed = [], 0
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"User-Agent": USER_AGENT, **({"Cookie": cookie} if cookie else {})})
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    failed += 1
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=10)
            local.append((time.perf_counter() - started) * 1000)
        connection.close()
        with lock:
            latencies.extend(local)
            errors[0] += failed

    workers = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    started = time.monotonic()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=seconds + 15)
    elapsed = time.monotonic() - started
    if not latencies:
        return 0.0, 0.0, 0.0, errors[0]
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return len(latencies) / elapsed, statistics.median(latencies), p99, errors[0]


def ensure_wrk() -> bool:
    """True when wrk is available (installed from Debian's packages if missing and we may)."""
    if shutil.which("wrk"):
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("wrk is missing: apt-get install -y wrk")
        with suppress(subprocess.SubprocessError, OSError):
            subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], capture_output=True, timeout=180, check=True)
    return shutil.which("wrk") is not None


def warm_up(url: str, connections: int, cookie: str = "") -> int:
    """Requests from `connections` threads at once before measuring, so that every worker has compiled its
    templates and filled its caches (sequential requests can all land on one worker); the last status."""
    statuses: list[int] = []

    def fetch_several():
        for _ in range(10):
            try:
                headers = {"User-Agent": USER_AGENT, **({"Cookie": cookie} if cookie else {})}
                with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
                    response.read()
                    statuses.append(response.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)

    threads = [threading.Thread(target=fetch_several) for _ in range(max(2, connections))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses[-1] if statuses else 0


# --- main -----------------------------------------------------------------------------------------

def run(args) -> list[Result]:
    uploads = tempfile.mkdtemp(prefix="ocop-bench-uploads-")
    try:
        return _run(args, uploads)
    finally:
        shutil.rmtree(uploads, ignore_errors=True)


def _run(args, uploads: str) -> list[Result]:
    env = dict(os.environ)
    with Database(args.sqlite, args.pg_url) as database:
        env.update({
            "DATABASE_URL": database.url, "OCOP_ENV": "development", "FLASK_DEBUG": "0",
            "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789", "MAIL_TO_LOG": "1",
            "UPLOAD_FOLDER": uploads, "PYTHONUNBUFFERED": "1",
        })
        log(f"database: {'SQLite' if args.sqlite else 'PostgreSQL'} {database.url}")
        upgrade = subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade", "heads"], cwd=ROOT, env=env,
                                 timeout=300, capture_output=True, text=True)
        if upgrade.returncode:
            raise RuntimeError(f"flask db upgrade failed:\n{upgrade.stderr[-3000:]}")
        log(f"loading {args.products} products from {args.producers} producers")
        subprocess.run([str(BIN / "python"), str(ROOT / "bench" / "load_synthetic.py"), "--products",
                        str(args.products), "--producers", str(args.producers)],
                       cwd=ROOT, env=env, check=True, timeout=900)
        slug = database.public_product_slug()
        filled = subprocess.run([str(BIN / "python"), str(ROOT / "bench" / "bare.py")], cwd=ROOT, env=env,
                                timeout=300, capture_output=True, text=True)
        if filled.returncode:
            raise RuntimeError(f"bench/bare.py (filling bare_products) failed:\n{filled.stderr[-3000:]}")
        log(filled.stdout.strip())
        use_wrk = not args.python_client and ensure_wrk()
        tool = "wrk" if use_wrk else "python"
        log(f"gunicorn -w {args.workers} --threads {args.threads}; {args.connections} connections, "
            f"{args.seconds} s per URL, load generator: {tool}")
        cookie = subprocess.run([str(BIN / "python"), str(ROOT / "bench" / "session_cookie.py"), "--user-agent",
                                 USER_AGENT], cwd=ROOT, env=env, timeout=120, capture_output=True, text=True,
                                check=True).stdout.strip()
        storefront = [
            ("home", "/"),
            ("catalogue", "/products?group=1.4&stars=4&sort=price_asc&page=2"),
            ("search", "/products?q=nuoc+mam"),
            ("product", f"/products/{slug}"),
            ("unfiltered", "/products?page=2"),
        ]
        targets = [("app", label, path, "") for label, path in storefront] + [
            ("app", "suggest", "/search/suggest?q=nuoc", ""),
            *[("app", f"{label}-in", path, cookie) for label, path in storefront],
            ("app", "suggest-in", "/search/suggest?q=nuoc", cookie),
            ("yardstick", "yardstick", "/?group=1.4&page=2", ""),
            ("bare", "bare-list", "/products?group=1.4&page=2", ""),
            ("bare", "bare-product", f"/products/{slug}", ""),
        ]
        results = []
        with Server("app", "wsgi:app", env, args.workers, args.threads, "/healthz") as app_server, \
                Server("yardstick", "bench.yardstick:app", env, args.workers, args.threads, "/") as yardstick, \
                Server("bare", "bench.bare:app", env, args.workers, args.threads, "/products") as bare:
            servers = {"app": app_server, "yardstick": yardstick, "bare": bare}
            for server_name, label, path, cookie in targets:
                status = warm_up(servers[server_name].base + path, args.connections, cookie)
                if status != 200:
                    log(f"warning: {label} {path} answered {status}")
            # Every URL once per round, the rounds one after another: a burst of the machine's other work lands
            # on one URL of one round, and the median over the rounds leaves it out.
            runs: dict[str, list[tuple[float, float, float, int]]] = {label: [] for _, label, _, _ in targets}
            for round_number in range(1, args.rounds + 1):
                for server_name, label, path, cookie in targets:
                    url = servers[server_name].base + path
                    if use_wrk:
                        measured = measure_wrk(url, args.seconds, args.connections, min(2, args.connections), cookie)
                    else:
                        measured = measure_python(url, args.seconds, args.connections, cookie)
                    runs[label].append(measured)
                    rps, p50, p99, _errors = measured
                    log(f"round {round_number} {label:<14} {rps:8.1f} req/s  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms")
            for _server_name, label, path, _cookie in targets:
                measured = runs[label]
                results.append(Result(label, path, statistics.median(m[0] for m in measured),
                                      statistics.median(m[1] for m in measured),
                                      statistics.median(m[2] for m in measured), sum(m[3] for m in measured), tool))
    return results


def report(results: list[Result], args) -> None:
    print()
    print(f"OCOP Market benchmark: {args.products} products, {'SQLite' if args.sqlite else 'PostgreSQL'}, "
          f"gunicorn -w {args.workers} --threads {args.threads}, {args.connections} connections, "
          f"{args.seconds} s per URL, median of {args.rounds} rounds ({results[0].tool if results else '-'}); "
          f"load average {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    print("(label-in: the same page for a signed-in shopper)")
    print(f"{'page':<15}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}  url")
    for result in results:
        print(f"{result.label:<15}{result.rps:>9.1f}{result.p50_ms:>9.1f}{result.p99_ms:>9.1f}{result.errors:>8}  "
              f"{result.path}")
    by_label = {result.label: result for result in results}
    yardstick = by_label.get("yardstick")
    if yardstick and yardstick.rps:
        for label in ("catalogue", "search"):
            if label in by_label:
                ratio = by_label[label].rps / yardstick.rps
                print(f"{label}/yardstick: {ratio:.2f}x  (goal >= 0.5x)")
    if "search" in by_label:
        search = by_label["search"]
        print(f"search latency: p50 {search.p50_ms:.1f} ms (goal <= 20), p99 {search.p99_ms:.1f} ms (goal <= 50)")
    # Issue 15: the bare flat-table pages (bench/bare.py) as the framework's ceiling, anonymous visitors.
    bare_list, bare_product = by_label.get("bare-list"), by_label.get("bare-product")
    if bare_list and bare_list.rps:
        print("against the bare Flask pages (issue 15, anonymous visitors):")
        for label, goal in (("catalogue", 1.0), ("search", 1.0), ("home", 1.0), ("unfiltered", None)):
            if label in by_label:
                goal_text = f"goal >= {goal:.1f}x" if goal else "goal: what a filtered listing costs"
                print(f"  {label}/bare-list: {by_label[label].rps / bare_list.rps:.2f}x  ({goal_text})")
    if bare_product and bare_product.rps and "product" in by_label:
        print(f"  product/bare-product: {by_label['product'].rps / bare_product.rps:.2f}x  (goal >= 0.8x)")
    if "suggest" in by_label:
        print(f"  suggestions p50: {by_label['suggest'].p50_ms:.1f} ms  (goal < 5 ms)")
    if bare_list and bare_list.rps:
        print("against the bare listing, signed-in visitors (no shared cache; goal >= 0.5x each):")
        for label in ("home", "catalogue", "search", "product", "unfiltered"):
            if f"{label}-in" in by_label:
                print(f"  {label}/bare-list signed in: {by_label[f'{label}-in'].rps / bare_list.rps:.2f}x")
    if "suggest-in" in by_label:
        print(f"  suggestions p50 signed in: {by_label['suggest-in'].p50_ms:.1f} ms  (goal < 5 ms)")
    errors = sum(result.errors for result in results)
    print(f"  errors: {errors}  (goal 0)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite", action="store_true", help="use a throw-away SQLite file instead of PostgreSQL")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432"),
                        help="PostgreSQL server URL without a database name")
    parser.add_argument("--products", type=int, default=20000)
    parser.add_argument("--producers", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=5, help="measuring time per URL and round (1-60)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="measure every URL this many times, round by round; the medians are printed")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=None,
                        help="concurrent connections (default: workers x threads, so latency is not queueing time)")
    parser.add_argument("--python-client", action="store_true", help="use the Python load generator even if wrk exists")
    args = parser.parse_args(argv)
    args.seconds = max(1, min(args.seconds, 60))
    args.rounds = max(1, min(args.rounds, 20))
    args.connections = max(1, args.connections or args.workers * args.threads)
    if "127.0.0.1" not in args.pg_url and "localhost" not in args.pg_url:
        parser.error("the benchmark only talks to 127.0.0.1")
    # SIGTERM (e.g. from a CI timeout) unwinds through the context managers, so servers stop and the database goes.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results = run(args)
    report(results, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
