#!/usr/bin/python3
"""Tests the domain-randomised training pieces: scripts/record-training-data (which conditions
each run gets, never an evaluation track; a real recording with rcpilot-sim when ctest names
the binary in RCPILOT_SIM) and train.py's augmentation (labels kept, mirror negates steering,
shifts stay small sideways) and its learning-rate schedule.

Run: /usr/bin/python3 -m unittest discover -s tests/training
"""

import contextlib
import io
import os
import shutil
import sys
import tempfile
import unittest

import numpy as np
import torch

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS_DIR = os.path.join(SOURCE_DIR, "scripts")
sys.path.insert(0, SCRIPTS_DIR)
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests"))
import train  # noqa: E402  (paths set just above)
import tub_data  # noqa: E402
from script_loader import load_script  # noqa: E402

recorder = load_script("record-training-data", "record_training_data")


class TrainingConditions(unittest.TestCase):
    def test_track_seeds_step_over_the_evaluation_seeds(self):
        seeds = [recorder.track_seed(run, 8990) for run in range(30)]
        self.assertEqual(seeds[:10], list(range(8990, 9000)))
        self.assertEqual(seeds[10], 10000)
        self.assertFalse(set(seeds) & set(recorder.EVAL_SEEDS))

    def test_a_first_track_seed_inside_the_evaluation_range_is_refused(self):
        with self.assertRaises(SystemExit), open(os.devnull, "w") as devnull:
            stderr, sys.stderr = sys.stderr, devnull
            try:
                recorder.parse_args(["--out", "x", "--first-track-seed", "9001"])
            finally:
                sys.stderr = stderr

    def test_effects_are_drawn_within_their_documented_ranges(self):
        rng = np.random.default_rng(3)
        draws = [recorder.effect_settings(rng) for _ in range(300)]
        self.assertEqual({d["lens"] for d in draws}, {"wide160", "wide120", "pinhole"})
        for d in draws:
            self.assertTrue(0 <= d["noise_std"] <= 8)
            self.assertTrue(d["jpeg_quality"] == 0 or 40 <= d["jpeg_quality"] <= 90)
            self.assertTrue(d["latency_ms"] == 0 or 20 <= d["latency_ms"] <= 80)
            self.assertTrue(-3 <= d["mount_roll_deg"] <= 3)
        # Each effect is both on and off in some runs: the model sees plain frames too.
        for key in ("noise_std", "exposure_ms", "latency_ms", "distractors"):
            values = {d[key] == 0 for d in draws}
            self.assertEqual(values, {True, False}, key)

    def test_the_same_seed_draws_the_same_effects(self):
        a = recorder.effect_settings(np.random.default_rng(7))
        b = recorder.effect_settings(np.random.default_rng(7))
        self.assertEqual(a, b)

    def test_record_command_passes_every_setting_as_a_sim_key(self):
        args = recorder.parse_args(["--out", "o", "--records-per-run", "12", "--sim", "SIM"])
        cmd = recorder.record_command(args, "o/run-000", 5, "/t/gen-1.yaml",
                                      {"road_width_m": 0.7, "lens": "wide120"})
        self.assertEqual(cmd[:8], ["SIM", "record", "--out", "o/run-000", "--records", "12",
                                   "--seed", "5"])
        self.assertIn("sim.track=/t/gen-1.yaml", cmd)
        self.assertIn("sim.road_width_m=0.7", cmd)
        self.assertIn("sim.lens=wide120", cmd)


