//! A register-level model of the ENC28J60 behind an `SpiDevice`, and
//! end-to-end tests that run the ferrotcp `Interface` over the driver over
//! the model: ARP and ping answered, many frames through the receive ring
//! so it wraps again and again.
//!
//! The model checks the rules the driver must keep, and panics (failing
//! the test) when one is broken: only odd values in ERXRDPT (errata),
//! PKTDEC never below zero, MAC/MII reads with their dummy byte, bit-field
//! commands only on ETH registers, one command per chip-select.

use std::vec;
use std::vec::Vec;

use core::net::Ipv4Addr;

use embedded_hal::spi::{ErrorKind, ErrorType, Operation, SpiDevice};
use embedded_hal_mock::eh1::delay::NoopDelay;
use ferrotcp::config::Config as IfaceConfig;
use ferrotcp::device::Device;
use ferrotcp::iface::neighbor::{NeighborEntry, PendingSlot};
use ferrotcp::iface::reassembly::Slot;
use ferrotcp::iface::{Interface, InterfaceStorage};
use ferrotcp::socket::{SocketSet, SocketStorage};
use ferrotcp::time::Instant;
use ferrotcp::wire::{EthernetAddress, Ipv4Cidr, checksum};

use super::*;

const ECON1_ADDR: u8 = 0x1f;

/// The chip's state.
struct Chip {
    banks: [[u8; 32]; 4],
    common: [u8; 5],
    phy: [u16; 32],
    mem: Vec<u8>,
    /// ERXWRPT: where the next received frame goes.
    rx_write: u16,
    sent: Vec<Vec<u8>>,
}

impl Chip {
    fn new() -> Chip {
        let mut c = Chip {
            banks: [[0; 32]; 4],
            common: [0; 5],
            phy: [0; 32],
            mem: vec![0; 8192],
            rx_write: 0,
            sent: Vec::new(),
        };
        c.reset();
        c
    }

    fn reset(&mut self) {
        self.banks = [[0; 32]; 4];
        self.common = [0; 5];
        self.common[2] = ESTAT_CLKRDY; // ESTAT
        self.common[3] = 0x80; // ECON2.AUTOINC
        self.banks[1][0x18] = 0xa1; // ERXFCON reset value
        self.banks[3][0x12] = 0x06; // EREVID: B7
        self.phy[PHSTAT2 as usize] = PHSTAT2_LSTAT;
    }

    fn bank(&self) -> usize {
        usize::from(self.common[4] & 0x03)
    }

    fn reg(&mut self, addr: u8) -> &mut u8 {
        if addr >= 0x1b {
            &mut self.common[usize::from(addr - 0x1b)]
        } else {
            let b = self.bank();
            &mut self.banks[b][usize::from(addr)]
        }
    }

    fn is_mac_mii(&self, addr: u8) -> bool {
        addr < 0x1b && (self.bank() == 2 || (self.bank() == 3 && (addr <= 0x05 || addr == 0x0a)))
    }

    fn pair(&self, bank: usize, lo: usize) -> u16 {
        u16::from_le_bytes([self.banks[bank][lo], self.banks[bank][lo + 1]])
    }

    fn set_pair(&mut self, bank: usize, lo: usize, v: u16) {
        let [l, h] = v.to_le_bytes();
        self.banks[bank][lo] = l;
        self.banks[bank][lo + 1] = h;
    }

    fn rx_start(&self) -> u16 {
        self.pair(0, 0x08)
    }
    fn rx_end(&self) -> u16 {
        self.pair(0, 0x0a)
    }

