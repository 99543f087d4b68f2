//! Storage the stack needs, in caller-supplied memory: ring buffers for
//! byte streams and packet queues, the deadline heap behind `poll_at`, and
//! the assembler that tracks out-of-order TCP data.

mod assembler;
mod deadline_heap;
mod packet_buffer;
mod ring_buffer;

pub use self::assembler::{Assembler, AssemblerFull};
pub use self::deadline_heap::{DeadlineHeap, HeapSlot, HeapSlots};
pub use self::packet_buffer::{PacketBuffer, PacketMetadata};
pub use self::ring_buffer::{Empty, Full, RingBuffer};
