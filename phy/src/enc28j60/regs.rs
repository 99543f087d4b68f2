//! ENC28J60 register map, SPI opcodes and bit names, in the datasheet's
//! words (Microchip DS39662, §3 "Memory Organization", §4 "Serial
//! Peripheral Interface").

/// A control register: its 5-bit address, its bank, and whether it is a
/// MAC/MII register (those answer a read with a dummy byte first, §4.2.1,
/// and do not support the bit-field commands, §4.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reg(u8);

const MAC_MII: u8 = 0x80;
const BANK_SHIFT: u8 = 5;

impl Reg {
    const fn eth(bank: u8, addr: u8) -> Reg {
        Reg(addr | (bank << BANK_SHIFT))
    }
    const fn mac(bank: u8, addr: u8) -> Reg {
        Reg(addr | (bank << BANK_SHIFT) | MAC_MII)
    }
    /// The 5-bit address within a bank.
    pub(crate) const fn addr(self) -> u8 {
        self.0 & 0x1f
    }
    /// The bank (meaningless for the common registers).
    pub(crate) const fn bank(self) -> u8 {
        (self.0 >> BANK_SHIFT) & 0x03
    }
    /// Whether reads return a dummy byte first.
    pub(crate) const fn is_mac_mii(self) -> bool {
        self.0 & MAC_MII != 0
    }
    /// Registers 0x1B–0x1F appear in every bank (§3.1).
    pub(crate) const fn is_common(self) -> bool {
        self.addr() >= 0x1b
    }
    /// The high byte of a 16-bit register pair (its address plus one).
    pub(crate) const fn high(self) -> Reg {
        self.offset(1)
    }
    /// The register `n` places after this one, in the same bank.
    pub(crate) const fn offset(self, n: u8) -> Reg {
        Reg(self.0 + n)
    }
}

// SPI instruction set (§4.2, Table 4-1).
/// Read Control Register.
pub(crate) const RCR: u8 = 0x00;
/// Read Buffer Memory.
pub(crate) const RBM: u8 = 0x3a;
/// Write Control Register.
pub(crate) const WCR: u8 = 0x40;
/// Write Buffer Memory.
pub(crate) const WBM: u8 = 0x7a;
/// Bit Field Set.
pub(crate) const BFS: u8 = 0x80;
/// Bit Field Clear.
pub(crate) const BFC: u8 = 0xa0;
/// System Reset Command (soft reset).
pub(crate) const SRC: u8 = 0xff;

// Common registers.
pub(crate) const EIE: Reg = Reg::eth(0, 0x1b);
pub(crate) const EIR: Reg = Reg::eth(0, 0x1c);
pub(crate) const ESTAT: Reg = Reg::eth(0, 0x1d);
pub(crate) const ECON2: Reg = Reg::eth(0, 0x1e);
pub(crate) const ECON1: Reg = Reg::eth(0, 0x1f);

// Bank 0 (the L register of each pair; `.high()` is the H one).
pub(crate) const ERDPT: Reg = Reg::eth(0, 0x00);
pub(crate) const EWRPT: Reg = Reg::eth(0, 0x02);
pub(crate) const ETXST: Reg = Reg::eth(0, 0x04);
pub(crate) const ETXND: Reg = Reg::eth(0, 0x06);
pub(crate) const ERXST: Reg = Reg::eth(0, 0x08);
pub(crate) const ERXND: Reg = Reg::eth(0, 0x0a);
pub(crate) const ERXRDPT: Reg = Reg::eth(0, 0x0c);

// Bank 1.
pub(crate) const EHT0: Reg = Reg::eth(1, 0x00);
pub(crate) const ERXFCON: Reg = Reg::eth(1, 0x18);
pub(crate) const EPKTCNT: Reg = Reg::eth(1, 0x19);

// Bank 2 (all MAC/MII).
pub(crate) const MACON1: Reg = Reg::mac(2, 0x00);
pub(crate) const MACON3: Reg = Reg::mac(2, 0x02);
pub(crate) const MACON4: Reg = Reg::mac(2, 0x03);
pub(crate) const MABBIPG: Reg = Reg::mac(2, 0x04);
pub(crate) const MAIPGL: Reg = Reg::mac(2, 0x06);
pub(crate) const MAIPGH: Reg = Reg::mac(2, 0x07);
pub(crate) const MAMXFL: Reg = Reg::mac(2, 0x0a);
pub(crate) const MICMD: Reg = Reg::mac(2, 0x12);
pub(crate) const MIREGADR: Reg = Reg::mac(2, 0x14);
pub(crate) const MIWRL: Reg = Reg::mac(2, 0x16);
pub(crate) const MIWRH: Reg = Reg::mac(2, 0x17);
pub(crate) const MIRDL: Reg = Reg::mac(2, 0x18);
pub(crate) const MIRDH: Reg = Reg::mac(2, 0x19);

