"""Runs `accelbench suite --quick` on the pjrt backend and checks that its GEMM, BERT-layer and
ResNet-block rows were measured and verified against the reference (training steps: measured and
verified, or unsupported naming the op pjrt lacks).

usage: check_quick_suite.py ACCELBENCH OUT_CSV [extra accelbench args...]
"""
import csv
import subprocess
import sys


def main():
    accelbench, out_csv, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
    cmd = [accelbench, "suite", "--quick", "--backend", "pjrt", "--quiet", "--csv", out_csv] + extra
    print(" ".join(cmd), flush=True)
    rc = subprocess.run(cmd).returncode
    with open(out_csv, newline="") as f:
        rows = list(csv.DictReader(f))
    failures = []
    for workload in ("gemm", "bert_layer", "resnet_block"):
        mine = [r for r in rows if r["workload"] == workload and r["backend"] == "pjrt"]
        if not mine:
            failures.append(f"no {workload} row on pjrt")
        for r in mine:
            what = f"{workload} {r['config']} {r['dtype']}"
            print(f"{what}: status={r['status']} verified={r['verified']} median_ms={r['median_ms']} "
                  f"timer={r['timer']} algorithm={r.get('algorithm', '')}")
            if r["config"].endswith("-train") and r["status"] == "unsupported":
                # pjrt has no training ops yet: refused, naming the first one it lacks
                if "planning " not in r["notes"]:
                    failures.append(f"{what}: unsupported without naming the op: {r['notes']}")
                continue
            if r["status"] != "ok" or r["verified"] != "true":
                failures.append(f"{what}: status {r['status']}, verified {r['verified']}")
            if r["timer"] != "host":
                failures.append(f"{what}: timer column '{r['timer']}', want 'host'")
    if rc != 0:
        failures.append(f"accelbench exited {rc}")
    for f in failures:
        print("FAIL:", f)
    print("pjrt quick suite:", "FAILED" if failures else "ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
