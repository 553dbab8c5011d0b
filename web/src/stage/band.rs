//! The band under the charts (`docs/model.md` §15.2): per service, what held it back over the run, as the engine
//! recorded it (`fleetplan_engine::limited_by`, carried from the run-ahead worker in `runahead::Finished::bands`),
//! with the playback cursor; the first [`MAX_ROWS`] services a row each, the rest as one row of their summed
//! shares. Hovering a segment says what held the service and for how long; each row is focusable and named by its
//! shares, and the shares are also listed as text (the summary's `limited_by_shares`, what `fleetplan run --json`
//! prints).

use std::rc::Rc;

use fleetplan_engine::limited_by::{Held, ServiceBand};
use fleetplan_engine::Summary;
use yew::prelude::*;

use crate::i18n::{tr, tr_dyn, trf};

/// Services with a row of their own; the rest share one.
pub const MAX_ROWS: usize = 6;

/// Segments narrower than this fraction of the run are drawn as part of the one before (the shares stay exact).
const MIN_WIDTH: f64 = 0.002;

#[derive(Properties, PartialEq)]
pub struct BandProps {
    pub bands: Rc<Vec<ServiceBand>>,
    pub summary: Option<Rc<Summary>>,
    pub time_ms: u64,
    pub end_ms: u64,
}

