//! TR-ID cells, which are often free text: `(매도) TTTC0011U (매수) TTTC0012U`,
//! `TTTC2201R(기존 KRX만 가능), TTTC2210R (KRX,NXT/SOR)`, `(구) JTCE1004R (신) STTN5105R`, or
//! `모의투자 미지원` (not offered in the mock environment).

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrId {
    pub id: String,
    /// When this ID applies, in KIS's words (`매도`, `3개월이내`); empty when it is the only one.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub when: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrIds {
    pub real: Vec<TrId>,
    /// `None`: KIS does not offer the API in the mock environment.
    pub mock: Option<Vec<TrId>>,
}

/// A TR ID: upper-case letters and digits, 8 to 13 long, with at least one of each.
fn is_tr_id(word: &str) -> bool {
    (8..=13).contains(&word.len())
        && word
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && word.bytes().any(|b| b.is_ascii_digit())
        && word.bytes().any(|b| b.is_ascii_uppercase())
}

/// The pieces of a cell: parenthesised notes and bare words, in order.
enum Piece {
    Note(String),
    Word(String),
}

fn pieces(cell: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = cell;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('(') {
            let end = after.find(')').unwrap_or(after.len());
            out.push(Piece::Note(after[..end].trim().to_string()));
            rest = after.get(end + 1..).unwrap_or("");
        } else {
            let end = rest
                .find(|c: char| c == '(' || c == ',' || c.is_whitespace())
                .unwrap_or(rest.len());
            let word = rest[..end].trim();
            if !word.is_empty() {
                out.push(Piece::Word(word.to_string()));
            }
            rest = &rest[end..];
            rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        }
    }
    out
}

/// The IDs in a cell with their conditions. A cell that opens with a note puts each condition
/// before its ID; one that opens with an ID puts it after.
pub fn parse(cell: &str) -> Vec<TrId> {
    let pieces = pieces(cell);
    let before = matches!(pieces.first(), Some(Piece::Note(_)));
    let mut ids: Vec<TrId> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    for p in pieces {
        match p {
            Piece::Word(w) if is_tr_id(&w) => {
                let when = if before {
                    std::mem::take(&mut notes).join(" ")
                } else {
                    String::new()
                };
                ids.push(TrId { id: w, when });
            }
            Piece::Note(n) if !before => {
                if let Some(last) = ids.last_mut() {
                    if last.when.is_empty() {
                        last.when = n;
                    } else {
                        last.when = format!("{} {n}", last.when);
                    }
                }
            }
            Piece::Note(n) => notes.push(n),
            Piece::Word(_) => {}
        }
    }
    // A note after the last ID of a cell that puts notes first is about the whole cell (e.g.
    // "아시아 국가 하단 규격서 참고"): kept on the last ID.
    if before && !notes.is_empty() {
        if let Some(last) = ids.last_mut() {
            let rest = notes.join(" ");
            last.when = if last.when.is_empty() {
                rest
            } else {
                format!("{} ({rest})", last.when)
            };
        }
    }
    ids
}

/// The mock cell: `모의투자 미지원` (or no ID at all) means not offered there.
pub fn parse_mock(cell: &str) -> Option<Vec<TrId>> {
    let ids = parse(cell);
    (!ids.is_empty()).then_some(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(cell: &str) -> Vec<(String, String)> {
        parse(cell).into_iter().map(|t| (t.id, t.when)).collect()
    }

    fn pair(id: &str, when: &str) -> (String, String) {
        (id.to_string(), when.to_string())
    }

    #[test]
    fn free_text_cells_split_into_ids_and_their_conditions() {
        assert_eq!(ids("FHKST01010100"), vec![pair("FHKST01010100", "")]);
        assert_eq!(
            ids("(매도) TTTC0011U (매수) TTTC0012U"),
            vec![pair("TTTC0011U", "매도"), pair("TTTC0012U", "매수")]
        );
        assert_eq!(
            ids("TTTC2201R(기존 KRX만 가능), TTTC2210R (KRX,NXT/SOR)"),
            vec![
                pair("TTTC2201R", "기존 KRX만 가능"),
                pair("TTTC2210R", "KRX,NXT/SOR")
            ]
        );
        assert_eq!(
            ids("(주간 매수/매도) TTTO1101U (야간 매수/매도) (구) JTCE1001U (신) STTN1101U"),
            vec![
                pair("TTTO1101U", "주간 매수/매도"),
                pair("JTCE1001U", "야간 매수/매도 구"),
                pair("STTN1101U", "신")
            ]
        );
        assert_eq!(
            ids("(미국 정정·취소) TTTT1004U (아시아 국가 하단 규격서 참고)"),
            vec![pair(
                "TTTT1004U",
                "미국 정정·취소 (아시아 국가 하단 규격서 참고)"
            )]
        );
        assert_eq!(parse_mock("모의투자 미지원"), None);
        assert_eq!(parse_mock(""), None);
        assert_eq!(
            parse_mock("(주간 매수/매도) VTTO1101U (야간은 모의투자 미제공)").map(|v| v.len()),
            Some(1)
        );
    }
}
