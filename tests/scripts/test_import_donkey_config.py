"""scripts/import-donkey-config on a Donkey config in cfg_complete.py's layout, and a seeded
random-mutation test: any input gives a YAML or a clear error naming the file and line."""
import os
import random
import re
import subprocess
import sys
import tempfile
import unittest

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPT = os.path.join(ROOT, "scripts", "import-donkey-config")
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "donkey_config")
CONFIG = os.path.join(FIXTURES, "config.py")
MYCONFIG = os.path.join(FIXTURES, "myconfig.py")


sys.path.insert(0, os.path.join(ROOT, "tests"))
from script_loader import load_script  # noqa: E402  (path set just above)

importer = load_script("import-donkey-config", "import_donkey_config")


def run(*args):
    return subprocess.run([sys.executable, SCRIPT] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=60)


class ImportDonkeyConfigTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="donkey_config_")

    def tearDown(self):
        self.dir.cleanup()

    def write(self, name, text):
        path = os.path.join(self.dir.name, name)
        mode = "wb" if isinstance(text, bytes) else "w"
        with open(path, mode) as f:
            f.write(text)
        return path

    def test_myconfig_overrides_config_and_the_pca9685_drive_train_maps_to_its_keys(self):
        out = run(MYCONFIG, CONFIG)
        self.assertEqual(out.returncode, 0, out.stderr)
        cfg = yaml.safe_load(out.stdout)
        self.assertEqual(cfg["motor"], {
            "driver": "pca9685", "i2c_bus": 1, "i2c_address": 0x40, "pwm_frequency_hz": 60,
            "steering_channel": 1, "throttle_channel": 0,
            "steering_left_ticks": 470, "steering_right_ticks": 280,
            "throttle_forward_ticks": 480, "throttle_stopped_ticks": 375,
            "throttle_reverse_ticks": 250,
            "steering_inverted": False, "throttle_inverted": False})
        self.assertEqual(cfg["camera"], {"source": "csi", "width": 224, "height": 224,
                                         "fps": 20.0, "flip": 2})
        self.assertEqual(cfg["control"], {"rate_hz": 30.0, "ai_throttle_mult": 1.2,
                                          "mode": "user"})
        self.assertEqual(cfg["gamepad"]["throttle_scale"], 0.35)
        self.assertEqual(cfg["gamepad"]["pad"], "ps4")
        self.assertTrue(cfg["gamepad"]["enabled"])
        self.assertTrue(cfg["gamepad"]["throttle_inverted"])
        self.assertEqual(cfg["record"], {"only_when_moving": True, "during_autopilot": True})
        unused = out.stdout[out.stdout.index("# Donkey keys not carried over"):]
        self.assertRegex(unused, r"#   BATCH_SIZE \(.*config\.py:\d+\): training")
        self.assertRegex(unused, r"#   MM1_SERIAL_PORT .*not selected by DRIVE_TRAIN_TYPE")
        self.assertRegex(unused, r"config\.py:\d+: CAR_PATH is not a literal")
        self.assertRegex(unused, r"myconfig\.py:\d+: MODEL_PATH is not a literal")
        self.assertIn("MODEL_PATH is not a literal", out.stderr)

    def test_a_donkey_4_servo_esc_config_maps_to_the_same_keys(self):
        path = self.write("myconfig.py", "DRIVE_TRAIN_TYPE = 'SERVO_ESC'\n"
                          "PCA9685_I2C_ADDR = 0x41\nPCA9685_I2C_BUSNUM = 7\n"
                          "STEERING_CHANNEL = 3\nTHROTTLE_CHANNEL = 2\n"
                          "STEERING_LEFT_PWM = 400\nTHROTTLE_STOPPED_PWM = 380\n")
        cfg = yaml.safe_load(run(path).stdout)
        self.assertEqual((cfg["motor"]["i2c_bus"], cfg["motor"]["i2c_address"]), (7, 0x41))
        self.assertEqual((cfg["motor"]["steering_channel"], cfg["motor"]["throttle_channel"]),
                         (3, 2))
        self.assertEqual(cfg["motor"]["steering_left_ticks"], 400)

    def check_config(self, out_path):
        """rcpilot --check-config on the imported YAML: it must load and pass every check."""
        binary = os.environ.get("RCPILOT_BINARY", os.path.join(ROOT, "build", "bin", "rcpilot"))
        if not os.path.isfile(binary):
            self.skipTest("no rcpilot binary (set RCPILOT_BINARY)")
        # model.path is the owner's to set (the importer cannot know where the ONNX lives).
        model = os.path.join(ROOT, "models", "linear.onnx")
        check = subprocess.run([binary, "--config", out_path, "--set", "model.path=" + model,
                                "--check-config"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               universal_newlines=True, timeout=60)
        self.assertEqual(check.returncode, 0, check.stdout)

    def test_a_pca9685_car_gives_a_config_rcpilot_loads(self):
        out_path = os.path.join(self.dir.name, "rcpilot.yaml")
        out = run(os.path.join(FIXTURES, "myconfig.py"), CONFIG, "-o", out_path)
        self.assertEqual(out.returncode, 0, out.stderr)
        with open(out_path) as f:
            self.assertEqual(yaml.safe_load(f)["motor"]["driver"], "pca9685")
        self.check_config(out_path)

    def test_an_mm1_car_gives_a_config_rcpilot_loads(self):
        out_path = os.path.join(self.dir.name, "rcpilot.yaml")
        out = run(os.path.join(FIXTURES, "myconfig_mm1.py"), CONFIG, "-o", out_path)
        self.assertEqual(out.returncode, 0, out.stderr)
        with open(out_path) as f:
            cfg = yaml.safe_load(f)
        self.assertEqual(cfg["motor"]["driver"], "mm1")
        self.assertEqual(cfg["motor"]["device"], "/dev/ttyTHS1")
        self.assertEqual(cfg["motor"]["steering_center_us"], 1520)
        self.assertTrue(cfg["motor"]["steering_inverted"])
        self.check_config(out_path)

    def test_the_files_are_never_executed(self):
        marker = os.path.join(self.dir.name, "EXECUTED")
        path = self.write("myconfig.py",
                          "import os\n__import__('os').system('touch %s')\n"
                          "DRIVE_LOOP_HZ = __import__('os').system('touch %s')\n"
                          "IMAGE_W = (lambda: open(%r, 'w'))()\n" % (marker, marker, marker))
        out = run(path)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertFalse(os.path.exists(marker))
        self.assertRegex(out.stderr, r"myconfig\.py:3: DRIVE_LOOP_HZ is not a literal")
        self.assertRegex(out.stderr, r"myconfig\.py:4: IMAGE_W is not a literal")

    def test_values_out_of_range_or_of_the_wrong_type_are_reported_and_skipped(self):
        path = self.write("myconfig.py", "DRIVE_LOOP_HZ = 1e999\nIMAGE_W = 10**30\n"
                          "IMAGE_H = 99999999999999999999999999\nJOYSTICK_MAX_THROTTLE = 'fast'\n"
                          "RECORD_DURING_AI = 1\nCAMERA_TYPE = 'D435'\n")
        out = run(path)
        self.assertEqual(out.returncode, 0, out.stderr)
        cfg = yaml.safe_load(out.stdout) or {}
        self.assertNotIn("control", cfg)
        self.assertNotIn("camera", cfg)
        self.assertRegex(out.stdout, r"DRIVE_LOOP_HZ .*myconfig\.py:1.*not a number in 1\.\.1000")
        self.assertRegex(out.stdout, r"IMAGE_H .*not a whole number in 32\.\.4096")
        self.assertRegex(out.stdout, r"RECORD_DURING_AI .*not True or False")
        self.assertRegex(out.stdout, r"CAMERA_TYPE .*'D435' has no rcpilot camera source")

    def test_a_syntax_error_names_the_file_and_line(self):
        path = self.write("myconfig.py", "DRIVE_LOOP_HZ = 20\nIMAGE_W = (160\nIMAGE_H = 120\n")
        out = run(path, CONFIG)
        self.assertEqual(out.returncode, 2)
        self.assertRegex(out.stderr, re.escape(path) + r":2: not valid Python")
        self.assertNotIn("Traceback", out.stderr)
        missing = run(os.path.join(self.dir.name, "nope.py"))
        self.assertEqual(missing.returncode, 2)
        self.assertIn("nope.py: cannot read", missing.stderr)

    def test_seeded_random_mutations_never_crash(self):
        with open(CONFIG, "rb") as f:
            original = f.read()
        rng = random.Random(18)
        junk = [b"(", b")", b"[", b"{", b"}", b"'", b'"', b"\\", b"\x00", b"\xff\xfe", b"=",
                b"\n", b"    ", b"9" * 5000, b"1e999", b"-", b"lambda: 0", b"\r", b"#",
                b"((((((((((" * 30, b"[" * 2000, b"__import__('os')", b"\xe2\x82", b"0x",
                b"1j", b"..."]
        for case in range(400):
            data = bytearray(original)
            for _ in range(rng.randint(1, 6)):
                op = rng.randrange(4)
                at = rng.randrange(len(data) + 1)
                if op == 0:
                    data[at:at] = rng.choice(junk)
                elif op == 1:
                    del data[at:at + rng.randint(1, 40)]
                elif op == 2:
                    data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 30)))
                else:
                    line = rng.choice(original.splitlines(keepends=True))
                    data[at:at] = line
            path = self.write("config_%d.py" % case, bytes(data))
            try:
                importer.convert(path)
            except importer.ImportFailed as e:
                self.assertRegex(str(e), "^" + re.escape(path) + r"(:\d+)?: ", "case %d" % case)
            except Exception as e:  # noqa: B902 - the point of the test
                self.fail("case %d (%s): %s: %s" % (case, path, type(e).__name__, e))
        # And through the command line: an error, never a traceback.
        out = run(self.write("binary.py", bytes(range(256)) * 8))
        self.assertEqual(out.returncode, 2)
        self.assertNotIn("Traceback", out.stderr)
        self.assertIn("binary.py:", out.stderr)


if __name__ == "__main__":
    unittest.main()
