//! ferrotcp on a Cortex-M4F with an ENC28J60: a static IPv4 address,
//! answers ping, echoes UDP datagrams and (feature `tcp`) a TCP stream on
//! port 7, and sleeps between polls
//! for as long as `poll_delay` allows (or until the chip's INT line says a
//! frame arrived).
//!
//! No allocator and no `std`: the interface storage, the socket set, the
//! socket buffers and the driver live in statics, handed out once as
//! `&'static mut` by `static_cell`.
#![no_std]
#![no_main]

mod board;

use core::net::Ipv4Addr;

use cortex_m_rt::entry;
use ferrotcp::config::Config;
use ferrotcp::device::Device;
use ferrotcp::iface::neighbor::{NeighborEntry, PendingSlot};
use ferrotcp::iface::reassembly::Slot;
use ferrotcp::iface::{Interface, InterfaceStorage};
#[cfg(feature = "tcp")]
use ferrotcp::socket::tcp;
use ferrotcp::socket::udp::{self, UdpMetadata};
use ferrotcp::socket::{SocketSet, SocketStorage};
use ferrotcp::storage::PacketMetadata;
use ferrotcp::time::Instant;
use ferrotcp::wire::{EthernetAddress, Ipv4Cidr};
use ferrotcp_phy::enc28j60::{self, Enc28j60};
use static_cell::{ConstStaticCell, StaticCell};

#[cfg(feature = "defmt")]
use defmt_rtt as _;

/// A locally administered MAC address; a product would read one from an
/// EEPROM (e.g. a 24AA02E48) or derive it from the MCU's unique ID.
const MAC: EthernetAddress = EthernetAddress([0x02, 0x00, 0x5e, 0x10, 0x00, 0x01]);
const ADDRESS: Ipv4Addr = Ipv4Addr::new(192, 168, 69, 2);
const PREFIX_LEN: u8 = 24;
const ECHO_PORT: u16 = 7;
/// The IP MTU: the largest packet the neighbour queue and the scratch
/// buffer must hold.
const MTU: usize = 1500;
const UDP_SLOTS: usize = 4;
const UDP_BYTES: usize = 1536;
/// Each of the TCP echo's receive and send buffers.
#[cfg(feature = "tcp")]
const TCP_BYTES: usize = 1024;

static NEIGHBORS: ConstStaticCell<[NeighborEntry; 8]> =
    ConstStaticCell::new([NeighborEntry::EMPTY; 8]);
static PENDING_SLOTS: ConstStaticCell<[PendingSlot; 1]> =
    ConstStaticCell::new([PendingSlot::EMPTY; 1]);
