#!/usr/bin/python3
"""Donkey Car's "categorical" model for scripts/train.py (--type categorical).

Same backbone as the linear model; the heads are Donkey's KerasCategorical bins: steering 15
bins over [-1, 1], throttle 20 bins over [0, throttle range]. Bin b of N over [lo, hi] stands
for the value lo + b * (hi - lo) / (N - 1). The graph ends in the heads' logits: the node
applies the softmax itself (metadata `scores: logits`), so every backend runs the graph and
the decode lives in one place (perception/output_decoder.hpp, docs/models.md).
"""

import onnx
import onnx.numpy_helper
import torch
from torch import nn

STEERING_BINS = 15
STEERING_RANGE = (-1.0, 1.0)
THROTTLE_BINS = 20


class BinSpec:
    """`bins` values evenly spaced over [lo, hi], both ends included."""

    def __init__(self, bins, lo, hi):
        self.bins, self.lo, self.hi = bins, float(lo), float(hi)

    def values(self, device="cpu"):
        return torch.linspace(self.lo, self.hi, self.bins, device=device)

    def two_hot(self, labels):
        """Soft targets [N, bins]: each label split between its two nearest bins.

        The split is linear, so the targets' expected value is the label itself (clamped to
        [lo, hi]); Donkey's one-hot (linear_bin) would round it to the nearest bin.
        """
        step = (self.hi - self.lo) / (self.bins - 1)
        position = ((labels.clamp(self.lo, self.hi) - self.lo) / step).clamp(0, self.bins - 1)
        lower = position.floor().long().clamp(max=self.bins - 2)
        upper_weight = position - lower.float()
        targets = torch.zeros(labels.shape[0], self.bins, device=labels.device)
        targets.scatter_(1, lower.unsqueeze(1), (1.0 - upper_weight).unsqueeze(1))
        targets.scatter_add_(1, (lower + 1).unsqueeze(1), upper_weight.unsqueeze(1))
        return targets

    def expected(self, logits):
        """The softmax-weighted mean of the bin values: rcpilot's default decode."""
        return torch.softmax(logits, dim=1) @ self.values(logits.device)

    def metadata(self):
        return {"bins": self.bins, "range": [self.lo, self.hi]}


class Heads:
    """The two categorical heads' bins, loss and decode."""

    def __init__(self, throttle_range):
        self.steering = BinSpec(STEERING_BINS, *STEERING_RANGE)
        self.throttle = BinSpec(THROTTLE_BINS, 0.0, throttle_range)

    def loss(self, angle, throttle, labels, throttle_weight):
        """Cross-entropy against two-hot targets: steering + throttle_weight x throttle."""
        loss_angle = soft_cross_entropy(angle, self.steering.two_hot(labels[:, 0]))
        loss_throttle = soft_cross_entropy(throttle, self.throttle.two_hot(labels[:, 1]))
        return loss_angle + throttle_weight * loss_throttle

    def steering_value(self, angle):
        return self.steering.expected(angle)


def soft_cross_entropy(logits, targets):
    return -(targets * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()


def replace_heads(model):
    """Turns a DonkeyLinear into Donkey's categorical: the heads emit bin logits."""
    model.angle = nn.Linear(50, STEERING_BINS)
    model.throttle = nn.Linear(50, THROTTLE_BINS)
    return model


def init_backbone(model, onnx_path):
    """Copies the convolution and dense weights of a linear model's ONNX into `model`.

    train.py's ONNX keeps PyTorch's parameter names (features.*, dense.*) as initializer
    names. The heads keep their fresh initialisation. Returns how many tensors were copied.
    """
    initializers = {t.name: t for t in onnx.load(onnx_path).graph.initializer}
    state = model.state_dict()
    copied = 0
    for name, param in state.items():
        if not name.startswith(("features.", "dense.")):
            continue
        if name not in initializers:
            raise ValueError(f"{onnx_path}: no initializer '{name}'; --init-from needs an "
                             "ONNX written by scripts/train.py (--type linear)")
        value = torch.from_numpy(onnx.numpy_helper.to_array(initializers[name]).copy())
        if value.shape != param.shape:
            raise ValueError(f"{onnx_path}: '{name}' has shape {tuple(value.shape)}, the "
                             f"model needs {tuple(param.shape)}")
        state[name] = value
        copied += 1
    model.load_state_dict(state)
    return copied


def metadata_block(heads):
    """The `categorical:` part of the metadata's `outputs` (docs/models.md), as YAML lines."""
    s, t = heads.steering, heads.throttle
    return f"""\
  categorical:     # both outputs are bin scores, decoded by the node
    steering: {{bins: {s.bins}, range: [{s.lo!r}, {s.hi!r}]}}
    throttle: {{bins: {t.bins}, range: [{t.lo!r}, {t.hi!r}]}}
    scores: logits     # no softmax in the graph: the node applies it
    decode: expected   # softmax-weighted mean of the bin values
"""
