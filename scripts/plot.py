#!/usr/bin/env python3
"""Figures and a one-page report from accelbench results CSVs.

    scripts/plot.py [--out DIR] [--format png,svg] [--quiet] CSV [CSV...]

Reads any mix of results files (hosts, devices, runs), validates all of them
before writing anything, then writes the figures, report.md and report.html
into DIR (default: plots/ next to the first CSV) and prints the path of
report.html. docs/plotting.md describes each figure.

Only matplotlib is needed (Debian: python3-matplotlib); the CSV handling uses
the standard library so that the script runs on a stock distro Python.
"""

import argparse
import base64
import csv
import html
import io
import math
import os
import re
import shutil
import sys
import tempfile
from collections import Counter, defaultdict

PROG = "plot.py"

# The results CSV contract, in file order: schema_version 1, then the columns versions 2, 3 and 4
# appended (docs/cli.md, Schema versions).
COLUMNS_V1 = (
    "schema_version", "run_id", "timestamp_utc", "accelbench_version", "git_sha", "hostname", "tags",
    "backend", "device_index", "device_uuid", "pci_bus_id", "device_name", "vendor", "driver_version",
    "runtime_version", "library", "workload", "config", "dtype", "compute_type", "batch", "m", "n", "k",
    "flop", "bytes", "cache", "warmup_ms", "samples", "timer", "median_ms", "min_ms", "mean_ms", "p5_ms",
    "p95_ms", "stddev_ms", "cov", "tflops", "gbps", "items_per_s", "item", "peak_tflops", "peak_source",
    "pct_peak", "clock_mhz", "power_w", "energy_j", "usd_per_hour", "usd_per_million_items", "verified",
    "max_rel_err", "tolerance", "status", "notes",
)
COLUMNS_V2 = COLUMNS_V1 + ("peak_gbps", "attainable", "attainable_source", "pct_attainable")
COLUMNS_V3 = COLUMNS_V2 + ("ranks", "nodes", "devices_per_node", "comm_library", "busbw_gbps",
                           "energy_source", "joules_per_item", "grid_gco2_per_kwh",
                           "gco2_per_million_items", "provider", "instance_type")
COLUMNS = COLUMNS_V3 + ("peer_device", "link", "peer_access", "scaling_efficiency")
# Each version's columns (a prefix of the newest); every version is read, and files of several
# versions may be mixed. A row of an older version gets the newer columns empty.
SCHEMA_COLUMNS = {"1": COLUMNS_V1, "2": COLUMNS_V2, "3": COLUMNS_V3, "4": COLUMNS}
SCHEMA_VERSION = "4"  # the newest
NUMERIC_COLUMNS = frozenset((
    "device_index", "batch", "m", "n", "k", "flop", "bytes", "warmup_ms", "samples", "median_ms",
    "min_ms", "mean_ms", "p5_ms", "p95_ms", "stddev_ms", "cov", "tflops", "gbps", "items_per_s",
    "peak_tflops", "pct_peak", "clock_mhz", "power_w", "energy_j", "usd_per_hour",
    "usd_per_million_items", "max_rel_err", "tolerance", "peak_gbps", "attainable", "pct_attainable",
    "ranks", "nodes", "devices_per_node", "busbw_gbps", "joules_per_item", "grid_gco2_per_kwh",
    "gco2_per_million_items", "scaling_efficiency",
))
STATUSES = ("ok", "failed_verification", "error", "unsupported", "skipped")
NOT_RUN_STATUSES = ("error", "unsupported", "skipped")
VERIFIED_VALUES = ("true", "false", "")
FORMATS = ("png", "svg")
MANIFEST = ".plot-files"  # what the previous run wrote, so stale figures can be removed safely

# Which measurement is "the throughput" of each workload.
THROUGHPUT_METRIC = {
    "gemm": "tflops", "bert_layer": "tflops", "resnet_block": "tflops", "peak": "tflops",
    "stream": "gbps", "transfer": "gbps",
}
METRIC_UNIT = {"tflops": "TFLOP/s", "gbps": "GB/s"}
WORKLOAD_TITLE = {
    "gemm": "GEMM", "bert_layer": "BERT encoder layer", "resnet_block": "ResNet bottleneck block",
    "peak": "Peak compute", "stream": "STREAM memory bandwidth", "transfer": "Host/device transfer",
}
WORKLOAD_ORDER = ("gemm", "bert_layer", "resnet_block", "peak", "stream", "transfer")
ROOFLINE_WORKLOADS = ("gemm", "bert_layer", "resnet_block")
LATENCY_WORKLOADS = ("bert_layer", "resnet_block")
# STREAM kernels and transfer directions read best in their canonical order, not alphabetically.
CONFIG_RANK = {"copy": 0, "scale": 1, "add": 2, "triad": 3, "h2d": 0, "d2h": 1, "d2d": 2}

