//! The board: an STM32F4 (F407/F429 register layout) at its 16 MHz reset
//! clock, with an ENC28J60 module on SPI1.
//!
//! | ENC28J60 | STM32 |
//! |---|---|
//! | SCK | PA5 (AF5) |
//! | SO (MISO) | PA6 (AF5) |
//! | SI (MOSI) | PA7 (AF5) |
//! | CS | PA4 (GPIO output) |
//! | INT | PA3 (GPIO input with pull-up, active low) |
//!
//! SPI1 runs in mode 0 at PCLK2 / 2 = 8 MHz, the lowest clock the
//! ENC28J60 errata allow. A real board would use its HAL's `SpiDevice`;
//! this one is a few registers so the firmware needs no HAL crate, and the
//! smoltcp twin in `ci/size/` includes the same file.
//!
//! This file is the only place with `unsafe`: volatile accesses to
//! memory-mapped peripheral registers.

use core::convert::Infallible;
use core::ptr::{read_volatile, write_volatile};
use core::sync::atomic::{AtomicU32, Ordering};

use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::exception;
use embedded_hal::delay::DelayNs;
use embedded_hal::spi::{ErrorType, Operation, SpiDevice};

/// The core clock after reset (HSI).
pub const CORE_HZ: u32 = 16_000_000;

const RCC_AHB1ENR: usize = 0x4002_3830;
const RCC_APB2ENR: usize = 0x4002_3844;
const GPIOA: usize = 0x4002_0000;
const GPIO_MODER: usize = 0x00;
const GPIO_OSPEEDR: usize = 0x08;
const GPIO_PUPDR: usize = 0x0c;
const GPIO_IDR: usize = 0x10;
const GPIO_BSRR: usize = 0x18;
const GPIO_AFRL: usize = 0x20;
const SPI1: usize = 0x4001_3000;
const SPI_CR1: usize = 0x00;
const SPI_SR: usize = 0x08;
const SPI_DR: usize = 0x0c;
const SR_RXNE: u32 = 1 << 0;
const SR_TXE: u32 = 1 << 1;
const SR_BSY: u32 = 1 << 7;
const CS_PIN: u32 = 4;
const INT_PIN: u32 = 3;

fn reg_read(addr: usize) -> u32 {
    // SAFETY: `addr` is one of the peripheral registers above, always
    // mapped and readable on this part; a volatile read has no side effect
    // beyond what the hardware defines.
    unsafe { read_volatile(addr as *const u32) }
}

fn reg_write(addr: usize, value: u32) {
    // SAFETY: as above; the registers written are owned by this module
    // (RCC enable bits, GPIOA, SPI1) and nothing else touches them.
    unsafe { write_volatile(addr as *mut u32, value) }
}

fn reg_modify(addr: usize, f: impl FnOnce(u32) -> u32) {
    reg_write(addr, f(reg_read(addr)));
}

/// SPI1 with chip select on PA4: an embedded-hal 1.0 `SpiDevice`.
pub struct Spi1 {
    _private: (),
}

impl Spi1 {
    /// Clock GPIOA and SPI1, set up the pins and SPI1 (master, mode 0,
    /// 8 MHz, software chip select).
    pub fn new() -> Spi1 {
        reg_modify(RCC_AHB1ENR, |v| v | 1); // GPIOAEN
        reg_modify(RCC_APB2ENR, |v| v | (1 << 12)); // SPI1EN
        reg_write(GPIOA + GPIO_BSRR, 1 << CS_PIN); // CS high
        reg_modify(GPIOA + GPIO_MODER, |v| {
            let v = v & !(0xff << (2 * 3)); // PA3..PA6 cleared, PA7 below
            let v = v & !(0b11 << (2 * 7));
            // PA3 input, PA4 output, PA5-PA7 alternate function.
            v | (0b01 << (2 * 4)) | (0b10 << (2 * 5)) | (0b10 << (2 * 6)) | (0b10 << (2 * 7))
        });
        reg_modify(GPIOA + GPIO_OSPEEDR, |v| v | (0xff << (2 * 4)));
        reg_modify(GPIOA + GPIO_PUPDR, |v| {
            (v & !(0b11 << (2 * INT_PIN))) | (0b01 << (2 * INT_PIN))
        });
        reg_modify(GPIOA + GPIO_AFRL, |v| {
            (v & !(0xfff << 20)) | (5 << 20) | (5 << 24) | (5 << 28)
        });
        // MSTR, BR = fPCLK/2, SSM + SSI (software NSS), SPE; CPOL = CPHA = 0.
        reg_write(SPI1 + SPI_CR1, (1 << 2) | (1 << 9) | (1 << 8));
        reg_modify(SPI1 + SPI_CR1, |v| v | (1 << 6));
        Spi1 { _private: () }
    }

