//! Photo-like pages of handwriting for measuring the reader on writing it
//! has never seen: held-out EMNIST glyphs written into words and lines the
//! way people write (slanted, some letters touching, pen or grey pencil),
//! on a sheet with a shadow across one corner, tilted in slight perspective
//! on a dark desk, saved as a JPEG. Every random choice comes from one seed,
//! and each page comes with its true text.
//!
//! Three strengths, the strongest being the worst case: shear up to
//! ±0.18, about a third of neighbouring letters touching, pencil at a third
//! of the pen's contrast, a shadow darkening a corner to half, the sheet
//! tilted by up to 3.5°, JPEG quality 70.

use crate::error::{Error, Result};
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, GrayImage, RgbImage};
use imageproc::geometric_transformations::Projection;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;

/// EMNIST tiles are 28×28, white ink on black, upright.
pub const TILE: u32 = 28;
/// NIST36 classes: A–Z then 0–9.
const CLASSES: usize = 36;

/// How hard a page is; the three named settings are [`Strength::ALL`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Strength {
    pub name: &'static str,
    /// Largest |shear| of a line's letters (x moves by shear × height).
    pub max_shear: f64,
    /// Chance that two neighbouring letters of a word touch.
    pub touching: f64,
    /// Ink contrast relative to a dark pen (1 = pen, 1/3 = grey pencil).
    pub contrast: f64,
    /// The shadowed corner's brightness (1 = no shadow).
    pub shadow: f64,
    /// Largest tilt of the sheet, degrees.
    pub max_tilt_deg: f64,
    /// How much narrower the far edge of the sheet looks (perspective).
    pub perspective: f64,
    pub jpeg_quality: u8,
}

impl Strength {
    pub const MILD: Strength = Strength {
        name: "mild",
        max_shear: 0.06,
        touching: 0.0,
        contrast: 1.0,
        shadow: 0.85,
        max_tilt_deg: 1.0,
        perspective: 0.0,
        jpeg_quality: 90,
    };
    pub const MEDIUM: Strength = Strength {
        name: "medium",
        max_shear: 0.12,
        touching: 0.15,
        contrast: 0.6,
        shadow: 0.7,
        max_tilt_deg: 2.5,
        perspective: 0.015,
        jpeg_quality: 80,
    };
    pub const STRONG: Strength = Strength {
        name: "strong",
        max_shear: 0.18,
        touching: 0.3,
        contrast: 1.0 / 3.0,
        shadow: 0.5,
        max_tilt_deg: 3.5,
        perspective: 0.03,
        jpeg_quality: 70,
    };
    pub const ALL: [Strength; 3] = [Self::MILD, Self::MEDIUM, Self::STRONG];

    /// The setting called `name` (mild, medium, strong).
    pub fn named(name: &str) -> Option<Strength> {
        Self::ALL.into_iter().find(|s| s.name == name)
    }
}

/// Handwritten glyphs to write with: per NIST36 class, 28×28 EMNIST tiles.
#[derive(Clone, Debug)]
pub struct GlyphBank {
    pub by_class: Vec<Vec<GrayImage>>,
}

impl GlyphBank {
    /// A bank from (tile, class) pairs.
    pub fn new(tiles: impl IntoIterator<Item = (GrayImage, usize)>) -> Self {
        let mut by_class = vec![Vec::new(); CLASSES];
        for (tile, class) in tiles {
            by_class[class].push(tile);
        }
        GlyphBank { by_class }
    }

