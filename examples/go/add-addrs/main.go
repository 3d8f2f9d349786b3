// add, annotated: where add's parameters and result and main's sum live.
//
// Printing &result with %p would hand the pointer to fmt, and the compiler
// would move result to the heap to be safe: the very thing we want to see
// would change. So the addresses are taken as plain integers
// (uintptr(unsafe.Pointer(&v))), which the compiler does not count as an
// escape: `-gcflags=-m` reports none of these variables as moved to heap.
// Lines that start with "add-addrs:" hold addresses; the others are the
// same on every run and every machine.
package main

import (
	"fmt"
	"unsafe"
)

// Where add found its three locals, filled in by add itself.
var addA, addB, addResult uintptr

// add is kept out of line so that it has a frame of its own, as the guide
// draws it; inlined, its locals would sit in main's frame.
//
//go:noinline
func add(a, b int) int {
	result := a + b
	addA = uintptr(unsafe.Pointer(&a))
	addB = uintptr(unsafe.Pointer(&b))
	addResult = uintptr(unsafe.Pointer(&result))
	return result
}

func main() {
	sum := add(5, 3)
	sumAddr := uintptr(unsafe.Pointer(&sum))
	fmt.Println(sum)
	fmt.Printf("add-addrs: add's a at %#x, b at %#x, result at %#x\n", addA, addB, addResult)
	fmt.Printf("add-addrs: main's sum at %#x\n", sumAddr)
	// One goroutine stack, growing down: the callee's frame lies below the
	// caller's, a few hundred bytes away.
	fmt.Println("add's result lies below main's sum:", addResult < sumAddr)
	fmt.Println("both frames within 1 KiB:", sumAddr-addResult < 1024)
}
