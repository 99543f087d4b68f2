//! Host tests of the ENC28J60 driver against `embedded-hal-mock`: every
//! SPI transaction is spelled out (opcode | address, data), so a wrong
//! register, bank, order or value fails the test. Register addresses and
//! values are written as numbers from the datasheet's tables, not through
//! the driver's constants, so a wrong constant fails too.

use std::vec;
use std::vec::Vec;

use embedded_hal::spi::{ErrorKind, ErrorType, Operation, SpiDevice};
use embedded_hal_mock::eh1::delay::{CheckedDelay, NoopDelay, Transaction as DelayTx};
use embedded_hal_mock::eh1::spi::{Mock, Transaction as T};
use ferrotcp::device::{Device, RxToken as _, TxToken as _};
use ferrotcp::time::Instant;
use ferrotcp::wire::EthernetAddress;

use super::*;

const MAC: EthernetAddress = EthernetAddress([0x02, 0x11, 0x22, 0x33, 0x44, 0x55]);

/// One command: CS low, `bytes` out, CS high.
fn cmd(bytes: &[u8]) -> Vec<T<u8>> {
    vec![
        T::transaction_start(),
        T::write_vec(bytes.to_vec()),
        T::transaction_end(),
    ]
}

/// Read Control Register at `addr` (ETH: one byte back).
fn rcr(addr: u8, value: u8) -> Vec<T<u8>> {
    vec![
        T::transaction_start(),
        T::write_vec(vec![addr]),
        T::read_vec(vec![value]),
        T::transaction_end(),
    ]
}

/// Read of a MAC/MII register: a dummy byte, then the value.
fn rcr_mac(addr: u8, value: u8) -> Vec<T<u8>> {
    vec![
        T::transaction_start(),
        T::write_vec(vec![addr]),
        T::read_vec(vec![0xa5, value]),
        T::transaction_end(),
    ]
}

fn wcr(addr: u8, value: u8) -> Vec<T<u8>> {
    cmd(&[0x40 | addr, value])
}

fn bfs(addr: u8, mask: u8) -> Vec<T<u8>> {
    cmd(&[0x80 | addr, mask])
}

fn bfc(addr: u8, mask: u8) -> Vec<T<u8>> {
    cmd(&[0xa0 | addr, mask])
}

/// Bank select: clear ECON1.BSEL1:0, then set the bank's bits.
fn bank(n: u8) -> Vec<T<u8>> {
    let mut v = bfc(0x1f, 0x03);
    if n != 0 {
        v.extend(bfs(0x1f, n));
    }
    v
}

/// Read Buffer Memory returning `data`.
fn rbm(data: &[u8]) -> Vec<T<u8>> {
    vec![
        T::transaction_start(),
        T::write_vec(vec![0x3a]),
        T::read_vec(data.to_vec()),
        T::transaction_end(),
    ]
}

fn seq(parts: &[Vec<T<u8>>]) -> Vec<T<u8>> {
    parts.concat()
}

fn config() -> Config {
    Config::new(MAC)
}

/// The whole init sequence for half duplex and the default filters, from
/// the datasheet's §6 "Initialization" and the errata.
fn init_sequence(mac: EthernetAddress, revision: u8) -> Vec<T<u8>> {
    let m = mac.0;
    seq(&[
        cmd(&[0xff]),        // soft reset
        rcr(0x1d, 0x01),     // ESTAT.CLKRDY
        bank(3),             //
        rcr(0x12, revision), // EREVID
        bank(0),
        wcr(0x08, 0x00), // ERXSTL
        wcr(0x09, 0x00), // ERXSTH
        wcr(0x0a, 0xff), // ERXNDL
        wcr(0x0b, 0x19), // ERXNDH
        wcr(0x0c, 0xff), // ERXRDPTL: odd, = ERXND
        wcr(0x0d, 0x19), // ERXRDPTH
        wcr(0x04, 0x00), // ETXSTL
        wcr(0x05, 0x1a), // ETXSTH
        bank(1),
        wcr(0x18, 0xa3), // ERXFCON: UCEN | CRCEN | MCEN | BCEN
        bank(2),
        wcr(0x00, 0x01), // MACON1: MARXEN
        wcr(0x02, 0x32), // MACON3: PADCFG0 | TXCRCEN | FRMLNEN
        wcr(0x03, 0x40), // MACON4: DEFER
        wcr(0x0a, 0xee), // MAMXFLL: 1518
        wcr(0x0b, 0x05), // MAMXFLH
        wcr(0x04, 0x12), // MABBIPG, half duplex
        wcr(0x06, 0x12), // MAIPGL
        wcr(0x07, 0x0c), // MAIPGH
        bank(3),
        wcr(0x04, m[0]), // MAADR1
        wcr(0x05, m[1]),
        wcr(0x02, m[2]),
        wcr(0x03, m[3]),
        wcr(0x00, m[4]),
        wcr(0x01, m[5]), // MAADR6
        // PHCON1 = 0 (half duplex)
        bank(2),
        wcr(0x14, 0x00),
        wcr(0x16, 0x00),
        wcr(0x17, 0x00),
        bank(3),
        rcr_mac(0x0a, 0x00), // MISTAT not busy
        // PHCON2 = HDLDIS
        bank(2),
        wcr(0x14, 0x10),
        wcr(0x16, 0x00),
        wcr(0x17, 0x01),
        bank(3),
        rcr_mac(0x0a, 0x00),
        wcr(0x1b, 0xc0), // EIE: INTIE | PKTIE
        bfs(0x1f, 0x04), // ECON1.RXEN
    ])
}