/// "62.5%".
fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// A service's shares as one line: "service launch rate 62.5% (75 s), ...".
fn shares_text(shares: &[fleetplan_engine::limited_by::HeldShare]) -> String {
    if shares.is_empty() {
        return tr("nothing held it back");
    }
    shares
        .iter()
        .map(|s| {
            trf(
                "{limit} {share} ({seconds} s)",
                &[("limit", &tr_dyn(s.held.name())), ("share", &percent(s.share)), ("seconds", &s.seconds)],
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The segments to draw: (from, to, what) in ms, narrow ones folded into the one before (a narrow first one into
/// the one after).
fn drawn(band: &ServiceBand, end_ms: u64) -> Vec<(u64, u64, Held)> {
    let min_ms = (end_ms as f64 * MIN_WIDTH) as u64;
    let mut out: Vec<(u64, u64, Held)> = Vec::new();
    for (i, s) in band.segments.iter().enumerate() {
        let to = band.segments.get(i + 1).map_or(end_ms, |n| n.from_ms).min(end_ms);
        if to <= s.from_ms {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.2 == s.held || to - s.from_ms < min_ms => last.1 = to,
            // A narrow one before (the first cycle's few ms) is drawn as this one.
            Some(last) if last.1 - last.0 < min_ms => *last = (last.0, to, s.held),
            _ => out.push((s.from_ms, to, s.held)),
        }
    }
    out
}

/// The band: a row per service, the legend and the text alternative.
#[component]
pub fn LimitedByBand(props: &BandProps) -> Html {
    let _lang = crate::i18n::use_lang();
    let end_ms = props.end_ms.max(1);
    let pct = |ms: u64| format!("{:.3}%", ms.min(end_ms) as f64 / end_ms as f64 * 100.0);
    let services = props.summary.as_ref().map(|s| s.services.as_slice()).unwrap_or(&[]);
    let shares_of = |name: &str| services.iter().find(|s| s.name == name).map(|s| s.limited_by_shares.as_slice());
    let mut present: Vec<Held> = Vec::new();
    let cursor = html! { <span class="band-cursor" style={format!("left:{}", pct(props.time_ms))}></span> };
    let rows: Vec<Html> = props
        .bands
        .iter()
        .take(MAX_ROWS)
        .map(|band| {
            let shares = shares_of(&band.service).unwrap_or(&[]);
            let segments = drawn(band, end_ms);
            for &(_, _, held) in &segments {
                if !present.contains(&held) {
                    present.push(held);
                }
            }
            html! {
                <div class="band-row" data-service={band.service.clone()}>
                    <span class="band-name">{ band.service.clone() }</span>
                    <div class="band-track" role="img" tabindex="0"
                        aria-label={trf("{service}: {shares}", &[("service", &band.service), ("shares", &shares_text(shares))])}>
                        { for segments.iter().map(|&(from, to, held)| html! {
                            <span class="band-seg" data-held={held.name()}
                                style={format!("left:{};width:{};background:{}", pct(from), pct(to - from), crate::palette::held(held))}
                                title={trf("{limit}: {seconds} s ({from} to {to})", &[
                                    ("limit", &tr_dyn(held.name())),
                                    ("seconds", &((to - from) as f64 / 1000.0)),
                                    ("from", &super::clock(from)),
                                    ("to", &super::clock(to)),
                                ])}></span>
                        }) }
                        { cursor.clone() }
                    </div>
                </div>
            }
        })
        .collect();
    // The other services: their summed time per kind, as one stacked bar over the whole width.
    let rest: Vec<&fleetplan_engine::output::ServiceSummary> =
        services.iter().filter(|s| !props.bands.iter().take(MAX_ROWS).any(|b| b.service == s.name)).collect();
    let mut rest_seconds: Vec<(Held, f64)> = Vec::new();
    for share in rest.iter().flat_map(|s| &s.limited_by_shares) {
        match rest_seconds.iter_mut().find(|(h, _)| *h == share.held) {
            Some((_, s)) => *s += share.seconds,
            None => rest_seconds.push((share.held, share.seconds)),
        }
    }
    fleetplan_engine::sort::sort_by(&mut rest_seconds, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let rest_total: f64 = rest_seconds.iter().map(|(_, s)| s).sum();
    for &(held, _) in &rest_seconds {
        if !present.contains(&held) {
            present.push(held);
        }
    }
    fleetplan_engine::sort::sort(&mut present);
    html! {
        <section id="limited-band" class="limited-band" aria-label={tr("What held each service back")}>
            <h3>{ tr("What held each service back") }</h3>
            { for rows }
            if !rest.is_empty() {
                <div class="band-row band-rest" data-service="other">
                    <span class="band-name">{ trf("other ({count} services, time summed)", &[("count", &rest.len())]) }</span>
                    <div class="band-track" role="img" tabindex="0"
                        aria-label={trf("other services, their time summed: {shares}", &[("shares", &rest_seconds.iter().map(|(h, s)| format!("{} {s:.1} s", tr_dyn(h.name()))).collect::<Vec<_>>().join(", "))])}>
                        { for rest_seconds.iter().scan(0.0, |left, &(held, seconds)| {
                            let (from, width) = (*left, seconds / rest_total.max(f64::MIN_POSITIVE) * 100.0);
                            *left += width;
                            Some(html! {
                                <span class="band-seg" data-held={held.name()}
                                    style={format!("left:{from:.3}%;width:{width:.3}%;background:{}", crate::palette::held(held))}
                                    title={trf("{limit}: {seconds} s, all other services", &[("limit", &tr_dyn(held.name())), ("seconds", &format!("{seconds:.1}"))])}></span>
                            })
                        }) }
                    </div>
                </div>
            }
            <ul class="legend" aria-label={tr("What held the services back")}>
                { for present.iter().map(|&held| html! {
                    <li><span class="swatch" style={format!("background:{}", crate::palette::held(held))}></span>{ tr_dyn(held.name()) }</li>
                }) }
            </ul>
            <ul id="limited-band-text" class="visually-hidden">
                { for services.iter().map(|s| html! {
                    <li data-service={s.name.clone()}>
                        { trf("{service}: {shares}", &[("service", &s.name), ("shares", &shares_text(&s.limited_by_shares))]) }
                        { for s.limited_by_shares.iter().map(|share| html! {
                            <span data-held={share.held.name()} data-share={share.share.to_string()} data-seconds={share.seconds.to_string()}></span>
                        }) }
                    </li>
                }) }
            </ul>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fleetplan_engine::limited_by::Segment;
    use fleetplan_engine::output::Limiter;

    #[test]
    fn narrow_segments_fold_into_the_one_before() {
        let rate = Held::Limit(Limiter::ServiceLaunchRate);
        let band = ServiceBand {
            service: "web".into(),
            segments: vec![
                Segment { from_ms: 0, held: Held::Startup },
                Segment { from_ms: 5_000, held: rate },
                Segment { from_ms: 60_000, held: Held::Startup },
                Segment { from_ms: 60_100, held: rate },
                Segment { from_ms: 90_000, held: Held::Nothing },
            ],
            coarsened: false,
        };
        assert_eq!(
            drawn(&band, 100_000),
            vec![(0, 5_000, Held::Startup), (5_000, 90_000, rate), (90_000, 100_000, Held::Nothing)]
        );
        // The first cycle 2 ms in: its narrow start is drawn as what follows.
        let band = ServiceBand {
            service: "web".into(),
            segments: vec![Segment { from_ms: 0, held: Held::Startup }, Segment { from_ms: 2, held: rate }],
            coarsened: false,
        };
        assert_eq!(drawn(&band, 100_000), vec![(0, 100_000, rate)]);
    }
}
