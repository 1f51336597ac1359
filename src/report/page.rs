//! REPORT.md: a page read top to bottom, one section per stage, each figure
//! embedded with a link relative to the page, each number from `Report`.

use super::markdown::{inline_code, Markdown};
use super::sections::{
    AutoencoderSection, ClassifierSection, GradcheckSection, OcrSection, Report, Section,
    SweepSection, SynthPagesSection,
};
use crate::options::Named;
use crate::runs::report::shell_quote;
use crate::train_autoencoder::OptimizerKind;

/// REPORT.md, top to bottom in the order the stages ran.
pub fn page(r: &Report) -> String {
    let mut md = Markdown::new();
    md.heading(1, "gradink report");
    md.paragraph(&format!(
        "Every number and figure below was measured by this run of gradink {} \
         (seed {}), which took {:.1} s. Re-running the command below with the same \
         seed gives the same numbers; only the timings change.",
        r.gradink_version, r.seed, r.total_seconds
    ));
    md.code(
        "sh",
        &format!("{}\n# every option spelt out:\n{}", r.command, r.reproduce),
    );
    if let Some(n) = &r.data_samples {
        md.paragraph(&format!(
            "Training data: {} ({} train, {} valid, {} test samples).",
            inline_code(&r.data.display().to_string()),
            n.train,
            n.valid,
            n.test
        ));
    }
    if let Some(line) = &r.missing_data {
        md.paragraph(&format!("**Training data missing.** {line}"));
    }

    gradcheck_markdown(&mut md, &r.gradcheck);
    classifier_markdown(&mut md, &r.classifier);
    sweep_markdown(&mut md, &r.sweep, r.classifier.ok());
    figures_markdown(&mut md, &r.classifier);
    ocr_markdown(&mut md, &r.ocr);
    synth_pages_markdown(&mut md, &r.synth_pages);
    autoencoder_markdown(&mut md, &r.autoencoder);

    md.heading(2, "Timings");
    let rows: Vec<Vec<String>> = r
        .timings
        .iter()
        .map(|t| vec![t.stage.clone(), format!("{:.2}", t.seconds)])
        .chain([vec!["total".into(), format!("{:.2}", r.total_seconds)]])
        .collect();
    md.table(&["stage", "seconds"], &rows);
    if let Some(c) = r.classifier.ok() {
        md.paragraph(&format!(
            "Classifier training: {:.3} s per epoch ({} training samples, batch {}).",
            c.summary.seconds_per_epoch, c.train_samples, c.summary.config.batch_size
        ));
    }
    md.finish()
}

/// Writes a section's heading, and when the section did not run, the line
/// saying why; its content when it ran.
fn opened<'a, T>(md: &mut Markdown, heading: &str, s: &'a Section<T>) -> Option<&'a T> {
    md.heading(2, heading);
    if let Some(note) = s.note() {
        md.paragraph(&note);
    }
    s.ok()
}

fn pct(x: f64) -> String {
    format!("{:.2}%", 100.0 * x)
}

fn gradcheck_markdown(md: &mut Markdown, s: &Section<GradcheckSection>) {
    let Some(g) = opened(md, "1. Gradient check", s) else {
        return;
    };
    md.paragraph(&format!(
        "Every scalar of every parameter of a freshly initialised classifier \
         (1024 → {} sigmoid → {} classes, seed from `--seed`), on {} real NIST samples from {}: \
         the analytic gradient from the tape against a central difference \
         (f64, ε = {:e}); a scalar passes when |analytic − numeric| ≤ {:e} + {:e}·|numeric| \
         (PyTorch's gradcheck tolerances). **{}**",
        g.hidden,
        g.classes,
        g.samples,
        inline_code(&g.data.display().to_string()),
        g.eps,
        g.atol,
        g.rtol,
        if g.all_passed {
            format!("All {} scalars pass.", g.scalars)
        } else {
            format!(
                "{} of {} scalars FAIL.",
                g.parameters.iter().map(|c| c.failures).sum::<usize>(),
                g.scalars
            )
        }
    ));
    let rows: Vec<Vec<String>> = g
        .parameters
        .iter()
        .map(|c| {
            vec![
                inline_code(&c.name),
                c.checked.to_string(),
                format!("{:.2e}", c.max_abs_err),
                format!("{:.2e}", c.max_rel_err),
                if c.passed() {
                    "pass".into()
                } else {
                    format!("FAIL ({})", c.failures)
                },
            ]
        })
        .collect();
    md.table(
        &[
            "parameter",
            "scalars",
            "max abs error",
            "max rel error",
            "result",
        ],
        &rows,
    );
}

