//! `cargo xtask regen [--spec PATH]... [--types PATH] [--out DIR] [--check]`: generate
//! `generated/src` from Stripe's specs, or check that it is up to date.
//! `cargo xtask async-stripe-types [--out PATH]`: refresh the map of async-stripe's types.
//! `cargo xtask coverage`: compare the event types with stripe-python's.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use xtask::{
    DEFAULT_OUT, DEFAULT_SPECS, DEFAULT_TYPES, async_stripe_types, render, stale_files, workspace_root, write,
};

const USAGE: &str =
    "usage: cargo xtask regen [--spec PATH]... [--types PATH|--no-types] [--out DIR] [--check]
       cargo xtask async-stripe-types [--out PATH]
       cargo xtask coverage";

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
        Some("regen") => regen(args),
        Some("async-stripe-types") => {
            let mut out = workspace_root().join(DEFAULT_TYPES);
            while let Some(arg) = args.next() {
                match arg.as_str() {
                    "--out" => out = PathBuf::from(args.next().ok_or(USAGE)?),
                    _ => return Err(format!("unknown argument {arg:?}\n{USAGE}")),
                }
            }
            let (resources, events) = async_stripe_types::refresh(&out)?;
            println!(
                "wrote {resources} resource types and {events} classic event types to {}",
                out.display()
            );
            Ok(())
        }
        Some("coverage") => {
            let coverage = xtask::coverage::compare()?;
            print!("{}", coverage.report());
            if coverage.both() < xtask::coverage::AT_LEAST {
                return Err(format!(
                    "only {} of stripe-python's event types are known (at least {} must be)",
                    coverage.both(),
                    xtask::coverage::AT_LEAST
                ));
            }
            Ok(())
        }
        _ => Err(USAGE.to_owned()),
    }
}

fn regen(mut args: impl Iterator<Item = String>) -> Result<(), String> {
    let root = workspace_root();
    let (mut specs, mut types, mut out, mut check) = (
        Vec::new(),
        Some(root.join(DEFAULT_TYPES)),
        root.join(DEFAULT_OUT),
        false,
    );
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--spec" => specs.push(PathBuf::from(args.next().ok_or(USAGE)?)),
            "--types" => types = Some(PathBuf::from(args.next().ok_or(USAGE)?)),
            "--no-types" => types = None,
            "--out" => out = PathBuf::from(args.next().ok_or(USAGE)?),
            "--check" => check = true,
            _ => return Err(format!("unknown argument {arg:?}\n{USAGE}")),
        }
    }
    if specs.is_empty() {
        specs = DEFAULT_SPECS.iter().map(|spec| root.join(spec)).collect();
    }
    let started = Instant::now();
    let generated = render(&specs, types.as_deref())?;
    for overlap in &generated.overlaps {
        println!("overlap: {overlap}");
    }
    let files = &generated.files;
    let lines: usize = files.iter().map(|f| f.contents.lines().count()).sum();
    if check {
        let stale = stale_files(files, &out);
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
        let changed = write(files, &out)?;
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
