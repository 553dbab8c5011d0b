//! The few direct DOM calls the page needs outside Yew: the fatal-error banner, the URL fragment, the clock.

use crate::i18n::tr;
use wasm_bindgen::JsCast;

pub fn element_by_id(id: &str) -> Option<web_sys::Element> {
    web_sys::window()?.document()?.get_element_by_id(id)
}

/// Shows an unrecoverable error (a panic) in place of a blank page. Text only: never parsed as HTML.
pub fn show_fatal(message: &str) {
    web_sys::console::error_1(&message.into());
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let banner = match document.get_element_by_id("fatal") {
        Some(existing) => existing,
        None => {
            let Ok(created) = document.create_element("div") else { return };
            created.set_id("fatal");
            let _ = created.set_attribute("role", "alert");
            if let Some(body) = document.body() {
                let _ = body.prepend_with_node_1(&created);
            }
            created
        }
    };
    banner.set_text_content(Some(&format!(
        "Fleetplan stopped because of an internal error. Reload the page to start again. Details: {message}"
    )));
}

/// The URL fragment without its `#`.
pub fn location_fragment() -> String {
    // A link's language option (`&lang=ja`) is the page's, not the document's (see `i18n::split_lang`).
    crate::i18n::split_lang(&raw_fragment()).0
}

/// The address's fragment as it is, `lang=` option included.
pub fn raw_fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| h.trim_start_matches('#').to_string())
        .unwrap_or_default()
}

/// The page's address without the fragment, for building share links that work from any host and sub-path.
pub fn page_address() -> String {
    let Some(location) = web_sys::window().map(|w| w.location()) else { return String::new() };
    let href = location.href().unwrap_or_default();
    href.split('#').next().unwrap_or_default().to_string()
}

/// `performance.now()` of the page or, in a Web Worker (no window: `bench_preset` in the worker module), the worker's.
pub fn now_ms() -> f64 {
    js_sys::Reflect::get(&js_sys::global(), &wasm_bindgen::JsValue::from_str("performance"))
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        .map_or(0.0, |p| p.now())
}

/// Copies text to the clipboard. Where the page has no clipboard API (plain HTTP on a host other than localhost)
/// it selects the share-link box instead and returns false, so the user can copy it by hand.
pub fn copy_to_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else { return false };
    let navigator = window.navigator();
    let has_clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into()).is_ok_and(|c| !c.is_undefined());
    if has_clipboard {
        let _ = navigator.clipboard().write_text(text);
        return true;
    }
    if let Some(input) = element_by_id("share-link").and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok()) {
        let _ = input.focus();
        input.select();
    }
    false
}

/// Copies text to the clipboard, then says whether the browser took it: false where the page has no clipboard API
/// (plain HTTP on a host other than localhost) or the browser refused the write (no permission, the page not
/// focused), so the caller can offer the text selected in a field instead.
pub fn copy_then(text: &str, done: impl FnOnce(bool) + 'static) {
    let navigator = web_sys::window().map(|w| w.navigator());
    let clipboard = navigator
        .filter(|n| js_sys::Reflect::get(n, &"clipboard".into()).is_ok_and(|c| !c.is_undefined()))
        .map(|n| n.clipboard());
    match clipboard {
        Some(clipboard) => {
            let written = wasm_bindgen_futures::JsFuture::from(clipboard.write_text(text));
            wasm_bindgen_futures::spawn_local(async move { done(written.await.is_ok()) });
        }
        None => done(false),
    }
}

/// Focuses the text field `id` and selects its text, to be copied by hand (Ctrl+C).
pub fn select_field(id: &str) {
    if let Some(input) = element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok()) {
        let _ = input.focus();
        input.select();
    }
}

/// Removes a share link's fragment from the address bar once it has been opened, so a reload restores the saved
/// edits rather than opening the link over them again; the history entry remembers what it opened (its state),
/// so Back and Forward to it open it again. Fires no event.
pub fn clear_fragment(opened: &str) {
    let Some(window) = web_sys::window() else { return };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&opened.into(), "", Some(&page_address()));
    }
}

/// The address with another fragment, in place (no history entry, no event).
pub fn replace_address(fragment: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let address = format!("{}#{fragment}", page_address());
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&address));
    }
}

/// What the current history entry opened (its state: a share fragment or `preset=<id>`), if anything.
pub fn history_state() -> Option<String> {
    web_sys::window()?.history().ok()?.state().ok()?.as_string()
}

/// Lets the current history entry remember what it shows (a share fragment or `preset=<id>`), address unchanged.
pub fn remember_in_history(opened: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state(&opened.into(), "");
    }
}

/// A new history entry at `#<fragment>` that remembers it: opening a preset, so Back returns to what was shown
/// before. Fires no event.
pub fn push_address(fragment: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let address = format!("{}#{fragment}", page_address());
        let _ = history.push_state_with_url(&fragment.into(), "", Some(&address));
    }
}

/// The value of the `<input>` or `<select>` an event came from.
pub fn input_value(event: &web_sys::Event) -> Option<String> {
    let target = event.target()?;
    if let Some(input) = target.dyn_ref::<web_sys::HtmlInputElement>() {
        return Some(input.value());
    }
    target.dyn_ref::<web_sys::HtmlSelectElement>().map(|select| select.value())
}

/// Calls `handler` whenever the history entry changes: Back, Forward, or a link pasted into the address bar (a
/// fragment navigation fires `popstate` too); dropping the returned listener removes it.
pub fn on_pop_state(handler: impl Fn() + 'static) -> Option<PopStateListener> {
    let window = web_sys::window()?;
    let closure = wasm_bindgen::closure::Closure::<dyn Fn()>::new(handler);
    window.add_event_listener_with_callback("popstate", closure.as_ref().unchecked_ref()).ok()?;
    Some(PopStateListener { closure })
}

