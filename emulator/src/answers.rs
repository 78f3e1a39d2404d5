//! How the emulator writes what a subscriber reads: an item, a
//! discontinuity, a batch of them (`docs/api.md` §4), each shaped by the
//! profile's [`AnswerShape`]. An element is written once (an item at
//! publish time) and shared by every answer that carries it.

use crate::profile::AnswerShape;
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use momento_http::wire;

/// A published value.
#[derive(Clone, Debug)]
pub enum Value {
    /// UTF-8 text.
    Text(String),
    /// Bytes.
    Binary(Bytes),
}

/// Fields no document names, as the extra-fields profile adds them: a
/// nested object and a number, so a reader that only skips strings fails.
fn extra_fields() -> [(&'static str, serde_json::Value); 2] {
    [
        (
            "undocumented_object",
            serde_json::json!({"nested": [1, null, true, "text"], "empty": {}}),
        ),
        ("undocumented_number", serde_json::json!(12.5)),
    ]
}

/// A batch's ends with [`extra_fields`]: the first before `items`, the
/// second after, so a reader expecting `items` first (or last) meets one
/// either way. Written once.
static EXTRA_BATCH_ENDS: std::sync::LazyLock<(Bytes, Bytes)> = std::sync::LazyLock::new(|| {
    let [(k1, v1), (k2, v2)] = extra_fields();
    let field = |k: &str, v: &serde_json::Value| format!("{}:{v}", serde_json::Value::from(k));
    (
        Bytes::from(format!("{{{},\"items\":[", field(k1, &v1))),
        Bytes::from(format!("],{}}}", field(k2, &v2))),
    )
});

/// Write `element`, adding [`extra_fields`] to the object inside it when
/// `shape` says so (the element itself keeps its one key).
fn element(shape: AnswerShape, element: &wire::SubscribeElement) -> Bytes {
    if !shape.extra_fields {
        return Bytes::from(serde_json::to_vec(element).unwrap_or_default());
    }
    let mut json = serde_json::to_value(element).unwrap_or_default();
    if let Some(inner) = json
        .as_object_mut()
        .and_then(|outer| outer.values_mut().next())
        .and_then(serde_json::Value::as_object_mut)
    {
        inner.extend(extra_fields().map(|(k, v)| (k.to_owned(), v)));
    }
    Bytes::from(serde_json::to_vec(&json).unwrap_or_default())
}

/// `{"item": ...}` for message `seq` of `page`.
pub fn item(shape: AnswerShape, page: u64, seq: u64, value: &Value) -> Bytes {
    let value = match value {
        Value::Text(s) => wire::TopicValue::Text(s.clone()),
        Value::Binary(b) => {
            use base64::Engine as _;
            use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
            wire::TopicValue::Binary(if shape.url_safe_binary {
                URL_SAFE_NO_PAD.encode(b)
            } else {
                STANDARD.encode(b)
            })
        }
    };
    element(
        shape,
        &wire::SubscribeElement::Item(wire::TopicItem {
            publisher_id: None,
            sequence_page: shape.sequence_page.then_some(page),
            topic_sequence_number: seq,
            value,
        }),
    )
}

/// `{"discontinuity": ...}` from `last` to `new` on `page`.
pub fn discontinuity(shape: AnswerShape, last: u64, new: u64, page: u64) -> Bytes {
    element(
        shape,
        &wire::SubscribeElement::Discontinuity(wire::Discontinuity {
            last_topic_sequence: last,
            new_topic_sequence: new,
            new_sequence_page: shape.sequence_page.then_some(page),
        }),
    )
}

/// Add [`extra_fields`] to a JSON object's bytes (an error body); anything
/// else is given back as it was.
pub fn with_extra_fields(body: &[u8]) -> Option<Bytes> {
    let mut json: serde_json::Value = serde_json::from_slice(body).ok()?;
    json.as_object_mut()?
        .extend(extra_fields().map(|(k, v)| (k.to_owned(), v)));
    serde_json::to_vec(&json).ok().map(Bytes::from)
}

/// `{"items": [e1,e2,...]}` as a stream of shared chunks: the elements are the
/// buffer's own `Bytes`, never copied per subscriber.
pub fn batch(shape: AnswerShape, elements: Vec<Bytes>) -> Response {
    let mut chunks = Vec::with_capacity(elements.len() * 2 + 1);
    let (open, close) = if shape.extra_fields {
        EXTRA_BATCH_ENDS.clone()
    } else {
        (
            Bytes::from_static(b"{\"items\":["),
            Bytes::from_static(b"]}"),
        )
    };
    chunks.push(open);
    for (i, e) in elements.into_iter().enumerate() {
        if i > 0 {
            chunks.push(Bytes::from_static(b","));
        }
        chunks.push(e);
    }
    chunks.push(close);
    let len: usize = chunks.iter().map(Bytes::len).sum();
    let stream = futures::stream::iter(chunks.into_iter().map(Ok::<_, std::convert::Infallible>));
    let mut resp = Response::new(Body::from_stream(stream));
    *resp.status_mut() = StatusCode::OK;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Behaviour;

    fn shape(extra_fields: bool) -> AnswerShape {
        AnswerShape {
            extra_fields,
            ..Behaviour::default().shape
        }
    }

    #[test]
    fn extra_fields_go_inside_the_element_which_keeps_one_key() {
        let plain = item(shape(false), 7, 3, &Value::Text("hi".into()));
        let extra = item(shape(true), 7, 3, &Value::Text("hi".into()));
        let plain: serde_json::Value = serde_json::from_slice(&plain).unwrap();
        let extra: serde_json::Value = serde_json::from_slice(&extra).unwrap();
        assert_eq!(extra.as_object().unwrap().len(), 1);
        assert_eq!(extra["item"]["value"], plain["item"]["value"]);
        assert_eq!(extra["item"]["undocumented_number"], 12.5);
        assert!(plain["item"].get("undocumented_number").is_none());
        let d = discontinuity(shape(true), 1, 5, 7);
        let d: serde_json::Value = serde_json::from_slice(&d).unwrap();
        assert_eq!(d["discontinuity"]["new_topic_sequence"], 5);
        assert!(d["discontinuity"]["undocumented_object"].is_object());
    }

    #[tokio::test]
    async fn a_batch_with_extra_fields_is_still_json_with_its_items() {
        let e = item(shape(true), 1, 1, &Value::Text("a".into()));
        let resp = batch(shape(true), vec![e.clone(), e]);
        let body = axum::body::to_bytes(resp.into_body(), 1 << 16)
            .await
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["items"].as_array().unwrap().len(), 2);
        assert_eq!(json["undocumented_number"], 12.5);
    }
}
