//! One API's sheet: the `Layout` table (구분, Element, 한글명, Type, Required, Length,
//! Description), whose 구분 is set on a section's first row and blank on the rows after it.

use calamine::{Data, Range};
use serde::Serialize;

use crate::{text, Header};

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    pub name: String,
    /// 한글명.
    pub label: String,
    /// KIS's type: almost always `string` (numbers travel as strings), `number` in frames.
    #[serde(rename = "type")]
    pub kind: String,
    pub required: bool,
    /// As KIS writes it: `8`, or `11(8.2)` for digits and decimals.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub length: String,
    /// KIS's note on the field: the code values it takes, examples.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// A response group: `output`, `output1`, … of type object or array.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub name: String,
    pub label: String,
    /// Rows (`object array`, `array`) or one object.
    pub array: bool,
    /// How KIS's own response example shows the group, where that is not what the layout says
    /// ("object" or "array"): the two disagree for 24 groups (order-cash's `output` is an
    /// object array in the layout and an object in the example, as KIS sends it), so a client
    /// must take either.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example_shape: Option<&'static str>,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Layout {
    /// Fields outside any group (`rt_cd`, `msg_cd`, `msg1`, continuation keys); a frame's
    /// columns for a realtime TR.
    pub top: Vec<Field>,
    pub groups: Vec<Group>,
}

/// The request and response of one sheet.
#[derive(Debug, Default)]
pub struct Sheet {
    pub request_query: Vec<Field>,
    pub request_body: Vec<Field>,
    pub response: Layout,
}

#[derive(Clone, Copy, PartialEq)]
enum Section {
    Other,
    Query,
    Body,
    Response,
}

fn section(name: &str) -> Section {
    match name {
        "Request Query Parameter" => Section::Query,
        "Request Body" => Section::Body,
        "Response Body" => Section::Response,
        _ => Section::Other,
    }
}

/// Whether a response row opens a group: `output`, `output1`, … typed object or array.
fn opens_group(f: &Field) -> bool {
    let kind = f.kind.to_ascii_lowercase();
    (kind.contains("object") || kind.contains("array"))
        && (f.name.starts_with("output") || f.name.starts_with("Output"))
}

pub fn layout(range: &Range<Data>) -> Result<Sheet, String> {
    let mut rows = range.rows().skip_while(|r| text(r.first()) != "구분");
    let header = Header::new(rows.next(), "Layout table")?;
    let col = |name: &str| header.col(name);
    let (element, label, kind, required, length, description) = (
        col("Element")?,
        col("한글명")?,
        col("Type")?,
        col("Required")?,
        col("Length")?,
        col("Description")?,
    );
    let mut sheet = Sheet::default();
    let mut current = Section::Other;
    for row in rows.by_ref() {
        let first = text(row.first());
        if first == "Example" {
            break;
        }
        if !first.is_empty() {
            current = section(&first);
        }
        let field = Field {
            name: text(row.get(element)),
            label: text(row.get(label)),
            kind: text(row.get(kind)),
            required: text(row.get(required)).eq_ignore_ascii_case("Y"),
            length: text(row.get(length)),
            description: text(row.get(description)),
        };
        if field.name.is_empty() {
            continue;
        }
        match current {
            Section::Query => sheet.request_query.push(field),
            Section::Body => sheet.request_body.push(field),
            Section::Response if opens_group(&field) => sheet.response.groups.push(Group {
                array: field.kind.to_ascii_lowercase().contains("array"),
                example_shape: None,
                name: field.name,
                label: field.label,
                fields: Vec::new(),
            }),
            Section::Response => match sheet.response.groups.last_mut() {
                Some(g) => g.fields.push(field),
                None => sheet.response.top.push(field),
            },
            Section::Other => {}
        }
    }
    if let Some(example) = response_example(rows) {
        for g in &mut sheet.response.groups {
            let shown = example.get(&g.name).map(serde_json::Value::is_array);
            g.example_shape = match shown {
                Some(true) if !g.array => Some("array"),
                Some(false) if g.array => Some("object"),
                _ => None,
            };
        }
    }
    Ok(sheet)
}

/// The `Response Example` of the rows after `Example`, when it is JSON (about two thirds are:
/// the others carry comments or ellipses).
fn response_example<'a>(mut rows: impl Iterator<Item = &'a [Data]>) -> Option<serde_json::Value> {
    let row = rows.find(|r| text(r.first()) == "Response Example")?;
    let cell = row
        .iter()
        .skip(1)
        .map(|c| text(Some(c)))
        .find(|t| !t.is_empty())?;
    serde_json::from_str(&cell).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_response_example_is_read_when_it_is_json() {
        let s = |t: &str| Data::String(t.to_string());
        let rows = [
            vec![s("Request Example"), s("{\"CANO\": \"810XXXXX\"}")],
            vec![
                s("Response Example"),
                Data::Empty,
                s("{\r\n  \"rt_cd\": \"0\",\r\n  \"output\": {\"ODNO\": \"1\"}\r\n}"),
            ],
        ];
        let example = response_example(rows.iter().map(Vec::as_slice)).unwrap();
        assert!(example["output"].is_object());
        let commented = [vec![s("Response Example"), s("{ \"output\": [ ... ] }")]];
        assert!(response_example(commented.iter().map(Vec::as_slice)).is_none());
    }
}
