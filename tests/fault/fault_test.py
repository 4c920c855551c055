#!/usr/bin/env python3
"""Fault injection: what a hostile user tried against accelbench, each class as one group.

    fault_test.py --accelbench PATH --plugins DIR --python PY --group G --workdir DIR

Groups: plugins (plugins that segfault, abort, exit or hang while loading, in init, in device open
or device info; misnamed plugins), paths (devices, FIFOs, sockets, directories and long names as
--csv/--json; sidecars that cannot be written), disk (a file size limit and a full tmpfs while
rows are appended), resume (rows of another host or version), underneath (the CSV deleted,
truncated or replaced mid-run), concurrent (two runs on one CSV, two default files in one second),
orphans (a worker whose parent was SIGKILLed or hung up), utf8 (tags, device names and paths that
are not UTF-8), messages (overflowing numbers, an ACCEL_BACKENDS that matches nothing, the plot
hint). Python standard library only; each group takes seconds.
"""

import argparse
import csv
import ctypes
import errno
import io
import json
import os
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time

TINY = ["--min-time-ms", "1", "--max-samples", "3", "--warmup-ms", "0"]
# Small GEMMs (~50 and ~40 MFLOP) keep runs fast even in unoptimised sanitizer builds.
SMALL = "deepbench-35x700x2048-NN"
SMALLER = "deepbench-7680x1x2560-NN"
# "accel" is on every cpu device (oneDNN and OpenBLAS may be absent: a GPU host, ACCEL_HIDE_DEPS).
ONE_ROW = ["--workload", "gemm", "--config", SMALL, "--dtype", "fp32", "--library", "accel"]
# Several rows of ~0.1 s each: long enough to act on a run while it is going.
SLOW = ["--workload", "gemm", "--config", f"{SMALL},{SMALLER}", "--dtype", "fp32",
        "--min-time-ms", "150", "--max-samples", "20", "--warmup-ms", "0"]
STAGES = {"ctor": "while loading the plugin", "init": "while loading the plugin",
          "open": "while opening device", "info": "while opening device"}
KINDS = {"segv": "probe killed by signal 11 (SIGSEGV", "abort": "probe killed by signal 6 (SIGABRT",
         "exit": "probe exited with status", "hang": "probe timed out after"}


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