DTYPE_ORDER = ("fp32", "tf32", "fp16", "bf16")
DTYPE_COLORS = {"fp32": "#1f77b4", "tf32": "#ff7f0e", "fp16": "#2ca02c", "bf16": "#d62728"}
SPARE_COLORS = ("#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
HATCHES = ("", "//", "..", "xx", "\\\\", "oo")
FILLS = ("full", "none", "left", "bottom")  # roofline markers: one fill per library
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
LINESTYLES = ("-", "--", ":", "-.")
WORKLOAD_MARKERS = {"gemm": "o", "bert_layer": "s", "resnet_block": "^"}


class InputError(Exception):
    """Bad inputs or options: reported as one line on stderr, exit status 2."""


# ---------------------------------------------------------------------------------------------
# Reading and validating
# ---------------------------------------------------------------------------------------------

def read_results(path):
    """Return the data rows of one results file; raise InputError naming the file on any problem."""
    text = read_text(path)
    check_not_torn(path, text)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        records = [(reader.line_num, rec) for rec in reader]
    except csv.Error as exc:
        raise InputError(f"{path} line {reader.line_num}: not a valid CSV file ({exc})") from None
    header = [name.strip() for name in records[0][1]]
    check_header(path, header)
    rows = []
    for line_no, rec in records[1:]:
        if not any(field.strip() for field in rec):
            continue  # blank line, e.g. a trailing newline pair
        if len(rec) != len(header):
            raise InputError(f"{path} line {line_no}: expected {len(header)} fields, found {len(rec)}"
                             " (truncated or corrupted row)")
        rows.append(parse_row(dict(zip(header, rec)), path, line_no))
    return rows


def read_text(path):
    """The file's text; distinguishes missing, empty and binary files for the error message."""
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file")
    if os.path.isdir(path):
        raise InputError(f"{path}: is a directory, not a CSV file")
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    if not data.strip():
        raise InputError(f"{path}: empty file (expected a header row and result rows)")
    if b"\0" in data:
        raise InputError(f"{path}: not a CSV file (binary data)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a CSV file (not UTF-8 text)") from None


def check_not_torn(path, text):
    """accelbench ends every record with a newline: a file that does not is one whose last write was
    cut short, and its last row may look whole while a field is cut (a note, a number's digits)."""
    if not text.endswith("\n"):
        line = text.count("\n") + 1
        raise InputError(f"{path} line {line}: the last row is torn (the file does not end with a "
                         "newline, so a write was cut short); remove that partial line")


def check_header(path, header):
    if not set(header) & set(COLUMNS):
        raise InputError(f"{path}: not an accelbench results CSV (the first line is not a header "
                         f"starting with {','.join(COLUMNS[:3])},...)")
    missing = [c for c in COLUMNS_V1 if c not in header]  # the oldest version's set is the minimum
    if missing:
        shown = ", ".join(missing[:12]) + (f" and {len(missing) - 12} more" if len(missing) > 12 else "")
        raise InputError(f"{path}: missing column{'s' if len(missing) > 1 else ''}: {shown}")


def parse_row(raw, path, line_no):
    """Strings stay strings (stripped); numeric columns become float or None (empty = does not apply)."""
    where = f"{path} line {line_no}"
    version = raw["schema_version"].strip()
    check_row_version(raw, version, path, line_no)
    row = {}
    for col in COLUMNS:
        value = raw.get(col, "").strip()  # columns newer than the row's version are empty
        row[col] = parse_number(value, where, col) if col in NUMERIC_COLUMNS else value
    if row["status"] not in STATUSES:
        raise InputError(f"{where}: status {row['status']!r} is not one of {', '.join(STATUSES)}")
    if row["verified"] not in VERIFIED_VALUES:
        raise InputError(f"{where}: verified {row['verified']!r} is not true, false or empty")
    row["_file"] = path
    row["_line"] = line_no
    return row


def check_row_version(raw, version, path, line_no):
    """A known schema_version whose columns the file's header has."""
    if version not in SCHEMA_COLUMNS:
        shown = f"{version!r}" if version else "empty"
        raise InputError(f"{path}: schema_version {shown} is not supported (this script reads "
                         f"schema_version {', '.join(SCHEMA_COLUMNS)}; first seen on line {line_no})")
    missing = [c for c in SCHEMA_COLUMNS[version] if c not in raw]
    if missing:
        raise InputError(f"{path} line {line_no}: a schema_version {version} row, but the header lacks "
                         f"{', '.join(missing[:4])}" + (" ..." if len(missing) > 4 else ""))


def parse_number(text, where, col):
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{where}: column {col}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise InputError(f"{where}: column {col}: {text!r} is not a finite number")
    return value


# Values no real measurement produces (an edited file, a bug, a broken timer). Rows holding one are
# listed in the report and left out of the figures, where one 1e308 would flatten every other bar.
UPPER_BOUNDS = {
    "median_ms": 1e9, "min_ms": 1e9, "mean_ms": 1e9, "p5_ms": 1e9, "p95_ms": 1e9,  # 11 days per run
    "stddev_ms": 1e9, "warmup_ms": 1e9,
    "tflops": 1e5, "peak_tflops": 1e5,  # 100 PFLOP/s from one device
    "gbps": 1e6,  # 1 PB/s
    "items_per_s": 1e12, "pct_peak": 1000, "cov": 1000,
    "clock_mhz": 1e5, "power_w": 1e5, "energy_j": 1e9,
}
MUST_BE_POSITIVE = ("median_ms", "min_ms", "mean_ms", "p5_ms", "p95_ms")  # a run takes time


def implausible_values(row):
    """[(column, value, why)] for every value in row that cannot be a measurement."""
    found = []
    for col in COLUMNS:
        value = row[col] if col in NUMERIC_COLUMNS else None
        if value is None:
            continue
        if value < 0:
            found.append((col, value, "negative"))
        elif col in MUST_BE_POSITIVE and value == 0 and row["status"] == "ok":
            found.append((col, value, "zero time for a measured row"))
        elif value > UPPER_BOUNDS.get(col, math.inf):
            found.append((col, value, f"above {UPPER_BOUNDS[col]:g}"))
    return found


def flag_implausible(rows):
    """Split rows into the plausible ones and [(row, [(column, value, why)])] for the others."""
    kept, flagged = [], []
    for row in rows:
        found = implausible_values(row)
        if found:
            flagged.append((row, found))
        else:
            kept.append(row)
    return kept, flagged


def implausible_table(flagged):
    header = ["File", "Line", "Device", "Workload", "Config", "dtype", "Library", "Status", "Values"]
    table = [[os.path.basename(r["_file"]), str(r["_line"]), r.get("_device", ""), r["workload"], r["config"],
              r["dtype"], r["library"], r["status"],
              "; ".join(f"{col}={value:g} ({why})" for col, value, why in found)]
             for r, found in flagged]
    return header, table


def load_all(paths):
    """Read every file first so that one bad input stops the run before any output is written."""
    rows, duplicates, seen = [], 0, set()
    for path in paths:
        for row in read_results(path):
            # The same file given twice (or copied into two folders) must not double-count rows.
            key = tuple(row[c] for c in COLUMNS)
            if key in seen:
                duplicates += 1
                continue
            seen.add(key)
            rows.append(row)
    if not rows:
        raise InputError("no result rows in " + ", ".join(paths) + " (only headers)")
    return rows, duplicates


# ---------------------------------------------------------------------------------------------
# Devices, series and ordering
# ---------------------------------------------------------------------------------------------

def device_key(row):
    """One physical device seen through one backend on one host."""
    ident = row["device_uuid"] or row["pci_bus_id"] or f"{row['device_name']}#{row['device_index']}"
    return (row["hostname"], row["backend"], ident)


def label_devices(rows):
    """Readable, unique device labels: name · backend, plus @host when several hosts are present."""
    by_key = {}
    for row in rows:
        key = device_key(row)
        if key not in by_key or (row["device_name"] and not by_key[key]["device_name"]):
            by_key[key] = row  # the label comes from a row that names the device, if any does
    several_hosts = len({key[0] for key in by_key}) > 1
    labels = {}
    for key, row in by_key.items():
        name = row["device_name"] or f"{row['vendor'] or 'unnamed'} device"
        label = f"{name} · {row['backend']}" if row["backend"] else name
        if several_hosts:
            label += f" @ {row['hostname'] or 'unknown host'}"
        labels[key] = label
    counts = Counter(labels.values())
    tags = {}
    for key, label in labels.items():
        if counts[label] > 1:  # two identical cards in one host: tell them apart by bus id
            row = by_key[key]
            if row["pci_bus_id"]:
                tags[key] = row["pci_bus_id"]
            elif row["device_uuid"]:
                tags[key] = row["device_uuid"][:13]
            else:
                tags[key] = f"device {int(row['device_index'] or 0)}"
            labels[key] = f"{label} [{tags[key]}]"
    for row in rows:
        key = device_key(row)
        row["_device"] = labels[key]
        row["_device_name"] = row["device_name"] + (f" [{tags[key]}]" if key in tags else "")
    return sorted(set(labels.values()))


def natural_key(text):
    """Sort '1000' < '2048' < '2048-bias-gelu' < '4096' < 'bert-...' the way a person expects."""
    base = re.split(r"[-_]", text, maxsplit=1)[0]
    parts = [(0, int(p), "") if p.isdigit() else (1, 0, p.lower()) for p in re.split(r"(\d+)", text) if p]
    return (CONFIG_RANK.get(base, len(CONFIG_RANK)), parts)


def dtype_key(dtype):
    return (DTYPE_ORDER.index(dtype) if dtype in DTYPE_ORDER else len(DTYPE_ORDER), dtype)


class Style:
    """Colours and markers fixed for the whole report, so bf16 is always the same red."""

    def __init__(self, rows):
        dtypes = sorted({r["dtype"] for r in rows}, key=dtype_key)
        spare = iter(SPARE_COLORS * 4)
        self.color = {d: DTYPE_COLORS.get(d) or next(spare) for d in dtypes}
        libraries = sorted({r["library"] for r in rows})
        self.marker = {lib: MARKERS[i % len(MARKERS)] for i, lib in enumerate(libraries)}
        ok = [r for r in rows if r["status"] == "ok"]
        self.show_cache = len({r["cache"] for r in ok}) > 1
        # Only name the compute type where it tells rows apart: "bf16 (compute fp32)" on every
        # label is noise when all bf16 rows accumulate in fp32.
        computes = defaultdict(set)
        for r in ok:
            if r["compute_type"]:
                computes[r["dtype"]].add(r["compute_type"])
        self.show_compute = {d for d, c in computes.items() if len(c) > 1}

    def series(self, row):
        compute = row["compute_type"] if row["dtype"] in self.show_compute else ""
        return (row["dtype"], compute, row["library"], row["cache"] if self.show_cache else "")

    def series_label(self, series):
        dtype, compute, library, cache = series[:4]
        parts = [dtype + (f" (compute {compute})" if compute else "")] if dtype else []
        parts += [library] if library else []
        parts += [f"{cache} cache"] if cache else []
        return " · ".join(parts) or "(unlabelled)"

    def series_sort_key(self, series):
        return (dtype_key(series[0]),) + tuple(series[1:])


def best_rows(rows, key_fn, value_fn, lowest=False):
    """Several runs of the same measurement: keep the best one per key (highest, or lowest)."""
    best = {}
    for row in rows:
        value = value_fn(row)
        if value is None:
            continue
        key = key_fn(row)
        if key not in best or (value < value_fn(best[key]) if lowest else value > value_fn(best[key])):
            best[key] = row
    return best


def positive(value):
    """Log axes and ratios need values above zero; a zero rate is no data for them."""
    return value if value is not None and value > 0 else None


def plural(item):
    if not item:
        return "items"
    return item if item.endswith("s") else item + "s"


def fmt_num(value):
    """Three significant figures without scientific notation for the ranges benchmarks produce."""
    if value is None:
        return ""
    if value == 0:
        return "0"
    mag = math.floor(math.log10(abs(value)))
    if mag >= 3:
        return f"{value:,.0f}"
    return f"{value:.{max(0, 2 - mag)}f}"


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def metric_for(workload, row):
    metric = THROUGHPUT_METRIC.get(workload)
    if metric is None:  # a workload this script does not know yet: use whatever it reported
        metric = "tflops" if row["tflops"] is not None else "gbps"
    return metric


def ordered_workloads(rows):
    present = {r["workload"] for r in rows}
    return [w for w in WORKLOAD_ORDER if w in present] + sorted(present - set(WORKLOAD_ORDER))


def workload_title(workload):
    return WORKLOAD_TITLE.get(workload, workload)


# ---------------------------------------------------------------------------------------------
# Figure plumbing
# ---------------------------------------------------------------------------------------------

def import_pyplot():
    """Imported late so --help and input errors work (and fail fast) without matplotlib."""
    try:
        import matplotlib
    except ImportError:
        raise InputError("matplotlib is not installed (Debian: apt install python3-matplotlib; "
                         "otherwise: python3 -m pip install matplotlib)") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams.update({
        "font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10, "xtick.labelsize": 9,
        "ytick.labelsize": 9, "legend.fontsize": 9, "figure.titlesize": 13, "figure.dpi": 100,
        "savefig.dpi": 130, "axes.grid": True, "grid.alpha": 0.3, "axes.axisbelow": True,
        "axes.spines.top": False, "axes.spines.right": False, "svg.hashsalt": "accelbench",
    })
    return plt


class Output:
    """Collects figures in a staging folder; nothing reaches --out unless the whole run succeeds."""

    def __init__(self, plt, formats, quiet):
        self.plt = plt
        self.formats = formats
        self.quiet = quiet
        self.dir = tempfile.mkdtemp(prefix="accelbench-plots-")
        self.figures = []  # (section, title, basename, caption)
        self.skipped = []  # (section, reason)

    def save(self, fig, basename, section, title, caption):
        taken = {f[2] for f in self.figures}
        unique, n = basename, 2
        while unique in taken:  # two device labels that differ only in punctuation
            unique, n = f"{basename}-{n}", n + 1
        basename = unique
        for fmt in self.formats:
            metadata = {"Date": None} if fmt == "svg" else {}  # reproducible SVGs
            fig.savefig(os.path.join(self.dir, f"{basename}.{fmt}"), format=fmt,
                        bbox_inches="tight", pad_inches=0.15, metadata=metadata)
        self.plt.close(fig)
        self.figures.append((section, title, basename, caption))

    def skip(self, section, reason):
        self.skipped.append((section, reason))
        self.note(f"{section}: not drawn ({reason})")

    def note(self, message):
        if not self.quiet:
            print(f"{PROG}: {message}", file=sys.stderr)

    def write_text(self, name, text):
        with open(os.path.join(self.dir, name), "w", encoding="utf-8") as f:
            f.write(text)

    def publish(self, out_dir):
        """Move the staged files into out_dir and remove figures a previous run left there."""
        os.makedirs(out_dir, exist_ok=True)
        new = sorted(os.listdir(self.dir))
        manifest = os.path.join(out_dir, MANIFEST)
        if os.path.exists(manifest):
            with open(manifest, encoding="utf-8") as f:
                old = {line.strip() for line in f if line.strip()}
            for name in old - set(new):
                if "/" not in name and os.path.isfile(os.path.join(out_dir, name)):
                    os.remove(os.path.join(out_dir, name))
        for name in new:
            shutil.move(os.path.join(self.dir, name), os.path.join(out_dir, name))
        with open(manifest, "w", encoding="utf-8") as f:
            f.write("\n".join(new) + "\n")
        self.discard()

    def discard(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def legend_title(series_list):
    return "dtype · library" if any(s[0] for s in series_list) else "library"


def panel_legend(ax, handles, title):
    """Each panel gets its own legend, right of its plot, so it never covers data and lists
    only what that panel shows."""
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
                  title=title, title_fontsize=9, borderaxespad=0.0)


def panel_hatches(series_list):
    """Hatching tells libraries apart inside one panel; the first library stays solid."""
    libraries = sorted({s[2] for s in series_list})
    return {lib: HATCHES[i % len(HATCHES)] for i, lib in enumerate(libraries)}


def bar_handles(style, series_list, hatch, label_fn):
    from matplotlib.patches import Patch
    return [Patch(facecolor=style.color[s[0]], hatch=hatch[s[2]], edgecolor="white", label=label_fn(s))
            for s in series_list]


def labels_rotate(labels, inches_per_label):
    """Whether category labels are too long to sit side by side (about 0.075 in per character)."""
    return bool(labels) and max(len(x) for x in labels) * 0.075 > inches_per_label * 0.95


def rotated_extra(panels, plot_width):
    """Extra figure height (in) for the panels whose config labels will be rotated."""
    return sum(max(len(g) for g in p[1]) * 0.05 for p in panels
               if labels_rotate(p[1], plot_width / max(1, len(p[1]))))


def fit_tick_labels(ax, labels, inches_per_label):
    """Rotate category labels only when they would not fit side by side."""
    if labels_rotate(labels, inches_per_label):
        ax.tick_params(axis="x", labelrotation=30)
        for tick in ax.get_xticklabels():
            tick.set_horizontalalignment("right")
            tick.set_rotation_mode("anchor")


def plain_log_ticks(axis):
    """Log axes read better as 0.1, 1, 10, 100 than as powers of ten."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def thousands_ticks(axis):
    from matplotlib.ticker import FuncFormatter
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}" if abs(v) >= 1000 else f"{v:g}"))


def group_offsets(count, width):
    """x offsets that centre `count` bars of `width` on their group's tick."""
    return [(i - (count - 1) / 2) * width for i in range(count)]


def grouped_bars(ax, style, groups, series_list, values, plot_width, label_fn=None):
    """Bars per group (config), one per series present there; values[(group, series)] -> number.

    Bars are centred on their group rather than kept in fixed slots, so a config measured by
    one dtype only (peak configs, say) does not sit off-centre; colour and hatch identify them."""
    label_fn = label_fn or style.series_label
    hatch = panel_hatches(series_list)
    per_group = [[s for s in series_list if (g, s) in values] for g in groups]
    most = max(len(p) for p in per_group)
    width = min(0.8 / most, 0.3)
    annotate = len(values) <= 60 and width * plot_width / max(1, len(groups)) > 0.1
    for g, present in enumerate(per_group):
        for dx, s in zip(group_offsets(len(present), width), present):
            y = values[(groups[g], s)]
            ax.bar(g + dx, y, width * 0.92, color=style.color[s[0]], hatch=hatch[s[2]], edgecolor="white",
                   linewidth=0.6)
            if annotate:  # white backing keeps the number legible where it crosses the 100 % line
                ax.annotate(fmt_num(y), (g + dx, y), xytext=(0, 2), textcoords="offset points", ha="center",
                            va="bottom", rotation=90, fontsize=7,
                            bbox=dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor="none", alpha=0.8))
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(groups)
    ax.set_xlim(-0.6, len(groups) - 0.4)
    top = max(values.values()) or 1.0  # all-zero rates still need a usable axis
    ax.set_ylim(0, top * (1.22 if annotate else 1.05))  # head room for the value labels
    thousands_ticks(ax.yaxis)
    fit_tick_labels(ax, groups, plot_width / max(1, len(groups)))
    panel_legend(ax, bar_handles(style, series_list, hatch, label_fn), legend_title(series_list))