    /// Reads a glyph sheet written by [`GlyphBank::to_sheet`]: row `c` of
    /// 28×28 tiles holds class `c`; an all-black tile ends a row.
    pub fn from_sheet(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let sheet = super::page::open_image(path)?.to_luma8();
        if sheet.height() != TILE * CLASSES as u32 || sheet.width() % TILE != 0 {
            return Err(Error::Malformed {
                path: path.to_path_buf(),
                reason: format!(
                    "a glyph sheet is 36 rows of 28×28 tiles, not {}×{} pixels",
                    sheet.width(),
                    sheet.height()
                ),
            });
        }
        let mut tiles = Vec::new();
        for c in 0..CLASSES as u32 {
            for k in 0..sheet.width() / TILE {
                let tile =
                    image::imageops::crop_imm(&sheet, k * TILE, c * TILE, TILE, TILE).to_image();
                if tile.pixels().all(|p| p[0] < 32) {
                    break;
                }
                tiles.push((tile, c as usize));
            }
        }
        let bank = GlyphBank::new(tiles);
        if bank.by_class.iter().any(|v| v.is_empty()) {
            return Err(Error::Malformed {
                path: path.to_path_buf(),
                reason: "some class has no glyph".into(),
            });
        }
        Ok(bank)
    }

    /// One row of tiles per class (the format [`GlyphBank::from_sheet`] reads).
    pub fn to_sheet(&self) -> GrayImage {
        let most = self.by_class.iter().map(Vec::len).max().unwrap_or(0) as u32;
        let mut sheet = GrayImage::new(TILE * most.max(1), TILE * CLASSES as u32);
        for (c, tiles) in self.by_class.iter().enumerate() {
            for (k, tile) in tiles.iter().enumerate() {
                image::imageops::replace(
                    &mut sheet,
                    tile,
                    (k as u32 * TILE) as i64,
                    (c as u32 * TILE) as i64,
                );
            }
        }
        sheet
    }
}

/// A generated photo and what is written on it.
#[derive(Clone, Debug)]
pub struct SynthPage {
    pub photo: DynamicImage,
    /// The JPEG file's bytes (`photo` is their decoding).
    pub jpeg: Vec<u8>,
    /// The true text, one string per line, words separated by one space.
    pub lines: Vec<String>,
    /// Every written character and where it landed in the photo, in writing order.
    pub chars: Vec<WrittenChar>,
}

/// One character of a generated page: what it is, and the box of its
/// (unslanted) ink in the photo's pixels, `[x1, y1, x2, y2]`.
#[derive(Clone, Debug, PartialEq)]
pub struct WrittenChar {
    pub ch: char,
    pub photo_box: [f32; 4],
}

impl WrittenChar {
    /// The centre of the character's box.
    pub fn centre(&self) -> (f32, f32) {
        let [x1, y1, x2, y2] = self.photo_box;
        ((x1 + x2) / 2.0, (y1 + y2) / 2.0)
    }
}

/// Words to write: common words covering every capital, and numbers (left
/// out of the letter model's counts, `spelling::count_words`).
pub const SYNTH_WORDS: &[&str] = &[
    "THE", "QUICK", "BROWN", "FOX", "JUMPS", "OVER", "LAZY", "DOG", "PACK", "MY", "BOX", "WITH",
    "FIVE", "DOZEN", "LIQUOR", "JUGS", "WALTZ", "NYMPH", "FOR", "JIGS", "VEX", "SPHINX", "BLACK",
    "QUARTZ", "JUDGE", "VOW", "MIXED", "ZEBRA", "KING", "WHEAT", "YARD", "HOUSE", "GARDEN",
    "RIVER", "MOUNTAIN", "LETTER", "NUMBER", "PAPER", "PENCIL", "WINDOW", "LEARNING", "DEEP",
    "NETWORK", "WEIGHT", "TRAIN", "MODEL", "VALUE", "JOURNEY", "EXPLORE", "FIZZ", "BUZZ", "QUIZ",
    "OXYGEN", "VELVET", "KNIGHT", "JAZZ", "WAVE", "YOUTH", "MARKET", "FROZEN", "GIVE", "TAKE",
    "LIST", "CHECK", "THING", "REWARD", "NAP", "HELLO", "WORLD", "SUMMER", "WINTER", "AUTUMN",
    "SPRING", "MONDAY", "FRIDAY", "KEY", "LOCK", "DOOR", "TABLE", "CHAIR", "LAMP", "BOOK", "WAX",
    "2024", "17", "365", "42", "1990", "808", "7", "13", "56", "4096", "31", "250",
];

/// The glyph of one written character, cut to its ink.
struct Ink {
    width: usize,
    height: usize,
    cover: Vec<f32>,
}

