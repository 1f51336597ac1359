"""The autoencoder's training loop in PyTorch eager on CPU, for `cargo bench --bench ae_epoch`.

The same loop as gradink's `train_autoencoder`, written the usual torch way:
nn.Sequential of Linear/ReLU/Sigmoid, loss = total squared error
(mse_loss with reduction="sum"), autograd, float32, Xavier uniform weights and
zero biases, a fresh shuffle every epoch. The update is gradink's momentum
rule (M = mu*M - lr*grad, W += M) with torch's multi-tensor `_foreach` ops,
the kernels torch.optim.SGD itself uses; torch.optim.SGD's own form
(v = mu*v + grad, W -= lr*v) would differ once the cosine schedule changes lr.
`--threads` intra-op threads (2 on this machine's 2 cores).

Times the training part of every epoch (the validation pass is not timed,
as in gradink). Prints one JSON line:
{"seconds": [...], "valid_psnr": ..., "train_loss": [...], "torch": ..., "threads": ...}.
"""

import time

import torch
from torch import nn

import common


def load(folder, split):
    """Images N x 1024 float32 from nist36_{split}.mat, as a tensor."""
    return torch.from_numpy(common.load_images(folder, split))


def main():
    p = common.parser(hidden=32, batch_size=36, lr=3e-5)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x_train, x_valid = load(a.data, "train"), load(a.data, "valid")
    n, pixels = x_train.shape
    h = a.hidden
    model = nn.Sequential(
        nn.Linear(pixels, h), nn.ReLU(),
        nn.Linear(h, h), nn.ReLU(),
        nn.Linear(h, h), nn.ReLU(),
        nn.Linear(h, pixels), nn.Sigmoid(),
    )
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)
    params = list(model.parameters())
    velocity = [torch.zeros_like(q) for q in params]
    generator = torch.Generator().manual_seed(a.seed)

    seconds, train_loss = [], []
    for epoch in range(a.epochs):
        lr = common.rate(a.lr, a.schedule, epoch, a.epochs)
        started = time.perf_counter()
        order = torch.randperm(n, generator=generator)
        loss_sum = 0.0
        for start in range(0, n, a.batch_size):
            x = x_train[order[start:start + a.batch_size]]
            for q in params:
                q.grad = None
            loss = nn.functional.mse_loss(model(x), x, reduction="sum")
            loss.backward()
            with torch.no_grad():
                grads = [q.grad for q in params]
                torch._foreach_mul_(velocity, a.momentum)
                torch._foreach_add_(velocity, grads, alpha=-lr)
                torch._foreach_add_(params, velocity)
            loss_sum += loss.item()
        seconds.append(time.perf_counter() - started)
        train_loss.append(loss_sum / n)

    with torch.no_grad():
        mse = ((model(x_valid) - x_valid).double() ** 2).mean(dim=1)
        valid_psnr = float((-10.0 * torch.log10(mse.clamp_min(1e-10))).mean())
    common.report(
        {
            "seconds": seconds,
            "valid_psnr": valid_psnr,
            "train_loss": train_loss,
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
        }
    )


if __name__ == "__main__":
    main()