pub struct PopStateListener {
    closure: wasm_bindgen::closure::Closure<dyn Fn()>,
}

impl Drop for PopStateListener {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            let _ = window.remove_event_listener_with_callback("popstate", self.closure.as_ref().unchecked_ref());
        }
    }
}

/// Whether the checkbox an event came from is checked.
pub fn checkbox_checked(event: &web_sys::Event) -> Option<bool> {
    event.target()?.dyn_ref::<web_sys::HtmlInputElement>().map(|input| input.checked())
}

/// Puts a "+ add…" select back on its first (prompt) option after a choice.
pub fn reset_select(event: &web_sys::Event) {
    if let Some(select) = event.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
        select.set_selected_index(0);
    }
}

/// The text of a `<textarea>` an event came from.
pub fn textarea_value(event: &web_sys::Event) -> Option<String> {
    event.target()?.dyn_ref::<web_sys::HtmlTextAreaElement>().map(|area| area.value())
}

/// True when the user asked the system for less motion.
pub fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
        .is_some_and(|query| query.matches())
}

/// Offers text as a file download (scenario JSON, CSV), through a temporary object URL.
pub fn download_text(file_name: &str, mime: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| tr("the browser could not create the file"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| tr("the browser could not create a download link"))?;
    let result = click_download_link(file_name, &url);
    // Revoking at once can cancel the download in some browsers: let it start first.
    gloo_timers::callback::Timeout::new(60_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    result
}

/// Offers a canvas as a PNG download.
pub fn download_canvas_png(canvas: &web_sys::HtmlCanvasElement, file_name: &str) -> Result<(), String> {
    let url = canvas.to_data_url_with_type("image/png").map_err(|_| tr("the chart could not be exported"))?;
    click_download_link(file_name, &url)
}

fn click_download_link(file_name: &str, url: &str) -> Result<(), String> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| tr("no link element"))?
        .dyn_into()
        .map_err(|_| tr("no link element"))?;
    link.set_href(url);
    link.set_download(file_name);
    link.click();
    Ok(())
}

/// The canvas with a DOM id, if it is on the page.
pub fn canvas_by_id(id: &str) -> Option<web_sys::HtmlCanvasElement> {
    element_by_id(id)?.dyn_into().ok()
}

/// Local storage, or None where the browser refuses it (private modes, file URLs in some browsers).
pub mod storage {
    use gloo_storage::{LocalStorage, Storage};

    pub fn get(key: &str) -> Option<String> {
        LocalStorage::get::<String>(key).ok()
    }

    /// Saving is best effort: a full or disabled storage must not stop the app.
    /// False when the browser refused (storage full or disabled).
    pub fn set(key: &str, value: &str) -> bool {
        LocalStorage::set(key, value).is_ok()
    }

    pub fn remove(key: &str) {
        LocalStorage::delete(key);
    }
}

/// The file chosen in an `<input type=file>`.
pub fn chosen_file(event: &web_sys::Event) -> Option<web_sys::File> {
    event.target()?.dyn_ref::<web_sys::HtmlInputElement>()?.files()?.get(0)
}

/// Empties a file input, so choosing the same file again is a change.
pub fn clear_file_input(event: &web_sys::Event) {
    if let Some(input) = event.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
        input.set_value("");
    }
}

/// Marks a moment for measurements in the browser's performance timeline (best effort).
pub fn performance_mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// Focuses the first element matching a CSS selector inside an element.
pub fn focus_first(node: &yew::NodeRef, selector: &str) {
    let button = node.cast::<web_sys::Element>().and_then(|e| e.query_selector(selector).ok().flatten());
    if let Some(button) = button.and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = button.focus();
    }
}

/// Focuses the element with a DOM id, if it is on the page.
pub fn focus_by_id(id: &str) {
    if let Some(element) = element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = element.focus();
    }
}

/// The display's device pixel ratio, kept to 1–4 (a zoomed-out page or a bogus value must not shrink the canvas to
/// nothing or blow it up).
pub fn device_pixel_ratio() -> f64 {
    let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    if ratio.is_finite() {
        ratio.clamp(1.0, 4.0)
    } else {
        1.0
    }
}

/// Sizes a canvas' backing store. Assigning a size clears the canvas and resets its context even when unchanged,
/// so only a real change is assigned.
pub fn resize_backing_store(canvas: &web_sys::HtmlCanvasElement, width: u32, height: u32) {
    if canvas.width() != width {
        canvas.set_width(width);
    }
    if canvas.height() != height {
        canvas.set_height(height);
    }
}

/// A canvas' 2D context.
pub fn context_2d(canvas: &web_sys::HtmlCanvasElement) -> Result<web_sys::CanvasRenderingContext2d, String> {
    canvas
        .get_context("2d")
        .map_err(|_| tr("the canvas refused a 2D context"))?
        .ok_or("the canvas has no 2D context")?
        .dyn_into()
        .map_err(|_| tr("the canvas context is not 2D"))
}

/// Sets a canvas' text alternative: the text of the element `<canvas id>-text` (its `aria-describedby`), only
/// when it changed, so that a chart redrawn every frame does not churn the accessibility tree.
pub fn set_text_alternative(canvas: &web_sys::HtmlCanvasElement, text: &str) {
    if let Some(element) = element_by_id(&format!("{}-text", canvas.id())) {
        if element.text_content().as_deref() != Some(text) {
            element.set_text_content(Some(text));
        }
    }
}
