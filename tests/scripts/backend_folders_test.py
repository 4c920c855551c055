#!/usr/bin/env python3
"""cmake/backend_folders.cmake on a small tree of its own: every plugin folder is built and support
folders are added first; a folder added after the build folder was configured is built by the next
`cmake --build` (nothing re-run by hand); a build folder holding the old default
ACCEL_BACKENDS_ENABLED list drops it; ACCEL_BACKENDS_ONLY and ACCEL_BACKENDS_EXCLUDE leave plugins
out and say so; unknown names stop the configure.

    backend_folders_test.py --cmake CMAKE --generator GENERATOR
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
MODULE = os.path.normpath(os.path.join(HERE, "..", "..", "cmake", "backend_folders.cmake"))
OLD_DEFAULT = "cpu;null;opencl;cuda;hip;level_zero;pjrt;gaudi"

# The plugins stand in for accel_add_plugin: each builds a stamp file, so what was built is what
# the build folder holds. A support folder records the order it was added in.
TOP = """cmake_minimum_required(VERSION 3.20)
project(backend_folders_test NONE)
set_property(GLOBAL PROPERTY ADDED "")
function(accel_add_plugin name)
  add_custom_target(plugin_${name} ALL COMMAND ${CMAKE_COMMAND} -E touch ${CMAKE_BINARY_DIR}/built_${name})
  set_property(GLOBAL APPEND PROPERTY ADDED ${name})
endfunction()
include(%s)
accel_add_backends()
get_property(added GLOBAL PROPERTY ADDED)
message(STATUS "added in order: ${added}")
""" % MODULE.replace("\\", "/")
PLUGIN = "# a backend\naccel_add_plugin(%s SOURCES src/x.c)\n"
SUPPORT = """# support code; a comment that names accel_add_plugin( does not make it a plugin
set_property(GLOBAL APPEND PROPERTY ADDED %s)
"""


class BackendFoldersTest(unittest.TestCase):
    cmake = "cmake"
    generator = "Ninja"

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="backend-folders-")
        self.src = os.path.join(self.tmp, "src")
        self.build = os.path.join(self.tmp, "build")
        os.makedirs(self.src)
        with open(os.path.join(self.src, "CMakeLists.txt"), "w") as f:
            f.write(TOP)
        self.folder("zkernels", SUPPORT % "zkernels")
        self.folder("common", SUPPORT % "common")
        self.folder("beta", PLUGIN % "beta")
        self.folder("alpha", "if(TRUE)\n  " + PLUGIN % "alpha" + "endif()\n")
        os.makedirs(os.path.join(self.src, "backends", "not_a_folder_with_cmake"))

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def folder(self, name, text):
        d = os.path.join(self.src, "backends", name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "CMakeLists.txt"), "w") as f:
            f.write(text)

    def configure(self, *defs, ok=True):
        r = subprocess.run([self.cmake, "-S", self.src, "-B", self.build, "-G", self.generator,
                            *defs], capture_output=True, text=True)
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode == 0, ok, out)
        return out

    def build_tree(self):
        r = subprocess.run([self.cmake, "--build", self.build], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r.stdout + r.stderr

    def built(self):
        return sorted(f[len("built_"):] for f in os.listdir(self.build) if f.startswith("built_"))

    def test_every_plugin_and_a_new_one_without_reconfiguring(self):
        out = self.configure()
        self.assertIn("added in order: common;zkernels;alpha;beta", out)
        self.build_tree()
        self.assertEqual(self.built(), ["alpha", "beta"])
        self.folder("gamma", PLUGIN % "gamma")
        self.build_tree()  # the build itself sees the new folder
        self.assertEqual(self.built(), ["alpha", "beta", "gamma"])

    def test_old_default_list_is_dropped(self):
        out = self.configure("-DACCEL_BACKENDS_ENABLED=" + OLD_DEFAULT)
        self.assertIn("ACCEL_BACKENDS_ENABLED held the old default list: dropped", out)
        self.build_tree()
        self.assertEqual(self.built(), ["alpha", "beta"])
        self.folder("gamma", PLUGIN % "gamma")
        out = self.configure()
        self.assertNotIn("ACCEL_BACKENDS_ENABLED", out)
        self.build_tree()
        self.assertEqual(self.built(), ["alpha", "beta", "gamma"])

    def test_only_and_exclude(self):
        out = self.configure("-DACCEL_BACKENDS_EXCLUDE=beta")
        self.assertIn("beta backend: not built (ACCEL_BACKENDS_EXCLUDE)", out)
        self.assertIn("added in order: common;zkernels;alpha\n", out)
        self.folder("gamma", PLUGIN % "gamma")
        self.build_tree()
        self.assertEqual(self.built(), ["alpha", "gamma"])  # a new backend is still built
        out = self.configure("-DACCEL_BACKENDS_EXCLUDE=", "-DACCEL_BACKENDS_ONLY=beta")
        self.assertIn("alpha backend: not built (not in ACCEL_BACKENDS_ONLY)", out)
        self.assertIn("gamma backend: not built (not in ACCEL_BACKENDS_ONLY)", out)
        self.assertIn("added in order: common;zkernels;beta\n", out)

    def test_unknown_names_stop_the_configure(self):
        out = self.configure("-DACCEL_BACKENDS_ONLY=alpha;common", ok=False)
        self.assertIn("ACCEL_BACKENDS_ONLY: 'common' is no backend plugin folder", out)
        self.assertIn("known: alpha, beta", out)
        out = self.configure("-DACCEL_BACKENDS_ONLY=", "-DACCEL_BACKENDS_EXCLUDE=gama", ok=False)
        self.assertIn("ACCEL_BACKENDS_EXCLUDE: 'gama' is no backend plugin folder", out)

    def test_old_name_with_a_subset(self):
        out = self.configure("-DACCEL_BACKENDS_ENABLED=alpha")
        self.assertIn("ACCEL_BACKENDS_ENABLED is the old name of ACCEL_BACKENDS_ONLY", out)
        self.assertIn("added in order: common;zkernels;alpha\n", out)
        out = self.configure("-DACCEL_BACKENDS_ONLY=beta", ok=False)
        self.assertIn("disagree", out)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--cmake", default="cmake")
    p.add_argument("--generator", default="Ninja")
    args, rest = p.parse_known_args()
    BackendFoldersTest.cmake = args.cmake
    BackendFoldersTest.generator = args.generator
    unittest.main(argv=[sys.argv[0]] + rest)
