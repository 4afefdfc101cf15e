#!/usr/bin/env python3
"""pgchaos-reaper LABEL=VALUE: removes a pgchaos session's containers, networks and volumes once its processes have gone.

Runs in a container of its own (from the lab image, the engine's socket mounted, labelled like what
it watches), like testcontainers' Ryuk, which cannot be pulled where no registry is reachable. The
harness passes this text to the image's python3 (`python3 -c`), so the image needs no copy of it.
One reaper watches a whole pgchaos session: a game day or an exploration and every process it runs
labs in. Each of those processes keeps a TCP connection to it open. When the last connection drops
and none comes back within the grace period (or none ever came), it deletes, through the Docker
API, every container labelled LABEL=VALUE (itself last), then every network and volume with that label. A
SIGKILLed process drops its connections too (the kernel closes them), so its labs go within seconds.
"""
import http.client
import json
import os
import socket
import sys
import threading
import time
import urllib.parse

SELECTOR = sys.argv[1]
PORT = int(os.environ.get("PGCHAOS_REAPER_PORT", "7878"))
GRACE_S = float(os.environ.get("PGCHAOS_REAPER_GRACE_S", "1"))
FIRST_CONNECT_S = float(os.environ.get("PGCHAOS_REAPER_FIRST_CONNECT_S", "60"))
SOCK = os.environ.get("PGCHAOS_DOCKER_SOCK", "/var/run/docker.sock")

lock = threading.Lock()
state = {"open": 0, "ever": False, "since": time.monotonic()}


def log(msg):
    print(f"[pgchaos-reaper {SELECTOR}] {msg}", flush=True)


class EngineConnection(http.client.HTTPConnection):
    def __init__(self):
        super().__init__("localhost", timeout=30)

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(30)
        s.connect(SOCK)
        self.sock = s


def api(method, path):
    c = EngineConnection()
    try:
        c.request(method, path)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def labelled(kind):
    q = urllib.parse.quote(json.dumps({"label": [SELECTOR]}))
    path = {"containers": f"/containers/json?all=1&filters={q}", "networks": f"/networks?filters={q}", "volumes": f"/volumes?filters={q}"}[kind]
    status, body = api("GET", path)
    if status != 200:
        return []
    found = json.loads(body)
    return (found.get("Volumes") or []) if kind == "volumes" else found


def remove_container(c):
    name = c.get("Names", [c["Id"]])[0].lstrip("/")
    t0 = time.monotonic()
    status, body = api("DELETE", f"/containers/{c['Id']}?force=1&v=1")
    if status not in (204, 404, 409):
        log(f"removing {name}: {status} {body[:200]!r}")
    else:
        log(f"removed {name} ({c.get('State')}) in {time.monotonic() - t0:.1f} s")


def reap():
    log("harness gone: removing the session's containers, networks and volumes")
    deadline = time.monotonic() + 60
    while True:
        others = [c for c in labelled("containers") if c.get("Labels", {}).get("pgchaos.kind") != "reaper"]
        threads = [threading.Thread(target=remove_container, args=(c,)) for c in others]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for n in labelled("networks"):
            api("DELETE", f"/networks/{n['Id']}")
        # A lab's data volumes: in memory, removable once no container mounts them.
        for v in labelled("volumes"):
            api("DELETE", f"/volumes/{urllib.parse.quote(v['Name'])}")
        left = [c for c in labelled("containers") if c.get("Labels", {}).get("pgchaos.kind") != "reaper"]
        if (not left and not labelled("networks") and not labelled("volumes")) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    log("done; removing myself")
    # Last: removing this container ends this process.
    for c in labelled("containers"):
        remove_container(c)


def serve(conn):
    with lock:
        state["open"] += 1
        state["ever"] = True
    try:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        conn.sendall(f"pgchaos-reaper {SELECTOR}\n".encode())
        while conn.recv(1024):
            pass
    except OSError:
        pass
    finally:
        conn.close()
        with lock:
            state["open"] -= 1
            state["since"] = time.monotonic()


def watch():
    while True:
        time.sleep(0.1)
        with lock:
            idle = time.monotonic() - state["since"]
            gone = state["open"] == 0 and idle > (GRACE_S if state["ever"] else FIRST_CONNECT_S)
        if gone:
            reap()
            os._exit(0)


def main():
    # Greet the harness only once the engine answers: a reaper that cannot reap must not look ready.
    try:
        status, _ = api("GET", "/_ping")
    except OSError as e:
        status = str(e)
    if status != 200:
        log(f"the Docker API at {SOCK} does not answer: {status}")
        sys.exit(2)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", PORT))
    srv.listen(16)
    threading.Thread(target=watch, daemon=True).start()
    log(f"listening on {PORT}; grace {GRACE_S} s")
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
