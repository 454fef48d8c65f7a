"""scripts/install-deps --dry-run: which packages it picks, with fake dpkg-query, apt-cache and
apt-get on PATH standing in for a distribution's package lists."""

import os
import shutil
import stat
import subprocess
import tempfile
import unittest

from fake_jetson import REPO

INSTALL_DEPS = os.path.join(REPO, "scripts", "install-deps")

# A fake dpkg-query/apt-cache pair: $FAKE_INSTALLED and $FAKE_KNOWN list package names.
FAKE_DPKG_QUERY = """#!/bin/sh
# dpkg-query -W -f=FORMAT NAME...: prints the status of the installed ones
for name in "$@"; do
  case "$name" in -*) continue ;; esac
  for p in $FAKE_INSTALLED; do
    case "$p" in $name) echo "$p install ok installed" ;; esac
  done
done
"""
FAKE_APT_CACHE = """#!/bin/sh
# apt-cache policy NAME
for p in $FAKE_KNOWN; do
  if [ "$p" = "$2" ]; then echo "  Candidate: 1.0"; exit 0; fi
done
echo "  Candidate: (none)"
"""
FAKE_DPKG = "#!/bin/sh\necho \"${FAKE_ARCH:-amd64}\"\n"
FAKE_APT_GET = "#!/bin/sh\nexit 0\n"

# The packages every distribution rcpilot supports knows (names as Debian/Ubuntu spell them).
COMMON = ("build-essential cmake pkg-config git libturbojpeg0-dev libyaml-cpp-dev libzmq3-dev "
          "libboost-program-options-dev libspdlog-dev libfmt-dev nlohmann-json3-dev "
          "libsystemd-dev libgtest-dev libgmock-dev libbenchmark-dev python3 python3-numpy "
          "python3-yaml python3-zmq stress-ng gstreamer1.0-plugins-base "
          "gstreamer1.0-plugins-good libopencv-dev python3-opencv libserial-dev libboost-dev "
          "libboost-system-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libpng-dev clang")


class InstallDepsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="rcpilot-install-deps-")
        self.addCleanup(shutil.rmtree, self.tmp)
        self.bin = os.path.join(self.tmp, "bin")
        os.makedirs(self.bin)
        for name, text in (("dpkg-query", FAKE_DPKG_QUERY), ("apt-cache", FAKE_APT_CACHE),
                           ("dpkg", FAKE_DPKG), ("apt-get", FAKE_APT_GET), ("sudo", "#!/bin/sh\n\"$@\"\n")):
            path = os.path.join(self.bin, name)
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, stat.S_IRWXU)
        self.tegra = os.path.join(self.tmp, "nv_tegra_release")

    def run_deps(self, known, installed="", arch="amd64", tegra=None):
        env = dict(os.environ, PATH=self.bin + ":" + os.environ["PATH"], FAKE_KNOWN=known,
                   FAKE_INSTALLED=installed, FAKE_ARCH=arch,
                   RCPILOT_NV_TEGRA_RELEASE=self.tegra if tegra else "/nonexistent")
        if tegra:
            with open(self.tegra, "w") as f:
                f.write(tegra)
        return subprocess.run([INSTALL_DEPS, "--dry-run"], env=env, capture_output=True,
                              text=True, timeout=60)

    def test_debian_12_picks_cppzmq_dev_and_opencv(self):
        r = self.run_deps(COMMON + " cppzmq-dev python3-torch python3-onnx python3-torchvision")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("cppzmq-dev", r.stdout)
        self.assertIn("libopencv-dev", r.stdout)
        self.assertIn("libboost-program-options-dev", r.stdout)
        self.assertNotIn("cli11", r.stdout)

    def test_ubuntu_20_04_takes_zmq_hpp_from_libzmq3_dev_and_skips_training_packages(self):
        r = self.run_deps(COMMON, arch="arm64")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("cppzmq-dev", r.stdout)
        self.assertIn("no package 'python3-torch' here", r.stdout)
        self.assertNotIn("libdnnl-dev", r.stdout)

    def test_jetpack_5_keeps_jetpacks_opencv(self):
        r = self.run_deps(COMMON, installed="nvidia-opencv-dev", arch="arm64",
                          tegra="# R35 (release), REVISION: 4.1, GCID: 33958178\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("using JetPack's OpenCV", r.stdout)
        self.assertNotIn("libopencv-dev", r.stdout)
        self.assertNotIn("python3-opencv", r.stdout)

    def test_jetson_without_jetpacks_opencv_says_what_to_install(self):
        r = self.run_deps(COMMON, arch="arm64", tegra="# R36 (release), REVISION: 3.0\n")
        self.assertEqual(r.returncode, 1)
        self.assertIn("nvidia-opencv-dev", r.stderr)

    def test_jetpack_4_stops_with_advice(self):
        r = self.run_deps(COMMON, arch="arm64", tegra="# R32 (release), REVISION: 7.1\n")
        self.assertEqual(r.returncode, 1)
        self.assertIn("JetPack 4", r.stderr)
        self.assertIn("Ubuntu 20.04", r.stderr)
        self.assertIn("docs/jetson.md", r.stderr)
        self.assertEqual(r.stdout, "")

    def test_a_missing_required_package_is_an_error_naming_it(self):
        r = self.run_deps(COMMON.replace("libyaml-cpp-dev", ""))
        self.assertEqual(r.returncode, 1)
        self.assertIn("libyaml-cpp-dev", r.stderr)


if __name__ == "__main__":
    unittest.main()
