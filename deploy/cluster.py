"""The production setup on one machine: PostgreSQL, Redis, two gunicorn instances, nginx in front, the RQ worker.

    python deploy/cluster.py up       # start what is not running yet (idempotent; make cluster-up)
    python deploy/cluster.py status   # each process, its pid and whether it is alive
    python deploy/cluster.py down     # stop them, by the pids written at start (nothing else is touched)

PostgreSQL and Redis are the cluster's own: a PostgreSQL server initialised on first start in CLUSTER_DIR/pg
(initdb of the server binaries under /usr/lib/postgresql/*/bin, or PG_BIN; trust authentication, listening on
127.0.0.1:CLUSTER_PG_PORT only) and a redis-server on 127.0.0.1:CLUSTER_REDIS_PORT without persistence (a bench
cluster: its queue and counters may be lost). Run as root, PostgreSQL runs as the `postgres` account
(CLUSTER_PG_USER), which owns its data folder. With CLUSTER_DATABASE_URL or CLUSTER_REDIS_URL set, the cluster
uses that existing server instead and neither starts nor stops it.

The database (CLUSTER_DATABASE, "ocop_cluster") is created, migrated and given the demo catalogue on first
start, or with CLUSTER_CATALOGUE=synthetic bench/load_synthetic.py's 20,000 products. Everything it writes lives
under CLUSTER_DIR (instance/cluster): the data folder, the rendered nginx.conf, the pid files (run/), the logs
(log/), the uploads, the Prometheus multiprocess folders and a secret key made on first start. Ports, all on
127.0.0.1: NGINX_PORT (8100), APP_PORT_1 (8101), APP_PORT_2 (8102), CLUSTER_STRIPE_PORT (8103, the fake Stripe
that bench/faults.py serves), CLUSTER_PG_PORT (8104), CLUSTER_REDIS_PORT (8105). The app runs with
OCOP_ENV=production behind nginx (PROXY_FIX_HOPS=1), JSON logs, /metrics on each instance.
"""

import os
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg
import psycopg.sql
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
PYTHON_BIN = Path(os.environ.get("BIN") or Path(sys.executable).parent)
DIR = Path(os.environ.get("CLUSTER_DIR") or ROOT / "instance" / "cluster").resolve()
RUN, LOG, TMP = DIR / "run", DIR / "log", DIR / "tmp"
NGINX_PORT = int(os.environ.get("NGINX_PORT", "8100"))
APP_PORTS = (int(os.environ.get("APP_PORT_1", "8101")), int(os.environ.get("APP_PORT_2", "8102")))
STRIPE_PORT = int(os.environ.get("CLUSTER_STRIPE_PORT", "8103"))
PG_PORT = int(os.environ.get("CLUSTER_PG_PORT", "8104"))
REDIS_PORT = int(os.environ.get("CLUSTER_REDIS_PORT", "8105"))
DATABASE = os.environ.get("CLUSTER_DATABASE", "ocop_cluster")
#: An existing server to use instead of the cluster's own (then neither started nor stopped here).
EXTERNAL_DATABASE_URL = os.environ.get("CLUSTER_DATABASE_URL", "")
EXTERNAL_REDIS_URL = os.environ.get("CLUSTER_REDIS_URL", "")
DATABASE_URL = EXTERNAL_DATABASE_URL or f"postgresql+psycopg://postgres@127.0.0.1:{PG_PORT}/{DATABASE}"
REDIS_URL = EXTERNAL_REDIS_URL or f"redis://127.0.0.1:{REDIS_PORT}/0"
PG_DATA = DIR / "pg"
PG_ACCOUNT = os.environ.get("CLUSTER_PG_USER", "postgres")
WORKERS = os.environ.get("CLUSTER_WEB_CONCURRENCY", "2")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def pg_bin(tool: str) -> str:
    """A PostgreSQL server program: from PG_BIN, else the newest /usr/lib/postgresql/<version>/bin, else PATH."""
    folders = [Path(os.environ["PG_BIN"])] if os.environ.get("PG_BIN") else []
    folders += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    for folder in folders:
        if (folder / tool).exists():
            return str(folder / tool)
    found = shutil.which(tool)
    if found is None:
        raise SystemExit(f"{tool} not found: install the PostgreSQL server (apt-get install postgresql) or set PG_BIN")
    return found