class Bench:
    def __init__(self, exe, workdir, plugins, python):
        self.exe = exe
        self.workdir = workdir
        self.plugins = plugins
        self.python = python

    def environment(self, extra):
        e = dict(os.environ)
        # gcc 12's LeakSanitizer crashes at exit on the dynamic TLS of oneDNN/OpenMP threads
        # (google/sanitizers#1267); this keeps leak checking on (as the CLI tests do).
        e["ASAN_OPTIONS"] = ":".join(filter(None, [e.get("ASAN_OPTIONS"), "intercept_tls_get_addr=0"]))
        e["ACCEL_BACKENDS"] = "cpu"
        e.pop("ACCEL_BACKEND_PATH", None)
        for k, v in (extra or {}).items():
            if v is None:
                e.pop(k, None)
            else:
                e[k] = v
        return e

    def run(self, *args, env=None, timeout=120, preexec=None, cwd=None):
        p = subprocess.run([self.exe, *args], cwd=cwd or self.workdir, env=self.environment(env),
                           capture_output=True, timeout=timeout, preexec_fn=preexec)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")

    def popen(self, *args, env=None, cwd=None):
        return subprocess.Popen([self.exe, *args], cwd=cwd or self.workdir, env=self.environment(env),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def path(self, *names):
        return os.path.join(self.workdir, *names)

    def fault_env(self, **extra):
        names = sorted(f[len("libaccel-backend-"):-3] for f in os.listdir(self.plugins)
                       if f.startswith("libaccel-backend-"))
        env = {"ACCEL_BACKEND_PATH": self.plugins, "ACCEL_BACKENDS": ",".join(["cpu"] + names),
               "ACCEL_PROBE_TIMEOUT_S": "3"}
        env.update(extra)
        return env


def read_csv(path):
    """Strict: UTF-8, ends with a newline (no torn row), every record as long as the header."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Failure(f"{path}: not UTF-8 ({e})") from None
    check(text.endswith("\n"), f"{path}: last record is not terminated (torn write): {text[-80:]!r}")
    records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    check(records and records[0][0] == "schema_version", f"{path}: no header")
    header = records[0]
    check(records.count(header) == 1, f"{path}: {records.count(header)} header lines")
    rows = []
    for i, rec in enumerate(records[1:], start=2):
        check(len(rec) == len(header), f"{path} record {i}: {len(rec)} fields, header has {len(header)}")
        rows.append(dict(zip(header, rec)))
    return header, rows


def wait_for(cond, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return
        time.sleep(0.02)
    raise Failure(f"timed out waiting for {what}")


def rows_in(path):
    try:
        return len(read_csv(path)[1])
    except (OSError, Failure):
        return -1


def children_of(pid):
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[1]) == pid:
                kids.append(int(entry))
        except (OSError, ValueError):
            pass
    return kids


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().split(b"\0")
    except OSError:
        return []


def alive(pid):
    """Running (a zombie has stopped measuring: it only waits to be reaped)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
        return stat[stat.rindex(")") + 2] != "Z"
    except OSError:
        return False


def reap(pid):
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


# ------------------------------------------------------------------------------------------
def group_plugins(b):
    env = b.fault_env()
    start = time.monotonic()
    rc, out, err = b.run("devices", env=env)
    elapsed = time.monotonic() - start
    check(rc == 0, f"devices exit {rc} with faulty plugins present:\n{out}{err}")
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ") and line.split()}
    for stage, where in STAGES.items():
        for kind, how in KINDS.items():
            name = f"f_{stage}_{kind}"
            line = lines.get(name, "")
            check(how in line and where in line and "not loaded" in line,
                  f"{name}: expected '{how}' '{where}' in its devices line, got {line!r}")
            if kind == "hang":
                check("after 3 s" in line and "timeout" in line, line)
    check("ok" in lines.get("f_works", "") and "ok" in lines.get("cpu", ""), f"good backends harmed:\n{out}")
    check(lines.get("cpu:0") and lines.get("f_works:0"), f"devices of the good backends missing:\n{out}")
    # Every probe runs at the same time: four hung plugins cost one deadline, not four.
    check(elapsed < 11, f"devices took {elapsed:.1f} s with 3 s probe deadlines")

    # A plugin that crashes costs only itself, even for a run on cpu:0 alone, and its probe's
    # deadline follows --timeout-s.
    rc, out, err = b.run("run", *ONE_ROW, *TINY, "--device", "cpu:0", "--csv", "cpu.csv",
                         "--timeout-s", "2", env=b.fault_env(ACCEL_PROBE_TIMEOUT_S=None))
    check(rc == 0, f"run on cpu:0 with faulty plugins present: exit {rc}\n{err}")
    _, rows = read_csv(b.path("cpu.csv"))
    check(len(rows) == 1 and rows[0]["status"] == "ok", f"rows {rows}")
    side = json.load(open(b.path("cpu.json")))
    reasons = {r["name"]: r["reason"] for r in side["backends"]}
    check("probe timed out after 2 s" in reasons.get("f_init_hang", ""), f"sidecar backends {reasons}")
    check("SIGSEGV" in reasons.get("f_ctor_segv", ""), f"sidecar backends {reasons}")

    # Asking for a broken backend says what happened to it.
    rc, out, err = b.run("run", *ONE_ROW, *TINY, "--device", "f_info_segv:0", "--csv", "x.csv", env=env)
    check(rc == 2 and len(err.strip().splitlines()) == 1 and "SIGSEGV" in err and "f_info_segv" in err,
          f"--device f_info_segv:0: exit {rc} {err!r}")
    check(not os.path.exists(b.path("x.csv")), "a refused run created its CSV")

    # The worker loads only its own plugin: the crashing ones cannot reach its rows.
    rc, out, err = b.run("run", "--workload", "gemm", "--config", SMALL, "--dtype", "fp32", *TINY,
                         "--device", "f_works:0", "--csv", "works.csv", env=env)
    check(rc in (0, 1), f"run on f_works:0: exit {rc}\n{err}")
    _, rows = read_csv(b.path("works.csv"))
    check(rows and all(r["status"] == "unsupported" and "worker" not in r["notes"] for r in rows),
          f"f_works rows {[(r['status'], r['notes']) for r in rows]}")

    # docs/backends.md: the declared name must equal the file's.
    extra = b.path("extra")
    os.makedirs(extra)
    shutil.copy(os.path.join(b.plugins, "libaccel-backend-f_works.so"),
                os.path.join(extra, "libaccel-backend-renamed.so"))
    rc, out, err = b.run("devices", env={"ACCEL_BACKEND_PATH": extra, "ACCEL_BACKENDS": "cpu,renamed"})
    line = next((ln for ln in out.splitlines() if ln.split()[:1] == ["renamed"]), "")
    check(rc == 0 and "incompatible" in line and "declares the name 'f_works'" in line,
          f"misnamed plugin: {line!r}\n{out}")
    check("f_works:0" not in out and "renamed:0" not in out, f"a misnamed plugin was used:\n{out}")


# ------------------------------------------------------------------------------------------
def refused(b, args, expect, what):
    before = sorted(os.listdir(b.workdir))
    rc, out, err = b.run("run", *ONE_ROW, *TINY, *args, timeout=30)
    lines = err.strip().splitlines()
    check(rc == 2, f"{what}: exit {rc}, expected 2; stderr {err!r}")
    check(len(lines) == 1 and expect in lines[0], f"{what}: message {lines!r} lacks {expect!r}")
    check(sorted(os.listdir(b.workdir)) == before,
          f"{what}: files appeared: {set(os.listdir(b.workdir)) - set(before)}")
    return lines[0]


def group_paths(b):
    fifo = b.path("fifo")
    os.mkfifo(fifo)
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(b.path("sock"))
    os.makedirs(b.path("dir"))
    os.symlink("nowhere/x.csv", b.path("dangling.csv"))
    refused(b, ["--csv", "/dev/full"], "is a device", "--csv /dev/full")
    refused(b, ["--csv", "fifo"], "FIFO", "--csv FIFO")
    refused(b, ["--csv", "sock"], "socket", "--csv socket")
    refused(b, ["--csv", "dir"], "is a directory", "--csv directory")
    refused(b, ["--csv", "dangling.csv"], "symbolic link", "--csv dangling link")
    refused(b, ["--csv", "ok.csv", "--json", "fifo"], "FIFO", "--json FIFO")
    refused(b, ["--csv", "ok.csv", "--json", "/dev/full"], "is a device", "--json /dev/full")
    node = b.path("node")
    try:
        os.mknod(node, 0o666 | 0o020000, os.makedev(1, 3))  # a character device, like /dev/null
    except OSError as e:
        print(f"note: no device node test ({e.strerror}: mknod needs CAP_MKNOD)")
    else:
        refused(b, ["--csv", "ok.csv", "--json", "node"], "is a device", "--json device node")
        import stat
        check(stat.S_ISCHR(os.lstat(node).st_mode), "--json replaced the device node")
    sock.close()

    # Long paths: the whole reason, whatever the length.
    msg = refused(b, ["--csv", "n" * 300 + ".csv"], "bytes long", "--csv 300-byte name")
    check("304 bytes long" in msg and "at most 255 per name" in msg, msg)
    msg = refused(b, ["--csv", "/".join(["d" * 200] * 25) + "/x.csv"], "the system takes at most",
                  "--csv 5000-byte path")
    deep = b.path(*(["p" * 200] * 7))
    os.makedirs(deep)
    msg = refused(b, ["--csv", os.path.join(deep, "missing", "x.csv")], "does not exist",
                  "--csv in a missing directory of a long path")
    check(len(msg) < 400, f"message not shortened: {len(msg)} characters")
    # A sidecar name near the limit still gets its temporary file.
    long_json = "j" * 250 + ".json"
    rc, out, err = b.run("run", *ONE_ROW, *TINY, "--csv", "long.csv", "--json", long_json)
    check(rc == 0 and os.path.exists(b.path(long_json)), f"250-byte --json name: exit {rc}\n{err}")
    check(json.load(open(b.path(long_json)))["state"] == "finished", "long sidecar not finished")

    # A sidecar that cannot be written is an error at the start...
    rc, out, err = b.run("run", *ONE_ROW, *TINY, "--csv", "proc.csv", "--json", "/proc/self/x.json")
    check(rc in (1, 2) and "x.json" in err, f"--json in /proc: exit {rc} {err!r}")
    check(not os.path.exists(b.path("proc.csv")), "a run without its sidecar left its CSV")
    # ...and at the end (its directory removed during the run): exit 1 with the message.
    os.makedirs(b.path("side"))
    p = b.popen("run", *SLOW, "--csv", "gone.csv", "--json", "side/gone.json")
    wait_for(lambda: rows_in(b.path("gone.csv")) >= 1 or p.poll() is not None, 90, "the first row")
    check(p.poll() is None, "the run ended before its sidecar directory could be removed")
    shutil.rmtree(b.path("side"))
    out, err = p.communicate(timeout=120)
    err = err.decode()
    check(p.returncode == 1 and "cannot write" in err and "gone.json" in err,
          f"sidecar lost at the end: exit {p.returncode}\n{err}")


# ------------------------------------------------------------------------------------------
def pad_rows(path, minimum):
    """Repeat the file's own rows until it is at least `minimum` bytes (still valid CSV)."""
    with open(path, "rb") as f:
        lines = f.read().splitlines(keepends=True)
    body = b"".join(lines[1:])
    with open(path, "ab") as f:
        while os.path.getsize(path) < minimum:
            f.write(body)
            f.flush()


def check_after_loss(b, name, rc, err, rows_before):
    check(rc == 1, f"{name}: exit {rc}, expected 1\n{err}")
    check("could not be written" in err and "lost row: " in err, f"{name}: no lost-row report\n{err}")
    _, rows = read_csv(b.path(name))  # valid, no torn row
    check(len(rows) < rows_before + 2, f"{name}: every row was written")
    side = json.load(open(b.path(name.replace(".csv", ".json"))))
    check(side["rows"]["lost"] >= 1 and side["exit_status"] == 1, f"{name}: sidecar {side['rows']}")
    written = sum(side["rows"][s] for s in ("ok", "failed_verification", "error", "unsupported", "skipped"))
    check(written == len(rows) - rows_before, f"{name}: sidecar counts {written} written rows, "
          f"the file gained {len(rows) - rows_before}")
    # --resume accepts the file and finishes it.
    rc, out, err = b.run("run", *TWO_ROWS, *TINY, "--csv", name, "--resume")
    check(rc == 0, f"{name}: --resume after the loss: exit {rc}\n{err}")
    _, rows = read_csv(b.path(name))
    check(len({(r["config"], r["library"]) for r in rows if r["status"] == "ok"}) == 2,
          f"{name}: --resume did not complete the rows")


TWO_ROWS = ["--workload", "gemm", "--config", f"{SMALL},{SMALLER}", "--dtype", "fp32", "--library", "accel"]


def group_disk(b):
    # ulimit -f: always possible. The first run writes rows and the sidecar; the file is padded
    # with its own rows so that the limit, set just above its size, stops the next run's second row
    # while the sidecar still fits.
    rc, out, err = b.run("run", *TWO_ROWS, *TINY, "--csv", "limit.csv")
    check(rc == 0, f"first run: exit {rc}\n{err}")
    size, nrows = os.path.getsize(b.path("limit.csv")), len(read_csv(b.path("limit.csv"))[1])
    row_bytes = (size - len(open(b.path("limit.csv")).readline())) // nrows
    pad_rows(b.path("limit.csv"), os.path.getsize(b.path("limit.json")) + 8 * row_bytes)
    rows_before = len(read_csv(b.path("limit.csv"))[1])
    limit = os.path.getsize(b.path("limit.csv")) + row_bytes + row_bytes // 2

    def fsize_limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    rc, out, err = b.run("run", *TWO_ROWS, *TINY, "--csv", "limit.csv", preexec=fsize_limit)
    check(rc != -signal.SIGXFSZ, "killed by SIGXFSZ")
    check(os.path.getsize(b.path("limit.csv")) <= limit, "the file grew past the limit")
    check_after_loss(b, "limit.csv", rc, err, rows_before)

    # A full filesystem: a 64 KiB tmpfs, filled up. Needs mount rights (root or CAP_SYS_ADMIN).
    mnt = b.path("tmpfs")
    os.makedirs(mnt)
    try:
        m = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt], capture_output=True,
                           text=True, timeout=30)
        mounted = m.returncode == 0
        reason = (m.stderr or m.stdout).strip()
    except (OSError, subprocess.TimeoutExpired) as e:
        mounted, reason = False, str(e)
    if not mounted:
        print(f"SKIP full-tmpfs case: cannot mount a tmpfs here ({reason or 'mount failed'}); "
              "the ulimit -f case above ran")
        return
    try:
        csv_path = os.path.join(mnt, "full.csv")
        rc, out, err = b.run("run", *TWO_ROWS, *TINY, "--csv", csv_path, "--json", "full.json")
        check(rc == 0, f"tmpfs first run: exit {rc}\n{err}")
        with open(os.path.join(mnt, "filler"), "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * 4096)
                    f.flush()
            except OSError as e:
                check(e.errno == errno.ENOSPC, f"filling the tmpfs: {e}")
        # Use up the slack of the CSV's last page too, a whole row at a time.
        with open(csv_path, "rb") as f:
            row = f.read().splitlines(keepends=True)[-1]
        fd = os.open(csv_path, os.O_WRONLY | os.O_APPEND)
        try:
            while True:
                size = os.fstat(fd).st_size
                try:
                    if os.write(fd, row) != len(row):
                        os.ftruncate(fd, size)
                        break
                except OSError:
                    os.ftruncate(fd, size)
                    break
        finally:
            os.close(fd)
        shutil.copy(csv_path, b.path("full-before.csv"))
        rows_before = len(read_csv(csv_path)[1])
        rc, out, err = b.run("run", *TWO_ROWS, *TINY, "--csv", csv_path, "--json", "full.json")
        check(rc == 1, f"full tmpfs: exit {rc}, expected 1\n{err}")
        check("No space left on device" in err and "lost row: " in err, f"full tmpfs: {err}")
        _, rows = read_csv(csv_path)
        check(len(rows) < rows_before + 3, "every row was written to a full filesystem")
        side = json.load(open(b.path("full.json")))
        check(side["rows"]["lost"] >= 1, f"sidecar rows {side['rows']}")
        os.remove(os.path.join(mnt, "filler"))
        rc, out, err = b.run("run", *TWO_ROWS, *TINY, "--csv", csv_path, "--json", "full.json", "--resume")
        check(rc == 0, f"--resume after the full disk: exit {rc}\n{err}")
        read_csv(csv_path)
    finally:
        subprocess.run(["umount", mnt], capture_output=True, timeout=30)


# ------------------------------------------------------------------------------------------
def rewrite(path, change):
    """Rewrite the CSV with change(row) applied to every row (the way an editor would keep it)."""
    header, rows = read_csv(path)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            change(r)
            w.writerow([r[c] for c in header])
    return rows


def group_resume(b):
    args = ["run", *ONE_ROW, *TINY, "--csv", "r.csv"]
    rc, out, err = b.run(*args)
    check(rc == 0, f"first run: exit {rc}\n{err}")

    def foreign(r):
        r["hostname"] = "another-host"
    rows = rewrite(b.path("r.csv"), foreign)
    # A foreign ok peak row with an impossible roof: it must not become this run's yardstick.
    header, _ = read_csv(b.path("r.csv"))
    roof = dict(rows[0], workload="peak", config="matrix", tflops="1000", gbps="", peak_tflops="",
                peak_source="", pct_peak="")
    with open(b.path("r.csv"), "a", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerow([roof[c] for c in header])

    rc, out, err = b.run(*args, "--resume")
    check(rc == 0, f"--resume over foreign rows: exit {rc}\n{err}")
    check("already ok" not in err, f"foreign rows were taken as done: {err!r}")
    check("holds 2 rows of another host or accelbench version" in err, f"no warning: {err!r}")
    _, rows = read_csv(b.path("r.csv"))
    check(len(rows) == 3, f"foreign rows not kept or the row not run again: {len(rows)} rows")
    new = rows[-1]
    check(new["hostname"] != "another-host" and new["status"] == "ok", f"new row {new}")
    check(new["peak_tflops"] != "1000" and "measured:peak" not in new["peak_source"],
          f"a foreign roof was used: peak_tflops={new['peak_tflops']} source={new['peak_source']}")

    def other_version(r):
        if r["hostname"] != "another-host":
            r["accelbench_version"] = "0.0.1-elsewhere"
    rewrite(b.path("r.csv"), other_version)
    rc, out, err = b.run(*args, "--resume")
    check(rc == 0 and "already ok" not in err and "holds 3 rows" in err,
          f"--resume over another version's rows: exit {rc} {err!r}")
    check(len(read_csv(b.path("r.csv"))[1]) == 4, "the other version's row was taken as done")
    # Its own rows it trusts.
    rc, out, err = b.run(*args, "--resume")
    check(rc == 0 and "1 of 1 rows already ok" in err, f"own row not resumed: {err!r}")
    check(len(read_csv(b.path("r.csv"))[1]) == 4, "own row run again")


# ------------------------------------------------------------------------------------------
def stopped_run(b, name, act, expect):
    p = b.popen("run", *SLOW, "--csv", name)
    wait_for(lambda: rows_in(b.path(name)) >= 1 or p.poll() is not None, 90, f"{name}: the first row")
    check(p.poll() is None, f"{name}: the run ended before the file could be changed")
    act(b.path(name))
    out, err = p.communicate(timeout=120)
    out, err = out.decode(), err.decode()
    check(p.returncode == 1, f"{name}: exit {p.returncode}, expected 1\n{err}")
    check(expect in err and "stopped" in err, f"{name}: message lacks {expect!r}:\n{err}")
    check("results:" not in out, f"{name}: reported a file that is gone: {out!r}")
    side = json.load(open(b.path(name.replace(".csv", ".json"))))
    check(side["state"] == "failed" and expect in side["problem"], f"{name}: sidecar {side['state']}")


def group_underneath(b):
    stopped_run(b, "deleted.csv", os.remove, "was deleted during the run")
    check(not os.path.exists(b.path("deleted.csv")), "rows were written to a new, header-less file")

    def truncate(path):
        with open(path, "w"):
            pass
    stopped_run(b, "truncated.csv", truncate, "changed size during the run")
    check(os.path.getsize(b.path("truncated.csv")) == 0, "header-less rows were appended")

    def replace(path):
        with open(path + ".new", "w") as f:
            f.write("someone else's file\n")
        os.replace(path + ".new", path)
    stopped_run(b, "replaced.csv", replace, "was replaced by another file")
    with open(b.path("replaced.csv")) as f:
        check(f.read() == "someone else's file\n", "the replacement was written to")


# ------------------------------------------------------------------------------------------
def group_concurrent(b):
    a = b.popen("run", *SLOW, "--csv", "shared.csv")
    wait_for(lambda: os.path.exists(b.path("shared.csv")) and os.path.getsize(b.path("shared.csv")) > 0
             or a.poll() is not None, 60, "the first run's header")
    check(a.poll() is None, "the first run ended too soon")
    for extra in ([], ["--resume"]):
        rc, out, err = b.run("run", *SLOW, "--csv", "shared.csv", *extra, timeout=60)
        check(rc == 2 and f"pid {a.pid}" in err and len(err.strip().splitlines()) == 1,
              f"second run {extra}: exit {rc} {err!r}")
    out, err = a.communicate(timeout=120)
    check(a.returncode == 0, f"first run: exit {a.returncode}\n{err.decode()}")
    _, rows = read_csv(b.path("shared.csv"))
    libraries = {r["library"] for r in rows}  # onednn, openblas, accel: whichever this cpu offers
    check(len({r["run_id"] for r in rows}) == 1 and len(rows) == 2 * len(libraries), f"{len(rows)} rows of "
          f"{len({r['run_id'] for r in rows})} runs")
    side = json.load(open(b.path("shared.json")))
    check(side["run_id"] == rows[0]["run_id"] and side["state"] == "finished", "sidecar overwritten")

    # Two suites with default file names started in the same second (pinned by the test hook).
    env = {"ACCEL_TEST_FILE_STAMP": "20260101-000000"}
    suite = ["suite", *ONE_ROW, *TINY, "--quiet"]
    procs = [b.popen(*suite, env=env) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs):
        check(p.returncode == 0, f"concurrent suite: exit {p.returncode}\n{err.decode()}")
    csvs = sorted(f for f in os.listdir(b.path("results")) if f.endswith(".csv"))
    check(len(csvs) == 2 and all("20260101-000000" in f for f in csvs), f"results/: {csvs}")
    for name in csvs:
        _, rows = read_csv(b.path("results", name))
        side = json.load(open(b.path("results", name[:-4] + ".json")))
        check(len(rows) == 1 and side["run_id"] == rows[0]["run_id"] and side["csv"].endswith(name),
              f"{name}: rows and sidecar of different runs")
    printed = sorted(out.decode().split("results: ")[1].strip() for out, _ in outs)
    check(printed == [f"results/{n}" for n in csvs], f"printed paths {printed}")


# ------------------------------------------------------------------------------------------
def long_run(b, name):
    """A run whose one row samples for minutes, and its worker's pid."""
    p = b.popen("run", "--workload", "gemm", "--config", SMALL, "--dtype", "fp32", "--library", "accel",
                "--min-time-ms", "60000", "--max-samples", "1000000", "--warmup-ms", "0", "--csv", name)
    found = []

    def worker_started():
        found[:] = [k for k in children_of(p.pid) if b"__worker" in cmdline(k)]
        return bool(found) or p.poll() is not None
    wait_for(worker_started, 60, "the worker")
    check(found, f"no worker (run ended with {p.poll()})")
    time.sleep(0.5)  # let it sample
    return p, found[0]


def group_orphans(b):
    # Orphans are re-parented to this process (a subreaper), so they can be reaped and checked.
    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    p, worker = long_run(b, "killed.csv")
    try:
        p.kill()
        p.wait(timeout=30)
        deadline = time.time() + 5
        while time.time() < deadline and alive(worker):
            reap(worker)
            time.sleep(0.05)
        check(not alive(worker), "the worker kept measuring after its parent was SIGKILLed")
    finally:
        if alive(worker):
            os.kill(worker, signal.SIGKILL)
        reap(worker)

    p, worker = long_run(b, "hup.csv")
    try:
        p.send_signal(signal.SIGHUP)
        out, err = p.communicate(timeout=60)
        check(p.returncode == 129, f"SIGHUP: exit {p.returncode}, expected 129\n{err.decode()}")
        deadline = time.time() + 5
        while time.time() < deadline and alive(worker):
            reap(worker)
            time.sleep(0.05)
        check(not alive(worker), "the worker kept measuring after its parent got SIGHUP")
        side = json.load(open(b.path("hup.json")))
        check(side["state"] == "interrupted", f"sidecar state {side['state']}")
        read_csv(b.path("hup.csv"))
    finally:
        if alive(worker):
            os.kill(worker, signal.SIGKILL)
        reap(worker)


# ------------------------------------------------------------------------------------------
def group_utf8(b):
    def run_bytes(*args, env=None):
        p = subprocess.run([b.exe, *args], cwd=b.workdir, env=b.environment(env), capture_output=True,
                           timeout=120)
        return p.returncode, p.stdout, p.stderr

    rc, out, err = run_bytes("run", *ONE_ROW, *TINY, "--csv", "t.csv", "--tag", b"k=caf\xe9")
    check(rc == 2 and b"not UTF-8" in err, f"--tag with Latin-1 bytes: exit {rc} {err!r}")
    err.decode("utf-8")  # the message itself is UTF-8
    check(not os.path.exists(b.path("t.csv")), "a refused run created its CSV")

    env = {"ACCEL_BACKEND_PATH": b.plugins, "ACCEL_BACKENDS": "cpu,f_badutf8"}
    rc, out, err = run_bytes("run", "--workload", "gemm", "--config", SMALL, "--dtype", "fp32", *TINY,
                             "--device", "f_badutf8:0", "--csv", b"caf\xe9.csv", env=env)
    check(rc in (0, 1), f"device name not UTF-8: exit {rc}\n{err!r}")
    path = os.path.join(os.fsencode(b.workdir), b"caf\xe9.csv")
    _, rows = read_csv(path)
    check(rows and rows[0]["device_name"] == "Fault \\xff\\xfe device \\xc3(", f"name {rows[0]['device_name']!r}")
    check(rows[0]["vendor"] == "vendor \\xed\\xa0\\x80 surrogate", f"vendor {rows[0]['vendor']!r}")
    with open(os.path.join(os.fsencode(b.workdir), b"caf\xe9.json"), "rb") as f:
        side = json.loads(f.read().decode("utf-8"))
    check(side["csv"] == "caf\\xe9.csv", f"sidecar csv {side['csv']!r}")
    check(any(d["name"] == "Fault \\xff\\xfe device \\xc3(" for d in side["devices"]), "sidecar device")
    shutil.copy(path, b.path("names.csv"))
    p = subprocess.run([b.python, PLOT, "--quiet", "--format", "svg", "--out", b.path("plots"),
                        b.path("names.csv")], capture_output=True, text=True, timeout=300)
    if "matplotlib is not installed" not in p.stderr:
        check(p.returncode == 0, f"plot.py refused the CSV: {p.returncode}\n{p.stderr}")


PLOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "plot.py")


# ------------------------------------------------------------------------------------------
def group_messages(b):
    rc, out, err = b.run("run", *ONE_ROW, "--warmup-ms", "99999999999999999999999", "--csv", "x.csv")
    check(rc == 2 and "overflows" in err, f"overflow: {rc} {err!r}")
    rc, out, err = b.run("run", *ONE_ROW, "--device", "cpu:99999999999999999999", "--csv", "x.csv")
    check(rc == 2 and "overflows" in err, f"device index overflow: {rc} {err!r}")

    rc, out, err = b.run("devices", env={"ACCEL_BACKENDS": "cdua"})
    check(rc == 2 and len(err.strip().splitlines()) == 1, f"ACCEL_BACKENDS=cdua: exit {rc} {err!r}")
    check("ACCEL_BACKENDS=cdua matches no backend plugin (known:" in err and "cpu" in err, err)
    rc, out, err = b.run("run", *ONE_ROW, *TINY, "--csv", "x.csv", env={"ACCEL_BACKENDS": "cdua"})
    check(rc == 2 and "matches no backend plugin" in err, f"run with ACCEL_BACKENDS=cdua: {rc} {err!r}")
    rc, out, err = b.run("info", env={"ACCEL_BACKENDS": "cdua"})
    check(rc == 2 and "matches no backend plugin" in err, f"info with ACCEL_BACKENDS=cdua: {rc} {err!r}")
    rc, out, err = b.run("devices", env={"ACCEL_BACKENDS": "cpu,cdua"})
    check(rc == 0 and "names 'cdua', which matches no backend plugin" in err and "cpu:0" in out,
          f"ACCEL_BACKENDS=cpu,cdua: {rc} {err!r}")

    # The plot hint is one shell command, with an interpreter that has matplotlib (or says how).
    name = "it's a results file.csv"
    rc, out, err = b.run("run", *ONE_ROW, *TINY, "--csv", name)
    check(rc == 0, f"run: exit {rc}\n{err}")
    hint = [ln for ln in out.splitlines() if ln.startswith("plot: ")]
    check(len(hint) == 1, f"no plot hint in {out!r}")
    words = shlex.split(hint[0][len("plot: "):])
    check(len(words) == 3 and words[2] == name and words[1].endswith("plot.py"), f"hint words {words}")
    if "needs matplotlib" in out:
        check("pip install matplotlib" in out, out)
    else:
        p = subprocess.run([words[0], "-c", "import matplotlib"], capture_output=True, timeout=120)
        check(p.returncode == 0, f"the hint's interpreter {words[0]} has no matplotlib")


GROUPS = {"plugins": group_plugins, "paths": group_paths, "disk": group_disk, "resume": group_resume,
          "underneath": group_underneath, "concurrent": group_concurrent, "orphans": group_orphans,
          "utf8": group_utf8, "messages": group_messages}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--accelbench", required=True)
    ap.add_argument("--plugins", required=True)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--group", required=True, choices=sorted(GROUPS))
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    subprocess.run(["umount", os.path.join(a.workdir, "tmpfs")], capture_output=True)  # a killed run's
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    start = time.monotonic()
    try:
        GROUPS[a.group](Bench(os.path.abspath(a.accelbench), a.workdir, os.path.abspath(a.plugins), a.python))
    except Failure as e:
        print(f"FAIL [{a.group}]: {e}", file=sys.stderr)
        return 1
    print(f"ok [{a.group}] in {time.monotonic() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
