//! A lesson step's highlight in the cluster view: an outline around each named provider's section (its heading
//! and everything under it down to the next heading), drawn over the painted view.

use fleetplan_engine::scenario::CapacityType;

use super::details::capacity_label;
use super::layout::{ClusterLayout, HEADER_H};

/// The outline's colour: the page's focus amber (`--focus` in style.css), 3:1 against white.
const OUTLINE: &str = "#b45309";

/// The heading a provider's section starts with: Fargate's pools by their capacity's name, groups by theirs.
fn heading(provider: &str) -> String {
    match provider {
        "FARGATE" => capacity_label(CapacityType::Fargate).to_string(),
        "FARGATE_SPOT" => capacity_label(CapacityType::FargateSpot).to_string(),
        name => name.to_string(),
    }
}

/// The vertical bands (top, bottom) of the sections of `providers`, in CSS pixels.
pub fn bands(layout: &ClusterLayout, providers: &[String]) -> Vec<(f64, f64)> {
    let headings: Vec<(f64, &str)> =
        layout.labels.iter().filter(|l| l.bold).map(|l| (l.y - HEADER_H / 2.0, l.text.as_str())).collect();
    let mut out = Vec::new();
    for provider in providers {
        let prefix = format!("{} · ", heading(provider));
        for (i, (top, text)) in headings.iter().enumerate() {
            if text.starts_with(&prefix) {
                let bottom = headings.get(i + 1).map_or(layout.bottom, |(next, _)| *next);
                out.push((*top, bottom.max(*top + HEADER_H)));
            }
        }
    }
    out
}

/// Outlines the sections of `providers` on the canvas the layout was drawn on.
pub fn outline(
    canvas: &web_sys::HtmlCanvasElement,
    layout: &ClusterLayout,
    providers: &[String],
) -> Result<(), String> {
    let bands = bands(layout, providers);
    if bands.is_empty() {
        return Ok(());
    }
    let ctx = crate::dom::context_2d(canvas)?;
    ctx.save();
    ctx.set_stroke_style_str(OUTLINE);
    ctx.set_line_width(3.0);
    // Solid, whatever dash the painter left set.
    ctx.set_line_dash(&js_sys::Array::new()).map_err(|_| "the canvas refused a line dash".to_string())?;
    for (top, bottom) in bands {
        ctx.stroke_rect(2.0, top + 1.0, (layout.width - 4.0).max(0.0), (bottom - top - 2.0).max(0.0));
    }
    ctx.restore();
    ctx.set_line_width(1.0);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provider_s_band_runs_to_the_next_heading() {
        let view = super::super::fixtures::fleet(2, 6, 4);
        let layout = super::super::layout::layout(&view, 800.0, 600.0);
        let texts: Vec<&String> = layout.labels.iter().map(|l| &l.text).collect();
        let fargate = bands(&layout, &["FARGATE".to_string()]);
        let groups = bands(&layout, &["asg-0".to_string(), "asg-1".to_string()]);
        assert_eq!((fargate.len(), groups.len()), (1, 2), "{texts:?}");
        assert!(fargate[0].0 >= 0.0 && fargate[0].1 <= groups[0].0 + 0.001, "{fargate:?} {groups:?}");
        assert!(groups[0].1 <= groups[1].0 + 0.001 && groups[1].1 <= layout.bottom + 0.001, "{groups:?}");
        assert!(bands(&layout, &["nope".to_string()]).is_empty());
    }
}
