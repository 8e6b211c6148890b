//! Every shared case replayed on the Rust core.

use std::path::Path;

use earlybird_e2e::{Case, case_files, cases_dir, error_json, run};
use serde_json::Value;

/// `EARLYBIRD_BLESS=1` writes the result into a new case that has no expectation yet; the
/// author then reads it and checks it against the rules before committing it.
fn bless() -> bool {
    std::env::var_os("EARLYBIRD_BLESS").is_some()
}

fn write_expectation(path: &Path, text: &str, got: &Result<Value, earlybird::Error>) {
    let mut case: serde_json::Map<String, Value> =
        serde_json::from_str(text).expect("case is an object");
    match got {
        Ok(value) => case.insert("expected".into(), value.clone()),
        Err(error) => case.insert("expected_error".into(), error_json(error)),
    };
    let pretty = serde_json::to_string_pretty(&case).expect("case serialises") + "\n";
    std::fs::write(path, pretty).expect("case file is writable");
}

#[test]
fn every_shared_case_gives_its_expected_result() {
    let files = case_files(&cases_dir());
    assert!(
        !files.is_empty(),
        "no case files found in {}",
        cases_dir().display()
    );
    let mut failures = Vec::new();
    let mut replayed = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("case file is readable");
        let file: Value = serde_json::from_str(&text).expect("case file is valid JSON");
        let single = !file.is_array();
        let cases: Vec<Case> = match file {
            Value::Array(list) => list,
            one => vec![one],
        }
        .into_iter()
        .map(|c| serde_json::from_value(c).expect("a case has name, operation and input"))
        .collect();
        for case in cases {
            replayed += 1;
            let got = run(&case.operation, &case.input);
            if case.expected.is_none() && case.expected_error.is_none() && single && bless() {
                write_expectation(path, &text, &got);
                continue;
            }
            let outcome = match (&case.expected, &case.expected_error, got) {
                (Some(expected), None, Ok(value)) if *expected == value => continue,
                (None, Some(expected), Err(error)) if *expected == error_json(&error) => continue,
                (_, _, Ok(value)) => {
                    format!("gave {}", serde_json::to_string_pretty(&value).unwrap())
                }
                (_, _, Err(error)) => format!("failed with {} ({error})", error_json(&error)),
            };
            failures.push(format!("{} — {}: {outcome}", path.display(), case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {replayed} cases failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    println!("{replayed} shared cases in {} files replayed", files.len());
}
