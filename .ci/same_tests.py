#!/usr/bin/env python3
"""Lists the tests of build tree B that would repeat tests of build tree A exactly, one name a line.

CI builds the tree twice (A: everything found; B: the optional libraries hidden, as a GPU host has
it) and runs B's tests after A's passed. A test of B repeats A's when it runs the same command in
the same environment (each tree's own path aside) and every file of the build it can reach is built
by the same commands in both trees, so it cannot pass in one and fail in the other. What it can
reach: the build-tree paths its command and environment name (for a folder, every build output in
it; a path no rule makes must be absent from B, the test's own run-time state such as a kernel
cache, or hold what configure put there in both), the executables' own link inputs, and, for a program linked to libaccel, the plugins the
loader would open: the plugin files named on its command line, else those ACCEL_BACKENDS names,
else every plugin of the tree. Anything else (an unknown path, a plugin folder left to the default
search with no filter) counts as different, so the test runs in both.

Usage: same_tests.py A B   (both configured and built with Ninja)"""
import bisect
import json
import os
import re
import subprocess
import sys


def ctest_tests(build):
    out = subprocess.run(["ctest", "--test-dir", build, "--show-only=json-v1"], check=True,
                         capture_output=True, text=True).stdout
    return {t["name"]: t for t in json.loads(out)["tests"]}


class Tree:
    def __init__(self, build):
        self.build = os.path.realpath(build)
        out = subprocess.run(["ninja", "-C", self.build, "-t", "targets", "all"], check=True,
                             capture_output=True, text=True).stdout
        self.outputs = sorted(line.split(":", 1)[0] for line in out.splitlines() if ":" in line)
        self.plugins = [o for o in self.outputs if re.fullmatch(r"lib/accel/libaccel-backend-[^/]+\.so", o)]
        self._commands = {}

    def rel(self, path):
        return os.path.relpath(path, self.build)

    def commands(self, output):
        """Every command that builds output (its inputs first), with the tree's path as B."""
        if output not in self._commands:
            r = subprocess.run(["ninja", "-C", self.build, "-t", "commands", output],
                               capture_output=True, text=True)
            self._commands[output] = None if r.returncode else \
                sorted(set(r.stdout.replace(self.build, "B").splitlines()))
        return self._commands[output]

    def outputs_at(self, rel):
        """The build outputs at rel or below it."""
        i = bisect.bisect_left(self.outputs, rel)
        found = []
        while i < len(self.outputs) and self.outputs[i].startswith(rel):
            o = self.outputs[i]
            if o == rel or o.startswith(rel + "/"):
                found.append(o)
            i += 1
        return found


def normalised(test, build):
    """The test's command, environment and other properties with the tree's path as B; the working
    directory (the test's own folder in the tree) is left out, as a test reaches the tree through
    it only by the paths it names, and COST, which orders the run and changes nothing in it."""
    t = json.loads(json.dumps(test).replace(os.path.realpath(build), "B"))
    t["properties"] = [p for p in t.get("properties", []) if p["name"] not in ("WORKING_DIRECTORY", "COST")]
    t.pop("backtrace", None)
    return t


def environment(test):
    for p in test.get("properties", []):
        if p["name"] == "ENVIRONMENT":
            return dict(v.split("=", 1) for v in p["value"] if "=" in v)
    return {}


def reached(test, tree):
    """The build outputs the test can reach (relative to the tree), or None when one is unknown."""
    words = list(test.get("command") or [])
    for value in environment(test).values():
        words += re.split(r"[:;]", value)
    outputs, unbuilt, libaccel = set(), set(), False
    named_plugins = []
    for w in words:
        if not w.startswith(tree.build + "/") and w != tree.build:
            continue
        rel = tree.rel(w)
        if rel == ".":
            return None  # the whole tree (an install or a script given the build folder)
        inside = tree.outputs_at(rel)
        if not inside:
            unbuilt.add(rel)
        outputs.update(inside)
        named_plugins += [o for o in inside if o in tree.plugins]
    for o in list(outputs):
        cmds = tree.commands(o)
        if cmds is None:
            return None
        libaccel = libaccel or any(re.search(r"-o lib/libaccel\.so", c) for c in cmds)
    if libaccel and not named_plugins:
        wanted = environment(test).get("ACCEL_BACKENDS")
        plugins = tree.plugins
        if wanted:
            plugins = [p for p in plugins if re.search(r"libaccel-backend-(%s)\.so$" %
                                                        "|".join(map(re.escape, wanted.split(","))), p)]
        outputs.update(plugins)
    return outputs, unbuilt


def snapshot(tree, rel):
    """What configure put at a build-tree path no rule makes: each file's bytes, each link's target
    (with the tree's path as B), and the build outputs those links lead to."""
    top = os.path.join(tree.build, rel)
    found, linked = {}, set()
    paths = [top] if not os.path.isdir(top) or os.path.islink(top) else \
        [os.path.join(r, n) for r, dirs, files in os.walk(top) for n in dirs + files]
    for full in paths:
        key = os.path.relpath(full, top)
        if os.path.islink(full):
            target = os.readlink(full)
            found[key] = "-> " + target.replace(tree.build, "B")
            if target.startswith(tree.build + "/"):
                linked.add(tree.rel(target))
        elif os.path.isfile(full):
            with open(full, "rb") as f:
                found[key] = f.read()
    return found, linked


def same_unbuilt(rel, a, b):
    """A path no rule makes is the test's own run-time state when B does not have it yet (a kernel
    cache, a work folder: B's tests have not run), else configure's work: the same files in both,
    and links to build outputs built by the same commands."""
    if not os.path.lexists(os.path.join(b.build, rel)):
        return True
    if not os.path.lexists(os.path.join(a.build, rel)):
        return False
    (fa, la), (fb, lb) = snapshot(a, rel), snapshot(b, rel)
    return fa == fb and la == lb and all(a.commands(o) == b.commands(o) for o in lb)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    a_dir, b_dir = sys.argv[1:]
    a_tests, b_tests = ctest_tests(a_dir), ctest_tests(b_dir)
    a, b = Tree(a_dir), Tree(b_dir)
    for name, tb in b_tests.items():
        ta = a_tests.get(name)
        if ta is None or normalised(ta, a_dir) != normalised(tb, b_dir):
            continue
        ra, rb = reached(ta, a), reached(tb, b)
        if ra is None or rb is None or ra[0] != rb[0]:
            continue
        if all(a.commands(o) == b.commands(o) for o in rb[0]) and \
                all(same_unbuilt(rel, a, b) for rel in rb[1]):
            print(name)


if __name__ == "__main__":
    main()
