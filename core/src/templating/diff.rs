//! Line diffs for the review step: what the router has for a neighbour now
//! against what it will have after the change. A longest-common-subsequence
//! diff over lines; the texts are a neighbour's few dozen lines, so the
//! quadratic table is small.

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum DiffKind {
    Same,
    Added,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DiffLine {
    pub kind: DiffKind,
    pub text: String,
}

/// The lines of `old` and `new` in order, each marked same, added or removed.
pub fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // lcs[i][j]: length of the common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let line = |kind, text: &str| DiffLine {
        kind,
        text: text.to_string(),
    };
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push(line(DiffKind::Same, a[i]));
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            out.push(line(DiffKind::Removed, a[i]));
            i += 1;
        } else {
            out.push(line(DiffKind::Added, b[j]));
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|t| line(DiffKind::Removed, t)));
    out.extend(b[j..].iter().map(|t| line(DiffKind::Added, t)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signs(d: &[DiffLine]) -> String {
        d.iter()
            .map(|l| {
                let c = match l.kind {
                    DiffKind::Same => ' ',
                    DiffKind::Added => '+',
                    DiffKind::Removed => '-',
                };
                format!("{c}{}\n", l.text)
            })
            .collect()
    }

    #[test]
    fn a_changed_line_shows_as_removed_then_added_between_kept_lines() {
        let d = line_diff("a\nb\nc\n", "a\nB\nc\nd\n");
        assert_eq!(signs(&d), " a\n-b\n+B\n c\n+d\n");
    }

    #[test]
    fn empty_sides_are_all_added_or_all_removed() {
        assert_eq!(signs(&line_diff("", "x\ny")), "+x\n+y\n");
        assert_eq!(signs(&line_diff("x\ny", "")), "-x\n-y\n");
        assert!(line_diff("", "").is_empty());
    }
}
