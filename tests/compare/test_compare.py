#!/usr/bin/env python3
"""scripts/compare.py on fixture CSVs of three fictional instance types (tests/compare/data):
every number of the tables checked against values worked out by hand from the fixtures, the
figures and reports written, and bad input refused with one line and exit status 2.

The fixtures: examplecloud/gx1.small (schema 3, one device, 1.50 USD/h, its bert row measured
twice, gemm without an energy counter), examplecloud/gx8.large (schema 3, eight devices at
16 USD/h, device 7 slower, gemm measured on device 0 only, a faster failed_verification row, the
host CPU measured too) and lab-node (schema 1: no instance type, two devices, priced only through
usd_per_million_items, energy only as energy_j, no grid intensity)."""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCRIPT = os.path.join(ROOT, "scripts", "compare.py")
DATA = os.path.join(HERE, "data")
FIXTURES = [os.path.join(DATA, f) for f in ("gx1-small.csv", "gx8-large.csv", "lab-node-v1.csv")]
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import compare  # noqa: E402
import plot  # noqa: E402

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print(f"FAIL: {what}", file=sys.stderr)


def close(actual, expected, what, rel=1e-4):
    ok = actual is not None and abs(actual - expected) <= rel * abs(expected)
    check(ok, f"{what}: {actual!r}, expected {expected!r}")


def run(*args):
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True, timeout=120)


def lines_by_instance(tables, group):
    item, lines = tables[group]
    return item, {ln["instance"]: ln for ln in lines}


