//! Charts drawn on the server as inline SVG: no script, no chart library, nothing the page's
//! Content-Security-Policy must allow. Colours come from `console.css` by class (`chart-s0` to
//! `chart-s11`), so the page's palette and contrast live in one file. Every chart carries its
//! title and each mark its figure as a `<title>` (shown on hover, read by screen readers), and
//! the pages print the same figures as a table beside it.
//!
//! Every text placed in the SVG goes through [`escape`]: a product's name is the producer's
//! text.

use std::fmt::Write;

/// Width of every chart's drawing, in SVG units (it scales to the page's width).
pub const CHART_WIDTH: u32 = 720;
/// Height of a bar in a bar chart.
const BAR_HEIGHT: u32 = 22;
/// Room on the left of a bar chart for the bars' labels.
const LABEL_WIDTH: u32 = 260;
/// Height of the plot in a column chart.
const PLOT_HEIGHT: u32 = 200;
/// Room below a column chart's plot for the days.
const AXIS_HEIGHT: u32 = 28;
/// Characters of a bar's label shown; a longer one is cut with an ellipsis (the whole of it is
/// in the bar's title).
const LABEL_CHARS_MAX: usize = 36;
/// Series a chart colours apart (`chart-s0` .. `chart-s11`); more reuse the colours.
pub const SERIES_CLASSES: usize = 12;

/// One bar: its label, its length, and a part of it drawn darker (blocked codes of a status).
pub struct Bar {
    /// Shown left of the bar.
    pub label: String,
    /// The bar's figure.
    pub value: u64,
    /// How much of it is the darker part (0 for none).
    pub part: u64,
    /// The figures as the page writes them, for the label at the bar's end and its title.
    pub value_text: String,
}