#[test]
fn init_writes_the_datasheet_sequence_with_the_errata_reset_delay() {
    let mut spi = Mock::new(&init_sequence(MAC, 0x06));
    let mut delay = CheckedDelay::new(&[DelayTx::delay_ms(1)]);
    let mut drv = Enc28j60::new(spi.clone(), config());
    assert_eq!(drv.init(&mut delay), Ok(()));
    assert_eq!(drv.revision(), 0x06);
    assert_eq!(drv.chip.next_packet, RX_START);
    spi.done();
    delay.done();
}

#[test]
fn init_full_duplex_sets_fuldpx_pdpxmd_and_pause() {
    let m = MAC.0;
    let expect = seq(&[
        cmd(&[0xff]),
        rcr(0x1d, 0x01),
        bank(3),
        rcr(0x12, 0x06),
        bank(0),
        wcr(0x08, 0x00),
        wcr(0x09, 0x00),
        wcr(0x0a, 0xff),
        wcr(0x0b, 0x19),
        wcr(0x0c, 0xff),
        wcr(0x0d, 0x19),
        wcr(0x04, 0x00),
        wcr(0x05, 0x1a),
        bank(1),
        // Hash-table multicast: EHT0..7, then ERXFCON with HTEN.
        wcr(0x00, 1),
        wcr(0x01, 2),
        wcr(0x02, 3),
        wcr(0x03, 4),
        wcr(0x04, 5),
        wcr(0x05, 6),
        wcr(0x06, 7),
        wcr(0x07, 8),
        wcr(0x18, 0xa5), // UCEN | CRCEN | HTEN | BCEN
        bank(2),
        wcr(0x00, 0x0d), // MARXEN | TXPAUS | RXPAUS
        wcr(0x02, 0x33), // ... | FULDPX
        wcr(0x03, 0x00),
        wcr(0x0a, 0xee),
        wcr(0x0b, 0x05),
        wcr(0x04, 0x15), // MABBIPG, full duplex
        wcr(0x06, 0x12),
        bank(3),
        wcr(0x04, m[0]),
        wcr(0x05, m[1]),
        wcr(0x02, m[2]),
        wcr(0x03, m[3]),
        wcr(0x00, m[4]),
        wcr(0x01, m[5]),
        bank(2),
        wcr(0x14, 0x00),
        wcr(0x16, 0x00),
        wcr(0x17, 0x01), // PHCON1.PDPXMD
        bank(3),
        rcr_mac(0x0a, 0x00),
        bank(2),
        wcr(0x14, 0x10),
        wcr(0x16, 0x00),
        wcr(0x17, 0x00),
        bank(3),
        rcr_mac(0x0a, 0x00),
        wcr(0x1b, 0xc0),
        bfs(0x1f, 0x04),
    ]);
    let mut spi = Mock::new(&expect);
    let mut cfg = config();
    cfg.duplex = Duplex::Full;
    cfg.filter.multicast = Multicast::HashTable([1, 2, 3, 4, 5, 6, 7, 8]);
    let mut drv = Enc28j60::new(spi.clone(), cfg);
    assert_eq!(drv.init(&mut NoopDelay::new()), Ok(()));
    spi.done();
}