def bar_plot_width(n_groups, n_bars):
    """Inches for the plotting area: enough for readable bars, capped to stay on a screen."""
    return min(17.0, max(6.0, n_groups * (0.45 + 0.22 * n_bars)))


LEGEND_IN = 3.6  # room for the per-panel legends right of the plots


def titled_layout(fig, title):
    fig.suptitle(title, x=0.01, ha="left")


# Panels (one per device) in one figure; more devices continue on further pages (name-p2.png, ...):
# a figure with a panel for each of 170 devices would be taller than any image format allows.
MAX_PANELS = 16


def paged(items, per_page=MAX_PANELS):
    """[(items of the page, file name suffix, title suffix)]: one page without suffixes for few items."""
    chunks = [items[i:i + per_page] for i in range(0, len(items), per_page)] or [items]
    if len(chunks) == 1:
        return [(chunks[0], "", "")]
    return [(chunk, f"-p{i + 1}", f" (page {i + 1} of {len(chunks)})") for i, chunk in enumerate(chunks)]


def device_pages(rows, per_page=MAX_PANELS):
    """rows split by device into pages: [(rows of the page, file name suffix, title suffix)]."""
    devices = sorted({r["_device"] for r in rows})
    return [([r for r in rows if r["_device"] in set(page)], name, title)
            for page, name, title in paged(devices, per_page)]


def panel_grid(plt, n_panels, plot_width, panel_height, extra_height=0.0):
    """Panels stacked vertically. Constrained layout keeps the plotting areas equally tall and
    fits each panel's own tick labels and legend around it, so extra_height (room for rotated
    labels) is added once for the figure, not per panel."""
    fig, axes = plt.subplots(n_panels, 1, squeeze=False, layout="constrained",
                             figsize=(plot_width + LEGEND_IN, 0.7 + panel_height * n_panels + extra_height))
    return fig, axes[:, 0]


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------

