//! The smoltcp 0.14 twin of `examples/firmware`: same board, same
//! ENC28J60 driver (through a token adapter, no extra buffers), same
//! static socket buffers, same ping + UDP echo + TCP echo + `poll_delay`
//! loop. Only
//! built to be measured by `ci/size.sh`.
#![no_std]
#![no_main]

#[path = "../../../examples/firmware/src/board.rs"]
mod board;

use core::net::Ipv4Addr;

use cortex_m_rt::entry;
use ferrotcp_phy::enc28j60::{self, Enc28j60};
use smoltcp::iface::{Config, Interface, SocketSet, SocketStorage};
use smoltcp::phy::{self, DeviceCapabilities, Medium};
#[cfg(feature = "tcp")]
use smoltcp::socket::tcp;
use smoltcp::socket::udp::{self, UdpMetadata};
use smoltcp::time::Instant;
use smoltcp::wire::{EthernetAddress, HardwareAddress, IpAddress, IpCidr};
use static_cell::{ConstStaticCell, StaticCell};

const MAC: [u8; 6] = [0x02, 0x00, 0x5e, 0x10, 0x00, 0x01];
const ADDRESS: Ipv4Addr = Ipv4Addr::new(192, 168, 69, 2);
const PREFIX_LEN: u8 = 24;
const ECHO_PORT: u16 = 7;
const UDP_SLOTS: usize = 4;
const UDP_BYTES: usize = 1536;
/// Each of the TCP echo's receive and send buffers.
#[cfg(feature = "tcp")]
const TCP_BYTES: usize = 1024;

static SOCKETS: ConstStaticCell<[SocketStorage<'static>; 2]> =
    ConstStaticCell::new([SocketStorage::EMPTY; 2]);
static UDP_RX_META: ConstStaticCell<[udp::PacketMetadata; UDP_SLOTS]> =
    ConstStaticCell::new([udp::PacketMetadata::EMPTY; UDP_SLOTS]);
static UDP_RX_BYTES: ConstStaticCell<[u8; UDP_BYTES]> = ConstStaticCell::new([0; UDP_BYTES]);
static UDP_TX_META: ConstStaticCell<[udp::PacketMetadata; UDP_SLOTS]> =
    ConstStaticCell::new([udp::PacketMetadata::EMPTY; UDP_SLOTS]);
static UDP_TX_BYTES: ConstStaticCell<[u8; UDP_BYTES]> = ConstStaticCell::new([0; UDP_BYTES]);
#[cfg(feature = "tcp")]
static TCP_RX_BYTES: ConstStaticCell<[u8; TCP_BYTES]> = ConstStaticCell::new([0; TCP_BYTES]);
#[cfg(feature = "tcp")]
static TCP_TX_BYTES: ConstStaticCell<[u8; TCP_BYTES]> = ConstStaticCell::new([0; TCP_BYTES]);
static DEVICE: StaticCell<Enc28j60<board::Spi1>> = StaticCell::new();
static IFACE: StaticCell<Interface> = StaticCell::new();

/// smoltcp's `Device` over the driver's own tokens.
struct SmolDevice(&'static mut Enc28j60<board::Spi1>);
struct Rx<'a>(enc28j60::RxToken<'a>);
struct Tx<'a>(enc28j60::TxToken<'a, board::Spi1>);

impl phy::RxToken for Rx<'_> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        ferrotcp::device::RxToken::consume(self.0, f)
    }
}

impl phy::TxToken for Tx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        ferrotcp::device::TxToken::consume(self.0, len, f)
    }
}

impl phy::Device for SmolDevice {
    type RxToken<'a> = Rx<'a>;
    type TxToken<'a> = Tx<'a>;

    fn receive(&mut self, _t: Instant) -> Option<(Rx<'_>, Tx<'_>)> {
        let now = ferrotcp::time::Instant::ZERO;
        ferrotcp::device::Device::receive(self.0, now).map(|(r, t)| (Rx(r), Tx(t)))
    }

    fn transmit(&mut self, _t: Instant) -> Option<Tx<'_>> {
        ferrotcp::device::Device::transmit(self.0, ferrotcp::time::Instant::ZERO).map(Tx)
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = enc28j60::MAX_FRAME_LEN;
        caps
    }
}

