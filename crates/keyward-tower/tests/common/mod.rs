//! Shared by the integration tests: an issuer, a request builder, and a response reader.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use http::{Request, Response, StatusCode};
use http_body_util::BodyExt as _;
use keyward::token::{SigningKey, TokenIssuer};
use tower::ServiceExt as _;

pub const ISSUER: &str = "https://auth.example.com";

pub fn issuer() -> TokenIssuer {
    TokenIssuer::new(SigningKey::hs256([42u8; 32]).unwrap()).with_issuer(ISSUER)
}

pub fn token(subject: &str) -> String {
    issuer().issue(subject, &()).unwrap()
}

/// A GET of `path` with these `Authorization` values (none, one or several).
pub fn get(path: &str, authorization: &[&[u8]]) -> Request<Body> {
    let mut request = Request::get(path);
    for value in authorization {
        request = request.header(http::header::AUTHORIZATION, *value);
    }
    request.body(Body::empty()).unwrap()
}

pub fn bearer(token: &str) -> Vec<u8> {
    format!("Bearer {token}").into_bytes()
}

pub struct Answer {
    pub status: StatusCode,
    pub challenge: Option<String>,
    pub headers: http::HeaderMap,
    pub body: String,
}

pub async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response: Response<Body> = app.clone().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    Answer {
        status: parts.status,
        challenge: parts
            .headers
            .get(http::header::WWW_AUTHENTICATE)
            .map(|value| value.to_str().unwrap().to_owned()),
        headers: parts.headers,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}
