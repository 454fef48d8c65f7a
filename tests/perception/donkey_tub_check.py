#!/usr/bin/python3
"""Reads a tub the way Donkey Car's own tub v2 reader does and fails on anything it fails on.

Written from the published format (../shared/REFERENCE.md section 3) and the observable
behaviour of Donkey's read-only Tub (what `donkey train` opens), not from its code:
- manifest.json: five JSON lines; line 5 needs paths, current_index, max_len, deleted_indexes;
  line 4's "sessions", when present, needs last_id and all_full_ids. A tub with no catalog
  cannot be opened read-only (the reader would have to create one).
- every catalog listed in paths and its catalog_manifest are memory-mapped: each must exist and
  be non-empty ("cannot mmap an empty file"); the catalog manifest's first line is JSON with
  line_lengths (and path, start_index, created_at as Donkey writes them).
- iteration reads every line of every listed catalog in order, counting positions from 0
  across catalogs; a position listed in deleted_indexes is skipped; a line that is not JSON is
  skipped with a warning; an empty line ends that catalog.
- len() is current_index minus the number of deleted indexes.
On top, what training needs: each record has user/angle, user/throttle (numbers),
cam/image_array naming an existing JPEG under images/; and what keeps deletion meaning the
record deleted: a record's _index equals its position.

Usage: donkey_tub_check.py [--strict] [--require KEY]... TUB...
--strict: also require the catalogs to hold exactly current_index lines, so the next record
Donkey appends gets the position its _index says (what rcpilot leaves once it reopened a tub;
right after a kill a counted record may lack its line, which Donkey reads consistently).
Prints one JSON summary line per tub ({"tub", "records", "modes", "keys"}); exit 1 and the
problems on stderr if any tub fails.
"""
import json
import os
import sys

TRAINING_KEYS = ("user/angle", "user/throttle", "cam/image_array")


class TubProblem(Exception):
    pass


def _no_nan(token):
    raise ValueError("%s is not JSON (Donkey writes with allow_nan=False)" % token)


def _loads(text):
    return json.loads(text, parse_constant=_no_nan)


def _read_bytes(path, what):
    if not os.path.isfile(path):
        raise TubProblem("%s %s is missing" % (what, path))
    with open(path, "rb") as f:
        data = f.read()
    if not data:
        raise TubProblem("%s %s is empty (Donkey: ValueError: cannot mmap an empty file)"
                         % (what, path))
    return data