// Bank 3.
pub(crate) const MAADR5: Reg = Reg::mac(3, 0x00);
pub(crate) const MAADR6: Reg = Reg::mac(3, 0x01);
pub(crate) const MAADR3: Reg = Reg::mac(3, 0x02);
pub(crate) const MAADR4: Reg = Reg::mac(3, 0x03);
pub(crate) const MAADR1: Reg = Reg::mac(3, 0x04);
pub(crate) const MAADR2: Reg = Reg::mac(3, 0x05);
pub(crate) const MISTAT: Reg = Reg::mac(3, 0x0a);
pub(crate) const EREVID: Reg = Reg::eth(3, 0x12);

// ECON1 (Register 3-1).
pub(crate) const ECON1_TXRST: u8 = 1 << 7;
pub(crate) const ECON1_RXRST: u8 = 1 << 6;
pub(crate) const ECON1_TXRTS: u8 = 1 << 3;
pub(crate) const ECON1_RXEN: u8 = 1 << 2;
pub(crate) const ECON1_BSEL: u8 = 0x03;
// ECON2 (Register 6-2).
pub(crate) const ECON2_PKTDEC: u8 = 1 << 6;
// ESTAT (Register 12-2).
pub(crate) const ESTAT_CLKRDY: u8 = 1 << 0;
// EIE / EIR (Registers 12-2, 12-3).
pub(crate) const EIE_INTIE: u8 = 1 << 7;
pub(crate) const EIE_PKTIE: u8 = 1 << 6;
pub(crate) const EIR_TXIF: u8 = 1 << 3;
pub(crate) const EIR_TXERIF: u8 = 1 << 1;
pub(crate) const EIR_RXERIF: u8 = 1 << 0;
// ERXFCON (Register 8-1).
pub(crate) const ERXFCON_UCEN: u8 = 1 << 7;
pub(crate) const ERXFCON_CRCEN: u8 = 1 << 5;
pub(crate) const ERXFCON_HTEN: u8 = 1 << 2;
pub(crate) const ERXFCON_MCEN: u8 = 1 << 1;
pub(crate) const ERXFCON_BCEN: u8 = 1 << 0;
// MACON1 (Register 6-1).
pub(crate) const MACON1_TXPAUS: u8 = 1 << 3;
pub(crate) const MACON1_RXPAUS: u8 = 1 << 2;
pub(crate) const MACON1_MARXEN: u8 = 1 << 0;
// MACON3 (Register 6-2): PADCFG = 001 pads short frames to 60 bytes and
// appends the CRC.
pub(crate) const MACON3_PADCFG0: u8 = 1 << 5;
pub(crate) const MACON3_TXCRCEN: u8 = 1 << 4;
pub(crate) const MACON3_FRMLNEN: u8 = 1 << 1;
pub(crate) const MACON3_FULDPX: u8 = 1 << 0;
// MACON4 (Register 6-3).
pub(crate) const MACON4_DEFER: u8 = 1 << 6;
// MICMD / MISTAT (Registers 3-3, 3-4).
pub(crate) const MICMD_MIIRD: u8 = 1 << 0;
pub(crate) const MISTAT_BUSY: u8 = 1 << 0;

// Back-to-back and non-back-to-back inter-packet gaps (§6.5).
pub(crate) const MABBIPG_FULL: u8 = 0x15;
pub(crate) const MABBIPG_HALF: u8 = 0x12;
pub(crate) const MAIPGL_VALUE: u8 = 0x12;
pub(crate) const MAIPGH_HALF: u8 = 0x0c;

// PHY registers (§3.3, Table 3-3), reached through MIREGADR.
pub(crate) const PHCON1: u8 = 0x00;
pub(crate) const PHCON2: u8 = 0x10;
pub(crate) const PHSTAT2: u8 = 0x11;
pub(crate) const PHCON1_PDPXMD: u16 = 1 << 8;
pub(crate) const PHCON2_HDLDIS: u16 = 1 << 8;
pub(crate) const PHSTAT2_LSTAT: u16 = 1 << 10;
