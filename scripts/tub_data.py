#!/usr/bin/python3
"""Reads Donkey Car tub v2 folders into memory for scripts/train.py (docs/models.md).

The manifest's catalogs and soft-deleted records, each catalog's JSON records, and the
images, decoded as RGB at IMAGE_SIZE. Every error names the file.
"""

import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np

IMAGE_SIZE = 224  # pixels, square; the simulator records at this size
IMAGE_KEY = "cam/image_array"
ANGLE_KEY = "user/angle"
THROTTLE_KEY = "user/throttle"


class TubError(Exception):
    """A tub folder is missing a file or holds malformed data; the message names it."""


def read_manifest(tub):
    """Returns (catalog paths, set of deleted indexes) from `tub`/manifest.json line 5."""
    path = os.path.join(tub, "manifest.json")
    if not os.path.isfile(path):
        raise TubError(f"{tub}: no manifest.json; is this a Donkey Car tub v2 folder?")
    with open(path, encoding="utf-8") as f:
        lines = [line for line in f.read().split("\n") if line.strip()]
    if len(lines) < 5:
        raise TubError(f"{path}: expected 5 JSON lines, found {len(lines)}")
    try:
        catalog_info = json.loads(lines[4])
    except json.JSONDecodeError as e:
        raise TubError(f"{path}: line 5 is not JSON ({e})") from e
    if "paths" not in catalog_info:
        raise TubError(f"{path}: line 5 has no 'paths' key")
    return catalog_info["paths"], set(catalog_info.get("deleted_indexes", []))


def read_catalog(tub, catalog_name):
    """Yields (line number, record dict) for every non-empty line of one catalog."""
    path = os.path.join(tub, catalog_name)
    if not os.path.isfile(path):
        raise TubError(f"{tub}: manifest lists {catalog_name} but the file is missing")
    with open(path, encoding="utf-8") as f:
        for line_number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                yield line_number, json.loads(line)
            except json.JSONDecodeError as e:
                raise TubError(f"{path}:{line_number}: not a JSON record ({e})") from e


def has_labels(record, where):
    """True if `record` carries both labels, each a number in [-1, 1].

    Raises TubError for a record without an index or image, or with a label out of range.
    Writers leave null values out, so a record may lack a label (e.g. throttle while the
    model drove); such records cannot train both heads and are skipped by the caller.
    """
    for key in ("_index", IMAGE_KEY):
        if key not in record:
            raise TubError(f"{where}: record has no '{key}'")
    if ANGLE_KEY not in record or THROTTLE_KEY not in record:
        return False
    for key in (ANGLE_KEY, THROTTLE_KEY):
        value = record[key]
        if not isinstance(value, (int, float)) or not -1.0 <= value <= 1.0:
            raise TubError(f"{where}: '{key}' = {value!r} is not a number in [-1, 1]")
    return True


def read_tub_records(tub):
    """Returns the tub's live, labelled records (deleted indexes skipped) in index order.

    Each entry is a dict {index, image_path, angle, throttle}; images are not opened here.
    """
    catalogs, deleted = read_manifest(tub)
    records, unlabelled = [], []
    for catalog_name in catalogs:
        for line_number, record in read_catalog(tub, catalog_name):
            where = f"{os.path.join(tub, catalog_name)}:{line_number}"
            if record.get("_index") in deleted:
                continue
            if not has_labels(record, where):
                unlabelled.append(where)
                continue
            records.append({
                "index": record["_index"],
                "image_path": os.path.join(tub, "images", record[IMAGE_KEY]),
                "angle": float(record[ANGLE_KEY]),
                "throttle": float(record[THROTTLE_KEY]),
            })
    if unlabelled:
        print(f"warning: {tub}: skipped {len(unlabelled)} records without {ANGLE_KEY} and "
              f"{THROTTLE_KEY} (first at {unlabelled[0]})", file=sys.stderr)
    records.sort(key=lambda r: r["index"])
    return records


def load_image(path):
    """Returns the image at `path` as RGB uint8 HxWx3, area-resized to IMAGE_SIZE if needed."""
    if not os.path.isfile(path):
        raise TubError(f"{path}: image listed in the catalog is missing")
    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    if bgr is None:
        raise TubError(f"{path}: cannot decode image")
    if bgr.shape[:2] != (IMAGE_SIZE, IMAGE_SIZE):
        # Same interpolation the C++ node uses (metadata `interpolation: area`).
        bgr = cv2.resize(bgr, (IMAGE_SIZE, IMAGE_SIZE), interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def load_dataset(tubs, max_records, threads):
    """Returns (images uint8 [N,224,224,3], labels float32 [N,2] angle/throttle).

    Keeps at most `max_records` records (the first ones, in tub then index order) so a short
    run does not decode the whole dataset.
    """
    records = []
    for tub in tubs:
        records.extend(read_tub_records(tub))
    if max_records:
        records = records[:max_records]
    if not records:
        raise TubError(f"{', '.join(tubs)}: no live records")
    images = np.empty((len(records), IMAGE_SIZE, IMAGE_SIZE, 3), dtype=np.uint8)
    # cv2 decoding releases the GIL, so threads really decode in parallel.
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        for i, image in enumerate(pool.map(load_image, [r["image_path"] for r in records])):
            images[i] = image
    labels = np.array([[r["angle"], r["throttle"]] for r in records], dtype=np.float32)
    return images, labels