fn classifier_markdown(md: &mut Markdown, s: &Section<ClassifierSection>) {
    let Some(c) = opened(md, "2. Classifier training", s) else {
        return;
    };
    let (m, hyper) = (&c.summary, &c.summary.config);
    md.paragraph(&format!(
        "1024 → {} sigmoid → {} softmax, trained with mini-batch SGD on the mean \
         cross-entropy: {} epochs, batch {}, learning rate {} ({} schedule), seed {}. \
         Model: {}.",
        hyper.hidden,
        c.classes,
        hyper.epochs,
        hyper.batch_size,
        hyper.lr,
        hyper.schedule.name(),
        hyper.seed,
        inline_code(&format!("{}/classifier.safetensors", c.folder))
    ));
    md.table(
        &["split", "accuracy"],
        &[
            vec!["train (after training)".to_string(), pct(m.train_acc)],
            vec!["valid (last epoch)".to_string(), pct(m.valid_acc)],
            vec!["valid (best epoch)".to_string(), pct(m.best_valid_acc)],
            vec!["test".to_string(), pct(m.test_acc)],
        ],
    );
    md.image("accuracy per epoch", &format!("{}/accuracy.png", c.folder));
    md.image("loss per epoch", &format!("{}/loss.png", c.folder));
}

fn sweep_markdown(
    md: &mut Markdown,
    s: &Section<SweepSection>,
    classifier: Option<&ClassifierSection>,
) {
    let Some(sw) = opened(md, "3. Learning-rate sweep", s) else {
        return;
    };
    let same = classifier.is_some_and(|c| c.summary.config.epochs == sw.epochs);
    md.paragraph(&format!(
        "The chosen rate, 10× and 0.1×, {} epochs each{}, everything else as in section 2.",
        sw.epochs,
        if same {
            ""
        } else {
            " (fewer than the main training, to keep the report's budget)"
        }
    ));
    let rows: Vec<Vec<String>> = sw
        .runs
        .iter()
        .map(|r| {
            vec![
                r.lr.to_string(),
                pct(r.train_acc),
                pct(r.valid_acc),
                pct(r.test_acc),
                format!("{:.3}", r.final_train_loss),
                format!("{:.3}", r.final_valid_loss),
            ]
        })
        .collect();
    md.table(
        &[
            "learning rate",
            "train acc",
            "valid acc",
            "test acc",
            "final train loss",
            "final valid loss",
        ],
        &rows,
    );
    if let Some(best) = sw
        .runs
        .iter()
        .max_by(|a, b| a.valid_acc.total_cmp(&b.valid_acc))
    {
        md.paragraph(&format!(
            "Best validation accuracy: learning rate {} ({}).",
            best.lr,
            pct(best.valid_acc)
        ));
    }
    md.image(
        "accuracy and loss for each learning rate",
        &format!("{}/sweep.png", sw.folder),
    );
}

fn figures_markdown(md: &mut Markdown, s: &Section<ClassifierSection>) {
    let Some(c) = opened(md, "4. Weights and confusion", s) else {
        return;
    };
    md.paragraph(
        "The first layer's weights (one 32×32 image per hidden unit, upright), \
         before and after training:",
    );
    md.image(
        "first-layer weights at initialisation",
        &format!("{}/weights_init.png", c.folder),
    );
    md.image(
        "first-layer weights after training",
        &format!("{}/weights_trained.png", c.folder),
    );
    md.paragraph("The test confusion matrix (rows: true class, columns: predicted):");
    md.image(
        "test confusion matrix",
        &format!("{}/confusion_test.png", c.folder),
    );
    let rows: Vec<Vec<String>> = c
        .summary
        .top_confusions
        .iter()
        .map(|t| vec![t.truth.clone(), t.predicted.clone(), t.count.to_string()])
        .collect();
    if rows.is_empty() {
        md.paragraph("No test sample was misclassified.");
    } else {
        md.paragraph("The most frequent confusions on the test set:");
        md.table(&["true", "read as", "test samples"], &rows);
    }
}

