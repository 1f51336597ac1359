//! A small Markdown writer for `gradink report`: headings, paragraphs,
//! tables, figures and code blocks, so the report's content code says what
//! it shows and not how Markdown is spelt.

use std::fmt::Write;

/// A Markdown document being written top to bottom.
#[derive(Clone, Debug, Default)]
pub struct Markdown {
    text: String,
}

impl Markdown {
    pub fn new() -> Self {
        Markdown::default()
    }

    /// `#`… heading; `level` is clamped to 1–6.
    pub fn heading(&mut self, level: usize, title: &str) -> &mut Self {
        let hashes = "#".repeat(level.clamp(1, 6));
        self.block(&format!("{hashes} {}", one_line(title)))
    }

    /// A paragraph of text, written as given (Markdown inside is kept).
    pub fn paragraph(&mut self, text: &str) -> &mut Self {
        self.block(text.trim())
    }

    /// A bulleted list, one item per entry.
    pub fn bullets<S: AsRef<str>>(&mut self, items: &[S]) -> &mut Self {
        let list: Vec<String> = items
            .iter()
            .map(|i| format!("- {}", one_line(i.as_ref())))
            .collect();
        self.block(&list.join("\n"))
    }

    /// A table. Cells are escaped (`|` and line breaks cannot break the
    /// layout); short rows are padded with empty cells.
    pub fn table<S: AsRef<str>>(&mut self, header: &[&str], rows: &[Vec<S>]) -> &mut Self {
        let cols = header.len().max(1);
        let row = |cells: Vec<String>| format!("| {} |", cells.join(" | "));
        let mut lines = vec![
            row(header.iter().map(|h| cell(h)).collect()),
            row(vec!["---".to_string(); cols]),
        ];
        for r in rows {
            let mut cells: Vec<String> = r.iter().take(cols).map(|c| cell(c.as_ref())).collect();
            cells.resize(cols, String::new());
            lines.push(row(cells));
        }
        self.block(&lines.join("\n"))
    }

    /// An embedded figure: `![alt](path)`, the path relative to the document.
    pub fn image(&mut self, alt: &str, path: &str) -> &mut Self {
        self.block(&format!("![{}]({})", link_text(alt), link_target(path)))
    }

    /// A fenced code block (the fence is made longer than any run of
    /// backticks inside, so any text fits).
    pub fn code(&mut self, language: &str, body: &str) -> &mut Self {
        let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
        let fence = "`".repeat(longest.max(2) + 1);
        self.block(&format!("{fence}{language}\n{}\n{fence}", body.trim_end()))
    }

    /// The document so far.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The finished document.
    pub fn finish(self) -> String {
        self.text
    }

    fn block(&mut self, body: &str) -> &mut Self {
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        let _ = writeln!(self.text, "{body}");
        self
    }
}

/// `text` as inline code, with a fence longer than any backtick run inside.
pub fn inline_code(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn cell(text: &str) -> String {
    one_line(text).replace('|', "\\|")
}

fn link_text(text: &str) -> String {
    one_line(text).replace('[', "(").replace(']', ")")
}

/// Spaces and parentheses would end a Markdown link early: percent-encode them.
fn link_target(path: &str) -> String {
    path.replace('\\', "/")
        .replace('%', "%25")
        .replace(' ', "%20")
        .replace('(', "%28")
        .replace(')', "%29")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_separated_by_one_blank_line() {
        let mut md = Markdown::new();
        md.heading(2, "Title").paragraph("Some text.");
        assert_eq!(md.finish(), "## Title\n\nSome text.\n");
    }

    #[test]
    fn table_escapes_pipes_and_pads_short_rows() {
        let mut md = Markdown::new();
        md.table(&["a", "b"], &[vec!["x|y"], vec!["1", "2"]]);
        assert_eq!(
            md.finish(),
            "| a | b |\n| --- | --- |\n| x\\|y |  |\n| 1 | 2 |\n"
        );
    }

    #[test]
    fn image_paths_cannot_break_the_link() {
        let mut md = Markdown::new();
        md.image("a [b]", "dir/my file(1).png");
        assert_eq!(md.finish(), "![a (b)](dir/my%20file%281%29.png)\n");
    }

    #[test]
    fn code_fences_outgrow_backticks_inside() {
        let mut md = Markdown::new();
        md.code("sh", "echo ```");
        assert_eq!(md.finish(), "````sh\necho ```\n````\n");
        assert_eq!(inline_code("a`b"), "``a`b``");
        assert_eq!(inline_code("plain"), "`plain`");
    }
}
