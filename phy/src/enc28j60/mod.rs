//! A driver for the Microchip ENC28J60, a 10BASE-T Ethernet controller on
//! SPI, implementing the core's [`Device`] trait.
//!
//! No allocation, no `std`, no `unsafe`: the driver owns one receive and
//! one transmit frame buffer ([`MAX_FRAME_LEN`] bytes each) and talks to
//! the chip through an embedded-hal 1.0 [`SpiDevice`].
//!
//! # Wiring
//!
//! | ENC28J60 pin | to |
//! |---|---|
//! | SCK, SI, SO | the MCU's SPI SCK, MOSI, MISO |
//! | CS | a GPIO driven by the `SpiDevice` (active low) |
//! | INT | optional: a GPIO input / EXTI line, active low, asserted while a frame is pending (the driver enables `PKTIE`) |
//! | RESET | optional: pull up to 3.3 V; the driver uses the soft reset |
//! | VCC, GND | 3.3 V (the chip draws up to 180 mA while transmitting) |
//!
//! The module's own 25 MHz crystal clocks the chip; CLKOUT is unused.
//!
//! # The `SpiDevice` it expects
//!
//! * SPI mode 0 (CPOL = 0, CPHA = 0), MSB first, 8-bit words.
//! * Clock at most 20 MHz, and at least 8 MHz: the silicon errata warn that
//!   on some revisions MAC/MII register accesses can be corrupted with a
//!   slower SPI clock.
//! * Chip select asserted for the whole of one `transaction` and released
//!   between transactions: every ENC28J60 command ends when CS rises, so
//!   the driver issues exactly one command per transaction.
//!
//! # Robustness
//!
//! Every wait on the chip (clock ready, PHY busy, transmit done) is bounded
//! by [`Config::poll_limit`] register reads and ends in [`Error::Timeout`].
//! A receive header that cannot be right (a next-packet pointer outside the
//! ring, odd, or inconsistent with the byte count; a length above the
//! maximum frame) resets the receive logic and reports
//! [`Error::RxCorrupt`]. Nothing here panics on what the chip returns.
//!
//! # Errata workarounds (Microchip ENC28J60 Silicon Errata)
//!
//! * After a soft reset, `ESTAT.CLKRDY` may read as set before the clock is
//!   stable: the driver waits 1 ms before looking at it.
//! * The receive hardware can corrupt the ring when an even address is
//!   written to `ERXRDPT`: the driver writes the next-packet pointer minus
//!   one, or `ERXND` when the next packet starts at `ERXST` (both odd).
//! * `EIR.PKTIF` is unreliable: the driver uses `EPKTCNT` only, and issues
//!   `PKTDEC` only for a packet counted there (never below zero).
//! * In half duplex, an abort after a collision can stall the transmit
//!   logic: the driver resets it (`ECON1.TXRST`) before every transmission,
//!   and retries a frame whose status vector reports a late or excessive
//!   collision, up to [`Config::tx_retries`] times.
//! * The receive buffer starts at address 0 (ERXST = 0), the layout the
//!   errata's pointer arithmetic assumes.

use embedded_hal::delay::DelayNs;
use embedded_hal::spi::{ErrorKind, Operation, SpiDevice};
use ferrotcp::device::{Device, DeviceCapabilities, Medium};
use ferrotcp::time::Instant;
use ferrotcp::wire::EthernetAddress;

#[cfg(test)]
mod chip_model;
mod regs;
#[cfg(test)]
mod tests;

use regs::*;

/// The first byte of the receive ring.
pub const RX_START: u16 = 0x0000;
/// The last byte of the receive ring (odd, as the `ERXRDPT` rule needs).
pub const RX_END: u16 = 0x19ff;
/// The first byte of the transmit area: a per-packet control byte, the
/// frame, then the 7-byte transmit status vector.
pub const TX_START: u16 = 0x1a00;
/// The largest frame sent or received, without the FCS.
pub const MAX_FRAME_LEN: usize = 1514;
/// The largest byte count in a receive status vector (frame and FCS;
/// `MAMXFL`).
const MAX_RX_BYTE_COUNT: u16 = 1518;
/// The FCS the chip leaves at the end of each received frame.
const FCS_LEN: u16 = 4;
/// The next-packet pointer and the receive status vector (§7.2.1).
const RX_HEADER_LEN: u16 = 6;
/// Receive status vector bit 23, "Received Ok" (Table 7-3), as bit 7 of
/// the vector's high 16 bits.
const RSV_RECEIVED_OK: u16 = 1 << 7;
/// Transmit status vector bit 28, "Transmit Excessive Collision", and bit
/// 29, "Transmit Late Collision" (Table 7-1), in the vector's fourth byte.
const TSV3_EXCESSIVE_COLLISION: u8 = 1 << 4;
const TSV3_LATE_COLLISION: u8 = 1 << 5;
const TSV_LEN: usize = 7;
/// The bank register value that means "unknown": the next access selects.
const BANK_UNKNOWN: u8 = 0xff;

