//! The routing table of a host: routes to networks through gateways
//! (default routes included), chosen by longest prefix. Networks of the
//! interface's own addresses are on-link without a route.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::time::Instant;
use crate::wire::{IpCidr, Ipv4Cidr, Ipv6Cidr};

/// The most routes an interface keeps.
pub const MAX_ROUTES: usize = 8;

/// One route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Route {
    /// The destination network.
    pub cidr: IpCidr,
    /// The gateway (`None`: the network is on-link).
    pub via_router: Option<IpAddr>,
    /// When the route lapses (router lifetime of an RA, DHCP lease), if
    /// ever.
    pub expires_at: Option<Instant>,
}

impl Route {
    /// The IPv4 default route through `gateway`.
    pub fn new_ipv4_gateway(gateway: Ipv4Addr) -> Route {
        Route {
            cidr: IpCidr::V4(DEFAULT_V4),
            via_router: Some(IpAddr::V4(gateway)),
            expires_at: None,
        }
    }

    /// The IPv6 default route through `gateway`.
    pub fn new_ipv6_gateway(gateway: Ipv6Addr) -> Route {
        Route {
            cidr: IpCidr::V6(DEFAULT_V6),
            via_router: Some(IpAddr::V6(gateway)),
            expires_at: None,
        }
    }
}

// Evaluated at compile time: a bad prefix length would fail the build, never
// a run.
const DEFAULT_V4: Ipv4Cidr = match Ipv4Cidr::new(Ipv4Addr::UNSPECIFIED, 0) {
    Some(c) => c,
    None => panic!("0 is a valid IPv4 prefix length"),
};
const DEFAULT_V6: Ipv6Cidr = match Ipv6Cidr::new(Ipv6Addr::UNSPECIFIED, 0) {
    Some(c) => c,
    None => panic!("0 is a valid IPv6 prefix length"),
};

/// The routing table is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RouteTableFull;

/// A host's routing table.
#[derive(Debug, Clone, Default)]
pub struct Routes {
    routes: heapless::Vec<Route, MAX_ROUTES>,
    /// Bumped by every change of the table: the interface's next-hop
    /// cache is valid only while this is unchanged.
    generation: u64,
}

impl Routes {
    /// An empty table.
    pub fn new() -> Routes {
        Routes::default()
    }

    /// Add or replace (same network) a route; returns the one replaced.
    pub fn add(&mut self, route: Route) -> Result<Option<Route>, RouteTableFull> {
        if let Some(r) = self.routes.iter_mut().find(|r| r.cidr == route.cidr) {
            let old = *r;
            *r = route;
            self.generation = self.generation.wrapping_add(1);
            return Ok(Some(old));
        }
        self.routes.push(route).map_err(|_| RouteTableFull)?;
        self.generation = self.generation.wrapping_add(1);
        Ok(None)
    }

    /// Set the IPv4 default gateway; returns the previous default route.
    pub fn add_default_ipv4_route(
        &mut self,
        gateway: Ipv4Addr,
    ) -> Result<Option<Route>, RouteTableFull> {
        self.add(Route::new_ipv4_gateway(gateway))
    }

    /// Set the IPv6 default gateway; returns the previous default route.
    pub fn add_default_ipv6_route(
        &mut self,
        gateway: Ipv6Addr,
    ) -> Result<Option<Route>, RouteTableFull> {
        self.add(Route::new_ipv6_gateway(gateway))
    }

    /// Remove the route to `cidr`.
    pub fn remove(&mut self, cidr: &IpCidr) -> Option<Route> {
        let i = self.routes.iter().position(|r| r.cidr == *cidr)?;
        self.generation = self.generation.wrapping_add(1);
        Some(self.routes.swap_remove(i))
    }

    /// Every route.
    pub fn iter(&self) -> impl Iterator<Item = &Route> {
        self.routes.iter()
    }

    /// The route for `dst` at `now`: the longest matching prefix among the
    /// routes that have not expired.
    pub fn lookup(&self, dst: &IpAddr, now: Instant) -> Option<&Route> {
        self.routes
            .iter()
            .filter(|r| r.cidr.contains_addr(dst))
            .filter(|r| r.expires_at.is_none_or(|t| now < t))
            .max_by_key(|r| r.cidr.prefix_len())
    }

    /// Drop expired routes.
    pub(crate) fn expire(&mut self, now: Instant) {
        self.routes.retain(|r| r.expires_at.is_none_or(|t| now < t));
        self.generation = self.generation.wrapping_add(1);
    }

    /// The earliest expiry.
    /// Changes of the table so far.
    #[inline]
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    #[inline]
    pub(crate) fn poll_at(&self) -> Option<Instant> {
        self.routes.iter().filter_map(|r| r.expires_at).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_prefix_wins_and_expiry() {
        let mut t = Routes::new();
        let gw = Ipv4Addr::new(10, 0, 0, 1);
        t.add_default_ipv4_route(gw).unwrap();
        let special = Route {
            cidr: IpCidr::V4(Ipv4Cidr::new(Ipv4Addr::new(192, 168, 0, 0), 16).unwrap()),
            via_router: Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 254))),
            expires_at: Some(Instant::from_secs(100)),
        };
        t.add(special).unwrap();
        let dst = IpAddr::V4(Ipv4Addr::new(192, 168, 3, 4));
        assert_eq!(
            t.lookup(&dst, Instant::from_secs(1))
                .and_then(|r| r.via_router),
            special.via_router
        );
        assert_eq!(
            t.lookup(&dst, Instant::from_secs(100))
                .and_then(|r| r.via_router),
            Some(IpAddr::V4(gw))
        );
        let v6 = IpAddr::V6(Ipv6Addr::LOCALHOST);
        assert!(t.lookup(&v6, Instant::ZERO).is_none(), "no IPv6 route");
        assert_eq!(t.poll_at(), Some(Instant::from_secs(100)));
        t.expire(Instant::from_secs(100));
        assert_eq!(t.iter().count(), 1);
        // Replacing the default returns the old one.
        let old = t
            .add_default_ipv4_route(Ipv4Addr::new(10, 0, 0, 2))
            .unwrap();
        assert_eq!(old.and_then(|r| r.via_router), Some(IpAddr::V4(gw)));
    }

    #[test]
    fn table_is_bounded() {
        let mut t = Routes::new();
        for i in 0..MAX_ROUTES as u8 {
            t.add(Route {
                cidr: IpCidr::V4(Ipv4Cidr::new(Ipv4Addr::new(10, i, 0, 0), 16).unwrap()),
                via_router: None,
                expires_at: None,
            })
            .unwrap();
        }
        assert_eq!(
            t.add_default_ipv4_route(Ipv4Addr::new(10, 0, 0, 1)),
            Err(RouteTableFull)
        );
    }
}
