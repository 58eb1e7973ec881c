//! KIS's API workbook (the "API 문서" xlsx) as a catalogue: every REST API under `/uapi/` and every
//! realtime (websocket) TR, with the facts a client is generated from — names, menu, method, path,
//! TR IDs per environment and their conditions, request parameters, response fields as KIS groups
//! them — and none of KIS's prose overviews. See `../shared/kis-api-workbook/README.md` for the
//! workbook's layout and traps; each is handled where it is named below.

pub mod names;
pub mod sheet;
pub mod tr_ids;

use std::path::Path;

use calamine::{open_workbook, Data, Range, Reader, Xlsx};
use serde::Serialize;

pub use sheet::{Field, Group, Layout};
pub use tr_ids::{TrId, TrIds};

/// The whole catalogue, as committed in `catalogue/kis-api.json`.
#[derive(Debug, Serialize)]
pub struct Catalogue {
    /// The workbook's file name, which carries KIS's date.
    pub source: String,
    pub rest: Vec<RestApi>,
    pub realtime: Vec<RealtimeApi>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RestApi {
    /// The method name (see `names::method_name`): stable, guessable from the path.
    pub name: String,
    /// KIS's API ID (`v1_국내주식-018,019`).
    pub id: String,
    pub name_ko: String,
    /// The path's words, as an English title.
    pub title: String,
    pub menu: String,
    pub method: String,
    pub path: String,
    pub tr_ids: TrIds,
    /// Request parameters: the query of a GET, the body of a POST.
    pub request: Vec<Field>,
    /// Request headers other than the ones every call carries (`tr_cont`, `custtype`, …).
    pub response: Layout,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RealtimeApi {
    pub id: String,
    pub name_ko: String,
    pub menu: String,
    pub tr_ids: TrIds,
    /// The subscribe request's body fields (`tr_id`, `tr_key`).
    pub request: Vec<Field>,
    /// The `^`-separated columns of a data frame, in order.
    pub columns: Vec<Field>,
}

#[derive(Debug)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

fn err(message: impl Into<String>) -> Error {
    Error(message.into())
}

/// A cell as text: `\r\n` made `\n`, stray spaces trimmed, numbers as KIS wrote them.
pub fn text(cell: Option<&Data>) -> String {
    let raw = match cell {
        None | Some(Data::Empty) => String::new(),
        Some(Data::Float(f)) if f.fract() == 0.0 => format!("{}", *f as i64),
        Some(c) => c.to_string(),
    };
    raw.replace("\r\n", "\n")
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

/// One row of the list sheet (`API 목록`).
struct Listed {
    name_ko: String,
    menu: String,
    id: String,
    real: String,
    mock: String,
    method: String,
    url: String,
}

/// A header row's columns by name: KIS has moved columns between editions, never renamed them.
pub(crate) struct Header(Vec<String>);

impl Header {
    pub(crate) fn new(row: Option<&[Data]>, table: &str) -> Result<Header, String> {
        let row = row.ok_or(format!("no {table}"))?;
        Ok(Header(row.iter().map(|c| text(Some(c))).collect()))
    }

    pub(crate) fn col(&self, name: &str) -> Result<usize, String> {
        self.0
            .iter()
            .position(|h| h == name)
            .ok_or(format!("a header row has no column {name}"))
    }
}

fn listed(list: &Range<Data>) -> Result<Vec<Listed>, Error> {
    let mut rows = list.rows();
    let header = Header::new(rows.next(), "list sheet").map_err(err)?;
    let col = |name: &str| header.col(name).map_err(err);
    let (name, menu, id, real, mock, method, url) = (
        col("API 명")?,
        col("메뉴 위치")?,
        col("API ID")?,
        col("실전 TR_ID")?,
        col("모의 TR_ID")?,
        col("HTTP Method")?,
        col("URL 명")?,
    );
    Ok(rows
        .filter(|r| r.iter().any(|c| !matches!(c, Data::Empty)))
        .map(|r| Listed {
            name_ko: text(r.get(name)),
            menu: text(r.get(menu)),
            id: text(r.get(id)),
            real: text(r.get(real)),
            mock: text(r.get(mock)),
            method: text(r.get(method)).to_ascii_uppercase(),
            url: text(r.get(url)),
        })
        .collect())
}

/// Reads the workbook at `path`.
pub fn read(path: &Path) -> Result<Catalogue, Error> {
    let mut book: Xlsx<_> =
        open_workbook(path).map_err(|e| err(format!("{}: {e}", path.display())))?;
    let sheets = book.sheet_names().to_owned();
    let first = sheets
        .first()
        .ok_or_else(|| err("the workbook has no sheet"))?;
    let list = book
        .worksheet_range(first)
        .map_err(|e| err(format!("{first}: {e}")))?;
    let apis = listed(&list)?;
    let mut rest = Vec::new();
    let mut realtime = Vec::new();
    // One sheet per API in the list's order; 16 sheet names lost a `/`, so the order is what
    // pairs them, and the API name in the sheet's first cell checks it.
    for (i, api) in apis.iter().enumerate() {
        let sheet_name = sheets
            .get(i + 1)
            .ok_or_else(|| err(format!("no sheet for API {} ({})", i + 1, api.name_ko)))?;
        let range = book
            .worksheet_range(sheet_name)
            .map_err(|e| err(format!("{sheet_name}: {e}")))?;
        let title = text(range.get((0, 0)));
        // The sheets that lost a `/` in their name lost it in this cell too, as `_`.
        if title.replace('_', "/") != api.name_ko.replace('_', "/") {
            return Err(err(format!(
                "sheet {} is \"{title}\", the list says \"{}\"",
                i + 2,
                api.name_ko
            )));
        }
        let layout = sheet::layout(&range).map_err(|e| err(format!("{}: {e}", api.name_ko)))?;
        let tr_ids = TrIds {
            real: tr_ids::parse(&api.real),
            mock: tr_ids::parse_mock(&api.mock),
        };
        // The list mislabels three APIs' kind (README): the URL says which it is.
        if let Some(tr) = api.url.strip_prefix("/tryitout/") {
            realtime.push(RealtimeApi {
                id: tr.to_string(),
                name_ko: api.name_ko.clone(),
                menu: api.menu.clone(),
                tr_ids,
                request: layout.request_body,
                columns: layout.response.top,
            });
        } else if api.url.starts_with("/uapi/") {
            rest.push(RestApi {
                name: String::new(),
                id: api.id.clone(),
                name_ko: api.name_ko.clone(),
                title: names::title(&api.url),
                menu: api.menu.clone(),
                method: api.method.clone(),
                path: api.url.clone(),
                tr_ids,
                request: if api.method == "GET" {
                    layout.request_query
                } else {
                    layout.request_body
                },
                response: layout.response,
            });
        }
        // `/oauth2/*` (token, revoke, approval key) are the client's own business.
    }
    names::assign(&mut rest)?;
    let source = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Catalogue {
        source,
        rest,
        realtime,
    })
}

/// The catalogue as committed: pretty JSON, one trailing newline.
pub fn to_json(c: &Catalogue) -> String {
    let mut s = serde_json::to_string_pretty(c).expect("a catalogue is plain data");
    s.push('\n');
    s
}
