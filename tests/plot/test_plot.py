#!/usr/bin/env python3
"""Tests for scripts/plot.py (plain unittest): python3 tests/plot/test_plot.py

The script is run as a subprocess with this interpreter, the way users and CI run it.
Inputs are the synthetic fixtures in tests/plot/data (see make_fixture.py), bad CSVs
made on the fly from them, and every results/*.csv the repository holds.
"""

import csv
import filecmp
import glob
import importlib.util
import io
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SCRIPT = os.path.join(ROOT, "scripts", "plot.py")
FIXTURES = sorted(glob.glob(os.path.join(HERE, "data", "*.csv")))
RESULTS = sorted(glob.glob(os.path.join(ROOT, "results", "*.csv")))

# What the two fixtures must produce: three devices, every workload, a price for two of them.
DEVICE_SLUGS = ("amd-radeon-rx-7900-xtx-opencl-ws-amd-02", "intel-r-xeon-r-platinum-8480-cpu-gpu-node-01",
                "nvidia-h100-80gb-hbm3-cuda-gpu-node-01")
EXPECTED_FIGURES = (
    ["throughput_gemm", "throughput_bert-layer", "throughput_bert-layer_items", "throughput_resnet-block",
     "throughput_resnet-block_items", "throughput_peak", "throughput_stream", "throughput_transfer",
     "gemm_vs_size", "cost", "latency_bert-layer", "latency_resnet-block"]
    + [f"efficiency_{d}" for d in DEVICE_SLUGS] + [f"roofline_{d}" for d in DEVICE_SLUGS])


def run_plot(*args):
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True, timeout=900)


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


plot = load_module(SCRIPT, "plot")


def read_rows(paths):
    rows = []
    for path in paths:
        with open(path, newline="", encoding="utf-8") as f:
            rows += list(csv.DictReader(f))
    return rows


def write_rows(path, rows, columns=plot.COLUMNS):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="plot-test-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def small_csv(self, name="small.csv", workloads=("stream",)):
        """A few fixture rows, for option tests that do not need every figure (and run fast)."""
        path = os.path.join(self.tmp, name)
        write_rows(path, [r for r in read_rows(FIXTURES) if r["workload"] in workloads])
        return path


class FixtureTest(TempDirTest):
    def test_fixtures_exist(self):
        self.assertGreaterEqual(len(FIXTURES), 2, "tests/plot/data should hold the generated fixtures")

    def test_fixtures_match_generator(self):
        """The committed fixtures are exactly what make_fixture.py writes (regenerate after edits)."""
        subprocess.run([sys.executable, os.path.join(HERE, "make_fixture.py"), self.tmp], check=True,
                       capture_output=True)
        for path in FIXTURES:
            fresh = os.path.join(self.tmp, os.path.basename(path))
            self.assertTrue(filecmp.cmp(path, fresh, shallow=False),
                            f"{path} is stale: run tests/plot/make_fixture.py")

    def test_fixtures_follow_contract_and_say_synthetic(self):
        for path in FIXTURES:
            with open(path, newline="", encoding="utf-8") as f:
                header = next(csv.reader(f))
            self.assertIn(tuple(header), plot.SCHEMA_COLUMNS.values())
        rows = read_rows(FIXTURES)
        # Files of two schema versions, so every run reads a mix (version 3 files are made from the
        # version 2 rows where a test needs one: test_every_schema_version_read_alone_and_mixed).
        self.assertEqual({r["schema_version"] for r in rows}, {"1", "2"})
        self.assertTrue(all(r["tags"] == "fixture=synthetic" for r in rows))
        self.assertEqual({r["status"] for r in rows}, set(plot.STATUSES))
        self.assertGreater(len({r["hostname"] for r in rows}), 1)


