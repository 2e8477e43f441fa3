// SPDX-License-Identifier: MIT
//! Rust: main -> rusttarget::level_one -> rusttarget::level_two ->
//! rusttarget::do_connect -> std::net::TcpStream::connect -> ... -> connect.
//! Built with the legacy and the v0 symbol mangling; both must demangle to
//! the same names, without the hash.
use std::hint::black_box;
use std::net::TcpStream;

#[inline(never)]
fn do_connect() -> bool {
    let r = TcpStream::connect("127.0.0.1:9"); // CALL connect
    black_box(r.is_err())
}

#[inline(never)]
fn level_two() -> bool {
    black_box(do_connect()) // CALL do_connect
}

#[inline(never)]
fn level_one() -> bool {
    black_box(level_two()) // CALL level_two
}

fn main() {
    std::process::exit(if level_one() { 0 } else { 1 }); // CALL level_one
}