impl Ink {
    /// The tile's ink (0–1), cropped to where it is, or `None` for a blank tile.
    fn of(tile: &GrayImage) -> Option<Ink> {
        let on = |x: u32, y: u32| tile.get_pixel(x, y)[0] > 40;
        let xs: Vec<u32> = (0..tile.width())
            .filter(|&x| (0..tile.height()).any(|y| on(x, y)))
            .collect();
        let ys: Vec<u32> = (0..tile.height())
            .filter(|&y| (0..tile.width()).any(|x| on(x, y)))
            .collect();
        let (x1, x2, y1, y2) = (*xs.first()?, *xs.last()?, *ys.first()?, *ys.last()?);
        let (width, height) = ((x2 - x1 + 1) as usize, (y2 - y1 + 1) as usize);
        let cover = (y1..=y2)
            .flat_map(|y| (x1..=x2).map(move |x| (x, y)))
            .map(|(x, y)| tile.get_pixel(x, y)[0] as f32 / 255.0)
            .collect();
        Some(Ink {
            width,
            height,
            cover,
        })
    }

    /// Bilinear ink at (u, v) in tile pixels, 0 outside.
    fn at(&self, u: f64, v: f64) -> f32 {
        let (u, v) = (u - 0.5, v - 0.5);
        let (u0, v0) = (u.floor(), v.floor());
        let (fu, fv) = ((u - u0) as f32, (v - v0) as f32);
        let get = |x: f64, y: f64| -> f32 {
            if x < 0.0 || y < 0.0 || x >= self.width as f64 || y >= self.height as f64 {
                0.0
            } else {
                self.cover[y as usize * self.width + x as usize]
            }
        };
        let top = get(u0, v0) * (1.0 - fu) + get(u0 + 1.0, v0) * fu;
        let bottom = get(u0, v0 + 1.0) * (1.0 - fu) + get(u0 + 1.0, v0 + 1.0) * fu;
        top * (1.0 - fv) + bottom * fv
    }
}

/// The photo's size: about 2 MP, read at full resolution.
const PHOTO: (usize, usize) = (1600, 1200);

/// Writes one photo-like page with glyphs from `bank` (classes whose tiles
/// are blank are skipped). Same bank, strength and seed: the same page.
pub fn synth_page(bank: &GlyphBank, strength: &Strength, seed: u64) -> SynthPage {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (sw, sh) = (1500usize, 1100usize);
    let letter = rng.random_range(55.0..80.0);
    let (mut cover, lines, sheet_boxes) = write_lines(bank, strength, letter, sw, sh, &mut rng);
    let contrast = strength.contrast as f32;
    // Paper reflectance with the ink laid in; pen ink is 0.12 of the paper.
    let mut sheet: Vec<f32> = cover
        .iter_mut()
        .map(|c| 1.0 - *c * contrast * 0.88)
        .collect();
    shade_corner(&mut sheet, sw, sh, strength.shadow as f32, &mut rng);
    let (photo, to_photo) = place_on_desk(&sheet, sw, sh, strength, &mut rng);
    let chars = sheet_boxes
        .into_iter()
        .map(|(ch, sheet_box)| WrittenChar {
            ch,
            photo_box: projected_box(&to_photo, sheet_box),
        })
        .collect();
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, strength.jpeg_quality)
        .encode_image(&photo)
        .expect("encoding an RGB image into memory cannot fail");
    let photo = image::load_from_memory(&jpeg).expect("a JPEG just written decodes");
    SynthPage {
        photo,
        jpeg,
        lines,
        chars,
    }
}

/// The photo box `[x1, y1, x2, y2]` holding the sheet box `b` seen through `p`.
fn projected_box(p: &Projection, b: [f32; 4]) -> [f32; 4] {
    let [x1, y1, x2, y2] = b;
    let corners = [(x1, y1), (x2, y1), (x2, y2), (x1, y2)].map(|c| *p * c);
    corners.iter().fold(
        [f32::MAX, f32::MAX, f32::MIN, f32::MIN],
        |[a, b, c, d], &(x, y)| [a.min(x), b.min(y), c.max(x), d.max(y)],
    )
}

