//! The sweep panel's settings in a share link (issue 12): the scenario's link (`#s=2.…`, or any other fragment the
//! page opens) followed by `&sweep=` and the panel's form as JSON, percent-encoded. Older links have no `&sweep=`
//! and open as before; the `s=` part is never touched (base64url has no `&`). At start-up (`lib.rs`) the page takes
//! the sweep part off the address, keeps the form for the panel and opens the rest as any link; the panel then
//! opens with its fields, ranges, seeds and goal filled in (not run).

use std::cell::RefCell;

use super::Form;
use crate::i18n::{tr, trf};

/// What follows the scenario's fragment.
pub const PARAM: &str = "&sweep=";
/// The longest sweep part read: two paths, their ranges and a goal take a few hundred characters.
pub const MAX_CHARS: usize = 4_000;

thread_local! {
    static PENDING: RefCell<Option<Form>> = const { RefCell::new(None) };
}

/// The fragment without its sweep part, and the form that part holds (or why it could not be read).
pub fn split(fragment: &str) -> (&str, Option<Result<Form, String>>) {
    let Some((rest, sweep)) = fragment.split_once(PARAM) else { return (fragment, None) };
    if sweep.len() > MAX_CHARS {
        return (
            rest,
            Some(Err(trf(
                "the sweep settings are {count} characters, over {max}",
                &[("count", &sweep.len()), ("max", &MAX_CHARS)],
            ))),
        );
    }
    let form =
        percent_decode(sweep).ok_or_else(|| tr("the sweep settings are not percent-encoded UTF-8")).and_then(|json| {
            serde_json::from_str::<Form>(&json).map_err(|e| trf("the sweep settings: {error}", &[("error", &e)]))
        });
    (rest, Some(form))
}

/// A fragment that opens `fragment` (the scenario's) with the sweep panel filled in from `form`.
pub fn fragment_with(fragment: &str, form: &Form) -> String {
    let json = serde_json::to_string(form).unwrap_or_default();
    format!("{fragment}{PARAM}{}", percent_encode(&json))
}

/// Keeps a link's form for the panel's next start.
pub fn set_pending(form: Form) {
    PENDING.with(|p| *p.borrow_mut() = Some(form));
}

/// The form a link brought, once.
pub fn take_pending() -> Option<Form> {
    PENDING.with(|p| p.borrow_mut().take())
}

/// Everything but ASCII letters, digits and `-_.~` as `%XX` (UTF-8 bytes).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::super::tests::example_form as form;
    use super::*;

    #[test]
    fn a_link_carries_the_form_and_leaves_the_scenario_part_alone() {
        let scenario = "s=2.eNrtw_abc-XYZ";
        let fragment = fragment_with(scenario, &form());
        assert!(fragment.starts_with("s=2.eNrtw_abc-XYZ&sweep=%7B"), "{fragment}");
        assert!(!fragment[scenario.len() + 1..].contains(['&', '#', ' ']), "{fragment}");
        let (rest, read) = split(&fragment);
        assert_eq!(rest, scenario);
        assert_eq!(read, Some(Ok(form())));
        assert_eq!(split(scenario), (scenario, None), "links without sweep settings open as before");
    }

    #[test]
    fn bad_sweep_parts_are_errors_and_the_scenario_still_opens() {
        for bad in ["s=2.x&sweep=%E9", "s=2.x&sweep=%7", "s=2.x&sweep=%7B%22seeds%22%3A3", "s=2.x&sweep=%5B%5D"] {
            let (rest, read) = split(bad);
            assert_eq!(rest, "s=2.x");
            assert!(matches!(read, Some(Err(_))), "{bad}: {read:?}");
        }
        let long = format!("s=2.x&sweep={}", "a".repeat(MAX_CHARS + 1));
        assert!(matches!(split(&long).1, Some(Err(e)) if e.contains("over")));
    }

    #[test]
    fn pending_is_taken_once() {
        set_pending(form());
        assert_eq!(take_pending(), Some(form()));
        assert_eq!(take_pending(), None);
    }
}
