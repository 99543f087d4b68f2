//! TCP (placeholder during split).
pub mod options;
pub mod seq;
