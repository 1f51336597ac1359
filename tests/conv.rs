//! Convolution and max pooling against the textbook nested loops, and
//! against numbers PyTorch computed for one fixed case
//! (`scripts/conv_reference.py` → `tests/fixtures/conv_torch.json`).

use gradink::conv::{
    conv2d, conv2d_backward, max_pool2d, max_pool2d_backward, max_pool2d_values, ConvShape,
};
use ndarray::{Array4, ArrayD, IxDyn};

/// The same formula as `filled` in the Python script: ((i·a + b) mod m − m/2) / m.
fn filled(shape: [usize; 4], a: usize, b: usize, m: usize) -> Array4<f64> {
    let n: usize = shape.iter().product();
    let v = (0..n)
        .map(|i| ((i * a + b) % m) as f64 - (m / 2) as f64)
        .map(|v| v / m as f64)
        .collect();
    Array4::from_shape_vec(shape, v).unwrap()
}

/// out[n,o,y,x] = Σ_{c,i,j} x[n,c,y·s+i−p, x·s+j−p] · w[o,c,i,j], and the
/// gradients of Σ out·r, all by nested loops.
fn naive(
    x: &Array4<f64>,
    w: &Array4<f64>,
    r: &Array4<f64>,
    s: &ConvShape,
) -> (Array4<f64>, Array4<f64>, Array4<f64>) {
    let mut y = Array4::zeros(s.output());
    let mut dx = Array4::zeros(x.dim());
    let mut dw = Array4::zeros(w.dim());
    for n in 0..s.n {
        for o in 0..s.o {
            for oy in 0..s.ho {
                for ox in 0..s.wo {
                    for c in 0..s.c {
                        for i in 0..s.kh {
                            for j in 0..s.kw {
                                let iy = (oy * s.stride + i) as isize - s.padding as isize;
                                let ix = (ox * s.stride + j) as isize - s.padding as isize;
                                if iy < 0 || ix < 0 || iy >= s.h as isize || ix >= s.w as isize {
                                    continue;
                                }
                                let (iy, ix) = (iy as usize, ix as usize);
                                y[[n, o, oy, ox]] += x[[n, c, iy, ix]] * w[[o, c, i, j]];
                                dx[[n, c, iy, ix]] += r[[n, o, oy, ox]] * w[[o, c, i, j]];
                                dw[[o, c, i, j]] += r[[n, o, oy, ox]] * x[[n, c, iy, ix]];
                            }
                        }
                    }
                }
            }
        }
    }
    (y, dx, dw)
}

fn close(a: &[f64], b: &[f64], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths differ");
    for (k, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= 1e-12 + 1e-10 * y.abs(),
            "{what}[{k}]: {x} vs {y}"
        );
    }
}

#[test]
fn conv_matches_nested_loops_forward_and_backward() {
    // (x shape, w shape, stride, padding): odd sizes, stride 2, padding 1 and 2,
    // a 1×1 kernel, a kernel as large as the padded image.
    let cases = [
        ([2, 3, 7, 6], [4, 3, 3, 3], 1, 1),
        ([2, 3, 7, 6], [4, 3, 3, 3], 2, 1),
        ([1, 2, 5, 5], [3, 2, 1, 1], 1, 0),
        ([3, 1, 9, 8], [2, 1, 3, 2], 2, 0),
        ([1, 4, 6, 7], [5, 4, 5, 3], 3, 2),
        ([2, 2, 3, 3], [1, 2, 5, 5], 1, 1),
    ];
    for (k, (xs, ws, stride, padding)) in cases.into_iter().enumerate() {
        let x = filled(xs, 37, k, 29);
        let w = filled(ws, 17, 5, 23);
        let s = ConvShape::new(x.shape(), w.shape(), stride, padding);
        let r = filled(s.output().into(), 13, 7, 19);
        let (y0, dx0, dw0) = naive(&x, &w, &r, &s);
        let y = conv2d(x.view(), w.view(), stride, padding);
        close(y.as_slice().unwrap(), y0.as_slice().unwrap(), "y");
        let mut dx = Array4::zeros(x.dim());
        let mut dw = Array4::zeros(w.dim());
        conv2d_backward(
            x.view(),
            w.view(),
            r.view(),
            &s,
            Some(dx.view_mut()),
            Some(dw.view_mut()),
        );
        close(dx.as_slice().unwrap(), dx0.as_slice().unwrap(), "dx");
        close(dw.as_slice().unwrap(), dw0.as_slice().unwrap(), "dw");
    }
}