/// Horizontal bars, longest figure at full width.
pub fn bars(title: &str, bars: &[Bar]) -> String {
    let height = BAR_HEIGHT * bars.len().max(1) as u32 + 8;
    let mut svg = open(title, height);
    let longest = bars.iter().map(|bar| bar.value).max().unwrap_or(0).max(1);
    let room = CHART_WIDTH - LABEL_WIDTH - 90;
    for (row, bar) in bars.iter().enumerate() {
        let y = 4 + BAR_HEIGHT * row as u32;
        let length = scaled(bar.value, longest, room);
        let part = scaled(bar.part.min(bar.value), longest, room);
        let (label, figures) = (escape(&bar.label), escape(&bar.value_text));
        let shown = escape(&shortened(&bar.label));
        let text_y = y + BAR_HEIGHT / 2 + 4;
        let _ = write!(
            svg,
            "<text class=\"chart-label\" x=\"{x}\" y=\"{text_y}\" text-anchor=\"end\">{shown}</text>\
             <rect class=\"chart-s0\" x=\"{LABEL_WIDTH}\" y=\"{y}\" width=\"{length}\" height=\"{h}\">\
             <title>{label}: {figures}</title></rect>",
            x = LABEL_WIDTH - 8,
            h = BAR_HEIGHT - 6,
        );
        if part > 0 {
            let _ = write!(
                svg,
                "<rect class=\"chart-part\" x=\"{LABEL_WIDTH}\" y=\"{y}\" width=\"{part}\" \
                 height=\"{h}\"><title>{label}: {figures}</title></rect>",
                h = BAR_HEIGHT - 6,
            );
        }
        let _ = write!(
            svg,
            "<text class=\"chart-figure\" x=\"{x}\" y=\"{text_y}\">{figures}</text>",
            x = LABEL_WIDTH + length + 6,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One series of a column chart: its name and a figure per column.
pub struct Series {
    /// Its name, for the legend and the titles.
    pub name: String,
    /// A figure per column (as many as the chart has columns).
    pub values: Vec<u64>,
}

/// Stacked columns, one per day (`days`: the labels, in order), each series a colour; the
/// first, middle and last day are written under the axis, the tallest total at the top.
pub fn stacked_columns(
    title: &str,
    days: &[String],
    series: &[Series],
    number: impl Fn(u64) -> String,
) -> String {
    let legend_height = 20 * series.len().div_ceil(4) as u32;
    let mut svg = open(title, PLOT_HEIGHT + AXIS_HEIGHT + legend_height + 8);
    let totals: Vec<u64> = (0..days.len())
        .map(|day| {
            series
                .iter()
                .map(|each| each.values.get(day).copied().unwrap_or(0))
                .sum()
        })
        .collect();
    let tallest = totals.iter().copied().max().unwrap_or(0).max(1);
    let left = 60;
    let step = (CHART_WIDTH - left) as f64 / days.len().max(1) as f64;
    let width = (step * 0.8).max(1.0);
    let _ = write!(
        svg,
        "<text class=\"chart-figure\" x=\"{x}\" y=\"12\" text-anchor=\"end\">{top}</text>\
         <line class=\"chart-axis\" x1=\"{left}\" y1=\"{PLOT_HEIGHT}\" x2=\"{CHART_WIDTH}\" y2=\"{PLOT_HEIGHT}\"/>",
        x = left - 6,
        top = escape(&number(tallest)),
    );
    for (day, label) in days.iter().enumerate() {
        let x = left as f64 + step * day as f64;
        let mut base = PLOT_HEIGHT;
        for (index, each) in series.iter().enumerate() {
            let value = each.values.get(day).copied().unwrap_or(0);
            if value == 0 {
                continue;
            }
            let height = scaled(value, tallest, PLOT_HEIGHT - 16).max(1);
            base -= height.min(base);
            let _ = write!(
                svg,
                "<rect class=\"chart-s{class}\" x=\"{x:.1}\" y=\"{base}\" width=\"{width:.1}\" \
                 height=\"{height}\"><title>{day}: {name} {figure}</title></rect>",
                class = index % SERIES_CLASSES,
                day = escape(label),
                name = escape(&each.name),
                figure = escape(&number(value)),
            );
        }
        // The first day's label starts at its column, the last ends at its own, the middle
        // one is centred: none runs off the chart.
        let anchor = match day {
            0 => Some("start"),
            _ if day + 1 == days.len() => Some("end"),
            _ if day == days.len() / 2 => Some("middle"),
            _ => None,
        };
        if let Some(anchor) = anchor {
            let x = match anchor {
                "start" => x,
                "end" => x + width,
                _ => x + width / 2.0,
            };
            let _ = write!(
                svg,
                "<text class=\"chart-label\" x=\"{x:.1}\" y=\"{y}\" text-anchor=\"{anchor}\">{label}</text>",
                y = PLOT_HEIGHT + 18,
                label = escape(label),
            );
        }
    }
    for (index, each) in series.iter().enumerate() {
        let x = left + (index % 4) as u32 * 165;
        let y = PLOT_HEIGHT + AXIS_HEIGHT + 20 * (index / 4) as u32;
        let _ = write!(
            svg,
            "<rect class=\"chart-s{class}\" x=\"{x}\" y=\"{y}\" width=\"12\" height=\"12\"/>\
             <text class=\"chart-label\" x=\"{tx}\" y=\"{ty}\">{name}</text>",
            class = index % SERIES_CLASSES,
            tx = x + 18,
            ty = y + 11,
            name = escape(&each.name),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A label cut to [`LABEL_CHARS_MAX`] characters.
fn shortened(label: &str) -> String {
    match label.char_indices().nth(LABEL_CHARS_MAX) {
        Some((cut, _)) => format!("{}…", &label[..cut]),
        None => label.to_owned(),
    }
}

/// The opening of a chart: its box, its role and its title.
fn open(title: &str, height: u32) -> String {
    let title = escape(title);
    format!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {CHART_WIDTH} {height}\" \
         role=\"img\" aria-label=\"{title}\"><title>{title}</title>"
    )
}

/// `value` of `whole` as a length of at most `room`.
fn scaled(value: u64, whole: u64, room: u32) -> u32 {
    let length = u128::from(value) * u128::from(room) / u128::from(whole.max(1));
    u32::try_from(length).unwrap_or(room).min(room)
}

/// Text made safe inside SVG markup and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_bars_scale_to_the_longest() {
        let svg = bars(
            "Stock",
            &[
                Bar {
                    label: "<script>\"x\"".into(),
                    value: 10,
                    part: 5,
                    value_text: "10".into(),
                },
                Bar {
                    label: "b".into(),
                    value: 5,
                    part: 0,
                    value_text: "5".into(),
                },
            ],
        );
        assert!(!svg.contains("<script>") && svg.contains("&lt;script&gt;&quot;x&quot;"));
        let room = CHART_WIDTH - LABEL_WIDTH - 90;
        assert!(svg.contains(&format!("width=\"{room}\"")), "{svg}");
        assert!(svg.contains(&format!("width=\"{}\"", room / 2)), "{svg}");
        assert!(svg.contains("class=\"chart-part\""));
        let long = "Sparkling mineral water, 0.5 l (04876000000816)";
        let bar = Bar {
            label: long.into(),
            value: 1,
            part: 0,
            value_text: "1".into(),
        };
        let svg = bars("Top", &[bar]);
        assert!(
            svg.contains("Sparkling mineral water, 0.5 l (0487…</text>"),
            "{svg}"
        );
        assert!(
            svg.contains(&format!("<title>{long}: 1</title>")),
            "the title keeps it whole"
        );
    }

    #[test]
    fn columns_stack_their_series_and_label_three_days() {
        let days: Vec<String> = (1..=5).map(|day| format!("d{day}")).collect();
        let series = [
            Series {
                name: "sold".into(),
                values: vec![1, 2, 3, 4, 5],
            },
            Series {
                name: "shipped".into(),
                values: vec![5, 0, 0, 0, 0],
            },
        ];
        let svg = stacked_columns("Flows", &days, &series, |value| value.to_string());
        assert_eq!(
            svg.matches("class=\"chart-s0\"").count(),
            6,
            "5 columns and a key"
        );
        assert_eq!(
            svg.matches("class=\"chart-s1\"").count(),
            2,
            "1 column and a key"
        );
        for shown in [">d1<", ">d3<", ">d5<"] {
            assert!(svg.contains(shown), "{shown}");
        }
        assert!(!svg.contains(">d2<"));
        assert!(svg.contains(">6<"), "the tallest total tops the axis");
    }
}