#[test]
fn init_reports_a_missing_chip() {
    for rev in [0x00, 0xff] {
        let mut spi = Mock::new(&seq(&[
            cmd(&[0xff]),
            rcr(0x1d, 0x01),
            bank(3),
            rcr(0x12, rev),
        ]));
        let mut drv = Enc28j60::new(spi.clone(), config());
        assert_eq!(drv.init(&mut NoopDelay::new()), Err(Error::ChipNotFound));
        spi.done();
    }
}

#[test]
fn init_gives_up_when_the_clock_never_gets_ready() {
    let mut cfg = config();
    cfg.poll_limit = 3;
    let mut spi = Mock::new(&seq(&[
        cmd(&[0xff]),
        rcr(0x1d, 0x00),
        rcr(0x1d, 0x00),
        rcr(0x1d, 0x00),
    ]));
    let mut drv = Enc28j60::new(spi.clone(), cfg);
    assert_eq!(drv.init(&mut NoopDelay::new()), Err(Error::Timeout));
    spi.done();
}

/// A receive header: next-packet pointer, byte count (with FCS), and the
/// status bits 16..31 (0x0080 = Received Ok).
fn rx_header(next: u16, byte_count: u16, status_hi: u16) -> Vec<u8> {
    let mut h = Vec::new();
    h.extend_from_slice(&next.to_le_bytes());
    h.extend_from_slice(&byte_count.to_le_bytes());
    h.extend_from_slice(&status_hi.to_le_bytes());
    h
}

fn test_frame(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + 3) as u8).collect()
}

/// The transactions of one good frame read at `current` (bank starting
/// unknown), ending in ERXRDPT = `rdpt` and PKTDEC.
fn rx_one(current: u16, next: u16, frame: &[u8], rdpt: u16) -> Vec<T<u8>> {
    let bc = frame.len() as u16 + 4;
    seq(&[
        bank(1),
        rcr(0x19, 1), // EPKTCNT
        bank(0),
        wcr(0x00, current.to_le_bytes()[0]), // ERDPTL
        wcr(0x01, current.to_le_bytes()[1]), // ERDPTH
        rbm(&rx_header(next, bc, 0x0080)),
        rbm(frame),
        wcr(0x0c, rdpt.to_le_bytes()[0]), // ERXRDPTL
        wcr(0x0d, rdpt.to_le_bytes()[1]), // ERXRDPTH
        bfs(0x1e, 0x40),                  // ECON2.PKTDEC
    ])
}

#[test]
fn receive_reads_a_frame_and_sets_erxrdpt_odd() {
    let frame = test_frame(60);
    // 0 + 6 header + 64 bytes = 70: even, so ERXRDPT = 69.
    let mut spi = Mock::new(&rx_one(0, 70, &frame, 69));
    let mut drv = Enc28j60::new(spi.clone(), config());
    let mut buf = [0u8; MAX_FRAME_LEN];
    assert_eq!(drv.receive_into(&mut buf), Ok(Some(60)));
    assert_eq!(&buf[..60], &frame[..]);
    assert_eq!(drv.chip.next_packet, 70);
    assert_eq!(drv.counters().rx_frames, 1);
    spi.done();
}

#[test]
fn receive_across_the_ring_end_wraps_the_next_pointer() {
    // A frame starting 16 bytes before the ring's end: 0x19f0 + 6 + 64
    // passes 0x19ff and the next packet starts at 0x19f0 + 70 - 0x1a00.
    let frame = test_frame(60);
    let current = 0x19f0;
    let next = 70 - 16;
    let mut spi = Mock::new(&rx_one(current, next, &frame, next - 1));
    let mut drv = Enc28j60::new(spi.clone(), config());
    drv.chip.next_packet = current;
    let mut buf = [0u8; MAX_FRAME_LEN];
    assert_eq!(drv.receive_into(&mut buf), Ok(Some(60)));
    assert_eq!(&buf[..60], &frame[..]);
    assert_eq!(drv.chip.next_packet, next);
    spi.done();
}

