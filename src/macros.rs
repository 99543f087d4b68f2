//! Logging macros. They expand to `defmt`, to `log`, or to nothing, by
//! feature; arguments are still type-checked when logging is disabled so a
//! build without logging does not hide errors. Format strings must use the
//! plain `{}` / `{:?}` placeholders understood by both backends.

#[cfg(feature = "defmt")]
#[allow(unused_macros)]
macro_rules! net_log {
    (trace, $($arg:expr),* $(,)?) => { defmt::trace!($($arg),*) };
    (debug, $($arg:expr),* $(,)?) => { defmt::debug!($($arg),*) };
    (info,  $($arg:expr),* $(,)?) => { defmt::info!($($arg),*) };
    (warn,  $($arg:expr),* $(,)?) => { defmt::warn!($($arg),*) };
    (error, $($arg:expr),* $(,)?) => { defmt::error!($($arg),*) };
}

#[cfg(all(feature = "log", not(feature = "defmt")))]
#[allow(unused_macros)]
macro_rules! net_log {
    (trace, $($arg:expr),* $(,)?) => { log::trace!($($arg),*) };
    (debug, $($arg:expr),* $(,)?) => { log::debug!($($arg),*) };
    (info,  $($arg:expr),* $(,)?) => { log::info!($($arg),*) };
    (warn,  $($arg:expr),* $(,)?) => { log::warn!($($arg),*) };
    (error, $($arg:expr),* $(,)?) => { log::error!($($arg),*) };
}

#[cfg(not(any(feature = "log", feature = "defmt")))]
#[allow(unused_macros)]
macro_rules! net_log {
    ($level:ident, $fmt:expr $(, $arg:expr)* $(,)?) => {{
        // Type-check and "use" the arguments without formatting them.
        let _ = $fmt;
        $( let _ = &$arg; )*
    }};
}

#[allow(unused_macros)]
macro_rules! net_trace {
    ($($arg:expr),* $(,)?) => { net_log!(trace, $($arg),*) };
}
#[allow(unused_macros)]
macro_rules! net_debug {
    ($($arg:expr),* $(,)?) => { net_log!(debug, $($arg),*) };
}
#[allow(unused_macros)]
macro_rules! net_info {
    ($($arg:expr),* $(,)?) => { net_log!(info, $($arg),*) };
}
#[allow(unused_macros)]
macro_rules! net_warn {
    ($($arg:expr),* $(,)?) => { net_log!(warn, $($arg),*) };
}
#[allow(unused_macros)]
macro_rules! net_error {
    ($($arg:expr),* $(,)?) => { net_log!(error, $($arg),*) };
}
