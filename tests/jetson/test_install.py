"""scripts/install and scripts/uninstall into a DESTDIR with fake built binaries."""

import glob
import os
import shutil
import stat
import subprocess
import tempfile
import unittest

from fake_jetson import REPO

INSTALL = os.path.join(REPO, "scripts", "install")
UNINSTALL = os.path.join(REPO, "scripts", "uninstall")
CONFIG = "etc/rcpilot/rcpilot.yaml"


def built_rcpilot():
    """A real rcpilot binary ($RCPILOT_BINARY, set by CTest, or the newest build*/bin one),
    to check that the installed config parses."""
    if os.environ.get("RCPILOT_BINARY"):
        return os.environ["RCPILOT_BINARY"]
    found = [p for p in glob.glob(os.path.join(REPO, "build*", "bin", "rcpilot"))
             if os.access(p, os.X_OK)]
    return max(found, key=os.path.getmtime) if found else None


class InstallTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="rcpilot-install-")
        self.addCleanup(shutil.rmtree, self.tmp)
        self.build = os.path.join(self.tmp, "build")
        self.models = os.path.join(self.tmp, "models")
        self.dest = os.path.join(self.tmp, "dest")
        os.makedirs(os.path.join(self.build, "bin"))
        os.makedirs(self.models)
        for exe in ("rcpilot", "rcpilot-sim", "rcpilot-motor"):
            self.write(os.path.join(self.build, "bin", exe), "#!/bin/sh\necho " + exe + "\n")
            os.chmod(os.path.join(self.build, "bin", exe), 0o700)
        os.makedirs(os.path.join(self.build, "lib", "rcpilot"))
        self.write(os.path.join(self.build, "lib", "rcpilot", "librcpilot-capture.so"), "not elf\n")
        self.write(os.path.join(self.models, "linear.onnx"), "not really onnx\n")
        self.write(os.path.join(self.models, "linear.yaml"), "input: {width: 224}\n")

    @staticmethod
    def write(path, text):
        with open(path, "w") as f:
            f.write(text)

    def run_script(self, script, *args, expect=0):
        env = dict(os.environ, DESTDIR=self.dest)
        proc = subprocess.run([script] + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, universal_newlines=True, env=env,
                              timeout=120)
        self.assertEqual(proc.returncode, expect, proc.stdout)
        return proc.stdout

    def install(self, *args):
        return self.run_script(INSTALL, "--build-dir", self.build, "--models-dir", self.models,
                               *args)

    def dest_path(self, rel):
        return os.path.join(self.dest, rel.lstrip("/"))

    def mode(self, rel):
        return stat.S_IMODE(os.stat(self.dest_path(rel)).st_mode)

    def read(self, rel):
        with open(self.dest_path(rel)) as f:
            return f.read()

    def test_install_puts_every_file_in_place_with_the_right_modes(self):
        out = self.install("--prefix", "/opt/rcpilot")
        expected = {
            "opt/rcpilot/bin/rcpilot": 0o755,
            "opt/rcpilot/bin/rcpilot-sim": 0o755,
            "opt/rcpilot/bin/rcpilot-motor": 0o755,
            "opt/rcpilot/lib/rcpilot/rcpilot-perf": 0o755,
            "opt/rcpilot/lib/rcpilot/librcpilot-capture.so": 0o644,
            "opt/rcpilot/share/rcpilot/models/linear.onnx": 0o644,
            "opt/rcpilot/share/rcpilot/models/linear.yaml": 0o644,
            "opt/rcpilot/share/rcpilot/tracks/default.yaml": 0o644,
            "etc/systemd/system/rcpilot.service": 0o644,
            "etc/systemd/system/rcpilot-fan.service": 0o644,
            CONFIG: 0o644,
            "etc/rcpilot/perf.env": 0o644,
        }
        for rel, mode in expected.items():
            self.assertTrue(os.path.isfile(self.dest_path(rel)), rel)
            self.assertEqual(oct(self.mode(rel)), oct(mode), rel)
        self.assertIn("rcpilot user was not created", out)

    def test_install_puts_rcpilot_web_its_page_and_its_unit_in_place(self):
        web = os.path.join(self.build, "bin", "rcpilot-web")
        self.write(web, "#!/bin/sh\necho rcpilot-web\n")
        os.chmod(web, 0o700)
        self.install("--prefix", "/opt/rcpilot")
        self.assertEqual(oct(self.mode("opt/rcpilot/bin/rcpilot-web")), oct(0o755))
        self.assertEqual(oct(self.mode("opt/rcpilot/share/rcpilot/www/index.html")), oct(0o644))
        unit = self.read("etc/systemd/system/rcpilot-web.service")
        self.assertIn("ExecStart=/opt/rcpilot/bin/rcpilot-web --config", unit)

    def test_the_unit_and_config_point_at_the_prefix(self):
        self.install("--prefix", "/opt/rcpilot")
        unit = self.read("etc/systemd/system/rcpilot.service")
        self.assertIn("ExecStart=/opt/rcpilot/bin/rcpilot --config /etc/rcpilot/rcpilot.yaml",
                      unit)
        self.assertIn("+/opt/rcpilot/lib/rcpilot/rcpilot-perf apply", unit)
        self.assertNotIn("/usr/local", unit)
        config = self.read(CONFIG)
        self.assertIn("  path: /opt/rcpilot/share/rcpilot/models/linear.onnx", config)
        self.assertIn("  status_interval_s: 0", config)
        self.assertNotIn("track:", config, "the car's config needs no track")

    def test_the_installed_config_is_accepted_by_the_real_node(self):
        rcpilot = built_rcpilot()
        if rcpilot is None:
            self.skipTest("no built rcpilot in build*/bin: config not parsed")
        self.install()
        proc = subprocess.run([rcpilot, "--config", self.dest_path(CONFIG), "--print-config"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              universal_newlines=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertIn('path: "/usr/local/share/rcpilot/models/linear.onnx"', proc.stdout)

    def test_a_second_install_keeps_an_edited_config_and_offers_the_new_one_beside_it(self):
        self.install()
        edited = self.read(CONFIG).replace("steering_trim: 0", "steering_trim: 0.05")
        self.write(self.dest_path(CONFIG), edited)
        out = self.install()
        self.assertEqual(self.read(CONFIG), edited)
        self.assertIn("kept as you left it", out)
        self.assertIn("steering_trim: 0\n", self.read(CONFIG + ".new"))

    def test_a_second_install_over_an_unchanged_config_leaves_no_new_file(self):
        self.install()
        self.assertIn("rcpilot.yaml (unchanged)", self.install())
        self.assertFalse(os.path.exists(self.dest_path(CONFIG + ".new")))

    def test_uninstall_removes_what_install_put_there_but_keeps_the_config(self):
        self.install()
        self.write(self.dest_path(CONFIG), "# mine\n")
        self.run_script(UNINSTALL)
        left = sorted(os.path.relpath(os.path.join(folder, name), self.dest)
                      for folder, _, files in os.walk(self.dest) for name in files)
        self.assertEqual(left, ["etc/rcpilot/perf.env", CONFIG])
        self.assertEqual(self.read(CONFIG), "# mine\n")
        self.assertFalse(os.path.exists(self.dest_path("usr/local/lib/rcpilot")))
        self.assertFalse(os.path.exists(self.dest_path("usr/local/share/rcpilot")))

    def test_install_without_built_binaries_says_to_build_first(self):
        os.remove(os.path.join(self.build, "bin", "rcpilot"))
        out = self.run_script(INSTALL, "--build-dir", self.build, expect=1)
        self.assertIn("run scripts/build first", out)

    def test_install_without_a_model_warns_and_still_installs(self):
        shutil.rmtree(self.models)
        os.makedirs(self.models)
        out = self.install()
        self.assertIn("no *.onnx in", out)
        self.assertTrue(os.path.isfile(self.dest_path(CONFIG)))

    def test_disable_nvgetty_under_destdir_only_says_what_to_run(self):
        self.install()
        self.write(self.dest_path(CONFIG), self.read(CONFIG) + "# port below\n"
                   "extra_port_note: /dev/ttyTHS1\n")
        out = self.install("--disable-nvgetty")
        self.assertIn("nvgetty not disabled (run: sudo systemctl disable --now nvgetty)", out)


def built_engine_name_tool():
    """The real rcpilot-engine-name beside the built rcpilot, if there is one."""
    rcpilot = built_rcpilot()
    tool = rcpilot and os.path.join(os.path.dirname(rcpilot), "rcpilot-engine-name")
    return tool if tool and os.access(tool, os.X_OK) else None


class InstallTensorRtEngineTest(unittest.TestCase):
    """The install-time engine build, with a fake trtexec (InstallTest's helpers, not its tests)."""
    write = staticmethod(InstallTest.write)
    run_script = InstallTest.run_script
    install = InstallTest.install
    dest_path = InstallTest.dest_path
    mode = InstallTest.mode

    def setUp(self):
        InstallTest.setUp(self)
        self.tool = built_engine_name_tool()
        if self.tool is None:
            self.skipTest("no built rcpilot-engine-name")
        self.calls = os.path.join(self.tmp, "trtexec-calls")
        self.trtexec = os.path.join(self.tmp, "trtexec")
        self.write(self.trtexec, "#!/bin/sh\necho \"$@\" >> %s\n"
                   "for a in \"$@\"; do case \"$a\" in --saveEngine=*) "
                   "echo engine > \"${a#--saveEngine=}\" ;; esac; done\n" % self.calls)
        os.chmod(self.trtexec, 0o755)

    def use_name_tool(self, extra_args):
        path = os.path.join(self.build, "bin", "rcpilot-engine-name")
        self.write(path, '#!/bin/sh\nexec "%s" "$@" %s\n' % (self.tool, extra_args))
        os.chmod(path, 0o755)

    def trtexec_calls(self):
        if not os.path.exists(self.calls):
            return 0
        with open(self.calls) as f:
            return len(f.read().splitlines())

    def test_with_tensorrt_the_models_engine_is_built_once_and_uninstalled(self):
        self.use_name_tool("--trt-version 8.2.1 --sm 53")
        out = self.install("--trtexec", self.trtexec)
        engines = glob.glob(self.dest_path("usr/local/share/rcpilot/models/engines/*.engine"))
        self.assertEqual(len(engines), 1, out)
        self.assertRegex(os.path.basename(engines[0]),
                         r"^linear\.[0-9a-f]{16}\.trt8\.2\.1\.sm53\.fp16\.engine$")
        self.assertIn("TensorRT engine for model.backend: tensorrt: /usr/local/share/", out)
        self.assertEqual(oct(self.mode("usr/local/lib/rcpilot/build-trt-engine")), oct(0o755))
        self.assertEqual(oct(self.mode("usr/local/lib/rcpilot/rcpilot-engine-name")), oct(0o755))
        self.assertIn("up to date", self.install("--trtexec", self.trtexec))
        self.assertEqual(self.trtexec_calls(), 1)
        self.run_script(UNINSTALL)
        self.assertFalse(os.path.exists(self.dest_path("usr/local/share/rcpilot")))

    def test_a_build_without_tensorrt_warns_and_still_installs(self):
        self.use_name_tool("")
        out = self.install("--trtexec", self.trtexec)
        self.assertIn("warning: TensorRT is here", out)
        self.assertIn("built without TensorRT", out)
        self.assertEqual(self.trtexec_calls(), 0)
        self.assertTrue(os.path.isfile(self.dest_path(CONFIG)))

    def test_no_trt_engine_skips_the_build(self):
        self.use_name_tool("--trt-version 8.2.1 --sm 53")
        self.install("--trtexec", self.trtexec, "--no-trt-engine")
        self.assertEqual(self.trtexec_calls(), 0)


if __name__ == "__main__":
    unittest.main()
