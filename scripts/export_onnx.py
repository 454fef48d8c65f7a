#!/usr/bin/python3
"""Exports a PyTorch steering model to ONNX that OpenCV 4.6 DNN loads, and writes its metadata.

Used by scripts/train.py; import it to export your own model (docs/models.md):

  import export_onnx
  export_onnx.export_and_verify(model, "models/mine.onnx", sample_batch)
  export_onnx.write_metadata("models/mine.onnx", {...}, architecture="my_net")
"""

import inspect
import json
import os

import cv2
import numpy as np
import onnx
import torch

OPSET = 11  # OpenCV 4.6's ONNX importer is tested against opset <= 13; 11 is Donkey's choice
MAX_ABS_DIFF = 1e-3  # allowed OpenCV-vs-PyTorch output difference, in output units ([-1, 1])
INPUT_NAME = "input"


class ExportError(Exception):
    """The exported model does not load in OpenCV or disagrees with PyTorch."""


def export_model(model, path, input_shape, output_names):
    """Writes `model` (eval mode, batch fixed at 1) to `path` as ONNX opset 11."""
    model = model.cpu().eval()  # eval: dropout becomes identity and is dropped from the graph
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    dummy = torch.zeros(input_shape)
    options = {}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        # torch >= 2.9 defaults to the dynamo exporter, which targets opset 18; the
        # TorchScript exporter writes opset 11 directly, as with Debian's torch 1.13.
        options["dynamo"] = False
    with torch.no_grad():
        torch.onnx.export(model, dummy, path, opset_version=OPSET, do_constant_folding=True,
                          input_names=[INPUT_NAME], output_names=list(output_names), **options)
    onnx.checker.check_model(onnx.load(path))


def run_torch(model, batch):
    """Runs `model` on each frame of a float NCHW batch; returns a list of output lists."""
    outputs = []
    with torch.no_grad():
        for frame in batch:
            outputs.append([o.numpy() for o in model(frame.unsqueeze(0))])
    return outputs


def run_opencv(path, batch, output_names):
    """Runs the ONNX at `path` in cv2.dnn on each frame; returns a list of output lists."""
    try:
        net = cv2.dnn.readNetFromONNX(path)
    except cv2.error as e:
        raise ExportError(f"{path}: cv2.dnn.readNetFromONNX failed: {e}") from e
    outputs = []
    for frame in batch:
        net.setInput(frame.unsqueeze(0).numpy())
        try:
            outputs.append(net.forward(list(output_names)))
        except cv2.error as e:
            raise ExportError(f"{path}: cv2.dnn forward failed (outputs {output_names}): {e}") \
                from e
    return outputs


def verify_with_opencv(model, path, batch, output_names):
    """Raises ExportError unless OpenCV's outputs match PyTorch's within MAX_ABS_DIFF.

    Returns the largest absolute difference seen, for the log.
    """
    expected = run_torch(model, batch)
    actual = run_opencv(path, batch, output_names)
    worst = 0.0
    for frame_expected, frame_actual in zip(expected, actual):
        for name, want, got in zip(output_names, frame_expected, frame_actual):
            if tuple(got.shape) != tuple(want.shape):
                raise ExportError(f"{path}: output '{name}' has shape {got.shape} in OpenCV, "
                                  f"{want.shape} in PyTorch")
            worst = max(worst, float(np.max(np.abs(got - want))))
    if worst >= MAX_ABS_DIFF:
        raise ExportError(f"{path}: OpenCV and PyTorch outputs differ by {worst:.2e} "
                          f"(limit {MAX_ABS_DIFF:.0e})")
    return worst


def export_and_verify(model, path, batch, output_names=("angle", "throttle")):
    """Exports `model` to `path` and checks it in OpenCV on `batch` (float NCHW frames)."""
    export_model(model, path, (1,) + tuple(batch.shape[1:]), output_names)
    worst = verify_with_opencv(model, path, batch, output_names)
    print(f"verified {path} in OpenCV {cv2.__version__}: max abs diff {worst:.2e} "
          f"on {len(batch)} frames")


def quote(text):
    """A YAML double-quoted scalar (JSON string syntax is valid YAML)."""
    return json.dumps(str(text))


def metadata_path(onnx_path):
    """models/linear.onnx -> models/linear.yaml"""
    return os.path.splitext(onnx_path)[0] + ".yaml"


def write_metadata(onnx_path, training, architecture="donkey_linear",
                   shape=(1, 3, 224, 224), steering="angle", throttle="throttle",
                   vector_output=None, mean=(0.0, 0.0, 0.0), std=(1.0, 1.0, 1.0),
                   categorical=""):
    """Writes the rcpilot-model-v1 YAML beside `onnx_path`; returns its path.

    `training` holds the keys of the `training:` section (dataset, records, seed, epochs,
    val_loss, val_steering_mae, trained_with, torch). With `vector_output` set, the outputs are
    that one [1, 2] output (steering at index 0, throttle at 1), the usual PyTorch form,
    instead of `steering` and `throttle`. `mean` and `std` are per channel, in RGB order.
    `categorical` is the YAML of outputs.categorical (categorical.metadata_block), or "".
    Written by hand rather than with yaml.dump so the key order and comments match
    docs/models.md.
    """
    t = training
    if vector_output is None:
        shape_note = "bin scores, shape [1, bins]" if categorical else "shape [1, 1]"
        outputs = f"""\
  steering: {steering}   # ONNX output holding steering, {shape_note}
  throttle: {throttle}   # ONNX output holding throttle, {shape_note}
{categorical}"""
    else:
        outputs = f"""\
  name: {vector_output}   # ONNX output holding both, shape [1, 2]
  steering_index: 0
  throttle_index: 1
"""
    text = f"""\
# rcpilot model metadata; the contract is docs/models.md.
format: rcpilot-model-v1
architecture: {architecture}
input:
  name: {INPUT_NAME}
  shape: [{", ".join(str(d) for d in shape)}]
  layout: NCHW
  color: RGB
  scale: {1.0 / 255.0!r}   # multiply uint8 pixels by this
  mean: [{", ".join(repr(float(m)) for m in mean)}]        # subtracted after scaling
  std: [{", ".join(repr(float(d)) for d in std)}]         # divided after mean
  interpolation: area
outputs:
{outputs}output_range: [-1.0, 1.0]      # the network was trained on targets in this range
training:
  dataset: {quote(t["dataset"])}
  records: {int(t["records"])}
  seed: {int(t["seed"])}
  epochs: {int(t["epochs"])}
  val_loss: {float(t["val_loss"])!r}
  val_steering_mae: {float(t["val_steering_mae"])!r}
  trained_with: {quote(t["trained_with"])}
  torch: {quote(t["torch"])}
"""
    path = metadata_path(onnx_path)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path
