//! The Fleetplan playground: a scenario editor, a presets gallery, playback of the wasm engine with a cluster view,
//! charts and a summary, and share links that replay the identical run. Only this crate knows the browser.

// The worker module (no `page` feature) keeps the app's code compiled but unreachable: the linker drops it.
#![cfg_attr(not(feature = "page"), allow(dead_code, unused_imports))]

mod app;
mod charts;
mod cluster;
mod dom;
mod editor;
mod fit;
mod i18n;
mod lesson;
mod palette;
mod player;
mod pool;
mod runahead;
mod stage;
mod sweep;
mod whatif;

use wasm_bindgen::prelude::*;

/// Entry point: installs the panic hook, then mounts the app into `#app`.
#[cfg(feature = "page")]
#[wasm_bindgen(start)]
pub fn start() {
    // A sweep worker (static/sweep-worker.js) loads this module too: it has no window and mounts nothing.
    if web_sys::window().is_none() {
        return;
    }
    std::panic::set_hook(Box::new(|info| dom::show_fatal(&info.to_string())));
    // A link's sweep settings (`&sweep=…` after the scenario's fragment) go to the sweep panel; the rest opens as
    // any link does.
    let fragment = dom::location_fragment();
    if let (rest, Some(form)) = sweep::link::split(&fragment) {
        match form {
            Ok(form) => sweep::link::set_pending(form),
            Err(e) => web_sys::console::warn_1(&format!("{e}: the sweep panel opens empty").into()),
        }
        dom::replace_address(rest);
    }
    match dom::element_by_id("app") {
        // The page opens in its language: the Japanese catalogue is fetched first when Japanese is chosen.
        Some(root) => i18n::switch(i18n::initial_from_browser(), move |_| {
            // The first run ahead's worker loads its module while the page renders.
            runahead::remote::prepare();
            yew::Renderer::<app::App>::with_root(root).render();
        }),
        None => dom::show_fatal("the page has no #app element to start in"),
    }
}

/// Runs a benchmark scenario (see `fleetplan bench`) and reports events and elapsed time, measured in the page.
#[wasm_bindgen]
pub fn bench_preset(id: &str) -> String {
    let Some(scenario) = fleetplan_engine::benchmarks::scenario(id) else {
        return serde_json::json!({ "error": format!("unknown benchmark `{id}`") }).to_string();
    };
    let options = fleetplan_engine::RunOptions { trace: false, check_invariants: false, keep_finished_tasks: false };
    let start = dom::now_ms();
    let mut sim = fleetplan_engine::Simulation::with_options(scenario, 1, options);
    let events = sim.run_to_end();
    let elapsed_ms = dom::now_ms() - start;
    serde_json::json!({
        "id": id,
        "events": events,
        "tasks": sim.tasks_launched(),
        "elapsed_ms": elapsed_ms,
        "events_per_s": events as f64 / (elapsed_ms / 1000.0),
    })
    .to_string()
}
