//! FastAPI's validation errors on the API's own JSON routes (`POST /users`,
//! `POST /users/me/password`): 422 with `detail` as a list of `{loc, msg, type}`, as the
//! FastAPI tutorial's clients read them. (`/token` follows RFC 6749 §5.2 instead.)
//!
//! [`JsonBody`] reads the body itself rather than through axum's `Json`, so that every way a
//! body can be wrong has a field location: JSON that does not parse (`json_invalid`, at the
//! byte offset), a body that is not an object (`model_attributes_type`), a missing field
//! (`missing`), a field of the wrong type (`string_type`). The rules a field breaks after
//! that (a name or password refused) are [`FieldError::value`]s of that field.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::ApiError;

/// One entry of FastAPI's `detail` list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// Where: `["body"]`, `["body", "<field>"]`, or `["body", <byte offset>]` for JSON that
    /// does not parse.
    /// (Items are strings or a byte offset: any JSON value to the schema.)
    #[schema(value_type = Vec<Value>)]
    loc: Vec<serde_json::Value>,
    /// What is wrong, for a person.
    msg: String,
    /// What is wrong, for a program: pydantic's error type names.
    #[serde(rename = "type")]
    kind: &'static str,
}

impl FieldError {
    fn new(loc: Vec<serde_json::Value>, msg: impl Into<String>, kind: &'static str) -> Self {
        FieldError {
            loc,
            msg: msg.into(),
            kind,
        }
    }

    /// `field` of the body breaks a rule of this server: `value_error`, with the rule's text.
    pub fn value(field: &str, msg: impl Into<String>) -> Self {
        Self::new(body_at(field), msg, "value_error")
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.msg)
    }
}

fn body_at(field: &str) -> Vec<serde_json::Value> {
    vec!["body".into(), field.into()]
}

/// A JSON request body of type `T` (a struct of named fields), or FastAPI's 422.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        // The content type is not checked: FastAPI reads a JSON body whatever it says, and
        // a client that left it out gets the same field errors as one that set it.
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                // Only a body over the limit layer's cap or a failed read get here.
                ApiError::new(rejection.status(), rejection.body_text())
            })?;
        parse(&bytes).map(JsonBody).map_err(ApiError::validation)
    }
}

/// `bytes` as `T`, or every field error found.
fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Vec<FieldError>> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|error| {
        vec![FieldError::new(
            vec!["body".into(), offset(bytes, &error).into()],
            "JSON decode error",
            "json_invalid",
        )]
    })?;
    if !value.is_object() {
        return Err(vec![FieldError::new(
            vec!["body".into()],
            "Input should be a valid dictionary or object to extract fields from",
            "model_attributes_type",
        )]);
    }
    serde_path_to_error::deserialize(&value).map_err(|error| {
        let field = error.path().to_string();
        let inner = error.inner().to_string();
        // serde's own wording for a missing field: "missing field `name`".
        if let Some(name) = inner
            .strip_prefix("missing field `")
            .and_then(|rest| rest.strip_suffix('`'))
        {
            return vec![FieldError::new(body_at(name), "Field required", "missing")];
        }
        vec![FieldError::new(
            body_at(&field),
            "Input should be a valid string",
            "string_type",
        )]
    })
}

/// The byte offset of a JSON syntax error, from `serde_json`'s line and column.
fn offset(bytes: &[u8], error: &serde_json::Error) -> usize {
    let mut line = 1;
    let mut at = 0;
    while line < error.line() && at < bytes.len() {
        if bytes[at] == b'\n' {
            line += 1;
        }
        at += 1;
    }
    (at + error.column().saturating_sub(1)).min(bytes.len())
}

impl ApiError {
    /// 422 with FastAPI's list of field errors.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        ApiError::with_fields(StatusCode::UNPROCESSABLE_ENTITY, errors)
    }

    /// 422 for one field of the body that breaks a rule of this server.
    pub fn invalid_field(field: &str, msg: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::value(field, msg)])
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Login {
        username: String,
        password: String,
    }

    fn errors(body: &str) -> serde_json::Value {
        serde_json::to_value(parse::<Login>(body.as_bytes()).unwrap_err()).unwrap()
    }

    #[test]
    fn each_way_a_body_is_wrong_has_fastapis_type_and_location() {
        assert_eq!(
            errors(r#"{"username":"alice"}"#),
            serde_json::json!([{"loc":["body","password"],"msg":"Field required","type":"missing"}])
        );
        assert_eq!(
            errors(r#"{"username":5,"password":"x"}"#)[0]["loc"],
            serde_json::json!(["body", "username"])
        );
        assert_eq!(
            errors(r#"{"username":5,"password":"x"}"#)[0]["type"],
            "string_type"
        );
        assert_eq!(errors("[1]")[0]["type"], "model_attributes_type");
        let broken = errors("{\n  \"username\": ");
        assert_eq!(broken[0]["type"], "json_invalid");
        // Cut off after `"username": `: the error is at the last byte read, the space.
        assert_eq!(broken[0]["loc"], serde_json::json!(["body", 15]));
        assert_eq!(errors("")[0]["loc"], serde_json::json!(["body", 0]));
    }

    #[test]
    fn a_good_body_reads() {
        let login: Login = parse(br#"{"username":"alice","password":"x"}"#).unwrap();
        assert_eq!(login.username, "alice");
    }
}
