//! A libpcap file writer (the classic format, microsecond timestamps) that
//! Wireshark and tshark read.

use std::io::{self, Write};

use ferrotcp::time::Instant;

/// The link type written in the file header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkType {
    /// `LINKTYPE_ETHERNET` (1): frames start with an Ethernet header.
    Ethernet,
    /// `LINKTYPE_RAW` (101): frames are bare IPv4 or IPv6 packets.
    Ip,
}

impl LinkType {
    fn code(self) -> u32 {
        match self {
            LinkType::Ethernet => 1,
            LinkType::Ip => 101,
        }
    }
}

/// Writes frames to a pcap stream.
#[derive(Debug)]
pub struct PcapWriter<W: Write> {
    sink: W,
}

impl<W: Write> PcapWriter<W> {
    /// Write the global header and return the writer.
    pub fn new(mut sink: W, link_type: LinkType) -> io::Result<Self> {
        let mut h = [0u8; 24];
        h[0..4].copy_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        h[4..6].copy_from_slice(&2u16.to_le_bytes()); // version 2.4
        h[6..8].copy_from_slice(&4u16.to_le_bytes());
        // thiszone = 0, sigfigs = 0
        h[16..20].copy_from_slice(&65_535u32.to_le_bytes()); // snaplen
        h[20..24].copy_from_slice(&link_type.code().to_le_bytes());
        sink.write_all(&h)?;
        Ok(PcapWriter { sink })
    }

    /// Append one frame captured at `timestamp`.
    pub fn write_frame(&mut self, timestamp: Instant, frame: &[u8]) -> io::Result<()> {
        let micros = timestamp.total_micros().max(0);
        let secs = u32::try_from(micros / 1_000_000).unwrap_or(u32::MAX);
        let usecs = (micros % 1_000_000) as u32;
        let len = u32::try_from(frame.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "frame too long"))?;
        let mut h = [0u8; 16];
        h[0..4].copy_from_slice(&secs.to_le_bytes());
        h[4..8].copy_from_slice(&usecs.to_le_bytes());
        h[8..12].copy_from_slice(&len.to_le_bytes());
        h[12..16].copy_from_slice(&len.to_le_bytes());
        self.sink.write_all(&h)?;
        self.sink.write_all(frame)
    }

    /// Flush the sink.
    pub fn flush(&mut self) -> io::Result<()> {
        self.sink.flush()
    }

    /// Give back the sink.
    pub fn into_inner(self) -> W {
        self.sink
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_record_layout() {
        let mut w = PcapWriter::new(Vec::new(), LinkType::Ethernet).unwrap();
        w.write_frame(Instant::from_micros(3_000_250), &[1, 2, 3])
            .unwrap();
        let out = w.into_inner();
        assert_eq!(out.len(), 24 + 16 + 3);
        assert_eq!(&out[0..4], &[0xd4, 0xc3, 0xb2, 0xa1]);
        assert_eq!(&out[20..24], &[1, 0, 0, 0]);
        assert_eq!(&out[24..28], &3u32.to_le_bytes());
        assert_eq!(&out[28..32], &250u32.to_le_bytes());
        assert_eq!(&out[32..36], &3u32.to_le_bytes());
        assert_eq!(&out[40..], &[1, 2, 3]);
    }
}
