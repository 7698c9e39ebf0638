#!/usr/bin/env python3
"""A kubelet stand-in for tests: runs the static pods of a manifests directory under a
scratch host root, as the kubelet's file source does.

- Every regular file in the directory whose name does not start with "." is a pod
  (kubelet: filepath.Glob(dir, "[^.]*")); files that do not parse are skipped.
- A new file starts its pod, a changed file restarts it, a removed file stops it.
- Each container runs its real command line with host paths mapped: a path under a
  volumeMount becomes <root>/<hostPath>/<rest>. hostPath volumes of type
  DirectoryOrCreate are created (0700 for etcd's data).
- Programs: etcd -> --etcd BIN; kube-apiserver -> --kube-apiserver BIN with the manifest's
  flags (paths mapped) when given, else fake_kube_apiserver.py (HTTPS /livez on
  --secure-port, ConfigMaps); anything else (controller-manager, scheduler) -> a sleeping
  placeholder. A container that exits is restarted after a second (restartPolicy Always).
- --crash-data-dir S: an etcd pod whose data volume's hostPath contains S is not run
  (a crash loop, for rollback tests).
- Events ("<time> start|stop|crash <file> <pid>") are appended to --events.
SIGTERM stops every pod and exits."""
import argparse
import hashlib
import os
import signal
import subprocess
import sys
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))


class Pod:
    def __init__(self, name, digest):
        self.name = name
        self.digest = digest
        self.procs = []      # [Popen]
        self.specs = []      # argv per container
        self.crash = False
        self.restart_at = {}


def under(root, path):
    return os.path.normpath(root + "/" + path)


def map_path(value, mounts):
    best = None
    for mount_path, host in mounts:
        mp = mount_path.rstrip("/") or "/"
        if value == mp or value.startswith(mp + "/"):
            if best is None or len(mp) > len(best[0]):
                best = (mp, host)
    if best is None:
        return value
    return best[1] + value[len(best[0]):]


def map_arg(arg, mounts):
    if arg.startswith("-") and "=" in arg:
        k, v = arg.split("=", 1)
        if v.startswith("/"):
            return k + "=" + map_path(v, mounts)
        return arg
    if arg.startswith("/"):
        return map_path(arg, mounts)
    return arg


def flag(argv, name):
    for i, a in enumerate(argv):
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
        if a == name and i + 1 < len(argv):
            return argv[i + 1]
    return None


class Kubelet:
    def __init__(self, a):
        self.a = a
        self.dir = under(a.root, a.manifests)
        self.pods = {}
        self.events = open(a.events, "a", buffering=1) if a.events else None
        os.makedirs(a.log_dir, exist_ok=True)

    def event(self, what, name, pid=0):
        line = "%.3f %s %s %d" % (time.time(), what, name, pid)
        if self.events:
            self.events.write(line + "\n")
            self.events.flush()
        if self.a.verbose:
            sys.stderr.write("kubelet: " + line + "\n")

    def container_argv(self, pod_doc, c):
        root = self.a.root
        vols = {}
        for v in (pod_doc.get("spec", {}).get("volumes") or []):
            hp = v.get("hostPath")
            if hp and "path" in hp:
                vols[v["name"]] = hp
        mounts = []
        data_host = None
        for m in c.get("volumeMounts") or []:
            hp = vols.get(m.get("name"))
            if hp is None:
                continue
            host = under(root, hp["path"])
            if hp.get("type") == "DirectoryOrCreate" and not os.path.exists(host):
                os.makedirs(host, mode=0o700, exist_ok=True)
            mounts.append((m["mountPath"], host))
        argv = list(c.get("command") or []) + list(c.get("args") or [])
        if not argv:
            return None, None
        prog = os.path.basename(argv[0])
        dd = flag(argv, "--data-dir")
        if dd:
            data_host = map_path(dd, mounts)
        args = [map_arg(x, mounts) for x in argv[1:]]
        if prog == "etcd":
            return [self.a.etcd] + args, data_host
        if prog == "kube-apiserver" and self.a.kube_apiserver:
            return [self.a.kube_apiserver] + args, None
        if prog == "kube-apiserver":
            port = flag(argv, "--secure-port") or "6443"
            cmd = [sys.executable, os.path.join(HERE, "fake_kube_apiserver.py"), "--port", port,
                   "--cert", map_path(flag(argv, "--tls-cert-file"), mounts),
                   "--key", map_path(flag(argv, "--tls-private-key-file"), mounts),
                   "--client-ca", map_path(flag(argv, "--client-ca-file"), mounts),
                   "--state-dir", under(root, "/var/lib/fake-kube-apiserver")]
            return cmd, None
        return ["sleep", "1000000"], None

    def start(self, name, digest):
        pod = Pod(name, digest)
        self.pods[name] = pod
        try:
            with open(os.path.join(self.dir, name)) as f:
                doc = yaml.safe_load(f)
            containers = doc["spec"]["containers"]
        except Exception as e:  # kubelet logs and skips files it cannot read
            self.event("invalid", name)
            if self.a.verbose:
                sys.stderr.write("kubelet: %s: %s\n" % (name, e))
            return
        for c in containers:
            argv, data_host = self.container_argv(doc, c)
            if argv is None:
                continue
            if data_host and self.a.crash_data_dir and self.a.crash_data_dir in data_host:
                pod.crash = True
                self.event("crash", name)
                continue
            pod.specs.append(argv)
        for i, argv in enumerate(pod.specs):
            pod.procs.append(self.spawn(name, argv))

    def spawn(self, name, argv):
        log = open(os.path.join(self.a.log_dir, name + ".log"), "ab")
        p = subprocess.Popen(argv, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        self.event("start", name, p.pid)
        return p

    def stop(self, name):
        pod = self.pods.pop(name, None)
        if pod is None:
            return
        for p in pod.procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for p in pod.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
            self.event("stop", name, p.pid)

    def sync(self):
        seen = {}
        try:
            names = sorted(os.listdir(self.dir))
        except FileNotFoundError:
            names = []
        for n in names:
            path = os.path.join(self.dir, n)
            if n.startswith(".") or not os.path.isfile(path):
                continue
            try:
                with open(path, "rb") as f:
                    seen[n] = hashlib.sha256(f.read()).hexdigest()
            except OSError:
                continue
        for n in list(self.pods):
            if n not in seen or seen[n] != self.pods[n].digest:
                self.stop(n)
        for n, d in seen.items():
            if n not in self.pods:
                self.start(n, d)
        now = time.time()
        for n, pod in self.pods.items():
            for i, p in enumerate(pod.procs):
                if p.poll() is not None:
                    at = pod.restart_at.setdefault(i, now + 1.0)
                    if now >= at:
                        self.event("exited", n, p.pid)
                        pod.procs[i] = self.spawn(n, pod.specs[i])
                        pod.restart_at.pop(i, None)

    def run(self):
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
        signal.signal(signal.SIGINT, lambda *_: stopping.append(1))
        while not stopping:
            self.sync()
            time.sleep(self.a.interval)
        for n in list(self.pods):
            self.stop(n)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--root", required=True)
    p.add_argument("--manifests", default="/etc/kubernetes/manifests")
    p.add_argument("--etcd", required=True)
    p.add_argument("--events", default="")
    p.add_argument("--log-dir", required=True)
    p.add_argument("--interval", type=float, default=0.2)
    p.add_argument("--crash-data-dir", default="")
    p.add_argument("--kube-apiserver", default="")
    p.add_argument("--verbose", action="store_true")
    Kubelet(p.parse_args()).run()


if __name__ == "__main__":
    main()