/// Each written character and its unslanted box on the sheet, `[x1, y1, x2, y2]`.
type SheetBoxes = Vec<(char, [f32; 4])>;

/// Lays out lines of words on a `w × h` sheet and draws their ink (0–1).
fn write_lines(
    bank: &GlyphBank,
    s: &Strength,
    letter: f64,
    w: usize,
    h: usize,
    rng: &mut ChaCha8Rng,
) -> (Vec<f32>, Vec<String>, SheetBoxes) {
    let mut cover = vec![0.0f32; w * h];
    let mut lines = Vec::new();
    let mut boxes = Vec::new();
    // Only words whose every character has a glyph (a bank of letters
    // alone writes no numbers); with every class there, all the words.
    let writable: Vec<&str> = SYNTH_WORDS
        .iter()
        .copied()
        .filter(|word| {
            word.chars()
                .all(|ch| !bank.by_class[class_of(ch)].is_empty())
        })
        .collect();
    if writable.is_empty() {
        return (cover, lines, boxes);
    }
    let margin = 1.4 * letter;
    let mut y = margin + rng.random_range(0.0..letter);
    let line_count = rng.random_range(3..=5);
    for _ in 0..line_count {
        if y + letter > h as f64 - margin {
            break;
        }
        let shear = rng.random_range(-s.max_shear..=s.max_shear);
        let mut x = margin + rng.random_range(0.0..2.0 * letter);
        let mut text = String::new();
        loop {
            let word = writable[rng.random_range(0..writable.len())];
            let advance = word.len() as f64 * 0.85 * letter;
            if !text.is_empty() && x + advance > w as f64 - margin {
                break;
            }
            if !text.is_empty() {
                text.push(' ');
            }
            for (k, ch) in word.chars().enumerate() {
                let class = class_of(ch);
                let tiles = &bank.by_class[class];
                let Some(ink) = Ink::of(&tiles[rng.random_range(0..tiles.len())]) else {
                    continue;
                };
                if k > 0 {
                    x += if rng.random_bool(s.touching) {
                        -rng.random_range(0.02..0.12) * letter
                    } else {
                        rng.random_range(0.08..0.4) * letter
                    };
                }
                // Writers keep capitals and digits about one height.
                let size = letter / ink.height as f64 * rng.random_range(0.9..1.1);
                let top = y + rng.random_range(-0.05..0.05) * letter;
                let slant = shear + rng.random_range(-0.03..0.03);
                stamp(&mut cover, w, h, &ink, x, top, size, slant);
                let (gw, gh) = (ink.width as f64 * size, ink.height as f64 * size);
                boxes.push((ch, [x, top, x + gw, top + gh].map(|v| v as f32)));
                x += gw;
                text.push(ch);
            }
            x += rng.random_range(1.1..1.7) * letter;
        }
        lines.push(text);
        y += rng.random_range(1.9..2.5) * letter;
    }
    (cover, lines, boxes)
}

/// The NIST36 class of a capital or digit.
pub(super) fn class_of(ch: char) -> usize {
    match ch {
        'A'..='Z' => ch as usize - 'A' as usize,
        '0'..='9' => 26 + ch as usize - '0' as usize,
        _ => unreachable!("the word list holds capitals and digits"),
    }
}

/// Draws `ink` scaled by `size` with its top-left at (x, top), sheared so
/// that x moves by `shear` × (height above the glyph's middle).
#[allow(clippy::too_many_arguments)]
fn stamp(
    cover: &mut [f32],
    w: usize,
    h: usize,
    ink: &Ink,
    x: f64,
    top: f64,
    size: f64,
    shear: f64,
) {
    let (gw, gh) = (ink.width as f64 * size, ink.height as f64 * size);
    let middle = top + gh / 2.0;
    let reach = shear.abs() * gh / 2.0 + 2.0;
    let (x1, x2) = ((x - reach).floor().max(0.0), (x + gw + reach).ceil());
    let (y1, y2) = (top.floor().max(0.0), (top + gh).ceil());
    for py in y1 as usize..(y2 as usize).min(h) {
        let lift = middle - (py as f64 + 0.5);
        for px in x1 as usize..(x2 as usize).min(w) {
            let u = (px as f64 + 0.5 - x - shear * lift) / size;
            let v = (py as f64 + 0.5 - top) / size;
            let c = ink.at(u, v);
            let cell = &mut cover[py * w + px];
            *cell = cell.max(c);
        }
    }
}

