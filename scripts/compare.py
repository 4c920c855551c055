#!/usr/bin/env python3
"""Compare instances (machines, cloud instance types) from accelbench results CSVs: the TCO table.

    scripts/compare.py [--out DIR] [--grid-gco2-per-kwh G] [--format png,svg] [--quiet] CSV [CSV...]

For each workload/config/dtype it writes a table of the instances side by side (compare.md and
compare.html in DIR, default: compare/ next to the first CSV): throughput per device and per
instance, USD per million items, kWh and kg CO2 per million items, and each one's ratio to the
best instance; and one figure per workload/config/dtype of throughput against USD per hour with
the Pareto front marked. It prints the path of compare.html. docs/cloud.md shows a whole run.

Reads every CSV schema version (the reader is scripts/plot.py's). Only rows with status ok and
verified true count; repeated rows of one device keep the fastest, and the table says so.
"""

import argparse
import html
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plot  # noqa: E402  (scripts/plot.py: the results reader, tables and figure staging)

PROG = "compare.py"
SECONDS_PER_HOUR = 3600.0
JOULES_PER_KWH = 3.6e6
MILLION = 1e6


class Staging(plot.Output):
    """plot.py's staging folder (nothing reaches --out unless the whole run succeeds), our name."""

    def note(self, message):
        if not self.quiet:
            print(f"{PROG}: {message}", file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# Which rows count, and which instance each belongs to
# ---------------------------------------------------------------------------------------------

def counted_rows(rows):
    """Rows that measured a verified result with a throughput, and a note for every row left out."""
    plausible, flagged = plot.flag_implausible(rows)
    kept = [r for r in plausible if r["status"] == "ok" and r["verified"] == "true"
            and plot.positive(r["items_per_s"]) is not None]
    notes = []
    not_ok = sum(1 for r in plausible if r["status"] != "ok")
    unverified = sum(1 for r in plausible if r["status"] == "ok" and r["verified"] != "true")
    no_rate = len(plausible) - len(kept) - not_ok - unverified
    if not_ok:
        notes.append(f"left out {not_ok} row(s) whose status is not ok")
    if unverified:
        notes.append(f"left out {unverified} ok row(s) not verified against the reference")
    if no_rate:
        notes.append(f"left out {no_rate} ok row(s) without items_per_s")
    if flagged:
        notes.append(f"left out {len(flagged)} row(s) holding values no measurement produces")
    return kept, notes


def host_device_names(rows):
    """Every device name each host reported, for naming instances that carry no instance type."""
    names = defaultdict(set)
    for row in rows:
        if row["device_name"]:
            names[row["hostname"]].add(row["device_name"])
    return names


def instance_of(row, names_by_host):
    """(key, label): provider/instance_type when the row has them (schema 3), else the host and its
    device names, so that two hosts both called "ubuntu" with different GPUs stay apart."""
    if row["instance_type"]:
        label = f"{row['provider']}/{row['instance_type']}" if row["provider"] else row["instance_type"]
        return ("type", row["provider"], row["instance_type"]), label
    names = sorted(names_by_host.get(row["hostname"], ()))
    host = row["hostname"] or "unknown host"
    label = f"{host} ({' + '.join(names)})" if names else host
    return ("host", row["hostname"], tuple(names)), label


def device_model(row):
    """Devices of one model seen through one backend: the unit whose devices add up per instance."""
    return (row["backend"], row["device_name"])


def instance_price(rows):
    """(USD per hour, note) from the instance's rows: usd_per_hour, or recovered from
    usd_per_million_items and items_per_s (price = cost per item x items per hour). The newest
    row's price wins when runs were priced differently, and the note says so."""
    priced = []
    for row in rows:
        price = row["usd_per_hour"]
        if price is None and row["usd_per_million_items"] is not None and row["items_per_s"]:
            price = row["usd_per_million_items"] * row["items_per_s"] * SECONDS_PER_HOUR / MILLION
        if price is not None and price > 0:
            priced.append((row["timestamp_utc"], price))
    if not priced:
        return None, ""
    distinct = {float(f"{p:.4g}") for _, p in priced}  # recovered prices carry the CSV's rounding
    price = max(priced)[1]
    note = f"runs priced differently ({len(distinct)} prices); the newest, ${price:.4g}/h, is used" \
        if len(distinct) > 1 else ""
    return price, note


# ---------------------------------------------------------------------------------------------
# The arithmetic of one table line
# ---------------------------------------------------------------------------------------------

def joules_per_item(row):
    """J per item of one row: joules_per_item (schema 3), else energy_j per run divided by the
    items of one run (items_per_s x median time). None when the row has no energy."""
    if row["joules_per_item"] is not None:
        return row["joules_per_item"]
    if row["energy_j"] is not None and row["median_ms"] and row["items_per_s"]:
        return row["energy_j"] / (row["items_per_s"] * row["median_ms"] / 1000.0)
    return None


def no_counter(row):
    return row["energy_source"].startswith("none")


def instance_line(group_rows, all_instance_rows, price, grid_default):
    """One instance's line for one workload/config/dtype, as numbers and notes."""
    # The best device model of the instance for this group (a GPU box also measures its CPU, and
    # PoCL shows the CPU a second time: devices of different models are never added up).
    by_model = defaultdict(lambda: defaultdict(list))
    for row in group_rows:
        by_model[device_model(row)][plot.device_key(row)].append(row)

    def mean_best(devices):
        return sum(max(r["items_per_s"] for r in rs) for rs in devices.values()) / len(devices)

    model = max(by_model, key=lambda m: mean_best(by_model[m]))
    devices = by_model[model]
    chosen = [max(rs, key=lambda r: r["items_per_s"]) for rs in devices.values()]
    repeated = max(len(rs) for rs in devices.values())
    per_device = mean_best(devices)
    # Devices of that model in the instance: from every row of it, whatever its status (a device
    # whose rows all failed still takes its share of the price), per host, the largest host.
    per_host, measured_per_host = defaultdict(set), defaultdict(set)
    for row in all_instance_rows:
        if device_model(row) == model:
            per_host[row["hostname"]].add(plot.device_key(row))
    for key in devices:
        measured_per_host[key[0]].add(key)
    n_devices = max(len(s) for s in per_host.values())
    n_measured = max(len(s) for s in measured_per_host.values())
    per_instance = per_device * n_devices

    line = {"model": model, "device": chosen[0]["device_name"] or chosen[0]["vendor"] or "device",
            "backend": model[0], "devices": n_devices, "per_device": per_device,
            "per_instance": per_instance, "price": price, "notes": []}
    if repeated > 1:
        line["notes"].append(f"best of {repeated} rows per device")
    if n_measured < n_devices:
        line["notes"].append(f"{n_measured} of {n_devices} devices measured; per instance = "
                             f"{n_devices} x their mean")
    line["usd_per_million"] = (price / SECONDS_PER_HOUR / per_instance * MILLION) if price else None

    energies = [joules_per_item(r) for r in chosen]
    known = [e for e in energies if e is not None]
    if known:
        j_per_item = sum(known) / len(known)  # every device does its own items: the mean per item
        line["kwh_per_million"] = j_per_item * MILLION / JOULES_PER_KWH
        if len(known) < len(energies):
            line["notes"].append(f"energy from {len(known)} of {len(energies)} devices")
        grids = {r["grid_gco2_per_kwh"] for r in chosen if r["grid_gco2_per_kwh"] is not None}
        grid = max(grids) if grids else grid_default
        if len(grids) > 1:
            line["notes"].append("runs with different grid intensities; the highest is used")
        line["kg_co2_per_million"] = line["kwh_per_million"] * grid / 1000.0 if grid is not None else None
        line["energy_why"] = "" if grid is not None else "no grid intensity"
    else:
        line["kwh_per_million"] = line["kg_co2_per_million"] = None
        line["energy_why"] = "no counter" if any(no_counter(r) for r in chosen) else "not measured"
    return line


def add_ratios(lines):
    """Each value over the best instance's: throughput / the highest (best = 1, others below),
    costs / the lowest (best = 1, others above)."""
    def ratio(key, best_fn):
        values = [ln[key] for ln in lines if ln[key] is not None]
        best = best_fn(values) if values else None
        for ln in lines:
            ln[key + "_ratio"] = ln[key] / best if ln[key] is not None and best else None
    ratio("per_instance", max)
    ratio("usd_per_million", min)
    ratio("kwh_per_million", min)
    ratio("kg_co2_per_million", min)


def compare(rows, grid_default=None):
    """{(workload, config, dtype): (item, [line per instance, best throughput first])}, notes."""
    names = host_device_names(rows)
    instance_rows, labels = defaultdict(list), {}
    for row in rows:
        key, label = instance_of(row, names)
        instance_rows[key].append(row)
        labels[key] = label
    kept, notes = counted_rows(rows)
    prices = {key: instance_price(irows) for key, irows in instance_rows.items()}
    groups = defaultdict(lambda: defaultdict(list))
    for row in kept:
        groups[(row["workload"], row["config"], row["dtype"])][instance_of(row, names)[0]].append(row)
    tables = {}
    for group, by_instance in groups.items():
        lines = []
        for key, grows in by_instance.items():
            price, price_note = prices[key]
            line = instance_line(grows, instance_rows[key], price, grid_default)
            line["instance"] = labels[key]
            if price_note:
                line["notes"].append(price_note)
            lines.append(line)
        add_ratios(lines)
        lines.sort(key=lambda ln: (-ln["per_instance"], ln["instance"]))
        items = sorted({r["item"] for rs in by_instance.values() for r in rs if r["item"]})
        tables[group] = (items[0] if len(items) == 1 else "", lines)
    return tables, notes, sorted(labels.values())


def pareto_front(points):
    """Indices of the points no other point beats: one is dominated when another costs no more per
    hour and delivers at least as much, and is strictly better in one of the two."""
    front = []
    for i, (cost, thr) in enumerate(points):
        dominated = any(c <= cost and t >= thr and (c < cost or t > thr)
                        for j, (c, t) in enumerate(points) if j != i)
        if not dominated:
            front.append(i)
    return front


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------

def fmt_ratio(value):
    if value is None:
        return ""
    return f"{value:.2f}x" if value >= 0.1 else f"{value:.2g}x"  # a CPU next to 8 GPUs: 0.0018x


def fmt_or(value, why, prefix=""):
    return prefix + plot.fmt_num(value) if value is not None else why


HEADER = ("Instance", "Device (backend)", "Devices", "{unit}/s per device", "{unit}/s per instance",
          "vs best", "USD/h", "USD per M {unit}", "vs best", "kWh per M {unit}", "vs best",
          "kg CO2 per M {unit}", "vs best", "Notes")


def table_cells(item, lines):
    unit = plot.plural(item)
    header = [h.format(unit=unit) for h in HEADER]
    body = []
    for ln in lines:
        body.append([
            ln["instance"], f"{ln['device']} ({ln['backend']})", str(ln["devices"]),
            plot.fmt_num(ln["per_device"]), plot.fmt_num(ln["per_instance"]),
            fmt_ratio(ln["per_instance_ratio"]),
            f"${ln['price']:.2f}" if ln["price"] else "no price",
            fmt_or(ln["usd_per_million"], "no price", "$"), fmt_ratio(ln["usd_per_million_ratio"]),
            fmt_or(ln["kwh_per_million"], ln["energy_why"]), fmt_ratio(ln["kwh_per_million_ratio"]),
            fmt_or(ln["kg_co2_per_million"], ln["energy_why"] or "no grid intensity"),
            fmt_ratio(ln["kg_co2_per_million_ratio"]),
            "; ".join(ln["notes"]),
        ])
    return header, body


def ordered_groups(tables):
    order = {w: i for i, w in enumerate(plot.ordered_workloads([{"workload": g[0]} for g in tables]))}
    return sorted(tables, key=lambda g: (order[g[0]], plot.natural_key(g[1]), plot.dtype_key(g[2])))


def pareto_figure(out, group, item, lines):
    """Throughput per instance against USD per hour; the Pareto front joined and filled in."""
    priced = [ln for ln in lines if ln["price"]]
    if not priced:
        return None
    points = [(ln["price"], ln["per_instance"]) for ln in priced]
    front = set(pareto_front(points))
    fig, ax = out.plt.subplots(figsize=(7.5, 4.8), layout="constrained")
    for i, (ln, (cost, thr)) in enumerate(zip(priced, points)):
        on_front = i in front
        ax.scatter([cost], [thr], s=60, zorder=3, color="#1f77b4",
                   facecolors="#1f77b4" if on_front else "white", edgecolors="#1f77b4")
        ax.annotate(ln["instance"], (cost, thr), xytext=(6, 4), textcoords="offset points", fontsize=8)
    steps = sorted(points[i] for i in front)
    if len(steps) > 1:
        ax.step([p[0] for p in steps], [p[1] for p in steps], where="post", color="#1f77b4",
                linewidth=1.2, alpha=0.7, label="Pareto front (filled: no other instance is "
                "cheaper per hour and at least as fast)")
        ax.legend(loc="upper left", fontsize=8)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    if max(xs) / min(xs) > 20:
        ax.set_xscale("log")
    if max(ys) / min(ys) > 20:
        ax.set_yscale("log")
    ax.margins(0.15)
    unit = plot.plural(item)
    ax.set_xlabel("USD per hour (instance)")
    ax.set_ylabel(f"{unit}/s per instance")
    workload, config, dtype = group
    title = f"{plot.workload_title(workload)} {config} {dtype}: throughput against price"
    ax.set_title(title, loc="left", fontweight="bold", fontsize=10)
    basename = "pareto-" + plot.slug(f"{workload}-{config}-{dtype}")
    caption = ("Filled markers: the Pareto front (no other instance costs less per hour and delivers "
               "at least as much). Instances without a price are not shown.")
    out.save(fig, basename, "Pareto", title, caption)
    return out.figures[-1][2]


METHOD = (
    "Only rows with status ok and verified true count. Per device: the fastest of repeated rows "
    "of each device (the Notes say when there were several), averaged over the instance's "
    "measured devices of the fastest model. Per instance: per device x the devices of that model "
    "the instance's rows show. USD per million items: USD per hour / 3600 / items per second per "
    "instance x 10^6; the price is the rows' usd_per_hour or, for rows that carry only "
    "usd_per_million_items, that times items per hour. kWh per million items: joules per item "
    "(joules_per_item, or energy_j / items per run) x 10^6 / 3.6x10^6, from the devices' own "
    "energy counters only (\"no counter\": the device has none; never estimated); the host's own "
    "draw is not in it. kg CO2 per million items: that x grid_gco2_per_kwh / 1000. \"vs best\": "
    "throughput over the highest, costs over the lowest.")


def write_outputs(out, tables, notes, instances, paths, grid_default):
    md = ["# Instance comparison", "",
          "Inputs: " + ", ".join(f"`{os.path.basename(p)}`" for p in paths), "",
          "Instances: " + ", ".join(instances), "", METHOD, ""]
    if grid_default is not None:
        md += [f"Rows without a grid intensity use --grid-gco2-per-kwh {plot.fmt_num(grid_default)}.", ""]
    md += [f"- {n}" for n in notes] + ([""] if notes else [])
    body_html = [f"<h1>Instance comparison</h1><p>Inputs: {html.escape(', '.join(paths))}</p>",
                 f"<p>Instances: {html.escape(', '.join(instances))}</p><p>{html.escape(METHOD)}</p>"]
    body_html += [f"<p>{html.escape(n)}</p>" for n in notes]
    workload = None
    for group in ordered_groups(tables):
        item, lines = tables[group]
        if group[0] != workload:
            workload = group[0]
            md += [f"## {plot.workload_title(workload)}", ""]
            body_html.append(f"<h2>{html.escape(plot.workload_title(workload))}</h2>")
        heading = f"{group[1]} · {group[2]}"
        header, cells = table_cells(item, lines)
        md += [f"### {heading}", "", plot.md_table(header, cells), ""]
        body_html += [f"<h3>{html.escape(heading)}</h3>", plot.html_table(header, cells)]
        figure = pareto_figure(out, group, item, lines)
        if figure:
            md += [f"![{heading}: throughput against USD per hour]({figure}.{out.formats[0]})", ""]
            body_html.append(plot.html_image(out, figure, f"{heading}: throughput against USD per hour"))
    out.write_text("compare.md", "\n".join(md))
    style = ("body{font-family:sans-serif;max-width:1400px;margin:auto}table{border-collapse:collapse;"
             "font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}"
             "td:first-child,td:nth-child(2),td:last-child{text-align:left}img{max-width:100%}")
    out.write_text("compare.html", "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Instance "
                   f"comparison</title><style>{style}</style></head><body>" + "".join(body_html)
                   + "</body></html>\n")


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Compare instances from accelbench results CSVs: per workload/config/dtype a "
                    "table (compare.md, compare.html) of throughput, USD, kWh and kg CO2 per million "
                    "items, and a figure of throughput against USD per hour with its Pareto front.",
        epilog="Exit status: 0 on success, 2 on bad input (nothing is written then).")
    parser.add_argument("csv", nargs="+", metavar="CSV", help="results file(s) written by accelbench")
    parser.add_argument("--out", metavar="DIR", help="output folder (default: compare/ next to the first CSV)")
    parser.add_argument("--grid-gco2-per-kwh", type=float, metavar="G",
                        help="grid carbon intensity for rows measured without one (g CO2 per kWh)")
    parser.add_argument("--format", default="png", metavar="FMT[,FMT]",
                        help="image formats, comma separated: png, svg (default: png)")
    parser.add_argument("--quiet", action="store_true", help="only print the path of compare.html")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        formats = plot.parse_formats(args.format)
        grid = args.grid_gco2_per_kwh
        if grid is not None and not (0 <= grid < 1e5):
            raise plot.InputError(f"--grid-gco2-per-kwh {grid:g}: not a carbon intensity (0 to 100000 g/kWh)")
        out_dir = args.out or os.path.join(os.path.dirname(os.path.abspath(args.csv[0])), "compare")
        if os.path.exists(out_dir) and not os.path.isdir(out_dir):
            raise plot.InputError(f"--out {out_dir}: exists and is not a directory")
        rows, duplicates = plot.load_all(args.csv)
        tables, notes, instances = compare(rows, grid)
        if not tables:
            raise plot.InputError("no row with status ok and verified true in "
                                  + ", ".join(args.csv) + ": nothing to compare")
        plt = plot.import_pyplot()
    except plot.InputError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    if duplicates:
        notes.append(f"dropped {duplicates} duplicate row(s) (same row in several inputs)")
    if len(instances) < 2:
        notes.append(f"only one instance in the inputs ({instances[0]}): nothing to compare it with")
    if not args.quiet:
        for note in notes:
            print(f"{PROG}: {note}", file=sys.stderr)
    out = Staging(plt, formats, args.quiet)
    try:
        write_outputs(out, tables, notes, instances, args.csv, grid)
        out.publish(out_dir)
    except OSError as exc:
        print(f"{PROG}: error: cannot write {out_dir}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    finally:
        out.discard()
    print(os.path.join(out_dir, "compare.html"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