/// Why a driver call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// The `SpiDevice` failed.
    Spi(ErrorKind),
    /// The revision register read as 0x00 or 0xFF: no chip answers (wiring,
    /// power, chip select).
    ChipNotFound,
    /// A busy bit did not clear within [`Config::poll_limit`] reads.
    Timeout,
    /// The receive ring held an impossible header; the receive logic was
    /// reset and pending frames were lost.
    RxCorrupt,
    /// The chip aborted the transmission (after the retries for collisions).
    TxAborted,
    /// The frame is empty or longer than [`MAX_FRAME_LEN`] (to send), or
    /// than the buffer given (to receive; the frame was dropped).
    FrameTooLong,
}

fn spi_err<E: embedded_hal::spi::Error>(e: E) -> Error {
    Error::Spi(e.kind())
}

/// Full or half duplex. The ENC28J60 has no auto-negotiation: the link
/// partner must be set the same way (a switch port auto-negotiating with
/// a non-negotiating station settles on half duplex).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Duplex {
    /// Half duplex, what an auto-negotiating switch port assumes.
    #[default]
    Half,
    /// Full duplex, for a link partner forced to full duplex.
    Full,
}

/// Which multicast frames are received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Multicast {
    /// None.
    None,
    /// Every multicast frame (what IPv6 neighbour discovery and IPv4
    /// multicast groups need without per-group bookkeeping).
    All,
    /// Those whose destination hashes to a set bit of this 64-bit table
    /// (`EHT0`..`EHT7`; see [`hash_table_bit`]).
    HashTable([u8; 8]),
}

/// The receive filters (`ERXFCON`). Frames with a bad CRC are always
/// dropped by the chip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiveFilter {
    /// Frames to our MAC address.
    pub unicast: bool,
    /// Broadcast frames (ARP needs them).
    pub broadcast: bool,
    /// Multicast frames.
    pub multicast: Multicast,
    /// Every frame, whatever the filters above say.
    pub promiscuous: bool,
}

impl Default for ReceiveFilter {
    /// Unicast, broadcast and all multicast: what an interface with IPv4
    /// and IPv6 needs.
    fn default() -> Self {
        ReceiveFilter {
            unicast: true,
            broadcast: true,
            multicast: Multicast::All,
            promiscuous: false,
        }
    }
}

impl ReceiveFilter {
    /// The `ERXFCON` value.
    fn erxfcon(&self) -> u8 {
        if self.promiscuous {
            // All filters off: every frame with a valid CRC (§8.1).
            return ERXFCON_CRCEN;
        }
        let mut v = ERXFCON_CRCEN;
        if self.unicast {
            v |= ERXFCON_UCEN;
        }
        if self.broadcast {
            v |= ERXFCON_BCEN;
        }
        match self.multicast {
            Multicast::None => {}
            Multicast::All => v |= ERXFCON_MCEN,
            Multicast::HashTable(_) => v |= ERXFCON_HTEN,
        }
        v
    }
}

/// The bit of the hash table (0..64) a destination address selects: bits
/// 28..23 of the CRC-32 the MAC computes over the address (§8.1.8). Set
/// `table[bit / 8] |= 1 << (bit % 8)` for each group to receive.
pub fn hash_table_bit(addr: EthernetAddress) -> u8 {
    ((crc32_register(&addr.0) >> 23) & 0x3f) as u8
}

