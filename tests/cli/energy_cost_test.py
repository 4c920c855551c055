#!/usr/bin/env python3
"""Cost, energy, carbon and instance identity end to end (docs/cli.md, "Energy, carbon and cost").

    energy_cost_test.py --accelbench PATH --workdir DIR

- A cpu run on a fake sysfs tree ($ACCEL_SYSFS_ROOT): DMI of an AWS c7i.large and two RAPL
  packages whose energy_uj a thread advances at 25 W each. The row must say energy_source rapl,
  power near 50 W, and energy_j, joules_per_item, gco2_per_million_items, usd_per_hour and
  usd_per_million_items as computed here by hand from the row's own median and items_per_s.
- The same without powercap: energy_source says why, and no energy figure is written.
- Bad prices files and numbers: exit 2 with one line, no CSV.
- --cloud-metadata against a mock HTTP server on 127.0.0.1 (never another address) that answers
  as AWS (IMDSv2 token), GCP and Azure, and one that answers too late: 1 s bound, run goes on.
  Without the flag the server sees no request.
"""
import argparse
import csv
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time

# ACCEL_SMALL=1 (the sanitizer CI job, where the fp64 check of a BERT layer takes minutes): the
# RAPL row is a small GEMM (one item a run) instead of bert_layer base-s128-b8 (eight sequences).
SMALL = os.environ.get("ACCEL_SMALL", "0") not in ("", "0")
WATTS_PER_PACKAGE = 25.0


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def near(a, b, rel):
    return abs(a - b) <= rel * max(abs(a), abs(b))


