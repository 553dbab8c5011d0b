//! The presets gallery: every preset with its title and what to look at.

use fleetplan_engine::presets;
use yew::prelude::*;

use crate::dom;
use crate::i18n::tr;

#[derive(Properties, PartialEq)]
pub struct GalleryProps {
    pub on_open: Callback<String>,
    pub on_close: Callback<()>,
    /// The id of the preset that is open, marked in the gallery.
    #[prop_or_default]
    pub current: Option<AttrValue>,
}

/// Every preset with its title and what to look at.
#[component]
pub fn Gallery(props: &GalleryProps) -> Html {
    // Re-rendered in the language chosen.
    let _lang = crate::i18n::use_lang();
    let section = use_node_ref();
    {
        // Keyboard users land in the gallery when it opens, and back on its button when it closes.
        let section = section.clone();
        use_effect_with((), move |_| {
            dom::focus_first(&section, ".card button");
            || dom::focus_by_id("toggle-gallery")
        });
    }
    // Escape closes the gallery (focus is inside it from the start).
    let on_key = {
        let on_close = props.on_close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                on_close.emit(());
            }
        })
    };
    html! {
        <section id="gallery" class="gallery" aria-label={tr("Presets")} ref={section} onkeydown={on_key}>
            <div class="gallery-head">
                <h2>{ tr("Presets") }</h2>
                <p>{ tr("Calibration rows reproduce published measurements; teaching scenarios each show one mechanism. Opening one keeps any unsaved edits aside.") }</p>
                <button class="dismiss" onclick={props.on_close.reform(|_: MouseEvent| ())} aria-label={tr("Close the presets (Escape)")}>{ "×" }</button>
            </div>
            <ul class="cards">
                { for presets::all().iter().map(|p| {
                    let on_open = props.on_open.clone();
                    let id = p.id.to_string();
                    let onclick = Callback::from(move |_: MouseEvent| on_open.emit(id.clone()));
                    let title = crate::i18n::preset_title(p);
                    let open = props.current.as_deref() == Some(p.id);
                    html! {
                        <li class={classes!("card", open.then_some("open-preset"))} id={format!("card-{}", p.id)} aria-current={open.then_some("true")}>
                            if open {
                                <p class="badge open-badge">{ tr("Open now") }</p>
                            }
                            <h3>{ title.clone() }</h3>
                            if let Some(published) = p.published_s {
                                <p class="badge">{ crate::i18n::trf("calibration · published {seconds} s", &[("seconds", &format!("{published:.0}"))]) }</p>
                            }
                            <p class="card-description">{ crate::i18n::preset_description(p) }</p>
                            <button id={format!("open-{}", p.id)} onclick={onclick}>{ tr("Open") }<span class="visually-hidden">{ format!(" {title}") }</span></button>
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}