/// The MAC's CRC-32 register after `bytes` (IEEE 802.3 §3.2.9: generator
/// 0x04C11DB7, preset to all ones, bits taken least significant first as
/// they go on the wire), before the final complement and bit reversal
/// that make it the FCS.
fn crc32_register(bytes: &[u8]) -> u32 {
    let mut crc: u32 = 0xffff_ffff;
    for &byte in bytes {
        for i in 0..8 {
            let feedback = (crc >> 31) ^ u32::from((byte >> i) & 1);
            crc <<= 1;
            if feedback != 0 {
                crc ^= 0x04c1_1db7;
            }
        }
    }
    crc
}

/// How the driver sets up the chip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// The station's MAC address.
    pub mac: EthernetAddress,
    /// Full or half duplex.
    pub duplex: Duplex,
    /// The receive filters.
    pub filter: ReceiveFilter,
    /// The most register reads of one wait (clock ready, PHY busy,
    /// transmit done) before [`Error::Timeout`]. One read takes a few
    /// microseconds at 8–20 MHz; a full-size frame takes 1.2 ms on the
    /// wire, and up to ~60 ms with half-duplex collisions and back-off.
    pub poll_limit: u32,
    /// How often a frame is sent again after a late or excessive
    /// collision.
    pub tx_retries: u8,
}

impl Config {
    /// Half duplex, the default filters, 20,000 polls, 3 retries.
    pub const fn new(mac: EthernetAddress) -> Config {
        Config {
            mac,
            duplex: Duplex::Half,
            filter: ReceiveFilter {
                unicast: true,
                broadcast: true,
                multicast: Multicast::All,
                promiscuous: false,
            },
            poll_limit: 20_000,
            tx_retries: 3,
        }
    }
}

/// What the driver counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Frames handed up.
    pub rx_frames: u64,
    /// Frames skipped: not "Received Ok", runts, or too long for the buffer.
    pub rx_dropped: u64,
    /// Receive-logic resets after an impossible ring header.
    pub rx_resets: u64,
    /// Frames sent.
    pub tx_frames: u64,
    /// Retransmissions after a collision.
    pub tx_retries: u64,
    /// Frames the chip aborted, or that timed out.
    pub tx_errors: u64,
    /// Device-trait calls that failed on an SPI error or a timeout.
    pub io_errors: u64,
}

/// The chip: the SPI device and the driver's view of the chip's state.
#[derive(Debug)]
struct Chip<SPI> {
    spi: SPI,
    config: Config,
    /// The selected register bank, or [`BANK_UNKNOWN`].
    bank: u8,
    /// Where the next received packet starts in the ring.
    next_packet: u16,
    revision: u8,
    counters: Counters,
}

/// An ENC28J60 on `SPI`.
///
/// Create it with [`Enc28j60::new`], then call [`Enc28j60::init`] once
/// before use (and again to recover from a chip that stopped answering).
#[derive(Debug)]
pub struct Enc28j60<SPI> {
    chip: Chip<SPI>,
    rx_buf: [u8; MAX_FRAME_LEN],
    tx_buf: [u8; MAX_FRAME_LEN],
}

impl<SPI: SpiDevice> Enc28j60<SPI> {
    /// A driver for the chip behind `spi`. Sends nothing yet.
    pub const fn new(spi: SPI, config: Config) -> Self {
        Enc28j60 {
            chip: Chip {
                spi,
                config,
                bank: BANK_UNKNOWN,
                next_packet: RX_START,
                revision: 0,
                counters: Counters {
                    rx_frames: 0,
                    rx_dropped: 0,
                    rx_resets: 0,
                    tx_frames: 0,
                    tx_retries: 0,
                    tx_errors: 0,
                    io_errors: 0,
                },
            },
            rx_buf: [0; MAX_FRAME_LEN],
            tx_buf: [0; MAX_FRAME_LEN],
        }
    }

    /// Reset the chip and set it up: buffer layout, MAC, PHY, MAC address,
    /// duplex, receive filters, the packet interrupt; then enable receive.
    pub fn init<D: DelayNs>(&mut self, delay: &mut D) -> Result<(), Error> {
        self.chip.init(delay)
    }

    /// The silicon revision (`EREVID`) read by [`Enc28j60::init`].
    pub fn revision(&self) -> u8 {
        self.chip.revision
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.chip.config
    }

    /// What the driver counted.
    pub fn counters(&self) -> Counters {
        self.chip.counters
    }

