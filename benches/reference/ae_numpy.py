"""The autoencoder's training loop in numpy, for `cargo bench --bench ae_epoch`.

The same loop as gradink's `train_autoencoder`: 1024 -> 32 ReLU -> 32 ReLU ->
32 ReLU -> 1024 sigmoid, loss = total squared error of the batch, backward
written by hand as in the course's numpy code, momentum SGD (M = mu*M - lr*grad,
W += M), float32 throughout, Xavier uniform weights and zero biases, a fresh
shuffle every epoch, per-batch loss bookkeeping as gradink keeps it. The
learning rate follows the same schedule (constant, or half a cosine down to zero).

Times the training part of every epoch (the validation pass is not timed,
as in gradink). Prints one JSON line:
{"seconds": [...], "valid_psnr": ..., "train_loss": [...], "blas": ...}.
"""

import time

import numpy as np

import common


def xavier(rng, n_in, n_out):
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, (n_in, n_out)).astype(np.float32)


def reconstruct(weights, biases, x):
    h = x
    for w, b in zip(weights[:3], biases[:3]):
        h = np.maximum(h @ w + b, 0)
    return 1.0 / (1.0 + np.exp(-(h @ weights[3] + biases[3])))


def mean_psnr(original, reconstruction):
    """Mean over images of 20 log10(1) - 10 log10(MSE), MSE floored at 1e-10 as in gradink."""
    mse = ((original.astype(np.float64) - reconstruction) ** 2).mean(axis=1)
    return float((-10.0 * np.log10(np.maximum(mse, 1e-10))).mean())


def main():
    p = common.parser(hidden=32, batch_size=36, lr=3e-5)
    p.add_argument("--momentum", type=float, default=0.9)
    a = p.parse_args()

    x_train, x_valid = common.load_images(a.data, "train"), common.load_images(a.data, "valid")
    n, pixels = x_train.shape
    rng = np.random.default_rng(a.seed)
    dims = [(pixels, a.hidden), (a.hidden, a.hidden), (a.hidden, a.hidden), (a.hidden, pixels)]
    weights = [xavier(rng, i, o) for i, o in dims]
    biases = [np.zeros((1, o), np.float32) for _, o in dims]
    params = weights + biases
    velocity = [np.zeros_like(q) for q in params]
    mu = np.float32(a.momentum)

    seconds, train_loss = [], []
    for epoch in range(a.epochs):
        lr = np.float32(common.rate(a.lr, a.schedule, epoch, a.epochs))
        started = time.perf_counter()
        order = rng.permutation(n)
        loss_sum = 0.0
        for start in range(0, n, a.batch_size):
            x = x_train[order[start:start + a.batch_size]]
            w1, w2, w3, w4 = weights
            b1, b2, b3, b4 = biases
            # forward
            z1 = x @ w1 + b1
            h1 = np.maximum(z1, 0)
            z2 = h1 @ w2 + b2
            h2 = np.maximum(z2, 0)
            z3 = h2 @ w3 + b3
            h3 = np.maximum(z3, 0)
            out = 1.0 / (1.0 + np.exp(-(h3 @ w4 + b4)))
            diff = out - x
            loss_sum += float((diff * diff).sum())
            # backward: d z4 = 2 (out - x) * out (1 - out)
            d4 = 2.0 * diff * out * (1.0 - out)
            d3 = (d4 @ w4.T) * (z3 > 0)
            d2 = (d3 @ w3.T) * (z2 > 0)
            d1 = (d2 @ w2.T) * (z1 > 0)
            grads = [
                x.T @ d1, h1.T @ d2, h2.T @ d3, h3.T @ d4,
                d1.sum(0, keepdims=True), d2.sum(0, keepdims=True),
                d3.sum(0, keepdims=True), d4.sum(0, keepdims=True),
            ]
            # momentum SGD, in place
            for q, m, g in zip(params, velocity, grads):
                m *= mu
                m -= lr * g
                q += m
        seconds.append(time.perf_counter() - started)
        train_loss.append(loss_sum / n)

    valid_psnr = mean_psnr(x_valid, reconstruct(weights, biases, x_valid))
    common.report(
        {
            "seconds": seconds,
            "valid_psnr": valid_psnr,
            "train_loss": train_loss,
            **common.numpy_info(),
        }
    )


if __name__ == "__main__":
    main()