@unittest.skipUnless(os.environ.get("RCPILOT_SIM"), "RCPILOT_SIM (rcpilot-sim) not given")
class RecordingWithTheSimulator(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="rcpilot_dr_")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_each_run_writes_a_tub_on_its_own_conditions(self):
        out = os.path.join(self.dir, "dr")
        code = recorder.main(["--out", out, "--runs", "3", "--records-per-run", "6",
                              "--seed", "4", "--sim", os.environ["RCPILOT_SIM"], "--jobs", "2"])
        self.assertEqual(code, 0)
        with open(os.path.join(out, "runs.txt"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        self.assertEqual(len(lines), 3)
        self.assertEqual(len(set(lines)), 3)
        for run in range(3):
            records = tub_data.read_tub_records(os.path.join(out, f"run-{run:03d}"))
            self.assertEqual(len(records), 6)
            for r in records:
                self.assertTrue(-1.0 <= r["angle"] <= 1.0)
                self.assertTrue(os.path.exists(r["image_path"]))

    def test_a_failing_run_is_reported_and_fails_the_script(self):
        out = os.path.join(self.dir, "dr")
        with open(os.devnull, "w") as devnull:
            stderr, sys.stderr = sys.stderr, devnull
            try:
                code = recorder.main(["--out", out, "--runs", "1", "--records-per-run", "2",
                                      "--sim", "/bin/false"])
            finally:
                sys.stderr = stderr
        self.assertNotEqual(code, 0)


class Augmentation(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.x = torch.rand(32, 3, 224, 224)
        self.labels = torch.stack([torch.linspace(-0.9, 0.9, 32), torch.full((32,), 0.3)], 1)

    def test_photometric_and_geometric_jitter_keep_labels_and_range(self):
        x, y = train.augment(self.x, self.labels, flip=False)
        self.assertEqual(x.shape, self.x.shape)
        self.assertTrue(torch.equal(y, self.labels))
        self.assertGreaterEqual(x.min().item(), 0.0)
        self.assertLessEqual(x.max().item(), 1.0)

    def test_mirror_negates_steering_only(self):
        _, y = train.augment(self.x, self.labels, flip=True)
        negated = y[:, 0] == -self.labels[:, 0]
        kept = y[:, 0] == self.labels[:, 0]
        self.assertTrue(bool((negated | kept).all()))
        self.assertTrue(bool(negated.any()) and bool(kept.any()))
        self.assertTrue(torch.equal(y[:, 1], self.labels[:, 1]))

    def test_shifts_move_a_vertical_line_little_and_a_horizontal_line_more(self):
        frame = torch.zeros(256, 1, 224, 224)
        frame[:, :, :, 111:113] = 1.0  # a vertical line: shows sideways shifts
        frame[:, :, 111:113, :] = 1.0  # a horizontal line: shows vertical shifts
        moved = train._geometric(frame)
        columns = moved[:, 0, 20, :].argmax(dim=1).float() - 111.5  # above the crossing
        rows = moved[:, 0, :, 20].argmax(dim=1).float() - 111.5
        # Sideways: +-1.5 % of 224 plus what a 5 % zoom moves the centre: a few pixels.
        self.assertLess(columns.abs().max().item(), 5.0)
        self.assertGreater(rows.abs().max().item(), 10.0)
        self.assertLess(rows.abs().max().item(), 0.07 * 112 * 2 + 5)

    def test_sideways_shift_zero_keeps_a_centred_vertical_line_in_place(self):
        frame = torch.zeros(256, 1, 224, 224)
        frame[:, :, :, 111:113] = 1.0
        def spread(max_dx):
            moved = train._geometric(frame, max_dx=max_dx)
            return (moved[:, 0, 20, :].argmax(dim=1).float() - 111.5).abs().max().item()
        # Zoom is about the centre, so only a sideways shift moves the centre column.
        self.assertLess(spread(0.0), 1.0)
        self.assertGreater(spread(0.015), 2.0)

    def test_sideways_shift_option_keeps_the_old_default_and_is_checked(self):
        self.assertEqual(train.parse_args(["--tub", "t"]).sideways_shift, 0.015)
        self.assertEqual(train.parse_args(["--tub", "t", "--sideways-shift", "0"]).sideways_shift,
                         0.0)
        with contextlib.redirect_stderr(io.StringIO()), self.assertRaises(SystemExit):
            train.parse_args(["--tub", "t", "--sideways-shift", "-0.1"])


class LearningRateSchedule(unittest.TestCase):
    def rates(self, extra, steps=20):
        """The learning rate each of `steps` optimizer steps uses under train.py `extra`."""
        args = train.parse_args(["--tub", "unused", "--lr", "0.001"] + extra)
        optimizer = torch.optim.Adam(torch.nn.Linear(2, 2).parameters(), lr=args.lr)
        schedule = train.make_schedule(optimizer, steps, args)
        rates = []
        for _ in range(steps):
            rates.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            if schedule:
                schedule.step()
        return rates

    def test_warm_up_ramps_from_one_percent_then_the_cosine_decays_to_zero(self):
        rates = self.rates(["--warmup-steps", "5", "--cosine"])
        self.assertAlmostEqual(rates[0], 1e-5)
        self.assertTrue(all(a < b for a, b in zip(rates[:5], rates[1:6])))
        self.assertAlmostEqual(rates[5], 1e-3)
        self.assertTrue(all(a > b for a, b in zip(rates[5:], rates[6:])))
        self.assertLess(rates[-1], 2e-5)

    def test_warm_up_alone_holds_the_rate_after_the_ramp(self):
        rates = self.rates(["--warmup-steps", "5"])
        self.assertAlmostEqual(rates[0], 1e-5)
        self.assertEqual(rates[5:], [rates[5]] * 15)
        self.assertAlmostEqual(rates[5], 1e-3)

    def test_without_options_the_rate_is_constant(self):
        self.assertEqual(self.rates([]), [1e-3] * 20)


if __name__ == "__main__":
    unittest.main()