    fn write(&mut self, addr: u8, value: u8) {
        *self.reg(addr) = value;
        let bank = self.bank();
        if addr == 0x0d && bank == 0 {
            let rdpt = self.pair(0, 0x0c);
            assert!(rdpt % 2 == 1, "errata: even ERXRDPT {rdpt:#x}");
        }
        if bank == 2 && addr == 0x17 {
            // MIWRH: the PHY write.
            let reg = usize::from(self.banks[2][0x14] & 0x1f);
            self.phy[reg] = u16::from_le_bytes([self.banks[2][0x16], value]);
        }
        if bank == 2 && addr == 0x12 && value & MICMD_MIIRD != 0 {
            let reg = usize::from(self.banks[2][0x14] & 0x1f);
            let [l, h] = self.phy[reg].to_le_bytes();
            self.banks[2][0x18] = l;
            self.banks[2][0x19] = h;
        }
        self.after_control_write();
    }

    fn after_control_write(&mut self) {
        if self.common[3] & ECON2_PKTDEC != 0 {
            self.common[3] &= !ECON2_PKTDEC;
            let count = &mut self.banks[1][0x19];
            assert!(*count > 0, "PKTDEC with EPKTCNT = 0");
            *count -= 1;
        }
        if self.common[4] & ECON1_RXRST != 0 {
            self.banks[1][0x19] = 0;
            self.rx_write = self.rx_start();
        }
        if self.common[4] & ECON1_TXRTS != 0 {
            let start = usize::from(self.pair(0, 0x04)) + 1;
            let end = usize::from(self.pair(0, 0x06));
            self.sent.push(self.mem[start..=end].to_vec());
            self.mem[end + 1..end + 8].fill(0);
            self.mem[end + 3] = 0x80; // TSV "done"
            self.common[4] &= !ECON1_TXRTS;
            self.common[1] |= EIR_TXIF;
        }
    }

    /// Read buffer memory at ERDPT, auto-incrementing; wraps from ERXND to
    /// ERXST (§7.2.2).
    fn read_mem(&mut self) -> u8 {
        let p = self.pair(0, 0x00);
        let b = self.mem[usize::from(p)];
        let next = if p == self.rx_end() {
            self.rx_start()
        } else {
            (p + 1) & 0x1fff
        };
        self.set_pair(0, 0x00, next);
        b
    }

    fn write_mem(&mut self, b: u8) {
        let p = self.pair(0, 0x02);
        self.mem[usize::from(p)] = b;
        self.set_pair(0, 0x02, (p + 1) & 0x1fff);
    }

    /// A frame arrives from the wire (FCS appended as zeros).
    fn inject(&mut self, frame: &[u8]) {
        assert!(self.common[4] & ECON1_RXEN != 0, "receive not enabled");
        let (start, end) = (u32::from(self.rx_start()), u32::from(self.rx_end()));
        let ring = end - start + 1;
        let byte_count = frame.len() as u32 + 4;
        let here = u32::from(self.rx_write);
        let mut after = here + 6 + byte_count;
        after += after % 2;
        let next = ((after - start) % ring + start) as u16;
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&next.to_le_bytes());
        bytes.extend_from_slice(&(byte_count as u16).to_le_bytes());
        bytes.extend_from_slice(&[0x80, 0x00]); // Received Ok
        bytes.extend_from_slice(frame);
        bytes.extend_from_slice(&[0; 4]);
        let mut p = here;
        for b in bytes {
            self.mem[p as usize] = b;
            p = if p == end { start } else { p + 1 };
        }
        self.rx_write = next;
        self.banks[1][0x19] += 1;
    }
}

impl ErrorType for Chip {
    type Error = ErrorKind;
}