/// Darkens one corner of the sheet to `depth` beyond a soft diagonal edge.
fn shade_corner(sheet: &mut [f32], w: usize, h: usize, depth: f32, rng: &mut ChaCha8Rng) {
    let corner = rng.random_range(0..4);
    let (cx, cy) = (
        if corner % 2 == 0 { 0.0 } else { w as f64 },
        if corner < 2 { 0.0 } else { h as f64 },
    );
    let reach = rng.random_range(0.3..0.5) * (w + h) as f64 / 2.0;
    let soft = 40.0;
    for y in 0..h {
        for x in 0..w {
            // L1 distance to the corner: the shadow's edge is a diagonal.
            let d = (x as f64 - cx).abs() + (y as f64 - cy).abs();
            let t = ((reach - d) / soft + 0.5).clamp(0.0, 1.0) as f32;
            sheet[y * w + x] *= 1.0 - t * (1.0 - depth);
        }
    }
}

/// Puts the sheet, tilted and in slight perspective, on a dark desk and
/// takes the photo (with a little blur and sensor noise); with the
/// projection from sheet to photo pixels.
fn place_on_desk(
    sheet: &[f32],
    sw: usize,
    sh: usize,
    s: &Strength,
    rng: &mut ChaCha8Rng,
) -> (RgbImage, Projection) {
    let (pw, ph) = PHOTO;
    let tilt = rng
        .random_range(-s.max_tilt_deg..=s.max_tilt_deg)
        .to_radians();
    // The sheet fills most of the frame; the desk shows as strips, some thin.
    let fill = rng.random_range(0.9..1.0) * pw as f64 / sw as f64;
    let (cx, cy) = (
        pw as f64 / 2.0 + rng.random_range(-40.0..40.0),
        ph as f64 / 2.0 + rng.random_range(-40.0..40.0),
    );
    let squeeze = s.perspective * rng.random_range(0.5..1.0);
    let far_top = rng.random_bool(0.5);
    let corners = [
        (0.0, 0.0),
        (sw as f64, 0.0),
        (sw as f64, sh as f64),
        (0.0, sh as f64),
    ];
    let to = corners.map(|(x, y)| {
        let (mut dx, dy) = ((x - sw as f64 / 2.0) * fill, (y - sh as f64 / 2.0) * fill);
        let far = if far_top { y == 0.0 } else { y > 0.0 };
        if far {
            dx *= 1.0 - squeeze;
        }
        let (sin, cos) = tilt.sin_cos();
        (
            (cx + dx * cos - dy * sin) as f32,
            (cy + dx * sin + dy * cos) as f32,
        )
    });
    let from = corners.map(|(x, y)| (x as f32, y as f32));
    let back = Projection::from_control_points(to, from)
        .expect("four corners of a convex quadrilateral give a projection");
    let forward = Projection::from_control_points(from, to)
        .expect("four corners of a convex quadrilateral give a projection");
    let desk = rng.random_range(0.12..0.25);
    let grain: f64 = rng.random_range(0.0..std::f64::consts::TAU);
    let mut grey = vec![0.0f32; pw * ph];
    let mut on_sheet = vec![false; pw * ph];
    for py in 0..ph {
        for px in 0..pw {
            let (u, v) = back * (px as f32 + 0.5, py as f32 + 0.5);
            let i = py * pw + px;
            if u >= 0.0 && v >= 0.0 && u < sw as f32 && v < sh as f32 {
                grey[i] = bilinear(sheet, sw, sh, u as f64, v as f64) * 0.9;
                on_sheet[i] = true;
            } else {
                let wood = 0.03 * ((py as f64 * 0.05 + grain).sin() + (px as f64 * 0.004).sin());
                grey[i] = (desk + wood) as f32;
            }
        }
    }
    let grey = super::filters::gaussian_blur(&grey, pw, ph, 0.7);
    let mut photo = RgbImage::new(pw as u32, ph as u32);
    for (i, p) in photo.pixels_mut().enumerate() {
        let noise = rng.random_range(-0.015..0.015);
        let v = grey[i] + noise;
        let tint = if on_sheet[i] {
            [1.0, 0.98, 0.94]
        } else {
            [1.25, 0.95, 0.7]
        };
        for (c, t) in p.0.iter_mut().zip(tint) {
            *c = (v * t * 255.0).clamp(0.0, 255.0) as u8;
        }
    }
    (photo, forward)
}