    /// Whether the PHY reports the link up (`PHSTAT2.LSTAT`).
    pub fn link_up(&mut self) -> Result<bool, Error> {
        Ok(self.chip.phy_read(PHSTAT2)? & PHSTAT2_LSTAT != 0)
    }

    /// How many received frames wait in the ring (`EPKTCNT`).
    pub fn pending_frames(&mut self) -> Result<u8, Error> {
        self.chip.read_reg(EPKTCNT)
    }

    /// Change the receive filters.
    pub fn set_receive_filter(&mut self, filter: ReceiveFilter) -> Result<(), Error> {
        self.chip.config.filter = filter;
        self.chip.write_filter()
    }

    /// Read the next good frame (FCS stripped) into `buf`; `None` when the
    /// ring is empty. Frames that are not "Received Ok" or are runts are
    /// skipped and counted.
    pub fn receive_into(&mut self, buf: &mut [u8]) -> Result<Option<usize>, Error> {
        self.chip.receive_into(buf)
    }

    /// Send `frame` (without FCS; the chip pads it to 60 bytes and appends
    /// the CRC) and wait until the chip reports it sent.
    pub fn send(&mut self, frame: &[u8]) -> Result<(), Error> {
        self.chip.send(frame)
    }

    /// Give the SPI device back.
    pub fn release(self) -> SPI {
        self.chip.spi
    }
}

impl<SPI: SpiDevice> Chip<SPI> {
    fn command(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.spi
            .transaction(&mut [Operation::Write(bytes)])
            .map_err(spi_err)
    }

    fn select_bank(&mut self, reg: Reg) -> Result<(), Error> {
        if reg.is_common() || reg.bank() == self.bank {
            return Ok(());
        }
        self.bank = BANK_UNKNOWN;
        self.command(&[BFC | ECON1.addr(), ECON1_BSEL])?;
        if reg.bank() != 0 {
            self.command(&[BFS | ECON1.addr(), reg.bank()])?;
        }
        self.bank = reg.bank();
        Ok(())
    }

    fn read_reg(&mut self, reg: Reg) -> Result<u8, Error> {
        self.select_bank(reg)?;
        // MAC and MII registers shift out a dummy byte first (§4.2.1).
        let mut buf = [0u8; 2];
        let n = if reg.is_mac_mii() { 2 } else { 1 };
        self.spi
            .transaction(&mut [
                Operation::Write(&[RCR | reg.addr()]),
                Operation::Read(&mut buf[..n]),
            ])
            .map_err(spi_err)?;
        Ok(buf[n - 1])
    }

    fn write_reg(&mut self, reg: Reg, value: u8) -> Result<(), Error> {
        self.select_bank(reg)?;
        self.command(&[WCR | reg.addr(), value])
    }

    /// Write a 16-bit pointer, low byte first (§3.2: `ERXRDPT` takes the
    /// new value when the high byte is written).
    fn write_reg16(&mut self, reg: Reg, value: u16) -> Result<(), Error> {
        let [lo, hi] = value.to_le_bytes();
        self.write_reg(reg, lo)?;
        self.write_reg(reg.high(), hi)
    }

    /// Bit Field Set, ETH registers only.
    fn set_bits(&mut self, reg: Reg, mask: u8) -> Result<(), Error> {
        self.select_bank(reg)?;
        self.command(&[BFS | reg.addr(), mask])
    }

    /// Bit Field Clear, ETH registers only.
    fn clear_bits(&mut self, reg: Reg, mask: u8) -> Result<(), Error> {
        self.select_bank(reg)?;
        self.command(&[BFC | reg.addr(), mask])
    }

    fn read_buffer(&mut self, out: &mut [u8]) -> Result<(), Error> {
        self.spi
            .transaction(&mut [Operation::Write(&[RBM]), Operation::Read(out)])
            .map_err(spi_err)
    }

    /// Read `reg` until `(value & mask) == want`, at most `poll_limit` times.
    fn wait_for(&mut self, reg: Reg, mask: u8, want: u8) -> Result<(), Error> {
        for _ in 0..self.config.poll_limit {
            if self.read_reg(reg)? & mask == want {
                return Ok(());
            }
        }
        Err(Error::Timeout)
    }

