//! The few direct DOM calls the page needs outside Yew: the fatal-error banner, the URL fragment, the clock.

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

pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// Copies text to the clipboard; the promise's outcome does not matter (the link stays visible to copy by hand).
pub fn copy_to_clipboard(text: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().clipboard().write_text(text);
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

/// Calls `handler` whenever the URL fragment changes; dropping the returned listener removes it.
pub fn on_hash_change(handler: impl Fn() + 'static) -> Option<HashChangeListener> {
    let window = web_sys::window()?;
    let closure = wasm_bindgen::closure::Closure::<dyn Fn()>::new(handler);
    window.add_event_listener_with_callback("hashchange", closure.as_ref().unchecked_ref()).ok()?;
    Some(HashChangeListener { closure })
}

pub struct HashChangeListener {
    closure: wasm_bindgen::closure::Closure<dyn Fn()>,
}

impl Drop for HashChangeListener {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            let _ = window.remove_event_listener_with_callback("hashchange", self.closure.as_ref().unchecked_ref());
        }
    }
}