#[test]
fn errata_erxrdpt_is_erxnd_when_the_next_packet_is_at_erxst() {
    // The packet ends exactly at the ring's end: next = ERXST = 0, and
    // ERXRDPT must be ERXND (0x19ff), not the even 0xffff or -1.
    let frame = test_frame(60);
    let current = 0x1a00 - 70;
    let mut spi = Mock::new(&rx_one(current, 0, &frame, 0x19ff));
    let mut drv = Enc28j60::new(spi.clone(), config());
    drv.chip.next_packet = current;
    let mut buf = [0u8; MAX_FRAME_LEN];
    assert_eq!(drv.receive_into(&mut buf), Ok(Some(60)));
    assert_eq!(drv.chip.next_packet, 0);
    spi.done();
}

#[test]
fn receive_pads_an_odd_length_packet_to_an_even_next_pointer() {
    let frame = test_frame(61);
    // 0 + 6 + 65 = 71, padded to 72.
    let mut spi = Mock::new(&rx_one(0, 72, &frame, 71));
    let mut drv = Enc28j60::new(spi.clone(), config());
    let mut buf = [0u8; MAX_FRAME_LEN];
    assert_eq!(drv.receive_into(&mut buf), Ok(Some(61)));
    spi.done();
}

#[test]
fn receive_with_an_empty_ring_returns_none_and_never_decrements() {
    let mut spi = Mock::new(&seq(&[bank(1), rcr(0x19, 0)]));
    let mut drv = Enc28j60::new(spi.clone(), config());
    let mut buf = [0u8; MAX_FRAME_LEN];
    assert_eq!(drv.receive_into(&mut buf), Ok(None));
    spi.done();
}

#[test]
fn receive_skips_a_frame_not_received_ok_and_reads_the_next() {
    let bad_len = 60u16 + 4;
    let frame = test_frame(60);
    let expect = seq(&[
        bank(1),
        rcr(0x19, 2),
        bank(0),
        wcr(0x00, 0),
        wcr(0x01, 0),
        rbm(&rx_header(70, bad_len, 0x0010)), // CRC error, not Received Ok
        wcr(0x0c, 69),
        wcr(0x0d, 0),
        bfs(0x1e, 0x40),
        // Bank 0 is still selected.
        wcr(0x00, 70),
        wcr(0x01, 0),
        rbm(&rx_header(140, 64, 0x0080)),
        rbm(&frame),
        wcr(0x0c, 139),
        wcr(0x0d, 0),
        bfs(0x1e, 0x40),
    ]);
    let mut spi = Mock::new(&expect);
    let mut drv = Enc28j60::new(spi.clone(), config());
    let mut buf = [0u8; MAX_FRAME_LEN];
    assert_eq!(drv.receive_into(&mut buf), Ok(Some(60)));
    assert_eq!(drv.counters().rx_dropped, 1);
    assert_eq!(drv.counters().rx_frames, 1);
    spi.done();
}

/// The receive-logic reset after a corrupt header, from bank 0.
fn rx_reset() -> Vec<T<u8>> {
    seq(&[
        bfc(0x1f, 0x04), // RXEN off
        bfs(0x1f, 0x40), // RXRST
        bfc(0x1f, 0x40),
        wcr(0x08, 0x00),
        wcr(0x09, 0x00),
        wcr(0x0a, 0xff),
        wcr(0x0b, 0x19),
        wcr(0x0c, 0xff),
        wcr(0x0d, 0x19),
        bfc(0x1c, 0x01), // EIR.RXERIF
        bfs(0x1f, 0x04), // RXEN on
    ])
}

#[test]
fn a_garbage_receive_header_resets_the_ring_instead_of_reading_it() {
    // next odd; next outside the ring; byte count above MAMXFL; next
    // inconsistent with the byte count.
    for (next, bc) in [(71u16, 64u16), (0x1a02, 64), (1530, 1524), (200, 64)] {
        let mut spi = Mock::new(&seq(&[
            bank(1),
            rcr(0x19, 1),
            bank(0),
            wcr(0x00, 0x00),
            wcr(0x01, 0x00),
            rbm(&rx_header(next, bc, 0x0080)),
            rx_reset(),
        ]));
        let mut drv = Enc28j60::new(spi.clone(), config());
        let mut buf = [0u8; MAX_FRAME_LEN];
        assert_eq!(
            drv.receive_into(&mut buf),
            Err(Error::RxCorrupt),
            "{next} {bc}"
        );
        assert_eq!(drv.chip.next_packet, RX_START);
        assert_eq!(drv.counters().rx_resets, 1);
        spi.done();
    }
}