class FullReportTest(unittest.TestCase):
    """One run over both fixtures; the tests below inspect what it wrote."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="plot-test-")
        cls.out = os.path.join(cls.tmp, "out")
        cls.proc = run_plot("--out", cls.out, *FIXTURES)
        cls.rows = read_rows(FIXTURES)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def read(self, name):
        with open(os.path.join(self.out, name), encoding="utf-8") as f:
            return f.read()

    def test_exit_status_and_report_path(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        self.assertEqual(self.proc.stdout.strip().splitlines()[-1], os.path.join(self.out, "report.html"))

    def test_every_figure_written_in_both_formats(self):
        for name in EXPECTED_FIGURES:
            with self.subTest(figure=name):
                png = os.path.join(self.out, name + ".png")
                svg = os.path.join(self.out, name + ".svg")
                with open(png, "rb") as f:
                    self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
                self.assertGreater(os.path.getsize(png), 10000)
                with open(svg, encoding="utf-8") as f:
                    self.assertIn("<svg", f.read(2000))
        written = {os.path.splitext(n)[0] for n in os.listdir(self.out) if n.endswith(".png")}
        self.assertEqual(written, set(EXPECTED_FIGURES))

    def test_failed_and_not_run_rows_counted(self):
        failed = sum(r["status"] == "failed_verification" for r in self.rows)
        self.assertGreater(failed, 0)
        self.assertIn(f"skipped {failed} row(s) with status failed_verification", self.proc.stderr)
        for status in plot.NOT_RUN_STATUSES:
            count = sum(r["status"] == status for r in self.rows)
            self.assertIn(f"{count} {status}", self.proc.stderr)
        self.assertIn(f"skipped {failed} row(s) with status failed_verification", self.read("report.md"))

    def test_inputs_merged(self):
        md = self.read("report.md")
        for field in ("hostname", "run_id", "accelbench_version", "git_sha"):
            for value in {r[field] for r in self.rows}:
                self.assertIn(value, md, field)
        summary = md.split("## Summary")[1].split("##")[0]
        for name in {r["device_name"] for r in self.rows}:
            self.assertIn(f"| {name} |", summary)
        self.assertIn("@ ws-amd-02", md)  # several hosts: device labels name the host

    def test_report_html_is_self_contained(self):
        page = self.read("report.html")
        self.assertTrue(page.startswith("<!DOCTYPE html>"))
        self.assertEqual(page.count("data:image/png;base64,"), len(EXPECTED_FIGURES))
        self.assertIn("fixture=synthetic", page)
        md = self.read("report.md")
        for name in EXPECTED_FIGURES:
            self.assertIn(f"]({name}.png)", md)


class BadInputTest(TempDirTest):
    """Each problem: exit 2, one clear line naming the file, and nothing written."""

    def check_rejected(self, args, *phrases):
        out = os.path.join(self.tmp, "out")
        proc = run_plot("--out", out, *args)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, proc.stderr)
        self.assertTrue(lines[0].startswith("plot.py: error: "), lines[0])
        for phrase in phrases:
            self.assertIn(phrase, lines[0])
        self.assertFalse(os.path.exists(out), "no output may be written for bad input")
        self.assertEqual(proc.stdout, "")

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
        return path

    def test_wrong_schema_version(self):
        rows = read_rows(FIXTURES[:1])
        rows[3]["schema_version"] = "5"
        path = os.path.join(self.tmp, "v5.csv")
        write_rows(path, rows)
        self.check_rejected([path], path, "schema_version '5' is not supported", "line 5")

    def test_every_schema_version_read_alone_and_mixed(self):
        """Version 1 files (no attainable columns), version 2 files (no scale-out or energy columns),
        version 3 files (no device-pair or scaling columns) and version 4 files, alone or together; a version 1 file may also gain version 1 rows
        appended by a newer accelbench."""
        v1 = [r for r in read_rows(FIXTURES) if r["schema_version"] == "1"]
        v2 = [r for r in read_rows(FIXTURES) if r["schema_version"] == "2"]
        v3 = [dict(r, schema_version="3", ranks="1", nodes="1", devices_per_node="1",
                   energy_source="rapl", joules_per_item="0.25", provider="aws",
                   instance_type="c7i.large") for r in v2]
        v4 = [dict(r, schema_version="4", peer_device="cuda:1", link="nvlink", peer_access="yes",
                   scaling_efficiency="0.875") for r in v3]
        files = {os.path.join(self.tmp, "v1.csv"): (v1, plot.COLUMNS_V1),
                 os.path.join(self.tmp, "v2.csv"): (v2, plot.COLUMNS_V2),
                 os.path.join(self.tmp, "v3.csv"): (v3, plot.COLUMNS_V3),
                 os.path.join(self.tmp, "v4.csv"): (v4, plot.COLUMNS)}
        for path, (rows, columns) in files.items():
            write_rows(path, rows, columns)
        p1, p2, p3, p4 = files
        for paths in ([p1], [p2], [p3], [p4], [p1, p2], [p1, p2, p3, p4]):
            rows, _ = plot.load_all(paths)
            self.assertEqual(len(rows), sum(len(files[p][0]) for p in paths))
        rows, _ = plot.load_all([p1, p2, p3, p4])
        old = [r for r in rows if r["schema_version"] == "1"]
        self.assertTrue(old and all(r["attainable"] is None and r["attainable_source"] == "" for r in old))
        self.assertTrue(any(r["attainable"] is not None for r in rows if r["schema_version"] == "2"))
        v2_read = [r for r in rows if r["schema_version"] == "2"]
        self.assertTrue(v2_read and all(r["joules_per_item"] is None and r["provider"] == "" for r in v2_read))
        v3_read = [r for r in rows if r["schema_version"] == "3"]
        self.assertTrue(v3_read and all(r["joules_per_item"] == 0.25 and r["ranks"] == 1.0
                                        and r["instance_type"] == "c7i.large" for r in v3_read))
        self.assertTrue(all(r["scaling_efficiency"] is None and r["link"] == "" for r in v3_read))
        v4_read = [r for r in rows if r["schema_version"] == "4"]
        self.assertTrue(v4_read and all(r["scaling_efficiency"] == 0.875 and r["peer_device"] == "cuda:1"
                                        and r["link"] == "nvlink" and r["peer_access"] == "yes"
                                        for r in v4_read))
        self.assertEqual(subprocess.run([sys.executable, SCRIPT, "--quiet", "--out", os.path.join(self.tmp, "o"),
                                         p1, p2, p3, p4], capture_output=True).returncode, 0)

    def test_newer_row_in_older_file(self):
        rows = read_rows(FIXTURES)
        v1 = [r for r in rows if r["schema_version"] == "1"]
        v1[2] = dict(v1[2], schema_version="2")
        path = os.path.join(self.tmp, "mixed.csv")
        write_rows(path, v1, plot.COLUMNS_V1)
        self.check_rejected([path], path, "schema_version 2 row, but the header lacks peak_gbps")

    def test_missing_columns(self):
        path = os.path.join(self.tmp, "cols.csv")
        write_rows(path, read_rows(FIXTURES[:1]), [c for c in plot.COLUMNS if c not in ("tflops", "status")])
        self.check_rejected([path], path, "missing columns: tflops, status")

    def test_empty_file(self):
        self.check_rejected([self.write("empty.csv", b"")], "empty.csv", "empty file")

    def test_header_only(self):
        path = self.write("header.csv", ",".join(plot.COLUMNS) + "\r\n")
        self.check_rejected([path], "header.csv", "no result rows")

    def test_nonexistent_file(self):
        self.check_rejected([os.path.join(self.tmp, "nope.csv")], "nope.csv", "no such file")

    def test_garbage_binary(self):
        self.check_rejected([self.write("garbage.csv", bytes(range(256)) * 8)], "garbage.csv", "not a CSV")

    def test_non_utf8_text(self):
        self.check_rejected([self.write("latin.csv", "caf\xe9,1\n".encode("latin-1"))], "latin.csv", "not UTF-8")

    def test_text_that_is_not_results(self):
        path = self.write("notes.csv", "name,value\nalpha,1\n")
        self.check_rejected([path], "notes.csv", "not an accelbench results CSV")

    def test_truncated_row(self):
        row = read_rows(FIXTURES[:1])[0]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(plot.COLUMNS)
        writer.writerow([row.get(c, "") for c in plot.COLUMNS][:-3])  # a write cut short
        path = self.write("cut.csv", out.getvalue())
        self.check_rejected([path], "cut.csv line 2", f"expected {len(plot.COLUMNS)} fields, found "
                            f"{len(plot.COLUMNS) - 3}")

    def test_bad_number(self):
        rows = read_rows(FIXTURES[:1])
        rows[0]["median_ms"] = "fast"
        path = os.path.join(self.tmp, "num.csv")
        write_rows(path, rows)
        self.check_rejected([path], "num.csv line 2", "median_ms", "'fast' is not a number")

    def test_bad_status(self):
        rows = read_rows(FIXTURES[:1])
        rows[0]["status"] = "done"
        path = os.path.join(self.tmp, "status.csv")
        write_rows(path, rows)
        self.check_rejected([path], "status.csv line 2", "status 'done'")

    def test_one_bad_file_among_good_ones_writes_nothing(self):
        bad = self.write("empty.csv", b"")
        self.check_rejected([FIXTURES[0], bad, FIXTURES[1]], "empty.csv")

    def test_bad_format_option(self):
        self.check_rejected(["--format", "png,gif", FIXTURES[0]], "--format", "gif")

    def test_existing_out_dir_left_alone(self):
        out = os.path.join(self.tmp, "out")
        os.makedirs(out)
        self.write("out/keep.txt", "mine")
        proc = run_plot("--out", out, os.path.join(self.tmp, "nope.csv"))
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(os.listdir(out), ["keep.txt"])


class OptionTest(TempDirTest):
    def test_help(self):
        proc = run_plot("--help")
        self.assertEqual(proc.returncode, 0)
        for option in ("--out", "--format", "--quiet"):
            self.assertIn(option, proc.stdout)

    def test_default_out_dir_next_to_first_csv(self):
        path = self.small_csv()
        proc = run_plot("--format", "png", path)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        report = os.path.join(self.tmp, "plots", "report.html")
        self.assertEqual(proc.stdout.strip(), report)
        self.assertTrue(os.path.isfile(report))

    def test_svg_only(self):
        out = os.path.join(self.tmp, "out")
        proc = run_plot("--format", "svg", "--out", out, self.small_csv())
        self.assertEqual(proc.returncode, 0, proc.stderr)
        names = os.listdir(out)
        self.assertIn("throughput_stream.svg", names)
        self.assertFalse([n for n in names if n.endswith(".png")])
        with open(os.path.join(out, "report.html"), encoding="utf-8") as f:
            self.assertIn('src="throughput_stream.svg"', f.read())

    def test_quiet_keeps_counts_and_path(self):
        path = self.small_csv(workloads=("stream", "transfer"))  # the cpu transfer rows are unsupported
        proc = run_plot("--quiet", "--format", "png", "--out", os.path.join(self.tmp, "out"), path)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("unsupported", proc.stderr)
        self.assertNotIn("wrote", proc.stderr)
        self.assertNotIn("not drawn", proc.stderr)
        self.assertTrue(proc.stdout.strip().endswith("report.html"))

    def test_missing_data_skips_figures_with_a_note(self):
        out = os.path.join(self.tmp, "out")
        proc = run_plot("--format", "png", "--out", out, self.small_csv())
        self.assertEqual(proc.returncode, 0, proc.stderr)
        for section in ("Roofline", "GEMM vs size", "Cost", "Latency"):
            self.assertIn(f"{section}: not drawn", proc.stderr)
        self.assertFalse(os.path.exists(os.path.join(out, "cost.png")))
        with open(os.path.join(out, "report.md"), encoding="utf-8") as f:
            self.assertIn("Not drawn:", f.read())

    def test_rerun_removes_stale_figures_only(self):
        out = os.path.join(self.tmp, "out")
        both = self.small_csv("both.csv", ("stream", "peak"))
        self.assertEqual(run_plot("--format", "png", "--out", out, both).returncode, 0)
        self.assertTrue(os.path.exists(os.path.join(out, "throughput_peak.png")))
        with open(os.path.join(out, "mine.txt"), "w") as f:
            f.write("not the script's")
        self.assertEqual(run_plot("--format", "png", "--out", out, self.small_csv()).returncode, 0)
        self.assertFalse(os.path.exists(os.path.join(out, "throughput_peak.png")))
        self.assertTrue(os.path.exists(os.path.join(out, "throughput_stream.png")))
        self.assertTrue(os.path.exists(os.path.join(out, "mine.txt")))

    def test_same_file_twice_is_not_double_counted(self):
        path = self.small_csv(workloads=("stream", "transfer"))
        proc = run_plot("--format", "png", "--out", os.path.join(self.tmp, "out"), path, path)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        rows = read_rows([path])
        self.assertIn(f"dropped {len(rows)} duplicate row(s)", proc.stderr)
        unsupported = sum(r["status"] == "unsupported" for r in rows)
        self.assertIn(f"{unsupported} unsupported", proc.stderr)

    def test_failed_rows_never_reach_the_numbers(self):
        """A failed_verification row with an absurd value must not show up anywhere."""
        rows = [r for r in read_rows(FIXTURES) if r["workload"] == "stream"]
        bad = dict(rows[0], config="triad", gbps="987654", status="failed_verification", verified="false")
        path = os.path.join(self.tmp, "failed.csv")
        write_rows(path, rows + [bad])
        out = os.path.join(self.tmp, "out")
        proc = run_plot("--format", "png", "--out", out, path)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("skipped 1 row(s) with status failed_verification", proc.stderr)
        with open(os.path.join(out, "report.md"), encoding="utf-8") as f:
            self.assertNotIn("987,654", f.read())


class HostileInputTest(TempDirTest):
    """What a hostile user fed plot.py: a torn last row, impossible values, very many devices."""

    def test_torn_last_row_refused(self):
        # Cut inside the last field (notes): every field is still there, but the note lost its end
        # and the record its newline.
        rows = [r for r in read_rows(FIXTURES) if r["workload"] == "stream"]
        rows[-1]["notes"] = "median 95% CI +-2.3% (time-cap)"
        path = os.path.join(self.tmp, "whole.csv")
        write_rows(path, rows)
        with open(path, "rb") as f:
            data = f.read()
        torn = self.write_bytes("torn.csv", data[:-len(b"cap)\r\n")])
        proc = run_plot("--format", "png", "--out", os.path.join(self.tmp, "out"), torn)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn("the last row is torn", proc.stderr)
        self.assertEqual(len(proc.stderr.strip().splitlines()), 1, proc.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "out")))

    def write_bytes(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def test_impossible_values_flagged_and_not_plotted(self):
        rows = [r for r in read_rows(FIXTURES) if r["workload"] == "stream" and r["status"] == "ok"]
        rows[0]["median_ms"] = "-0.5"
        rows[1]["gbps"] = "1e308"
        path = os.path.join(self.tmp, "odd.csv")
        write_rows(path, rows)
        out = os.path.join(self.tmp, "out")
        proc = run_plot("--format", "png", "--out", out, path)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("flagged 2 row(s) holding values no measurement produces", proc.stderr)
        with open(os.path.join(out, "report.md"), encoding="utf-8") as f:
            report = f.read()
        self.assertIn("### Implausible values", report)
        self.assertIn("median_ms=-0.5 (negative)", report)
        self.assertIn("gbps=1e+308 (above 1e+06)", report)
        self.assertNotIn("1e+308 GB", report)
        parsed = plot.read_results(path)
        kept, flagged = plot.flag_implausible(parsed)
        self.assertEqual(len(flagged), 2)
        self.assertEqual(len(kept), len(parsed) - 2)

    @staticmethod
    def many_devices(count):
        base = next(r for r in read_rows(FIXTURES) if r["workload"] == "stream" and r["status"] == "ok")
        return [dict(base, device_name=f"Accelerator model {i:03d}", device_uuid=f"uuid-{i:03d}", pci_bus_id="",
                     config="triad", gbps=str(100 + i), pct_peak="", peak_source="", peak_tflops="",
                     items_per_s="", usd_per_hour="", usd_per_million_items="") for i in range(count)]

    def test_170_device_models_fit_in_images(self):
        """170 device panels in one figure are taller than 2^16 pixels, which matplotlib cannot save
        ("Image size ... too large"); every page must stay below it. Measured without rendering."""
        path = os.path.join(self.tmp, "many.csv")
        write_rows(path, self.many_devices(170))
        rows = plot.read_results(path)
        plot.label_devices(rows)
        plt = plot.import_pyplot()
        sizes = []

        class Recorder:
            def __init__(self):
                self.plt = plt

            def save(self, fig, basename, section, title, caption):
                sizes.append((basename, fig.get_size_inches()[1] * plt.rcParams["savefig.dpi"]))
                plt.close(fig)

            def skip(self, section, reason):
                raise AssertionError(f"{section} not drawn: {reason}")

        plot.fig_throughput(Recorder(), plot.Style(rows), rows)
        self.assertGreater(len(sizes), 1, sizes)
        for basename, height in sizes:
            self.assertLess(height, 60000, f"{basename} would be {height:.0f} pixels tall")

    def test_many_devices_written_as_pages(self):
        path = os.path.join(self.tmp, "many.csv")
        write_rows(path, self.many_devices(plot.MAX_PANELS + 3))
        out = os.path.join(self.tmp, "out")
        proc = run_plot("--format", "png", "--quiet", "--out", out, path)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        names = sorted(n for n in os.listdir(out) if n.startswith("throughput_stream"))
        self.assertEqual(names, ["throughput_stream-p1.png", "throughput_stream-p2.png"])
        with open(os.path.join(out, "report.md"), encoding="utf-8") as f:
            report = f.read()
        self.assertIn("(page 2 of 2)", report)
        self.assertIn(f"Accelerator model {plot.MAX_PANELS + 2:03d}", report)


class UnitTest(unittest.TestCase):
    def test_config_order(self):
        configs = ["deepbench-1760x128x1760-NN", "4096", "2048-bias-gelu", "1000", "1024", "bert-base-qkv-b8"]
        self.assertEqual(sorted(configs, key=plot.natural_key),
                         ["1000", "1024", "2048-bias-gelu", "4096", "bert-base-qkv-b8",
                          "deepbench-1760x128x1760-NN"])
        self.assertEqual(sorted(["triad", "add", "copy", "scale"], key=plot.natural_key),
                         ["copy", "scale", "add", "triad"])

    def test_device_labels_name_devices_not_indexes(self):
        base = dict.fromkeys(plot.COLUMNS, "")
        rows = [dict(base, hostname="h1", backend="cuda", device_name="NVIDIA A100", device_index=0.0,
                     pci_bus_id="0000:17:00.0"),
                dict(base, hostname="h1", backend="cuda", device_name="NVIDIA A100", device_index=1.0,
                     pci_bus_id="0000:65:00.0"),
                dict(base, hostname="h1", backend="cpu", device_name="AMD EPYC 7763", device_index=0.0)]
        labels = plot.label_devices(rows)
        self.assertIn("NVIDIA A100 · cuda [0000:17:00.0]", labels)
        self.assertIn("AMD EPYC 7763 · cpu", labels)
        rows.append(dict(base, hostname="h2", backend="cpu", device_name="AMD EPYC 7763", device_index=0.0))
        self.assertIn("AMD EPYC 7763 · cpu @ h2", plot.label_devices(rows))

    def test_number_format(self):
        self.assertEqual([plot.fmt_num(v) for v in (0.04172, 5.318, 51.2, 741.0, 3038.2, 240223.4)],
                         ["0.0417", "5.32", "51.2", "741", "3,038", "240,223"])

    def test_close_sizes_staggered(self):
        self.assertEqual(plot.size_tick_labels([1000, 1024, 2048, 4096]), ["1000", "\n1024", "2048", "4096"])

    def test_close_roofs_share_a_label(self):
        merged = plot.merge_close_roofs([(752, "matrix-fp16"), (741, "matrix-bf16"), (378, "matrix-tf32")])
        self.assertEqual([[c for _, c in g] for g in merged], [["matrix-fp16", "matrix-bf16"], ["matrix-tf32"]])

    def test_csv_quoting_round_trip(self):
        """RFC 4180 fields with commas, quotes and newlines survive."""
        rows = read_rows(FIXTURES[:1])[:2]
        rows[0]["notes"] = 'line one, "quoted"\nline two'
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "q.csv")
            write_rows(path, rows)
            parsed = plot.read_results(path)
        self.assertEqual(parsed[0]["notes"], 'line one, "quoted"\nline two')
        self.assertEqual(len(parsed), 2)


class MixedPrecisionTest(TempDirTest):
    """Training rows (-train configs) of a schema 2 and a schema 1 file: the mixed-precision figure
    is drawn and the report's table gives each mode's samples/s and its ratio to fp32 of the same
    device, config and library."""

    def train_rows(self, template, library, rates, config="base-s128-b8-train", status="ok"):
        rows = []
        for dtype, rate in rates.items():
            row = dict(template, config=config, dtype=dtype, library=library, status=status, item="sample",
                       items_per_s=f"{rate:g}", median_ms=f"{8000 / rate:.6g}", batch="8")
            row.update(tflops=f"{5.586e9 * rate / 1e12:.6g}", verified="true" if status == "ok" else "false")
            rows.append(row)
        return rows

    def test_figure_and_ratio_table(self):
        fixture = read_rows(FIXTURES)
        inference = [r for r in fixture if r["workload"] == "bert_layer"]
        h100 = next(r for r in inference if r["backend"] == "cuda" and r["schema_version"] == "2")
        radeon = next(r for r in inference if r["backend"] == "opencl" and r["schema_version"] == "1")
        v2 = [r for r in inference if r["schema_version"] == "2"]
        v2 += self.train_rows(h100, "accel-cuda", {"fp32": 1000, "tf32": 2500, "bf16": 4000, "fp16": 4200})
        v2 += self.train_rows(h100, "accel-cuda", {"fp16": 3000})  # a slower run: the best one counts
        v2 += self.train_rows(h100, "accel-cuda", {"fp16": 9999}, status="failed_verification")
        v2 += self.train_rows(h100, "pytorch", {"fp32": 900, "bf16": 3000})
        v2 += self.train_rows(h100, "pytorch", {"bf16": 700}, config="conv3_x-identity-b32-nhwc-train")
        v1 = [r for r in inference if r["schema_version"] == "1"]
        v1 += self.train_rows(radeon, "accel-opencl", {"fp32": 50, "fp16": 80})
        p2, p1 = os.path.join(self.tmp, "v2.csv"), os.path.join(self.tmp, "v1.csv")
        write_rows(p2, v2)
        write_rows(p1, v1, columns=plot.COLUMNS_V1)
        out = os.path.join(self.tmp, "out")
        proc = run_plot("--format", "png", "--out", out, p2, p1)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        with open(os.path.join(out, "mixed_precision.png"), "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        with open(os.path.join(out, "report.md"), encoding="utf-8") as f:
            md = f.read()
        self.assertIn("](mixed_precision.png)", md)
        section = md.split("## Mixed-precision speedup (training)\n")[1].split("\n## ")[0]
        lines = [line for line in section.splitlines() if line.startswith("| ")]
        header = [c.strip() for c in lines[0].strip("|").split(" | ")]
        self.assertEqual(header, ["Device", "Config", "Library", "fp32 samples/s", "fp32 vs fp32",
                                  "tf32 samples/s", "tf32 vs fp32", "bf16 samples/s", "bf16 vs fp32",
                                  "fp16 samples/s", "fp16 vs fp32"])
        table = {}
        for line in lines[1:]:
            cells = [c.strip() for c in line.strip("|").split(" | ")]
            table[(cells[0].split(" · ")[1].split(" @ ")[0], cells[1], cells[2])] = dict(zip(header[3:], cells[3:]))
        # Only -train configs: the inference rows beside them are not in the table.
        self.assertEqual(set(table), {("cuda", "base-s128-b8-train", "accel-cuda"),
                                      ("cuda", "base-s128-b8-train", "pytorch"),
                                      ("cuda", "conv3_x-identity-b32-nhwc-train", "pytorch"),
                                      ("opencl", "base-s128-b8-train", "accel-opencl")})
        ours = table[("cuda", "base-s128-b8-train", "accel-cuda")]
        self.assertEqual([ours[f"{d} vs fp32"] for d in ("fp32", "tf32", "bf16", "fp16")],
                         ["1.00x", "2.50x", "4.00x", "4.20x"])  # fp16: the best ok run, not the failed one
        self.assertEqual((ours["fp32 samples/s"], ours["fp16 samples/s"]), ("1,000", "4,200"))
        torch_row = table[("cuda", "base-s128-b8-train", "pytorch")]
        self.assertEqual((torch_row["bf16 vs fp32"], torch_row["tf32 vs fp32"]), ("3.33x", "–"))
        self.assertEqual(table[("cuda", "conv3_x-identity-b32-nhwc-train", "pytorch")]["bf16 vs fp32"], "no fp32")
        self.assertEqual(table[("opencl", "base-s128-b8-train", "accel-opencl")]["fp16 vs fp32"], "1.60x")
        with open(os.path.join(out, "report.html"), encoding="utf-8") as f:
            page = f.read()
        self.assertIn("<h2>Mixed-precision speedup (training)</h2>", page)
        self.assertIn("<td>4.20x</td>", page)

    def test_no_training_rows_no_figure(self):
        """Inference-only files of both schema versions: no figure, no table, no complaint."""
        rows = [r for r in read_rows(FIXTURES) if r["workload"] == "bert_layer"]
        p2, p1 = os.path.join(self.tmp, "v2.csv"), os.path.join(self.tmp, "v1.csv")
        write_rows(p2, [r for r in rows if r["schema_version"] == "2"])
        write_rows(p1, [r for r in rows if r["schema_version"] == "1"], columns=plot.COLUMNS_V1)
        out = os.path.join(self.tmp, "out")
        proc = run_plot("--format", "png", "--out", out, p2, p1)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertFalse(os.path.exists(os.path.join(out, "mixed_precision.png")))
        with open(os.path.join(out, "report.md"), encoding="utf-8") as f:
            md = f.read()
        self.assertNotIn("Mixed-precision", md)
        self.assertNotIn("Mixed precision", proc.stderr)


class PeerMatrixTest(TempDirTest):
    """transfer p2p rows (schema 4) of 3 GPUs: one matrix figure per mode, the report's tables give
    the best value per ordered pair with its link, and the rows stay out of the transfer bars."""

    def pair_rows(self, template):
        rows = []
        links = {("0", "1"): "nvlink", ("1", "0"): "nvlink"}
        for src in "012":
            for dst in "012":
                if src == dst:
                    continue
                link = links.get((src, dst), "pcie")
                gbps = 300.0 if link == "nvlink" else 20.0 + int(src)
                common = dict(template, workload="transfer", dtype="fp32", library="buffer_copy_peer",
                              device_index=src, device_uuid=f"GPU-{src}", pci_bus_id=f"0000:1{src}:00.0",
                              peer_device=f"cuda:{dst}", link=link, peer_access="yes" if link == "nvlink" else "no",
                              status="ok", verified="true", schema_version="4")
                rows.append(dict(common, config="p2p-uni", gbps=f"{gbps:g}", median_ms="1"))
                rows.append(dict(common, config="p2p-uni", gbps=f"{gbps / 2:g}", median_ms="2"))  # a slower run
                rows.append(dict(common, config="p2p-latency", gbps="0.001", median_ms="0.0025" if link == "nvlink" else "0.01"))
        return rows

    def test_matrix_figures_and_tables(self):
        h100 = next(r for r in read_rows(FIXTURES) if r["backend"] == "cuda" and r["workload"] == "transfer")
        single = [r for r in read_rows(FIXTURES) if r["workload"] == "transfer"]
        path = os.path.join(self.tmp, "p2p.csv")
        write_rows(path, [dict(r, schema_version="4") for r in single] + self.pair_rows(h100))
        out = os.path.join(self.tmp, "out")
        proc = run_plot("--format", "png", "--out", out, path)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        for name in ("p2p_uni", "p2p_latency"):
            with open(os.path.join(out, name + ".png"), "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        self.assertFalse(os.path.exists(os.path.join(out, "p2p_bidir.png")))  # no bidir rows
        with open(os.path.join(out, "report.md"), encoding="utf-8") as f:
            md = f.read()
        section = md.split("## Device-to-device transfers\n")[1].split("\n## ")[0]
        tables = [t.strip() for t in section.split("\n\n") if t.strip().startswith("| ")]
        self.assertEqual(len(tables), 2)
        uni = [[c.strip() for c in line.strip("|").split(" | ")] for line in tables[0].splitlines()]
        self.assertEqual(uni[0], ["one way (GB/s): source \\ destination", "cuda:0", "cuda:1", "cuda:2"])
        self.assertEqual(uni[2:], [["cuda:0", "-", "300 (nvlink)", "20.0 (pcie)"],
                                   ["cuda:1", "300 (nvlink)", "-", "21.0 (pcie)"],
                                   ["cuda:2", "22.0 (pcie)", "22.0 (pcie)", "-"]])
        lat = [[c.strip() for c in line.strip("|").split(" | ")] for line in tables[1].splitlines()]
        self.assertEqual(lat[0][0], "latency (µs): source \\ destination")
        self.assertEqual(lat[2][2], "2.50 (nvlink)")
        self.assertEqual(lat[4][1], "10.0 (pcie)")
        # The single-device transfer bars are drawn without the pair rows (the caption counts rows).
        self.assertIn("](throughput_transfer.png)", md)
        n_single = sum(1 for r in single if r["status"] == "ok" and r["gbps"])
        caption = md.split("](throughput_transfer.png)")[1].split("\n\n")[1]
        self.assertIn(f"({n_single} ok rows)", caption)


@unittest.skipUnless(RESULTS, "no results/*.csv in the repository yet")
class RealResultsTest(TempDirTest):
    def test_each_results_csv(self):
        for path in RESULTS:
            with self.subTest(csv=os.path.relpath(path, ROOT)):
                out = os.path.join(self.tmp, os.path.basename(path))
                proc = run_plot("--format", "png", "--out", out, path)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                self.assertTrue(os.path.isfile(os.path.join(out, "report.html")))
                self.assertTrue(os.path.isfile(os.path.join(out, "report.md")))

    def test_all_results_together(self):
        out = os.path.join(self.tmp, "all")
        proc = run_plot("--format", "png", "--out", out, *RESULTS)
        self.assertEqual(proc.returncode, 0, proc.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