#[test]
fn conv_in_f32_agrees_with_f64() {
    let x = filled([4, 8, 16, 16], 37, 1, 29);
    let w = filled([16, 8, 3, 3], 17, 5, 23);
    let y64 = conv2d(x.view(), w.view(), 1, 1);
    let y32 = conv2d(
        x.mapv(|v| v as f32).view(),
        w.mapv(|v| v as f32).view(),
        1,
        1,
    );
    for (a, b) in y32.iter().zip(&y64) {
        assert!((*a as f64 - b).abs() < 1e-4, "{a} vs {b}");
    }
}

#[test]
fn pooling_matches_nested_loops() {
    // Windows that do not divide the input (7×6 by 3, stride 2), overlap, and tile.
    for (shape, kernel, stride) in [
        ([2, 3, 7, 6], 3, 2),
        ([1, 2, 8, 8], 2, 2),
        ([1, 1, 5, 4], 2, 1),
    ] {
        let x = filled(shape, 41, 3, 31);
        let (y, from) = max_pool2d(x.view(), kernel, stride);
        let (ho, wo) = (
            (shape[2] - kernel) / stride + 1,
            (shape[3] - kernel) / stride + 1,
        );
        assert_eq!(y.dim(), (shape[0], shape[1], ho, wo));
        // Inference's pooling gives the same maxima without the indices.
        assert_eq!(max_pool2d_values(x.view(), kernel, stride), y);
        for ((n, c, oy, ox), &v) in y.indexed_iter() {
            let mut m = f64::NEG_INFINITY;
            for i in 0..kernel {
                for j in 0..kernel {
                    m = m.max(x[[n, c, oy * stride + i, ox * stride + j]]);
                }
            }
            assert_eq!(v, m);
        }
        let g = vec![1.0; y.len()];
        let mut dx = vec![0.0; x.len()];
        max_pool2d_backward(&g, &from, &mut dx);
        assert_eq!(dx.iter().sum::<f64>(), y.len() as f64);
        for (&i, &v) in from.iter().zip(y.iter()) {
            assert_eq!(x.as_slice().unwrap()[i as usize], v);
        }
    }
}

fn json_vec(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn conv_and_pooling_match_pytorch() {
    let text = std::fs::read_to_string("tests/fixtures/conv_torch.json").unwrap();
    let r: serde_json::Value = serde_json::from_str(&text).unwrap();
    let (conv, pool) = (&r["conv"], &r["pool"]);

    let x = filled([2, 3, 7, 6], 37, 11, 29);
    let w = filled([4, 3, 3, 3], 17, 5, 23);
    let s = ConvShape::new(x.shape(), w.shape(), 2, 1);
    let y = conv2d(x.view(), w.view(), 2, 1);
    assert_eq!(
        json_vec(&conv["y_shape"]),
        y.shape().iter().map(|&d| d as f64).collect::<Vec<_>>()
    );
    close(y.as_slice().unwrap(), &json_vec(&conv["y"]), "torch y");
    let rr = filled(s.output().into(), 13, 7, 19);
    let mut dx = Array4::zeros(x.dim());
    let mut dw = Array4::zeros(w.dim());
    conv2d_backward(
        x.view(),
        w.view(),
        rr.view(),
        &s,
        Some(dx.view_mut()),
        Some(dw.view_mut()),
    );
    close(dx.as_slice().unwrap(), &json_vec(&conv["dx"]), "torch dx");
    close(dw.as_slice().unwrap(), &json_vec(&conv["dw"]), "torch dw");

    let xp = filled([2, 3, 7, 6], 41, 3, 31);
    let (p, from) = max_pool2d(xp.view(), 3, 2);
    close(p.as_slice().unwrap(), &json_vec(&pool["y"]), "torch pool");
    let rp = filled(p.dim().into(), 13, 7, 19);
    let mut dxp = ArrayD::zeros(IxDyn(xp.shape()));
    max_pool2d_backward(rp.as_slice().unwrap(), &from, dxp.as_slice_mut().unwrap());
    close(
        dxp.as_slice().unwrap(),
        &json_vec(&pool["dx"]),
        "torch pool dx",
    );
}
