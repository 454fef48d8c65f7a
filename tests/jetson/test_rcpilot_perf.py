"""rcpilot-perf against fake Nano (JetPack 4) and Orin (JetPack 6) trees."""

import importlib.machinery
import importlib.util
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import unittest

import fake_jetson as fj

STATE = "var/lib/rcpilot-perf/state.json"
CURVE = "40:0,50:100,60:180,70:255"


def load_perf_module():
    loader = importlib.machinery.SourceFileLoader("rcpilot_perf", fj.PERF)
    spec = importlib.util.spec_from_loader("rcpilot_perf", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


perf = load_perf_module()


def run_perf(root, *args, user_prefix=()):
    proc = subprocess.run(list(user_prefix) + [sys.executable, fj.PERF, "--root", root] +
                          list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


class TreeTest(unittest.TestCase):
    def make_tree(self, board):
        root = tempfile.mkdtemp(prefix="rcpilot-perf-")
        self.addCleanup(shutil.rmtree, root)
        return fj.build(root, board)

    def perf_ok(self, root, *args):
        rc, out, err = run_perf(root, *args)
        self.assertEqual(rc, 0, "rcpilot-perf {} failed:\n{}{}".format(args, out, err))
        return out

    def status(self, root):
        return json.loads(self.perf_ok(root, "status", "--json"))


class ApplyRestoreTest(TreeTest):
    def test_apply_then_restore_leaves_the_nano_tree_byte_identical(self):
        root = self.make_tree(fj.NANO)
        before = fj.snapshot(root)
        self.perf_ok(root, "apply", "--mode", "0", "--fan", "200")
        self.assertNotEqual(fj.snapshot(root), before)
        self.perf_ok(root, "restore")
        self.assertEqual(fj.snapshot(root), before)

    def test_apply_then_restore_leaves_the_orin_tree_and_nvfancontrol_as_found(self):
        root = self.make_tree(fj.ORIN)
        before = fj.snapshot(root)
        self.perf_ok(root, "apply", "--mode", "0", "--fan", "255")
        self.assertEqual(fj.read(root, "var/lib/fake/units/nvfancontrol.service"), "inactive\n")
        self.perf_ok(root, "restore")
        self.assertEqual(fj.snapshot(root), before)
        self.assertIn("systemctl start nvfancontrol.service", fj.calls(root))

    def test_apply_sets_the_mode_locks_clocks_and_sets_the_fan(self):
        root = self.make_tree(fj.NANO)
        out = self.perf_ok(root, "apply", "--mode", "0", "--fan", "200")
        self.assertIn("power mode 0 set", out)
        status = self.status(root)
        self.assertEqual(status["power_mode"], {"id": 0, "name": "MAXN"})
        self.assertTrue(status["clocks"]["locked"])
        self.assertEqual(status["fan"]["pwm"], 200)
        self.assertTrue(status["perf_applied"])
        saved = json.loads(fj.read(root, STATE))
        self.assertEqual((saved["mode"], saved["fan_pwm"], saved["nvfancontrol_active"]),
                         (1, 0, False))

    def test_restore_puts_the_power_mode_back_before_the_clocks(self):
        root = self.make_tree(fj.NANO)
        self.perf_ok(root, "apply")
        self.perf_ok(root, "restore")
        tail = fj.calls(root)[-2:]
        self.assertTrue(tail[0].startswith("nvpmodel -m 1"), tail)
        self.assertTrue(tail[1].startswith("jetson_clocks --restore"), tail)

    def test_a_second_apply_keeps_the_state_found_by_the_first(self):
        root = self.make_tree(fj.ORIN)
        before = fj.snapshot(root)
        self.perf_ok(root, "apply", "--fan", "255")
        out = self.perf_ok(root, "apply", "--fan", "120")
        self.assertIn("kept the state saved by an earlier apply", out)
        self.perf_ok(root, "restore")
        self.assertEqual(fj.snapshot(root), before)

    def test_apply_with_the_fan_curve_stops_nvfancontrol_and_leaves_the_pwm(self):
        root = self.make_tree(fj.ORIN)
        out = self.perf_ok(root, "apply", "--fan", "curve")
        self.assertIn("fan handed to the curve", out)
        self.assertEqual(fj.read(root, "var/lib/fake/units/nvfancontrol.service"), "inactive\n")
        self.assertEqual(fj.read(root, fj.ORIN["fan"][0]), "80\n")

    def test_restore_without_state_says_there_is_nothing_to_restore(self):
        root = self.make_tree(fj.NANO)
        self.assertIn("nothing to restore", self.perf_ok(root, "restore"))


class ValidationTest(TreeTest):
    def assert_refused(self, root, args, message):
        before = fj.snapshot(root)
        rc, out, err = run_perf(root, *args)
        self.assertNotEqual(rc, 0, out)
        self.assertIn(message, err)
        self.assertEqual(fj.snapshot(root), before, "a refused command changed the tree")

    def test_apply_refuses_a_mode_missing_from_nvpmodel_conf(self):
        root = self.make_tree(fj.NANO)
        self.assert_refused(root, ["apply", "--mode", "7"], "power mode 7 is not in")

    def test_apply_refuses_a_fan_pwm_outside_0_to_255(self):
        root = self.make_tree(fj.NANO)
        self.assert_refused(root, ["apply", "--fan", "300"], "not an integer in 0..255")
        self.assert_refused(root, ["apply", "--fan", "fast"], "is not an integer")

    def test_restore_refuses_a_tampered_state_file(self):
        root = self.make_tree(fj.NANO)
        self.perf_ok(root, "apply")
        saved = json.loads(fj.read(root, STATE))
        saved["fan_pwm"] = 999
        fj.write(root, STATE, json.dumps(saved))
        self.assert_refused(root, ["restore"], "999")

    def test_fan_refuses_a_malformed_curve(self):
        root = self.make_tree(fj.NANO)
        self.assert_refused(root, ["fan", "--curve", "40:0,50", "--iterations", "1"],
                            "is not TEMP_C:PWM")
        self.assert_refused(root, ["fan", "--curve", "40:0,50:256", "--iterations", "1"],
                            "0..255")


class StatusTest(TreeTest):
    def test_nano_status_reports_board_mode_clocks_fan_and_temperatures_without_pmic(self):
        root = self.make_tree(fj.NANO)
        status = self.status(root)
        self.assertEqual(status["board"], "NVIDIA Jetson Nano Developer Kit")
        self.assertEqual((status["l4t"], status["jetpack"]), ("32.7.1", 4))
        self.assertEqual(status["power_mode"], {"id": 1, "name": "5W"})
        self.assertIs(status["clocks"]["locked"], False)
        self.assertEqual(status["clocks"]["gpu"], {"min_hz": 76800000, "max_hz": 640000000})
        self.assertEqual(status["fan"], {"file": os.path.join(root, fj.NANO["fan"][0]), "pwm": 0})
        self.assertIsNone(status["nvfancontrol"])
        self.assertEqual(status["temperatures_c"], {
            "AO-therm": 37.5, "CPU-therm": 40.5, "GPU-therm": 39.0, "PLL-therm": 38.25,
            "thermal-fan-est": 39.8})
        self.assertEqual(status["throttling"]["hot_zones"], [])
        self.assertFalse(status["perf_applied"])

    def test_orin_status_finds_the_hwmon_fan_and_skips_unreadable_zones(self):
        root = self.make_tree(fj.ORIN)
        status = self.status(root)
        self.assertEqual(status["board"], "NVIDIA Jetson Orin Nano Developer Kit")
        self.assertEqual((status["l4t"], status["jetpack"]), ("36.3.0", 6))
        self.assertEqual(status["power_mode"], {"id": 1, "name": "7W"})
        self.assertEqual(status["fan"]["pwm"], 80)
        self.assertTrue(status["fan"]["file"].endswith("hwmon/hwmon3/pwm1"))
        self.assertEqual(status["nvfancontrol"], "active")
        self.assertEqual(status["temperatures_c"], {
            "cpu-thermal": 48.0, "gpu-thermal": 46.5, "cv0-thermal": None,
            "soc0-thermal": 47.0, "soc1-thermal": 46.0, "tj-thermal": None})
        self.assertEqual(len(status["clocks"]["cpu"]), 6)

    def test_a_hot_zone_gets_a_throttling_hint(self):
        root = self.make_tree(fj.NANO)
        fj.set_temp(root, "GPU-therm", 85.5)
        throttling = self.status(root)["throttling"]
        self.assertEqual(throttling["hot_zones"], ["GPU-therm"])
        self.assertIn("may throttle", throttling["hint"])

    def test_status_after_apply_shows_locked_clocks_in_the_table(self):
        root = self.make_tree(fj.ORIN)
        self.perf_ok(root, "apply")
        table = self.perf_ok(root, "status")
        self.assertRegex(table, r"clocks\s+locked")
        self.assertRegex(table, r"power mode\s+0 \(15W\)")
        self.assertRegex(table, r"nvfancontrol\s+inactive")
        self.assertNotIn("PMIC", table)

    def test_detect_names_the_board_and_release(self):
        root = self.make_tree(fj.NANO)
        self.assertEqual(self.perf_ok(root, "detect").strip(),
                         "NVIDIA Jetson Nano Developer Kit (L4T 32.7.1, JetPack 4)")


class NotJetsonTest(TreeTest):
    def test_every_command_says_not_a_jetson_and_changes_nothing(self):
        root = self.make_tree(fj.NOT_JETSON)
        before = fj.snapshot(root)
        for args in (["detect"], ["status"], ["restore"]):
            rc, out, _ = run_perf(root, *args)
            self.assertEqual(rc, 0, args)
            self.assertIn("not a Jetson (board 'Raspberry Pi 4 Model B Rev 1.4'", out)
        status = self.status(root)
        self.assertIs(status["jetson"], False)
        self.assertIn("not a Jetson", status["message"])
        for args in (["apply"], ["fan", "--iterations", "1"]):
            rc, _, err = run_perf(root, *args)
            self.assertNotEqual(rc, 0, args)
            self.assertIn("not a Jetson", err)
        self.assertEqual(fj.snapshot(root), before)

    def test_an_empty_tree_is_not_a_jetson(self):
        root = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, root)
        self.assertIn("no device-tree model", self.perf_ok(root, "detect"))


class PermissionTest(TreeTest):
    def unprivileged(self, root):
        """A command prefix that runs as 'nobody' when we are root; () when we are not."""
        if os.geteuid() != 0:
            return ()
        if shutil.which("setpriv") is None:
            self.skipTest("running as root without setpriv: cannot drop privileges")
        nobody = pwd.getpwnam("nobody")
        for folder, _, _ in os.walk(root):
            os.chmod(folder, 0o755)
        os.chmod(os.path.dirname(root), 0o755)
        prefix = ("setpriv", "--reuid", str(nobody.pw_uid), "--regid", str(nobody.pw_gid),
                  "--clear-groups")
        if subprocess.run(prefix + (sys.executable, "-c", "pass"), stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode != 0:
            self.skipTest("'nobody' cannot run {}".format(sys.executable))
        return prefix

    def test_an_unwritable_fan_file_gives_a_message_naming_it_and_root(self):
        root = self.make_tree(fj.NANO)
        fan = os.path.join(root, fj.NANO["fan"][0])
        os.chmod(fan, 0o444)
        rc, _, err = run_perf(root, "fan", "--curve", CURVE, "--iterations", "1",
                              user_prefix=self.unprivileged(root))
        self.assertEqual(rc, 1, err)
        self.assertIn("permission denied writing {}: run as root".format(fan), err)
        self.assertNotIn("Traceback", err)

    def test_apply_without_root_names_the_state_folder(self):
        root = self.make_tree(fj.NANO)
        os.chmod(os.path.join(root, "var/lib"), 0o555)
        rc, _, err = run_perf(root, "apply", user_prefix=self.unprivileged(root))
        os.chmod(os.path.join(root, "var/lib"), 0o755)
        self.assertEqual(rc, 1, err)
        self.assertIn("permission denied writing {}".format(
            os.path.join(root, "var/lib/rcpilot-perf")), err)
        self.assertNotIn("Traceback", err)


class FanCurveTest(TreeTest):
    POINTS = [(40.0, 0), (50.0, 100), (60.0, 180), (70.0, 255)]

    def test_the_curve_steps_up_at_each_point_and_down_only_past_the_hysteresis(self):
        level, seen = None, []
        for temp_c in (35, 45, 52, 62, 71, 66, 64, 58, 54, 47, 44, 39, 51):
            level = perf.curve_level(self.POINTS, 5.0, level, temp_c)
            seen.append(self.POINTS[level][1])
        self.assertEqual(seen, [0, 0, 100, 180, 255, 255, 180, 180, 100, 100, 0, 0, 100])

    def test_a_large_drop_steps_down_several_points_at_once(self):
        self.assertEqual(perf.curve_level(self.POINTS, 5.0, 3, 41.0), 0)

    def test_the_fan_loop_follows_the_hottest_zone_written_to_the_fake_tree(self):
        root = self.make_tree(fj.NANO)
        fan = os.path.join(root, fj.NANO["fan"][0])
        temps = iter([52, 62, 58, 54, 44, 71])
        written = []

        def fake_sleep(seconds):
            self.assertEqual(seconds, 0.5)
            written.append(int(fj.read(root, fj.NANO["fan"][0])))
            fj.set_temp(root, "CPU-therm", next(temps))

        fj.set_temp(root, "CPU-therm", 45)
        board = perf.Board(root)
        with open(os.devnull, "w") as quiet:
            stdout, sys.stdout = sys.stdout, quiet
            try:
                perf.run_fan_curve(board, self.POINTS, 5.0, 0.5, iterations=7, sleep=fake_sleep)
            finally:
                sys.stdout = stdout
        written.append(int(fj.read(root, fj.NANO["fan"][0])))
        self.assertEqual(written, [0, 100, 180, 180, 100, 0, 255])
        self.assertTrue(os.path.exists(fan))

    def test_the_fan_command_sets_the_pwm_for_the_current_temperature(self):
        root = self.make_tree(fj.NANO)
        fj.set_temp(root, "GPU-therm", 63)
        out = self.perf_ok(root, "fan", "--curve", CURVE, "--hysteresis", "3",
                           "--interval", "0", "--iterations", "2")
        self.assertEqual(fj.read(root, fj.NANO["fan"][0]), "180\n")
        self.assertEqual(out.strip().splitlines(), ["63.0 C -> fan PWM 180"])

    def test_the_fan_command_refuses_while_nvfancontrol_owns_the_fan(self):
        root = self.make_tree(fj.ORIN)
        rc, _, err = run_perf(root, "fan", "--iterations", "1")
        self.assertEqual(rc, 1)
        self.assertIn("nvfancontrol.service owns the fan", err)
        self.assertEqual(fj.read(root, fj.ORIN["fan"][0]), "80\n")


class ParsingTest(unittest.TestCase):
    def test_l4t_release_lines_parse_to_dotted_versions(self):
        self.assertEqual(perf.parse_l4t_release(fj.NANO["release"]), "32.7.1")
        self.assertEqual(perf.parse_l4t_release("# R35 (release), REVISION: 4.1, GCID: 1"),
                         "35.4.1")
        self.assertIsNone(perf.parse_l4t_release("garbage"))

    def test_nvpmodel_query_output_with_warnings_parses(self):
        text = "NVPM WARN: fan mode is not set!\nNV Power Mode: MAXN_SUPER\n2\n"
        self.assertEqual(perf.parse_nvpmodel_query(text), (2, "MAXN_SUPER"))


if __name__ == "__main__":
    unittest.main()