    /// Read a PHY register through the MII (§3.3.1).
    fn phy_read(&mut self, addr: u8) -> Result<u16, Error> {
        self.write_reg(MIREGADR, addr)?;
        self.write_reg(MICMD, MICMD_MIIRD)?;
        self.wait_for(MISTAT, MISTAT_BUSY, 0)?;
        self.write_reg(MICMD, 0)?;
        let lo = self.read_reg(MIRDL)?;
        let hi = self.read_reg(MIRDH)?;
        Ok(u16::from_le_bytes([lo, hi]))
    }

    /// Write a PHY register through the MII (§3.3.2): the write of `MIWRH`
    /// starts the transfer.
    fn phy_write(&mut self, addr: u8, value: u16) -> Result<(), Error> {
        let [lo, hi] = value.to_le_bytes();
        self.write_reg(MIREGADR, addr)?;
        self.write_reg(MIWRL, lo)?;
        self.write_reg(MIWRH, hi)?;
        self.wait_for(MISTAT, MISTAT_BUSY, 0)
    }

    fn init<D: DelayNs>(&mut self, delay: &mut D) -> Result<(), Error> {
        self.command(&[SRC])?;
        // The reset clears ECON1, so bank 0 is selected.
        self.bank = 0;
        // Errata: CLKRDY is not reliable right after a soft reset; wait
        // 1 ms, then check it anyway.
        delay.delay_ms(1);
        self.wait_for(ESTAT, ESTAT_CLKRDY, ESTAT_CLKRDY)?;
        let revision = self.read_reg(EREVID)?;
        if revision == 0x00 || revision == 0xff {
            return Err(Error::ChipNotFound);
        }
        self.revision = revision;

        self.write_ring_pointers()?;
        self.write_reg16(ETXST, TX_START)?;
        self.write_filter()?;

        let full = self.config.duplex == Duplex::Full;
        let macon1 = if full {
            MACON1_MARXEN | MACON1_TXPAUS | MACON1_RXPAUS
        } else {
            MACON1_MARXEN
        };
        self.write_reg(MACON1, macon1)?;
        let mut macon3 = MACON3_PADCFG0 | MACON3_TXCRCEN | MACON3_FRMLNEN;
        if full {
            macon3 |= MACON3_FULDPX;
        }
        self.write_reg(MACON3, macon3)?;
        // §6.5: in half duplex, DEFER makes the MAC wait for a busy medium
        // indefinitely, as IEEE 802.3 requires.
        self.write_reg(MACON4, if full { 0 } else { MACON4_DEFER })?;
        self.write_reg16(MAMXFL, MAX_RX_BYTE_COUNT)?;
        self.write_reg(MABBIPG, if full { MABBIPG_FULL } else { MABBIPG_HALF })?;
        self.write_reg(MAIPGL, MAIPGL_VALUE)?;
        if !full {
            self.write_reg(MAIPGH, MAIPGH_HALF)?;
        }

        let m = self.config.mac.0;
        for (reg, byte) in [
            (MAADR1, m[0]),
            (MAADR2, m[1]),
            (MAADR3, m[2]),
            (MAADR4, m[3]),
            (MAADR5, m[4]),
            (MAADR6, m[5]),
        ] {
            self.write_reg(reg, byte)?;
        }

        // The PHY duplex must match MACON3.FULDPX (§6.6); in half duplex,
        // HDLDIS stops the PHY looping our own frames back to us.
        self.phy_write(PHCON1, if full { PHCON1_PDPXMD } else { 0 })?;
        self.phy_write(PHCON2, if full { 0 } else { PHCON2_HDLDIS })?;

        // INT asserted while EPKTCNT is non-zero, for a board that sleeps
        // until a frame arrives.
        self.write_reg(EIE, EIE_INTIE | EIE_PKTIE)?;
        self.set_bits(ECON1, ECON1_RXEN)
    }

    /// The receive ring: ERXST, ERXND, and ERXRDPT at ERXND (odd, the
    /// errata rule for "next packet at ERXST").
    fn write_ring_pointers(&mut self) -> Result<(), Error> {
        self.write_reg16(ERXST, RX_START)?;
        self.write_reg16(ERXND, RX_END)?;
        self.write_reg16(ERXRDPT, RX_END)?;
        self.next_packet = RX_START;
        Ok(())
    }

