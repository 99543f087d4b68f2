//! Byte ranges for the `mod field` blocks of the wire modules.

/// A fixed byte range inside a header.
pub(crate) type Field = core::ops::Range<usize>;
#[allow(dead_code)]
/// Everything from an offset to the end of the buffer.
pub(crate) type Rest = core::ops::RangeFrom<usize>;
