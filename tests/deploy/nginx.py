"""Debian's nginx with the shipped snippets (config/deploy/nginx/), in a temporary prefix.

The same wiring as config/deploy/nginx.conf, minus TLS: a public server on 127.0.0.1 whose
location is config/deploy/nginx/cache.conf, in front of an internal server made of
compress.conf (and brotli.conf where Debian's module is installed), in front of the app.
Only the addresses, the cache's folder and the prefix differ from production.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import closing
from pathlib import Path

DEPLOY = Path(__file__).resolve().parents[2] / "config" / "deploy"
SNIPPETS = DEPLOY / "nginx"
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so")
START_TIMEOUT = 10


def nginx_executable() -> str | None:
    """Debian's nginx (in /usr/sbin, which a non-root PATH may lack), or None."""
    return shutil.which("nginx", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin"]))


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def configuration(prefix: Path, *, app_port: int, port: int, compressor_port: int) -> str:
    brotli = BROTLI_MODULE.exists()
    return f"""
{f"load_module {BROTLI_MODULE};" if brotli else ""}
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    include /etc/nginx/mime.types;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {SNIPPETS}/http.conf;
    proxy_cache_path {prefix}/cache levels=1:2 keys_zone=coorace:1m use_temp_path=off;
    upstream coorace_app {{ server 127.0.0.1:{app_port}; }}
    upstream coorace_compressor {{ server 127.0.0.1:{compressor_port}; }}
    server {{
        listen 127.0.0.1:{port};
        access_log {prefix}/access.log coorace_noquery;
        location / {{ include {SNIPPETS}/cache.conf; }}
    }}
    server {{
        listen 127.0.0.1:{compressor_port};
        include {SNIPPETS}/compress.conf;
        {f"include {SNIPPETS}/brotli.conf;" if brotli else ""}
    }}
}}
"""


def check_site_configuration(executable: str, prefix: Path, *, brotli: bool) -> tuple[int, str]:
    """`nginx -t` of config/deploy/nginx.conf as shipped, but for its places on the machine.

    The checkout's path for /srv/coorace, a folder of `prefix` for the cache, 127.0.0.1 and
    no TLS certificate for the public server; with `brotli`, the module loaded and the
    Brotli snippet linked where the file looks for it. Returns nginx's status and output.
    """
    site = (DEPLOY / "nginx.conf").read_text()
    replacements = {
        "/srv/coorace/config/deploy/": f"{DEPLOY}/",
        "/var/cache/nginx/coorace": f"{prefix}/cache",
        "/var/log/nginx/coorace.access.log": f"{prefix}/access.log",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{free_port()};",
        "/etc/nginx/snippets/coorace-brotli*.conf": f"{prefix}/snippets/coorace-brotli*.conf",
    }
    for shipped, here in replacements.items():
        if shipped not in site:
            raise AssertionError(f"config/deploy/nginx.conf no longer says {shipped!r}")
        site = site.replace(shipped, here)
    (prefix / "snippets").mkdir()
    if brotli:
        (prefix / "snippets" / "coorace-brotli.conf").symlink_to(SNIPPETS / "brotli.conf")
    (prefix / "site.conf").write_text(site)
    (prefix / "nginx.conf").write_text(
        f"""
{f"load_module {BROTLI_MODULE};" if brotli else ""}
pid {prefix}/nginx.pid;
events {{ }}
http {{
    include /etc/nginx/mime.types;
    include {prefix}/site.conf;
}}
"""
    )
    check = subprocess.run(
        [executable, "-t", "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
         "-e", str(prefix / "error.log")],
        capture_output=True,
        text=True,
    )  # fmt: skip
    return check.returncode, check.stderr


class Nginx:
    """nginx in front of 127.0.0.1:`app_port`, until stop(); `url` is its public address."""

    def __init__(self, executable: str, app_port: int):
        # World-readable, so that the workers (nobody, when the tests run as root) reach it.
        self.prefix = Path(tempfile.mkdtemp(prefix="coorace-nginx-"))
        self.prefix.chmod(0o755)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        conf = self.prefix / "nginx.conf"
        conf.write_text(
            configuration(
                self.prefix, app_port=app_port, port=self.port, compressor_port=free_port()
            )
        )
        error_log = str(self.prefix / "error.log")
        command = [executable, "-p", str(self.prefix), "-c", str(conf), "-e", error_log]
        check = subprocess.run([*command, "-t"], capture_output=True, text=True)
        if check.returncode:
            raise RuntimeError(f"nginx -t refused the configuration:\n{check.stderr}")
        self.process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + START_TIMEOUT
        while not self._listening():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"nginx did not start:\n{self.log()}")
            time.sleep(0.02)

    def _listening(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            return False
        return True

    def log(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text() if path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.prefix, ignore_errors=True)
