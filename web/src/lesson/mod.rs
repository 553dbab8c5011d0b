//! Lesson mode (issue 13): the lesson panel beside the stage (step n of m, its text, Previous / Next, the keys
//! presentation clickers send), the preset's "what to look at" while it is open, presentation mode and the link
//! options that trim the page (`#preset=<id>&present&hide=editor,summary`).
//!
//! The page shows a step's text only as a text node. A step's time moves playback there; its highlight outlines a
//! provider (or a service's providers) in the cluster and picks the chart that presentation mode shows. Page
//! state that is only a look (presentation, hidden panels) is a class on the root element, so the stylesheet
//! (`static/lesson.css`) does the layout. "Copy link to this step" copies the share link with `&step=N` (and the
//! page's look) to the clipboard, or selects it in a field when the clipboard is refused.

use std::cell::Cell;
use std::rc::Rc;

use fleetplan_engine::presets::{self, Preset};
use fleetplan_engine::scenario::{Highlight, LessonStep};
use fleetplan_engine::Scenario;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::i18n::{tr, trf};

/// The panels a link may hide (`hide=`), each a class `hide-<name>` on the root element.
pub const HIDEABLE: [&str; 8] = ["editor", "summary", "gallery", "charts", "sweep", "compare", "lesson", "header"];
/// The root element's class in presentation mode.
const PRESENTING: &str = "presenting";

/// Options a link may carry after the fragment's own content, separated by `&`: `present` (presentation mode),
/// `hide=a,b` (panels to hide) and `step=N` (the lesson opens at step N, 1-based). Unknown options are ignored,
/// so links made by later versions still open.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LinkOptions {
    pub present: bool,
    pub hide: Vec<&'static str>,
    /// `step=N` as written (a number that is no step of the lesson opens the first, with a notice).
    pub step: Option<u32>,
}

thread_local! {
    /// The step a link asked for, until the lesson panel of the scenario it opened takes it.
    static ASKED_STEP: Cell<Option<u32>> = const { Cell::new(None) };
}

/// Where a lesson of `count` steps opens when a link asks for step `asked` (1-based): its index, and whether the
/// step was out of range (then the first, with a notice).
pub fn start_step(asked: u32, count: usize) -> (usize, bool) {
    match usize::try_from(asked) {
        Ok(n) if (1..=count).contains(&n) => (n - 1, false),
        _ => (0, true),
    }
}