fn ocr_markdown(md: &mut Markdown, s: &Section<OcrSection>) {
    let Some(o) = opened(md, "5. Reading the photos (OCR)", s) else {
        return;
    };
    md.paragraph(&format!(
        "Every photo in {}, read with {}: the page is binarised, each connected \
         piece of ink (pieces of one character joined) is a character, boxes are \
         grouped into lines and ordered left to right, and each crop is made to look \
         like the training data and classified. Character accuracy = 1 − (edit \
         distance between recognised and true text, spaces removed) / (true characters).",
        inline_code(&o.images_folder.display().to_string()),
        inline_code(&o.model.display().to_string()),
    ));
    let rows: Vec<Vec<String>> = o
        .images
        .iter()
        .map(|i| {
            let or_dash = |v: Option<String>| v.unwrap_or_else(|| "–".into());
            vec![
                i.image.clone(),
                format!(
                    "{} / {}",
                    i.lines.len(),
                    or_dash(i.truth.as_ref().map(|t| t.len().to_string()))
                ),
                format!(
                    "{} / {}",
                    i.boxes,
                    or_dash(i.true_characters.map(|c| c.to_string()))
                ),
                or_dash(i.character_accuracy.map(pct)),
                or_dash(i.character_accuracy_trained.map(pct)),
                or_dash(i.character_accuracy_course.map(pct)),
                format!("{:.2}", i.seconds),
            ]
        })
        .collect();
    md.table(
        &[
            "photo",
            "lines found / true",
            "boxes / true characters",
            "character accuracy",
            "… with the classifier of section 2",
            "… with the course's MLP alone",
            "seconds",
        ],
        &rows,
    );
    if let Some(acc) = o.character_accuracy {
        let trained = o
            .character_accuracy_trained
            .map(|t| {
                format!(
                    " (the classifier trained in section 2 reads the same boxes at {})",
                    pct(t)
                )
            })
            .unwrap_or_default();
        let course = match (&o.course_model, o.character_accuracy_course) {
            (Some(path), Some(c)) => format!(
                "; the course's MLP alone ({}) reads them at {}",
                inline_code(&path.display().to_string()),
                pct(c)
            ),
            _ => String::new(),
        };
        md.paragraph(&format!(
            "**Overall character accuracy: {}**{trained}{course}.",
            pct(acc)
        ));
    }
    for f in &o.unreadable {
        md.paragraph(&format!("**{} could not be read:** {}", f.image, f.error));
    }
    md.paragraph(
        "How far each photo bends the two assumptions of the letter finder \
         (docs/math.md, section 9): one connected piece of ink per character, and \
         lines that a horizontal band separates, with characters of similar size.",
    );
    let rows: Vec<Vec<String>> = o
        .images
        .iter()
        .map(|i| {
            let a = &i.assumptions;
            vec![
                i.image.clone(),
                format!("{} → {}", a.ink_pieces, i.boxes),
                a.characters_in_pieces.to_string(),
                a.overlapping_neighbours.to_string(),
                format!("{:.1}", a.height_ratio),
                format!("{:.2}", a.largest_line_rise),
            ]
        })
        .collect();
    md.table(
        &[
            "photo",
            "ink pieces → characters",
            "characters in several pieces",
            "neighbours whose boxes overlap",
            "tallest / shortest box",
            "largest rise along a line (box heights)",
        ],
        &rows,
    );
    for i in &o.images {
        md.heading(3, &i.image);
        lines_table(md, &i.lines, i.truth.as_deref().unwrap_or_default());
        md.paragraph(&format!(
            "Mean classifier confidence {:.1}%. Boxes coloured by line, then the crops \
             as the classifier saw them with what it read:",
            100.0 * i.mean_confidence
        ));
        md.image(
            &format!("{} with its character boxes", i.image),
            &i.boxes_figure,
        );
        md.image(&format!("the crops of {}", i.image), &i.crops_figure);
    }
}

/// The lines read beside the true ones, line by line.
fn lines_table(md: &mut Markdown, read: &[String], truth: &[String]) {
    let show = |l: Option<&String>| l.map_or(String::new(), |l| inline_code(l));
    let rows: Vec<Vec<String>> = (0..read.len().max(truth.len()))
        .map(|k| vec![(k + 1).to_string(), show(read.get(k)), show(truth.get(k))])
        .collect();
    md.table(&["line", "recognised", "true"], &rows);
}

