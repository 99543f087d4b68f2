//! A `no_std`, `no_main` host binary that calls into the ferrotcp core.
//!
//! It exists to fail the build if std reaches the core's dependency graph:
//! this crate defines its own `#[panic_handler]`, so a second one from std
//! is the error `E0152 duplicate lang item ... panic_impl`. It links libc
//! only (for `abort`, and `malloc`/`free` with the `alloc` feature) and
//! exports a C `main`, so the C runtime starts it like any program. Its
//! exit status is 0 when every call returned what it should.
//!
//! The calls go through `black_box` so that the core code is really
//! compiled and linked, not folded away.
#![no_std]
#![no_main]

#[cfg(feature = "alloc")]
extern crate alloc;

use core::ffi::{c_char, c_int};
use core::hint::black_box;
use core::net::{IpAddr, Ipv4Addr};
use core::panic::PanicInfo;
use core::str::FromStr;

use ferrotcp::wire::checksum::{self, Checksum};
use ferrotcp::wire::classify::Ipv4AddrExt;
use ferrotcp::wire::udp;
use ferrotcp::wire::{EthernetAddress, Ipv4Cidr};

#[link(name = "c")]
unsafe extern "C" {
    fn abort() -> !;
}

#[panic_handler]
fn panic(_info: &PanicInfo) -> ! {
    // SAFETY: abort takes no arguments and never returns; it is always
    // safe to call.
    unsafe { abort() }
}

/// `core` is precompiled with unwinding tables that name this symbol; with
/// `panic = "abort"` it is never called.
#[unsafe(no_mangle)]
pub extern "C" fn rust_eh_personality() {}

/// The check: returns a bit mask of the calls that went wrong.
fn check() -> c_int {
    let mut failures = 0;

    // RFC 1071 §3: the sum of 0001 f203 f4f5 f6f7 is ddf2.
    let words = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
    if checksum::data(black_box(&words[..])) != 0xddf2 {
        failures |= 1;
    }

    // A UDP datagram emitted, then parsed back with its checksum verified.
    let src = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
    let dst = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));
    let repr = udp::Repr {
        src_port: 49152,
        dst_port: 53,
    };
    let payload = b"ping";
    let mut buf = [0u8; 12];
    let mut packet = udp::Packet::new_unchecked(&mut buf[..]);
    repr.emit(
        &mut packet,
        &src,
        &dst,
        payload.len(),
        |b| b.copy_from_slice(payload),
        Checksum::Both,
    );
    let parsed = udp::Packet::new_checked(black_box(&buf[..]))
        .and_then(|p| udp::Repr::parse(&p, &src, &dst, Checksum::Both, false));
    if parsed != Ok(repr) {
        failures |= 2;
    }

    // Address parsing and classification.
    let pcp_anycast = black_box(Ipv4Addr::new(192, 0, 0, 9));
    if !Ipv4AddrExt::is_globally_reachable(&pcp_anycast) || Ipv4AddrExt::is_globally_reachable(&Ipv4Addr::new(10, 0, 0, 1))
    {
        failures |= 4;
    }
    let net = Ipv4Cidr::from_str(black_box("192.168.1.7/24"));
    if net.ok().and_then(|n| n.broadcast()) != Some(Ipv4Addr::new(192, 168, 1, 255)) {
        failures |= 8;
    }
    if EthernetAddress::from_str(black_box("02:00:5e:10:00:01"))
        != Ok(EthernetAddress([0x02, 0x00, 0x5e, 0x10, 0x00, 0x01]))
    {
        failures |= 16;
    }

    #[cfg(feature = "alloc")]
    {
        // The allocator below really serves allocations, over-aligned too.
        let v: alloc::vec::Vec<u16> = (0..1000u16).collect();
        #[repr(align(64))]
        struct Aligned([u8; 64]);
        let b = alloc::boxed::Box::new(Aligned([7; 64]));
        let aligned = (&*b as *const Aligned).addr().is_multiple_of(64) && b.0[63] == 7;
        if black_box(v.iter().map(|&x| u32::from(x)).sum::<u32>()) != 499_500 || !aligned {
            failures |= 32;
        }
    }

    #[cfg(feature = "defmt")]
    defmt::info!("ferrotcp no_std check: failures {=i32}", failures);

    failures
}

/// The C entry point, called by the C runtime's start files.
#[unsafe(no_mangle)]
pub extern "C" fn main(_argc: c_int, _argv: *const *const c_char) -> c_int {
    check()
}

/// A global allocator over libc's `malloc` and `free`.
#[cfg(feature = "alloc")]
mod libc_alloc {
    use core::alloc::{GlobalAlloc, Layout};
    use core::ffi::{c_int, c_void};
    use core::ptr;

    #[link(name = "c")]
    unsafe extern "C" {
        fn malloc(size: usize) -> *mut c_void;
        fn free(ptr: *mut c_void);
        fn posix_memalign(memptr: *mut *mut c_void, alignment: usize, size: usize) -> c_int;
    }

    /// The alignment glibc's `malloc` guarantees for every allocation of at
    /// least this size: two machine words.
    const MALLOC_ALIGN: usize = 2 * size_of::<usize>();

    struct LibcAlloc;

    // SAFETY: `alloc` returns memory from malloc/posix_memalign, suitably
    // aligned for `layout` (see below) or null on failure; `dealloc` gives
    // it back to `free`, which accepts pointers from both.
    unsafe impl GlobalAlloc for LibcAlloc {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            if layout.align() <= MALLOC_ALIGN && layout.align() <= layout.size() {
                // SAFETY: any size is valid for malloc; it returns memory
                // aligned to MALLOC_ALIGN (enough for this layout) or null.
                unsafe { malloc(layout.size()).cast() }
            } else {
                let mut out = ptr::null_mut();
                // posix_memalign wants a power of two that is a multiple of
                // the pointer size: `Layout` guarantees a power of two, and
                // raising it to the pointer size keeps it one.
                let align = layout.align().max(size_of::<usize>());
                // SAFETY: `out` is a valid place for the result; on failure
                // it is left untouched and we return null.
                if unsafe { posix_memalign(&mut out, align, layout.size()) } != 0 {
                    return ptr::null_mut();
                }
                out.cast()
            }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
            // SAFETY: the caller passes a pointer this allocator returned,
            // which came from malloc or posix_memalign.
            unsafe { free(ptr.cast()) }
        }
    }

    #[global_allocator]
    static GLOBAL: LibcAlloc = LibcAlloc;
}

/// A no-op defmt logger: the check only needs the symbols to link.
#[cfg(feature = "defmt")]
mod defmt_logger {
    #[defmt::global_logger]
    struct NoopLogger;

    // SAFETY: the logger holds no state and writes nothing, so there is no
    // critical section to protect.
    unsafe impl defmt::Logger for NoopLogger {
        fn acquire() {}
        unsafe fn flush() {}
        unsafe fn release() {}
        unsafe fn write(_bytes: &[u8]) {}
    }

    defmt::timestamp!("{=u64}", 0);
}