def fig_throughput(out, style, rows):
    """1. Grouped bars per workload: groups = configs, bars = dtype · library, one panel per device."""
    drawn = False
    for workload in ordered_workloads(rows):
        # Pair rows (transfer p2p) depend on the peer too: they get their own matrices (fig_p2p).
        wrows = [r for r in rows if r["workload"] == workload and not is_pair_row(r)]
        if not wrows:
            continue
        metric = metric_for(workload, wrows[0])
        drawn |= throughput_figure(out, style, wrows, workload, metric, METRIC_UNIT[metric],
                                   f"throughput_{slug(workload)}")
        item_rows = [r for r in wrows if r["items_per_s"] is not None and r["item"]]
        if item_rows:
            items = sorted({r["item"] for r in item_rows})
            unit = f"{plural(items[0])}/s" if len(items) == 1 else "items/s"
            drawn |= throughput_figure(out, style, item_rows, workload, "items_per_s", unit,
                                       f"throughput_{slug(workload)}_items")
    if not drawn:
        out.skip("Throughput", "no ok rows with tflops, gbps or items_per_s")


def throughput_figure(out, style, rows, workload, metric, unit, basename):
    rows = [r for r in rows if r[metric] is not None]
    if not rows:
        return False
    panels = []
    for device in sorted({r["_device"] for r in rows}):
        best = best_rows([r for r in rows if r["_device"] == device],
                         lambda r: (r["config"], style.series(r)), lambda r: r[metric])
        groups = sorted({k[0] for k in best}, key=natural_key)
        series = sorted({k[1] for k in best}, key=style.series_sort_key)
        panels.append((device, groups, series, {k: r[metric] for k, r in best.items()}))
    width = bar_plot_width(max(len(p[1]) for p in panels), max(len(p[2]) for p in panels))
    for page, name_suffix, title_suffix in paged(panels):
        fig, axes = panel_grid(out.plt, len(page), width, 3.2, rotated_extra(page, width))
        for ax, (device, groups, series, values) in zip(axes, page):
            grouped_bars(ax, style, groups, series, values, width)
            ax.set_title(device, loc="left", fontweight="bold")
            ax.set_ylabel(unit)
        axes[-1].set_xlabel("configuration")
        title = f"{workload_title(workload)} throughput ({unit}, higher is better){title_suffix}"
        titled_layout(fig, title)
        caption = (f"Best {unit} per configuration, device, dtype and library ({len(rows)} ok rows); "
                   "when several runs measured the same thing the best run is shown.")
        out.save(fig, basename + name_suffix, "Throughput", title, caption)
    return True


P2P_MODES = (("p2p-uni", "one way"), ("p2p-bidir", "both ways at once"), ("p2p-latency", "latency"))


def is_pair_row(row):
    """A row that measures a pair of devices (transfer p2p, schema_version 4)."""
    return bool(row["peer_device"])


def p2p_cells(rows, config):
    """{(source, destination): best row} for one p2p config; source and destination as device ids.
    Bandwidth configs keep the highest gbps, latency the lowest median_ms."""
    latency = config == "p2p-latency"
    metric = "median_ms" if latency else "gbps"
    picked = [r for r in rows if r["config"] == config and is_pair_row(r) and r[metric] is not None]
    best = best_rows(picked, lambda r: (f"{r['backend']}:{int(r['device_index'] or 0)}", r["peer_device"]),
                     lambda r: r[metric], lowest=latency)
    return best, metric


def p2p_matrix(rows, config):
    """(devices in order, {(src, dst): (value, link)}, unit) of one p2p config; values in GB/s, or
    microseconds for latency."""
    best, metric = p2p_cells(rows, config)
    devices = sorted({d for pair in best for d in pair}, key=natural_key)
    scale = 1000.0 if metric == "median_ms" else 1.0
    cells = {pair: (r[metric] * scale, r["link"] or "?") for pair, r in best.items()}
    return devices, cells, ("µs" if metric == "median_ms" else "GB/s")


def fig_p2p(out, style, rows):
    """Device-to-device matrices (transfer p2p): source x destination, one figure per mode, each cell
    the best value and the link between the two."""
    del style  # one colour scale per figure, not the series colours
    pair_rows = [r for r in rows if r["workload"] == "transfer" and is_pair_row(r)]
    if not pair_rows:
        return
    for config, mode in P2P_MODES:
        devices, cells, unit = p2p_matrix(pair_rows, config)
        if not cells:
            continue
        n = len(devices)
        grid = [[float("nan")] * n for _ in range(n)]
        for (src, dst), (value, _) in cells.items():
            grid[devices.index(src)][devices.index(dst)] = value
        side = max(3.0, 1.1 * n + 1.5)
        fig, ax = out.plt.subplots(figsize=(side + 1.2, side))
        cmap = "viridis_r" if unit == "µs" else "viridis"
        image = ax.imshow(grid, cmap=cmap, vmin=0)
        ax.grid(False)
        fig.colorbar(image, ax=ax, label=unit, shrink=0.8)
        ax.set_xticks(range(n), devices, rotation=30, ha="right")
        ax.set_yticks(range(n), devices)
        ax.set_xlabel("destination")
        ax.set_ylabel("source")
        for (src, dst), (value, link) in cells.items():
            ax.text(devices.index(dst), devices.index(src), f"{fmt_num(value)}\n{link}", ha="center",
                    va="center", fontsize=8, color="white",
                    bbox={"facecolor": "black", "alpha": 0.35, "pad": 1.5, "edgecolor": "none"})
        title = f"Device-to-device {mode} ({unit}, {'lower' if unit == 'µs' else 'higher'} is better)"
        titled_layout(fig, title)
        caption = (f"transfer {config}: the best value per ordered pair (source row, destination column) "
                   f"from {sum(1 for r in pair_rows if r['config'] == config)} ok rows, and the link "
                   "between the two devices (nvlink, xgmi, pcie, host-staged).")
        out.save(fig, f"p2p_{config.replace('p2p-', '')}", "Device-to-device transfers", title, caption)


def p2p_tables(ok_rows):
    """One markdown-ready (header, table) per p2p mode with rows: source, then one column per
    destination ("123 (nvlink)", "-" on the diagonal)."""
    tables = []
    for config, mode in P2P_MODES:
        devices, cells, unit = p2p_matrix([r for r in ok_rows if r["workload"] == "transfer"], config)
        if not cells:
            continue
        header = [f"{mode} ({unit}): source \\ destination"] + devices
        table = [[src] + ["-" if src == dst else
                          (f"{fmt_num(cells[(src, dst)][0])} ({cells[(src, dst)][1]})" if (src, dst) in cells else "")
                          for dst in devices] for src in devices]
        tables.append((header, table))
    return tables


def fig_efficiency(out, style, rows):
    """2. Percent of peak per row, one figure per device, the roof named in each legend entry."""
    rows = [r for r in rows if r["pct_peak"] is not None]
    if not rows:
        out.skip("Efficiency", "no ok rows with pct_peak")
        return
    for device in sorted({r["_device"] for r in rows}):
        drows = [r for r in rows if r["_device"] == device]
        panels = []
        for workload in ordered_workloads(drows):
            # The roof is part of the series: the same dtype measured against two roofs is two bars.
            best = best_rows([r for r in drows if r["workload"] == workload],
                             lambda r: (r["config"], style.series(r) + (r["peak_source"],)),
                             lambda r: r["pct_peak"])
            groups = sorted({k[0] for k in best}, key=natural_key)
            series = sorted({k[1] for k in best}, key=lambda s: (style.series_sort_key(s[:4]), s[4]))
            panels.append((workload, groups, series, {k: r["pct_peak"] for k, r in best.items()}))
        width = bar_plot_width(max(len(p[1]) for p in panels), max(len(p[2]) for p in panels))
        fig, axes = panel_grid(out.plt, len(panels), width, 2.8, rotated_extra(panels, width))
        for ax, (workload, groups, series, values) in zip(axes, panels):
            grouped_bars(ax, style, groups, series, values, width,
                         label_fn=lambda s: f"{style.series_label(s)}\n  roof: {s[4] or 'not named'}")
            ax.set_ylim(0, max(112, max(values.values()) * 1.25))
            ax.axhline(100, color="black", linewidth=0.8, linestyle="--")
            ax.set_title(workload_title(workload), loc="left", fontweight="bold")
            ax.set_ylabel("% of roof")
        axes[-1].set_xlabel("configuration")
        title = f"Efficiency on {device} (% of the named roof; dashed line = 100 %)"
        titled_layout(fig, title)
        caption = ("pct_peak of each measurement against the roof named in its legend (peak_source): "
                   "vendor:* is the datasheet peak, theoretical:* a CPU's cores x clock x FLOPs per "
                   "cycle; both bound every row. measured:* roofs (this device's own peak/stream runs) "
                   "appear only in schema_version 1 files, where a row could exceed them. The best "
                   "measured figure (attainable, pct_attainable) is not plotted.")
        out.save(fig, f"efficiency_{slug(device)}", "Efficiency", title, caption)


def fig_roofline(out, style, rows):
    """3. Roofline per device: measured peak roofs, measured STREAM slope, workloads as points."""
    points = [r for r in rows if r["workload"] in ROOFLINE_WORKLOADS and positive(r["tflops"])
              and positive(r["flop"]) and positive(r["bytes"])]
    if not points:
        out.skip("Roofline", "no ok gemm/bert_layer/resnet_block rows with flop, bytes and tflops")
        return
    for device in sorted({r["_device"] for r in points}):
        roofline_figure(out, style, device, [r for r in rows if r["_device"] == device],
                        [r for r in points if r["_device"] == device])


