// SPDX-License-Identifier: MIT

// The program of the post this project grew from: DNS lookups, then a TCP
// connect, each in its own named function that the compiler may not inline,
// so that a test knows the exact Go frames between the syscall and
// runtime.main.  Built twice: pure Go (CGO_ENABLED=0, static, no libc) and
// cgo-enabled (linked by gcc against libc); GODEBUG=netdns=go or =cgo picks
// the resolver at run time.
//
//	main.main -> main.resolveAndDial -> main.lookupLocal -> net.LookupHost
//	                                 -> main.dialPort9   -> net.Dial
//
// Exits 0 when the lookup found 127.0.0.1 and the connect was refused, as
// nothing listens on 127.0.0.1:9.
package main

import (
	"fmt"
	"net"
	"os"
)

//go:noinline
func lookupLocal() bool {
	addrs, err := net.LookupHost("localhost")
	if err != nil {
		fmt.Fprintln(os.Stderr, "lookup:", err)
		return false
	}
	for _, a := range addrs {
		if a == "127.0.0.1" {
			return true
		}
	}
	fmt.Fprintln(os.Stderr, "lookup: no 127.0.0.1 in", addrs)
	return false
}

//go:noinline
func dialPort9() bool {
	c, err := net.Dial("tcp", "127.0.0.1:9")
	if err == nil {
		c.Close()
		fmt.Fprintln(os.Stderr, "dial: something listens on 127.0.0.1:9")
		return false
	}
	return true
}

//go:noinline
func resolveAndDial() bool {
	ok := lookupLocal()
	return dialPort9() && ok
}

func main() {
	if !resolveAndDial() {
		os.Exit(1)
	}
}
