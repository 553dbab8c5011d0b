//! The app: the scenario document (a pure reducer, [`document`]) with effect hooks around it that store it
//! ([`storage`]) and open links; the masthead ([`header`]), the presets gallery ([`gallery`]), the message bar and
//! the editor ([`panels`]); the comparison of kept runs ([`compare`]); and the stage that plays the last valid
//! scenario.

mod compare;
mod document;
mod gallery;
mod header;
mod panels;
mod storage;

use yew::prelude::*;

use crate::dom;
use crate::i18n::tr;
use crate::stage::{OtherRun, Stage};
use compare::ComparePanel;
use document::{Action, Doc};
use gallery::Gallery;
use header::Header;
use panels::{editor_panel, message_bar};

/// The fragment of a preset's address: `#preset=<id>`.
const PRESET_FRAGMENT: &str = "preset=";

#[component]
pub fn App() -> Html {
    // The page's language, provided to every component (`i18n::use_lang`) so a switch re-renders them all.
    let lang = use_state(crate::i18n::lang);
    let on_lang = {
        let lang = lang.clone();
        Callback::from(move |to: crate::i18n::Lang| {
            crate::i18n::keep_choice(to);
            let lang = lang.clone();
            crate::i18n::switch(to, move |_| lang.set(crate::i18n::lang()));
        })
    };
    let doc = use_reducer(|| {
        let mut doc = Doc::initial(storage::load_draft(), storage::load_stash());
        doc.keep_all(storage::load_kept());
        doc
    });

    {
        // The address: a share link (`#s=…`, `#c=…`) or a preset (`#preset=<id>`) opens on load and when pasted into
        // the address bar; Back and Forward open what their history entry showed (remembered in its state: see
        // `on_open` below). A share fragment is then cleared so a reload restores the saved edits instead; a reload
        // of a preset's own entry (its state already says so) leaves the restored draft alone too.
        let doc = doc.clone();
        use_effect_with((), move |_| {
            let open = move |on_load: bool| {
                let fragment = dom::location_fragment();
                let state = dom::history_state();
                let target = match (fragment.is_empty(), on_load) {
                    (false, true) if state.as_deref() == Some(fragment.as_str()) => return,
                    (false, _) => fragment.clone(),
                    (true, false) => match state {
                        Some(state) => state,
                        None => return,
                    },
                    (true, true) => return,
                };
                // Lesson link options after the content (`&present&hide=editor`): applied, then set aside.
                let (target, options) = crate::lesson::split_options(&target);
                options.apply();
                let target = target.to_string();
                match target.strip_prefix(PRESET_FRAGMENT) {
                    Some(id) => {
                        doc.dispatch(Action::OpenPreset(id.to_string()));
                        dom::remember_in_history(&target);
                    }
                    None => {
                        doc.dispatch(Action::OpenFragment(target.clone()));
                        if !fragment.is_empty() {
                            dom::clear_fragment(&target);
                        }
                    }
                }
            };
            open(true);
            let listener = dom::on_pop_state(move || open(false));
            move || drop(listener)
        });
    }
    {
        // Another scenario waits for the edits it replaces to be stored: store them, then say whether that worked
        // (if not, the document stays and the message says why).
        let dispatcher = doc.dispatcher();
        use_effect_with(doc.pending.clone(), move |pending| {
            if let Some(pending) = pending {
                dispatcher.dispatch(Action::StashStored(storage::save_stash(&pending.stash)));
            }
        });
    }
    // Unsaved work and the kept-aside edits survive a reload.
    use_effect_with(doc.saved(), storage::save_draft);
    use_effect_with(doc.stash.clone(), |stash| {
        storage::save_stash(stash);
    });
    // So do the runs kept for comparison.
    use_effect_with(doc.kept.clone(), |kept| storage::save_kept(kept));

    let blocked = (!doc.errors.is_empty()).then(|| {
        let first = &doc.errors[0];
        let args: [(&str, &dyn std::fmt::Display); 3] =
            [("count", &doc.errors.len()), ("field", &first.field), ("message", &first.message)];
        if doc.errors.len() == 1 {
            crate::i18n::trf("The edited scenario has 1 problem and cannot run until it is fixed (first: {field}: {message}). The last valid version is shown.", &args)
        } else {
            crate::i18n::trf("The edited scenario has {count} problems and cannot run until they are fixed (first: {field}: {message}). The last valid version is shown.", &args)
        }
    });
    let on_open = {
        // Opening a preset is a new history entry at `#preset=<id>`; the entry being left first remembers what it
        // showed (its preset, or the scenario as a share link when edited), so Back returns to it.
        let doc = doc.clone();
        Callback::from(move |id: String| {
            let kept = dom::history_state().filter(|state| state.starts_with(PRESET_FRAGMENT) && !doc.dirty());
            if kept.is_none() && doc.runnable.is_some() && doc.errors.is_empty() {
                dom::remember_in_history(&doc.link_fragment());
            }
            dom::push_address(&format!("{PRESET_FRAGMENT}{id}"));
            doc.dispatch(Action::OpenPreset(id));
        })
    };
    let on_close = {
        let doc = doc.clone();
        Callback::from(move |()| doc.dispatch(Action::ToggleGallery))
    };

    // The fit panel's Apply: the scenario with the fitted values, as if typed in the editor.
    let on_fit_apply = {
        let doc = doc.clone();
        Callback::from(move |json: String| doc.dispatch(Action::SetJsonText(json)))
    };

    // Live what-ifs from the stage: timed events of the scenario at the playback time (`crate::whatif`).
    let on_whatif = {
        let doc = doc.clone();
        Some(Callback::from(move |(what_if, at_ms)| doc.dispatch(Action::ApplyWhatIf(what_if, at_ms))))
    };
    let on_undo_whatif = {
        let doc = doc.clone();
        Callback::from(move |()| doc.dispatch(Action::UndoWhatIf))
    };

    // In a comparison, the other variants' clusters play beside this one's.
    let variants = doc.variants();
    let others: Vec<OtherRun> = match variants.split_last() {
        Some((_, rest)) if !rest.is_empty() => rest
            .iter()
            .map(|v| OtherRun { label: v.label.clone(), scenario: v.scenario.clone(), seed: v.seed })
            .collect(),
        _ => Vec::new(),
    };
    let others = use_memo(others, |others| others.clone());
    let label = (variants.len() >= 2).then(|| doc.current_label());

    html! {
        <ContextProvider<crate::i18n::Lang> context={*lang}>
        <Header doc={doc.clone()} {on_lang} />
        { message_bar(&doc) }
        if doc.gallery_open {
            <Gallery {on_open} {on_close} current={crate::lesson::open_preset(&doc.source).map(|p| AttrValue::from(p.id))} />
        }
        <div class={classes!("workspace", doc.editor_open.then_some("with-editor"))}>
            if doc.editor_open {
                { editor_panel(&doc) }
            }
            <main class="stage-column">
                if let Some(reason) = blocked.clone() {
                    <p id="blocked" class="blocked" role="status">{ reason }</p>
                }
                if !doc.kept.is_empty() {
                    <ComparePanel doc={doc.clone()} />
                }
                { match &doc.runnable {
                    Some((scenario, seed)) => html! {
                        <>
                        <Stage scenario={scenario.clone()} seed={*seed} generation={doc.generation} can_run={blocked.is_none()}
                            others={others.clone()} {label} whatifs={doc.whatifs.clone()}
                            on_whatif={on_whatif.clone()} on_undo_whatif={on_undo_whatif.clone()}
                            link={AttrValue::from(header::share_link(&doc, *lang))}
                            look={crate::lesson::open_preset(&doc.source).filter(|_| !doc.dirty()).map(|p| AttrValue::from(crate::i18n::preset_description(p)))} />
                        <crate::sweep::SweepPanel scenario={scenario.clone()} seed={*seed} />
                        <crate::fit::FitPanel scenario={scenario.clone()} on_apply={on_fit_apply.clone()} />
                        </>
                    },
                    None => html! { <p class="empty">{ tr("No valid scenario yet: open a preset or fix the scenario in the editor.") }</p> },
                } }
            </main>
        </div>
        </ContextProvider<crate::i18n::Lang>>
    }
}
