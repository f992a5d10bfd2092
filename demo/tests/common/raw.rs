//! Raw TCP clients for the abuse tests: connections from a chosen loopback address (all of
//! 127.0.0.0/8 is loopback on Linux), and reading until the server closes.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpSocket, TcpStream};

/// A connection to `server` from `from` (an address of 127.0.0.0/8).
pub async fn connect_from(from: IpAddr, server: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(from, 0))?;
    socket.connect(server).await
}

/// Whether the server closes `stream` within `within` (reads return 0 or an error), reading
/// and dropping whatever it sends first.
pub async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buffer = [0u8; 4096];
    tokio::time::timeout(within, async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

/// Sends `request` on a fresh connection from `from` and returns the status code of the
/// answer, or `None` if none came within `within`.
pub async fn status_of(
    from: IpAddr,
    server: SocketAddr,
    request: &[u8],
    within: Duration,
) -> Option<u16> {
    tokio::time::timeout(within, async {
        let mut stream = connect_from(from, server).await.ok()?;
        stream.write_all(request).await.ok()?;
        read_status(&mut stream).await
    })
    .await
    .ok()
    .flatten()
}

/// The status code of the response head read from `stream`.
pub async fn read_status(stream: &mut TcpStream) -> Option<u16> {
    let mut head = Vec::new();
    let mut buffer = [0u8; 1024];
    while !head.windows(2).any(|w| w == b"\r\n") {
        let read = stream.read(&mut buffer).await.ok()?;
        if read == 0 {
            return None;
        }
        head.extend_from_slice(&buffer[..read]);
    }
    let line = String::from_utf8_lossy(&head);
    line.split(' ').nth(1)?.parse().ok()
}
