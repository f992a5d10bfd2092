//! The body of a refusal's response, shaped by the service.

use bytes::Bytes;
use http::HeaderValue;

use crate::Refusal;

/// The body (and its `Content-Type`) of a refusal's response. By default, JSON
/// `{"detail": "<description>"}`, as FastAPI's `OAuth2PasswordBearer` answers; a service
/// returns its own from [`BearerAuth::with_error_body`](crate::BearerAuth::with_error_body).
///
/// ```
/// use keyward_tower::{ErrorBody, Refusal};
///
/// let body = ErrorBody::default_for(&Refusal::MissingCredentials);
/// assert_eq!(body.bytes(), br#"{"detail":"Not authenticated"}"#.as_slice());
/// let body = ErrorBody::json(&serde_json::json!({"error": "unauthorized"}));
/// assert_eq!(body.content_type(), "application/json");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorBody {
    content_type: Option<HeaderValue>,
    bytes: Bytes,
}

impl ErrorBody {
    /// The default body: JSON `{"detail": ...}` with the refusal's
    /// [`description`](Refusal::description).
    ///
    /// ```
    /// # use keyward_tower::{ErrorBody, Refusal};
    /// assert!(!ErrorBody::default_for(&Refusal::KeysUnavailable).bytes().is_empty());
    /// ```
    pub fn default_for(refusal: &Refusal) -> Self {
        ErrorBody::json(&serde_json::json!({ "detail": refusal.description() }))
    }

    /// A JSON body.
    ///
    /// ```
    /// # use keyward_tower::ErrorBody;
    /// let body = ErrorBody::json(&serde_json::json!({"code": 401}));
    /// assert_eq!(body.bytes(), br#"{"code":401}"#.as_slice());
    /// ```
    pub fn json(value: &serde_json::Value) -> Self {
        ErrorBody {
            content_type: Some(HeaderValue::from_static("application/json")),
            bytes: Bytes::from(value.to_string()),
        }
    }

    /// A plain-text body (`text/plain; charset=utf-8`).
    ///
    /// ```
    /// # use keyward_tower::ErrorBody;
    /// assert_eq!(ErrorBody::text("no").content_type(), "text/plain; charset=utf-8");
    /// ```
    pub fn text(text: impl Into<String>) -> Self {
        ErrorBody {
            content_type: Some(HeaderValue::from_static("text/plain; charset=utf-8")),
            bytes: Bytes::from(text.into()),
        }
    }

    /// No body, and no `Content-Type`.
    ///
    /// ```
    /// # use keyward_tower::ErrorBody;
    /// assert!(ErrorBody::empty().bytes().is_empty());
    /// ```
    pub fn empty() -> Self {
        ErrorBody {
            content_type: None,
            bytes: Bytes::new(),
        }
    }

    /// The `Content-Type`, empty for [`empty`](Self::empty).
    ///
    /// ```
    /// # use keyward_tower::ErrorBody;
    /// assert_eq!(ErrorBody::empty().content_type(), "");
    /// ```
    pub fn content_type(&self) -> &str {
        self.content_type
            .as_ref()
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
    }

    /// The body's bytes.
    ///
    /// ```
    /// # use keyward_tower::ErrorBody;
    /// assert_eq!(ErrorBody::text("x").bytes(), b"x".as_slice());
    /// ```
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub(crate) fn into_parts(self) -> (Option<HeaderValue>, Bytes) {
        (self.content_type, self.bytes)
    }
}
