//! Storage the stack needs, in caller-supplied memory: ring buffers for
//! byte streams and packet queues.

mod ring_buffer;

pub use self::ring_buffer::{Empty, Full, RingBuffer};
