"""Measurements over real HTTP: gunicorn with the project's gunicorn.conf.py on 127.0.0.1.

Throughput comes from wrk when it is installed, else from a small threaded Python client
(labelled as such). Concurrent posting uses one HTTP client per thread, each from its own
loopback address (127.0.0.x), as separate readers would be.
"""

import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from django.conf import settings

from bench.measure import PERMALINK, BenchError, comment_form, percentile

STARTUP_SECONDS = 30
STOP_SECONDS = 15
REQUEST_TIMEOUT = 30
# wrk's own timeout is 2 s: a slower page would count as an error and drop out of the latency
# figures, so wait as long as gunicorn does.
WRK_ARGS = ["-t2", "-c10", "--latency", "--timeout", "30s"]
LOAD_CONNECTIONS = 10  # the Python client's threads, like wrk's -c10
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn -c gunicorn.conf.py on a free port of 127.0.0.1, for a ``with`` block."""

    def __init__(self, database_url, static_root):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "DATABASE_URL": database_url,
            "DJANGO_SECRET_KEY": os.environ["DJANGO_SECRET_KEY"],
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_HTTPS": "0",
            "DJANGO_STATIC_ROOT": str(static_root),
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
        }

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            env=self.env, cwd=settings.BASE_DIR,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            self.wait_until_serving()
        except BaseException:  # Ctrl-C or SIGTERM too: never leave a gunicorn behind
            self.__exit__()
            raise
        return self

    def wait_until_serving(self):
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited with {self.process.returncode}")
            try:
                if HttpClient(self.port).get("/healthz")[0] == 200 and self.workers():
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"gunicorn did not answer /healthz within {STARTUP_SECONDS} s")

    def __exit__(self, *exc):
        self.process.terminate()  # SIGTERM: gunicorn's graceful stop
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_SECONDS)

    def workers(self):
        """Process ids of the master's worker processes."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        return pids


