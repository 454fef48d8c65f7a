"""The systemd units: the directives the Jetson service depends on, and systemd-analyze verify."""

import os
import shutil
import subprocess
import tempfile
import unittest

from fake_jetson import REPO

UNIT = os.path.join(REPO, "systemd", "rcpilot.service")
FAN_UNIT = os.path.join(REPO, "systemd", "rcpilot-fan.service")
WEB_UNIT = os.path.join(REPO, "systemd", "rcpilot-web.service")
PREFIX = "/usr/local"


def directives(path):
    """{section: {key: [values in order]}}; comments and blank lines skipped."""
    result, section = {}, None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                section = result.setdefault(line.strip("[]"), {})
                continue
            key, _, value = line.partition("=")
            section.setdefault(key.strip(), []).append(value.strip())
    return result


class UnitDirectivesTest(unittest.TestCase):
    def setUp(self):
        self.unit = directives(UNIT)
        self.service = self.unit["Service"]

    def one(self, key):
        values = self.service.get(key, [])
        self.assertEqual(len(values), 1, "{} must be set exactly once".format(key))
        return values[0]

    def test_the_service_is_notify_with_a_watchdog_and_restarts_on_failure(self):
        self.assertEqual(self.one("Type"), "notify")
        self.assertEqual(self.one("NotifyAccess"), "main")
        self.assertEqual(self.one("WatchdogSec"), "2s")
        self.assertEqual(self.one("Restart"), "on-failure")

    def test_the_node_runs_as_rcpilot_with_device_groups_and_real_time_rights(self):
        self.assertEqual(self.one("User"), "rcpilot")
        self.assertEqual(self.one("SupplementaryGroups").split(), ["video", "dialout"])
        self.assertEqual(sorted(self.one("AmbientCapabilities").split()),
                         ["CAP_IPC_LOCK", "CAP_SYS_NICE"])
        self.assertEqual(self.one("LimitRTPRIO"), "99")
        self.assertEqual(self.one("LimitMEMLOCK"), "infinity")

    def test_the_helper_applies_before_start_and_restores_after_stop_with_full_privileges(self):
        helper = PREFIX + "/lib/rcpilot/rcpilot-perf"
        pre = self.one("ExecStartPre")
        self.assertIn("+", pre.split(helper)[0])
        self.assertTrue(pre.endswith(helper + " apply $RCPILOT_PERF_ARGS"), pre)
        self.assertEqual(self.service["ExecStopPost"][-1], "+" + helper + " restore")
        self.assertEqual(self.one("ExecStart"),
                         PREFIX + "/bin/rcpilot --config /etc/rcpilot/rcpilot.yaml")

    def test_neutral_is_written_after_any_end_of_the_node_before_the_restore(self):
        stop_post = self.service.get("ExecStopPost", [])
        self.assertEqual(len(stop_post), 2, stop_post)
        self.assertEqual(stop_post[0], "-+" + PREFIX + "/bin/rcpilot-motor --config "
                         "/etc/rcpilot/rcpilot.yaml neutral --once")

    def test_reload_sends_sighup_for_the_live_config_reload(self):
        self.assertEqual(self.one("ExecReload"), "/bin/kill -HUP $MAINPID")

    def test_it_starts_after_nvargus_daemon(self):
        self.assertIn("nvargus-daemon.service", self.unit["Unit"]["After"][0].split())

    def test_hardening_keeps_the_argus_socket_the_gpu_and_sched_fifo_reachable(self):
        for forbidden in ("PrivateTmp", "PrivateDevices", "RestrictRealtime",
                          "MemoryDenyWriteExecute", "DevicePolicy", "DeviceAllow"):
            self.assertNotIn(forbidden, self.service)
        self.assertEqual(self.one("ProtectSystem"), "strict")
        self.assertEqual(self.one("ProtectHome"), "yes")
        self.assertIn("/tmp", self.one("ReadWritePaths").split())

    def test_every_directive_has_a_comment_explaining_it_nearby(self):
        with open(UNIT) as f:
            lines = [line.strip() for line in f]
        for i, line in enumerate(lines):
            if "=" in line and not line.startswith("#"):
                window = lines[max(0, i - 12):i]
                self.assertTrue(any(l.startswith("#") for l in window), line)


class SystemdAnalyzeTest(unittest.TestCase):
    """Runs systemd-analyze verify on copies whose executables point at stubs in a temp dir
    (verify insists they exist); every other line is the real unit's."""

    def setUp(self):
        self.analyze = shutil.which("systemd-analyze")
        if self.analyze is None:
            self.skipTest("systemd-analyze not installed (apt install systemd): unit not verified")
        self.tmp = tempfile.mkdtemp(prefix="rcpilot-unit-")
        self.addCleanup(shutil.rmtree, self.tmp)
        for rel in ("bin/rcpilot", "bin/rcpilot-motor", "bin/rcpilot-web",
                    "lib/rcpilot/rcpilot-perf"):
            stub = os.path.join(self.tmp, "prefix", rel)
            os.makedirs(os.path.dirname(stub), exist_ok=True)
            with open(stub, "w") as f:
                f.write("#!/bin/sh\nexit 0\n")
            os.chmod(stub, 0o755)

    def verify(self, unit_path):
        with open(unit_path) as f:
            text = f.read()
        rewritten = text.replace(PREFIX + "/", os.path.join(self.tmp, "prefix") + "/")
        self.assertNotEqual(rewritten, text)
        copy = os.path.join(self.tmp, os.path.basename(unit_path))
        with open(copy, "w") as f:
            f.write(rewritten)
        proc = subprocess.run([self.analyze, "verify", copy], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, universal_newlines=True, cwd=self.tmp,
                              timeout=120)
        own = [line for line in proc.stdout.splitlines()
               if os.path.basename(unit_path) in line]
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertEqual(own, [], "systemd-analyze complained about the unit:\n" + proc.stdout)

    def test_systemd_analyze_verify_accepts_the_rcpilot_unit(self):
        self.verify(UNIT)

    def test_systemd_analyze_verify_accepts_the_fan_unit(self):
        self.verify(FAN_UNIT)

    def test_systemd_analyze_verify_accepts_the_web_unit(self):
        self.verify(WEB_UNIT)


class WebUnitTest(unittest.TestCase):
    def test_the_dashboard_runs_as_rcpilot_from_the_cars_config_and_is_not_retried_on_bad_config(
            self):
        service = directives(WEB_UNIT)["Service"]
        self.assertEqual(service["ExecStart"],
                         [PREFIX + "/bin/rcpilot-web --config /etc/rcpilot/rcpilot.yaml"])
        self.assertEqual(service["User"], ["rcpilot"])
        self.assertEqual(service["RestartPreventExitStatus"], ["2"])
        self.assertIn("rcpilot.service", directives(WEB_UNIT)["Unit"]["After"][0].split())


if __name__ == "__main__":
    unittest.main()