def merge_close_roofs(roofs):
    """Roofs within 25 % of each other (fp16 vs bf16 matrix peaks) share one label so the
    labels do not print on top of each other. roofs: [(tflops, config)] highest first."""
    merged = []
    for tflops, config in roofs:
        if merged and merged[-1][-1][0] / tflops < 1.25:
            merged[-1].append((tflops, config))
        else:
            merged.append([(tflops, config)])
    return merged


def roofline_figure(out, style, device, drows, prows):
    from matplotlib.lines import Line2D
    peaks = best_rows([r for r in drows if r["workload"] == "peak"], lambda r: r["config"],
                      lambda r: positive(r["tflops"]))
    bw_row = best_rows([r for r in drows if r["workload"] == "stream"], lambda r: 0,
                       lambda r: positive(r["gbps"])).get(0)
    points = list(best_rows(prows, lambda r: (r["workload"], r["config"], style.series(r)),
                            lambda r: r["tflops"]).values())
    ais = [r["flop"] / r["bytes"] for r in points]
    perfs = [r["tflops"] for r in points]
    roofs = sorted(((r["tflops"], cfg) for cfg, r in peaks.items()), reverse=True)
    ridge = lambda tflops: tflops * 1000 / bw_row["gbps"]  # noqa: E731  FLOP/byte where slope meets roof
    ridges = [ridge(t) for t, _ in roofs] if bw_row else []
    xmin, xmax = min(ais + ridges) / 4, max(ais + ridges) * 4
    ymin = min(perfs + ([bw_row["gbps"] * xmin / 1000] if bw_row else [])) / 2
    ymax = max(perfs + [t for t, _ in roofs]) * 2.5

    fig, ax = out.plt.subplots(figsize=(13, 7), layout="constrained")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    for tflops, _ in roofs:  # each flat roof starts where the memory slope reaches it
        ax.plot([ridge(tflops) if bw_row else xmin, xmax], [tflops, tflops], color="black", linewidth=1.4,
                alpha=0.8)
    for group in merge_close_roofs(roofs):
        text = " · ".join(f"{cfg} {fmt_num(t)}" for t, cfg in group) + " TFLOP/s"
        ax.annotate(text, (xmax, group[0][0]), xytext=(-4, 3), textcoords="offset points", ha="right",
                    va="bottom", fontsize=8)
    top = ridge(roofs[0][0]) if roofs and bw_row else xmax
    if bw_row:
        ax.plot([xmin, top], [bw_row["gbps"] * xmin / 1000, bw_row["gbps"] * top / 1000], color="black",
                linewidth=1.4, alpha=0.8)
    fills = dict(zip(sorted({style.series(r)[2] for r in points}), FILLS * 4))
    legend = {}
    for r, ai in zip(points, ais):
        series = style.series(r)
        look = dict(marker=WORKLOAD_MARKERS.get(r["workload"], "o"), color=style.color[series[0]],
                    fillstyle=fills[series[2]], markeredgewidth=1.3, markersize=7, linestyle="none")
        ax.plot([ai], [r["tflops"]], **look)
        label = f"{workload_title(r['workload'])}: {style.series_label(series)}"
        legend.setdefault(label, Line2D([], [], label=label, **look))
    ax.set_xlabel("arithmetic intensity (FLOP/byte, log scale)")
    ax.set_ylabel("performance (TFLOP/s, log scale)")
    plain_log_ticks(ax.xaxis)
    plain_log_ticks(ax.yaxis)
    missing = ([] if roofs else ["no peak rows"]) + ([] if bw_row else ["no stream rows"])
    title = f"Roofline: {device}"
    ax.set_title(title + (f"\n({' and '.join(missing)} for this device, so roofs are missing)" if missing else ""))
    ax.legend(handles=[legend[k] for k in sorted(legend)], loc="upper left", bbox_to_anchor=(1.01, 1.0),
              frameon=False, title="workload: dtype · library", title_fontsize=9)
    fig.canvas.draw()  # run the layout: the slope's drawn angle is only known after it
    if bw_row:
        place_slope_label(ax, math.sqrt(xmin * top), bw_row)
    hidden = place_point_labels(fig, ax, [(ai, r["tflops"], r["config"]) for r, ai in zip(points, ais)])
    caption = ("Each point is one measurement at arithmetic intensity flop/bytes; flat lines are this "
               "device's best peak runs, the slope its best STREAM bandwidth"
               + (f" ({bw_row['config']}, {fmt_num(bw_row['gbps'])} GB/s)" if bw_row else "")
               + ". A point close to a line is limited by that roof; one far below it leaves performance unused."
               + (f" {hidden} point labels were left out where they would overlap." if hidden else ""))
    out.save(fig, f"roofline_{slug(device)}", "Roofline", title, caption)


def place_slope_label(ax, x, bw_row):
    y = bw_row["gbps"] * x / 1000
    p1 = ax.transData.transform((x, y))
    p2 = ax.transData.transform((x * 2, y * 2))
    angle = math.degrees(math.atan2(p2[1] - p1[1], p2[0] - p1[0]))
    ax.annotate(f"{bw_row['config']} {fmt_num(bw_row['gbps'])} GB/s", (x, y), xytext=(-4, 4),
                textcoords="offset points", rotation=angle, rotation_mode="anchor", ha="center",
                va="bottom", fontsize=8)


def place_point_labels(fig, ax, points):
    """Greedy labelling: try a few spots around each point and drop a label that would overlap
    another label, a marker or the edge. Returns how many were dropped, for the caption."""
    from matplotlib.transforms import Bbox
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    taken = [t.get_window_extent(renderer) for t in ax.texts]
    for x, y, _ in points:
        px, py = ax.transData.transform((x, y))
        taken.append(Bbox.from_extents(px - 5, py - 5, px + 5, py + 5))
    spots = ((6, 3, "left", "bottom"), (6, -3, "left", "top"), (-6, 3, "right", "bottom"),
             (-6, -3, "right", "top"), (0, 7, "center", "bottom"), (0, -7, "center", "top"))
    hidden = 0
    for x, y, text in sorted(points, key=lambda p: (p[0], p[1])):
        for dx, dy, ha, va in spots:
            label = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                                fontsize=7, color="#333333")
            box = label.get_window_extent(renderer).padded(2)  # a gap, so two labels never read as one
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
            if inside and not any(box.overlaps(t) for t in taken):
                taken.append(box)
                break
            label.remove()
        else:
            hidden += 1
    return hidden


def square_size(row):
    """GEMM configs that are a bare number are the square-size sweep (m = n = k)."""
    return int(row["config"]) if re.fullmatch(r"\d+", row["config"]) else None


def size_tick_labels(sizes):
    """Sizes close together on a log axis (1000 and 1024) go on alternate lines to stay legible."""
    labels = []
    for i, size in enumerate(sizes):
        close = i > 0 and size / sizes[i - 1] < 1.3 and not labels[-1].startswith("\n")
        labels.append(("\n" if close else "") + str(size))
    return labels


def fig_gemm_sizes(out, style, rows):
    """4. TFLOP/s against matrix size for the square GEMM sweep, one line per device, dtype, library."""
    rows = [r for r in rows if r["workload"] == "gemm" and r["tflops"] is not None
            and square_size(r) is not None]
    if not rows:
        out.skip("GEMM vs size", "no ok square GEMM rows, i.e. configs that are a bare size such as 4096")
        return
    for page, name_suffix, title_suffix in device_pages(rows):
        gemm_sizes_figure(out, style, page, name_suffix, title_suffix)


def gemm_sizes_figure(out, style, rows, name_suffix, title_suffix):
    best = best_rows(rows, lambda r: (r["_device"], style.series(r), square_size(r)), lambda r: r["tflops"])
    lines = defaultdict(list)
    for (device, series, size), r in best.items():
        lines[(device, series)].append((size, r["tflops"]))
    devices = sorted({d for d, _ in lines})
    fig, ax = out.plt.subplots(figsize=(13, 6.5), layout="constrained")
    for (device, series), pts in sorted(lines.items(), key=lambda kv: (kv[0][0], style.series_sort_key(kv[0][1]))):
        pts.sort()
        ax.plot([p[0] for p in pts], [p[1] for p in pts], color=style.color[series[0]],
                linestyle=LINESTYLES[devices.index(device) % len(LINESTYLES)], marker=style.marker[series[2]],
                markersize=6, linewidth=1.6, label=f"{device}\n  {style.series_label(series)}")
    sizes = sorted({s for (_, _, s) in best})
    ax.set_xscale("log", base=2)
    ax.set_xticks(sizes)
    ax.set_xticklabels(size_tick_labels(sizes))
    ax.minorticks_off()
    values = [r["tflops"] for r in best.values()]
    log_y = min(values) > 0 and max(values) / min(values) > 30
    if log_y:  # CPUs and GPUs differ by ~100x; a linear axis would flatten the CPUs onto zero
        ax.set_yscale("log")
        plain_log_ticks(ax.yaxis)
    else:
        ax.set_ylim(0, (max(values) or 1.0) * 1.1)
    ax.set_xlabel("matrix size m = n = k (log scale)")
    ax.set_ylabel("TFLOP/s" + (" (log scale)" if log_y else ""))
    title = f"GEMM throughput vs matrix size (higher is better){title_suffix}"
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, title="device, dtype · library",
              title_fontsize=9, fontsize=8)
    caption = ("Square GEMMs only (configs that are a bare size). Colour = dtype, line style = device, "
               "marker = library. Throughput climbs until the matrices are large enough to fill the device.")
    out.save(fig, "gemm_vs_size" + name_suffix, "GEMM vs size", title, caption)


