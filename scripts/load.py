#!/usr/bin/env python3
"""Bounded load and timing figures for the example login server (demo/src/bin/server).

Starts the server binary itself on 127.0.0.1 with a temporary database, drives it with
stdlib HTTP clients only, and stops it. Every loop is bounded by a request count and a
wall-clock limit; nothing leaves 127.0.0.1.

    cargo build --release -p keyward-demo --bin server
    cargo build --release -p keyward-demo --bin resource_server
    scripts/load.py load   --binary target/release/server   # throughput, p50/p99, RSS
    scripts/load.py timing --binary target/release/server   # failed-login timing table
    scripts/load.py sessions --binary target/release/server # logins and refreshes per store

`load`: N logins (POST /token, bcrypt at --cost), N token verifications at the login server
(GET /users/me) and N at the resource server beside it (GET /orders, keys from the JWKS), from
C threads; prints throughput, p50/p99 latency, status counts and the server's RSS
before and after. `timing`: registers users at cost 12, then measures the median of 30
failed logins (wrong password, unknown user, password over 72 bytes) with the server at
cost 12 and again after a restart at --cost 10 (a cost change). Requests carry distinct
X-Forwarded-For addresses through --trusted-proxy 127.0.0.1 so the guess throttle, which
would otherwise answer 429 after five failures, stays out of the measurement.

`sessions`: logins/s and refresh exchanges/s with p50/p99, for each of SQLite with one
replica, Postgres with one replica and Postgres with two replicas (one throwaway Postgres
cluster for the run: initdb into a temporary folder, as the `postgres` user when run as root,
fsync off, a free loopback port, stopped and removed at the end: scripts/postgres.sh; a fresh
database per configuration). With two replicas, requests alternate between them, so every refresh chain
crosses replicas at each step. Each client thread keeps one keep-alive connection per replica.
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HOST = "127.0.0.1"
PASSWORD = "correct horse battery staple"


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_for_port(port, process, what):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit(f"{what} did not start")


def rss_of(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


class Server:
    def __init__(self, binary, db, cost, extra=()):
        self.port = free_port()
        # One secret for every replica, so that any of them verifies what another signed.
        env = dict(os.environ, RUST_LOG="warn", KEYWARD_SECRET="a2V5d2FyZC1sb2FkLXRlc3Qtc2VjcmV0LTAxMjM0NTY3OA==")
        self.process = subprocess.Popen(
            [binary, "--db", db, "--addr", f"{HOST}:{self.port}", "--cost", str(cost),
             "--trusted-proxy", HOST, *extra],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, self.process, "server")

    def rss_kib(self):
        return rss_of(self.process.pid)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Postgres:
    """A throwaway Postgres cluster on 127.0.0.1 for this run: `scripts/postgres.sh start`
    (initdb into a temporary folder, as the `postgres` user when run as root, fsync off, a free
    loopback port), and `scripts/postgres.sh stop` at the end."""

    SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "postgres.sh")

    def __init__(self):
        started = subprocess.run(["bash", self.SCRIPT, "start"], check=True, capture_output=True, text=True)
        values = dict(line.split("=", 1) for line in started.stdout.splitlines() if "=" in line)
        self.url = values["KEYWARD_POSTGRES_URL"]
        self.dir = values["KEYWARD_POSTGRES_DIR"]
        self.databases = 0

    def new_database(self):
        self.databases += 1
        name = f"load{self.databases}"
        for _ in range(50):
            # The first connections may meet "the database system is starting up" (57P03).
            if subprocess.run(["psql", self.url, "-q", "-c", f"CREATE DATABASE {name}"],
                              capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        else:
            raise SystemExit("CREATE DATABASE failed")
        return self.url.rsplit("/", 1)[0] + "/" + name

    def stop(self):
        subprocess.run(["bash", self.SCRIPT, "stop", self.dir], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def request(port, method, path, body=None, headers=None, form=False):
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = dict(headers or {})
    if body is not None:
        if form:
            body = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            body = json.dumps(body)
            headers["Content-Type"] = "application/json"
    started = time.perf_counter()
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    return response.status, data, elapsed


def xff(i):
    return {"X-Forwarded-For": f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"}


def run_bounded(count, threads, seconds, work):
    """Runs work(i) for i < count on `threads` threads, stopping at `seconds`."""
    results, lock, next_index = [], threading.Lock(), [0]
    deadline = time.monotonic() + seconds

    def worker():
        while time.monotonic() < deadline:
            with lock:
                i = next_index[0]
                if i >= count:
                    return
                next_index[0] += 1
            outcome = work(i)
            with lock:
                results.append(outcome)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return results, time.perf_counter() - started


def summarize(name, results, wall):
    latencies = sorted(r[1] for r in results)
    statuses = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    print(f"{name}: {len(results)} requests in {wall:.2f} s = {len(results) / wall:.1f}/s; "
          f"p50 {pct(0.50):.1f} ms, p99 {pct(0.99):.1f} ms; statuses {statuses}")


def resource_server(args, auth_port, access):
    """GET /orders at demo/src/bin/resource_server, which verifies from the auth server's JWKS."""
    binary = os.path.join(os.path.dirname(args.binary), "resource_server")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--jwks-url", f"http://{HOST}:{auth_port}/.well-known/jwks.json",
         "--addr", f"{HOST}:{port}"],
        env=dict(os.environ, RUST_LOG="warn"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, process, "resource server")
        rss_before = rss_of(process.pid)

        def one_order(i):
            status, _, elapsed = request(port, "GET", "/orders",
                                         headers={"Authorization": f"Bearer {access}"})
            return status, elapsed

        summarize("resource server GET /orders", *run_bounded(args.requests, args.threads, args.seconds, one_order))
        print(f"resource server RSS: {rss_before} KiB before, {rss_of(process.pid)} KiB after")
    finally:
        process.terminate()
        process.wait(timeout=15)


