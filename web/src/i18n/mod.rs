//! Both languages: English text is the key, and `static/i18n/ja.json` (fetched when Japanese is chosen, so the wasm
//! carries no Japanese) maps it to Japanese. `tr("Play")` gives the entry for the current language; `trf` fills
//! named placeholders (`trf("Keep as {label}", &[("label", &label)])`). Presets' titles and descriptions are keyed by
//! preset id (presets.rs's English stays the source). The language comes from a link's `lang=`, then the choice
//! made with the switch (local storage), then the browser's languages; components re-render through
//! [`use_lang`] when it changes.

#[cfg(test)]
mod tests;

use std::cell::{Cell, RefCell};
#[cfg(test)]
use std::collections::BTreeMap;
use std::fmt::Display;

use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

use crate::dom;

/// Where the switch's choice is kept between visits.
const LANG_KEY: &str = "fleetplan.lang.v1";
/// The Japanese catalogue, relative to the page (a static file, fetched on demand).
const JA_CATALOGUE: &str = "i18n/ja.json";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Ja,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }

    /// `en`, `en-GB`, `ja`, `ja-JP` (any case); none for other languages.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "ja" => Some(Lang::Ja),
            _ => None,
        }
    }
}

/// The Japanese catalogue as the file has it (read so in the tests; the page keeps the parsed JavaScript object and
/// looks entries up in it, which costs the wasm far less code than deserializing maps).
#[cfg(test)]
#[derive(serde::Deserialize, Default)]
pub(crate) struct Catalogue {
    /// English text (with `{name}` placeholders) -> Japanese.
    pub ui: BTreeMap<String, String>,
    /// Preset id -> its title and description.
    pub presets: BTreeMap<String, PresetText>,
    /// Names the engine gives (what limited a service, the token buckets): English -> Japanese, shown through
    /// [`tr_dyn`]. The engine's English stays the source and its JSON form.
    pub engine: BTreeMap<String, String>,
}

#[cfg(test)]
#[derive(serde::Deserialize)]
pub(crate) struct PresetText {
    pub title: String,
    pub description: String,
}