class HttpClient:
    """One keep-alive HTTP client with its own cookies, bound to a loopback source address."""

    def __init__(self, port, source="127.0.0.1"):
        self.connection = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=REQUEST_TIMEOUT, source_address=(source, 0)
        )
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        headers = {"Host": f"127.0.0.1:{self.connection.port}", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.headers, content

    def get(self, path):
        status, _, content = self.request("GET", path)
        return status, content

    def post_form(self, path, fields):
        body = urllib.parse.urlencode(fields)
        browser = {"Content-Type": "application/x-www-form-urlencoded",
                   "Origin": f"http://127.0.0.1:{self.connection.port}"}  # fmt: skip
        status, headers, _ = self.request("POST", path, body, browser)
        return status, headers.get("Location", "")


# Throughput -------------------------------------------------------------------------------


def load(url, seconds, headers=None):
    """Requests per second and latency percentiles of GET ``url`` under 10 connections, each
    request with ``headers`` (a browser's Accept-Encoding, a member's session cookie, #29)."""
    if shutil.which("wrk"):
        return wrk(url, seconds, headers or {})
    return python_load(url, seconds, headers or {})


def alternating(runs, rounds):
    """{name: the result of the median run}: each of ``runs`` ({name: function giving a load
    result}) run ``rounds`` times, in turn, so that a noisy moment on a shared machine weighs
    on every figure alike."""
    results = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            results[name].append(run())
    return {
        name: {**sorted(found, key=lambda r: r["rps"])[len(found) // 2], "rounds": len(found)}
        for name, found in results.items()
    }


def load_while_writing(url, seconds, write, every=1.0):
    """``load(url, seconds)`` while ``write()`` runs every ``every`` seconds in a thread of
    this process (#17). Returns the load's result with the writes done and failed."""
    from django.db import connection

    stop, done, failed = threading.Event(), [0], [0]

    def writer():
        due = time.monotonic()
        try:
            while not stop.is_set():
                try:
                    write()
                    done[0] += 1
                except Exception:  # counted and reported: a failed write is a finding
                    failed[0] += 1
                due += every
                stop.wait(max(0.0, due - time.monotonic()))
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        result = load(url, seconds)
    finally:
        stop.set()
        thread.join(REQUEST_TIMEOUT)
    return {**result, "writes": done[0], "failed_writes": failed[0]}


def wrk(url, seconds, headers):
    sent = [part for name, value in headers.items() for part in ("-H", f"{name}: {value}")]
    done = subprocess.run(
        ["wrk", *WRK_ARGS, *sent, f"-d{seconds}s", url],
        capture_output=True, text=True, timeout=seconds + 30, check=True,
    )  # fmt: skip
    out = done.stdout
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "tool": "wrk",
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": wrk_latency(out, "50%"),
        "p99_ms": wrk_latency(out, "99%"),
        "errors": errors + (int(non_2xx.group(1)) if non_2xx else 0),
    }


def wrk_latency(output, percent):
    value, unit = re.search(rf"^\s*{percent}\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M).groups()
    return float(value) * UNITS_MS[unit]


def python_load(url, seconds, headers):
    """The fallback when wrk is missing: LOAD_CONNECTIONS threads for a fixed time."""
    parts = urllib.parse.urlsplit(url)
    deadline = time.monotonic() + seconds
    latencies, errors, lock = [], [0], threading.Lock()

    def worker():
        client = HttpClient(parts.port)
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                status, _, _ = client.request("GET", parts.path, headers=headers)
            except (OSError, http.client.HTTPException):
                status = None
            with lock:
                if status == 200:
                    latencies.append((time.perf_counter() - started) * 1000)
                else:
                    errors[0] += 1

    started = time.perf_counter()
    run_threads([worker] * LOAD_CONNECTIONS, timeout=seconds + REQUEST_TIMEOUT)
    elapsed = time.perf_counter() - started
    if not latencies:
        raise BenchError(f"no successful request to {url}")
    return {
        "tool": "python threads (wrk not installed)",
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 99),
        "errors": errors[0],
    }


def run_threads(targets, *, timeout):
    """Start one thread per callable, together; wait at most ``timeout`` seconds for them."""
    threads = [threading.Thread(target=target, daemon=True) for target in targets]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0, deadline - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        raise BenchError(f"client threads still running after {timeout} s")


# Concurrent posting -----------------------------------------------------------------------


def concurrent_posts(server, *, article, form_page, targets, posts_each, pools, rng, one_ip=False):
    """Clients posting replies at once, client ``i`` into the thread ``targets[i]``.

    ``targets[i]`` lists the comment ids that client may answer. Each client comes from its own
    loopback address unless ``one_ip`` (as when every reader arrives through one proxy).
    Returns posts per second, the count of posts, and the errors.
    """
    post_path = f"/comments/post/{article.pk}/"
    clients = []
    for number, parents in enumerate(targets):
        client = HttpClient(server.port, "127.0.0.1" if one_ip else f"127.0.0.{10 + number}")
        status, page = client.get(form_page)
        if status != 200:
            raise BenchError(f"GET {form_page} answered {status}")
        # A page for a reader without a session has no token: the Origin header vouches (#17).
        token = CSRF_INPUT.search(page.decode())
        extra = {"csrfmiddlewaretoken": token.group(1)} if token else {}
        forms = [
            {**comment_form(pools, rng, n, rng.choice(parents)), **extra} for n in range(posts_each)
        ]
        clients.append((client, forms))
    outcomes, lock = [], threading.Lock()
    barrier = threading.Barrier(len(clients))

    def poster(client, forms):
        barrier.wait(timeout=REQUEST_TIMEOUT)
        for form in forms:
            try:
                status, location = client.post_form(post_path, form)
                ok = status == 302 and PERMALINK.fullmatch(location) is not None
            except (OSError, http.client.HTTPException):
                ok = False
            with lock:
                outcomes.append(ok)

    started = time.perf_counter()
    run_threads(
        [lambda c=c, f=f: poster(c, f) for c, f in clients],
        timeout=REQUEST_TIMEOUT * (posts_each + 1),
    )
    seconds = time.perf_counter() - started
    posted = sum(outcomes)
    return {
        "posts_per_s": posted / seconds,
        "posts": posted,
        "errors": len(clients) * posts_each - posted,
    }


# Memory -----------------------------------------------------------------------------------


def peak_rss_mb(pid):
    """The peak resident memory (VmHWM, else VmRSS) of a process, in MB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for field in ("VmHWM", "VmRSS"):
        match = re.search(rf"^{field}:\s+(\d+) kB", status, re.M)
        if match:
            return int(match.group(1)) / 1024
    return None


def worker_peak_rss(server, path, *, requests):
    """Serve ``path`` ``requests`` times from parallel clients; the largest worker VmHWM in MB."""
    workers = len(server.workers())
    per_client = max(1, requests // workers)
    statuses = []

    def reader():
        client = HttpClient(server.port)
        for _ in range(per_client):
            statuses.append(client.get(path)[0])

    run_threads([reader] * workers, timeout=REQUEST_TIMEOUT * (per_client + 1))
    if statuses != [200] * workers * per_client:
        raise BenchError(f"GET {path} answered {sorted(set(statuses))}")
    sizes = [peak_rss_mb(pid) for pid in server.workers()]
    return {"rss_mb": max(size for size in sizes if size is not None), "workers": workers}
