//! Listener tests.
