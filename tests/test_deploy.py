"""The cluster's nginx configuration (deploy/nginx.conf.template, rendered by deploy/cluster.py) is valid nginx,
proxies to both app servers and serves static files and uploads itself with long cache headers."""

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

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
