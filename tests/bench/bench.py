#!/usr/bin/env python3
"""make bench: kubectl-etcd side by side with etcdctl/etcdutl, in one run, on the same files.

Builds a database of BENCH_DB_MB (default 1024) MiB in a TLS etcd 3.5 server, then times
each command BENCH_RUNS (default 5) times, interleaved, and prints the median wall time,
the median peak RSS and the ratios against their targets:
  backup   kubectl etcd backup    vs etcdctl 3.5 snapshot save, and draining the stream;
           kubectl etcd backup --compress zstd vs the plain backup, and the ratio achieved;
           kubectl etcd backup s3://... (versitygw on 127.0.0.1) vs the plain backup, and its
           peak RSS again on a database of BENCH_S3_LARGE_MB (default 4096) MiB
  status   kubectl etcd status --skip-hash-check (integrity on, no SHA-256 pass)
           vs etcdctl 3.4 / etcdutl 3.5 snapshot status;
           kubectl etcd status (integrity + SHA-256) vs openssl dgst -sha256
  restore  kubectl etcd restore   vs etcdutl 3.5 / etcdctl 3.4 snapshot restore, and
           dd conv=fsync of the same file (all verify SHA-256 and fsync)
  get -A   kubectl etcd get SNAPSHOT configmaps -A (-o json, and the table) on a snapshot of
           BENCH_OBJECTS (default 100000) ConfigMaps as kube-apiserver stores them, from a fresh
           server of its own, vs etcdutl 3.5 snapshot restore + etcd 3.5 started on it + etcdctl
           get --prefix /registry/configmaps/ (restore-and-list.sh), and its peak RSS
BENCH_ONLY=database or BENCH_ONLY=objects runs only the first three or only get -A.
The page cache is warm for every tool alike, and the disk has no writeback pending from the
previous command when each one starts. The machine is noisy: read medians and ratios.
"""
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(HERE, "..", "tools")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_usage(argv, stdout=subprocess.DEVNULL, env=None):
    """Runs argv; returns (seconds, its resource usage). Fails loudly on a non-zero exit."""
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    secs = time.monotonic() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(argv)} failed ({proc.returncode}):\n{err}")
    return secs, usage


def run_measured(argv, stdout=subprocess.DEVNULL, env=None):
    """Runs argv; returns (seconds, peak RSS in MiB). Fails loudly on a non-zero exit."""
    secs, usage = run_usage(argv, stdout, env)
    return secs, usage.ru_maxrss / 1024.0


S3_ACCESS, S3_SECRET, S3_BUCKET = "benchaccess", "bench-secret-key-0123456789", "bench"