    fn write_filter(&mut self) -> Result<(), Error> {
        if let Multicast::HashTable(table) = self.config.filter.multicast {
            for (i, byte) in (0u8..).zip(table) {
                self.write_reg(EHT0.offset(i), byte)?;
            }
        }
        self.write_reg(ERXFCON, self.config.filter.erxfcon())
    }

    /// Reset the receive logic after a corrupt ring (§7.2.2 RXRST) and set
    /// the ring up again, empty.
    fn reset_rx(&mut self) -> Result<(), Error> {
        self.counters.rx_resets += 1;
        self.clear_bits(ECON1, ECON1_RXEN)?;
        self.set_bits(ECON1, ECON1_RXRST)?;
        self.clear_bits(ECON1, ECON1_RXRST)?;
        self.write_ring_pointers()?;
        self.clear_bits(EIR, EIR_RXERIF)?;
        self.set_bits(ECON1, ECON1_RXEN)
    }

    fn receive_into(&mut self, buf: &mut [u8]) -> Result<Option<usize>, Error> {
        // Errata: PKTIF is unreliable; EPKTCNT is the truth.
        let pending = self.read_reg(EPKTCNT)?;
        for _ in 0..pending {
            let current = self.next_packet;
            self.write_reg16(ERDPT, current)?;
            let mut header = [0u8; RX_HEADER_LEN as usize];
            self.read_buffer(&mut header)?;
            let next = u16::from_le_bytes([header[0], header[1]]);
            let byte_count = u16::from_le_bytes([header[2], header[3]]);
            let status = u16::from_le_bytes([header[4], header[5]]);
            if !header_is_sane(current, next, byte_count) {
                self.reset_rx()?;
                return Err(Error::RxCorrupt);
            }
            let frame_len = usize::from(byte_count.saturating_sub(FCS_LEN));
            let good = status & RSV_RECEIVED_OK != 0 && frame_len >= 14;
            let result = if !good {
                self.counters.rx_dropped += 1;
                None
            } else if frame_len > buf.len() {
                self.counters.rx_dropped += 1;
                self.release_packet(next)?;
                return Err(Error::FrameTooLong);
            } else {
                // The read pointer wraps from ERXND to ERXST by itself
                // (§7.2.2), so a frame across the ring's end is one read.
                self.read_buffer(&mut buf[..frame_len])?;
                Some(frame_len)
            };
            self.release_packet(next)?;
            if let Some(n) = result {
                self.counters.rx_frames += 1;
                return Ok(Some(n));
            }
        }
        Ok(None)
    }

    /// Free the packet just read: move ERXRDPT up to it (odd: errata) and
    /// decrement EPKTCNT.
    fn release_packet(&mut self, next: u16) -> Result<(), Error> {
        self.next_packet = next;
        // Errata: only odd values in ERXRDPT. `next` is even, so `next - 1`
        // is odd, except that next = ERXST must wrap to ERXND.
        let rdpt = if next == RX_START { RX_END } else { next - 1 };
        self.write_reg16(ERXRDPT, rdpt)?;
        self.set_bits(ECON2, ECON2_PKTDEC)
    }

    fn reset_tx(&mut self) -> Result<(), Error> {
        self.set_bits(ECON1, ECON1_TXRST)?;
        self.clear_bits(ECON1, ECON1_TXRST)?;
        self.clear_bits(EIR, EIR_TXERIF | EIR_TXIF)
    }

