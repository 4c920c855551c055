#!/usr/bin/env python3
"""The launch files (scripts/launch/slurm.sbatch, deploy/k8s/mpijob.yaml) are well formed and the
accelbench command line each one runs is accepted by accelbench itself.

- mpijob.yaml parses (PyYAML), is a kubeflow.org/v2beta1 MPIJob with one Launcher and Workers whose
  nvidia.com/gpu limit equals slotsPerWorker, and the launcher's mpirun -np equals workers x slots.
- slurm.sbatch asks for as many tasks per node as GPUs per node and launches with srun --mpi=pmix.
- Each file's accelbench arguments (from the YAML command list; from the srun line, shell-split
  with the script's variables expanded) are run as `mpirun -np 1 accelbench <args> --dry-run` on
  the fake CUDA driver: exit 0 and a plan of collective rows on cuda:0, so an option the parser
  refuses, a misspelt collective or a size outside the sweep fails here, not on a cluster.
- The same launch measuring for real (small sizes): a world communicator over MPI on the cuda
  plugin's NCCL slots (the fake NCCL, fake_ccl.c), every row ok, verified, comm_library "nccl ...".
- Without NCCL (the search limited to folders that lack it) a collective row is `unsupported` with
  NCCL's reason, and the run exits 0.
- One dp_step row (fp16, one rank): the training kernels on the fake driver, the gradient buckets'
  all-reduces on a second stream through the fake NCCL, verified.

usage: launch_files_test.py --source DIR --accelbench BIN [--mpirun BIN] --fake-env K=V ...
"""
import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile

FAILURES = []


def fail(msg):
    FAILURES.append(msg)
    print("FAIL: " + msg)


def check_mpijob(path):
    import yaml  # python3-yaml (scripts/debian-packages.txt)

    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    if len(docs) != 1:
        fail(f"{path}: {len(docs)} YAML documents, want 1")
        return None
    job = docs[0]
    if job.get("apiVersion") != "kubeflow.org/v2beta1" or job.get("kind") != "MPIJob":
        fail(f"{path}: apiVersion/kind {job.get('apiVersion')}/{job.get('kind')}")
    spec = job.get("spec", {})
    slots = spec.get("slotsPerWorker")
    replicas = spec.get("mpiReplicaSpecs", {})
    launcher, worker = replicas.get("Launcher"), replicas.get("Worker")
    if not launcher or not worker:
        fail(f"{path}: needs Launcher and Worker replica specs")
        return None
    if launcher.get("replicas") != 1:
        fail(f"{path}: Launcher replicas {launcher.get('replicas')}, want 1")
    gpus = [c.get("resources", {}).get("limits", {}).get("nvidia.com/gpu")
            for c in worker["template"]["spec"]["containers"]]
    if gpus != [slots]:
        fail(f"{path}: worker nvidia.com/gpu limits {gpus} != slotsPerWorker {slots}")
    command = [str(x) for x in launcher["template"]["spec"]["containers"][0]["command"]]
    if command[0] != "mpirun" or "-np" not in command:
        fail(f"{path}: the launcher does not run mpirun -np: {command[:3]}")
        return None
    np_ = int(command[command.index("-np") + 1])
    if np_ != worker.get("replicas", 0) * slots:
        fail(f"{path}: mpirun -np {np_} != {worker.get('replicas')} workers x {slots} slots")
    binary = next((i for i, a in enumerate(command) if a.endswith("/accelbench")), None)
    if binary is None:
        fail(f"{path}: no accelbench in the launcher command")
        return None
    return command[binary + 1:]


def check_sbatch(path):
    with open(path) as f:
        text = f.read()
    directives = dict(re.findall(r"^#SBATCH\s+--([\w-]+)=(\S+)", text, re.M))
    if directives.get("ntasks-per-node") != directives.get("gpus-per-node"):
        fail(f"{path}: --ntasks-per-node {directives.get('ntasks-per-node')} != --gpus-per-node "
             f"{directives.get('gpus-per-node')} (one rank per GPU)")
    joined = text.replace("\\\n", " ")
    line = next((l for l in joined.splitlines() if l.strip().startswith("srun ")), None)
    if line is None:
        fail(f"{path}: no srun line")
        return None
    words = shlex.split(line)
    if "--mpi=pmix" not in words:
        fail(f"{path}: srun without --mpi=pmix")
    binary = next((i for i, w in enumerate(words) if "ACCELBENCH" in w or w.endswith("accelbench")), None)
    if binary is None:
        fail(f"{path}: srun does not run accelbench")
        return None
    # The script's own defaults, as bash would expand them outside a job.
    env = {"ACCEL_BACKEND": "cuda"}
    out = []
    for w in words[binary + 1:]:
        w = re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: env.get(m.group(1), m.group(2)), w)
        w = re.sub(r"\$\{?(\w+)\}?", lambda m: env.get(m.group(1), ""), w)
        out.append(w)
    return out


def dry_run(name, args, accelbench, mpirun, fake_env, workdir):
    # The CSV goes to a scratch folder: dry runs check the path but write nothing.
    args = list(args)
    if "--csv" in args:
        args[args.index("--csv") + 1] = os.path.join(workdir, name + ".csv")
    env = dict(os.environ)
    env.update(fake_env)
    env.update({"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"})
    cmd = [mpirun, "-np", "1", "--oversubscribe", accelbench] + args + ["--dry-run"]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    rows = [l for l in p.stdout.splitlines() if re.match(r"\s*cuda:0\s+collective\s", l)]
    print(f"{name}: exit {p.returncode}, {len(rows)} planned rows")
    if p.returncode != 0 or not rows:
        fail(f"{name}: accelbench refused {' '.join(args)}:\n{p.stdout[-2000:]}{p.stderr[-2000:]}")


