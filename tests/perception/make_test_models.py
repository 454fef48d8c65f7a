#!/usr/bin/python3
"""Exports the tiny ONNX models (and their metadata YAML) the perception tests run.

Usage: /usr/bin/python3 make_test_models.py <output dir>

Models (all opset 11, constant-folded, static shapes so OpenCV 4.6 cv::dnn can load them):
  tiny_linear.onnx      Donkey "linear" shape contract: input 1x3x224x224, outputs `angle` and
                        `throttle`, each [1, 1]; random (seeded) weights.
  tiny_linear_120x160.onnx  the same net built for 1x3x120x160; its metadata wrongly says
                        224x224, so start-up validation must reject it.
  known_output.onnx     deterministic: one output `pilot` [1, 2] with
                        pilot[0] = 2 * mean(channel 0) - 1 and pilot[1] = mean(channel 2) - 0.5,
                        where channel 0 is R after RGB preprocessing; lets tests check colour
                        order, scaling and the steering/throttle mapping exactly.
"""
import os
import sys

import torch
from torch import nn


class TinyLinear(nn.Module):
    """Same outputs as Donkey's linear model, far fewer weights (fast tests)."""

    def __init__(self, height, width):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 5, stride=4), nn.ReLU(),
            nn.Conv2d(8, 8, 5, stride=4), nn.ReLU())
        with torch.no_grad():
            flat = self.features(torch.zeros(1, 3, height, width)).numel()
        self.dense = nn.Sequential(nn.Linear(flat, 16), nn.ReLU())
        self.angle = nn.Linear(16, 1)
        self.throttle = nn.Linear(16, 1)

    def forward(self, x):
        h = self.dense(self.features(x).flatten(1))
        return self.angle(h), self.throttle(h)


class KnownOutput(nn.Module):
    """pilot = [2 * mean(c0) - 1, mean(c2) - 0.5]: an affine map of the channel means."""

    def __init__(self):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(3, 2)
        with torch.no_grad():
            self.head.weight.copy_(torch.tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 1.0]]))
            self.head.bias.copy_(torch.tensor([-1.0, -0.5]))

    def forward(self, x):
        return self.head(self.pool(x).flatten(1))


def export(model, shape, path, outputs):
    model.eval()
    torch.onnx.export(model, torch.zeros(*shape), path, opset_version=11,
                      do_constant_folding=True, input_names=["input"], output_names=outputs)


def metadata(arch, shape, outputs_yaml):
    return f"""format: rcpilot-model-v1
architecture: {arch}
input:
  name: input
  shape: [{", ".join(str(d) for d in shape)}]
  layout: NCHW
  color: RGB
  scale: 0.00392156862745098
  mean: [0.0, 0.0, 0.0]
  std: [1.0, 1.0, 1.0]
  interpolation: area
outputs:
{outputs_yaml}
output_range: [-1.0, 1.0]
training:
  dataset_seed: 7
  dataset_size: 0
  val_loss: untrained
  epochs: 0
"""


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(7)
    two = "  steering: angle\n  throttle: throttle"
    export(TinyLinear(224, 224), (1, 3, 224, 224), f"{out}/tiny_linear.onnx",
           ["angle", "throttle"])
    write(f"{out}/tiny_linear.yaml", metadata("tiny_linear", (1, 3, 224, 224), two))
    export(TinyLinear(120, 160), (1, 3, 120, 160), f"{out}/tiny_linear_120x160.onnx",
           ["angle", "throttle"])
    # Deliberately wrong: the network was built for 120x160.
    write(f"{out}/tiny_linear_120x160.yaml", metadata("tiny_linear", (1, 3, 224, 224), two))
    export(KnownOutput(), (1, 3, 224, 224), f"{out}/known_output.onnx", ["pilot"])
    vec = "  name: pilot\n  steering_index: 0\n  throttle_index: 1"
    write(f"{out}/known_output.yaml", metadata("known_output", (1, 3, 224, 224), vec))


if __name__ == "__main__":
    main()
