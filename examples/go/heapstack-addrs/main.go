// heapExample and stackExample, annotated: the x that heapExample returns
// a pointer to lives on the heap (`-gcflags=-m`: "moved to heap: x"); the
// x of stackExample stays in its frame on the goroutine's stack. Its
// address is kept as an integer, which is no escape. Lines that start with
// "heapstack-addrs:" hold addresses.
package main

import (
	"fmt"
	"unsafe"
)

// Where stackExample's x was (the frame is gone when main prints it).
var stackX uintptr

func heapExample() *int {
	x := 42
	return &x
}

//go:noinline
func stackExample() int {
	x := 42
	stackX = uintptr(unsafe.Pointer(&x))
	return x
}

func main() {
	heapPtr := heapExample()
	fmt.Println(*heapPtr)

	stackVal := stackExample()
	fmt.Println(stackVal)

	fmt.Printf("heapstack-addrs: heapExample's x at %p\n", heapPtr)
	fmt.Printf("heapstack-addrs: stackExample's x at %#x\n", stackX)
	fmt.Printf("heapstack-addrs: main's stackVal at %#x\n", uintptr(unsafe.Pointer(&stackVal)))
	// stackExample's frame was just below main's; the heap object is elsewhere.
	near := uintptr(unsafe.Pointer(&stackVal)) - stackX
	fmt.Println("stackExample's x was just below main's frame:", near > 0 && near < 1024)
}
