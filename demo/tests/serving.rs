//! The shared accept loop's limits (`keyward_demo::serve`), in process: every body read is
//! bounded (chunked included), slow and idle connections are closed, and one client cannot
//! hold more than its share of connections. Outcomes are counted; the timeouts are set low
//! (at most 1 s) so the waits are short, and each wait has a generous bound.

#[path = "common/mod.rs"]
mod common;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::routing::{get, post};
use common::raw::{closed_within, connect_from, read_status, status_of};
use keyward_demo::serve::{Limits, serve};
use tokio::io::AsyncWriteExt as _;

const ATTACKER: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
const CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 3));
/// Far longer than any timeout under test: a wait that reaches it is a failure.
const BOUND: Duration = Duration::from_secs(10);

fn limits() -> Limits {
    Limits::default()
        .with_header_read_timeout(Duration::from_millis(500))
        .with_body_timeout(Duration::from_millis(500))
        .with_request_timeout(Duration::from_secs(1))
        .with_idle_timeout(Duration::from_millis(500))
        .with_max_body_bytes(1024)
        .with_max_connections(64)
        .with_max_connections_per_client(4)
}

async fn start(limits: Limits) -> SocketAddr {
    let app = Router::new()
        .route("/ping", get(|| async { "pong" }))
        .route(
            "/echo",
            post(|body: Bytes| async move { body.len().to_string() }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, app, limits, std::future::pending()));
    addr
}

const PING: &[u8] = b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n";

#[tokio::test]
async fn a_chunked_body_is_cut_off_at_the_cap() {
    let server = start(limits()).await;
    let mut stream = connect_from(CLIENT, server).await.unwrap();
    stream
        .write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        .await
        .unwrap();
    let chunk = format!("200\r\n{}\r\n", "x".repeat(0x200));
    // 4 KiB in 512-byte chunks against a 1 KiB cap; the server may stop reading early.
    for _ in 0..8 {
        if stream.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    assert_eq!(read_status(&mut stream).await, Some(413));

    // Under the cap, the same route reads the body.
    let small = b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
    assert_eq!(status_of(CLIENT, server, small, BOUND).await, Some(200));
}

#[tokio::test]
async fn a_declared_length_over_the_cap_is_refused_before_the_body() {
    let server = start(limits()).await;
    let request = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n";
    assert_eq!(status_of(CLIENT, server, request, BOUND).await, Some(413));
}

#[tokio::test]
async fn a_body_that_stops_arriving_ends_the_request() {
    let server = start(limits()).await;
    let mut stream = connect_from(CLIENT, server).await.unwrap();
    stream
        .write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
        .await
        .unwrap();
    let status = tokio::time::timeout(BOUND, read_status(&mut stream))
        .await
        .unwrap();
    assert!(matches!(status, Some(400 | 408)), "{status:?}");
}

#[tokio::test]
async fn trickled_headers_and_silent_connections_are_closed() {
    let server = start(limits()).await;
    // A head that never completes, one byte at a time.
    let mut trickle = connect_from(CLIENT, server).await.unwrap();
    let mut sent = 0;
    let closed = tokio::time::timeout(BOUND, async {
        for byte in PING.iter().cycle().take(1000) {
            if trickle.write_all(&[*byte]).await.is_err() {
                return;
            }
            sent += 1;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(closed.is_ok(), "still open after {sent} trickled bytes");
    // A connection that never sends a byte.
    let mut silent = connect_from(CLIENT, server).await.unwrap();
    assert!(closed_within(&mut silent, BOUND).await);
    // A keep-alive connection after one request.
    let mut kept = connect_from(CLIENT, server).await.unwrap();
    kept.write_all(PING).await.unwrap();
    assert_eq!(read_status(&mut kept).await, Some(200));
    assert!(closed_within(&mut kept, BOUND).await);
}

// Issue 20: one client re-opening connections must not hold every slot.
#[tokio::test]
async fn one_client_holds_at_most_its_share_of_connections() {
    // Long enough that the admitted connections outlive the counting below.
    let server = start(
        limits()
            .with_idle_timeout(Duration::from_secs(8))
            .with_header_read_timeout(Duration::from_secs(8)),
    )
    .await;
    let mut held = Vec::new();
    for _ in 0..12 {
        held.push(connect_from(ATTACKER, server).await.unwrap());
    }
    // Past its 4, each is closed at once; the 4 admitted stay open until idle.
    let mut closed_at_once = 0;
    for stream in &mut held {
        if closed_within(stream, Duration::from_millis(200)).await {
            closed_at_once += 1;
        }
    }
    assert_eq!(closed_at_once, 8);
    // Another client is served meanwhile.
    assert_eq!(status_of(CLIENT, server, PING, BOUND).await, Some(200));
}
