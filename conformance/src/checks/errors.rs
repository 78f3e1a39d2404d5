//! Error bodies (docs/api.md §5): JSON `{status, title, detail}`.

use super::check;
use crate::failure::CheckError;
use crate::registry::Check;
use crate::request::Req;
use crate::target::Target;
use serde_json::Value;
use std::sync::Arc;

pub(super) fn checks() -> Vec<Check> {
    vec![check!("error.body.json-shape", C, "§5", false, json_shape)]
}

async fn json_shape(t: Arc<Target>) -> Result<(), CheckError> {
    let req = Req::publish_text(&t.missing_cache(), "t", t.token(), "x");
    let resp = t
        .expect_status("publish to an unknown cache answers 404", &req, 404)
        .await?;
    let ok = resp.json().is_some_and(|v| {
        v.get("status").and_then(Value::as_u64) == Some(404)
            && v.get("title").is_some_and(Value::is_string)
            && v.get("detail").is_some_and(Value::is_string)
    }) && resp
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/json"));
    if !ok {
        return Err(t
            .fail(
                "error answers are application/json {status, title, detail}",
                "Content-Type application/json and {\"status\": 404, \"title\": \"...\", \"detail\": \"...\"}",
                &req,
                &resp,
            )
            .into());
    }
    Ok(())
}
