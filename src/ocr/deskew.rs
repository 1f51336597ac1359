//! A line's slant: handwriting leans, and a leaning letter is both read
//! worse and harder to cut from its neighbour. The slant is the shear that
//! makes the line's ink most upright, i.e. its column profile (after
//! shearing) most peaked: vertical strokes then fall into few columns.

use super::find_letters::Glyph;

/// Shears tried, from −MAX_SLANT to MAX_SLANT.
const MAX_SLANT: f32 = 0.4;
const SLANT_STEP: f32 = 0.02;

/// The slant of the characters `glyphs` of one line (labels and width as in
/// [`super::Letters`]): x moves right by slant × height above the middle.
pub fn line_slant(labels: &[u32], width: usize, glyphs: &[&Glyph]) -> f32 {
    let mut ink: Vec<(f32, f32)> = Vec::new();
    for g in glyphs {
        let middle = (g.y1 + g.y2) as f32 / 2.0;
        for y in g.y1..g.y2 {
            for x in g.x1..g.x2 {
                let l = labels[y * width + x];
                if l != 0 && g.parts.contains(&l) {
                    ink.push((x as f32 + 0.5, middle - y as f32 - 0.5));
                }
            }
        }
    }
    if ink.is_empty() {
        return 0.0;
    }
    let steps = (MAX_SLANT / SLANT_STEP).round() as i32;
    let mut best = (f64::MIN, 0.0f32);
    let mut bins: Vec<u32> = Vec::new();
    for k in -steps..=steps {
        let slant = k as f32 * SLANT_STEP;
        let shifted: Vec<f32> = ink.iter().map(|&(x, lift)| x - slant * lift).collect();
        let lo = shifted.iter().copied().fold(f32::MAX, f32::min);
        let hi = shifted.iter().copied().fold(f32::MIN, f32::max);
        bins.clear();
        bins.resize((hi - lo) as usize + 2, 0);
        for u in shifted {
            bins[(u - lo) as usize] += 1;
        }
        let peaked: f64 = bins.iter().map(|&b| (b as f64) * (b as f64)).sum();
        // Prefer the smaller slant on a tie (k runs outwards through 0 last).
        if peaked > best.0 || (peaked == best.0 && slant.abs() < best.1.abs()) {
            best = (peaked, slant);
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three leaning bars, shear 0.2: the estimate finds it.
    #[test]
    fn leaning_bars_give_their_slant() {
        let (w, h) = (200, 60);
        let mut labels = vec![0u32; w * h];
        for y in 0..h {
            let lift = h as f32 / 2.0 - y as f32 - 0.5;
            for start in [30.0f32, 80.0, 130.0] {
                let x0 = (start + 0.2 * lift).round() as usize;
                for x in x0..x0 + 4 {
                    labels[y * w + x] = 1;
                }
            }
        }
        let g = Glyph::boxed(1, [0, 0, h, w], 0);
        let slant = line_slant(&labels, w, &[&g]);
        assert!((slant - 0.2).abs() <= 0.021, "{slant}");
    }
}
