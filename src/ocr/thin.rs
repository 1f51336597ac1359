//! Zhang–Suen thinning: a binary shape peeled down to one-pixel-wide
//! centre lines. Crops are redrawn from these lines with the training data's
//! pen width, so a thin ballpoint and a thick marker look alike.

/// Thins `mask` (row-major, non-zero = ink) in place to its skeleton.
pub fn thin(mask: &mut [u8], width: usize, height: usize) {
    assert_eq!(mask.len(), width * height, "thin: mask size");
    if width < 3 || height < 3 {
        return;
    }
    let mut remove = Vec::new();
    loop {
        let mut changed = false;
        for step in 0..2 {
            remove.clear();
            for y in 1..height - 1 {
                for x in 1..width - 1 {
                    let i = y * width + x;
                    if mask[i] == 0 {
                        continue;
                    }
                    // Neighbours P2..P9 clockwise from north.
                    let p = [
                        mask[i - width],
                        mask[i - width + 1],
                        mask[i + 1],
                        mask[i + width + 1],
                        mask[i + width],
                        mask[i + width - 1],
                        mask[i - 1],
                        mask[i - width - 1],
                    ]
                    .map(|v| (v != 0) as u8);
                    let count: u8 = p.iter().sum();
                    if !(2..=6).contains(&count) {
                        continue;
                    }
                    let transitions = (0..8).filter(|&k| p[k] == 0 && p[(k + 1) % 8] == 1).count();
                    if transitions != 1 {
                        continue;
                    }
                    let (n, e, s, w) = (p[0], p[2], p[4], p[6]);
                    let keep = if step == 0 {
                        n * e * s != 0 || e * s * w != 0
                    } else {
                        n * e * w != 0 || n * s * w != 0
                    };
                    if !keep {
                        remove.push(i);
                    }
                }
            }
            for &i in &remove {
                mask[i] = 0;
            }
            changed |= !remove.is_empty();
        }
        if !changed {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thick_bar_becomes_a_thin_line_of_the_same_length() {
        let (w, h) = (40, 12);
        let mut m = vec![0u8; w * h];
        for y in 3..9 {
            for x in 5..35 {
                m[y * w + x] = 1;
            }
        }
        thin(&mut m, w, h);
        for x in 10..30 {
            let column: u32 = (0..h).map(|y| m[y * w + x] as u32).sum();
            assert_eq!(column, 1, "column {x} is one pixel thick");
        }
        let ink: usize = m.iter().map(|&v| v as usize).sum();
        assert!((22..=34).contains(&ink), "{ink}");
    }
}