class Bench:
    def __init__(self, exe, workdir):
        self.exe, self.workdir = exe, workdir

    def run(self, *args, env=None, timeout=180):
        e = dict(os.environ)
        e["ASAN_OPTIONS"] = ":".join(filter(None, [e.get("ASAN_OPTIONS"), "intercept_tls_get_addr=0"]))
        e.pop("ACCEL_CLOUD_METADATA_ADDR", None)
        e.update(env or {})
        t0 = time.monotonic()
        p = subprocess.run([self.exe, *args], cwd=self.workdir, env=e, capture_output=True,
                           text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr, time.monotonic() - t0

    def path(self, name):
        return os.path.join(self.workdir, name)


def rows_of(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def dmi_tree(root, **fields):
    for name, value in fields.items():
        write(os.path.join(root, "class/dmi/id", name), value + "\n")


def rapl_tree(root):
    for z in (0, 1):
        d = os.path.join(root, f"class/powercap/intel-rapl:{z}")
        write(os.path.join(d, "name"), f"package-{z}\n")
        write(os.path.join(d, "energy_uj"), "0\n")
        write(os.path.join(d, "max_energy_range_uj"), "262143328850\n")


class Ticker(threading.Thread):
    """Advances both packages' energy_uj as a constant power would, from the wall clock."""

    def __init__(self, root):
        super().__init__(daemon=True)
        self.root, self.stop = root, threading.Event()

    def run(self):
        t0 = time.monotonic()
        while not self.stop.is_set():
            uj = int((time.monotonic() - t0) * WATTS_PER_PACKAGE * 1e6)
            for z in (0, 1):
                d = os.path.join(self.root, f"class/powercap/intel-rapl:{z}")
                with open(os.path.join(d, "energy_uj.tmp"), "w") as f:
                    f.write(f"{uj}\n")
                os.replace(os.path.join(d, "energy_uj.tmp"), os.path.join(d, "energy_uj"))
            time.sleep(0.002)


PRICES = """# Test prices, not real ones.
instance_type,provider,region,usd_per_hour
c7i.large,aws,,0.36
m7i.xlarge,aws,us-east-1,0.2016
m7i.xlarge,aws,eu-west-1,0.2240
n2-standard-8,gcp,,0.388472
"""

BERT = ["run", "--workload", "bert_layer", "--config", "base-s128-b8", "--dtype", "fp32",
        "--warmup-ms", "1", "--min-time-ms", "1", "--max-samples", "3"]
GEMM = ["run", "--workload", "gemm", "--config", "deepbench-7680x1x2560-NN", "--dtype", "fp32",
        "--warmup-ms", "1", "--min-time-ms", "1", "--max-samples", "3"]
NULL_ROW = ["run", "--workload", "gemm", "--config", "1024", "--dtype", "fp32", "--min-time-ms", "1",
            "--max-samples", "3"]


def check_rapl_row(r, items):
    check(r["status"] == "ok", f"rapl run: {r['status']} {r['notes']}")
    check(r["energy_source"] == "rapl", f"energy_source {r['energy_source']!r}")
    median_s = float(r["median_ms"]) / 1000
    items_per_s = float(r["items_per_s"])
    check(round(items_per_s * median_s) == items, f"items per run {items_per_s * median_s}")
    power = float(r["power_w"])
    # Two packages at 25 W; the ticker's 2 ms steps and thread scheduling blur it a little.
    check(40 <= power <= 60, f"power_w {power} (the fake counters draw 50 W)")
    energy = float(r["energy_j"])
    check(near(energy, power * median_s, 1e-4), f"energy_j {energy} != {power} W x {median_s} s")
    jpi = float(r["joules_per_item"])
    check(near(jpi, energy / items, 1e-4), f"joules_per_item {jpi} != {energy} / {items}")
    # g CO2 per million items: J/item x 1e6 items / 3.6e6 J/kWh x 400 g/kWh.
    g = float(r["gco2_per_million_items"])
    check(near(g, jpi * 1e6 / 3.6e6 * 400, 1e-4), f"gco2_per_million_items {g}")
    check(r["grid_gco2_per_kwh"] == "400", r["grid_gco2_per_kwh"])
    check(r["usd_per_hour"] == "0.36", f"usd_per_hour {r['usd_per_hour']!r} (prices.csv line 3)")
    usd = float(r["usd_per_million_items"])
    check(near(usd, 0.36 / 3600 / items_per_s * 1e6, 1e-4), f"usd_per_million_items {usd}")
    check(r["provider"] == "aws" and r["instance_type"] == "c7i.large",
          f"identity {r['provider']!r} {r['instance_type']!r}")


def test_rapl_run(b):
    root = b.path("sys-aws")
    dmi_tree(root, sys_vendor="Amazon EC2", product_name="c7i.large", board_vendor="Amazon EC2")
    rapl_tree(root)
    ticker = Ticker(root)
    ticker.start()
    try:
        rc, out, err, _ = b.run(*(GEMM if SMALL else BERT), "--csv", "rapl.csv", "--grid-gco2-per-kwh", "400",
                                "--prices", "prices.csv",
                                env={"ACCEL_BACKENDS": "cpu", "ACCEL_SYSFS_ROOT": root})
    finally:
        ticker.stop.set()
        ticker.join()
    check(rc == 0, f"rapl run: exit {rc}: {err}")
    rows = rows_of(b.path("rapl.csv"))
    check(rows, "rapl run: no rows")
    for r in rows:
        check_rapl_row(r, 1 if SMALL else 8)
    with open(b.path("rapl.json")) as f:
        inst = json.load(f)["instance"]
    check(inst["provider"] == "aws" and inst["instance_type_source"] == "dmi", inst)
    check(inst["dmi"]["product_name"] == "c7i.large" and inst["usd_per_hour"] == 0.36, inst)
    check(inst["price_source"].endswith("prices.csv line 3"), inst["price_source"])


def test_no_counter(b):
    root = b.path("sys-nopowercap")
    dmi_tree(root, sys_vendor="Amazon EC2", product_name="c7i.large")
    rc, out, err, _ = b.run(*GEMM, "--csv", "none.csv", "--grid-gco2-per-kwh", "55",
                            "--prices", "prices.csv", "--instance-type", "m7i.xlarge",
                            "--region", "eu-west-1",
                            env={"ACCEL_BACKENDS": "cpu", "ACCEL_SYSFS_ROOT": root})
    check(rc == 0, f"no-counter run: exit {rc}: {err}")
    rows = rows_of(b.path("none.csv"))
    check(rows and all(r["status"] == "ok" for r in rows), [(r["status"], r["notes"]) for r in rows])
    for r in rows:
        src = r["energy_source"]
        check(src.startswith("none: ") and "class/powercap not readable" in src, f"energy_source {src!r}")
        for col in ("energy_j", "joules_per_item", "gco2_per_million_items"):
            check(r[col] == "", f"{col} = {r[col]!r} without a counter: never an estimate")
        check(r["grid_gco2_per_kwh"] == "55", r["grid_gco2_per_kwh"])
        # --instance-type names it by hand; --region picks the row among two.
        check(r["instance_type"] == "m7i.xlarge" and r["usd_per_hour"] == "0.224",
              (r["instance_type"], r["usd_per_hour"]))
    # --price-per-hour overrides the file.
    rc, out, err, _ = b.run(*GEMM, "--csv", "override.csv", "--prices", "prices.csv",
                            "--price-per-hour", "1.5", "--dry-run",
                            env={"ACCEL_BACKENDS": "cpu", "ACCEL_SYSFS_ROOT": root})
    check(rc == 0, f"override: exit {rc}: {err}")


def test_bad_inputs(b):
    root = b.path("sys-aws-dmi-only")
    dmi_tree(root, sys_vendor="Amazon EC2", product_name="c7i.large")
    nocloud = b.path("sys-nocloud")
    dmi_tree(nocloud, sys_vendor="Dell Inc.", product_name="PowerEdge R760")
    write(b.path("bad-number.csv"), "instance_type,provider,region,usd_per_hour\nc7i.large,aws,,abc\n")
    write(b.path("negative.csv"), "instance_type,provider,region,usd_per_hour\nc7i.large,aws,,-1\n")
    write(b.path("dup.csv"), "instance_type,provider,region,usd_per_hour\nc7i.large,aws,,1\nc7i.large,aws,,2\n")
    write(b.path("noheader.csv"), "c7i.large,aws,,1\n")
    cases = [
        (["--prices", "missing.csv"], root, "cannot read 'missing.csv'"),
        (["--prices", "bad-number.csv"], root, "bad-number.csv:2: usd_per_hour is not"),
        (["--prices", "negative.csv"], root, "negative.csv:2: usd_per_hour is not"),
        (["--prices", "dup.csv"], root, "dup.csv:3: c7i.large,aws, is already on line 2"),
        (["--prices", "noheader.csv"], root, "the header must be"),
        (["--prices", "dup.csv", "--price-per-hour", "1"], root, "is already on line 2"),
        (["--prices", "prices.csv", "--instance-type", "m7i.xlarge"], root, "name the region with --region"),
        (["--prices", "prices.csv", "--instance-type", "p5.48xlarge"], root, "no row for instance type p5.48xlarge"),
        (["--prices", "prices.csv"], nocloud, "no instance type to look up"),
        (["--grid-gco2-per-kwh", "-5"], root, "not a non-negative number"),
        (["--grid-gco2-per-kwh", "lots"], root, "not a non-negative number"),
        (["--grid-gco2-per-kwh", "1", "--grid-gco2-per-kwh", "2"], root, "given twice"),
        (["--instance-type", "a,b"], root, "is not a name"),
    ]
    for args, tree, want in cases:
        csv_path = b.path("bad.csv")
        if os.path.exists(csv_path):
            os.remove(csv_path)
        rc, out, err, _ = b.run(*GEMM, "--csv", "bad.csv", *args,
                                env={"ACCEL_BACKENDS": "cpu", "ACCEL_SYSFS_ROOT": tree})
        lines = err.strip().splitlines()
        check(rc == 2, f"{args}: exit {rc} (want 2): {err}")
        check(len(lines) == 1 and want in lines[0], f"{args}: stderr {err!r}, want one line with {want!r}")
        check(not os.path.exists(csv_path), f"{args}: a CSV was created")


class Metadata(http.server.BaseHTTPRequestHandler):
    """The three providers' endpoints, each checking the header its provider requires."""
    mode = "aws"
    seen = []

    def log_message(self, *args):
        pass

    def answer(self, code, body=""):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        Metadata.seen.append(("PUT", self.path, dict(self.headers)))
        if self.mode == "aws" and self.path == "/latest/api/token" and \
                self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self.answer(200, "TOKEN-123")
        self.answer(404)

    def do_GET(self):
        Metadata.seen.append(("GET", self.path, dict(self.headers)))
        h = self.headers
        if self.mode == "slow":
            time.sleep(3)
            return self.answer(200, "too-late")
        if self.mode == "aws" and self.path.startswith("/latest/meta-data/"):
            if h.get("X-aws-ec2-metadata-token") != "TOKEN-123":
                return self.answer(401)
            value = {"/latest/meta-data/instance-type": "m7i.xlarge",
                     "/latest/meta-data/placement/region": "eu-west-1"}.get(self.path)
            return self.answer(200, value) if value else self.answer(404)
        if self.mode == "gcp" and self.path.startswith("/computeMetadata/v1/"):
            if h.get("Metadata-Flavor") != "Google":
                return self.answer(403)
            value = {"/computeMetadata/v1/instance/machine-type": "projects/42/machineTypes/n2-standard-8",
                     "/computeMetadata/v1/instance/zone": "projects/42/zones/us-central1-a"}.get(self.path)
            return self.answer(200, value) if value else self.answer(404)
        if self.mode == "azure" and self.path.startswith("/metadata/instance/compute/"):
            if h.get("Metadata") != "true":
                return self.answer(400)
            if self.path.startswith("/metadata/instance/compute/vmSize?"):
                return self.answer(200, "Standard_D2s_v3")
            if self.path.startswith("/metadata/instance/compute/location?"):
                return self.answer(200, "eastus")
        self.answer(404)


def test_cloud_metadata(b):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Metadata)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    addr = f"127.0.0.1:{server.server_address[1]}"
    nodmi = b.path("sys-empty")
    os.makedirs(nodmi, exist_ok=True)
    gcp = b.path("sys-gcp")
    dmi_tree(gcp, sys_vendor="Google", product_name="Google Compute Engine")
    azure = b.path("sys-azure")
    dmi_tree(azure, sys_vendor="Microsoft Corporation", product_name="Virtual Machine",
             chassis_asset_tag="7783-7084-3265-9085-8269-3286-77")
    env = {"ACCEL_BACKENDS": "null", "ACCEL_NULL_DEVICES": "1", "ACCEL_CLOUD_METADATA_ADDR": addr}
    try:
        # Without the flag nothing is asked.
        Metadata.mode, Metadata.seen = "aws", []
        rc, out, err, _ = b.run(*NULL_ROW, "--csv", "md-none.csv", env=dict(env, ACCEL_SYSFS_ROOT=nodmi))
        check(rc == 0 and Metadata.seen == [], f"no flag: exit {rc}, requests {Metadata.seen}")
        check(rows_of(b.path("md-none.csv"))[0]["instance_type"] == "", "no flag: an instance type")

        for mode, tree, want_type, want_region, prices in (
                ("aws", nodmi, "m7i.xlarge", "eu-west-1", True),
                ("gcp", gcp, "n2-standard-8", "us-central1", True),
                ("azure", azure, "Standard_D2s_v3", "eastus", False)):
            Metadata.mode, Metadata.seen = mode, []
            name = f"md-{mode}.csv"
            extra = ["--prices", "prices.csv"] if prices else []
            rc, out, err, _ = b.run(*NULL_ROW, "--csv", name, "--cloud-metadata", *extra,
                                    env=dict(env, ACCEL_SYSFS_ROOT=tree))
            check(rc == 0, f"{mode}: exit {rc}: {err}")
            (r,) = rows_of(b.path(name))
            check(r["provider"] == mode and r["instance_type"] == want_type,
                  f"{mode}: {r['provider']!r} {r['instance_type']!r}")
            with open(b.path(name.replace(".csv", ".json"))) as f:
                inst = json.load(f)["instance"]
            check(inst["instance_type_source"] == "cloud-metadata" and inst["region"] == want_region,
                  f"{mode}: sidecar {inst}")
            if mode == "aws":
                # IMDSv2: the token first, then the type with it; the region picked the price row.
                check(Metadata.seen[0][0] == "PUT" and Metadata.seen[0][1] == "/latest/api/token",
                      Metadata.seen)
                check(r["usd_per_hour"] == "0.224", f"aws: usd_per_hour {r['usd_per_hour']!r}")
            if mode == "gcp":
                check(r["usd_per_hour"] == "0.388472", f"gcp: usd_per_hour {r['usd_per_hour']!r}")
                # DMI said GCP: no other provider was asked.
                check(all(p.startswith("/computeMetadata/") for _, p, _ in Metadata.seen), Metadata.seen)

        # An endpoint that answers after 3 s: the run waits 1 s at most, warns once, goes on.
        Metadata.mode, Metadata.seen = "slow", []
        slow = b.path("sys-aws-slow")
        dmi_tree(slow, sys_vendor="Amazon EC2", product_name="c7i.large")
        rc, out, err, secs = b.run(*NULL_ROW, "--csv", "md-slow.csv", "--cloud-metadata", "--dry-run",
                                   env=dict(env, ACCEL_SYSFS_ROOT=slow))
        check(rc == 0, f"slow: exit {rc}: {err}")
        check(f"--cloud-metadata: no instance type from {addr} within 1000 ms" in err, f"slow: stderr {err!r}")
        check(secs < 2.8, f"slow: the run took {secs:.1f} s (the metadata deadline is 1 s)")
    finally:
        server.shutdown()
        server.server_close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--accelbench", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    b = Bench(os.path.abspath(a.accelbench), a.workdir)
    write(b.path("prices.csv"), PRICES)
    try:
        test_bad_inputs(b)
        test_cloud_metadata(b)
        test_no_counter(b)
        test_rapl_run(b)
    except (Failure, subprocess.TimeoutExpired) as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
