#!/usr/bin/python3
"""Tests scripts/train.py end to end on a tiny synthetic tub v2.

Run: /usr/bin/python3 -m unittest discover -s tests/training   (or run this file directly)
Needs python3-torch, python3-onnx, python3-opencv, python3-numpy, python3-yaml.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import cv2
import numpy as np
import yaml

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS_DIR = os.path.join(SOURCE_DIR, "scripts")
sys.path.insert(0, SCRIPTS_DIR)
import train  # noqa: E402  (path set just above)

RECORDS = 64
DELETED = [3, 17, 40]
CATALOG_LEN = 25  # small so the tub spans several catalogs, as a long recording does


def bar_image(angle):
    """224x224 RGB: dark road with a bright vertical bar whose x position encodes `angle`."""
    image = np.full((224, 224, 3), 40, dtype=np.uint8)
    centre = int(round(112 + angle * 80))
    image[:, max(centre - 8, 0):centre + 8] = (240, 240, 200)
    return image


def write_catalog(tub, number, records):
    """Writes catalog_K.catalog and its catalog_manifest the way Donkey's datastore_v2 does."""
    name = f"catalog_{number}.catalog"
    lines = [json.dumps(r, sort_keys=True) + "\n" for r in records]
    with open(os.path.join(tub, name), "w", encoding="utf-8") as f:
        f.writelines(lines)
    manifest = {"created_at": 1.0, "line_lengths": [len(line) for line in lines],
                "path": name, "start_index": records[0]["_index"]}
    with open(os.path.join(tub, name + "_manifest"), "w", encoding="utf-8") as f:
        f.write(json.dumps(manifest, sort_keys=True) + "\n")
    return name


