//! How the crate's event types compare with stripe-python's: installs stripe-python (a pinned
//! version) into a scratch virtualenv under `target/`, lists its event notification classes
//! (`stripe.events._event_classes`), and compares them with the event types of the specs.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use stripe_notify_codegen::{ResourceMap, SpecFile, parse};

use crate::{DEFAULT_SPECS, workspace_root};

/// The stripe-python release compared against.
pub const STRIPE_PYTHON: &str = "stripe==16.1.0";
/// The coverage below which the comparison fails.
pub const AT_LEAST: usize = 265;

/// What the comparison found.
pub struct Coverage {
    /// stripe-python's event types.
    pub theirs: BTreeSet<String>,
    /// Ours.
    pub ours: BTreeSet<String>,
}

impl Coverage {
    /// Types both know.
    pub fn both(&self) -> usize {
        self.theirs.intersection(&self.ours).count()
    }

    /// Markdown: the counts, then each type one side lacks.
    pub fn report(&self) -> String {
        let lacking: Vec<&String> = self.theirs.difference(&self.ours).collect();
        let extra: Vec<&String> = self.ours.difference(&self.theirs).collect();
        let mut out = format!(
            "| | event types |\n|---|---|\n| stripe-python ({STRIPE_PYTHON}) | {} |\n| stripe-notify | {} |\n| both | {} |\n| stripe-python only | {} |\n| stripe-notify only | {} |\n",
            self.theirs.len(),
            self.ours.len(),
            self.both(),
            lacking.len(),
            extra.len()
        );
        for (title, types) in [("stripe-python only", lacking), ("stripe-notify only", extra)] {
            out.push_str(&format!("\n{title}:\n"));
            for event_type in types {
                out.push_str(&format!("- `{event_type}`\n"));
            }
        }
        out
    }
}

/// Runs the comparison.
pub fn compare() -> Result<Coverage, String> {
    let root = workspace_root();
    let venv = root.join("target/coverage/venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    }
    run(Command::new(&python).args(["-m", "pip", "install", "--quiet", STRIPE_PYTHON]))?;
    let listed = Command::new(&python)
        .args([
            "-c",
            "from stripe.events import _event_classes as m\nfor t in sorted(m._V2_EVENT_NOTIFICATION_CLASS_LOOKUP): print(t)",
        ])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !listed.status.success() {
        return Err(format!(
            "stripe-python did not list its event types: {}",
            String::from_utf8_lossy(&listed.stderr)
        ));
    }
    let theirs = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    Ok(Coverage {
        theirs,
        ours: our_types(&root)?,
    })
}

fn our_types(root: &Path) -> Result<BTreeSet<String>, String> {
    let texts = DEFAULT_SPECS
        .iter()
        .map(|spec| {
            let path = root.join(spec);
            std::fs::read_to_string(&path)
                .map(|text| (spec.rsplit('/').next().unwrap_or(spec), text))
                .map_err(|e| format!("cannot read {}: {e}", path.display()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let specs: Vec<SpecFile<'_>> = texts
        .iter()
        .map(|(name, text)| SpecFile {
            name,
            sha256: "",
            text,
        })
        .collect();
    let parsed = parse(&specs, &ResourceMap::default()).map_err(|e| e.to_string())?;
    Ok(parsed
        .catalog
        .events
        .into_iter()
        .map(|event| event.event_type)
        .collect())
}

fn run(command: &mut Command) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed ({status})"))
    }
}
