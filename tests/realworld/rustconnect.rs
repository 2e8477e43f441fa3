// SPDX-License-Identifier: MIT
//! A Rust program built three times, once per linker: rustc's default
//! (rust-lld on 1.90 and later), GNU ld, and clang driving the system's
//! LLD.  LLD lays the executable segment at a file offset that is not page
//! aligned, which is where strace's unwinder gives up.
//!
//! main -> rustconnect::outer -> rustconnect::middle -> rustconnect::inner
//! -> std::net::TcpStream::connect -> ... -> connect(127.0.0.1:9).
use std::hint::black_box;
use std::net::TcpStream;

#[inline(never)]
fn inner() -> bool {
    let r = TcpStream::connect("127.0.0.1:9");
    black_box(r.is_err())
}

#[inline(never)]
fn middle() -> bool {
    black_box(inner())
}

#[inline(never)]
fn outer() -> bool {
    black_box(middle())
}

fn main() {
    std::process::exit(if outer() { 0 } else { 1 });
}