def load(args):
    with tempfile.TemporaryDirectory() as directory:
        # An Ed25519 key pair generated for the run, so the resource server can verify from the
        # published JWKS without any shared secret.
        server = Server(args.binary, os.path.join(directory, "load.db"), args.cost, extra=("--asymmetric",))
        try:
            users = [f"load{i}" for i in range(args.threads)]
            for i, user in enumerate(users):
                # One address per registration: registrations are throttled per address.
                request(server.port, "POST", "/users", {"username": user, "password": PASSWORD},
                        headers=xff(1_000_000 + i))
            _, body, _ = request(server.port, "POST", "/token",
                                 {"username": users[0], "password": PASSWORD}, form=True)
            access = json.loads(body)["access_token"]
            rss_before = server.rss_kib()

            def one_login(i):
                status, _, elapsed = request(server.port, "POST", "/token",
                                             {"username": users[i % len(users)], "password": PASSWORD},
                                             headers=xff(i), form=True)
                return status, elapsed

            def one_me(i):
                status, _, elapsed = request(server.port, "GET", "/users/me",
                                             headers={"Authorization": f"Bearer {access}"})
                return status, elapsed

            summarize(f"login (cost {args.cost})", *run_bounded(args.logins, args.threads, args.seconds, one_login))
            summarize("GET /users/me", *run_bounded(args.requests, args.threads, args.seconds, one_me))
            print(f"server RSS: {rss_before} KiB before, {server.rss_kib()} KiB after")
            resource_server(args, server.port, access)
        finally:
            server.stop()


def timing(args):
    with tempfile.TemporaryDirectory() as directory:
        db = os.path.join(directory, "timing.db")
        counter = [0]

        def measure(server, label):
            samples = {"wrong password": [], "unknown user": [], "too-long password": []}
            for round_ in range(args.samples):
                for kind, user, password in (("wrong password", f"user{round_ % 3}", "Tr0ub4dor&3"),
                                             ("unknown user", f"nobody{round_}", "Tr0ub4dor&3"),
                                             ("too-long password", f"user{round_ % 3}", "x" * 100)):
                    counter[0] += 1
                    status, _, elapsed = request(server.port, "POST", "/token",
                                                 {"username": user, "password": password},
                                                 headers=xff(counter[0]), form=True)
                    assert status == 401, (kind, status)
                    samples[kind].append(elapsed * 1000)
            print(f"| {label} | " + " | ".join(f"{statistics.median(v):.0f} ms" for v in samples.values()) + " |")

        server = Server(args.binary, db, 12)
        try:
            for i in range(3):
                request(server.port, "POST", "/users", {"username": f"user{i}", "password": PASSWORD},
                        headers=xff(1_000_000 + i))
            print("| server | wrong password | unknown user | too-long password |")
            print("|---|---|---|---|")
            measure(server, "cost 12, hashes at 12")
        finally:
            server.stop()
        server = Server(args.binary, db, args.cost)
        try:
            measure(server, f"restarted with --cost {args.cost}, hashes at 12")
        finally:
            server.stop()


class Keepalive:
    """One keep-alive connection per replica, for one client thread."""

    def __init__(self, ports):
        self.connections = {port: http.client.HTTPConnection(HOST, port, timeout=30) for port in ports}

    def post_form(self, port, path, form, headers=None):
        headers = dict(headers or {}, **{"Content-Type": "application/x-www-form-urlencoded"})
        connection = self.connections[port]
        started = time.perf_counter()
        try:
            connection.request("POST", path, body=urllib.parse.urlencode(form), headers=headers)
            response = connection.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            # The server closed an idle connection: reconnect once.
            connection.close()
            connection.request("POST", path, body=urllib.parse.urlencode(form), headers=headers)
            response = connection.getresponse()
            data = response.read()
        return response.status, data, time.perf_counter() - started


def run_threads(threads, seconds, work):
    """Runs work(thread_index, deadline) on each thread; returns every (status, latency)."""
    results, lock = [], threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(index):
        outcome = work(index, deadline)
        with lock:
            results.extend(outcome)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return results, time.perf_counter() - started


def figures(results, wall):
    latencies = sorted(r[1] for r in results)
    statuses = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")

    return {"count": len(results), "rate": len(results) / wall, "p50": pct(0.50), "p99": pct(0.99),
            "statuses": statuses}