#[test]
fn a_frame_longer_than_the_buffer_is_dropped_and_released() {
    let mut spi = Mock::new(&seq(&[
        bank(1),
        rcr(0x19, 1),
        bank(0),
        wcr(0x00, 0),
        wcr(0x01, 0),
        rbm(&rx_header(70, 64, 0x0080)),
        wcr(0x0c, 69),
        wcr(0x0d, 0),
        bfs(0x1e, 0x40),
    ]));
    let mut drv = Enc28j60::new(spi.clone(), config());
    let mut small = [0u8; 32];
    assert_eq!(drv.receive_into(&mut small), Err(Error::FrameTooLong));
    assert_eq!(drv.chip.next_packet, 70);
    spi.done();
}

/// The transmit set-up of `frame`, from bank `from` (None: unknown).
fn tx_setup(frame: &[u8], from_bank0: bool) -> Vec<T<u8>> {
    let end = 0x1a00u16 + frame.len() as u16;
    seq(&[
        bfs(0x1f, 0x80), // TXRST (errata)
        bfc(0x1f, 0x80),
        bfc(0x1c, 0x0a), // EIR: TXERIF | TXIF
        if from_bank0 { vec![] } else { bank(0) },
        wcr(0x02, 0x00), // EWRPTL
        wcr(0x03, 0x1a), // EWRPTH
        vec![
            T::transaction_start(),
            T::write_vec(vec![0x7a, 0x00]), // WBM, control byte
            T::write_vec(frame.to_vec()),
            T::transaction_end(),
        ],
        wcr(0x06, end.to_le_bytes()[0]), // ETXNDL
        wcr(0x07, end.to_le_bytes()[1]), // ETXNDH
    ])
}

#[test]
fn send_writes_the_frame_and_waits_for_txrts() {
    let frame = test_frame(42);
    let expect = seq(&[
        tx_setup(&frame, false),
        bfs(0x1f, 0x08), // TXRTS
        rcr(0x1f, 0x08), // still sending
        rcr(0x1f, 0x00), // done
        rcr(0x1c, 0x08), // EIR: TXIF, no TXERIF
    ]);
    let mut spi = Mock::new(&expect);
    let mut drv = Enc28j60::new(spi.clone(), config());
    assert_eq!(drv.send(&frame), Ok(()));
    assert_eq!(drv.counters().tx_frames, 1);
    spi.done();
}

#[test]
fn errata_send_retries_after_a_late_collision() {
    let frame = test_frame(60);
    let tsv_at = 0x1a00u16 + 60 + 1;
    let mut late = [0u8; 7];
    late[3] = 0x20; // TSV bit 29: late collision
    let expect = seq(&[
        tx_setup(&frame, false),
        bfs(0x1f, 0x08),
        rcr(0x1f, 0x00),
        rcr(0x1c, 0x02), // TXERIF
        wcr(0x00, tsv_at.to_le_bytes()[0]),
        wcr(0x01, tsv_at.to_le_bytes()[1]),
        rbm(&late),
        // Retry: reset the transmit logic, send again.
        bfs(0x1f, 0x80),
        bfc(0x1f, 0x80),
        bfc(0x1c, 0x0a),
        bfs(0x1f, 0x08),
        rcr(0x1f, 0x00),
        rcr(0x1c, 0x08),
    ]);
    let mut spi = Mock::new(&expect);
    let mut drv = Enc28j60::new(spi.clone(), config());
    assert_eq!(drv.send(&frame), Ok(()));
    assert_eq!(drv.counters().tx_retries, 1);
    spi.done();
}

#[test]
fn send_reports_an_abort_without_collision_without_retrying() {
    let frame = test_frame(60);
    let tsv_at = 0x1a00u16 + 61;
    let expect = seq(&[
        tx_setup(&frame, false),
        bfs(0x1f, 0x08),
        rcr(0x1f, 0x00),
        rcr(0x1c, 0x02),
        wcr(0x00, tsv_at.to_le_bytes()[0]),
        wcr(0x01, tsv_at.to_le_bytes()[1]),
        rbm(&[0, 0, 0, 0x80, 0, 0, 0]), // underrun, no collision
    ]);
    let mut spi = Mock::new(&expect);
    let mut drv = Enc28j60::new(spi.clone(), config());
    assert_eq!(drv.send(&frame), Err(Error::TxAborted));
    assert_eq!(drv.counters().tx_errors, 1);
    spi.done();
}

