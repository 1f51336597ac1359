"""PyTorch's conv2d and max_pool2d on one fixed case, for tests/conv_torch.rs.

Run: extra_credit/.venv/bin/python scripts/conv_reference.py > tests/fixtures/conv_torch.json
Every input is a formula of its index (the Rust test rebuilds them), in f64.
"""
import json

import torch
import torch.nn.functional as F


def filled(shape, a, b, m):
    n = 1
    for d in shape:
        n *= d
    v = torch.tensor([((i * a + b) % m - m // 2) / m for i in range(n)], dtype=torch.float64)
    return v.reshape(shape)


x = filled((2, 3, 7, 6), 37, 11, 29).requires_grad_()
w = filled((4, 3, 3, 3), 17, 5, 23).requires_grad_()
y = F.conv2d(x, w, stride=2, padding=1)
r = filled(tuple(y.shape), 13, 7, 19)
(y * r).sum().backward()

xp = filled((2, 3, 7, 6), 41, 3, 31).requires_grad_()
p = F.max_pool2d(xp, kernel_size=3, stride=2)
rp = filled(tuple(p.shape), 13, 7, 19)
(p * rp).sum().backward()

print(json.dumps({
    "torch": torch.__version__,
    "conv": {"stride": 2, "padding": 1, "y_shape": list(y.shape),
             "y": y.detach().flatten().tolist(),
             "dx": x.grad.flatten().tolist(), "dw": w.grad.flatten().tolist()},
    "pool": {"kernel": 3, "stride": 2, "y_shape": list(p.shape),
             "y": p.detach().flatten().tolist(), "dx": xp.grad.flatten().tolist()},
}))
