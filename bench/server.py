"""nginx on 127.0.0.1 serving the synthetic blog: installed from Debian when missing.

The served generation is a symlink (``current``) swapped atomically, so a crawl of
generation 2 sees the same host and port as the crawl of generation 1. Conditional GET
can be switched off (no ETag, If-Modified-Since ignored) by a reload.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

_CONF = """
daemon off;
master_process on;
worker_processes 1;
{user}
error_log {prefix}/error.log warn;
pid {prefix}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    types {{ text/html html; text/plain txt; }}
    default_type application/octet-stream;
    charset utf-8;
    client_body_temp_path {prefix}/tmp;
    proxy_temp_path {prefix}/tmp;
    fastcgi_temp_path {prefix}/tmp;
    uwsgi_temp_path {prefix}/tmp;
    scgi_temp_path {prefix}/tmp;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        index index.html;
        etag {etag};
        if_modified_since {ims};
    }}
}}
"""


def ensure_nginx() -> str:
    """Return the nginx binary, installing Debian's package first when it is missing."""
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("nginx is missing: run `apt-get install -y nginx` as root, then retry")
    print("installing nginx from Debian's packages ...", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True, stdout=subprocess.DEVNULL)
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "nginx"], check=True, env=env, stdout=subprocess.DEVNULL
    )
    return shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Nginx:
    """One nginx master with one worker, serving ``site/current`` on a loopback port."""

    def __init__(self, site: Path, workdir: Path) -> None:
        self.binary = ensure_nginx()
        self.site = site
        self.prefix = workdir / "nginx"
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.conditional = True

    @property
    def base_url(self) -> str:
        """The blog's first listing page."""
        return f"http://127.0.0.1:{self.port}/"

    def serve(self, generation: str) -> None:
        """Serve ``site/<generation>`` from now on (the next request sees it)."""
        link = self.site / "current"
        tmp = self.site / "current.tmp"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(generation)
        os.replace(tmp, link)

    def serving(self, generation: str) -> Nginx:
        """Serve ``generation`` (use as ``with Nginx(...).serving("gen1") as server``)."""
        self.serve(generation)
        return self

    @staticmethod
    def version() -> str:
        """Return nginx's version line."""
        done = subprocess.run([ensure_nginx(), "-v"], capture_output=True, text=True)
        return (done.stderr or done.stdout).strip().split("/")[-1]

    def set_conditional(self, enabled: bool) -> None:
        """Answer conditional GETs with 304 (ETag and Last-Modified), or never."""
        self.conditional = enabled
        self._write_conf()
        if self.process is not None:
            signal_reload = [
                self.binary,
                "-p",
                str(self.prefix),
                "-c",
                str(self._conf),
                "-s",
                "reload",
            ]
            subprocess.run(signal_reload, check=True)
            self._wait_for(lambda headers: ("etag" in headers) == enabled)
            time.sleep(0.5)  # old workers finish their keep-alive connections

    @property
    def _conf(self) -> Path:
        return self.prefix / "nginx.conf"

    def _write_conf(self) -> None:
        (self.prefix / "tmp").mkdir(parents=True, exist_ok=True)
        user = "user root root;" if os.geteuid() == 0 else ""
        self._conf.write_text(
            _CONF.format(
                user=user,
                prefix=self.prefix,
                port=self.port,
                root=self.site / "current",
                etag="on" if self.conditional else "off",
                ims="exact" if self.conditional else "off",
            ),
            encoding="utf-8",
        )

    def __enter__(self) -> Nginx:
        self._write_conf()
        self.process = subprocess.Popen(
            [self.binary, "-p", str(self.prefix), "-c", str(self._conf)],
            stdout=subprocess.DEVNULL,
        )
        try:
            self._wait_for(lambda headers: True)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()  # nginx's fast shutdown on SIGTERM
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def _wait_for(self, ready: object) -> None:
        """Poll the first page until it answers and ``ready(headers)`` holds (10 s at most)."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base_url, timeout=2) as response:
                    headers = {k.lower() for k in response.headers}
                    if ready(headers):  # type: ignore[operator]
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise SystemExit(f"nginx did not come up on {self.base_url}: see {self.prefix}/error.log")