def fig_cost(out, style, rows):
    """5. USD per million items (sequences, images) as horizontal bars."""
    rows = [r for r in rows if r["usd_per_million_items"] is not None]
    if not rows:
        out.skip("Cost", "no ok rows with usd_per_million_items; the runs had no usd_per_hour price")
        return
    several_devices = len({r["_device"] for r in rows}) > 1
    for page, name_suffix, title_suffix in device_pages(rows):
        cost_figure(out, style, page, several_devices, name_suffix, title_suffix)


def cost_figure(out, style, rows, several_devices, name_suffix, title_suffix):
    panels = []
    for workload in ordered_workloads(rows):
        best = best_rows([r for r in rows if r["workload"] == workload],
                         lambda r: ((r["_device"], r["config"]), style.series(r)),
                         lambda r: r["usd_per_million_items"], lowest=True)
        cats = sorted({k[0] for k in best}, key=lambda c: (c[0], natural_key(c[1])))
        series = sorted({k[1] for k in best}, key=style.series_sort_key)
        items = sorted({r["item"] for r in best.values() if r["item"]})
        panels.append((workload, cats, series, best, items))
    heights = [0.9 + 0.24 * len(p[3]) + 0.15 * len(p[1]) for p in panels]
    fig, axes = out.plt.subplots(len(panels), 1, figsize=(8 + LEGEND_IN, sum(heights) + 0.7), squeeze=False,
                                 gridspec_kw={"height_ratios": heights}, layout="constrained")
    for ax, (workload, cats, series, best, items) in zip(axes[:, 0], panels):
        hatch = panel_hatches(series)
        y, ticks = 0.0, []
        for cat in cats:
            present = [s for s in series if (cat, s) in best]
            for s in present:
                cost = best[(cat, s)]["usd_per_million_items"]
                ax.barh(y, cost, 0.8, color=style.color[s[0]], hatch=hatch[s[2]], edgecolor="white")
                ax.annotate(f"${fmt_num(cost)}", (cost, y), xytext=(3, 0), textcoords="offset points",
                            va="center", fontsize=7)
                y += 1
            ticks.append(y - (len(present) + 1) / 2)
            y += 0.6  # gap between configs
        ax.set_yticks(ticks)
        ax.set_yticklabels([f"{c[1]}\n{c[0]}" if several_devices else c[1] for c in cats], fontsize=8)
        ax.invert_yaxis()
        ax.grid(axis="y", visible=False)
        ax.set_xlim(0, (max(r["usd_per_million_items"] for r in best.values()) or 1.0) * 1.18)
        ax.set_xlabel(f"USD per million {plural(items[0]) if len(items) == 1 else 'items'}")
        ax.set_title(workload_title(workload), loc="left", fontweight="bold")
        panel_legend(ax, bar_handles(style, series, hatch, style.series_label), legend_title(series))
    title = f"Cost per million items (USD, lower is better){title_suffix}"
    titled_layout(fig, title)
    caption = ("usd_per_million_items: the machine's price per hour divided by the items it processes "
               "per hour. Rows measured without a price (usd_per_hour) are not shown.")
    out.save(fig, "cost" + name_suffix, "Cost", title, caption)


def fig_latency(out, style, rows):
    """6. Median latency with p5..p95 whiskers for the model-like workloads."""
    drawn = False
    for workload in LATENCY_WORKLOADS:
        wrows = [r for r in rows if r["workload"] == workload and r["median_ms"] is not None]
        if wrows:
            latency_figure(out, style, workload, wrows)
            drawn = True
    if not drawn:
        out.skip("Latency", "no ok bert_layer or resnet_block rows with median_ms")


def spread_text(r):
    """'0.481 ms ±2.3%': half the p5..p95 range relative to the median, because on a log axis
    (or with a quiet device) the whiskers alone can be too short to read."""
    text = f"{fmt_num(r['median_ms'])} ms"
    if r["p5_ms"] is not None and r["p95_ms"] is not None and r["median_ms"] > 0:
        spread = 50 * (r["p95_ms"] - r["p5_ms"]) / r["median_ms"]
        text += f"\n±{spread:.0f}%" if spread >= 10 else f"\n±{spread:.2g}%"
    return text


def latency_figure(out, style, workload, rows):
    panels = []
    for device in sorted({r["_device"] for r in rows}):
        best = best_rows([r for r in rows if r["_device"] == device],
                         lambda r: (r["config"], style.series(r)), lambda r: r["median_ms"], lowest=True)
        groups = sorted({k[0] for k in best}, key=natural_key)
        series = sorted({k[1] for k in best}, key=style.series_sort_key)
        panels.append((device, groups, series, best))
    width = max(7.0, bar_plot_width(max(len(p[1]) for p in panels), max(len(p[2]) for p in panels)))
    for page, name_suffix, title_suffix in paged(panels):
        latency_page(out, style, workload, page, width, name_suffix, title_suffix)


def latency_page(out, style, workload, panels, width, name_suffix, title_suffix):
    from matplotlib.lines import Line2D
    fig, axes = panel_grid(out.plt, len(panels), width, 3.2, rotated_extra(panels, width))
    for ax, (device, groups, series, best) in zip(axes, panels):
        for g, group in enumerate(groups):
            present = [s for s in series if (group, s) in best]
            for dx, s in zip(group_offsets(len(present), min(0.8 / len(present), 0.3)), present):
                r = best[(group, s)]
                med = r["median_ms"]
                low = med - r["p5_ms"] if r["p5_ms"] is not None else 0
                high = r["p95_ms"] - med if r["p95_ms"] is not None else 0
                ax.errorbar([g + dx], [med], yerr=[[max(low, 0)], [max(high, 0)]], marker=style.marker[s[2]],
                            color=style.color[s[0]], markersize=6, capsize=4, linestyle="none")
                ax.annotate(spread_text(r), (g + dx, med + max(high, 0)), xytext=(0, 4),
                            textcoords="offset points", ha="center", va="bottom", fontsize=7, linespacing=1.1)
        values = [r["median_ms"] for r in best.values()]
        if min(values) > 0 and max(values) / min(values) > 20:  # models differ far more than their spread
            ax.set_yscale("log")
            ax.set_ylim(min(values) / 2, max(values) * 8)
            plain_log_ticks(ax.yaxis)
            ax.set_ylabel("latency (ms, log scale)")
        else:
            ax.set_ylim(0, (max((r["p95_ms"] or r["median_ms"]) for r in best.values()) or 1.0) * 1.4)
            ax.set_ylabel("latency (ms)")
        ax.set_xticks(range(len(groups)))
        ax.set_xticklabels(groups)
        ax.set_xlim(-0.6, len(groups) - 0.4)
        fit_tick_labels(ax, groups, width / max(1, len(groups)))
        ax.set_title(device, loc="left", fontweight="bold")
        handles = [Line2D([], [], marker=style.marker[s[2]], color=style.color[s[0]], linestyle="none",
                          markersize=6, label=style.series_label(s)) for s in series]
        panel_legend(ax, handles, legend_title(series))
    axes[-1].set_xlabel("configuration")
    title = f"{workload_title(workload)} latency per batch (lower is better){title_suffix}"
    titled_layout(fig, title)
    caption = ("Time for one batch: the marker is the median sample and the whiskers reach from the 5th to "
               "the 95th percentile; the label gives the median and half that range as ± % of it "
               "(a large ± means a noisy measurement).")
    out.save(fig, f"latency_{slug(workload)}{name_suffix}", "Latency", title, caption)


# ---------------------------------------------------------------------------------------------
# Mixed-precision speedup (training steps)
# ---------------------------------------------------------------------------------------------

TRAIN_SUFFIX = "-train"  # docs/workloads.md: a -train config times one training step, item = sample
MIXED_DTYPES = ("fp32", "tf32", "bf16", "fp16")  # the AMP modes, fp32 (the baseline) first