#[test]
fn send_gives_up_on_a_stuck_txrts_and_clears_it() {
    let frame = test_frame(60);
    let mut cfg = config();
    cfg.poll_limit = 2;
    let expect = seq(&[
        tx_setup(&frame, false),
        bfs(0x1f, 0x08),
        rcr(0x1f, 0x08),
        rcr(0x1f, 0x08),
        bfc(0x1f, 0x08),
    ]);
    let mut spi = Mock::new(&expect);
    let mut drv = Enc28j60::new(spi.clone(), cfg);
    assert_eq!(drv.send(&frame), Err(Error::Timeout));
    spi.done();
}

#[test]
fn send_refuses_empty_and_oversized_frames_without_spi_traffic() {
    let mut spi = Mock::new(&[]);
    let mut drv = Enc28j60::new(spi.clone(), config());
    assert_eq!(drv.send(&[]), Err(Error::FrameTooLong));
    assert_eq!(drv.send(&[0; MAX_FRAME_LEN + 1]), Err(Error::FrameTooLong));
    spi.done();
}

#[test]
fn bank_switching_selects_only_when_the_bank_changes() {
    // EPKTCNT (bank 1) twice: one switch. ESTAT (common): none. MISTAT
    // (bank 3): clear then set 3. ERDPT (bank 0): clear only.
    let expect = seq(&[
        bank(1),
        rcr(0x19, 0),
        rcr(0x19, 0),
        rcr(0x1d, 0x01),
        bank(3),
        rcr_mac(0x0a, 0),
        bank(0),
        wcr(0x00, 0x34),
        wcr(0x01, 0x12),
    ]);
    let mut spi = Mock::new(&expect);
    let mut drv = Enc28j60::new(spi.clone(), config());
    assert_eq!(drv.pending_frames(), Ok(0));
    assert_eq!(drv.pending_frames(), Ok(0));
    assert_eq!(drv.chip.read_reg(ESTAT), Ok(1));
    assert_eq!(drv.chip.read_reg(MISTAT), Ok(0));
    assert_eq!(drv.chip.write_reg16(ERDPT, 0x1234), Ok(()));
    spi.done();
}

#[test]
fn link_status_reads_phstat2_lstat_through_the_mii() {
    for (hi, up) in [(0x04u8, true), (0x00, false)] {
        let expect = seq(&[
            bank(2),
            wcr(0x14, 0x11), // MIREGADR = PHSTAT2
            wcr(0x12, 0x01), // MICMD.MIIRD
            bank(3),
            rcr_mac(0x0a, 0x01), // busy
            rcr_mac(0x0a, 0x00),
            bank(2),
            wcr(0x12, 0x00),
            rcr_mac(0x18, 0x00), // MIRDL
            rcr_mac(0x19, hi),   // MIRDH: bit 10 = LSTAT
        ]);
        let mut spi = Mock::new(&expect);
        let mut drv = Enc28j60::new(spi.clone(), config());
        assert_eq!(drv.link_up(), Ok(up));
        spi.done();
    }
}

/// An `SpiDevice` that fails every transaction from the `fail_at`-th on,
/// passing the others to a mock.
struct Failing {
    inner: Mock<u8>,
    count: usize,
    fail_at: usize,
}

impl ErrorType for Failing {
    type Error = ErrorKind;
}

