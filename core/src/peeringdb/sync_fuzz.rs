//! Property tests for what PeeringDB (or something answering in its place)
//! sends: any row of any mirrored type, shaped like a real one or not, is a
//! typed row or a `rejected` error naming the type, never a panic; any body
//! is a list of rows or `rejected`. Rows are built from each type's own field
//! names with values of every JSON kind (right and wrong types, huge and
//! hostile strings, nested objects); bodies are real envelopes mutated byte
//! by byte, or noise.

use super::{envelope, parse_row};
use crate::error::ErrorKind;
use crate::fuzzing::{config, timed, LIMIT};
use crate::peeringdb::schema::{self, ObjectType};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// A JSON value of any kind, small enough to stay fast.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        Just(json!(u64::MAX)),
        Just(json!("ok")),
        Just(json!("deleted")),
        Just(json!("pending")),
        Just(json!("2026-11-27T09:00:00Z")),
        Just(json!("192.0.2.1")),
        Just(json!("Ümlaut Netz\nneighbor 192.0.2.9 remote-as 1")),
        "\\PC{0,40}".prop_map(Value::String),
        (0usize..3).prop_map(|k| Value::String("x".repeat(65_536 + k))),
    ];
    leaf.prop_recursive(2, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A row of type `t`: its id, status and fields present or missing, each
/// with a value of the right kind or any other.
fn row(t: &'static ObjectType) -> impl Strategy<Value = Value> {
    let names: Vec<&'static str> = ["id", "status", "created", "updated"]
        .into_iter()
        .chain(t.fields.iter().map(|f| f.name))
        .collect();
    prop::collection::vec((any::<bool>(), value(), 1i64..100_000), names.len()).prop_map(
        move |cells| {
            let mut m = Map::new();
            for (name, (present, v, n)) in names.iter().zip(cells) {
                if !present {
                    continue;
                }
                // Half the time the id and parents are plausible integers.
                let v = if (name.ends_with("id") || *name == "asn") && n % 2 == 0 {
                    json!(n)
                } else {
                    v
                };
                m.insert(name.to_string(), v);
            }
            Value::Object(m)
        },
    )
}

/// The index of a mirrored type and one row for it.
fn any_row() -> impl Strategy<Value = (usize, Value)> {
    (0..schema::TYPES.len()).prop_flat_map(|i| (Just(i), row(&schema::TYPES[i])))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_row_is_a_typed_row_or_rejected(
        (i, v) in any_row()
    ) {
        let t = &schema::TYPES[i];
        let (r, took) = timed(|| parse_row(t, &v));
        prop_assert!(took < LIMIT);
        match r {
            Ok(row) => {
                prop_assert!(row.id > 0);
                prop_assert_eq!(row.values.len(), t.fields.len() + 3);
                prop_assert!(!(row.live && row.deleted));
            }
            Err(e) => {
                prop_assert_eq!(e.kind(), ErrorKind::Rejected, "{}", e);
                prop_assert!(e.to_string().contains(t.name), "names the type: {}", e);
            }
        }
    }

    #[test]
    fn any_body_is_a_list_of_rows_or_rejected(
        cuts in prop::collection::vec((any::<usize>(), any::<u8>()), 0..8),
        noise in prop::option::of(prop::collection::vec(any::<u8>(), 0..300)),
    ) {
        let good = br#"{"meta": {}, "data": [{"id": 1, "status": "ok", "name": "Example"}, {"id": 2, "status": "deleted"}]}"#;
        let body = match noise {
            Some(bytes) => bytes,
            None => {
                let mut b = good.to_vec();
                for (at, byte) in cuts {
                    let i = at % b.len();
                    b[i] = byte;
                }
                b
            }
        };
        let (r, took) = timed(|| envelope(&body, "net list"));
        prop_assert!(took < LIMIT);
        if let Err(e) = r {
            prop_assert_eq!(e.kind(), ErrorKind::Rejected);
        }
    }
}
