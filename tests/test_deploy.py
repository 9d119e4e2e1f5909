"""The cluster's nginx configuration (deploy/nginx.conf.template, rendered by deploy/cluster.py) is valid nginx,
proxies to both app servers and serves static files and uploads itself with long cache headers; the cluster runs
its own PostgreSQL and Redis (started and stopped by their pids) unless it is pointed at existing ones."""

import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest
import redis

ROOT = Path(__file__).resolve().parent.parent


def _cluster_module(tmp_path, monkeypatch):
    monkeypatch.setenv("CLUSTER_DIR", str(tmp_path))
    monkeypatch.setenv("NGINX_PORT", "18100")
    monkeypatch.setenv("APP_PORT_1", "18101")
    monkeypatch.setenv("APP_PORT_2", "18102")
    spec = importlib.util.spec_from_file_location("cluster_under_test", ROOT / "deploy" / "cluster.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_rendered_nginx_configuration(tmp_path, monkeypatch):
    cluster = _cluster_module(tmp_path, monkeypatch)
    for folder in (cluster.RUN, cluster.LOG, cluster.TMP):
        folder.mkdir(parents=True)
    text = cluster.render_nginx().read_text()
    assert "${" not in text
    assert "server 127.0.0.1:18101" in text and "server 127.0.0.1:18102" in text
    assert "listen 127.0.0.1:18100;" in text and f"alias {ROOT / 'static'}/;" in text
    assert f"alias {tmp_path / 'uploads'}/;" in text and "max-age=31536000, immutable" in text
    assert "client_max_body_size 21m;" in text and "proxy_read_timeout 35s;" in text
    assert "proxy_set_header X-Request-ID $request_id;" in text
    # A dead instance's 502 is the site's own Vietnamese page, served by nginx as a 503.
    assert "error_page 502 504 =503 /unavailable.html;" in text and f"root {ROOT / 'deploy'};" in text
    page = (ROOT / "deploy" / "unavailable.html").read_text()
    assert '<html lang="vi">' in page and "Tạm thời không khả dụng" in page and 'href="/orders"' in page
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        pytest.skip("nginx is not installed: the configuration's syntax is not checked")
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],  # noqa: S603
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_the_cluster_runs_the_app_in_production_behind_one_proxy(tmp_path, monkeypatch):
    cluster = _cluster_module(tmp_path, monkeypatch)
    env = cluster.environment()
    assert env["OCOP_ENV"] == "production" and env["PROXY_FIX_HOPS"] == "1"
    assert env["SITE_URL"] == "http://127.0.0.1:18100" and len(env["SECRET_KEY"]) >= 32
    assert env["LOG_FORMAT"] == "json" and env["METRICS_ENABLED"] == "1"
    assert cluster.environment()["SECRET_KEY"] == env["SECRET_KEY"]  # made once, kept


def test_the_cluster_has_its_own_postgresql_and_redis_unless_told_otherwise(tmp_path, monkeypatch):
    monkeypatch.setenv("CLUSTER_PG_PORT", "18104")
    monkeypatch.setenv("CLUSTER_REDIS_PORT", "18105")
    monkeypatch.delenv("CLUSTER_DATABASE_URL", raising=False)
    monkeypatch.delenv("CLUSTER_REDIS_URL", raising=False)
    env = _cluster_module(tmp_path, monkeypatch).environment()
    assert env["DATABASE_URL"] == "postgresql+psycopg://postgres@127.0.0.1:18104/ocop_cluster"
    assert env["REDIS_URL"] == "redis://127.0.0.1:18105/0"
    assert env["STRIPE_API_BASE"].startswith("http://127.0.0.1:")  # the fake Stripe of bench/faults.py
    monkeypatch.setenv("CLUSTER_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/ocop_elsewhere")
    monkeypatch.setenv("CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/7")
    cluster = _cluster_module(tmp_path, monkeypatch)
    env = cluster.environment()
    assert env["DATABASE_URL"].endswith("/ocop_elsewhere") and env["REDIS_URL"] == "redis://127.0.0.1:6379/7"
    cluster.stop_postgres()  # an external server is never stopped here
    cluster.stop_redis()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_clusters_own_servers_start_and_stop_by_their_pids(monkeypatch):
    """initdb, pg_ctl start/stop and redis-server on free loopback ports, in a folder of their own."""
    if shutil.which("redis-server") is None or not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        pytest.skip("the PostgreSQL server programs or redis-server are not installed")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("run as root, the cluster's PostgreSQL needs the postgres account")
    folder = Path(tempfile.mkdtemp(prefix="ocop-cluster-"))
    folder.chmod(0o755)  # run as root, PostgreSQL runs as its own account, which must reach its data folder
    monkeypatch.setenv("CLUSTER_PG_PORT", str(_free_port()))
    monkeypatch.setenv("CLUSTER_REDIS_PORT", str(_free_port()))
    monkeypatch.delenv("CLUSTER_DATABASE_URL", raising=False)
    monkeypatch.delenv("CLUSTER_REDIS_URL", raising=False)
    cluster = _cluster_module(folder, monkeypatch)
    for sub in (cluster.RUN, cluster.LOG):
        sub.mkdir(parents=True)
    try:
        cluster.start_postgres()
        cluster.start_redis()
        assert cluster._pid("postgres") and cluster._pid("redis")
        with psycopg.connect(host="127.0.0.1", port=cluster.PG_PORT, user="postgres", dbname="postgres") as db:
            assert db.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
        assert redis.Redis.from_url(cluster.REDIS_URL).config_get("save") == {"save": ""}
    finally:
        cluster.stop_redis()
        cluster.stop_postgres()
    assert cluster._pid("postgres") is None and cluster._pid("redis") is None
    shutil.rmtree(folder, ignore_errors=True)
