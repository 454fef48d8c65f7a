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
  keras_like.onnx       shaped like tf2onnx's export of Donkey's Keras linear model: input
                        1x224x224x3 NHWC, Transpose to NCHW, convolutions, Transpose back,
                        Reshape, MatMul + Add dense layers, outputs `angle` and `throttle`.
  residual.onnx         ResNet-like: a residual Add of two computed tensors, MaxPool,
                        AveragePool, GlobalAveragePool, Flatten, Gemm; one output `pilot` [1, 2].
  tiny_categorical.onnx Donkey "categorical" shape contract: outputs `angle` [1, 15] and
                        `throttle` [1, 20], bin logits (metadata outputs.categorical).
  tiny_categorical_softmax.onnx  the same with a Softmax on each head, as Donkey's Keras
                        model: probabilities, decoded with argmax over Donkey's bins.
  unsupported_op.onnx   uses Sigmoid, which the onednn backend does not run (auto falls back
                        to OpenCV DNN); otherwise like tiny_linear.
The last three compare the onednn backend against OpenCV DNN.
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


class KerasLike(nn.Module):
    """NHWC in, NCHW convolutions, NHWC flatten and x @ W + b dense layers, as tf2onnx writes."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 5, stride=4, padding=2)
        self.conv2 = nn.Conv2d(8, 8, 3, stride=4)
        flat = 8 * 14 * 14
        self.w1 = nn.Parameter(torch.randn(flat, 16) * 0.05)
        self.b1 = nn.Parameter(torch.randn(16) * 0.1)
        self.w_angle = nn.Parameter(torch.randn(16, 1) * 0.2)
        self.w_throttle = nn.Parameter(torch.randn(16, 1) * 0.2)
        self.b_out = nn.Parameter(torch.randn(2) * 0.1)

    def forward(self, x):
        h = torch.relu(self.conv2(torch.relu(self.conv1(x.permute(0, 3, 1, 2)))))
        h = h.permute(0, 2, 3, 1).reshape(1, -1)
        h = torch.relu(torch.matmul(h, self.w1) + self.b1)
        return torch.matmul(h, self.w_angle) + self.b_out[0], \
            torch.matmul(h, self.w_throttle) + self.b_out[1]


class Residual(nn.Module):
    """A ResNet basic block's shapes: conv, relu, conv, + skip, relu, pools, linear head."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 7, stride=4, padding=3)
        self.pool = nn.MaxPool2d(3, stride=2, padding=1)
        self.a = nn.Conv2d(8, 8, 3, padding=1)
        self.b = nn.Conv2d(8, 8, 3, padding=1)
        self.avg = nn.AvgPool2d(2, stride=2)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        x = self.pool(torch.relu(self.stem(x)))
        x = torch.relu(self.b(torch.relu(self.a(x))) + x)
        return self.head(self.gap(self.avg(x)).flatten(1))


class TinyCategorical(TinyLinear):
    """TinyLinear with Donkey's categorical heads: 15 steering and 20 throttle bin logits."""

    def __init__(self):
        super().__init__(224, 224)
        self.angle = nn.Linear(16, 15)
        self.throttle = nn.Linear(16, 20)


class TinyCategoricalSoftmax(TinyCategorical):
    def forward(self, x):
        angle, throttle = super().forward(x)
        return torch.softmax(angle, dim=1), torch.softmax(throttle, dim=1)


class UnsupportedOp(TinyLinear):
    def forward(self, x):
        return super().forward(torch.sigmoid(x))


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
    export(KerasLike(), (1, 224, 224, 3), f"{out}/keras_like.onnx", ["angle", "throttle"])
    write(f"{out}/keras_like.yaml",
          metadata("keras_like", (1, 224, 224, 3), two).replace("NCHW", "NHWC"))
    export(Residual(), (1, 3, 224, 224), f"{out}/residual.onnx", ["pilot"])
    write(f"{out}/residual.yaml", metadata("residual", (1, 3, 224, 224), vec))
    export(UnsupportedOp(224, 224), (1, 3, 224, 224), f"{out}/unsupported_op.onnx",
           ["angle", "throttle"])
    write(f"{out}/unsupported_op.yaml", metadata("tiny_linear", (1, 3, 224, 224), two))
    # Last, so the seeded weights of the models above stay as they were.
    export(TinyCategorical(), (1, 3, 224, 224), f"{out}/tiny_categorical.onnx",
           ["angle", "throttle"])
    categorical = two + """
  categorical:
    steering: {bins: 15, range: [-1.0, 1.0]}
    throttle: {bins: 20, range: [0.0, 0.5]}
    scores: logits
    decode: expected"""
    write(f"{out}/tiny_categorical.yaml",
          metadata("tiny_categorical", (1, 3, 224, 224), categorical))
    export(TinyCategoricalSoftmax(), (1, 3, 224, 224), f"{out}/tiny_categorical_softmax.onnx",
           ["angle", "throttle"])
    donkey = categorical.replace("0.5]", "0.475]").replace("logits", "probabilities").replace(
        "expected", "argmax")
    write(f"{out}/tiny_categorical_softmax.yaml",
          metadata("tiny_categorical_softmax", (1, 3, 224, 224), donkey))


if __name__ == "__main__":
    main()
