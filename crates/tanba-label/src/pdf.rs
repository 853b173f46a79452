//! Pages of labels as PDF: each page of the layout filled row by row; the symbols drawn as
//! filled rectangles (vector, sharp at any printer's resolution), the lines in Helvetica, one of
//! the fonts every PDF reader has, so nothing is embedded. Helvetica's standard encoding covers
//! ASCII: a line's other characters print as `?` (the codes themselves are ASCII).

use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};

use crate::{LABELS_PER_PDF_MAX, Label, LabelError, Layout, Symbol};

/// Points per millimetre.
const POINTS_PER_MM: f32 = 72.0 / 25.4;
/// The font's name in each page's resources.
const FONT: Name<'static> = Name(b"F1");

fn points(mm: f32) -> f32 {
    mm * POINTS_PER_MM
}

/// `labels` laid out on pages of `layout`.
pub fn pdf(labels: &[Label], layout: &Layout) -> Result<Vec<u8>, LabelError> {
    if labels.len() > LABELS_PER_PDF_MAX {
        return Err(LabelError::TooMany);
    }
    let pages: Vec<&[Label]> = labels.chunks(layout.per_page()).collect();
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let font = Ref::new(3);
    // Each page takes two ids: the page and its content.
    let page_ref = |index: usize| Ref::new(4 + 2 * index as i32);
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids((0..pages.len()).map(page_ref))
        .count(pages.len() as i32);
    pdf.type1_font(font).base_font(Name(b"Helvetica"));
    let [page_width, page_height] = layout.page_mm;
    for (index, page_labels) in pages.iter().enumerate() {
        let content_ref = Ref::new(page_ref(index).get() + 1);
        let mut page = pdf.page(page_ref(index));
        page.media_box(Rect::new(0.0, 0.0, points(page_width), points(page_height)))
            .parent(tree)
            .contents(content_ref);
        page.resources().fonts().pair(FONT, font);
        page.finish();
        let content = page_content(page_labels, layout)?;
        let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&content, 6);
        pdf.stream(content_ref, &compressed)
            .filter(Filter::FlateDecode);
    }
    Ok(pdf.finish())
}

/// The drawing of one page.
fn page_content(labels: &[Label], layout: &Layout) -> Result<Vec<u8>, LabelError> {
    let mut content = Content::new();
    let page_height = layout.page_mm[1];
    for (index, label) in labels.iter().enumerate() {
        let (row, column) = (index / layout.columns, index % layout.columns);
        let left = layout.origin_mm[0] + column as f32 * layout.label_mm[0];
        let top = layout.origin_mm[1] + row as f32 * layout.label_mm[1];
        let symbol = Symbol::gs1(&label.data)?;
        let placement = layout.place(&symbol, &label.lines)?;
        let module = placement.module_mm;
        content.set_fill_gray(0.0);
        for (x, y, length) in symbol.runs() {
            let x_mm = left + placement.symbol_mm[0] + x as f32 * module;
            let y_mm = top + placement.symbol_mm[1] + (y + 1) as f32 * module;
            content.rect(
                points(x_mm),
                points(page_height - y_mm),
                points(length as f32 * module),
                points(module),
            );
        }
        content.fill_nonzero();
        let [text_left, first_baseline] = placement.text_mm;
        for (number, line) in placement.lines.iter().enumerate() {
            let baseline = top + first_baseline + number as f32 * placement.text_height_mm * 1.3;
            let ascii: String = (line.chars())
                .map(|character| match character {
                    ' '..='~' => character,
                    _ => '?',
                })
                .collect();
            content
                .begin_text()
                .set_font(FONT, points(placement.text_height_mm))
                .next_line(points(left + text_left), points(page_height - baseline))
                .show(Str(ascii.as_bytes()))
                .end_text();
        }
    }
    Ok(content.finish().into_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_of_labels_is_a_pdf_with_as_many_pages_as_it_needs() {
        let labels: Vec<Label> = (0..30)
            .map(|n| Label {
                data: format!("0104876000000113215Zq8fNvXWq2A{n:02}"),
                lines: vec![format!("(21)5Zq8fNvXWq2A{n:02}"), "Су 0,5 л".into()],
            })
            .collect();
        let layout = Layout::named("a4-70x37").unwrap();
        let bytes = pdf(&labels, layout).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("/Count 2"),
            "30 labels of 24 a page: two pages"
        );
        let too_many = vec![labels[0].clone(); LABELS_PER_PDF_MAX + 1];
        assert_eq!(pdf(&too_many, layout), Err(LabelError::TooMany));
    }
}
