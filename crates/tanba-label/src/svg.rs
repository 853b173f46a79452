//! One label as SVG, sized in millimetres, for screens and for printers that take SVG.

use std::fmt::Write;

use crate::{Label, LabelError, Layout, Symbol};

/// Escapes text for SVG.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Control characters (a GS in a line) are not text.
            other if other.is_control() => out.push(' '),
            other => out.push(other),
        }
    }
    out
}

/// `label` drawn at the size of `layout`'s labels: white ground, the symbol as one path of
/// dark runs, the lines beside it.
pub fn svg(label: &Label, layout: &Layout) -> Result<String, LabelError> {
    let symbol = Symbol::gs1(&label.data)?;
    let placement = layout.place(&symbol, &label.lines)?;
    let [width, height] = layout.label_mm;
    let module = placement.module_mm;
    let mut out = String::with_capacity(8 * 1024);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}mm\" height=\"{height}mm\" \
         viewBox=\"0 0 {width} {height}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{width}\" height=\"{height}\" fill=\"#fff\"/><path fill=\"#000\" d=\""
    );
    let [left, top] = placement.symbol_mm;
    for (x, y, length) in symbol.runs() {
        let _ = write!(
            out,
            "M{:.3} {:.3}h{:.3}v{module:.3}h-{:.3}z",
            left + x as f32 * module,
            top + y as f32 * module,
            length as f32 * module,
            length as f32 * module,
        );
    }
    out.push_str("\"/>");
    let [text_left, mut baseline] = placement.text_mm;
    for line in &placement.lines {
        let _ = write!(
            out,
            "<text x=\"{text_left:.2}\" y=\"{baseline:.2}\" font-family=\"Helvetica, Arial, sans-serif\" \
             font-size=\"{:.2}\">{}</text>",
            placement.text_height_mm,
            escape(line)
        );
        baseline += placement.text_height_mm * 1.3;
    }
    out.push_str("</svg>");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_is_an_svg_of_its_size_with_its_text_escaped() {
        let label = Label {
            data: "0104876000000113215Zq8fNvXWq2Ab".into(),
            lines: vec!["(01)04876000000113".into(), "<b>&".into()],
        };
        let layout = Layout::named("a4-70x37").unwrap();
        let drawn = svg(&label, layout).unwrap();
        assert!(drawn.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"70mm\""));
        assert!(drawn.contains("&lt;b&gt;&amp;"));
        assert!(!drawn.contains("<b>"));
    }
}