def cpu_seconds(pid):
    """User + system CPU time a process has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_versitygw(work):
    """versitygw (posix backend, a bucket made as a directory) on a free 127.0.0.1 port.
    Returns the process, the `env` prefix that points kubectl-etcd at it, and the bucket's
    directory."""
    gw = subprocess.check_output([os.path.join(TOOLS, "build-versitygw.sh")], text=True).strip().splitlines()[-1]
    root = os.path.join(work, "s3")
    bucket_dir = os.path.join(root, S3_BUCKET)
    os.makedirs(bucket_dir)
    port = free_port()
    proc = subprocess.Popen([gw, "--port", f"127.0.0.1:{port}", "--access", S3_ACCESS, "--secret", S3_SECRET,
                             "--region", "us-east-1", "posix", root],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "versitygw.log"), "w"))
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    env = ["env", f"AWS_ACCESS_KEY_ID={S3_ACCESS}", f"AWS_SECRET_ACCESS_KEY={S3_SECRET}",
           f"AWS_ENDPOINT_URL_S3=http://127.0.0.1:{port}", "AWS_REGION=us-east-1"]
    return proc, env, bucket_dir


def start_etcd(e35, work, name, pki):
    """A TLS etcd 3.5 server with its own data dir on free 127.0.0.1 ports, once healthy.
    Returns the process, its client URL and the client TLS flags."""
    client, peer, metrics = free_port(), free_port(), free_port()
    url = f"https://127.0.0.1:{client}"
    server = subprocess.Popen([
        f"{e35}/etcd", f"--name={name}", f"--data-dir={work}/{name}-data",
        f"--listen-client-urls={url}", f"--advertise-client-urls={url}",
        f"--listen-peer-urls=http://127.0.0.1:{peer}", f"--initial-advertise-peer-urls=http://127.0.0.1:{peer}",
        f"--initial-cluster={name}=http://127.0.0.1:{peer}", f"--listen-metrics-urls=http://127.0.0.1:{metrics}",
        f"--cert-file={pki}/server.crt", f"--key-file={pki}/server.key", "--client-cert-auth",
        f"--trusted-ca-file={pki}/ca.crt", "--quota-backend-bytes=17179869184"],
        stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, f"{name}-etcd.log"), "w"))
    tls = ["--cacert", f"{pki}/ca.crt", "--cert", f"{pki}/healthcheck-client.crt",
           "--key", f"{pki}/healthcheck-client.key"]
    for _ in range(100):
        try:
            if b"true" in subprocess.check_output(["curl", "-fs", f"http://127.0.0.1:{metrics}/health"]):
                break
        except subprocess.CalledProcessError:
            pass
        time.sleep(0.1)
    return server, url, tls


class Table:
    def __init__(self, title):
        self.title = title
        self.rows = []

    def add(self, name, samples):
        walls = [s[0] for s in samples]
        rss = [s[1] for s in samples]
        self.rows.append((name, statistics.median(walls), statistics.median(rss), max(rss)))

    def show(self, base_index=0):
        print(f"\n{self.title}")
        print(f"  {'command':<52} {'median s':>9} {'vs first':>9} {'RSS MiB':>8} {'max RSS':>8}")
        base = self.rows[base_index][1]
        for name, wall, rss, rss_max in self.rows:
            print(f"  {name:<52} {wall:>9.3f} {wall / base:>8.2f}x {rss:>8.1f} {rss_max:>8.1f}")

    def median(self, i):
        return self.rows[i][1]


def measure(title, runs, commands, before=None):
    """Runs the commands interleaved, prints their table and returns it."""
    samples = interleave(runs, commands, before)
    t = Table(title)
    for name, _ in commands:
        t.add(name, samples[name])
    t.show()
    return t


def interleave(runs, commands, before=None):
    """commands: list of (name, argv or callable returning argv). Returns samples per name."""
    samples = {name: [] for name, _ in commands}
    for r in range(runs):
        order = commands[r % len(commands):] + commands[:r % len(commands)]
        for name, cmd in order:
            if before:
                before()
            argv = cmd() if callable(cmd) else cmd
            samples[name].append(run_measured(argv))
    return samples


def bench_database(kubectl_etcd, build, work, pki, versions, runs):
    """backup, status and restore on the database of BENCH_DB_MB MiB."""
    fill = os.path.join(build, "tests", "bench", "ketcd_bench_fill")
    drain = os.path.join(build, "tests", "bench", "ketcd_bench_drain")
    db_mb = int(os.environ.get("BENCH_DB_MB", "1024"))
    e34, e35 = versions["3.4"], versions["3.5"]
    server = gateway = None
    try:
        gateway, s3env, bucket_dir = start_versitygw(work)
        server, url, tls = start_etcd(e35, work, "bench", pki)

        t0 = time.monotonic()
        big = db_mb * 8  # 128 KiB values
        subprocess.check_call([fill, "--endpoint", url, *tls, "--keys", str(big), "--value-size", "131072",
                               "--prefix", "/registry/configmaps/bench/big-"])
        subprocess.check_call([fill, "--endpoint", url, *tls, "--keys", "50000", "--value-size", "1024",
                               "--prefix", "/registry/pods/bench/pod-"])
        snap = os.path.join(work, "reference.db")
        subprocess.check_call([kubectl_etcd, "backup", snap, "--endpoints", url, *tls], stdout=subprocess.DEVNULL)
        size = os.path.getsize(snap)
        print(f"kubectl-etcd bench: {kubectl_etcd}; database {size / 2**20:.0f} MiB ({big + 50000} keys), built in "
              f"{time.monotonic() - t0:.0f}s; {runs} runs per command, interleaved; "
              f"{os.cpu_count()} CPUs, {os.uname().release}")

        # Backup.
        out = os.path.join(work, "out.db")

        zst = out + ".zst"

        def clean_out():
            for p in (out, out + ".json", out + ".part", zst, zst + ".json", zst + ".part"):
                if os.path.exists(p):
                    os.remove(p)
            for name in os.listdir(bucket_dir):
                p = os.path.join(bucket_dir, name)
                shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)
            os.sync()  # no tool pays for the previous one's writeback
        env34 = dict(os.environ, ETCDCTL_API="3")
        t = measure("backup (Maintenance.Snapshot of the live server)", runs, [
            ("kubectl etcd backup", [kubectl_etcd, "backup", out, "--endpoints", url, *tls]),
            ("etcdctl 3.5 snapshot save", [f"{e35}/etcdctl", "--endpoints", url, *tls, "snapshot", "save", out]),
            ("drain the stream to /dev/null", [drain, "--endpoint", url, *tls]),
            ("kubectl etcd backup --compress zstd", [kubectl_etcd, "backup", zst, "--compress", "zstd",
                                                     "--endpoints", url, *tls]),
            ("kubectl etcd backup s3:// (versitygw, 127.0.0.1)", [*s3env, kubectl_etcd, "backup",
                                                                  f"s3://{S3_BUCKET}/out.db", "--endpoints", url, *tls]),
        ], before=clean_out)
        print(f"  => kubectl-etcd is {t.median(1) / t.median(0):.2f}x faster than etcdctl (target >= 1.5x), "
              f"{t.median(0) / t.median(2):.2f}x the drain floor (target <= 1.10x)")
        clean_out()
        subprocess.check_call([kubectl_etcd, "backup", zst, "--compress", "zstd", "--endpoints", url, *tls],
                              stdout=subprocess.DEVNULL)
        print(f"  => --compress zstd takes {t.median(3) / t.median(0):.2f}x the plain backup's time "
              f"(target <= 1.10x) for a ratio of {size / os.path.getsize(zst):.2f}:1 on this database")
        print(f"  => to S3 takes {t.median(4) / t.median(0):.2f}x the backup to a local file (target <= 1.15x), "
              f"peak RSS {t.rows[4][3]:.0f} MiB (target < 128 MiB)")
        # The S3 server runs on the same cores: the CPU each process spends on one backup of
        # each kind, and the least time the S3 backup could take with those cores fully shared.
        cpus = os.cpu_count()
        spent = {}
        for kind, argv in (("local", [kubectl_etcd, "backup", out, "--endpoints", url, *tls]),
                           ("s3", [*s3env, kubectl_etcd, "backup", f"s3://{S3_BUCKET}/out.db", "--endpoints", url,
                                   *tls])):
            clean_out()
            gw_before, etcd_before = cpu_seconds(gateway.pid), cpu_seconds(server.pid)
            wall, usage = run_usage(argv)
            spent[kind] = (wall, usage.ru_utime + usage.ru_stime, cpu_seconds(server.pid) - etcd_before,
                           cpu_seconds(gateway.pid) - gw_before)
            print(f"     one {kind} backup ({wall:.1f} s): kubectl-etcd used {spent[kind][1]:.1f} CPU-s, "
                  f"etcd {spent[kind][2]:.1f}, versitygw {spent[kind][3]:.1f}, on the same {cpus} CPUs")
        local_wall = spent["local"][0]
        floor = max(local_wall, sum(spent["s3"][1:]) / cpus) / local_wall
        print(f"  => kubectl-etcd's own CPU: {spent['s3'][1] / spent['local'][1]:.2f}x for S3; with the server on these "
              f"{cpus} CPUs the S3 backup cannot take less than {floor:.2f}x the local one")
        clean_out()

        # Status.
        t = measure("status (offline, same file)", runs, [
            ("kubectl etcd status --skip-hash-check", [kubectl_etcd, "status", snap, "--skip-hash-check", "-o", "json"]),
            ("etcdctl 3.4 snapshot status", [f"{e34}/etcdctl", "snapshot", "status", snap, "-w", "json"]),
            ("etcdutl 3.5 snapshot status", [f"{e35}/etcdutl", "snapshot", "status", snap, "-w", "json"]),
            ("kubectl etcd status (integrity + SHA-256)", [kubectl_etcd, "status", snap, "-o", "json"]),
            ("openssl dgst -sha256", ["openssl", "dgst", "-sha256", snap]),
        ])
        fastest = min(t.median(1), t.median(2))
        print(f"  => kubectl-etcd is {fastest / t.median(0):.2f}x faster than the fastest etcd tool (target >= 3x); "
              f"full verification is {t.median(3) / t.median(4):.2f}x openssl's SHA-256 (target <= 1.2x)")

        # Restore.
        target = os.path.join(work, "restored")

        def clean_target():
            shutil.rmtree(target, ignore_errors=True)
            os.sync()  # no tool pays for the previous one's writeback
        t = measure("restore (SHA-256 verified, fsynced)", runs, [
            ("kubectl etcd restore", [kubectl_etcd, "restore", snap, "--data-dir", target]),
            ("etcdutl 3.5 snapshot restore", [f"{e35}/etcdutl", "snapshot", "restore", snap, "--data-dir", target]),
            ("etcdctl 3.4 snapshot restore", ["env", "ETCDCTL_API=3", f"{e34}/etcdctl", "snapshot", "restore", snap,
                                              "--data-dir", target]),
            ("dd conv=fsync (copy floor)", lambda: ["sh", "-c", f"mkdir -p {target} && dd if={snap} "
                                                    f"of={target}/copy bs=4M conv=fsync status=none"]),
        ], before=clean_target)
        fastest = min(t.median(1), t.median(2))
        print(f"  => kubectl-etcd is {fastest / t.median(0):.2f}x faster than the fastest etcd tool (target >= 2.5x), "
              f"{t.median(0) / t.median(3):.2f}x the copy floor (target <= 1.25x)")
        # The S3 backup's memory on a larger database: flat in the database size.
        large_mb = int(os.environ.get("BENCH_S3_LARGE_MB", "4096"))
        if large_mb > db_mb:
            subprocess.check_call([fill, "--endpoint", url, *tls, "--keys", str((large_mb - db_mb) * 8),
                                   "--value-size", "131072", "--prefix", "/registry/configmaps/bench/large-"])
            clean_out()
            wall, rss = run_measured([*s3env, kubectl_etcd, "backup", f"s3://{S3_BUCKET}/large.db",
                                      "--endpoints", url, *tls])
            large = os.path.getsize(os.path.join(bucket_dir, "large.db")) / 2**20
            print(f"\nbackup to S3 of a {large:.0f} MiB database: {wall:.1f} s, peak RSS {rss:.0f} MiB "
                  f"(target < 128 MiB, as at {size / 2**20:.0f} MiB)")
            clean_out()
    finally:
        if server:
            server.terminate()
            server.wait()
        if gateway:
            gateway.terminate()
            gateway.wait()


def bench_objects(kubectl_etcd, build, work, pki, e35, runs):
    """kubectl etcd get -A on a snapshot of BENCH_OBJECTS ConfigMaps (and little else, from a
    fresh server of its own) vs the etcd way: restore it, start etcd on it, list the prefix."""
    objects = int(os.environ.get("BENCH_OBJECTS", "100000"))
    snap = os.path.join(work, "objects.db")
    server = None
    try:
        server, url, tls = start_etcd(e35, work, "objects", pki)
        t0 = time.monotonic()
        subprocess.check_call([os.path.join(build, "tests", "bench", "ketcd_bench_objects"), "--endpoint", url,
                               *tls, "--objects", str(objects), "--namespaces", "100"])
        subprocess.check_call([kubectl_etcd, "backup", snap, "--endpoints", url, *tls], stdout=subprocess.DEVNULL)
    finally:
        if server:
            server.terminate()
            server.wait()
    print(f"\nkubectl-etcd bench: {kubectl_etcd}; snapshot of {objects} ConfigMaps in 100 namespaces, "
          f"{os.path.getsize(snap) / 2**20:.0f} MiB, built in {time.monotonic() - t0:.0f}s; "
          f"{runs} runs per command, interleaved; {os.cpu_count()} CPUs, {os.uname().release}")
    data = os.path.join(work, "objects-restored")

    def clean_data():
        shutil.rmtree(data, ignore_errors=True)
        os.sync()  # no tool pays for the previous one's writeback
    t = measure(f"get -A ({objects} ConfigMaps, offline, same file)", runs, [
        ("kubectl etcd get configmaps -A -o json", [kubectl_etcd, "get", snap, "configmaps", "-A", "-o", "json"]),
        ("etcdutl restore + etcd 3.5 + etcdctl get --prefix",
         lambda: [os.path.join(HERE, "restore-and-list.sh"), e35, snap, data, str(free_port()), str(free_port()),
                  str(free_port()), "/registry/configmaps/"]),
        ("kubectl etcd get configmaps -A (table)", [kubectl_etcd, "get", snap, "configmaps", "-A"]),
    ], before=clean_data)
    clean_data()
    rss = max(t.rows[0][3], t.rows[2][3])
    print(f"  => kubectl-etcd -o json is {t.median(1) / t.median(0):.2f}x faster than restoring and listing with "
          f"etcd (target >= 5x), the table {t.median(1) / t.median(2):.2f}x; peak RSS {rss:.0f} MiB "
          f"(target < 256 MiB)")


def main():
    kubectl_etcd = os.path.abspath(sys.argv[1])
    build = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.dirname(kubectl_etcd)
    runs = int(os.environ.get("BENCH_RUNS", "5"))
    only = os.environ.get("BENCH_ONLY", "")
    if only not in ("", "database", "objects"):
        sys.exit(f"bench: BENCH_ONLY={only}: expected database or objects")
    versions = dict(v.split("=") for v in subprocess.check_output(
        [os.path.join(TOOLS, "etcd-versions.sh")], text=True).strip().split(","))
    work = tempfile.mkdtemp(prefix="kubectl-etcd-bench.", dir=os.environ.get("BENCH_DIR", "/var/tmp"))
    try:
        pki = os.path.join(work, "pki")
        subprocess.check_call([os.path.join(TOOLS, "gen-certs.sh"), pki, "bench"], stdout=subprocess.DEVNULL)
        if only in ("", "database"):
            bench_database(kubectl_etcd, build, work, pki, versions, runs)
        if only in ("", "objects"):
            bench_objects(kubectl_etcd, build, work, pki, versions["3.5"], runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
