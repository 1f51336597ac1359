//! Connected components of an ink mask (8-connectivity), with each
//! component's bounding box and pixel count, in one two-pass union-find scan.

/// One connected blob of ink. Boxes are half-open: rows `y1..y2`, columns `x1..x2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Component {
    pub y1: usize,
    pub x1: usize,
    pub y2: usize,
    pub x2: usize,
    pub area: usize,
}

impl Component {
    pub fn height(&self) -> usize {
        self.y2 - self.y1
    }
    pub fn width(&self) -> usize {
        self.x2 - self.x1
    }
}

/// Labels every ink pixel of `mask` (non-zero = ink) with its component's
/// number, 1-based (0 = paper); component `k` is `components[k - 1]`.
pub fn label_components(mask: &[u8], width: usize, height: usize) -> (Vec<u32>, Vec<Component>) {
    assert_eq!(mask.len(), width * height, "label_components: mask size");
    let mut labels = vec![0u32; mask.len()];
    let mut parent: Vec<u32> = vec![0]; // parent[0] is the paper
    for y in 0..height {
        for x in 0..width {
            let i = y * width + x;
            if mask[i] == 0 {
                continue;
            }
            // Already-visited neighbours: W, NW, N, NE.
            let mut found = 0u32;
            let mut neighbours = [0u32; 4];
            if x > 0 {
                neighbours[0] = labels[i - 1];
            }
            if y > 0 {
                let up = i - width;
                if x > 0 {
                    neighbours[1] = labels[up - 1];
                }
                neighbours[2] = labels[up];
                if x + 1 < width {
                    neighbours[3] = labels[up + 1];
                }
            }
            for &n in &neighbours {
                if n == 0 {
                    continue;
                }
                if found == 0 {
                    found = find(&mut parent, n);
                } else {
                    found = union(&mut parent, found, n);
                }
            }
            if found == 0 {
                found = parent.len() as u32;
                parent.push(found);
            }
            labels[i] = found;
        }
    }
    // Second pass: final, consecutive numbers and the statistics.
    let mut number = vec![0u32; parent.len()];
    let mut components: Vec<Component> = Vec::new();
    for y in 0..height {
        for x in 0..width {
            let i = y * width + x;
            if labels[i] == 0 {
                continue;
            }
            let root = find(&mut parent, labels[i]) as usize;
            if number[root] == 0 {
                components.push(Component {
                    y1: y,
                    x1: x,
                    y2: y + 1,
                    x2: x + 1,
                    area: 0,
                });
                number[root] = components.len() as u32;
            }
            let k = number[root];
            labels[i] = k;
            let c = &mut components[k as usize - 1];
            c.x1 = c.x1.min(x);
            c.x2 = c.x2.max(x + 1);
            c.y2 = y + 1;
            c.area += 1;
        }
    }
    (labels, components)
}

fn find(parent: &mut [u32], mut a: u32) -> u32 {
    while parent[a as usize] != a {
        let grand = parent[parent[a as usize] as usize];
        parent[a as usize] = grand;
        a = grand;
    }
    a
}

fn union(parent: &mut [u32], a: u32, b: u32) -> u32 {
    let (ra, rb) = (find(parent, a), find(parent, b));
    let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
    parent[hi as usize] = lo;
    lo
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask(rows: &[&str]) -> (Vec<u8>, usize, usize) {
        let w = rows[0].len();
        let m = rows
            .iter()
            .flat_map(|r| r.bytes().map(|b| u8::from(b == b'#')))
            .collect();
        (m, w, rows.len())
    }

    #[test]
    fn diagonal_pixels_join_and_separate_blobs_stay_apart() {
        let (m, w, h) = mask(&[
            "#....##", //
            ".#...#.", //
            "..#....", //
            ".......", //
            "##.....", //
        ]);
        let (labels, comps) = label_components(&m, w, h);
        assert_eq!(comps.len(), 3);
        assert_eq!(
            comps[0],
            Component {
                y1: 0,
                x1: 0,
                y2: 3,
                x2: 3,
                area: 3
            }
        );
        assert_eq!(comps[1].area, 3);
        assert_eq!((comps[2].y1, comps[2].x2), (4, 2));
        assert_eq!(labels[2 * w + 2], 1);
    }

    #[test]
    fn a_u_shape_merged_late_is_one_component() {
        let (m, w, h) = mask(&[
            "#...#", //
            "#...#", //
            "#####", //
        ]);
        let (labels, comps) = label_components(&m, w, h);
        assert_eq!(comps.len(), 1);
        assert_eq!(comps[0].area, 9);
        assert!(labels.iter().all(|&l| l <= 1));
    }
}