def measure(accelbench, mpirun, fake_env, workdir):
    import csv

    out = os.path.join(workdir, "measured.csv")
    env = dict(os.environ)
    env.update(fake_env)
    env.update({"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"})
    cmd = [mpirun, "-np", "1", "--oversubscribe", accelbench, "run", "--workload", "collective", "--backend",
           "cuda", "--config", "all_reduce,alltoall,reduce_scatter", "--dtype", "bf16", "--min-bytes", "1024",
           "--max-bytes", "2048", "--warmup-ms", "5", "--min-time-ms", "10", "--csv", out]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
    rows = list(csv.DictReader(open(out))) if os.path.exists(out) else []
    print(f"measured: exit {p.returncode}, {len(rows)} rows")
    bad = [r for r in rows if r["status"] != "ok" or r["verified"] != "true" or not r["comm_library"].startswith("nccl ")
           or r["ranks"] != "1"]
    if p.returncode != 0 or len(rows) != 12 or bad:
        fail(f"measured collective rows through NCCL: exit {p.returncode}, {len(rows)} rows (want 12), "
             f"first bad: {bad[:1]}\n{p.stdout[-1500:]}{p.stderr[-1500:]}")


def measure_dp_step(accelbench, mpirun, fake_env, workdir):
    # dp_step through the cuda plugin: the training kernels on the fake driver, the bucket
    # all-reduces on a second stream through the fake NCCL, fp16 loss scaling (one rank: the fake
    # NCCL cannot join processes).
    import csv

    out = os.path.join(workdir, "dp_step.csv")
    env = dict(os.environ)
    env.update(fake_env)
    env.update({"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"})
    cmd = [mpirun, "-np", "1", "--oversubscribe", accelbench, "run", "--workload", "dp_step", "--backend", "cuda",
           "--config", "bert-tiny-s32-b2", "--dtype", "fp16", "--warmup-ms", "1", "--min-time-ms", "1",
           "--max-samples", "3", "--csv", out]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
    rows = list(csv.DictReader(open(out))) if os.path.exists(out) else []
    print(f"dp_step: exit {p.returncode}, {[(r['status'], r['verified'], r['comm_library']) for r in rows]}")
    if p.returncode != 0 or len(rows) != 1 or rows[0]["status"] != "ok" or rows[0]["verified"] != "true" or \
            not rows[0]["comm_library"].startswith("nccl ") or "dynamic loss scaling" not in rows[0]["notes"]:
        fail(f"dp_step through NCCL: exit {p.returncode}, rows {rows}\n{p.stdout[-1500:]}{p.stderr[-1500:]}")


def measure_without_nccl(accelbench, mpirun, fake_env, workdir):
    # NCCL absent (searched only in the folders given, none of which holds it): the row is
    # unsupported with NCCL's reason, as a dtype a backend lacks, not an error; the run exits 0.
    import csv

    out = os.path.join(workdir, "no_nccl.csv")
    env = dict(os.environ)
    env.update(fake_env)
    dirs = [d for d in env.get("ACCEL_CUDA_LIB_DIRS", "").split(":") if not d.rstrip("/").endswith("fake_nccl")]
    env.update({"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
                "ACCEL_CUDA_LIB_SEARCH": "env", "ACCEL_CUDA_LIB_DIRS": ":".join(dirs)})
    cmd = [mpirun, "-np", "1", "--oversubscribe", accelbench, "run", "--workload", "collective", "--backend",
           "cuda", "--config", "all_reduce-oop-1KiB", "--dtype", "fp32", "--warmup-ms", "1", "--min-time-ms", "1",
           "--csv", out]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    rows = list(csv.DictReader(open(out))) if os.path.exists(out) else []
    print(f"without NCCL: exit {p.returncode}, {[(r['status'], r['notes']) for r in rows]}")
    if p.returncode != 0 or len(rows) != 1 or rows[0]["status"] != "unsupported" or "nccl" not in rows[0]["notes"].lower():
        fail(f"collective without NCCL: exit {p.returncode}, rows {rows}\n{p.stdout[-1500:]}{p.stderr[-1500:]}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--accelbench", required=True)
    ap.add_argument("--mpirun")
    ap.add_argument("--fake-env", action="append", default=[])
    o = ap.parse_args()
    fake_env = dict(kv.split("=", 1) for kv in o.fake_env)
    lines = {
        "mpijob": check_mpijob(os.path.join(o.source, "deploy/k8s/mpijob.yaml")),
        "slurm": check_sbatch(os.path.join(o.source, "scripts/launch/slurm.sbatch")),
    }
    if o.mpirun:
        with tempfile.TemporaryDirectory() as work:
            for name, args in lines.items():
                if args is not None:
                    dry_run(name, args, o.accelbench, o.mpirun, fake_env, work)
            measure(o.accelbench, o.mpirun, fake_env, work)
            measure_without_nccl(o.accelbench, o.mpirun, fake_env, work)
            measure_dp_step(o.accelbench, o.mpirun, fake_env, work)
    else:
        print("no mpirun (built without MPI): the command lines were not run through accelbench")
    if FAILURES:
        print(f"{len(FAILURES)} failure(s)")
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