fn bilinear(data: &[f32], w: usize, h: usize, u: f64, v: f64) -> f32 {
    let (u, v) = ((u - 0.5).max(0.0), (v - 0.5).max(0.0));
    let (x0, y0) = ((u as usize).min(w - 1), (v as usize).min(h - 1));
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (fx, fy) = ((u - x0 as f64) as f32, (v - y0 as f64) as f32);
    let top = data[y0 * w + x0] * (1.0 - fx) + data[y0 * w + x1] * fx;
    let bottom = data[y1 * w + x0] * (1.0 - fx) + data[y1 * w + x1] * fx;
    top * (1.0 - fy) + bottom * fy
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar_bank() -> GlyphBank {
        // Every class a vertical bar: enough to check layout and determinism.
        let tile = GrayImage::from_fn(TILE, TILE, |x, y| {
            image::Luma([if (12..16).contains(&x) && (2..26).contains(&y) {
                255
            } else {
                0
            }])
        });
        GlyphBank::new((0..CLASSES).map(|c| (tile.clone(), c)))
    }

    #[test]
    fn same_seed_same_page_and_truth_is_words() {
        let bank = bar_bank();
        let a = synth_page(&bank, &Strength::STRONG, 7);
        let b = synth_page(&bank, &Strength::STRONG, 7);
        assert_eq!(a.jpeg, b.jpeg);
        assert_eq!(a.lines, b.lines);
        assert!((3..=5).contains(&a.lines.len()));
        assert!(a
            .lines
            .iter()
            .all(|l| l.split(' ').all(|w| SYNTH_WORDS.contains(&w))));
        assert_ne!(synth_page(&bank, &Strength::STRONG, 8).jpeg, a.jpeg);
    }

    /// Every written character is recorded, in the order of the truth
    /// text, with a box in the photo that holds its ink.
    #[test]
    fn each_written_character_is_where_its_ink_is() {
        let page = synth_page(&bar_bank(), &Strength::MILD, 3);
        let text: String = page.lines.concat().replace(' ', "");
        let recorded: String = page.chars.iter().map(|c| c.ch).collect();
        assert_eq!(recorded, text);
        let grey = page.photo.to_luma8();
        for c in &page.chars {
            let [x1, y1, x2, y2] = c.photo_box.map(|v| v.round() as u32);
            assert!(x1 < x2 && y1 < y2 && x2 <= grey.width() && y2 <= grey.height());
            let darkest = (y1..y2)
                .flat_map(|y| (x1..x2).map(move |x| (x, y)))
                .map(|(x, y)| grey.get_pixel(x, y)[0])
                .min()
                .unwrap();
            assert!(
                darkest < 100,
                "{} at {:?}: darkest {darkest}",
                c.ch,
                c.photo_box
            );
        }
    }

    #[test]
    fn a_sheet_round_trips() {
        let bank = bar_bank();
        let dir = std::env::temp_dir().join("gradink_synth_sheet.png");
        bank.to_sheet().save(&dir).unwrap();
        let back = GlyphBank::from_sheet(&dir).unwrap();
        assert_eq!(back.by_class.len(), CLASSES);
        assert!(back.by_class.iter().all(|v| v.len() == 1));
    }
}
