"""deploy/nginx.conf, the example config for replicas behind nginx: the facts the replicas need.

Static checks of the file, the rewriting that deploy/run_replicas.py does, and `nginx -t` on
the result (skipped without nginx, a failure under CI). tests/test_browser_replicas.py runs it.
"""

from __future__ import annotations

import re
import subprocess
import tomllib

import pytest

from deploy.run_replicas import NGINX_CONF, REPO, render_nginx_conf

TEXT = NGINX_CONF.read_text()
CONFIG = re.sub(r"#[^\n]*", "", TEXT)  # directives only, comments removed


def block(name: str) -> str:
    """The body of the first `name {` block (braces balanced)."""
    start = CONFIG.index(name + " {") + len(name) + 2
    depth, index = 1, start
    while depth:
        depth += {"{": 1, "}": -1}.get(CONFIG[index], 0)
        index += 1
    return CONFIG[start:index - 1]


def seconds(value: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    return sum(int(number) * units[unit or "s"] for number, unit in re.findall(r"(\d+)([smhd]?)", value))


def megabytes(value: str) -> float:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1 / 2**20, "k": 1 / 1024, "m": 1, "g": 1024}[unit.lower()]


def test_affinity_is_a_cookie_hash_set_by_nginx_not_ip_hash_or_nginx_plus_sticky():
    upstream = block("upstream playground")
    assert re.search(r"^\s*hash \$playground_affinity_key consistent;", upstream, re.MULTILINE)
    assert "ip_hash" not in CONFIG and not re.search(r"^\s*sticky", CONFIG, re.MULTILINE)
    key_map = block("map $cookie_playground_replica $playground_affinity_key")
    assert re.search(r'""\s+\$request_id;', key_map), "a browser without the cookie gets a fresh random key"
    assert re.search(r"default\s+\$cookie_playground_replica;", key_map), "later requests hash the cookie"
    cookie_map = block("map $cookie_playground_replica $playground_set_cookie")
    assert re.search(r'""\s+"playground_replica=\$request_id;', cookie_map), "the cookie holds the same key"
    assert re.search(r"add_header Set-Cookie \$playground_set_cookie always;", block("server"))


def test_every_replica_fails_over_passively():
    servers = re.findall(r"^\s*server (\S+)([^;]*);", block("upstream playground"), re.MULTILINE)
    assert len(servers) == 2
    for _, options in servers:
        assert re.search(r"max_fails=\d+", options) and re.search(r"fail_timeout=\d+s", options)
    assert re.search(r"proxy_next_upstream error timeout;", block("server"))


def test_websocket_location_upgrades_and_stays_open_for_a_lesson():
    stream = block("location /_stcore/stream")
    assert "proxy_set_header Upgrade $http_upgrade;" in stream
    assert "proxy_set_header Connection $connection_upgrade;" in stream
    assert re.search(r"default\s+upgrade;", block("map $http_upgrade $connection_upgrade"))
    assert re.search(r"proxy_http_version 1\.1;", block("server"))
    read_timeout = re.search(r"proxy_read_timeout (\w+);", stream).group(1)
    assert seconds(read_timeout) >= 2 * 3600, "a double lesson with a quiet tab must not be cut"
    # A location that sets proxy_set_header inherits none from the server: Host must be repeated.
    assert "proxy_set_header Host $http_host;" in stream
    assert "proxy_set_header Host $http_host;" in block("server")


def test_upload_limit_is_above_the_apps():
    app_limit = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    nginx_limit = megabytes(re.search(r"client_max_body_size (\w+);", block("server")).group(1))
    assert nginx_limit >= app_limit + 1, "nginx must not refuse a file the app accepts (plus multipart overhead)"


def test_runs_without_root_paths():
    for directive in ("pid", "error_log", "access_log", "client_body_temp_path", "proxy_temp_path"):
        for path in re.findall(rf"^\s*{directive} (\S+)", CONFIG, re.MULTILINE):
            assert not path.startswith("/"), f"{directive} {path}: relative to nginx -p, so no root is needed"


def test_render_rewrites_listen_and_replicas_and_can_drop_affinity():
    text = render_nginx_conf(TEXT, "127.0.0.1:23456", ["127.0.0.1:24001", "127.0.0.1:24002", "127.0.0.1:24003"])
    assert re.findall(r"^\s*listen (\S+);", text, re.MULTILINE) == ["127.0.0.1:23456"]
    servers = re.findall(r"^\s*server (\S+) max_fails=1 fail_timeout=20s;", text, re.MULTILINE)
    assert servers == ["127.0.0.1:24001", "127.0.0.1:24002", "127.0.0.1:24003"]
    assert "hash $playground_affinity_key consistent;" in text
    round_robin = render_nginx_conf(TEXT, "127.0.0.1:23456", ["127.0.0.1:24001"], affinity=False)
    assert "hash $playground_affinity_key" not in round_robin


def test_render_refuses_a_template_it_cannot_rewrite():
    with pytest.raises(ValueError, match="hash"):
        render_nginx_conf(TEXT.replace("hash $playground_affinity_key consistent;", "ip_hash;"),
                          "127.0.0.1:1", ["127.0.0.1:2"])
    with pytest.raises(ValueError, match="replica"):
        render_nginx_conf(TEXT, "127.0.0.1:1", [])


def test_nginx_accepts_the_rendered_config(tmp_path, nginx_executable):
    (tmp_path / "logs").mkdir()
    (tmp_path / "temp").mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(render_nginx_conf(TEXT, "127.0.0.1:23456", ["127.0.0.1:24001", "127.0.0.1:24002"]))
    result = subprocess.run([nginx_executable, "-t", "-p", f"{tmp_path}/", "-c", str(conf), "-e", "stderr"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def test_the_access_log_never_writes_a_query_string():
    """A teacher link carries its class's secret key in the query (?class=CODE&key=...): nginx logs the
    path, never $request, $request_uri, $args or $query_string."""
    formats = re.findall(r"log_format\s+\w+\s+((?:'[^']*'\s*)+);", CONFIG)
    assert formats, "deploy/nginx.conf defines its access log's format"
    for log_format in formats:
        for variable in ("$request ", '$request"', "$request_uri", "$args", "$query_string", "$arg_"):
            assert variable not in log_format, f"the access log writes {variable.strip()}: a teacher key would be logged"