def test_arithmetic():
    rows, _ = plot.load_all(FIXTURES)
    tables, notes, instances = compare.compare(rows, grid_default=250.0)
    check(instances == ["examplecloud/gx1.small", "examplecloud/gx8.large",
                        "lab-node (Fictional Accelerator C)"], f"instances {instances}")
    check(set(tables) == {("bert_layer", "base-s128-b8", "fp16"), ("bert_layer", "base-s128-b8", "fp32"),
                          ("gemm", "4096", "fp16")},
          f"groups {sorted(tables)}")
    check(any("8 row(s) whose status is not ok" in n for n in notes), f"notes {notes}")

    item, by = lines_by_instance(tables, ("bert_layer", "base-s128-b8", "fp16"))
    check(item == "sequence", f"bert item {item!r}")
    gx1, gx8, lab = by["examplecloud/gx1.small"], by["examplecloud/gx8.large"], \
        by["lab-node (Fictional Accelerator C)"]
    # gx8.large: 7 devices at 1200/s and one at 1000/s (the 5000/s failed_verification row and
    # the 40/s host CPU do not count): (7 x 1200 + 1000) / 8 = 1175 per device, x 8 = 9400.
    check(gx8["devices"] == 8, f"gx8 devices {gx8['devices']}")
    close(gx8["per_device"], 1175.0, "gx8 bert per device")
    close(gx8["per_instance"], 9400.0, "gx8 bert per instance")
    close(gx8["usd_per_million"], 16 / 3600 / 9400 * 1e6, "gx8 bert USD/M")  # 0.472813
    close(gx8["kwh_per_million"], 0.15 / 3.6, "gx8 bert kWh/M")  # 0.15 J/item: 0.0416667
    close(gx8["kg_co2_per_million"], 0.15 / 3.6 * 0.4, "gx8 bert kg CO2/M")  # its own 400 g/kWh
    # gx1.small: the better of 900.009 and 1000 per second; 1.50 USD/h.
    check(gx1["devices"] == 1 and "best of 2 rows per device" in gx1["notes"], f"gx1 {gx1}")
    close(gx1["per_instance"], 1000.0, "gx1 bert per instance")
    close(gx1["usd_per_million"], 416.6667e-3, "gx1 bert USD/M")
    close(gx1["kwh_per_million"], 0.05, "gx1 bert kWh/M")  # 0.18 J/item (the chosen row's)
    close(gx1["kg_co2_per_million"], 0.02, "gx1 bert kg CO2/M")
    # lab-node: 1600 and 1250 per second, mean 1425, x 2 = 2850; 4 USD/h recovered from
    # usd_per_million_items; J/item from energy_j: 1.6 J / (1600/s x 5 ms) = 0.2 and
    # 2.0 J / (1250/s x 6.4 ms) = 0.25, mean 0.225 -> 0.0625 kWh/M; --grid-gco2-per-kwh 250.
    close(lab["per_device"], 1425.0, "lab bert per device")
    close(lab["per_instance"], 2850.0, "lab bert per instance")
    close(lab["price"], 4.0, "lab price")
    close(lab["usd_per_million"], 4 / 3600 / 2850 * 1e6, "lab bert USD/M")  # 0.389864
    close(lab["kwh_per_million"], 0.0625, "lab bert kWh/M")
    close(lab["kg_co2_per_million"], 0.015625, "lab bert kg CO2/M")
    # Ratios: throughput over the highest (9400); costs over the lowest.
    close(gx1["per_instance_ratio"], 1000 / 9400, "gx1 throughput ratio")
    close(lab["per_instance_ratio"], 2850 / 9400, "lab throughput ratio")
    close(gx8["per_instance_ratio"], 1.0, "gx8 throughput ratio")
    close(lab["usd_per_million_ratio"], 1.0, "lab USD ratio (cheapest)")
    close(gx1["usd_per_million_ratio"], (1.5 / 1000) / (4 / 2850), "gx1 USD ratio")  # 1.06875
    close(gx8["usd_per_million_ratio"], (16 / 9400) / (4 / 2850), "gx8 USD ratio")  # 1.21277
    close(gx1["kwh_per_million_ratio"], 1.2, "gx1 kWh ratio")
    close(lab["kwh_per_million_ratio"], 1.5, "lab kWh ratio")
    close(gx1["kg_co2_per_million_ratio"], 0.02 / 0.015625, "gx1 CO2 ratio")  # 1.28

    # bert fp32 (the group docs/cloud.md compares with this machine's CPU): gx1 400/s at 0.5 J;
    # gx8 8 x 480/s at 0.4 J; lab-node (600 + 500) / 2 x 2 = 1100/s, J/item 4.8 J / (600/s x
    # 13.3333 ms) = 0.6 and 5.6 J / (500/s x 16 ms) = 0.7, mean 0.65.
    _, by = lines_by_instance(tables, ("bert_layer", "base-s128-b8", "fp32"))
    gx1, gx8, lab = by["examplecloud/gx1.small"], by["examplecloud/gx8.large"], \
        by["lab-node (Fictional Accelerator C)"]
    close(gx1["usd_per_million"], 1.5 / 3600 / 400 * 1e6, "gx1 fp32 USD/M")  # 1.041667
    close(gx8["per_instance"], 3840.0, "gx8 fp32 per instance")
    close(gx8["usd_per_million"], 16 / 3600 / 3840 * 1e6, "gx8 fp32 USD/M")  # 1.157407
    close(lab["per_instance"], 1100.0, "lab fp32 per instance")
    close(lab["usd_per_million"], 4 / 3600 / 1100 * 1e6, "lab fp32 USD/M")  # 1.010101
    close(lab["kwh_per_million"], 0.65 / 3.6, "lab fp32 kWh/M")  # 0.180556
    close(gx8["kwh_per_million_ratio"], 1.0, "gx8 fp32 kWh ratio")
    close(gx1["kwh_per_million_ratio"], 0.5 / 0.4, "gx1 fp32 kWh ratio")

    _, by = lines_by_instance(tables, ("gemm", "4096", "fp16"))
    gx1, gx8, lab = by["examplecloud/gx1.small"], by["examplecloud/gx8.large"], \
        by["lab-node (Fictional Accelerator C)"]
    # gx8: device 0 measured (60/s), the other 7 skipped: 8 x 60 = 480, said in the notes.
    close(gx8["per_instance"], 480.0, "gx8 gemm per instance")
    check(any("1 of 8 devices measured" in n for n in gx8["notes"]), f"gx8 gemm notes {gx8['notes']}")
    close(gx8["usd_per_million"], 16 / 3600 / 480 * 1e6, "gx8 gemm USD/M")  # 9259.26
    close(gx8["kwh_per_million"], 2 / 3.6, "gx8 gemm kWh/M")
    close(gx1["usd_per_million"], 1.5 / 3600 / 50 * 1e6, "gx1 gemm USD/M")  # 8333.33
    check(gx1["kwh_per_million"] is None and gx1["energy_why"] == "no counter", f"gx1 gemm energy {gx1}")
    check(lab["kwh_per_million"] is None and lab["energy_why"] == "not measured", f"lab gemm energy {lab}")
    close(lab["usd_per_million_ratio"], (4 / 40) / (1.5 / 50), "lab gemm USD ratio")  # 3.3333

    # Pareto: gemm at (1.5 USD/h, 50/s), (16, 480), (4, 40): lab-node costs more than gx1.small
    # per hour and delivers less, so it is off the front.
    check(compare.pareto_front([(1.5, 50), (16, 480), (4, 40)]) == [0, 1], "pareto front of gemm")
    check(compare.pareto_front([(1, 10), (1, 10)]) == [0, 1], "pareto: equal points both on the front")
    check(compare.pareto_front([(2, 10), (1, 10)]) == [1], "pareto: same throughput, dearer is off")


