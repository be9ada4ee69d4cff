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

/// Prints a value as `-o json` (pretty, a newline at the end) or `-o yaml`; `text` is the
/// command's own layout and never reaches here (it prints JSON then).
pub fn print_data<T: serde::Serialize>(
    value: &T,
    format: crate::cli::DataFormat,
    printer: &mut Printer,
) -> anyhow::Result<()> {
    match format {
        crate::cli::DataFormat::Yaml => printer.write_str(&crate::k8s::yaml::to_yaml(value)?)?,
        _ => printer.line(&serde_json::to_string_pretty(value)?)?,
    }
    Ok(())
}

/// Writes a warning for the user on stderr. Warnings never carry key material.
pub fn warn(message: &str) {
    let _ = writeln!(io::stderr(), "warning: {message}");
}

/// Writes a one-line note for the user on stderr (not a problem, something left out and why).
pub fn note(message: &str) {
    let _ = writeln!(io::stderr(), "note: {message}");
}

/// How wide a table may be: the terminal's width when stdout is one (`COLUMNS` first, then the
/// terminal's own size), or `None` (print every cell whole) when stdout is piped.
/// `MESHTLS_FORCE_TTY=1` treats stdout as a terminal (for tests and `script`-less captures).
pub fn table_width() -> Option<usize> {
    use std::io::IsTerminal;
    let forced = std::env::var("MESHTLS_FORCE_TTY").is_ok_and(|v| v == "1");
    if !forced && !io::stdout().is_terminal() {
        return None;
    }
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0);
    columns.or_else(|| {
        terminal_size::terminal_size().map(|(terminal_size::Width(w), _)| usize::from(w))
    })
}

/// Shrinks the `free` (free-text) columns of `rows` until the table, laid out by `tabwriter` with
/// `padding`, fits in `width`: the widest free column loses a character at a time (down to 8),
/// and a cell longer than its column ends in `…`. Other columns are never cut.
pub fn fit_columns(rows: &mut [Vec<String>], padding: usize, width: usize, free: &[usize]) {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; columns];
    for row in rows.iter() {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(visible_width(cell));
        }
    }
    let total =
        |widths: &[usize]| widths.iter().sum::<usize>() + padding * columns.saturating_sub(1);
    const MIN: usize = 8;
    let mut limits = widths.clone();
    while total(&limits) > width {
        let Some(&widest) = free
            .iter()
            .filter(|&&i| i < columns && limits[i] > MIN)
            .max_by_key(|&&i| limits[i])
        else {
            break;
        };
        limits[widest] -= 1;
    }
    for row in rows.iter_mut() {
        for &i in free {
            if let Some(cell) = row.get_mut(i)
                && visible_width(cell) > limits[i]
            {
                let cut: String = cell.chars().take(limits[i].saturating_sub(1)).collect();
                *cell = format!("{cut}…");
            }
        }
    }
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
    use super::{fit_columns, tabwriter, visible_width};

    #[test]
    fn free_columns_shrink_to_the_width_with_an_ellipsis() {
        let mut rows = vec![
            vec!["ID".to_string(), "TEXT".to_string(), "OK".to_string()],
            vec![
                "a".to_string(),
                "x".repeat(50),
                "\x1b[32mPASS\x1b[0m".to_string(),
            ],
        ];
        fit_columns(&mut rows, 3, 30, &[1]);
        let text = tabwriter(&rows, 3);
        let line = text.lines().nth(1).unwrap_or_default();
        assert_eq!(visible_width(line), 30, "{text}");
        assert!(line.contains("…"), "{text}");
        let mut wide = rows.clone();
        fit_columns(&mut wide, 3, 500, &[1]);
        assert_eq!(wide, rows);
    }

    #[test]
    fn pads_all_but_the_last_cell() {
        let rows = vec![
            vec!["A".to_string(), "BB".to_string(), "C".to_string()],
            vec!["long".to_string(), "".to_string(), "".to_string()],
        ];
        assert_eq!(tabwriter(&rows, 5), "A        BB     C\nlong            \n");
    }
}