    fn send(&mut self, frame: &[u8]) -> Result<(), Error> {
        if frame.is_empty() || frame.len() > MAX_FRAME_LEN {
            return Err(Error::FrameTooLong);
        }
        let len = frame.len() as u16;
        // Errata: reset the transmit logic before every transmission, so
        // an abort of the previous frame cannot stall this one.
        self.reset_tx()?;
        self.write_reg16(EWRPT, TX_START)?;
        // The per-packet control byte 0x00: use MACON3's settings (§7.1).
        self.spi
            .transaction(&mut [Operation::Write(&[WBM, 0x00]), Operation::Write(frame)])
            .map_err(spi_err)?;
        let end = TX_START + len;
        self.write_reg16(ETXND, end)?;
        for attempt in 0..=self.config.tx_retries {
            if attempt > 0 {
                self.counters.tx_retries += 1;
                self.reset_tx()?;
            }
            self.set_bits(ECON1, ECON1_TXRTS)?;
            if let Err(e) = self.wait_for(ECON1, ECON1_TXRTS, 0) {
                // Stop the stuck transmission so the next one can start.
                self.clear_bits(ECON1, ECON1_TXRTS)?;
                self.counters.tx_errors += 1;
                return Err(e);
            }
            if self.read_reg(EIR)? & EIR_TXERIF == 0 {
                self.counters.tx_frames += 1;
                return Ok(());
            }
            // The status vector follows the frame (§7.1).
            self.write_reg16(ERDPT, end + 1)?;
            let mut tsv = [0u8; TSV_LEN];
            self.read_buffer(&mut tsv)?;
            if tsv[3] & (TSV3_LATE_COLLISION | TSV3_EXCESSIVE_COLLISION) == 0 {
                break;
            }
        }
        self.counters.tx_errors += 1;
        Err(Error::TxAborted)
    }
}

/// Whether a receive header at `current` can be right: the next-packet
/// pointer inside the ring and even, a byte count the MAC can have
/// accepted, and the next packet exactly where this one ends, padded to
/// an even address (§7.2.1), wrapping at the ring's end.
fn header_is_sane(current: u16, next: u16, byte_count: u16) -> bool {
    if next > RX_END || !next.is_multiple_of(2) || byte_count > MAX_RX_BYTE_COUNT {
        return false;
    }
    let ring = u32::from(RX_END - RX_START) + 1;
    let mut end = u32::from(current) + u32::from(RX_HEADER_LEN) + u32::from(byte_count);
    end += end % 2;
    let expected = (end - u32::from(RX_START)) % ring + u32::from(RX_START);
    expected == u32::from(next)
}

/// A received frame, in the driver's receive buffer.
#[derive(Debug)]
pub struct RxToken<'a> {
    frame: &'a [u8],
}

impl ferrotcp::device::RxToken for RxToken<'_> {
    fn consume<R, F>(self, f: F) -> R
    where
        F: FnOnce(&[u8]) -> R,
    {
        f(self.frame)
    }
}

/// Room for one frame: built in the driver's transmit buffer, then sent.
#[derive(Debug)]
pub struct TxToken<'a, SPI> {
    chip: &'a mut Chip<SPI>,
    buf: &'a mut [u8; MAX_FRAME_LEN],
}

impl<SPI: SpiDevice> ferrotcp::device::TxToken for TxToken<'_, SPI> {
    /// `len` above [`MAX_FRAME_LEN`] (the MTU the capabilities report) is a
    /// caller bug: `f` gets the whole buffer and nothing is sent.
    fn consume<R, F>(self, len: usize, f: F) -> R
    where
        F: FnOnce(&mut [u8]) -> R,
    {
        let n = len.min(MAX_FRAME_LEN);
        let r = f(&mut self.buf[..n]);
        if len > MAX_FRAME_LEN || self.chip.send(&self.buf[..n]).is_err() {
            self.chip.counters.io_errors += 1;
        }
        r
    }
}

impl<SPI: SpiDevice> Device for Enc28j60<SPI> {
    type RxToken<'a>
        = RxToken<'a>
    where
        Self: 'a;
    type TxToken<'a>
        = TxToken<'a, SPI>
    where
        Self: 'a;

    fn receive(&mut self, _now: Instant) -> Option<(RxToken<'_>, TxToken<'_, SPI>)> {
        match self.chip.receive_into(&mut self.rx_buf) {
            Ok(Some(n)) => Some((
                RxToken {
                    frame: &self.rx_buf[..n],
                },
                TxToken {
                    chip: &mut self.chip,
                    buf: &mut self.tx_buf,
                },
            )),
            Ok(None) => None,
            Err(_) => {
                self.chip.counters.io_errors += 1;
                None
            }
        }
    }

    fn transmit(&mut self, _now: Instant) -> Option<TxToken<'_, SPI>> {
        Some(TxToken {
            chip: &mut self.chip,
            buf: &mut self.tx_buf,
        })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        DeviceCapabilities::new(Medium::Ethernet, MAX_FRAME_LEN)
    }
}
