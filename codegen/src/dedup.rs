//! Types of the same shape are emitted once. Stripe's schemas repeat whole subtrees (each
//! account configuration, each event with the same `data`); their path-derived names differ but
//! their shapes do not. The first name in sorted order keeps the definition; the others become
//! aliases of it, so that every name the generator promised still exists.

use std::collections::{BTreeMap, HashMap};

use crate::ir::{Alias, TypeDef, TypeRef};

/// Replaces each type whose shape equals an earlier one's (by name) with an alias to it.
/// Shapes are compared with names resolved, so that parents of merged types merge too.
pub(crate) fn dedup(types: Vec<TypeDef>) -> Vec<TypeDef> {
    let mut canonical: HashMap<String, String> = HashMap::new();
    loop {
        let mut by_shape: BTreeMap<String, String> = BTreeMap::new();
        let mut merged = false;
        let mut sorted: Vec<&TypeDef> = types
            .iter()
            .filter(|ty| !canonical.contains_key(ty.name()))
            .collect();
        sorted.sort_by(|a, b| a.name().cmp(b.name()));
        for ty in sorted {
            let shape = shape(ty, &canonical);
            match by_shape.get(&shape) {
                Some(first) => {
                    canonical.insert(ty.name().to_owned(), first.clone());
                    merged = true;
                }
                None => {
                    by_shape.insert(shape, ty.name().to_owned());
                }
            }
        }
        if !merged {
            break;
        }
    }
    types
        .into_iter()
        .map(|ty| match canonical.get(ty.name()) {
            Some(target) => TypeDef::Alias(Alias {
                name: ty.name().to_owned(),
                target: resolve(target, &canonical).to_owned(),
            }),
            None => ty,
        })
        .collect()
}

/// Follows merges to the name that keeps the definition.
fn resolve<'a>(name: &'a str, canonical: &'a HashMap<String, String>) -> &'a str {
    let mut name = name;
    while let Some(next) = canonical.get(name) {
        name = next;
    }
    name
}

/// A text that is equal for two types exactly when they would generate the same code but for
/// their names and docs.
fn shape(ty: &TypeDef, canonical: &HashMap<String, String>) -> String {
    let render = |ty: &TypeRef| render_type(ty, canonical);
    match ty {
        TypeDef::Struct(s) => {
            let fields: Vec<String> = s
                .fields
                .iter()
                .map(|f| format!("{}:{}:{}", f.json_name, f.rust_name, render(&f.ty)))
                .collect();
            let additional = s.additional.as_ref().map(render).unwrap_or_default();
            format!("struct{{{}}}+{additional}", fields.join(","))
        }
        TypeDef::Enum(e) => {
            let variants: Vec<String> = e
                .variants
                .iter()
                .map(|(v, value)| format!("{v}={value}"))
                .collect();
            format!("enum{{{}}}", variants.join(","))
        }
        TypeDef::Union(u) => {
            let variants: Vec<String> = u
                .variants
                .iter()
                .map(|(v, ty)| format!("{v}({})", render(ty)))
                .collect();
            format!("union{{{}}}", variants.join(","))
        }
        TypeDef::Alias(a) => format!("alias={}", resolve(&a.target, canonical)),
    }
}

fn render_type(ty: &TypeRef, canonical: &HashMap<String, String>) -> String {
    match ty {
        TypeRef::List(inner) => format!("Vec<{}>", render_type(inner, canonical)),
        TypeRef::Map(inner) => format!("Map<{}>", render_type(inner, canonical)),
        TypeRef::Optional(inner) => format!("Option<{}>", render_type(inner, canonical)),
        TypeRef::Boxed(inner) => format!("Box<{}>", render_type(inner, canonical)),
        TypeRef::Named(name) => format!("#{}", resolve(name, canonical)),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Field, OpenEnum, Struct};

    fn parent(name: &str, child: &str, description: &str) -> TypeDef {
        TypeDef::Struct(Struct {
            name: name.into(),
            description: Some(description.into()),
            fields: vec![Field {
                json_name: "code".into(),
                rust_name: "code".into(),
                ty: TypeRef::Named(child.into()),
                description: None,
            }],
            additional: None,
        })
    }

    fn child(name: &str, values: &[&str]) -> TypeDef {
        TypeDef::Enum(OpenEnum {
            name: name.into(),
            description: None,
            variants: values
                .iter()
                .map(|v| (v.to_uppercase(), (*v).to_owned()))
                .collect(),
        })
    }

    fn alias_target(types: &[TypeDef], name: &str) -> Option<String> {
        types.iter().find_map(|ty| match ty {
            TypeDef::Alias(alias) if alias.name == name => Some(alias.target.clone()),
            _ => None,
        })
    }

    #[test]
    fn equal_shapes_merge_bottom_up_and_keep_every_name() {
        let types = dedup(vec![
            parent("B", "BCode", "docs do not matter"),
            child("BCode", &["x", "y"]),
            parent("A", "ACode", "the first name keeps the definition"),
            child("ACode", &["x", "y"]),
            parent("C", "CCode", ""),
            child("CCode", &["x", "z"]),
        ]);
        assert_eq!(types.len(), 6, "every name still exists");
        assert_eq!(alias_target(&types, "BCode").as_deref(), Some("ACode"));
        assert_eq!(
            alias_target(&types, "B").as_deref(),
            Some("A"),
            "parents of merged children merge"
        );
        assert_eq!(
            alias_target(&types, "C"),
            None,
            "a different child keeps the parent apart"
        );
        assert_eq!(alias_target(&types, "CCode"), None);
    }
}
