//! Counting open connections per client address.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex, PoisonError};

/// Open connections per client; a client is an IPv4 address or an IPv6 /64 (one host
/// usually holds a whole /64, so counting single IPv6 addresses would count nothing).
pub(super) struct PerClient {
    max: usize,
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One admitted connection; dropping it gives its place back.
pub(super) struct Admitted {
    clients: Arc<PerClient>,
    client: IpAddr,
}

impl PerClient {
    pub(super) fn new(max: usize) -> Self {
        PerClient {
            max,
            open: Mutex::new(HashMap::new()),
        }
    }

    /// Admits one more connection from `peer`, unless it already has the most allowed.
    pub(super) fn admit(self: &Arc<Self>, peer: IpAddr) -> Option<Admitted> {
        let client = client_of(peer);
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(client).or_insert(0);
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(Admitted {
            clients: Arc::clone(self),
            client,
        })
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self
            .clients
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.client);
            }
        }
    }
}

fn client_of(peer: IpAddr) -> IpAddr {
    match peer {
        IpAddr::V4(_) => peer,
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or_else(
            || IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
            IpAddr::V4,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::{PerClient, client_of};
    use std::net::IpAddr;
    use std::sync::Arc;

    #[test]
    fn a_client_gets_at_most_its_share_and_gets_it_back() {
        let clients = Arc::new(PerClient::new(2));
        let alice: IpAddr = "10.0.0.1".parse().unwrap();
        let bob: IpAddr = "10.0.0.2".parse().unwrap();
        let first = clients.admit(alice).unwrap();
        let _second = clients.admit(alice).unwrap();
        assert!(clients.admit(alice).is_none());
        assert!(clients.admit(bob).is_some());
        drop(first);
        assert!(clients.admit(alice).is_some());
    }

    #[test]
    fn ipv6_clients_are_counted_by_slash_64_and_mapped_ipv4_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_of(a), client_of(b));
        assert_ne!(client_of(a), client_of(c));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert_eq!(client_of(mapped), "10.0.0.1".parse::<IpAddr>().unwrap());
    }
}
