#!/usr/bin/python3
"""donkey_tub_check fails on each thing Donkey's tub v2 reader fails on (hand-made tubs)."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import donkey_tub_check as check  # noqa: E402

JPEG = b"\xff\xd8\xff\xe0fake jpeg\xff\xd9"


def dumps(obj):
    return json.dumps(obj, sort_keys=True)


def write_tub(path, counts=(3,), deleted=(), current=None, drop_key=None):
    """A tub as Donkey writes it: catalogs of `counts` records each."""
    os.makedirs(os.path.join(path, "images"))
    index = 0
    paths = []
    for k, count in enumerate(counts):
        name = "catalog_%d.catalog" % k
        lines = []
        start = index
        for _ in range(count):
            record = {"_index": index, "_session_id": "26-01-01_0", "_timestamp_ms": 1,
                      "cam/image_array": "%d_cam_image_array_.jpg" % index,
                      "user/angle": 0.5, "user/throttle": 0.25, "user/mode": "user"}
            with open(os.path.join(path, "images", record["cam/image_array"]), "wb") as f:
                f.write(JPEG)
            if drop_key:
                record.pop(drop_key)
            lines.append(dumps(record) + "\n")
            index += 1
        with open(os.path.join(path, name), "w") as f:
            f.write("".join(lines))
        with open(os.path.join(path, name + "_manifest"), "w") as f:
            f.write(dumps({"created_at": 1.0, "line_lengths": [len(l) for l in lines],
                           "path": name + "_manifest", "start_index": start}) + "\n")
        paths.append(name)
    manifest = [["cam/image_array", "user/angle", "user/throttle", "user/mode"],
                ["image_array", "float", "float", "str"], {}, {"created_at": 1.0},
                {"paths": paths, "current_index": index if current is None else current,
                 "max_len": 1000, "deleted_indexes": list(deleted)}]
    with open(os.path.join(path, "manifest.json"), "w") as f:
        f.write("".join(json.dumps(line) + "\n" for line in manifest))


class DonkeyTubCheckTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="donkey_check_")
        self.tub = os.path.join(self.dir.name, "tub")

    def tearDown(self):
        self.dir.cleanup()

    def fails_with(self, text, **kwargs):
        with self.assertRaises(check.TubProblem) as caught:
            check.check_tub(self.tub, **kwargs)
        self.assertIn(text, str(caught.exception))

    def edit_manifest_line5(self, **changes):
        path = os.path.join(self.tub, "manifest.json")
        with open(path) as f:
            lines = f.read().splitlines()
        line5 = json.loads(lines[4])
        line5.update(changes)
        lines[4] = json.dumps(line5)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")

    def edit_catalog_manifest(self, name, edit):
        path = os.path.join(self.tub, name + "_manifest")
        with open(path) as f:
            meta = json.loads(f.readline())
        edit(meta)
        with open(path, "w") as f:
            f.write(dumps(meta) + "\n")

    def test_a_well_formed_tub_passes_and_deleted_records_are_skipped(self):
        write_tub(self.tub, counts=(1000, 5), deleted=[3, 1002])
        summary = check.check_tub(self.tub, strict=True)
        self.assertEqual(summary["records"], 1003)
        self.assertEqual(summary["modes"], {"user": 1003})

    def test_an_empty_catalog_file_fails_like_mmap(self):
        write_tub(self.tub, counts=(2, 0))
        self.fails_with("cannot mmap an empty file")

    def test_an_empty_catalog_manifest_fails_like_mmap(self):
        write_tub(self.tub)
        open(os.path.join(self.tub, "catalog_0.catalog_manifest"), "w").close()
        self.fails_with("cannot mmap an empty file")

    def test_a_listed_catalog_that_is_missing_fails(self):
        write_tub(self.tub)
        self.edit_manifest_line5(paths=["catalog_0.catalog", "catalog_1.catalog"])
        self.fails_with("catalog_1.catalog is missing")

    def test_a_manifest_without_paths_or_with_none_listed_fails(self):
        write_tub(self.tub)
        self.edit_manifest_line5(paths=[])
        self.fails_with("lists no catalog")
        path = os.path.join(self.tub, "manifest.json")
        with open(path) as f:
            lines = f.read().splitlines()
        lines[4] = json.dumps({"current_index": 3, "max_len": 1000, "deleted_indexes": []})
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.fails_with("lacks paths")

    def test_line_lengths_that_do_not_match_the_lines_fail(self):
        write_tub(self.tub)
        self.edit_catalog_manifest("catalog_0.catalog",
                                   lambda meta: meta["line_lengths"].__setitem__(1, 1))
        self.fails_with("line_lengths[1]")

    def test_a_catalog_manifest_path_other_than_its_own_name_fails(self):
        write_tub(self.tub)
        self.edit_catalog_manifest("catalog_0.catalog",
                                   lambda meta: meta.update(path="catalog_0.catalog"))
        self.fails_with("own file name")

    def test_records_without_training_keys_fail(self):
        for key in ("user/angle", "user/throttle", "cam/image_array"):
            with self.subTest(key=key):
                self.tearDown()
                self.setUp()
                write_tub(self.tub, drop_key=key)
                self.fails_with("lacks " + key)

    def test_a_line_the_manifest_does_not_count_makes_len_and_iteration_disagree(self):
        write_tub(self.tub, current=2)
        self.edit_catalog_manifest("catalog_0.catalog",
                                   lambda meta: meta["line_lengths"].pop())
        self.fails_with("not in line_lengths and not deleted")

    def test_len_and_iteration_mismatch_fails(self):
        write_tub(self.tub, current=4)
        self.fails_with("len() is 4")

    def test_a_cut_short_last_line_fails_unless_it_is_deleted(self):
        write_tub(self.tub, current=4)
        with open(os.path.join(self.tub, "catalog_0.catalog"), "a") as f:
            f.write('{"_index": 3, "cam/ima')
        self.fails_with("not in line_lengths and not deleted")
        self.edit_manifest_line5(deleted_indexes=[3])
        self.assertEqual(check.check_tub(self.tub)["records"], 3)

    def test_deleted_indexes_are_positions_so_a_record_out_of_place_fails(self):
        write_tub(self.tub, counts=(2, 2))
        self.edit_catalog_manifest("catalog_1.catalog", lambda meta: meta.update(start_index=3))
        self.fails_with("start_index is 3")

    def test_a_missing_image_fails(self):
        write_tub(self.tub)
        os.remove(os.path.join(self.tub, "images", "1_cam_image_array_.jpg"))
        self.fails_with("missing or not a JPEG")

    def test_nan_in_a_record_fails(self):
        write_tub(self.tub)
        path = os.path.join(self.tub, "catalog_0.catalog")
        with open(path) as f:
            text = f.read()
        text = text.replace('"user/angle": 0.5', '"user/angle": NaN', 1)
        with open(path, "w") as f:
            f.write(text)
        self.fails_with("not JSON")

    def test_the_command_line_exits_1_and_names_the_tub(self):
        write_tub(self.tub, counts=(2, 0))
        out = subprocess.run([sys.executable, check.__file__, self.tub], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, universal_newlines=True)
        self.assertEqual(out.returncode, 1)
        self.assertIn(self.tub, out.stderr)


if __name__ == "__main__":
    unittest.main()