def write_tub(tub, count=RECORDS, deleted=()):
    """Writes a tub v2 of `count` bar images; returns the angle of each index."""
    os.makedirs(os.path.join(tub, "images"))
    angles = np.linspace(-0.9, 0.9, count)
    records = []
    for index, angle in enumerate(angles):
        image_name = f"{index}_cam_image_array_.jpg"
        rgb = bar_image(angle)
        cv2.imwrite(os.path.join(tub, "images", image_name), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        records.append({"_index": index, "_session_id": "26-02-21_0",
                        "_timestamp_ms": 1700000000000 + 50 * index,
                        "cam/image_array": image_name, "user/angle": float(angle),
                        "user/mode": "user", "user/throttle": 0.3})
    paths = [write_catalog(tub, k, records[start:start + CATALOG_LEN])
             for k, start in enumerate(range(0, count, CATALOG_LEN))]
    manifest_lines = [
        ["cam/image_array", "user/angle", "user/throttle", "user/mode"],
        ["image_array", "float", "float", "str"],
        {},
        {"created_at": 1.0, "sessions": {"all_full_ids": ["26-02-21_0"], "last_id": 0,
                                         "last_full_id": "26-02-21_0"}},
        {"paths": paths, "current_index": count, "max_len": CATALOG_LEN,
         "deleted_indexes": sorted(deleted)},
    ]
    with open(os.path.join(tub, "manifest.json"), "w", encoding="utf-8") as f:
        f.writelines(json.dumps(line) + "\n" for line in manifest_lines)
    return angles


class TubReading(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="rcpilot_tub_")
        self.tub = os.path.join(self.dir, "tub")
        self.angles = write_tub(self.tub, deleted=DELETED)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_reader_skips_deleted_indexes_across_catalogs(self):
        records = train.read_tub_records(self.tub)
        indexes = [r["index"] for r in records]
        self.assertEqual(indexes, [i for i in range(RECORDS) if i not in DELETED])
        self.assertAlmostEqual(records[5]["angle"], self.angles[indexes[5]], places=6)

    def test_loaded_images_are_rgb_and_match_labels(self):
        images, labels = train.load_dataset([self.tub], max_records=10, threads=2)
        self.assertEqual(images.shape, (10, 224, 224, 3))
        self.assertEqual(labels.shape, (10, 2))
        # The bar colour (240, 240, 200) has less blue than red: proves RGB order, not BGR.
        bar = images[0][:, int(round(112 + labels[0, 0] * 80))]
        self.assertGreater(int(bar[:, 0].mean()), int(bar[:, 2].mean()) + 20)

    def test_record_without_throttle_is_skipped(self):
        catalog = os.path.join(self.tub, "catalog_0.catalog")
        with open(catalog, encoding="utf-8") as f:
            lines = f.readlines()
        record = json.loads(lines[0])
        del record["user/throttle"]  # writers leave null values out
        lines[0] = json.dumps(record, sort_keys=True) + "\n"
        with open(catalog, "w", encoding="utf-8") as f:
            f.writelines(lines)
        indexes = [r["index"] for r in train.read_tub_records(self.tub)]
        self.assertNotIn(0, indexes)
        self.assertEqual(len(indexes), RECORDS - len(DELETED) - 1)

    def test_missing_manifest_error_names_the_tub(self):
        os.remove(os.path.join(self.tub, "manifest.json"))
        with self.assertRaisesRegex(train.TubError, "manifest.json"):
            train.read_tub_records(self.tub)

    def test_missing_image_error_names_the_file(self):
        os.remove(os.path.join(self.tub, "images", "5_cam_image_array_.jpg"))
        with self.assertRaisesRegex(train.TubError, "5_cam_image_array_.jpg"):
            train.load_dataset([self.tub], max_records=0, threads=1)

    def test_missing_image_of_deleted_record_is_ignored(self):
        os.remove(os.path.join(self.tub, "images", f"{DELETED[0]}_cam_image_array_.jpg"))
        images, _ = train.load_dataset([self.tub], max_records=0, threads=1)
        self.assertEqual(len(images), RECORDS - len(DELETED))


class Training(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="rcpilot_train_")
        cls.tub = os.path.join(cls.dir, "tub")
        write_tub(cls.tub, deleted=DELETED)
        cls.onnx = os.path.join(cls.dir, "models", "linear.onnx")
        command = [sys.executable, os.path.join(SCRIPTS_DIR, "train.py"), "--tub", cls.tub,
                   "--out", cls.onnx, "--epochs", "1", "--max-records", "48", "--seed", "3",
                   "--threads", "2"]
        started = time.monotonic()
        cls.result = subprocess.run(command, capture_output=True, text=True, timeout=300)
        print(f"\ntrain.py took {time.monotonic() - started:.1f} s", file=sys.stderr)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def test_train_script_succeeds(self):
        self.assertEqual(self.result.returncode, 0, self.result.stdout + self.result.stderr)
        self.assertIn("epoch 1/1", self.result.stdout)

    def test_exported_onnx_loads_in_opencv_with_both_outputs(self):
        net = cv2.dnn.readNetFromONNX(self.onnx)
        frame = bar_image(0.5).astype(np.float32).transpose(2, 0, 1)[None] / 255.0
        net.setInput(frame)
        angle, throttle = net.forward(["angle", "throttle"])
        self.assertEqual(angle.shape, (1, 1))
        self.assertEqual(throttle.shape, (1, 1))

    def test_metadata_yaml_has_every_key(self):
        with open(os.path.join(self.dir, "models", "linear.yaml"), encoding="utf-8") as f:
            meta = yaml.safe_load(f)
        self.assertEqual(meta["format"], "rcpilot-model-v1")
        self.assertEqual(meta["architecture"], "donkey_linear")
        self.assertEqual(meta["input"], {
            "name": "input", "shape": [1, 3, 224, 224], "layout": "NCHW", "color": "RGB",
            "scale": 1.0 / 255.0, "mean": [0.0, 0.0, 0.0], "std": [1.0, 1.0, 1.0],
            "interpolation": "area"})
        self.assertEqual(meta["outputs"], {"steering": "angle", "throttle": "throttle"})
        self.assertEqual(meta["output_range"], [-1.0, 1.0])
        training = meta["training"]
        self.assertEqual(set(training), {"dataset", "records", "seed", "epochs", "val_loss",
                                         "val_steering_mae", "trained_with", "torch"})
        self.assertEqual(training["dataset"], self.tub)
        self.assertEqual(training["records"], 48)
        self.assertEqual(training["seed"], 3)
        self.assertEqual(training["epochs"], 1)
        self.assertIsInstance(training["val_loss"], float)
        self.assertIsInstance(training["val_steering_mae"], float)
        self.assertTrue(training["trained_with"].startswith("scripts/train.py --tub"))


class CategoricalBins(unittest.TestCase):
    def test_two_hot_splits_a_label_between_its_two_nearest_bins(self):
        import torch
        import categorical
        bins = categorical.BinSpec(5, -1.0, 1.0)  # values -1, -0.5, 0, 0.5, 1
        targets = bins.two_hot(torch.tensor([0.25, -1.0, 1.0, 7.0, 0.1]))
        expected = [[0, 0, 0.5, 0.5, 0], [1, 0, 0, 0, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1],
                    [0, 0, 0.8, 0.2, 0]]
        np.testing.assert_allclose(targets.numpy(), expected, atol=1e-6)
        # The targets' expected value is the label (clamped to the range).
        np.testing.assert_allclose((targets @ bins.values()).numpy(),
                                   [0.25, -1.0, 1.0, 1.0, 0.1], atol=1e-6)

    def test_expected_decode_is_the_softmax_weighted_bin_value(self):
        import torch
        import categorical
        bins = categorical.BinSpec(2, 0.0, 1.0)
        logits = torch.tensor([[0.0, float(np.log(3.0))]])
        self.assertAlmostEqual(float(bins.expected(logits)[0]), 0.75, places=6)


class CategoricalTraining(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="rcpilot_train_cat_")
        cls.tub = os.path.join(cls.dir, "tub")
        write_tub(cls.tub)
        cls.onnx = os.path.join(cls.dir, "models", "categorical.onnx")
        command = [sys.executable, os.path.join(SCRIPTS_DIR, "train.py"), "--type", "categorical",
                   "--tub", cls.tub, "--out", cls.onnx, "--epochs", "1", "--max-records", "32",
                   "--seed", "3", "--threads", "2", "--throttle-range", "0.4"]
        cls.result = subprocess.run(command, capture_output=True, text=True, timeout=300)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def test_exports_bin_logits_and_metadata_that_says_how_to_decode_them(self):
        self.assertEqual(self.result.returncode, 0, self.result.stdout + self.result.stderr)
        net = cv2.dnn.readNetFromONNX(self.onnx)
        net.setInput(bar_image(0.5).astype(np.float32).transpose(2, 0, 1)[None] / 255.0)
        angle, throttle = net.forward(["angle", "throttle"])
        self.assertEqual(angle.shape, (1, 15))
        self.assertEqual(throttle.shape, (1, 20))
        with open(os.path.join(self.dir, "models", "categorical.yaml"), encoding="utf-8") as f:
            meta = yaml.safe_load(f)
        self.assertEqual(meta["architecture"], "donkey_categorical")
        self.assertEqual(meta["outputs"], {
            "steering": "angle", "throttle": "throttle",
            "categorical": {"steering": {"bins": 15, "range": [-1.0, 1.0]},
                            "throttle": {"bins": 20, "range": [0.0, 0.4]},
                            "scores": "logits", "decode": "expected"}})

    def test_init_from_copies_the_linear_backbone_and_refuses_other_files(self):
        import torch
        import categorical
        linear = os.path.join(SOURCE_DIR, "models", "linear.onnx")
        model = categorical.replace_heads(train.DonkeyLinear())
        self.assertEqual(categorical.init_backbone(model, linear), 14)
        import onnx
        import onnx.numpy_helper
        weights = {t.name: t for t in onnx.load(linear).graph.initializer}
        np.testing.assert_array_equal(
            model.features[0].weight.detach().numpy(),
            onnx.numpy_helper.to_array(weights["features.0.weight"]))
        with self.assertRaisesRegex(ValueError, "tiny"):
            small = os.path.join(self.dir, "tiny.onnx")
            torch.onnx.export(torch.nn.Linear(2, 1), torch.zeros(1, 2), small, opset_version=11)
            categorical.init_backbone(model, small)


if __name__ == "__main__":
    unittest.main()
