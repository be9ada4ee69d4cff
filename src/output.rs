//! Where every command writes: stdout through one `Printer`, warnings on stderr, colours
//! (anstyle, only on a terminal and without NO_COLOR), and `progress` for demo's step list.
pub mod progress;

use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use anstyle::{AnsiColor, Style};

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

/// Lays out rows as Go's `text/tabwriter` does with minwidth 0, space padding and `padding`:
/// each cell but the last of a row is padded to its column's widest cell plus `padding`.
/// (istioctl uses padding 5; the last cell is never padded, so empty trailing cells leave spaces.)
pub fn tabwriter(rows: &[Vec<String>], padding: usize) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; columns];
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(row.len().saturating_sub(1)) {
            widths[i] = widths[i].max(visible_width(cell));
        }
    }
    let mut out = String::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < row.len() {
                let pad = widths[i] + padding - visible_width(cell);
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
    out
}

/// A cell's width on screen: its characters without colour escapes.
fn visible_width(cell: &str) -> usize {
    anstream::adapter::strip_str(cell)
        .map(|part| part.chars().count())
        .sum()
}

pub const BOLD: Style = Style::new().bold();
pub const GREEN: Style = AnsiColor::Green.on_default();
pub const RED: Style = AnsiColor::Red.on_default();
pub const YELLOW: Style = AnsiColor::Yellow.on_default();

/// Whether to colour a stream: a terminal, and colour not turned off (`NO_COLOR`, `TERM=dumb`),
/// as anstream decides it.
pub fn use_colour(stream_is_terminal: bool) -> bool {
    stream_is_terminal
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// Colour for stdout.
pub fn stdout_colour() -> bool {
    use_colour(io::stdout().is_terminal())
}

/// Colour for stderr.
pub fn stderr_colour() -> bool {
    use_colour(io::stderr().is_terminal())
}

/// `text` in `style` when `colour`, else as it is.
pub fn paint(text: &str, style: Style, colour: bool) -> String {
    if colour {
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_string()
    }
}

/// `12 ms`, or `1.2 s` from a second up.
pub fn duration_text(d: Duration) -> String {
    if d >= Duration::from_secs(1) {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{} ms", d.as_millis())
    }
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
