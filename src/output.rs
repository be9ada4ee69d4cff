//! Where every command writes: stdout through one `Printer`, plus the error report on stderr.
use std::io::{self, Write};

/// The single writer all commands print through. Tests hand in a buffer.
pub struct Printer<'a> {
    out: Box<dyn Write + 'a>,
}

impl<'a> Printer<'a> {
    pub fn new(out: impl Write + 'a) -> Self {
        Printer { out: Box::new(out) }
    }

    pub fn stdout() -> Printer<'static> {
        Printer::new(io::stdout())
    }

    /// Writes `text` as it is (callers add newlines).
    pub fn write_str(&mut self, text: &str) -> io::Result<()> {
        self.out.write_all(text.as_bytes())
    }

    pub fn write_bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)
    }

    pub fn line(&mut self, text: &str) -> io::Result<()> {
        self.out.write_all(text.as_bytes())?;
        self.out.write_all(b"\n")
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Writes a warning for the user on stderr. Warnings never carry key material.
pub fn warn(message: &str) {
    let _ = writeln!(io::stderr(), "warning: {message}");
}

/// Writes a one-line note for the user on stderr (not a problem, something left out and why).
pub fn note(message: &str) {
    let _ = writeln!(io::stderr(), "note: {message}");
}

/// Lays out rows as Go's `text/tabwriter` does with minwidth 0, space padding and `padding`:
/// each cell but the last of a row is padded to its column's widest cell plus `padding`.
/// (istioctl uses padding 5; the last cell is never padded, so empty trailing cells leave spaces.)
pub fn tabwriter(rows: &[Vec<String>], padding: usize) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; columns];
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(row.len().saturating_sub(1)) {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < row.len() {
                let pad = widths[i] + padding - cell.chars().count();
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::tabwriter;

    #[test]
    fn pads_all_but_the_last_cell() {
        let rows = vec![
            vec!["A".to_string(), "BB".to_string(), "C".to_string()],
            vec!["long".to_string(), "".to_string(), "".to_string()],
        ];
        assert_eq!(tabwriter(&rows, 5), "A        BB     C\nlong            \n");
    }
}
