"""scripts/build-trt-engine with a fake trtexec and the real rcpilot-engine-name, told which
TensorRT version and GPU to name the engine for (this machine has neither)."""

import glob
import os
import shutil
import subprocess
import tempfile
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(REPO, "scripts", "build-trt-engine")

FAKE_TRTEXEC = """#!/bin/sh
# Records its arguments and writes an "engine" to --saveEngine, like trtexec.
echo "$@" >> "{calls}"
for arg in "$@"; do
  case "$arg" in --saveEngine=*) out="${{arg#--saveEngine=}}" ;; esac
done
if [ -n "$FAIL" ]; then echo "half an engine" > "$out"; echo "[E] parse error" >&2; exit 1; fi
echo "engine built from $@" > "$out"
echo "&&&& PASSED TensorRT.trtexec"
"""


def engine_name_tool():
    """The real rcpilot-engine-name ($RCPILOT_ENGINE_NAME, set by CTest, or build*/vehicle)."""
    if os.environ.get("RCPILOT_ENGINE_NAME"):
        return os.environ["RCPILOT_ENGINE_NAME"]
    found = [p for p in glob.glob(os.path.join(REPO, "build*", "vehicle", "rcpilot-engine-name"))
             if os.access(p, os.X_OK)]
    return max(found, key=os.path.getmtime) if found else None


class BuildTrtEngineTest(unittest.TestCase):
    def setUp(self):
        self.tool = engine_name_tool()
        if self.tool is None:
            self.skipTest("rcpilot-engine-name not built")
        self.tmp = tempfile.mkdtemp(prefix="rcpilot-trt-")
        self.addCleanup(shutil.rmtree, self.tmp)
        self.calls = os.path.join(self.tmp, "calls")
        self.trtexec = self.executable("trtexec", FAKE_TRTEXEC.format(calls=self.calls))
        # A Nano on JetPack 4.6: TensorRT 8.2.1, compute capability 5.3.
        self.name_tool = self.executable(
            "name-tool", '#!/bin/sh\nexec "%s" "$@" --trt-version 8.2.1 --sm 53\n' % self.tool)
        self.onnx = os.path.join(self.tmp, "models", "linear.onnx")
        os.makedirs(os.path.dirname(self.onnx))
        with open(self.onnx, "wb") as f:
            f.write(b"not really onnx")

    def executable(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o755)
        return path

    def run_script(self, *args, expect=0, env=None):
        proc = subprocess.run([SCRIPT] + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, universal_newlines=True,
                              env=dict(os.environ, **(env or {})), timeout=60)
        self.assertEqual(proc.returncode, expect, proc.stdout)
        return proc.stdout

    def build(self, *args, expect=0, env=None):
        return self.run_script("--onnx", self.onnx, "--trtexec", self.trtexec,
                               "--name-tool", self.name_tool, *args, expect=expect, env=env)

    def expected_engine(self, precision="fp16"):
        out = subprocess.check_output([self.tool, "--onnx", self.onnx, "--precision", precision,
                                       "--trt-version", "8.2.1", "--sm", "53"],
                                      universal_newlines=True)
        return out.strip()

    def trtexec_calls(self):
        if not os.path.exists(self.calls):
            return []
        with open(self.calls) as f:
            return f.read().splitlines()

    def test_builds_the_engine_under_the_name_the_node_looks_for(self):
        engine = self.expected_engine()
        self.assertEqual(os.path.dirname(engine), os.path.join(self.tmp, "models", "engines"))
        self.assertRegex(os.path.basename(engine),
                         r"^linear\.[0-9a-f]{16}\.trt8\.2\.1\.sm53\.fp16\.engine$")
        out = self.build()
        self.assertIn("built " + engine, out)
        self.assertTrue(os.path.isfile(engine))
        self.assertFalse(os.path.exists(engine + ".partial"))
        (call,) = self.trtexec_calls()
        self.assertIn("--onnx=" + self.onnx, call)
        self.assertIn("--saveEngine=" + engine + ".partial", call)
        self.assertIn("--fp16", call)

    def test_an_existing_engine_is_not_built_again_unless_forced(self):
        self.build()
        self.assertIn("up to date", self.build())
        self.assertEqual(len(self.trtexec_calls()), 1)
        self.build("--force")
        self.assertEqual(len(self.trtexec_calls()), 2)

    def test_fp32_builds_another_engine_without_fp16(self):
        self.build("--precision", "fp32")
        self.assertTrue(os.path.isfile(self.expected_engine("fp32")))
        self.assertNotIn("--fp16", self.trtexec_calls()[0])
        self.assertFalse(os.path.exists(self.expected_engine("fp16")))

    def test_a_changed_model_gets_a_new_engine(self):
        self.build()
        old = self.expected_engine()
        with open(self.onnx, "wb") as f:
            f.write(b"retrained")
        self.assertNotEqual(self.expected_engine(), old)
        self.build()
        self.assertEqual(len(self.trtexec_calls()), 2)

    def test_a_failed_build_leaves_no_engine_and_shows_the_log(self):
        out = self.build(expect=1, env={"FAIL": "1"})
        self.assertIn("trtexec failed", out)
        self.assertIn("[E] parse error", out)
        engine = self.expected_engine()
        self.assertFalse(os.path.exists(engine))
        self.assertFalse(os.path.exists(engine + ".partial"))
        self.assertTrue(os.path.isfile(engine + ".log"))

    def test_dry_run_prints_the_plan_and_builds_nothing(self):
        out = self.build("--dry-run")
        self.assertIn("engine: " + self.expected_engine(), out)
        self.assertIn("would run: " + self.trtexec, out)
        self.assertEqual(self.trtexec_calls(), [])

    def test_bad_arguments_are_refused_with_a_reason(self):
        self.assertIn("--onnx FILE is required", self.run_script(expect=2))
        self.assertIn("unknown argument '--fast'", self.build("--fast", expect=2))
        self.assertIn("--precision must be fp16 or fp32", self.build("--precision", "int8",
                                                                     expect=2))
        out = self.run_script("--onnx", os.path.join(self.tmp, "gone.onnx"), expect=2)
        self.assertIn("not found", out)
        out = self.run_script("--onnx", self.onnx, "--trtexec", os.path.join(self.tmp, "nope"),
                              expect=2)
        self.assertIn("trtexec not found", out)

    def test_without_a_tensorrt_build_the_real_tool_says_why_no_name(self):
        # The real tool asked to detect this machine's TensorRT: here it was built without it.
        out = self.run_script("--onnx", self.onnx, "--trtexec", self.trtexec,
                              "--name-tool", self.tool, expect=2)
        self.assertIn("built without TensorRT", out)
        self.assertEqual(self.trtexec_calls(), [])


if __name__ == "__main__":
    unittest.main()