def _lines(data):
    """Lines as Donkey's reader sees them: split after each newline, the last maybe unended."""
    text = data.decode("utf-8")
    lines = [part + "\n" for part in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _json_line(line, where):
    try:
        return _loads(line)
    except ValueError as e:
        raise TubProblem("%s is not JSON: %s" % (where, e))


def read_manifest(tub):
    lines = _lines(_read_bytes(os.path.join(tub, "manifest.json"), "manifest"))
    if len(lines) < 5:
        raise TubProblem("manifest.json has %d lines, Donkey reads 5" % len(lines))
    parsed = [_json_line(lines[i], "manifest.json line %d" % (i + 1)) for i in range(5)]
    inputs, types, _, meta, catalogs = parsed
    if not isinstance(inputs, list) or not isinstance(types, list) or len(inputs) != len(types):
        raise TubProblem("manifest.json lines 1-2 must be lists of the same length")
    if not isinstance(meta, dict):
        raise TubProblem("manifest.json line 4 must be an object")
    sessions = meta.get("sessions")
    if sessions:
        if not isinstance(sessions.get("last_id"), int) or \
                not isinstance(sessions.get("all_full_ids"), list):
            raise TubProblem("manifest.json line 4 sessions lacks last_id or all_full_ids "
                             "(Donkey's new session would fail)")
    if not isinstance(catalogs, dict):
        raise TubProblem("manifest.json line 5 must be an object")
    for key in ("paths", "current_index", "max_len", "deleted_indexes"):
        if key not in catalogs:
            raise TubProblem("manifest.json line 5 lacks %s (Donkey: KeyError)" % key)
    paths, current, deleted = catalogs["paths"], catalogs["current_index"], \
        catalogs["deleted_indexes"]
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise TubProblem("manifest.json paths must be a list of file names")
    if not paths:
        raise TubProblem("manifest.json lists no catalog: Donkey's read-only Tub would have "
                         "to create catalog_0 and fails")
    if not isinstance(current, int) or current < 0:
        raise TubProblem("manifest.json current_index must be an integer >= 0")
    if not isinstance(deleted, list) or not all(isinstance(i, int) for i in deleted):
        raise TubProblem("manifest.json deleted_indexes must be a list of integers")
    if len(set(deleted)) != len(deleted):
        raise TubProblem("manifest.json deleted_indexes has duplicates")
    return inputs, paths, current, set(deleted)


def read_catalog(tub, name, first_position, deleted):
    """The catalog's lines; checks its catalog manifest against them."""
    lines = _lines(_read_bytes(os.path.join(tub, name), "catalog"))
    meta_name = os.path.splitext(name)[0] + ".catalog_manifest"
    meta_lines = _lines(_read_bytes(os.path.join(tub, meta_name), "catalog manifest"))
    meta = _json_line(meta_lines[0], meta_name)
    if not isinstance(meta, dict):
        raise TubProblem("%s must be a JSON object" % meta_name)
    for key in ("created_at", "line_lengths", "path", "start_index"):
        if key not in meta:
            raise TubProblem("%s lacks %s" % (meta_name, key))
    if meta["path"] != meta_name:
        raise TubProblem("%s path is %r; Donkey writes the catalog manifest's own file name %r"
                         % (meta_name, meta["path"], meta_name))
    if meta["start_index"] != first_position:
        raise TubProblem("%s start_index is %r but its first line is record position %d"
                         % (meta_name, meta["start_index"], first_position))
    listed = meta["line_lengths"]
    if not isinstance(listed, list) or len(listed) > len(lines):
        raise TubProblem("%s line_lengths lists %s lines but %s has %d"
                         % (meta_name, len(listed) if isinstance(listed, list) else listed,
                            name, len(lines)))
    for i, line in enumerate(lines):
        if i < len(listed):
            if listed[i] != len(line):
                raise TubProblem("%s line_lengths[%d] is %r but line %d of %s has %d characters"
                                 % (meta_name, i, listed[i], i + 1, name, len(line)))
            if not line.endswith("\n"):
                raise TubProblem("%s line %d is listed but has no newline" % (name, i + 1))
        elif first_position + i not in deleted:
            raise TubProblem("%s line %d (position %d) is not in line_lengths and not deleted"
                             % (name, i + 1, first_position + i))
    return lines


def check_tub(tub, required=(), strict=False):
    inputs, paths, current, deleted = read_manifest(tub)
    position = 0
    records = []
    for name in paths:
        if "/" in name:
            raise TubProblem("catalog name %r is not a file in the tub" % name)
        lines = read_catalog(tub, name, position, deleted)
        for number, line in enumerate(lines, 1):
            content = line.rstrip("\r\n")
            if not content:
                if number < len(lines):
                    raise TubProblem("%s line %d is empty: Donkey stops reading %s there"
                                     % (name, number, name))
                break
            here = position
            position += 1
            if here in deleted:
                continue
            try:
                record = _loads(content)
            except ValueError:
                raise TubProblem("%s line %d is not JSON: Donkey skips it and its len() is off"
                                 % (name, number))
            check_record(tub, name, number, here, record, required)
            records.append(record)
    length = current - len(deleted)
    if length != len(records):
        raise TubProblem("len() is %d (current_index %d - %d deleted) but iterating gives %d"
                         % (length, current, len(deleted), len(records)))
    if strict and position != current:
        raise TubProblem("the catalogs hold %d lines but current_index is %d: the next record "
                         "Donkey writes would take a position another record has" % (position, current))
    for key in TRAINING_KEYS:
        if key not in inputs:
            raise TubProblem("manifest.json inputs lack %s" % key)
    modes = {}
    keys = set()
    for r in records:
        modes[r.get("user/mode")] = modes.get(r.get("user/mode"), 0) + 1
        keys.update(r.keys())
    return {"tub": tub, "records": len(records), "modes": modes, "keys": sorted(keys)}


def check_record(tub, name, number, position, record, required):
    where = "%s line %d" % (name, number)
    if not isinstance(record, dict):
        raise TubProblem("%s is not a JSON object" % where)
    if record.get("_index") != position:
        raise TubProblem("%s has _index %r at position %d: Donkey's deleted_indexes are "
                         "positions, so deleting it would delete another record"
                         % (where, record.get("_index"), position))
    for key in TRAINING_KEYS + tuple(required):
        if key not in record:
            raise TubProblem("%s lacks %s (Donkey's training: KeyError)" % (where, key))
    for key in ("user/angle", "user/throttle"):
        value = record[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TubProblem("%s %s is %r, not a number" % (where, key, value))
    image = os.path.join(tub, "images", record["cam/image_array"])
    data = _read_bytes(image, "image") if os.path.isfile(image) else b""
    if not data.startswith(b"\xff\xd8"):
        raise TubProblem("%s: image %s is missing or not a JPEG" % (where, image))


def main(argv):
    required = []
    tubs = []
    strict = False
    args = iter(argv)
    for arg in args:
        if arg == "--strict":
            strict = True
        elif arg == "--require":
            required.append(next(args, ""))
        else:
            tubs.append(arg)
    if not tubs:
        print(__doc__, file=sys.stderr)
        return 2
    failed = False
    for tub in tubs:
        try:
            print(json.dumps(check_tub(tub, required, strict), sort_keys=True))
        except (TubProblem, UnicodeDecodeError, OSError) as e:
            print("tub %s: %s" % (tub, e), file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