def test_command_line():
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cmp")
        res = run("--out", out, "--grid-gco2-per-kwh", "250", *FIXTURES)
        check(res.returncode == 0, f"exit {res.returncode}: {res.stderr}")
        check(res.stdout.strip() == os.path.join(out, "compare.html"), f"stdout {res.stdout!r}")
        names = sorted(os.listdir(out))
        for name in ("compare.md", "compare.html", "pareto-bert-layer-base-s128-b8-fp16.png",
                     "pareto-gemm-4096-fp16.png"):
            check(name in names, f"{name} not written (got {names})")
        md = open(os.path.join(out, "compare.md"), encoding="utf-8").read()
        for text in ("| examplecloud/gx8.large | Fictional Accelerator B (cuda) | 8 | 1,175 | 9,400 | 1.00x "
                     "| $16.00 | $0.473 | 1.21x | 0.0417 | 1.00x | 0.0167 | 1.07x |",
                     "| lab-node (Fictional Accelerator C) | Fictional Accelerator C (hip) | 2 | 1,425 | 2,850 "
                     "| 0.30x | $4.00 | $0.390 | 1.00x | 0.0625 | 1.50x | 0.0156 | 1.00x |",
                     "no counter", "best of 2 rows per device"):
            check(text in md, f"compare.md lacks {text!r}")
        html_text = open(os.path.join(out, "compare.html"), encoding="utf-8").read()
        check("data:image/png;base64," in html_text and "<table>" in html_text, "compare.html content")
        # Without a grid intensity lab-node's CO2 cannot be known, and the table says so.
        res = run("--out", out, *FIXTURES)
        md = open(os.path.join(out, "compare.md"), encoding="utf-8").read()
        check(res.returncode == 0 and "| 0.0625 | 1.50x | no grid intensity |" in md, "no grid intensity")

        bad = os.path.join(tmp, "bad.csv")
        not_ok = os.path.join(tmp, "not-ok.csv")
        with open(FIXTURES[1], encoding="utf-8") as f:
            text = f.read()
        with open(bad, "w", encoding="utf-8") as f:
            f.write(text[:-20])  # torn: the last write was cut short
        with open(not_ok, "w", encoding="utf-8") as f:
            f.write("".join(ln for ln in text.splitlines(True)
                            if ln.startswith("schema_version") or ",skipped," in ln))
        fresh = os.path.join(tmp, "fresh")
        for args, what in (([os.path.join(tmp, "missing.csv")], "no such file"),
                           ([bad], "torn"),
                           ([not_ok], "no row with status ok and verified true"),
                           (["--grid-gco2-per-kwh", "-5", FIXTURES[0]], "not a carbon intensity"),
                           (["--format", "gif", FIXTURES[0]], "not supported")):
            res = run("--out", fresh, *args)
            err = res.stderr.strip().splitlines()
            check(res.returncode == 2, f"{what}: exit {res.returncode}")
            check(len(err) == 1 and err[0].startswith("compare.py: error:") and what in err[0],
                  f"{what}: stderr {res.stderr!r}")
            check(not os.path.exists(fresh), f"{what}: {fresh} written on bad input")


test_arithmetic()
test_command_line()
if failures:
    print(f"{len(failures)} check(s) failed", file=sys.stderr)
    sys.exit(1)
print("compare.py: all checks passed")