static PENDING_POOL: ConstStaticCell<[u8; MTU]> = ConstStaticCell::new([0; MTU]);
static REASSEMBLY: ConstStaticCell<[Slot<'static>; 0]> = ConstStaticCell::new([]);
static SCRATCH: ConstStaticCell<[u8; MTU]> = ConstStaticCell::new([0; MTU]);
static SOCKETS: ConstStaticCell<[SocketStorage<'static>; 2]> =
    ConstStaticCell::new([SocketStorage::EMPTY; 2]);
static UDP_RX_META: ConstStaticCell<[PacketMetadata<UdpMetadata>; UDP_SLOTS]> =
    ConstStaticCell::new([PacketMetadata::EMPTY; UDP_SLOTS]);
static UDP_RX_BYTES: ConstStaticCell<[u8; UDP_BYTES]> = ConstStaticCell::new([0; UDP_BYTES]);
static UDP_TX_META: ConstStaticCell<[PacketMetadata<UdpMetadata>; UDP_SLOTS]> =
    ConstStaticCell::new([PacketMetadata::EMPTY; UDP_SLOTS]);
static UDP_TX_BYTES: ConstStaticCell<[u8; UDP_BYTES]> = ConstStaticCell::new([0; UDP_BYTES]);
#[cfg(feature = "tcp")]
static TCP_RX_BYTES: ConstStaticCell<[u8; TCP_BYTES]> = ConstStaticCell::new([0; TCP_BYTES]);
#[cfg(feature = "tcp")]
static TCP_TX_BYTES: ConstStaticCell<[u8; TCP_BYTES]> = ConstStaticCell::new([0; TCP_BYTES]);
static DEVICE: StaticCell<Enc28j60<board::Spi1>> = StaticCell::new();
static IFACE: StaticCell<Interface<'static>> = StaticCell::new();

macro_rules! info {
    ($($t:tt)*) => {{
        #[cfg(feature = "defmt")]
        defmt::info!($($t)*);
    }};
}

#[entry]
fn main() -> ! {
    let Some(cp) = cortex_m::Peripherals::take() else {
        halt()
    };
    board::start_clock(cp.SYST);
    let mut clock = board::Clock::new();

    let dev = DEVICE.init(Enc28j60::new(
        board::Spi1::new(),
        enc28j60::Config::new(MAC),
    ));
    // The chip may still be in power-on reset: try a few times.
    let mut tries = 0;
    while let Err(_e) = dev.init(&mut board::Delay) {
        info!("enc28j60 init failed");
        tries += 1;
        if tries == 10 {
            halt()
        }
        board::sleep(&mut clock, Some(100));
    }
    info!("enc28j60 revision {=u8}", dev.revision());

    let now = Instant::from_millis(0);
    // A product would seed from a hardware RNG or the unique ID.
    let config = Config::with_seed(0x5eed_f00d_0000_0001);
    let storage = InterfaceStorage {
        neighbor_entries: (&mut NEIGHBORS.take()[..]).into(),
        pending_slots: (&mut PENDING_SLOTS.take()[..]).into(),
        pending_pool: (&mut PENDING_POOL.take()[..]).into(),
        reassembly_slots: (&mut REASSEMBLY.take()[..]).into(),
        scratch: (&mut SCRATCH.take()[..]).into(),
    };
    let iface = IFACE.init_with(|| Interface::new(config, dev.capabilities(), MAC, storage, now));
    if let Some(cidr) = Ipv4Cidr::new(ADDRESS, PREFIX_LEN) {
        let _ = iface.add_ipv4_addr(cidr);
    }
    #[cfg(feature = "ipv6")]
    {
        let m = MAC.0;
        let ll = core::net::Ipv6Addr::new(
            0xfe80,
            0,
            0,
            0,
            u16::from_be_bytes([m[0] ^ 0x02, m[1]]),
            u16::from_be_bytes([m[2], 0xff]),
            u16::from_be_bytes([0xfe, m[3]]),
            u16::from_be_bytes([m[4], m[5]]),
        );
        if let Some(cidr) = ferrotcp::wire::Ipv6Cidr::new(ll, 64) {
            let _ = iface.add_ipv6_addr(cidr);
        }
    }

    let mut sockets = SocketSet::new(&mut SOCKETS.take()[..]);
    let mut echo = udp::Socket::new(
        udp::PacketBuffer::new(&mut UDP_RX_META.take()[..], &mut UDP_RX_BYTES.take()[..]),
        udp::PacketBuffer::new(&mut UDP_TX_META.take()[..], &mut UDP_TX_BYTES.take()[..]),
    );
    let _ = echo.bind(ECHO_PORT);
    let Ok(echo) = sockets.add(echo) else { halt() };
    #[cfg(feature = "tcp")]
    let Ok(tcp_echo) = sockets.add(tcp::Socket::new(
        tcp::SocketBuffer::new(&mut TCP_RX_BYTES.take()[..]),
        tcp::SocketBuffer::new(&mut TCP_TX_BYTES.take()[..]),
    )) else {
        halt()
    };

    let mut datagram = [0u8; 512];
    loop {
        let now = Instant::from_millis(clock.millis() as i64);
        iface.poll(now, dev, &mut sockets);

        if let Ok(socket) = sockets.get_mut::<udp::Socket>(echo) {
            while let Ok((n, meta)) = socket.recv_slice(&mut datagram) {
                let reply = UdpMetadata {
                    local_address: meta.local_address,
                    ..UdpMetadata::from(meta.endpoint)
                };
                if socket.send_slice(&datagram[..n], reply).is_err() {
                    break;
                }
            }
        }
        #[cfg(feature = "tcp")]
        if let Ok(socket) = sockets.get_mut::<tcp::Socket>(tcp_echo) {
            tcp_echo_step(socket, &mut datagram);
        }

        let now = Instant::from_millis(clock.millis() as i64);
        match iface.poll_delay(now, &mut sockets) {
            Some(d) if d.total_millis() == 0 => {}
            Some(d) => board::sleep(&mut clock, Some(d.total_millis())),
            None => board::sleep(&mut clock, None),
        }
    }
}

/// One turn of the TCP echo: listen when closed, send back what arrived
/// (as much as the send buffer takes), close once the peer has.
#[cfg(feature = "tcp")]
fn tcp_echo_step(socket: &mut tcp::Socket<'_>, buf: &mut [u8]) {
    if socket.state() == tcp::State::Closed {
        let _ = socket.listen(ECHO_PORT);
        return;
    }
    if socket.can_recv() {
        let room = TCP_BYTES.saturating_sub(socket.send_queue()).min(buf.len());
        if let Ok(n) = socket.recv_slice(&mut buf[..room]) {
            let _ = socket.send_slice(&buf[..n]);
        }
    }
    if !socket.may_recv() && socket.may_send() && socket.send_queue() == 0 {
        socket.close();
    }
}

/// Stop: nothing sensible is left to do.
fn halt() -> ! {
    loop {
        cortex_m::asm::wfi();
    }
}

/// The minimal panic handler: log (with defmt), then stop the core where
/// a debugger finds it.
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    #[cfg(feature = "defmt")]
    defmt::error!("panic");
    loop {
        cortex_m::asm::bkpt();
    }
}

#[cfg(feature = "sizes")]
mod sizes {
    //! Sizes of the stack's types on this target, for `ci/size.sh`.
    use core::mem::size_of;

    /// `[udp::Socket, SocketStorage, Interface, Enc28j60, tcp::Socket (0:
    /// feature `tcp` off)]`, read back from the ELF by `ci/size.sh`.
    #[used]
    #[unsafe(no_mangle)]
    static FIRMWARE_TYPE_SIZES: [u32; 5] = [
        size_of::<ferrotcp::socket::udp::Socket<'static>>() as u32,
        size_of::<ferrotcp::socket::SocketStorage<'static>>() as u32,
        size_of::<ferrotcp::iface::Interface<'static>>() as u32,
        size_of::<ferrotcp_phy::enc28j60::Enc28j60<crate::board::Spi1>>() as u32,
        TCP_SOCKET,
    ];

    #[cfg(feature = "tcp")]
    const TCP_SOCKET: u32 = size_of::<ferrotcp::socket::tcp::Socket<'static>>() as u32;
    #[cfg(not(feature = "tcp"))]
    const TCP_SOCKET: u32 = 0;
}