thread_local! {
    static LANG: Cell<Lang> = const { Cell::new(Lang::En) };
    /// `static/i18n/ja.json` as parsed by the browser: `{ui: {en: ja}, presets: {id: {title, description}},
    /// engine: {en: ja}}`.
    static JA: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// The language the page is shown in.
pub fn lang() -> Lang {
    LANG.with(Cell::get)
}

/// The text for the current language: the Japanese entry when Japanese is shown (English if it has none).
#[inline(never)] // One copy for the ~400 call sites: the wasm stays small.
pub fn tr(en: &'static str) -> String {
    lookup(en).unwrap_or_else(|| en.to_string())
}

/// Marks a literal for the catalogue where it is kept as it is and translated where it is shown, with
/// [`tr_dyn`] (a chart's line names and axis).
pub const fn mark(en: &'static str) -> &'static str {
    en
}

/// [`tr`] for text that is not a literal here: a [`mark`]ed one, or a name from the engine (the English if the
/// catalogue has no entry).
#[inline(never)] // One copy for the ~400 call sites: the wasm stays small.
pub fn tr_dyn(en: &str) -> String {
    lookup(en).unwrap_or_else(|| en.to_string())
}

/// A text the engine gives (a step's caption, a chart marker's label, a hold): its template, its names and its
/// clauses looked up like [`tr_dyn`], its other values as they are.
#[inline(never)]
pub fn tr_text(text: &fleetplan_engine::text::Text) -> String {
    text.render(&tr_dyn)
}

/// An explanation ("why is this waiting?") in the page's language: the state as the engine gives it, then each hold.
pub fn explanation(why: &fleetplan_engine::explain::Explanation) -> String {
    let holds: Vec<String> = why.holds.iter().map(|h| tr_text(&h.describe())).collect();
    format!("{}: {}", why.state, holds.join("; "))
}

/// [`tr`], then each `{name}` replaced by its value.
#[inline(never)] // One copy for the ~400 call sites: the wasm stays small.
pub fn trf(en: &'static str, args: &[(&str, &dyn Display)]) -> String {
    fill(&tr(en), args)
}

/// Replaces each `{name}` with its value in one pass, so a value that itself contains `{…}` (a scenario or
/// service name) is never filled again; a name with no value is left as it is.
pub(crate) fn fill(template: &str, args: &[(&str, &dyn Display)]) -> String {
    fleetplan_engine::text::fill_placeholders(template, |name| {
        args.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
    })
}

#[inline(never)] // One copy for the ~400 call sites: the wasm stays small.
fn lookup(en: &str) -> Option<String> {
    if lang() == Lang::En {
        return None;
    }
    JA.with(|ja| {
        let ja = ja.borrow();
        let catalogue = ja.as_ref()?;
        entry(catalogue, &["ui", en]).or_else(|| entry(catalogue, &["engine", en]))
    })
}

/// The string at `path` in a parsed JSON object, if there is one.
fn entry(object: &JsValue, path: &[&str]) -> Option<String> {
    let mut value = object.clone();
    for key in path {
        if !value.is_object() {
            return None;
        }
        value = js_sys::Reflect::get(&value, &JsValue::from_str(key)).ok()?;
    }
    value.as_string()
}

/// A preset's title in the current language.
pub fn preset_title(p: &fleetplan_engine::presets::Preset) -> String {
    preset_text(p.id, "title").unwrap_or_else(|| p.title.to_string())
}

/// A preset's "what to look at" in the current language.
pub fn preset_description(p: &fleetplan_engine::presets::Preset) -> String {
    preset_text(p.id, "description").unwrap_or_else(|| p.what_to_look_at.to_string())
}

fn preset_text(id: &str, field: &str) -> Option<String> {
    if lang() == Lang::En {
        return None;
    }
    JA.with(|ja| entry(ja.borrow().as_ref()?, &["presets", id, field]))
}

/// Re-renders the calling component when the language changes (the app provides it as a context).
#[hook]
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_else(lang)
}

/// A fragment without its `lang=` option, and the language it asked for: `preset=x&lang=ja` gives (`preset=x`,
/// ja); `lang=ja` alone gives (``, ja). Other options are left in place.
pub fn split_lang(fragment: &str) -> (String, Option<Lang>) {
    let mut asked = None;
    let rest: Vec<&str> = fragment
        .split('&')
        .filter(|part| match part.strip_prefix("lang=") {
            Some(tag) => {
                asked = Lang::parse(tag).or(asked);
                false
            }
            None => true,
        })
        .collect();
    (rest.join("&"), asked)
}

/// The language to start in: the link's, else the one chosen before, else the first of the browser's languages
/// that the page has, else English.
pub fn initial(link: Option<Lang>, stored: Option<&str>, browser: &[String]) -> Lang {
    link.or_else(|| stored.and_then(Lang::parse))
        .or_else(|| browser.iter().find_map(|tag| Lang::parse(tag)))
        .unwrap_or(Lang::En)
}

/// The browser's preferred languages, most preferred first.
fn browser_languages() -> Vec<String> {
    let Some(window) = web_sys::window() else { return Vec::new() };
    let list = window.navigator().languages();
    let mut tags: Vec<String> = list.iter().filter_map(|v| v.as_string()).collect();
    if tags.is_empty() {
        tags.extend(window.navigator().language());
    }
    tags
}

/// The language the page opens in (see [`initial`]).
pub fn initial_from_browser() -> Lang {
    let (_, link) = split_lang(&dom::raw_fragment());
    initial(link, dom::storage::get(LANG_KEY).as_deref(), &browser_languages())
}

/// Shows the page in `lang`: fetches the Japanese catalogue the first time, then sets `<html lang>` and calls
/// `done` (with false if the catalogue could not be loaded; the page then stays in English).
pub fn switch(to: Lang, done: impl FnOnce(bool) + 'static) {
    let loaded = JA.with(|ja| ja.borrow().is_some());
    if to == Lang::En || loaded {
        apply(to);
        done(true);
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        match fetch_catalogue().await {
            Some(catalogue) => {
                JA.with(|ja| *ja.borrow_mut() = Some(catalogue));
                apply(to);
                done(true);
            }
            None => {
                apply(Lang::En);
                done(false);
            }
        }
    });
}

/// Remembers the switch's choice for the next visit.
pub fn keep_choice(lang: Lang) {
    dom::storage::set(LANG_KEY, lang.code());
}

fn apply(to: Lang) {
    LANG.with(|l| l.set(to));
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", to.code());
    }
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(&tr("Fleetplan — ECS/Fargate launch playground"));
    }
}

async fn fetch_catalogue() -> Option<JsValue> {
    let window = web_sys::window()?;
    let response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(JA_CATALOGUE)).await.ok()?;
    let response: web_sys::Response = response.dyn_into().ok()?;
    if !response.ok() {
        return None;
    }
    let catalogue = wasm_bindgen_futures::JsFuture::from(response.json().ok()?).await.ok()?;
    catalogue.is_object().then_some(catalogue)
}

/// The switch: EN / 日本語, each a button that says whether it is the current one (a function, not a component:
/// one less component type in the wasm).
pub fn lang_switch(lang: Lang, on_change: &Callback<Lang>) -> Html {
    let button = |to: Lang, label: &'static str, name: &'static str| {
        let on_change = on_change.clone();
        html! {
            <button id={format!("lang-{}", to.code())} lang={to.code()} aria-pressed={(lang == to).to_string()}
                aria-label={name} onclick={Callback::from(move |_: MouseEvent| on_change.emit(to))}>{ label }</button>
        }
    };
    html! {
        <div class="lang-switch" role="group" aria-label={tr("Language")}>
            { button(Lang::En, "EN", "English") }
            { button(Lang::Ja, "日本語", "日本語") }
        </div>
    }
}
