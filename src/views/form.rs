//! Forms: a POST form carries the session's CSRF token as its first field (the
//! middleware reads it from there, even in a multipart body); a field is a
//! labelled input that shows its error beside it and points to it with
//! `aria-describedby`; the month picker GETs a year and an ended month.

use super::{csrf, html, Markup};
use crate::auth::Identity;
use crate::domain::{FiscalMonth, FiscalYear};
use crate::error::FieldError;
use crate::i18n::Lang;

/// `<form method="post">` with the CSRF field first; `multipart` for uploads.
pub fn post_form(action: &str, who: &Identity, class: Option<&str>, multipart: bool, body: Markup) -> Markup {
    html! {
        form method="post" action=(action) class=[class]
            enctype=[multipart.then_some("multipart/form-data")] {
            (csrf(who))
            (body)
        }
    }
}

/// A labelled input.
#[derive(Clone, Copy, Debug)]
pub struct Field<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub value: &'a str,
    /// `text`, `date`, `password`, `file`…
    pub kind: &'a str,
    /// `numeric` or `decimal` for number-like text.
    pub inputmode: Option<&'a str>,
    pub required: bool,
    /// The id of a `<datalist>` of suggestions.
    pub list: Option<&'a str>,
    pub maxlength: Option<usize>,
    pub errors: &'a [FieldError],
}

impl<'a> Field<'a> {
    pub fn new(name: &'a str, label: &'a str, value: &'a str, errors: &'a [FieldError]) -> Field<'a> {
        Field {
            name,
            label,
            value,
            kind: "text",
            inputmode: None,
            required: false,
            list: None,
            maxlength: None,
            errors,
        }
    }

    pub fn decimal(mut self) -> Field<'a> {
        self.inputmode = Some("decimal");
        self
    }

    pub fn numeric(mut self) -> Field<'a> {
        self.inputmode = Some("numeric");
        self
    }

    pub fn kind(mut self, kind: &'a str) -> Field<'a> {
        self.kind = kind;
        self
    }

    pub fn required(mut self) -> Field<'a> {
        self.required = true;
        self
    }

    pub fn list(mut self, id: &'a str) -> Field<'a> {
        self.list = Some(id);
        self
    }

    pub fn maxlength(mut self, n: usize) -> Field<'a> {
        self.maxlength = Some(n);
        self
    }
}

/// `<p><label/><input/><span error/></p>`; the input is `aria-invalid` and
/// described by its error when the field has one.
pub fn field(f: Field<'_>) -> Markup {
    let error = f.errors.iter().find(|e| e.field == f.name);
    let error_id = format!("{}-error", f.name);
    html! {
        p {
            label for=(f.name) { (f.label) }
            input id=(f.name) name=(f.name) type=(f.kind) value=(f.value)
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| error_id.as_str())]
                inputmode=[f.inputmode] list=[f.list] maxlength=[f.maxlength] required[f.required];
            @if let Some(e) = error {
                span.field-error id=(error_id) { (e.message) }
            }
        }
    }
}

/// The month picker's choices: every year on record and the months of the
/// chosen one that have ended.
pub struct Picker<'a> {
    pub lang: Lang,
    /// Where the picker GETs `?fy=&month=`.
    pub action: &'a str,
    pub years: &'a [i32],
    pub fy: FiscalYear,
    pub month: FiscalMonth,
    pub months: Vec<FiscalMonth>,
}

pub fn month_picker(p: &Picker<'_>) -> Markup {
    let lang = p.lang;
    html! {
        form method="get" action=(p.action) class="filters picker" {
            @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
            label {
                (lang.t("picker.year")) " "
                select name="fy" {
                    @for y in p.years {
                        option value=(y) selected[*y == p.fy.be()] { (lang.f("picker.year_option", &[("be", y)])) }
                    }
                }
            }
            label {
                (lang.t("picker.month")) " "
                select name="month" {
                    @for m in &p.months {
                        option value=(m.number()) selected[*m == p.month] { (lang.month(p.fy, *m)) }
                    }
                }
            }
            button type="submit" { (lang.t("picker.show")) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_with_an_error_is_invalid_and_described_by_it() {
        let errors = vec![FieldError::new("amount", "ติดลบ <ไม่ได้>")];
        let html = field(Field::new("amount", "จำนวน", "-5\"", &errors).decimal()).into_string();
        assert!(html.contains("value=\"-5&quot;\" aria-invalid=\"true\" aria-describedby=\"amount-error\""), "{html}");
        assert!(html.contains("<span class=\"field-error\" id=\"amount-error\">ติดลบ &lt;ไม่ได้&gt;</span>"), "{html}");
        let clean = field(Field::new("reason", "เหตุผล", "", &[]).required()).into_string();
        assert!(!clean.contains("aria-invalid") && clean.contains(" required"), "{clean}");
    }
}