#[entry]
fn main() -> ! {
    let Some(cp) = cortex_m::Peripherals::take() else {
        halt()
    };
    board::start_clock(cp.SYST);
    let mut clock = board::Clock::new();

    let drv = DEVICE.init(Enc28j60::new(
        board::Spi1::new(),
        enc28j60::Config::new(ferrotcp::wire::EthernetAddress(MAC)),
    ));
    let mut tries = 0;
    while drv.init(&mut board::Delay).is_err() {
        tries += 1;
        if tries == 10 {
            halt()
        }
        board::sleep(&mut clock, Some(100));
    }
    let mut dev = SmolDevice(drv);

    let mut config = Config::new(HardwareAddress::Ethernet(EthernetAddress(MAC)));
    config.random_seed = 0x5eed_f00d_0000_0001;
    let iface = IFACE.init_with(|| Interface::new(config, &mut dev, Instant::from_millis(0)));
    iface.update_ip_addrs(|addrs| {
        let _ = addrs.push(IpCidr::new(IpAddress::Ipv4(ADDRESS), PREFIX_LEN));
        #[cfg(feature = "ipv6")]
        {
            let m = MAC;
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
            let _ = addrs.push(IpCidr::new(IpAddress::Ipv6(ll), 64));
        }
    });

    let mut sockets = SocketSet::new(&mut SOCKETS.take()[..]);
    let mut echo = udp::Socket::new(
        udp::PacketBuffer::new(&mut UDP_RX_META.take()[..], &mut UDP_RX_BYTES.take()[..]),
        udp::PacketBuffer::new(&mut UDP_TX_META.take()[..], &mut UDP_TX_BYTES.take()[..]),
    );
    let _ = echo.bind(ECHO_PORT);
    let echo = sockets.add(echo);
    #[cfg(feature = "tcp")]
    let tcp_echo = sockets.add(tcp::Socket::new(
        tcp::SocketBuffer::new(&mut TCP_RX_BYTES.take()[..]),
        tcp::SocketBuffer::new(&mut TCP_TX_BYTES.take()[..]),
    ));

    let mut datagram = [0u8; 512];
    loop {
        let now = Instant::from_millis(clock.millis() as i64);
        iface.poll(now, &mut dev, &mut sockets);

        let socket = sockets.get_mut::<udp::Socket>(echo);
        while let Ok((n, meta)) = socket.recv_slice(&mut datagram) {
            let mut reply = UdpMetadata::from(meta.endpoint);
            reply.local_address = meta.local_address;
            if socket.send_slice(&datagram[..n], reply).is_err() {
                break;
            }
        }
        #[cfg(feature = "tcp")]
        tcp_echo_step(sockets.get_mut::<tcp::Socket>(tcp_echo), &mut datagram);

        let now = Instant::from_millis(clock.millis() as i64);
        match iface.poll_delay(now, &sockets) {
            Some(d) if d.total_millis() == 0 => {}
            Some(d) => board::sleep(&mut clock, Some(d.total_millis())),
            None => board::sleep(&mut clock, None),
        }
    }
}

/// One turn of the TCP echo, as in the ferrotcp firmware.
#[cfg(feature = "tcp")]
fn tcp_echo_step(socket: &mut tcp::Socket<'_>, buf: &mut [u8]) {
    if !socket.is_open() {
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

fn halt() -> ! {
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    loop {
        cortex_m::asm::bkpt();
    }
}

#[cfg(feature = "sizes")]
mod sizes {
    use core::mem::size_of;

    /// `[udp::Socket, SocketStorage, Interface, Enc28j60, tcp::Socket (0:
    /// feature `tcp` off)]`, read back from the ELF by `ci/size.sh`.
    #[used]
    #[unsafe(no_mangle)]
    static FIRMWARE_TYPE_SIZES: [u32; 5] = [
        size_of::<smoltcp::socket::udp::Socket<'static>>() as u32,
        size_of::<smoltcp::iface::SocketStorage<'static>>() as u32,
        size_of::<smoltcp::iface::Interface>() as u32,
        size_of::<ferrotcp_phy::enc28j60::Enc28j60<crate::board::Spi1>>() as u32,
        TCP_SOCKET,
    ];

    #[cfg(feature = "tcp")]
    const TCP_SOCKET: u32 = size_of::<smoltcp::socket::tcp::Socket<'static>>() as u32;
    #[cfg(not(feature = "tcp"))]
    const TCP_SOCKET: u32 = 0;
}