def mixed_precision_key(dtype):
    return (MIXED_DTYPES.index(dtype) if dtype in MIXED_DTYPES else len(MIXED_DTYPES), dtype)


def training_speedups(rows):
    """{(device, config, library): {dtype: (samples/s, ratio to fp32 or None)}} from the ok
    training rows, the best run of each; the ratio compares with the fp32 row of the same device,
    config and library, so pytorch's bf16 is measured against pytorch's fp32."""
    train = [r for r in rows if r["status"] == "ok" and r["config"].endswith(TRAIN_SUFFIX)
             and positive(r["items_per_s"]) is not None]
    best = best_rows(train, lambda r: (r["_device"], r["config"], r["library"], r["dtype"]),
                     lambda r: r["items_per_s"])
    table = defaultdict(dict)
    for (device, config, library, dtype), r in best.items():
        table[(device, config, library)][dtype] = r["items_per_s"]
    speedups = {}
    for key, rates in table.items():
        base = rates.get("fp32")
        speedups[key] = {d: (v, v / base if base else None) for d, v in rates.items()}
    return speedups


def fmt_ratio(ratio):
    return f"{ratio:.2f}x" if ratio is not None else "no fp32"


def fig_mixed_precision(out, style, rows):
    """7. Training samples/s per precision mode, side by side per config and library, each bar
    annotated with its ratio to fp32. Drawn only when training rows exist."""
    speedups = training_speedups(rows)
    if not speedups:
        return
    panels = []
    for device in sorted({k[0] for k in speedups}):
        keys = [k for k in speedups if k[0] == device]
        groups = sorted({k[1] for k in keys}, key=natural_key)
        # Series as style.series shapes them (dtype, compute, library, cache), so colours, hatches
        # and legend labels match every other figure.
        series = sorted({(d, "", k[2], "") for k in keys for d in speedups[k]},
                        key=lambda s: (s[2], mixed_precision_key(s[0])))
        values = {(k[1], (d, "", k[2], "")): vr for k in keys for d, vr in speedups[k].items()}
        panels.append((device, groups, series, values))
    width = bar_plot_width(max(len(p[1]) for p in panels), max(len(p[2]) for p in panels))
    for page, name_suffix, title_suffix in paged(panels):
        fig, axes = panel_grid(out.plt, len(page), width, 3.4, rotated_extra(page, width))
        for ax, (device, groups, series, values) in zip(axes, page):
            ratio_bars(ax, style, groups, series, values, width)
            ax.set_title(device, loc="left", fontweight="bold")
            ax.set_ylabel("training samples/s")
        axes[-1].set_xlabel("training configuration")
        title = f"Mixed-precision speedup of a training step (samples/s, higher is better){title_suffix}"
        titled_layout(fig, title)
        caption = ("Training samples per second of one step (forward, backward, AdamW) per precision mode; "
                   "the label on each bar is its ratio to fp32 on the same device, config and library "
                   "(best run of each).")
        out.save(fig, "mixed_precision" + name_suffix, "Mixed precision", title, caption)


def ratio_bars(ax, style, groups, series_list, values, plot_width):
    """grouped_bars' layout with the ratio to fp32 written over each bar instead of its value."""
    hatch = panel_hatches(series_list)
    per_group = [[s for s in series_list if (g, s) in values] for g in groups]
    width = min(0.8 / max(len(p) for p in per_group), 0.3)
    for g, present in enumerate(per_group):
        for dx, s in zip(group_offsets(len(present), width), present):
            rate, ratio = values[(groups[g], s)]
            ax.bar(g + dx, rate, width * 0.92, color=style.color[s[0]], hatch=hatch[s[2]], edgecolor="white",
                   linewidth=0.6)
            ax.annotate(fmt_ratio(ratio), (g + dx, rate), xytext=(0, 2), textcoords="offset points",
                        ha="center", va="bottom", rotation=90, fontsize=7,
                        bbox=dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor="none", alpha=0.8))
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(groups)
    ax.set_xlim(-0.6, len(groups) - 0.4)
    ax.set_ylim(0, max(v[0] for v in values.values()) * 1.25)
    thousands_ticks(ax.yaxis)
    fit_tick_labels(ax, groups, plot_width / max(1, len(groups)))
    panel_legend(ax, bar_handles(style, series_list, hatch, style.series_label), legend_title(series_list))


def mixed_precision_table(ok_rows):
    """The figure's numbers: per device, config and library, samples/s and the ratio to fp32 of
    each precision mode present. None when there are no training rows."""
    speedups = training_speedups(ok_rows)
    if not speedups:
        return None
    dtypes = sorted({d for v in speedups.values() for d in v}, key=mixed_precision_key)
    header = ["Device", "Config", "Library"]
    for d in dtypes:
        header += [f"{d} samples/s", f"{d} vs fp32"]
    table = []
    for (device, config, library) in sorted(speedups, key=lambda k: (k[0], natural_key(k[1]), k[2])):
        cells = [device, config, library]
        for d in dtypes:
            rate, ratio = speedups[(device, config, library)].get(d, (None, None))
            cells += ["–", "–"] if rate is None else [fmt_num(rate), fmt_ratio(ratio)]
        table.append(cells)
    return header, table


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------

def summary_table(style, ok_rows, devices):
    """Per device: best GEMM per dtype, STREAM triad, BERT and ResNet item rates."""
    gemm_dtypes = sorted({r["dtype"] for r in ok_rows if r["workload"] == "gemm" and r["tflops"] is not None},
                         key=dtype_key)

    def item_header(workload, fallback):
        items = {r["item"] for r in ok_rows if r["workload"] == workload and r["item"]}
        return f"{plural(items.pop()) if len(items) == 1 else fallback}/s"

    header = ["Device", "Backend", "Host"] + [f"GEMM {d} TFLOP/s" for d in gemm_dtypes] + [
        "STREAM triad GB/s", f"BERT layer {item_header('bert_layer', 'sequences')}",
        f"ResNet block {item_header('resnet_block', 'images')}"]
    table = []
    for device in devices:
        drows = [r for r in ok_rows if r["_device"] == device]
        if not drows:
            continue
        first = drows[0]
        cells = [first["_device_name"], first["backend"], first["hostname"]]
        for dtype in gemm_dtypes:
            cells.append(best_cell(style, [r for r in drows if r["workload"] == "gemm" and r["dtype"] == dtype],
                                   "tflops", dtype=False))
        triad = [r for r in drows if r["workload"] == "stream" and r["config"].startswith("triad")]
        cells.append(best_cell(style, triad, "gbps", series=False))
        cells.append(best_cell(style, [r for r in drows if r["workload"] == "bert_layer"], "items_per_s"))
        cells.append(best_cell(style, [r for r in drows if r["workload"] == "resnet_block"], "items_per_s"))
        table.append(cells)
    return header, table


def best_cell(style, rows, metric, dtype=True, series=True):
    best = best_rows(rows, lambda r: "x", lambda r: r[metric]).get("x")
    if best is None:
        return "–"
    detail = best["config"]
    if series:
        detail += ", " + (style.series_label(style.series(best)) if dtype else best["library"])
    return f"{fmt_num(best[metric])} ({detail})"


def status_tables(rows, devices):
    counts = Counter((r["_device"], r["status"]) for r in rows)
    header = ["Device"] + list(STATUSES)
    table = [[d] + [str(counts[(d, s)]) for s in STATUSES] for d in devices]
    table.append(["all devices"] + [str(sum(counts[(d, s)] for d in devices)) for s in STATUSES])
    problems = [r for r in rows if r["status"] in ("failed_verification", "error")]
    detail_header = ["Device", "Status", "Workload", "Config", "dtype", "Library", "max_rel_err",
                     "tolerance", "Notes"]
    detail = [[r["_device"], r["status"], r["workload"], r["config"], r["dtype"], r["library"],
               f"{r['max_rel_err']:.3g}" if r["max_rel_err"] is not None else "",
               f"{r['tolerance']:.3g}" if r["tolerance"] is not None else "", r["notes"]]
              for r in problems]
    return (header, table), (detail_header, detail)


def run_table(rows):
    runs = {}
    for r in rows:
        run = runs.setdefault(r["run_id"], {"start": r["timestamp_utc"], "hosts": set(), "versions": set(),
                                            "shas": set(), "tags": set(), "files": set(), "rows": 0})
        run["start"] = min(run["start"], r["timestamp_utc"]) if r["timestamp_utc"] else run["start"]
        run["hosts"].add(r["hostname"])
        run["versions"].add(r["accelbench_version"])
        run["shas"].add(r["git_sha"])
        run["tags"].add(r["tags"])
        run["files"].add(os.path.basename(r["_file"]))
        run["rows"] += 1
    header = ["run_id", "started (UTC)", "host", "accelbench", "git sha", "tags", "file", "rows"]
    join = lambda values: ", ".join(sorted(v for v in values if v)) or "–"  # noqa: E731
    table = [[run_id or "–", run["start"] or "–", join(run["hosts"]), join(run["versions"]),
              join(run["shas"]), join(run["tags"]), join(run["files"]), str(run["rows"])]
             for run_id, run in sorted(runs.items(), key=lambda kv: (kv[1]["start"], kv[0]))]
    return header, table


