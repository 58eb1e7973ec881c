//! `kis-catalogue <workbook.xlsx> [<out.json>]`: writes the catalogue (default
//! `catalogue/kis-api.json`) and prints what it holds.
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(workbook) = args.next() else {
        eprintln!("usage: kis-catalogue <workbook.xlsx> [<out.json>]");
        return ExitCode::from(2);
    };
    let out = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "catalogue/kis-api.json".into()),
    );
    let catalogue = match kis_catalogue::read(workbook.as_ref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kis-catalogue: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::write(&out, kis_catalogue::to_json(&catalogue)) {
        eprintln!("kis-catalogue: {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    let mock = catalogue
        .rest
        .iter()
        .filter(|a| a.tr_ids.mock.is_some())
        .count();
    println!(
        "{}: {} REST APIs ({} in mock too), {} realtime TRs → {}",
        catalogue.source,
        catalogue.rest.len(),
        mock,
        catalogue.realtime.len(),
        out.display()
    );
    ExitCode::SUCCESS
}