fn synth_pages_markdown(md: &mut Markdown, s: &Section<SynthPagesSection>) {
    let Some(g) = opened(md, "6. Reading generated photo-like pages", s) else {
        return;
    };
    md.paragraph(&format!(
        "{} pages per strength, written with handwriting the classifier never trained on \
         ({}) and made photo-like: letters slanted and spaced so that some touch, grey \
         pencil, a shadow, the sheet tilted on a dark desk, JPEG; seed {}. Read with {}, \
         as in section 5. The same pages: {}. A line is split right when a line read has \
         as many words as it; an invented line is one read beyond those written (from the \
         sheet's edge or the desk).",
        g.pages_per_strength,
        inline_code(&g.glyphs.display().to_string()),
        g.seed,
        inline_code(&g.model.display().to_string()),
        inline_code(&format!(
            "gradink synth-pages --glyphs {} --read --model {} --pages {} --seed {}",
            shell_quote(&g.glyphs.display().to_string()),
            shell_quote(&g.model.display().to_string()),
            g.pages_per_strength,
            g.seed
        )),
    ));
    let rows: Vec<Vec<String>> = g
        .strengths
        .iter()
        .map(|t| {
            let p = &t.score;
            vec![
                t.strength.to_string(),
                t.pages.to_string(),
                p.characters.to_string(),
                pct(p.accuracy()),
                format!("{} / {}", p.lines_split_right, p.lines_true),
                format!("{} / {}", p.lines_found, p.lines_true),
                p.lines_invented.to_string(),
            ]
        })
        .collect();
    md.table(
        &[
            "strength",
            "pages",
            "true characters",
            "character accuracy",
            "lines split right",
            "lines found / true",
            "invented lines",
        ],
        &rows,
    );
    for t in &g.strengths {
        md.heading(3, &format!("{} pages", t.strength));
        for page in &t.readings {
            md.paragraph(&format!(
                "{}: character accuracy {}.",
                inline_code(&page.photo),
                pct(page.score.accuracy())
            ));
            lines_table(md, &page.read, &page.truth);
            md.image(
                &format!("{} with its character boxes", page.photo),
                &format!("{}/{}", g.folder, page.boxes_figure),
            );
        }
    }
}

fn autoencoder_markdown(md: &mut Markdown, s: &Section<AutoencoderSection>) {
    let Some(a) = opened(md, "7. Autoencoder", s) else {
        return;
    };
    let m = &a.summary;
    let c = &m.config;
    let optimiser = match c.optimizer {
        OptimizerKind::Momentum => format!("SGD with momentum {}", c.momentum),
        OptimizerKind::Adam => "Adam".to_string(),
    };
    md.paragraph(&format!(
        "1024 → 32 → 32 → 32 → 1024 (ReLU, ReLU, ReLU, sigmoid), trained to reproduce \
         its input on the total squared error: {} epochs, batch {}, {optimiser}, \
         learning rate {:e} ({} schedule, {} warm-up epochs), {:?} start, seed {}. PSNR = 20·log10(1) − 10·log10(MSE) \
         per image, averaged over all {} validation images. Model: {}.",
        m.epochs,
        c.batch_size,
        c.lr,
        c.schedule.name(),
        c.warmup,
        c.init,
        c.seed,
        m.valid_images,
        inline_code(&format!("{}/autoencoder.safetensors", a.folder))
    ));
    md.table(
        &["measure", "value"],
        &[
            vec![
                "mean validation PSNR".to_string(),
                format!("{:.2} dB", m.valid_psnr_mean),
            ],
            vec![
                "PCA with 32 components (the linear baseline), same measure".to_string(),
                format!(
                    "{:.2} dB (network {:+.2} dB)",
                    m.pca_valid_psnr_mean, m.margin_over_pca_db
                ),
            ],
            vec![
                "validation squared error per image".to_string(),
                format!("{:.2}", m.valid_loss),
            ],
            vec![
                "training squared error per image (last epoch)".to_string(),
                format!("{:.2}", m.final_train_loss),
            ],
            vec![
                "seconds per epoch".to_string(),
                format!("{:.3}", m.seconds_per_epoch),
            ],
        ],
    );
    md.image(
        "autoencoder loss and validation PSNR per epoch",
        &format!("{}/ae_loss.png", a.folder),
    );
    md.paragraph(
        "Validation images (left), the network's reconstructions (middle) and PCA's (right):",
    );
    md.image(
        "validation images and their reconstructions",
        &format!("{}/reconstructions.png", a.folder),
    );
}