impl SpiDevice for Chip {
    fn transaction(&mut self, ops: &mut [Operation<'_, u8>]) -> Result<(), ErrorKind> {
        let Some(Operation::Write(first)) = ops.first() else {
            panic!("a command starts with a write");
        };
        let opcode = first[0];
        let arg = opcode & 0x1f;
        let rest: Vec<u8> = first[1..].to_vec();
        match (opcode & 0xe0, ops.len()) {
            _ if opcode == SRC => self.reset(),
            (0x00, 2) => {
                let mac = self.is_mac_mii(arg);
                let value = *self.reg(arg);
                let Operation::Read(buf) = &mut ops[1] else {
                    panic!("RCR reads")
                };
                assert_eq!(buf.len(), if mac { 2 } else { 1 }, "RCR length at {arg:#x}");
                buf.fill(0);
                if let Some(last) = buf.last_mut() {
                    *last = value;
                }
            }
            (0x20, 2) if opcode == RBM => {
                let Operation::Read(buf) = &mut ops[1] else {
                    panic!("RBM reads")
                };
                for b in buf.iter_mut() {
                    *b = self.read_mem();
                }
            }
            (0x40, 1) => self.write(arg, rest[0]),
            (0x60, _) if opcode == WBM => {
                rest.iter().for_each(|&b| self.write_mem(b));
                for op in &ops[1..] {
                    let Operation::Write(data) = op else {
                        panic!("WBM writes")
                    };
                    data.iter().for_each(|&b| self.write_mem(b));
                }
            }
            (0x80, 1) | (0xa0, 1) => {
                assert!(
                    !self.is_mac_mii(arg),
                    "bit-field command on MAC/MII {arg:#x}"
                );
                let set = opcode & 0xe0 == 0x80;
                let r = self.reg(arg);
                if set {
                    *r |= rest[0];
                } else {
                    *r &= !rest[0];
                }
                if arg == ECON1_ADDR && set && rest[0] & ECON1_RXEN != 0 {
                    self.rx_write = self.rx_start();
                }
                self.after_control_write();
            }
            _ => panic!(
                "unexpected command {opcode:#x} with {} operations",
                ops.len()
            ),
        }
        Ok(())
    }
}

const OUR_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 1]);
const PEER_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 2];
const OUR_IP: Ipv4Addr = Ipv4Addr::new(192, 168, 69, 2);
const PEER_IP: Ipv4Addr = Ipv4Addr::new(192, 168, 69, 1);

fn arp_request() -> Vec<u8> {
    let mut f = vec![0xff; 6];
    f.extend_from_slice(&PEER_MAC);
    f.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1]);
    f.extend_from_slice(&PEER_MAC);
    f.extend_from_slice(&PEER_IP.octets());
    f.extend_from_slice(&[0; 6]);
    f.extend_from_slice(&OUR_IP.octets());
    f
}

fn echo_request(seq: u16, payload_len: usize) -> Vec<u8> {
    let mut icmp = vec![8, 0, 0, 0, 0x12, 0x34];
    icmp.extend_from_slice(&seq.to_be_bytes());
    icmp.extend((0..payload_len).map(|i| i as u8));
    let c = checksum::finish(checksum::data(&icmp));
    icmp[2..4].copy_from_slice(&c.to_be_bytes());
    let total = (20 + icmp.len()) as u16;
    let mut ip = vec![0x45, 0];
    ip.extend_from_slice(&total.to_be_bytes());
    ip.extend_from_slice(&[0, 1, 0x40, 0, 64, 1, 0, 0]);
    ip.extend_from_slice(&PEER_IP.octets());
    ip.extend_from_slice(&OUR_IP.octets());
    let c = checksum::finish(checksum::data(&ip));
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    let mut f = OUR_MAC.0.to_vec();
    f.extend_from_slice(&PEER_MAC);
    f.extend_from_slice(&[0x08, 0x00]);
    f.extend_from_slice(&ip);
    f.extend_from_slice(&icmp);
    f
}

