//! Label sizes and where a symbol and its text go on a label. Both drawings (SVG and PDF) take
//! their geometry from [`Layout::place`], so a label looks the same in either.

use crate::{LINES_MAX, LabelError, QUIET_ZONE_MODULES, Symbol};

/// The smallest module printed, in millimetres: two dots of a 203 dpi thermal printer (below
/// it, modules smear and scanners fail).
pub const MODULE_MM_MIN: f32 = 0.25;
/// Space kept free at a label's edges, in millimetres (die-cut labels shift a little).
pub const LABEL_PADDING_MM: f32 = 1.5;
/// The largest text height, in millimetres (about 7 pt).
pub const TEXT_MM_MAX: f32 = 2.5;
/// The smallest text height, in millimetres (about 4 pt); a longer line is cut.
pub const TEXT_MM_MIN: f32 = 1.4;
/// How wide a character of the label font is, as a share of its height (Helvetica's digits).
const CHARACTER_WIDTH_SHARE: f32 = 0.56;

/// Labels on a page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    /// Its name in requests (`a4-70x37`).
    pub id: &'static str,
    /// The page, width and height in millimetres.
    pub page_mm: [f32; 2],
    /// One label, width and height in millimetres.
    pub label_mm: [f32; 2],
    /// Labels across.
    pub columns: usize,
    /// Labels down.
    pub rows: usize,
    /// The first label's top-left corner, from the page's top-left, in millimetres.
    pub origin_mm: [f32; 2],
}

/// The sizes offered: A4 sheets of adhesive labels as office printers take them, and single
/// labels for thermal roll printers.
pub const LAYOUTS: &[Layout] = &[
    Layout {
        id: "a4-70x37",
        page_mm: [210.0, 297.0],
        label_mm: [70.0, 37.0],
        columns: 3,
        rows: 8,
        origin_mm: [0.0, 0.5],
    },
    Layout {
        id: "a4-52x30",
        page_mm: [210.0, 297.0],
        label_mm: [52.5, 29.7],
        columns: 4,
        rows: 10,
        origin_mm: [0.0, 0.0],
    },
    Layout {
        id: "roll-58x40",
        page_mm: [58.0, 40.0],
        label_mm: [58.0, 40.0],
        columns: 1,
        rows: 1,
        origin_mm: [0.0, 0.0],
    },
    Layout {
        id: "roll-43x25",
        page_mm: [43.0, 25.0],
        label_mm: [43.0, 25.0],
        columns: 1,
        rows: 1,
        origin_mm: [0.0, 0.0],
    },
];

// Every sheet's labels fit on its page.
const _: () = {
    let mut index = 0;
    while index < LAYOUTS.len() {
        let layout = &LAYOUTS[index];
        assert!(
            layout.origin_mm[0] + layout.label_mm[0] * layout.columns as f32
                <= layout.page_mm[0] + 0.01
        );
        assert!(
            layout.origin_mm[1] + layout.label_mm[1] * layout.rows as f32
                <= layout.page_mm[1] + 0.01
        );
        index += 1;
    }
};

/// Where things go on one label, in millimetres from its top-left corner.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    /// The side of one module.
    pub module_mm: f32,
    /// The symbol's top-left dark-or-light module (inside its quiet zone).
    pub symbol_mm: [f32; 2],
    /// The first line's baseline start.
    pub text_mm: [f32; 2],
    /// The text's height (font size).
    pub text_height_mm: f32,
    /// The lines, cut to fit.
    pub lines: Vec<String>,
}

impl Layout {
    /// The layout named `id`.
    pub fn named(id: &str) -> Option<&'static Layout> {
        LAYOUTS.iter().find(|layout| layout.id == id)
    }

    /// Labels on one page.
    pub fn per_page(&self) -> usize {
        self.columns * self.rows
    }

    /// Where `symbol` and `lines` go on a label of this layout: the symbol as large as the
    /// label's height allows (at most half its width), the text beside it.
    pub fn place(&self, symbol: &Symbol, lines: &[String]) -> Result<Placement, LabelError> {
        let [width, height] = self.label_mm;
        let modules = symbol.width.max(symbol.height) + 2 * QUIET_ZONE_MODULES;
        let side = (height - 2.0 * LABEL_PADDING_MM).min(width * 0.5);
        let module_mm = side / modules as f32;
        if module_mm < MODULE_MM_MIN {
            return Err(LabelError::DoesNotFit(self.id));
        }
        let quiet = QUIET_ZONE_MODULES as f32 * module_mm;
        let symbol_mm = [LABEL_PADDING_MM + quiet, (height - side) / 2.0 + quiet];
        let text_left = LABEL_PADDING_MM + side + LABEL_PADDING_MM;
        let text_width = (width - text_left - LABEL_PADDING_MM).max(0.0);
        let lines: Vec<&String> = lines.iter().take(LINES_MAX).collect();
        let longest = lines
            .iter()
            .map(|line| line.chars().count())
            .max()
            .unwrap_or(1);
        let by_height = (height - 2.0 * LABEL_PADDING_MM) / (lines.len().max(1) as f32 * 1.3);
        let by_width = text_width / (longest.max(1) as f32 * CHARACTER_WIDTH_SHARE);
        let text_height_mm = by_height.min(by_width).clamp(TEXT_MM_MIN, TEXT_MM_MAX);
        let fits = (text_width / (text_height_mm * CHARACTER_WIDTH_SHARE)) as usize;
        let block = lines.len() as f32 * text_height_mm * 1.3;
        Ok(Placement {
            module_mm,
            symbol_mm,
            text_mm: [text_left, (height - block) / 2.0 + text_height_mm],
            text_height_mm,
            lines: lines
                .into_iter()
                .map(|line| line.chars().take(fits).collect())
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marking_code_fits_every_layout_offered() {
        let code =
            "0104876000000113215Zq8fNvXWq2Ab\u{1d}91K001\u{1d}92".to_owned() + &"A".repeat(88);
        let symbol = Symbol::gs1(&code).unwrap();
        for layout in LAYOUTS {
            let placement = layout
                .place(&symbol, &["(01)04876000000113".into()])
                .unwrap();
            assert!(placement.module_mm >= MODULE_MM_MIN, "{}", layout.id);
            let right = placement.symbol_mm[0] + symbol.width as f32 * placement.module_mm;
            assert!(
                right < placement.text_mm[0],
                "{}: text clear of the symbol",
                layout.id
            );
        }
    }
}