def environment() -> dict[str, str]:
    """The app's settings for every process of the cluster."""
    DIR.mkdir(parents=True, exist_ok=True)
    key_file = DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    env = dict(os.environ)
    env.update({
        "OCOP_ENV": "production", "SECRET_KEY": key_file.read_text().strip(),
        "SITE_URL": f"http://127.0.0.1:{NGINX_PORT}", "TRUSTED_HOSTS": "127.0.0.1,localhost",
        "PROXY_FIX_HOPS": "1", "SESSION_COOKIE_SECURE": "0", "HSTS_SECONDS": "0",
        "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "UPLOAD_FOLDER": str(DIR / "uploads"),
        "LOG_FORMAT": "json", "METRICS_ENABLED": "1", "MAIL_TO_LOG": "1",
        "WEB_CONCURRENCY": WORKERS, "PYTHONPATH": str(ROOT),
    })
    # Card payments go to the fake Stripe of tests/fixtures/stripe.py that bench/faults.py serves on the loopback
    # (test-mode key; nothing leaves the machine), unless real settings are given.
    env.setdefault("STRIPE_SECRET_KEY", "sk_test_cluster")
    env.setdefault("STRIPE_API_BASE", f"http://127.0.0.1:{STRIPE_PORT}")
    env.setdefault("STRIPE_TIMEOUT_SECONDS", "5")
    return env


def _pid(name: str) -> int | None:
    path = PG_DATA / "postmaster.pid" if name == "postgres" else RUN / f"{name}.pid"
    try:
        pid = int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):  # missing, or being written
        return None
    try:
        os.kill(pid, 0)
    except OSError:
        return None
    return pid