def md_table(header, table):
    esc = lambda s: str(s).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    lines = ["| " + " | ".join(esc(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in table]
    return "\n".join(lines)


def html_table(header, table):
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
                   for row in table)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def write_reports(out, style, rows, ok_rows, devices, paths, row_notes, flagged=()):
    summary = summary_table(style, ok_rows, devices)
    mixed = mixed_precision_table(ok_rows)
    mixed_note = ("Training samples/s of one step per precision mode (best run) and its ratio to fp32 of the "
                  "same device, config and library.")
    statuses, problems = status_tables(rows, devices)
    runs = run_table(rows)
    image_fmt = "png" if "png" in out.formats else out.formats[0]
    sources = ", ".join(os.path.basename(p) for p in paths)
    title = "accelbench results"
    intro = (f"{len(rows)} result rows from {len(paths)} file{'s' if len(paths) > 1 else ''} ({sources}); "
             f"{len(ok_rows)} ok rows are plotted.")
    max_detail = 40

    cells_note = "Cells give the best value and, in brackets, the config and dtype · library that reached it."
    more = (f"({len(problems[1]) - max_detail} more not listed)" if len(problems[1]) > max_detail else "")

    md = [f"# {title}", "", intro, ""] + [f"- {n}" for n in row_notes]
    md += ["", "## Summary", "", md_table(*summary), "", cells_note, ""]
    if mixed:
        md += ["## Mixed-precision speedup (training)", "", md_table(*mixed), "", mixed_note, ""]
    p2p = p2p_tables(ok_rows)
    if p2p:
        md += ["## Device-to-device transfers", ""]
        for header, table in p2p:
            md += [md_table(header, table), ""]
    md += ["## Rows by status", "", md_table(*statuses), ""]
    if problems[1]:
        md += ["### Failed verification and errors", "", md_table(problems[0], problems[1][:max_detail]), ""]
        md += [more, ""] if more else []
    if flagged:
        md += ["### Implausible values", "", IMPLAUSIBLE_NOTE, "", md_table(*implausible_table(flagged)), ""]
    md += ["## Figures", ""]
    for i, (section, fig_title, basename, caption) in enumerate(out.figures):
        if i == 0 or out.figures[i - 1][0] != section:
            md += [f"### {section}", ""]
        md += [f"#### {fig_title}", "", f"![{fig_title}]({basename}.{image_fmt})", "", caption, ""]
    if out.skipped:
        md += ["Not drawn:", ""] + [f"- {s}: {reason}" for s, reason in out.skipped] + [""]
    md += ["## Runs", "", md_table(*runs), ""]
    out.write_text("report.md", "\n".join(md))

    h = ["<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">", f"<title>{title}</title>",
         "<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}"
         "table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.9em}"
         "th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}"
         "th{background:#f3f3f3}img{max-width:100%;border:1px solid #eee}figure{margin:1.5em 0}"
         "figcaption{color:#555;font-size:.9em}</style></head><body>",
         f"<h1>{title}</h1>", f"<p>{html.escape(intro)}</p>"]
    if row_notes:
        h.append("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in row_notes) + "</ul>")
    h += ["<h2>Summary</h2>", html_table(*summary), f"<p>{html.escape(cells_note)}</p>"]
    if mixed:
        h += ["<h2>Mixed-precision speedup (training)</h2>", html_table(*mixed),
              f"<p>{html.escape(mixed_note)}</p>"]
    if p2p:
        h.append("<h2>Device-to-device transfers</h2>")
        h += [html_table(header, table) for header, table in p2p]
    h += ["<h2>Rows by status</h2>", html_table(*statuses)]
    if problems[1]:
        h += ["<h3>Failed verification and errors</h3>", html_table(problems[0], problems[1][:max_detail])]
        h += [f"<p>{more}</p>"] if more else []
    if flagged:
        h += ["<h3>Implausible values</h3>", f"<p>{html.escape(IMPLAUSIBLE_NOTE)}</p>",
              html_table(*implausible_table(flagged))]
    h.append("<h2>Figures</h2>")
    for i, (section, fig_title, basename, caption) in enumerate(out.figures):
        if i == 0 or out.figures[i - 1][0] != section:
            h.append(f"<h3>{html.escape(section)}</h3>")
        h.append(f"<figure><h4>{html.escape(fig_title)}</h4>{html_image(out, basename, fig_title)}"
                 f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    if out.skipped:
        h.append("<p>Not drawn:</p><ul>" + "".join(f"<li>{html.escape(s)}: {html.escape(reason)}</li>"
                                                   for s, reason in out.skipped) + "</ul>")
    h += ["<h2>Runs</h2>", html_table(*runs), "</body></html>", ""]
    out.write_text("report.html", "\n".join(h))


IMPLAUSIBLE_NOTE = ("These rows hold values no measurement produces (negative, or far beyond any "
                    "device); they are left out of every figure. Check how the file was made or edited.")


def html_image(out, basename, alt):
    """PNG is inlined so report.html is one self-contained file; SVG-only runs link the files."""
    if "png" in out.formats:
        with open(os.path.join(out.dir, basename + ".png"), "rb") as f:
            data = base64.b64encode(f.read()).decode("ascii")
        return f"<img alt=\"{html.escape(alt)}\" src=\"data:image/png;base64,{data}\">"
    return f"<img alt=\"{html.escape(alt)}\" src=\"{html.escape(basename)}.svg\">"


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------

def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="plot.py",
        description="Draw figures and a one-page report (report.md, report.html) from accelbench "
                    "results CSVs. Any mix of hosts, devices and runs may be given.",
        epilog="Exit status: 0 on success, 2 on bad input (nothing is written then).")
    parser.add_argument("csv", nargs="+", metavar="CSV", help="results file(s) written by accelbench")
    parser.add_argument("--out", metavar="DIR", help="output folder (default: plots/ next to the first CSV)")
    parser.add_argument("--format", default="png,svg", metavar="FMT[,FMT]",
                        help="image formats, comma separated: png, svg (default: png,svg)")
    parser.add_argument("--quiet", action="store_true",
                        help="only print the report path and the counts of rows not plotted")
    return parser.parse_args(argv)


def parse_formats(text):
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if not formats or bad:
        raise InputError(f"--format: {', '.join(bad) or 'nothing given'} not supported (use png, svg or png,svg)")
    return list(dict.fromkeys(formats))


def row_notes_for(rows, duplicates):
    """The rows that will not be plotted, said once on stderr and again in the report."""
    counts = Counter(r["status"] for r in rows)
    notes = []
    if counts["failed_verification"]:
        notes.append(f"skipped {counts['failed_verification']} row(s) with status failed_verification "
                     "(wrong results are never plotted)")
    not_run = [f"{counts[s]} {s}" for s in NOT_RUN_STATUSES if counts[s]]
    if not_run:
        notes.append(f"ignored {sum(counts[s] for s in NOT_RUN_STATUSES)} row(s) that did not produce a "
                     f"result: {', '.join(not_run)}")
    if duplicates:
        notes.append(f"dropped {duplicates} duplicate row(s) (same row in several inputs)")
    return notes


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        formats = parse_formats(args.format)
        out_dir = args.out or os.path.join(os.path.dirname(os.path.abspath(args.csv[0])), "plots")
        if os.path.exists(out_dir) and not os.path.isdir(out_dir):
            raise InputError(f"--out {out_dir}: exists and is not a directory")
        rows, duplicates = load_all(args.csv)
        plt = import_pyplot()
    except InputError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2

    devices = label_devices(rows)
    style = Style(rows)
    plausible, flagged = flag_implausible(rows)
    ok_rows = [r for r in plausible if r["status"] == "ok"]
    notes = row_notes_for(rows, duplicates)
    if flagged:
        notes.append(f"flagged {len(flagged)} row(s) holding values no measurement produces (negative "
                     "or impossibly large; listed in the report): they are not plotted")
    for note in notes:
        print(f"{PROG}: {note}", file=sys.stderr)
    out = Output(plt, formats, args.quiet)
    try:
        for draw in (fig_throughput, fig_efficiency, fig_roofline, fig_gemm_sizes, fig_cost, fig_latency,
                     fig_mixed_precision, fig_p2p):
            draw(out, style, ok_rows)
        write_reports(out, style, rows, ok_rows, devices, args.csv, notes, flagged)
        out.publish(out_dir)
    except OSError as exc:  # unwritable --out, full disk: say so without a traceback
        print(f"{PROG}: error: cannot write {out_dir}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    finally:
        out.discard()
    out.note(f"wrote {len(out.figures)} figure(s) x {len(formats)} format(s) to {out_dir}")
    print(os.path.join(out_dir, "report.html"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