def measure_sessions(args, label, dbs):
    """Starts one replica per entry of `dbs`, then measures logins and refresh chains."""
    servers = [Server(args.binary, db, args.cost) for db in dbs]
    try:
        ports = [server.port for server in servers]
        users = [f"load{i}" for i in range(args.threads)]
        for i, user in enumerate(users):
            # One address per registration: registrations are throttled per address.
            status, body, _ = request(ports[0], "POST", "/users", {"username": user, "password": PASSWORD},
                                      headers=xff(1_000_000 + i))
            assert status == 201, (status, body)

        def logins(index, deadline):
            client, seen = Keepalive(ports), []
            for n in range(args.logins // args.threads):
                if time.monotonic() > deadline:
                    break
                port = ports[n % len(ports)]
                status, _, elapsed = client.post_form(
                    port, "/token", {"grant_type": "password", "username": users[index], "password": PASSWORD},
                    headers=xff(index * 100_000 + n))
                seen.append((status, elapsed))
            return seen

        def refreshes(index, deadline):
            client, seen = Keepalive(ports), []
            status, body, _ = client.post_form(
                ports[0], "/token", {"grant_type": "password", "username": users[index], "password": PASSWORD},
                headers=xff(index))
            assert status == 200, (status, body)
            token = json.loads(body)["refresh_token"]
            for n in range(args.refreshes // args.threads):
                if time.monotonic() > deadline:
                    break
                # The chain moves to the other replica at every step.
                port = ports[(index + n) % len(ports)]
                status, body, elapsed = client.post_form(
                    port, "/token", {"grant_type": "refresh_token", "refresh_token": token})
                seen.append((status, elapsed))
                if status != 200:
                    break
                token = json.loads(body)["refresh_token"]
            return seen

        login = figures(*run_threads(args.threads, args.seconds, logins))
        refresh = figures(*run_threads(args.threads, args.seconds, refreshes))
        print(f"{label}: login {login['rate']:.1f}/s p50 {login['p50']:.1f} ms p99 {login['p99']:.1f} ms "
              f"{login['statuses']}; refresh {refresh['rate']:.0f}/s p50 {refresh['p50']:.1f} ms "
              f"p99 {refresh['p99']:.1f} ms {refresh['statuses']}", flush=True)
        return login, refresh
    finally:
        for server in servers:
            server.stop()


def sessions(args):
    rows = []
    configs = args.configs.split(",")
    if "sqlite" in configs:
        with tempfile.TemporaryDirectory() as directory:
            rows.append(("SQLite, 1 replica",
                         *measure_sessions(args, "sqlite x1", [os.path.join(directory, "load.db")])))
    if "postgres" in configs or "postgres2" in configs:
        postgres = Postgres()
        try:
            if "postgres" in configs:
                url = postgres.new_database()
                rows.append(("Postgres, 1 replica", *measure_sessions(args, "postgres x1", [url])))
            if "postgres2" in configs:
                url = postgres.new_database()
                rows.append(("Postgres, 2 replicas", *measure_sessions(args, "postgres x2", [url, url])))
        finally:
            postgres.stop()
    print()
    print(f"| store | logins/s (cost {args.cost}) | login p50 | login p99 | refreshes/s | refresh p50 | refresh p99 |")
    print("|---|---|---|---|---|---|---|")
    for label, login, refresh in rows:
        print(f"| {label} | {login['rate']:.1f} | {login['p50']:.0f} ms | {login['p99']:.0f} ms "
              f"| {refresh['rate']:,.0f} | {refresh['p50']:.1f} ms | {refresh['p99']:.1f} ms |")
    if configs[0] == "sqlite":
        sqlite_login = rows[0][1]["p50"]
        for label, login, _ in rows[1:]:
            print(f"{label}: login p50 is {login['p50'] / sqlite_login:.2f}x SQLite's")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["load", "timing", "sessions"])
    parser.add_argument("--binary", default="target/release/server")
    parser.add_argument("--cost", type=int, default=10, help="server bcrypt cost (load; timing's second run)")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--logins", type=int, default=200, help="at most this many logins")
    parser.add_argument("--requests", type=int, default=5000, help="at most this many /users/me calls")
    parser.add_argument("--seconds", type=float, default=60, help="wall-clock bound per phase")
    parser.add_argument("--samples", type=int, default=30, help="timing: samples per case")
    parser.add_argument("--configs", default="sqlite,postgres,postgres2",
                        help="sessions: which of sqlite, postgres (one replica), postgres2 (two)")
    parser.add_argument("--refreshes", type=int, default=20_000, help="sessions: at most this many refreshes")
    args = parser.parse_args()
    if (args.threads > 64 or args.logins > 10_000 or args.requests > 100_000 or args.seconds > 300
            or args.refreshes > 200_000):
        sys.exit("refusing: keep the load bounded (threads <= 64, logins <= 10000, requests <= 100000, "
                 "refreshes <= 200000, seconds <= 300)")
    {"load": load, "timing": timing, "sessions": sessions}[args.mode](args)


if __name__ == "__main__":
    main()