#[test]
fn the_interface_answers_arp_and_ping_through_the_driver_across_ring_wraps() {
    let mut drv = Enc28j60::new(Chip::new(), Config::new(OUR_MAC));
    drv.init(&mut NoopDelay::new()).expect("init");
    assert_eq!(drv.link_up(), Ok(true));

    let mut neighbors = vec![NeighborEntry::EMPTY; 4];
    let mut pending = [PendingSlot::EMPTY; 1];
    let mut pool = vec![0u8; 1500];
    let mut reassembly: Vec<Slot<'_>> = Vec::new();
    let mut scratch = vec![0u8; 1500];
    let storage = InterfaceStorage {
        neighbor_entries: (&mut neighbors[..]).into(),
        pending_slots: (&mut pending[..]).into(),
        pending_pool: (&mut pool[..]).into(),
        reassembly_slots: (&mut reassembly[..]).into(),
        scratch: (&mut scratch[..]).into(),
    };
    let caps = drv.capabilities();
    let mut iface = Interface::new(
        IfaceConfig::with_seed(1),
        caps,
        OUR_MAC,
        storage,
        Instant::ZERO,
    );
    iface
        .add_ipv4_addr(Ipv4Cidr::new(OUR_IP, 24).expect("cidr"))
        .expect("address");
    let mut slots: Vec<SocketStorage<'_>> = (0..1).map(|_| SocketStorage::EMPTY).collect();
    let mut sockets = SocketSet::new(&mut slots[..]);

    // ARP: a reply to the peer, our MAC as the sender.
    drv.chip.spi.inject(&arp_request());
    iface.poll(Instant::from_millis(1), &mut drv, &mut sockets);
    let sent = core::mem::take(&mut drv.chip.spi.sent);
    assert_eq!(sent.len(), 1);
    assert_eq!(&sent[0][0..6], &PEER_MAC);
    assert_eq!(&sent[0][12..14], &[0x08, 0x06]);
    assert_eq!(&sent[0][20..22], &[0, 2]); // reply
    assert_eq!(&sent[0][22..28], &OUR_MAC.0);

    // 200 pings of varying size: ~100 KB through the 6.5 KB ring.
    let mut wraps = 0;
    for seq in 0..200u16 {
        let len = 18 + usize::from(seq * 37 % 1400);
        let before = drv.chip.spi.rx_write;
        drv.chip.spi.inject(&echo_request(seq, len));
        if drv.chip.spi.rx_write < before {
            wraps += 1;
        }
        iface.poll(
            Instant::from_millis(2 + i64::from(seq)),
            &mut drv,
            &mut sockets,
        );
        let sent = core::mem::take(&mut drv.chip.spi.sent);
        assert_eq!(sent.len(), 1, "ping {seq}");
        let reply = &sent[0];
        assert_eq!(&reply[0..6], &PEER_MAC, "ping {seq}");
        assert_eq!(reply[14 + 20], 0, "echo reply type, ping {seq}");
        assert_eq!(&reply[14 + 26..14 + 28], &seq.to_be_bytes(), "ping {seq}");
        assert_eq!(reply.len(), 14 + 20 + 8 + len, "ping {seq}");
    }
    assert!(wraps >= 10, "the ring wrapped only {wraps} times");
    let c = drv.counters();
    assert_eq!(
        (c.rx_frames, c.tx_frames, c.rx_resets, c.io_errors),
        (201, 201, 0, 0)
    );
}

#[test]
fn frames_queued_together_are_all_read_in_order() {
    let mut drv = Enc28j60::new(Chip::new(), Config::new(OUR_MAC));
    drv.init(&mut NoopDelay::new()).expect("init");
    let frames: Vec<Vec<u8>> = (0..5u16).map(|s| echo_request(s, 300)).collect();
    for f in &frames {
        drv.chip.spi.inject(f);
    }
    assert_eq!(drv.pending_frames(), Ok(5));
    let mut buf = [0u8; MAX_FRAME_LEN];
    for f in &frames {
        let n = drv.receive_into(&mut buf).expect("read").expect("a frame");
        assert_eq!(&buf[..n], &f[..]);
    }
    assert_eq!(drv.receive_into(&mut buf), Ok(None));
    assert_eq!(drv.pending_frames(), Ok(0));
}