/// Splits a fragment into what the app opens (a preset, a share or comparison link) and its options. Share and
/// comparison links are base64url, which has no `&`, so the first `&` starts the options.
pub fn split_options(fragment: &str) -> (&str, LinkOptions) {
    let Some((target, rest)) = fragment.split_once('&') else { return (fragment, LinkOptions::default()) };
    let mut options = LinkOptions::default();
    for option in rest.split('&') {
        match option.split_once('=') {
            None if option == "present" => options.present = true,
            Some(("present", value)) => options.present = value != "0",
            Some(("step", n)) => options.step = Some(n.parse().unwrap_or(0)),
            Some(("hide", list)) => {
                for name in list.split(',') {
                    if let Some(known) = HIDEABLE.iter().find(|h| **h == name) {
                        if !options.hide.contains(known) {
                            options.hide.push(known);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    (target, options)
}

impl LinkOptions {
    /// Puts the options on the page: presentation mode and the hidden panels, as classes of the root element.
    pub fn apply(&self) {
        ASKED_STEP.with(|s| s.set(self.step));
        set_root_class(PRESENTING, self.present);
        for name in HIDEABLE {
            set_root_class(&format!("hide-{name}"), self.hide.contains(&name));
        }
    }
}

fn root() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.document_element()
}

/// Adds or removes one class of the root element.
fn set_root_class(class: &str, on: bool) {
    let Some(root) = root() else { return };
    let classes = root.class_name();
    let mut list: Vec<&str> = classes.split_whitespace().filter(|c| *c != class).collect();
    if on {
        list.push(class);
    }
    root.set_class_name(&list.join(" "));
}

fn has_root_class(class: &str) -> bool {
    root().is_some_and(|r| r.class_name().split_whitespace().any(|c| c == class))
}

/// The link that opens the lesson at `step` (1-based): the page's share link (with its language) and the look
/// the page has now, presentation mode and the panels hidden, so the receiver sees what the sender sees.
pub fn step_link(link: &str, step: usize, present: bool, hidden: &[&str]) -> String {
    let mut out = format!("{link}&step={step}");
    if present {
        out.push_str("&present");
    }
    if !hidden.is_empty() {
        out.push_str("&hide=");
        out.push_str(&hidden.join(","));
    }
    out
}

/// The link to step `step` of the lesson shown, with the page's look now.
fn current_step_link(link: &str, step: usize) -> String {
    let hidden: Vec<&str> = HIDEABLE.into_iter().filter(|name| has_root_class(&format!("hide-{name}"))).collect();
    step_link(link, step, has_root_class(PRESENTING), &hidden)
}

/// The field that holds the link last copied, selected when the clipboard refuses it.
const LINK_FIELD: &str = "lesson-link";

/// Presentation mode on or off (the "p" key, the Present button).
pub fn toggle_presenting() {
    set_root_class(PRESENTING, !has_root_class(PRESENTING));
}

/// Whether the page is in Japanese (`<html lang="ja">`): steps then show their `text_ja` when they have one.
fn japanese() -> bool {
    root().and_then(|r| r.get_attribute("lang")).is_some_and(|lang| lang.starts_with("ja"))
}

/// The text a step shows in the page's language.
pub fn step_text(step: &LessonStep, japanese: bool) -> &str {
    match (&step.text_ja, japanese) {
        (Some(ja), true) => ja,
        _ => &step.text,
    }
}

/// The preset a document came from, by the source line the app gives it ("Preset: <title>").
pub fn open_preset(source: &str) -> Option<&'static Preset> {
    let title = source.strip_prefix("Preset: ")?;
    presets::all().iter().find(|p| p.title == title)
}

/// The chart presentation mode shows for step `index`: the step's own chart, else the nearest earlier step's,
/// else the lesson's first, else the running tasks.
pub fn focus_chart(steps: &[LessonStep], index: usize) -> String {
    let chart = |s: &LessonStep| match &s.highlight {
        Some(Highlight::Chart(c)) => Some(c.clone()),
        _ => None,
    };
    steps
        .iter()
        .take(index + 1)
        .rev()
        .find_map(chart)
        .or_else(|| steps.iter().find_map(chart))
        .unwrap_or_else(|| "running".to_string())
}

/// The cluster headings a step outlines: a provider's, or the providers a service's strategy uses (by the
/// cluster's heading text: `FARGATE` and `FARGATE_SPOT` are drawn as their pools).
pub fn outlined_providers(scenario: &Scenario, step: &LessonStep) -> Vec<String> {
    match &step.highlight {
        Some(Highlight::Provider(name)) => vec![name.clone()],
        Some(Highlight::Service(name)) => scenario
            .services
            .iter()
            .find(|s| &s.name == name)
            .map(|s| s.strategy.items.iter().map(|item| scenario.provider_name(item.provider).to_string()).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

#[derive(Properties, PartialEq)]
pub struct LessonProps {
    pub scenario: Rc<Scenario>,
    /// The open preset's "what to look at", shown above the steps.
    #[prop_or_default]
    pub look: Option<AttrValue>,
    /// Step `index` is shown (also on the first render): the stage jumps and highlights.
    pub on_step: Callback<usize>,
    /// The share link (empty while the scenario cannot run), for "Copy link to this step".
    #[prop_or_default]
    pub link: AttrValue,
}

/// A link copied from the panel: the link, its step, and whether the clipboard took it (`None` while asking).
#[derive(Clone, PartialEq)]
struct Copied {
    link: String,
    step: usize,
    clipboard: Option<bool>,
}

/// The lesson panel: the preset's "what to look at", then step n of m with Previous / Next (PageUp / PageDown,
/// "b" / "." as clickers send them).
#[component]
pub fn LessonPanel(props: &LessonProps) -> Html {
    let _lang = crate::i18n::use_lang();
    let steps = &props.scenario.lesson;
    let index = use_state_eq(|| 0usize);
    let count = steps.len();
    // A link's `step=N`: taken by the first lesson shown after it (the scenario it opened).
    let notice = use_state_eq(|| None::<u32>);
    {
        let (index, notice) = (index.clone(), notice.clone());
        use_effect_with(props.scenario.clone(), move |scenario| {
            let count = scenario.lesson.len();
            if count > 0 {
                if let Some(asked) = ASKED_STEP.with(Cell::take) {
                    let (start, outside) = start_step(asked, count);
                    index.set(start);
                    notice.set(outside.then_some(asked));
                }
            }
        });
    }
    // An edit may remove steps: the last one left is shown.
    if *index >= count && count > 0 {
        index.set(count - 1);
    }
    {
        let on_step = props.on_step.clone();
        use_effect_with((*index, count), move |(index, count)| {
            if *count > 0 {
                on_step.emit(*index);
            }
        });
    }
    {
        // Clicker keys, on the document while the panel is mounted (not while typing in a field).
        let index = index.clone();
        use_effect_with(count, move |count| {
            let count = *count;
            let document = web_sys::window().and_then(|w| w.document());
            let listener = document.map(|document| {
                let options = gloo_events::EventListenerOptions::enable_prevent_default();
                gloo_events::EventListener::new_with_options(&document, "keydown", options, move |event| {
                    let Some(key) = event.dyn_ref::<web_sys::KeyboardEvent>() else { return };
                    if key.ctrl_key() || key.meta_key() || key.alt_key() || typing(key) || count == 0 {
                        return;
                    }
                    let next = match key.key().as_str() {
                        "PageDown" | "." => (*index + 1).min(count - 1),
                        "PageUp" | "b" => index.saturating_sub(1),
                        _ => return,
                    };
                    event.prevent_default();
                    index.set(next);
                })
            });
            move || drop(listener)
        });
    }
    let go = |to: usize| {
        let index = index.clone();
        Callback::from(move |_: MouseEvent| index.set(to))
    };
    // "Copy link to this step": the clipboard, or the link selected in a field when the clipboard is refused.
    let copied = use_state_eq(|| None::<Copied>);
    {
        let copied = copied.clone();
        use_effect_with((*index, props.link.clone()), move |_| copied.set(None));
    }
    use_effect_with((*copied).clone(), |copied| {
        if copied.as_ref().is_some_and(|c| c.clipboard == Some(false)) {
            crate::dom::select_field(LINK_FIELD);
        }
    });
    let on_copy = {
        let (copied, link, step) = (copied.clone(), props.link.clone(), *index + 1);
        Callback::from(move |_: MouseEvent| {
            let link = current_step_link(&link, step);
            copied.set(Some(Copied { link: link.clone(), step, clipboard: None }));
            let (answer, shown) = (copied.clone(), link.clone());
            crate::dom::copy_then(&link, move |ok| answer.set(Some(Copied { link: shown, step, clipboard: Some(ok) })));
        })
    };
    let japanese = japanese();
    html! {
        <aside id="lesson" class="lesson-panel" aria-label={tr("Lesson")}>
            if let Some(look) = &props.look {
                <details class="look" open={count == 0}>
                    <summary>{ tr("What to look at") }</summary>
                    <p id="what-to-look-at">{ look.clone() }</p>
                </details>
            }
            if let Some(step) = steps.get(*index) {
                <div class="lesson-step">
                    if let Some(asked) = *notice {
                        <p class="lesson-notice" id="lesson-notice" role="status">{ trf("The link asked for step {step}, which this lesson does not have: showing step 1.", &[("step", &asked)]) }</p>
                    }
                    <p class="lesson-count" id="lesson-count">{ trf("Step {step} of {count}", &[("step", &(*index + 1)), ("count", &count)]) }</p>
                    <p class="lesson-text" id="lesson-text" aria-live="polite">{ step_text(step, japanese) }</p>
                    <div class="lesson-nav">
                        <button id="lesson-prev" onclick={go(index.saturating_sub(1))} disabled={*index == 0}
                            title={tr("Previous step (PageUp or b)")}>{ tr("◂ Previous") }</button>
                        <button id="lesson-next" class="primary" onclick={go((*index + 1).min(count - 1))}
                            disabled={*index + 1 >= count} title={tr("Next step (PageDown or .)")}>{ tr("Next ▸") }</button>
                        <button id="present" onclick={Callback::from(|_: MouseEvent| toggle_presenting())}
                            title={tr("Presentation mode (p)")}>{ tr("Present") }</button>
                        <button id="lesson-copy-link" onclick={on_copy} disabled={props.link.is_empty()}
                            title={trf("Copy a link that opens this lesson at step {step}", &[("step", &(*index + 1))])}>
                            { tr("Copy link to this step") }</button>
                    </div>
                    if let Some(c) = &*copied {
                        <input id={LINK_FIELD} class="share-link" type="text" readonly=true value={c.link.clone()}
                            aria-label={trf("Link to step {step}", &[("step", &c.step)])} />
                        <p id="lesson-link-status" class="note" role="status">{ match c.clipboard {
                            Some(true) => trf("Link to step {step} copied.", &[("step", &c.step)]),
                            Some(false) => tr("The clipboard refused the link: it is selected in the field above, press Ctrl+C (or ⌘C) to copy it."),
                            None => String::new(),
                        } }</p>
                    }
                </div>
            }
        </aside>
    }
}

/// "p" toggles presentation mode while the stage is mounted (with or without a lesson).
#[hook]
pub fn use_presentation_key() {
    use_effect_with((), move |_| {
        let document = web_sys::window().and_then(|w| w.document());
        let listener = document.map(|document| {
            gloo_events::EventListener::new(&document, "keydown", move |event| {
                let Some(key) = event.dyn_ref::<web_sys::KeyboardEvent>() else { return };
                if key.ctrl_key() || key.meta_key() || key.alt_key() || typing(key) {
                    return;
                }
                if key.key() == "p" {
                    toggle_presenting();
                }
            })
        });
        move || drop(listener)
    });
}

/// Keys typed into a field are not shortcuts.
fn typing(event: &web_sys::KeyboardEvent) -> bool {
    let Some(element) = event.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return false };
    matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_follow_the_first_ampersand_and_unknown_ones_are_ignored() {
        assert_eq!(split_options("preset=ec2-cold-1000"), ("preset=ec2-cold-1000", LinkOptions::default()));
        let (target, options) = split_options("preset=ec2-cold-1000&present&hide=editor,summary,nope,editor&x=1");
        assert_eq!(target, "preset=ec2-cold-1000");
        assert_eq!(options, LinkOptions { present: true, hide: vec!["editor", "summary"], step: None });
        let (target, options) = split_options("s=2.eJyrVkrOz0vOTFGyUkrOz0vOTFGyUkrOz0vOTFGyUqoFAF8-B3Q&hide=gallery");
        assert_eq!(target, "s=2.eJyrVkrOz0vOTFGyUkrOz0vOTFGyUkrOz0vOTFGyUqoFAF8-B3Q");
        assert_eq!(options, LinkOptions { present: false, hide: vec!["gallery"], step: None });
        assert_eq!(
            split_options("preset=x&step=3&present").1,
            LinkOptions { present: true, hide: vec![], step: Some(3) }
        );
        assert_eq!(split_options("preset=x&step=zwei").1.step, Some(0));
        assert_eq!(split_options("c=1.abc&present=0").1, LinkOptions::default());
    }

    /// The step's link is the share link with `&step=N` and the page's look, and opens at that step again.
    #[test]
    fn a_step_link_reopens_at_its_step_with_the_page_s_look() {
        let link = step_link("https://x/#s=2.abc&lang=ja", 3, true, &["editor", "sweep"]);
        assert_eq!(link, "https://x/#s=2.abc&lang=ja&step=3&present&hide=editor,sweep");
        let (_, fragment) = link.split_once('#').unwrap();
        let (fragment, _) = crate::i18n::split_lang(fragment);
        let (target, options) = split_options(&fragment);
        assert_eq!(target, "s=2.abc");
        assert_eq!(options, LinkOptions { present: true, hide: vec!["editor", "sweep"], step: Some(3) });
        assert_eq!(step_link("#preset=x", 1, false, &[]), "#preset=x&step=1");
    }

    #[test]
    fn a_linked_step_outside_the_lesson_opens_the_first_with_a_notice() {
        assert_eq!(start_step(1, 4), (0, false));
        assert_eq!(start_step(4, 4), (3, false));
        assert_eq!(start_step(5, 4), (0, true));
        assert_eq!(start_step(0, 4), (0, true));
        assert_eq!(start_step(u32::MAX, 4), (0, true));
    }

    #[test]
    fn the_focus_chart_is_the_step_s_or_an_earlier_one_s() {
        let step = |chart: Option<&str>| LessonStep {
            text: "t".into(),
            text_ja: None,
            at: None,
            highlight: chart.map(|c| Highlight::Chart(c.into())),
        };
        let steps = [step(None), step(Some("backlog")), step(None), step(Some("cost"))];
        assert_eq!(focus_chart(&steps, 0), "backlog");
        assert_eq!(focus_chart(&steps, 2), "backlog");
        assert_eq!(focus_chart(&steps, 3), "cost");
        assert_eq!(focus_chart(&[], 0), "running");
    }

    #[test]
    fn a_step_shows_its_japanese_only_in_japanese() {
        let step = LessonStep { text: "Look".into(), text_ja: Some("見て".into()), at: None, highlight: None };
        assert_eq!((step_text(&step, false), step_text(&step, true)), ("Look", "見て"));
    }

    #[test]
    fn every_lesson_chart_is_a_chart_of_the_page() {
        let ids: Vec<String> = crate::charts::ChartKind::ALL.iter().map(|k| k.id().to_string()).collect();
        for chart in fleetplan_engine::scenario::LESSON_CHARTS {
            assert!(ids.contains(&format!("chart-{chart}")), "{chart}");
        }
        assert_eq!(ids.len(), fleetplan_engine::scenario::LESSON_CHARTS.len());
    }

    #[test]
    fn a_preset_is_found_by_its_source_line() {
        let p = &presets::all()[0];
        assert_eq!(open_preset(&format!("Preset: {}", p.title)).map(|p| p.id), Some(p.id));
        assert!(open_preset("File: x.json").is_none());
    }
}
