//! `TOP`'s filter (RFC 1939 §7): the header, the blank line, then the first `n` body lines.

use memchr::memchr_iter;

/// `TOP`'s filter: headers, the blank line, then `n` body lines (RFC 1939 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TopFilter {
    in_header: bool,
    line_has_content: bool,
    lines_left: u32,
    pub(super) done: bool,
}

impl TopFilter {
    pub(super) const fn new(lines: u32) -> Self {
        Self {
            in_header: true,
            line_has_content: false,
            lines_left: lines,
            done: false,
        }
    }

    /// Returns how much of `chunk` belongs to the top of the message.
    pub(super) fn take(&mut self, chunk: &[u8]) -> usize {
        if self.done {
            return 0;
        }
        let mut start = 0;
        for lf in memchr_iter(b'\n', chunk) {
            if self.in_header {
                let line = chunk.get(start..lf).unwrap_or_default();
                let content = self.line_has_content || line.iter().any(|&b| b != b'\r');
                if !content {
                    self.in_header = false;
                    if self.lines_left == 0 {
                        self.done = true;
                        return lf + 1;
                    }
                }
            } else {
                self.lines_left = self.lines_left.saturating_sub(1);
                if self.lines_left == 0 {
                    self.done = true;
                    return lf + 1;
                }
            }
            self.line_has_content = false;
            start = lf + 1;
        }
        if self.in_header {
            let tail = chunk.get(start..).unwrap_or_default();
            self.line_has_content |= tail.iter().any(|&b| b != b'\r');
        }
        chunk.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(lines: u32, chunks: &[&[u8]]) -> Vec<u8> {
        let mut f = TopFilter::new(lines);
        let mut out = Vec::new();
        for c in chunks {
            let n = f.take(c);
            out.extend_from_slice(&c[..n]);
        }
        out
    }

    #[test]
    fn top_filter_counts_lines_across_chunks() {
        let msg: &[u8] = b"A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n";
        assert_eq!(top(0, &[msg]), b"A: 1\r\nB: 2\r\n\r\n");
        assert_eq!(top(2, &[msg]), b"A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n");
        assert_eq!(top(9, &[msg]), msg);
        for split in 0..msg.len() {
            let (a, b) = msg.split_at(split);
            assert_eq!(top(1, &[a, b]), b"A: 1\r\nB: 2\r\n\r\nl1\r\n", "{split}");
        }
    }
}