    fn transfer_byte(&mut self, out: u8) -> u8 {
        while reg_read(SPI1 + SPI_SR) & SR_TXE == 0 {}
        // SAFETY: an 8-bit write to SPI1_DR sends one frame (8-bit mode).
        unsafe { write_volatile((SPI1 + SPI_DR) as *mut u8, out) };
        while reg_read(SPI1 + SPI_SR) & SR_RXNE == 0 {}
        // SAFETY: an 8-bit read of SPI1_DR takes the received frame.
        unsafe { read_volatile((SPI1 + SPI_DR) as *const u8) }
    }
}

impl ErrorType for Spi1 {
    type Error = Infallible;
}

impl SpiDevice for Spi1 {
    fn transaction(&mut self, operations: &mut [Operation<'_, u8>]) -> Result<(), Infallible> {
        reg_write(GPIOA + GPIO_BSRR, 1 << (CS_PIN + 16)); // CS low
        for op in operations {
            match op {
                Operation::Read(buf) => buf.iter_mut().for_each(|b| *b = self.transfer_byte(0)),
                Operation::Write(buf) => buf.iter().for_each(|&b| {
                    self.transfer_byte(b);
                }),
                Operation::Transfer(read, write) => {
                    for i in 0..read.len().max(write.len()) {
                        let b = self.transfer_byte(write.get(i).copied().unwrap_or(0));
                        if let Some(r) = read.get_mut(i) {
                            *r = b;
                        }
                    }
                }
                Operation::TransferInPlace(buf) => {
                    buf.iter_mut().for_each(|b| *b = self.transfer_byte(*b))
                }
                Operation::DelayNs(ns) => Delay.delay_ns(*ns),
            }
        }
        while reg_read(SPI1 + SPI_SR) & SR_BSY != 0 {}
        reg_write(GPIOA + GPIO_BSRR, 1 << CS_PIN); // CS high
        Ok(())
    }
}

/// Whether the ENC28J60 asserts INT (a frame is pending).
pub fn enc_interrupt() -> bool {
    reg_read(GPIOA + GPIO_IDR) & (1 << INT_PIN) == 0
}

/// A busy-wait delay at [`CORE_HZ`].
pub struct Delay;

impl DelayNs for Delay {
    fn delay_ns(&mut self, ns: u32) {
        let cycles = (u64::from(ns) * u64::from(CORE_HZ) / 1_000_000_000) as u32;
        cortex_m::asm::delay(cycles.max(1));
    }
}

/// Milliseconds since `start_clock`, counted by SysTick.
static MILLIS: AtomicU32 = AtomicU32::new(0);

#[exception]
fn SysTick() {
    MILLIS.fetch_add(1, Ordering::Relaxed);
}

/// Start SysTick at 1 kHz: the millisecond clock, and a wake-up from
/// `wfi` every millisecond.
pub fn start_clock(mut syst: SYST) {
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(CORE_HZ / 1000 - 1);
    syst.clear_current();
    syst.enable_counter();
    syst.enable_interrupt();
}

/// A 64-bit millisecond clock from the wrapping 32-bit SysTick count.
pub struct Clock {
    last: u32,
    total: u64,
}

impl Clock {
    /// A clock at zero.
    pub const fn new() -> Clock {
        Clock { last: 0, total: 0 }
    }

    /// Milliseconds since start.
    pub fn millis(&mut self) -> u64 {
        let now = MILLIS.load(Ordering::Relaxed);
        self.total += u64::from(now.wrapping_sub(self.last));
        self.last = now;
        self.total
    }
}

/// Sleep for `ms` milliseconds (`None`: no limit) or until the ENC28J60
/// raises INT, waking every millisecond on SysTick.
pub fn sleep(clock: &mut Clock, ms: Option<u64>) {
    let deadline_ms = ms.map(|ms| clock.millis().saturating_add(ms));
    loop {
        if enc_interrupt() || deadline_ms.is_some_and(|d| clock.millis() >= d) {
            return;
        }
        cortex_m::asm::wfi();
    }
}
