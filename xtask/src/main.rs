//! `cargo xtask regen [--spec PATH] [--out DIR] [--check]`: generate `generated/src` from
//! Stripe's spec, or check that it is up to date.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use xtask::{DEFAULT_OUT, DEFAULT_SPEC, render, stale_files, workspace_root, write};

const USAGE: &str = "usage: cargo xtask regen [--spec PATH] [--out DIR] [--check]";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<(), String> {
    let mut args = args.into_iter();
    match args.next().as_deref() {
        Some("regen") => {}
        _ => return Err(USAGE.to_owned()),
    }
    let root = workspace_root();
    let (mut spec, mut out, mut check) = (root.join(DEFAULT_SPEC), root.join(DEFAULT_OUT), false);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--spec" => spec = PathBuf::from(args.next().ok_or(USAGE)?),
            "--out" => out = PathBuf::from(args.next().ok_or(USAGE)?),
            "--check" => check = true,
            _ => return Err(format!("unknown argument {arg:?}\n{USAGE}")),
        }
    }
    let started = Instant::now();
    let files = render(&spec)?;
    let lines: usize = files.iter().map(|f| f.contents.lines().count()).sum();
    if check {
        let stale = stale_files(&files, &out);
        if !stale.is_empty() {
            return Err(format!(
                "{} is stale; rerun `cargo xtask regen`. Files that differ: {}",
                out.display(),
                stale.join(", ")
            ));
        }
        println!(
            "{} is up to date ({} files, {lines} lines)",
            out.display(),
            files.len()
        );
    } else {
        let changed = write(&files, &out)?;
        println!(
            "generated {} files ({lines} lines) into {} in {:.0?}; changed: {}",
            files.len(),
            out.display(),
            started.elapsed(),
            if changed.is_empty() {
                "none".to_owned()
            } else {
                changed.join(", ")
            }
        );
    }
    Ok(())
}
