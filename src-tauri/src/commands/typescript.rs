//! The UI's typed command map, `ui/src/bindings/commands.ts`, written from the list in list.rs with
//! ts-rs's names for each argument and result, so that the UI never holds a hand-written copy of a
//! command's signature. The test below writes it; `npm test` fails when the committed file differs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use ts_rs::{Config, Dependency, TypeVisitor, TS};

/// A command's argument or result as TypeScript: its type, and the exported types it names.
pub(crate) struct Value {
    name: &'static str,
    ts: String,
    imports: Vec<Dependency>,
}

impl Value {
    pub(crate) fn of<T: TS + 'static>(name: &'static str) -> Self {
        let cfg = Config::from_env();
        let ts = T::name(&cfg);
        let mut found = Exported(&cfg, Vec::new());
        found.visit::<T>();
        // Only what the type's text names: `Array<Profile>` imports Profile, not Profile's fields' types.
        let named =
            |name: &str| ts.split(|c: char| !c.is_alphanumeric() && c != '_').any(|word| word == name);
        let imports = found.1.into_iter().filter(|dep| named(&dep.ts_name)).collect();
        Value { name, ts, imports }
    }
}

/// Collects the exported types a type is made of: itself, and its type arguments (a `Vec<T>`'s
/// `T`), at any depth.
struct Exported<'a>(&'a Config, Vec<Dependency>);

impl TypeVisitor for Exported<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if let Some(dep) = Dependency::from_ty::<T>(self.0) {
            self.1.push(dep);
        }
        T::visit_generics(self);
    }
}

pub(crate) struct Signature {
    pub name: &'static str,
    pub args: Vec<Value>,
    pub result: Value,
}

/// `profile_id` → `profileId`: Tauri's names for a command's arguments.
fn camel_case(name: &str) -> String {
    let mut parts = name.split('_');
    let mut out = parts.next().unwrap_or_default().to_owned();
    for part in parts {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}

/// The file's text.
pub(crate) fn command_map(signatures: &[Signature]) -> String {
    let mut imports: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for value in signatures.iter().flat_map(|s| s.args.iter().chain([&s.result])) {
        for dep in &value.imports {
            let module = dep.output_path.with_extension("").to_string_lossy().replace('\\', "/");
            imports.entry(module).or_default().insert(dep.ts_name.clone());
        }
    }
    let mut out = String::from(
        "// Generated from src-tauri/src/commands/list.rs by the app's tests (`cargo test -p seatkeeper-app`).\n\
         // Do not edit: change the list, and the command's function, instead.\n",
    );
    for (module, names) in &imports {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        out += &format!("import type {{ {} }} from \"./{module}\";\n", names.join(", "));
    }
    out += "\n/** The backend's commands: their argument objects (camelCase, as Tauri expects) and results. */\n";
    out += "export interface Commands {\n";
    for s in signatures {
        let args = if s.args.is_empty() {
            "Record<string, never>".to_owned()
        } else {
            let fields: Vec<String> =
                s.args.iter().map(|a| format!("{}: {}", camel_case(a.name), a.ts)).collect();
            format!("{{ {} }}", fields.join("; "))
        };
        out += &format!("  {}: {{ args: {args}; result: {} }};\n", s.name, s.result.ts);
    }
    out += "}\n";
    out
}

#[test]
fn names_are_camel_cased_as_tauri_does() {
    assert_eq!(camel_case("profile_id"), "profileId");
    assert_eq!(camel_case("data_base64"), "dataBase64");
    assert_eq!(camel_case("id"), "id");
}

#[test]
fn the_command_map_is_written_for_the_ui() {
    let signatures = super::signatures();
    assert_eq!(signatures.len(), super::NAMES.len());
    let text = command_map(&signatures);
    // Spot checks: the arguments in camelCase, an optional value, a list, unit as null.
    assert!(text.contains("  get_profile: { args: { id: number }; result: Profile };\n"), "{text}");
    assert!(
        text.contains("candidate_savings: { args: { filter: CandidateFilter; ids: Array<number> | null }")
    );
    assert!(text.contains("list_profiles: { args: Record<string, never>; result: Array<Profile> }"));
    assert!(text.contains("delete_profile: { args: { id: number }; result: null }"));
    assert!(text.contains("import type { Connection, ConnectionChoice, ConnectionPreset, ConnectionUpdate, Profile, ProfileInput, RegionSearch, ValidationResult } from \"./profiles\";"), "{text}");

    let dir = Config::from_env().out_dir().to_owned();
    let dir = if dir.is_absolute() { dir } else { Path::new(env!("CARGO_MANIFEST_DIR")).join(dir) };
    std::fs::write(dir.join("commands.ts"), text).unwrap();
}