def _wait_http(url: str, seconds: float = 120) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 the loopback URL built above
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        # As servers bind: a port held only by closed connections (TIME_WAIT) is free, a listening one is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _run(*command: str, env: dict | None = None, log_name: str | None = None) -> None:
    output = open(LOG / log_name, "ab") if log_name else subprocess.DEVNULL  # noqa: SIM115 closed by the child's end
    subprocess.run(command, check=True, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603


def _as_postgres_account() -> list[str]:
    """The prefix that runs a PostgreSQL program as its own account when we are root (initdb refuses root)."""
    return ["runuser", "-u", PG_ACCOUNT, "--"] if os.geteuid() == 0 else []


def _give_to_postgres_account(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, PG_ACCOUNT, PG_ACCOUNT)


def start_postgres() -> None:
    """The cluster's own PostgreSQL: initialised on first start, then started on 127.0.0.1:PG_PORT."""
    if EXTERNAL_DATABASE_URL:
        return
    if _pid("postgres"):
        print(f"postgres: already running (pid {_pid('postgres')}, 127.0.0.1:{PG_PORT})")
        return
    if not _port_free(PG_PORT):
        raise SystemExit(f"postgres: port {PG_PORT} is taken; set CLUSTER_PG_PORT")
    if not (PG_DATA / "PG_VERSION").exists():
        PG_DATA.mkdir(parents=True, exist_ok=True)
        PG_DATA.chmod(0o700)
        _give_to_postgres_account(PG_DATA)
        _run(*_as_postgres_account(), pg_bin("initdb"), "-D", str(PG_DATA), "-U", "postgres", "--auth=trust",
             "--encoding=UTF8", "--locale=C.UTF-8", log_name="setup.log")
    log = LOG / "postgresql.log"
    log.touch()
    _give_to_postgres_account(log)
    # TCP on the loopback only, no Unix socket (nothing to clash with the machine's own server).
    options = f"-p {PG_PORT} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
    _run(*_as_postgres_account(), pg_bin("pg_ctl"), "-D", str(PG_DATA), "-l", str(log), "-o", options,
         "-w", "-t", "60", "start", log_name="setup.log")
    print(f"postgres: 127.0.0.1:{PG_PORT} (pid {_pid('postgres')}, data {PG_DATA})")


def stop_postgres(mode: str = "fast") -> None:
    """Stop the cluster's own PostgreSQL (pg_ctl, which signals the pid in its postmaster.pid)."""
    if EXTERNAL_DATABASE_URL or not _pid("postgres"):
        print("postgres: not running" if not EXTERNAL_DATABASE_URL else "postgres: external, left alone")
        return
    pid = _pid("postgres")
    _run(*_as_postgres_account(), pg_bin("pg_ctl"), "-D", str(PG_DATA), "-m", mode, "-w", "-t", "60", "stop",
         log_name="setup.log")
    print(f"postgres: stopped (pid {pid})")


def start_redis() -> None:
    """The cluster's own redis-server on 127.0.0.1:REDIS_PORT, without persistence."""
    if EXTERNAL_REDIS_URL:
        return
    if _pid("redis"):
        print(f"redis: already running (pid {_pid('redis')}, 127.0.0.1:{REDIS_PORT})")
        return
    if not _port_free(REDIS_PORT):
        raise SystemExit(f"redis: port {REDIS_PORT} is taken; set CLUSTER_REDIS_PORT")
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    _run(server, "--bind", "127.0.0.1", "--port", str(REDIS_PORT), "--save", "", "--appendonly", "no",
         "--daemonize", "yes", "--pidfile", str(RUN / "redis.pid"), "--logfile", str(LOG / "redis.log"),
         "--dir", str(DIR), log_name="setup.log")
    for _ in range(100):
        if _pid("redis") and not _port_free(REDIS_PORT):
            break
        time.sleep(0.1)
    print(f"redis: 127.0.0.1:{REDIS_PORT} (pid {_pid('redis')})")


def stop_redis() -> None:
    if EXTERNAL_REDIS_URL:
        print("redis: external, left alone")
        return
    _stop("redis", signal.SIGTERM)


def _connect_server():
    """A connection to the database server's maintenance database, from DATABASE_URL."""
    url = make_url(DATABASE_URL)
    return psycopg.connect(host=url.host or "127.0.0.1", port=url.port or 5432, user=url.username or "postgres",
                           password=url.password, dbname="postgres", autocommit=True)


def prepare_database(env: dict) -> None:
    """Create the cluster's database on first start, migrate it, and load the catalogue once.

    The catalogue loaded (CLUSTER_CATALOGUE: demo, the default, or synthetic) is written beside the data and
    kept by later starts; naming the other one explicitly drops and recreates the cluster's own database (an
    external one is refused).
    """
    name = make_url(DATABASE_URL).database
    marker = DIR / f"catalogue-{name}"
    loaded = marker.read_text().strip() if marker.exists() else ""
    wanted = os.environ.get("CLUSTER_CATALOGUE") or loaded or "demo"
    if wanted not in ("demo", "synthetic"):
        raise SystemExit(f"CLUSTER_CATALOGUE is demo or synthetic, not {wanted!r}")
    with _connect_server() as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and loaded and loaded != wanted:
            if EXTERNAL_DATABASE_URL:
                raise SystemExit(f"database {name} holds the {loaded} catalogue; drop it to load the {wanted} one")
            print(f"database {name}: the {loaded} catalogue is replaced by the {wanted} one")
            connection.execute(psycopg.sql.SQL("DROP DATABASE {} WITH (FORCE)").format(psycopg.sql.Identifier(name)))
            exists, loaded = None, ""
            marker.unlink()
        if not exists:
            connection.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
            marker.unlink(missing_ok=True)
            loaded = ""
    flask = str(PYTHON_BIN / "flask")
    _run(flask, "--app", "wsgi", "db", "upgrade", env=env, log_name="setup.log")
    if not loaded:
        print(f"database {name}: loading the {wanted} catalogue (see {LOG / 'setup.log'})")
        if wanted == "synthetic":  # bench/load_synthetic.py: 20,000 products
            _run(str(PYTHON_BIN / "python"), "bench/load_synthetic.py", env=env, log_name="setup.log")
        else:
            _run(flask, "--app", "wsgi", "demo", "load", env=env, log_name="setup.log")
        marker.write_text(wanted)


def start_app(index: int, port: int, env: dict) -> None:
    name = f"app{index}"
    if _pid(name):
        print(f"{name}: already running (pid {_pid(name)})")
        return
    if not _port_free(port):
        raise SystemExit(f"{name}: port {port} is taken; set APP_PORT_{index}")
    metrics_dir = DIR / "prometheus" / name
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    app_env = dict(env, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir), GUNICORN_BIND=f"127.0.0.1:{port}")
    _run(str(PYTHON_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app", "--daemon", "--no-control-socket",
         "--pid", str(RUN / f"{name}.pid"), "--access-logfile", str(LOG / f"{name}-access.log"),
         "--error-logfile", str(LOG / f"{name}.log"), "--capture-output", env=app_env)
    if not _wait_http(f"http://127.0.0.1:{port}/healthz"):
        raise SystemExit(f"{name} did not answer on port {port}: see {LOG / (name + '.log')}")
    print(f"{name}: http://127.0.0.1:{port} (pid {_pid(name)})")


def start_worker(env: dict) -> None:
    if _pid("worker"):
        print(f"worker: already running (pid {_pid('worker')})")
        return
    log = open(LOG / "worker.log", "ab")  # noqa: SIM115 handed to the worker process
    process = subprocess.Popen(  # noqa: S603
        [str(PYTHON_BIN / "flask"), "--app", "wsgi", "jobs", "worker", "--schedule"], cwd=ROOT, env=env,
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    (RUN / "worker.pid").write_text(str(process.pid))
    print(f"worker: pid {process.pid} (flask jobs worker --schedule)")


def render_nginx() -> Path:
    template = string.Template((ROOT / "deploy" / "nginx.conf.template").read_text())
    values = {"RUN_DIR": RUN, "LOG_DIR": LOG, "TMP_DIR": TMP, "NGINX_PORT": NGINX_PORT,
              "APP_PORT_1": APP_PORTS[0], "APP_PORT_2": APP_PORTS[1], "STATIC_DIR": ROOT / "static",
              "UPLOAD_DIR": DIR / "uploads", "DEPLOY_DIR": ROOT / "deploy"}
    conf = DIR / "nginx.conf"
    conf.write_text(template.safe_substitute({key: str(value) for key, value in values.items()}))
    return conf


def start_nginx() -> None:
    if _pid("nginx"):
        subprocess.run([NGINX, "-p", str(DIR), "-c", str(render_nginx()), "-s", "reload"], check=True)  # noqa: S603
        print(f"nginx: reloaded (pid {_pid('nginx')})")
        return
    if not _port_free(NGINX_PORT):
        raise SystemExit(f"nginx: port {NGINX_PORT} is taken; set NGINX_PORT")
    conf = render_nginx()
    subprocess.run([NGINX, "-p", str(DIR), "-c", str(conf), "-t", "-q"], check=True)  # noqa: S603
    subprocess.run([NGINX, "-p", str(DIR), "-c", str(conf)], check=True)  # noqa: S603
    if not _wait_http(f"http://127.0.0.1:{NGINX_PORT}/healthz"):
        raise SystemExit(f"nginx did not answer on port {NGINX_PORT}: see {LOG / 'nginx-error.log'}")
    print(f"nginx: http://127.0.0.1:{NGINX_PORT} (pid {_pid('nginx')})")


def up() -> None:
    for folder in (RUN, LOG, TMP, DIR / "uploads"):
        folder.mkdir(parents=True, exist_ok=True)
    env = environment()
    start_postgres()
    start_redis()
    pg = make_url(DATABASE_URL)
    subprocess.run([pg_bin("pg_isready"), "-h", pg.host or "127.0.0.1", "-p", str(pg.port or 5432), "-q",  # noqa: S603
                    "-t", "30"], check=True)
    subprocess.run(["redis-cli", "-u", REDIS_URL, "ping"], check=True, stdout=subprocess.DEVNULL)  # noqa: S603 S607
    prepare_database(env)
    for index, port in enumerate(APP_PORTS, start=1):
        start_app(index, port, env)
    start_worker(env)
    start_nginx()


def _stop(name: str, how: signal.Signals) -> None:
    pid = _pid(name)
    if pid is None:
        print(f"{name}: not running")
        return
    os.kill(pid, how)
    for _ in range(100):
        if _pid(name) is None:
            break
        time.sleep(0.1)
    print(f"{name}: stopped (pid {pid})")
    (RUN / f"{name}.pid").unlink(missing_ok=True)


def down() -> None:
    for name in ("nginx", "worker", "app1", "app2"):
        _stop(name, signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
    stop_redis()
    stop_postgres()


def status() -> None:
    for name in ("nginx", "app1", "app2", "worker", "redis", "postgres"):
        pid = _pid(name)
        external = (name == "redis" and EXTERNAL_REDIS_URL) or (name == "postgres" and EXTERNAL_DATABASE_URL)
        print(f"{name:<9} {'external' if external else 'running, pid ' + str(pid) if pid else 'stopped'}")


if __name__ == "__main__":
    commands = {"up": up, "down": down, "status": status}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        raise SystemExit("usage: python deploy/cluster.py up|down|status")
    commands[sys.argv[1]]()
