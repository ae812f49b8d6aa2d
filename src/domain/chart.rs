//! The weekly activity chart: meetings held and active pairs over the last twelve weeks, as a PNG in memory.
//!
//! Drawn with `plotters` (bitmap backend only, into an RGB buffer; text through its `ab_glyph` feature with the
//! bundled DejaVu Sans, see `assets/README.md`) and encoded with the `png` crate. No file, font or clock of the
//! machine is read, so the same input always gives the same bytes.

use std::sync::OnceLock;

use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

pub use crate::domain::reports::WeekPoint;

/// Width of the chart in pixels.
pub const WIDTH: u32 = 800;
/// Height of the chart in pixels.
pub const HEIGHT: u32 = 400;
/// Weeks shown: the last ones of the input.
pub const WEEKS: usize = 12;

/// DejaVu Sans (Bitstream Vera licence; free to redistribute).
static FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
/// The family name the font is registered under.
const FAMILY: &str = "sans-serif";

/// Picks one series' value from a week.
type Pick = fn(&WeekPoint) -> u32;

const MEETINGS_COLOUR: RGBColor = RGBColor(0x1f, 0x6f, 0xb4);
const PAIRS_COLOUR: RGBColor = RGBColor(0xe0, 0x7a, 0x1f);

/// Why a chart could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the bundled font could not be loaded")]
    Font,
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    #[error("encoding the PNG failed: {0}")]
    Encode(String),
}

fn font_ready() -> Result<(), ChartError> {
    static READY: OnceLock<bool> = OnceLock::new();
    let ok = *READY.get_or_init(|| register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok { Ok(()) } else { Err(ChartError::Font) }
}

fn draw_err<E: std::fmt::Debug>(e: E) -> ChartError {
    ChartError::Draw(format!("{e:?}"))
}

/// A [`WIDTH`]×[`HEIGHT`] RGB PNG of the last [`WEEKS`] points of `weeks` (fewer if fewer are given): meetings held
/// and active pairs per week, with a legend and the weeks' start dates on the x axis.
///
/// Guarantees: the bytes are a valid PNG of exactly that size; the output depends only on `weeks` (deterministic);
/// empty or all-zero input gives a chart with empty axes and a "No activity yet" note, not an error or a panic.
pub fn weekly_chart_png(weeks: &[WeekPoint]) -> Result<Vec<u8>, ChartError> {
    font_ready()?;
    let weeks = &weeks[weeks.len().saturating_sub(WEEKS)..];
    let mut rgb = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let top = weeks
            .iter()
            .map(|w| w.meetings.max(w.active_pairs))
            .max()
            .unwrap_or(0);
        // Headroom above the highest point, and a range of at least 0..5 so an empty chart still has an axis.
        let y_max = (top + top / 5 + 1).max(5);
        let x_max = weeks.len().max(1) as i32;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "Meetings held and active pairs, by week",
                (FAMILY, 20).into_font(),
            )
            .margin(16)
            .x_label_area_size(36)
            .y_label_area_size(44)
            .build_cartesian_2d(-0.5f64..(x_max as f64 - 0.5), 0u32..y_max)
            .map_err(draw_err)?;
        let label = |x: &f64| {
            let i = x.round();
            if (x - i).abs() > 1e-6 || i < 0.0 {
                return String::new();
            }
            weeks
                .get(i as usize)
                .map(|w| w.week_start.format("%-d %b").to_string())
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(weeks.len().max(1))
            .x_label_formatter(&label)
            .y_labels(6)
            .label_style((FAMILY, 13).into_font())
            .axis_desc_style((FAMILY, 13).into_font())
            .y_desc("count")
            .draw()
            .map_err(draw_err)?;
        if top == 0 {
            root.draw(&Text::new(
                "No activity yet",
                (WIDTH as i32 / 2 - 60, HEIGHT as i32 / 2),
                (FAMILY, 18).into_font().color(&RGBColor(0x70, 0x70, 0x70)),
            ))
            .map_err(draw_err)?;
        }
        let series: [(&str, RGBColor, Pick); 2] = [
            ("Meetings held", MEETINGS_COLOUR, |w| w.meetings),
            ("Active pairs", PAIRS_COLOUR, |w| w.active_pairs),
        ];
        for (name, colour, value) in series {
            let points: Vec<(f64, u32)> = weeks
                .iter()
                .enumerate()
                .map(|(i, w)| (i as f64, value(w)))
                .collect();
            chart
                .draw_series(LineSeries::new(points.clone(), colour.stroke_width(3)))
                .map_err(draw_err)?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(3))
                });
            chart
                .draw_series(
                    points
                        .into_iter()
                        .map(|p| Circle::new(p, 4, colour.filled())),
                )
                .map_err(draw_err)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font((FAMILY, 13).into_font())
            .draw()
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    encode_png(&rgb)
}

fn encode_png(rgb: &[u8]) -> Result<Vec<u8>, ChartError> {
    let enc = |e: png::EncodingError| ChartError::Encode(e.to_string());
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(enc)?;
        writer.write_image_data(rgb).map_err(enc)?;
        writer.finish().map_err(enc)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn weeks(n: usize, f: impl Fn(usize) -> (u32, u32)) -> Vec<WeekPoint> {
        let first = NaiveDate::from_ymd_opt(2025, 1, 6).unwrap();
        (0..n)
            .map(|i| {
                let (meetings, active_pairs) = f(i);
                WeekPoint {
                    week_start: first + chrono::Duration::weeks(i as i64),
                    meetings,
                    active_pairs,
                }
            })
            .collect()
    }

    /// Decodes a PNG: (width, height, RGB bytes).
    fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        (info.width, info.height, buf)
    }

    const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

    #[test]
    fn a_chart_is_a_png_of_the_requested_size() {
        let data = weeks(12, |i| (i as u32 * 2 % 7, 10 + i as u32));
        let png = weekly_chart_png(&data).unwrap();
        assert_eq!(png[..8], SIGNATURE);
        let (w, h, pixels) = decode(&png);
        assert_eq!((w, h), (WIDTH, HEIGHT));
        // Something besides the white background was drawn, in both series' colours.
        let has = |c: RGBColor| pixels.chunks(3).any(|p| p == [c.0, c.1, c.2]);
        assert!(has(MEETINGS_COLOUR) && has(PAIRS_COLOUR));
    }

    #[test]
    fn the_same_input_gives_the_same_bytes() {
        let data = weeks(12, |i| (i as u32, 3));
        assert_eq!(
            weekly_chart_png(&data).unwrap(),
            weekly_chart_png(&data).unwrap()
        );
        // Only the last twelve weeks are drawn.
        let longer = [weeks(30, |_| (99, 99)), data.clone()].concat();
        assert_eq!(
            weekly_chart_png(&longer).unwrap(),
            weekly_chart_png(&data).unwrap()
        );
    }

    #[test]
    fn empty_and_zero_input_still_draw() {
        for data in [
            vec![],
            weeks(12, |_| (0, 0)),
            weeks(1, |_| (0, 0)),
            weeks(3, |_| (u32::MAX / 4, 0)),
        ] {
            let png = weekly_chart_png(&data).unwrap();
            assert_eq!(png[..8], SIGNATURE);
            assert_eq!(decode(&png).0, WIDTH);
        }
    }
}