impl SpiDevice for Failing {
    fn transaction(&mut self, ops: &mut [Operation<'_, u8>]) -> Result<(), ErrorKind> {
        self.count += 1;
        if self.count >= self.fail_at {
            return Err(ErrorKind::ModeFault);
        }
        self.inner.transaction(ops)
    }
}

#[test]
fn an_spi_error_is_reported_and_the_bank_is_selected_again_after_it() {
    // The bank-1 select fails half way: the driver must not believe bank 1
    // is selected.
    let inner = Mock::new(&bfc(0x1f, 0x03));
    let mut drv = Enc28j60::new(
        Failing {
            inner,
            count: 0,
            fail_at: 2,
        },
        config(),
    );
    assert_eq!(drv.pending_frames(), Err(Error::Spi(ErrorKind::ModeFault)));
    assert_eq!(drv.chip.bank, BANK_UNKNOWN);
    let mut f = drv.release();
    f.inner.done();
}

#[test]
fn device_receive_hands_the_frame_up_and_counts_spi_errors() {
    let frame = test_frame(60);
    let mut spi = Mock::new(&rx_one(0, 70, &frame, 69));
    let mut drv = Enc28j60::new(spi.clone(), config());
    let (rx, _tx) = drv.receive(Instant::ZERO).expect("a frame");
    assert_eq!(rx.consume(|f| f.to_vec()), frame);
    spi.done();

    let mut failing = Enc28j60::new(
        Failing {
            inner: Mock::new(&[]),
            count: 0,
            fail_at: 1,
        },
        config(),
    );
    assert!(failing.receive(Instant::ZERO).is_none());
    assert_eq!(failing.counters().io_errors, 1);
    failing.release().inner.done();
}

#[test]
fn device_transmit_builds_the_frame_in_place_and_sends_it() {
    let frame = test_frame(98);
    let expect = seq(&[
        tx_setup(&frame, false),
        bfs(0x1f, 0x08),
        rcr(0x1f, 0x00),
        rcr(0x1c, 0x08),
    ]);
    let mut spi = Mock::new(&expect);
    let mut drv = Enc28j60::new(spi.clone(), config());
    assert_eq!(drv.capabilities().max_transmission_unit, MAX_FRAME_LEN);
    let tx = drv.transmit(Instant::ZERO).expect("a token");
    tx.consume(98, |buf| buf.copy_from_slice(&frame));
    assert_eq!(drv.counters().tx_frames, 1);
    spi.done();
}

/// A chip that answers every read with pseudo-random bytes.
struct Garbage {
    state: u64,
    transactions: u64,
}

impl ErrorType for Garbage {
    type Error = ErrorKind;
}

impl SpiDevice for Garbage {
    fn transaction(&mut self, ops: &mut [Operation<'_, u8>]) -> Result<(), ErrorKind> {
        self.transactions += 1;
        for op in ops {
            if let Operation::Read(buf) = op {
                for b in buf.iter_mut() {
                    // xorshift64
                    self.state ^= self.state << 13;
                    self.state ^= self.state >> 7;
                    self.state ^= self.state << 17;
                    *b = self.state as u8;
                }
            }
        }
        Ok(())
    }
}

#[test]
fn a_chip_answering_garbage_never_panics_and_never_hangs() {
    let mut cfg = config();
    cfg.poll_limit = 50;
    for seed in 1..200u64 {
        let mut drv = Enc28j60::new(
            Garbage {
                state: seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1,
                transactions: 0,
            },
            cfg,
        );
        let _ = drv.init(&mut NoopDelay::new());
        for _ in 0..20 {
            if let Some((rx, tx)) = drv.receive(Instant::ZERO) {
                let n = rx.consume(|f| f.len());
                assert!(n <= MAX_FRAME_LEN);
                tx.consume(64, |b| b.fill(0));
            }
            let _ = drv.link_up();
            let _ = drv.send(&[0xff; 60]);
        }
        // Every wait is bounded: init, 20 × (≤255 frames, one link read, one
        // send with retries) stays far below this.
        let spent = drv.release().transactions;
        assert!(spent < 400_000, "seed {seed}: {spent} transactions");
    }
}

#[test]
fn receive_filter_values() {
    let f = |unicast, broadcast, multicast, promiscuous| {
        ReceiveFilter {
            unicast,
            broadcast,
            multicast,
            promiscuous,
        }
        .erxfcon()
    };
    assert_eq!(f(true, true, Multicast::All, false), 0xa3);
    assert_eq!(f(true, false, Multicast::None, false), 0xa0);
    assert_eq!(f(true, true, Multicast::HashTable([0; 8]), false), 0xa5);
    assert_eq!(f(true, true, Multicast::All, true), 0x20);
}

#[test]
fn hash_table_crc_is_the_802_3_crc_register() {
    // The standard check value: CRC-32 of "123456789" is 0xCBF43926 as an
    // FCS (complemented, bit-reversed); the register holds the raw form.
    assert_eq!(
        super::crc32_register(b"123456789"),
        (!0xcbf4_3926u32).reverse_bits()
    );
    let bit = hash_table_bit(EthernetAddress([0x01, 0x00, 0x5e, 0x00, 0x00, 0x01]));
    assert_eq!(
        u32::from(bit),
        (super::crc32_register(&[0x01, 0x00, 0x5e, 0x00, 0x00, 0x01]) >> 23) & 0x3f
    );
}
