"""The production setup on one machine: two gunicorn instances, nginx in front, the RQ worker (make cluster-up).

    python deploy/cluster.py up       # start what is not running yet (idempotent)
    python deploy/cluster.py status   # each process, its pid and whether it is alive
    python deploy/cluster.py down     # stop them, by the pids written at start (nothing else is touched)

Uses the PostgreSQL and Redis already running on 127.0.0.1 (it starts neither): a database of its own
(CLUSTER_DATABASE, "ocop_cluster"; created, migrated and given the demo catalogue on first start, or with
CLUSTER_CATALOGUE=synthetic bench/load_synthetic.py's 20,000 products) and Redis
database CLUSTER_REDIS_DB (7). Everything it writes lives under CLUSTER_DIR (instance/cluster): the rendered
nginx.conf, the pid files (run/), the logs (log/), the uploads, the Prometheus multiprocess folders and a secret
key made on first start. Ports: NGINX_PORT (8100), APP_PORT_1 (8101), APP_PORT_2 (8102), all on 127.0.0.1.
The app runs with OCOP_ENV=production behind nginx (PROXY_FIX_HOPS=1), JSON logs, /metrics on each instance.
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

ROOT = Path(__file__).resolve().parent.parent
PYTHON_BIN = Path(os.environ.get("BIN") or Path(sys.executable).parent)
DIR = Path(os.environ.get("CLUSTER_DIR") or ROOT / "instance" / "cluster").resolve()
RUN, LOG, TMP = DIR / "run", DIR / "log", DIR / "tmp"
NGINX_PORT = int(os.environ.get("NGINX_PORT", "8100"))
APP_PORTS = (int(os.environ.get("APP_PORT_1", "8101")), int(os.environ.get("APP_PORT_2", "8102")))
DATABASE = os.environ.get("CLUSTER_DATABASE", "ocop_cluster")
PGHOST, PGPORT, PGUSER = (os.environ.get("PGHOST", "127.0.0.1"), os.environ.get("PGPORT", "5432"),
                          os.environ.get("PGUSER", "postgres"))
REDIS_DB = os.environ.get("CLUSTER_REDIS_DB", "7")
WORKERS = os.environ.get("CLUSTER_WEB_CONCURRENCY", "2")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


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
        "DATABASE_URL": f"postgresql+psycopg://{PGUSER}@{PGHOST}:{PGPORT}/{DATABASE}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}", "UPLOAD_FOLDER": str(DIR / "uploads"),
        "LOG_FORMAT": "json", "METRICS_ENABLED": "1", "MAIL_TO_LOG": "1",
        "WEB_CONCURRENCY": WORKERS, "PYTHONPATH": str(ROOT),
    })
    return env


def _pid(name: str) -> int | None:
    path = RUN / f"{name}.pid"
    try:
        pid = int(path.read_text().strip())
    except (OSError, ValueError):
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
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _run(*command: str, env: dict | None = None, log_name: str | None = None) -> None:
    output = open(LOG / log_name, "ab") if log_name else subprocess.DEVNULL  # noqa: SIM115 closed by the child's end
    subprocess.run(command, check=True, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603


def prepare_database(env: dict) -> None:
    """Create the cluster's database on first start, migrate it, and load the demo catalogue once."""
    with psycopg.connect(host=PGHOST, port=PGPORT, user=PGUSER, dbname="postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone()
        if not exists:
            connection.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(DATABASE)))
    flask = str(PYTHON_BIN / "flask")
    _run(flask, "--app", "wsgi", "db", "upgrade", env=env, log_name="setup.log")
    marker = DIR / "catalogue-loaded"
    if not marker.exists():
        if os.environ.get("CLUSTER_CATALOGUE") == "synthetic":  # bench/load_synthetic.py: 20,000 products
            _run(str(PYTHON_BIN / "python"), "bench/load_synthetic.py", env=env, log_name="setup.log")
        else:
            _run(flask, "--app", "wsgi", "demo", "load", env=env, log_name="setup.log")
        marker.touch()


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
              "UPLOAD_DIR": DIR / "uploads"}
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
    subprocess.run(["pg_isready", "-h", PGHOST, "-p", PGPORT, "-q"], check=True)  # noqa: S603 S607
    subprocess.run(["redis-cli", "-n", REDIS_DB, "ping"], check=True, stdout=subprocess.DEVNULL)  # noqa: S603 S607
    prepare_database(env)
    for index, port in enumerate(APP_PORTS, start=1):
        start_app(index, port, env)
    start_worker(env)
    start_nginx()


def down() -> None:
    for name in ("nginx", "worker", "app1", "app2"):
        pid = _pid(name)
        if pid is None:
            print(f"{name}: not running")
            continue
        os.kill(pid, signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
        for _ in range(100):
            if _pid(name) is None:
                break
            time.sleep(0.1)
        print(f"{name}: stopped (pid {pid})")
        (RUN / f"{name}.pid").unlink(missing_ok=True)


def status() -> None:
    for name in ("nginx", "app1", "app2", "worker"):
        pid = _pid(name)
        print(f"{name:<7} {'running, pid ' + str(pid) if pid else 'stopped'}")


if __name__ == "__main__":
    commands = {"up": up, "down": down, "status": status}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        raise SystemExit("usage: python deploy/cluster.py up|down|status")
    commands[sys.argv[1]]()
