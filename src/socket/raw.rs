//! Raw IP sockets (being written).
