#!/usr/bin/python3
"""Tubs recorded by the real Recorder and TubWriter (donkey_tub_fixture) read by a reader
written from Donkey's tub v2 format (tests/perception/donkey_tub_check.py)."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "perception"))
import donkey_tub_check  # noqa: E402

FIXTURE = os.environ.get("DONKEY_TUB_FIXTURE", "")
CRASH_HELPER = os.environ.get("RECORDER_CRASH_HELPER", "")


def recorded(line, before):
    """N of the crash helper's "recorded N" lines (other lines are its log)."""
    return int(line.split()[1]) if line.startswith(b"recorded ") else before


class DonkeyTubTest(unittest.TestCase):
    def setUp(self):
        if not os.path.isfile(FIXTURE):
            self.skipTest("DONKEY_TUB_FIXTURE (build/bin/donkey_tub_fixture) not set; run via ctest")
        self.dir = tempfile.TemporaryDirectory(prefix="donkey_tub_")

    def tearDown(self):
        self.dir.cleanup()

    def fixture(self, scenario):
        out = subprocess.run([FIXTURE, scenario, self.dir.name], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, universal_newlines=True, timeout=500)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out.stdout.split()

    def check(self, tub, **kwargs):
        try:
            return donkey_tub_check.check_tub(tub, **kwargs)
        except donkey_tub_check.TubProblem as e:
            self.fail("%s: %s" % (tub, e))

    def test_modes(self):
        self.fixture("modes")
        full = os.path.join(self.dir.name, "full_catalog")
        self.assertEqual(self.check(full, strict=True)["records"], 1000)
        empty = os.path.join(self.dir.name, "after_empty_session")
        self.assertEqual(self.check(empty, strict=True)["records"], 1000)
        # The session that recorded nothing left no new catalog behind.
        self.assertEqual(sorted(f for f in os.listdir(empty) if f.startswith("catalog_")),
                         ["catalog_0.catalog", "catalog_0.catalog_manifest"])
        summary = self.check(os.path.join(self.dir.name, "modes"), strict=True)
        self.assertEqual(summary["records"], 1025)
        self.assertEqual(summary["modes"], {"user": 1005, "local_angle": 10, "local": 10})
        self.assertIn("pilot/angle", summary["keys"])
        self.assertIn("pilot/throttle", summary["keys"])
        # The autopilot records carry the pilot's outputs and the (absent) operator's zeros.
        tub = os.path.join(self.dir.name, "modes")
        with open(os.path.join(tub, "catalog_1.catalog")) as f:
            records = [json.loads(line) for line in f]
        autopilot = [r for r in records if r["user/mode"] != "user"]
        self.assertEqual(len(autopilot), 20)
        for r in autopilot:
            self.assertEqual((r["user/angle"], r["user/throttle"]), (0, 0))
            self.assertEqual((r["pilot/angle"], r["pilot/throttle"]), (-0.25, 0.5))
        with open(os.path.join(tub, "manifest.json")) as f:
            inputs = json.loads(f.readline())
        self.assertIn("pilot/angle", inputs)

    def test_sigkill(self):
        """The real recorder killed with SIGKILL at a different record each round."""
        if not os.path.isfile(CRASH_HELPER):
            self.skipTest("RECORDER_CRASH_HELPER not set; run via ctest")
        tub = os.path.join(self.dir.name, "tub")
        before = 0
        for round_number in range(12):
            helper = subprocess.Popen([CRASH_HELPER, tub], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE)
            confirmed = 0
            target = 3 + 5 * round_number
            try:
                for line in helper.stdout:
                    confirmed = recorded(line, confirmed)
                    if confirmed >= target:
                        break
            finally:
                helper.kill()
                helper.wait(timeout=60)
                for line in helper.stdout:  # what it confirmed before the kill landed
                    confirmed = recorded(line, confirmed)
                helper.stdout.close()
                helper.stderr.close()
            self.assertGreaterEqual(confirmed, target, "the helper stopped recording")
            summary = self.check(tub)
            self.assertGreaterEqual(summary["records"], before + confirmed)
            self.assertLessEqual(summary["records"], before + confirmed + 1)
            before = summary["records"]

    def test_kills(self):
        tubs = self.fixture("kills")
        killed = [t for t in tubs if not t.endswith("_reopened")]
        self.assertGreater(len(killed), 30)
        for tub in killed:
            summary = self.check(tub)
            # At most the record being written is lost: 998 before, 4 written.
            self.assertGreaterEqual(summary["records"], 998, tub)
            self.assertLessEqual(summary["records"], 1002, tub)
            catalogs = [f for f in os.listdir(tub) if f.endswith(".catalog")]
            for name in catalogs:
                self.assertGreater(os.path.getsize(os.path.join(tub, name)), 0, tub)
        for tub in tubs:
            if tub.endswith("_reopened"):
                summary = self.check(tub, strict=True)
                self.assertGreaterEqual(summary["records"], 999, tub)


if __name__ == "__main__":
    unittest.main()
